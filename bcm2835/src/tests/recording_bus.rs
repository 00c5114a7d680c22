//! The fake itself: scripted reads, closure answers, windows, time.
use super::{read, write};
use crate::{
    testing::{Event, RecordingBus},
    Clock, Registers,
};

#[test]
fn scripted_values_come_first_then_closure_then_default() {
    let bus = RecordingBus::new();
    bus.script(0x04, &[1, 2]).set_default(0x04, 9);
    bus.respond_with(|offset, log| (offset == 0x08).then_some(log.len() as u32));
    assert_eq!(bus.read(0x04), 1);
    assert_eq!(bus.read(0x04), 2);
    assert_eq!(bus.read(0x04), 9);
    assert_eq!(bus.read(0x08), 3);
    assert_eq!(bus.read(0x0c), 0);
    assert_eq!(
        bus.events(),
        [
            read(0x04, 1),
            read(0x04, 2),
            read(0x04, 9),
            read(0x08, 3),
            read(0x0c, 0)
        ]
    );
    assert!(bus.unread_scripts().is_empty());
}

#[test]
fn writes_and_delays_are_logged_in_order() {
    let bus = RecordingBus::new();
    bus.write(0x10, 0xdead_beef);
    bus.delay_cycles(150);
    bus.write(0x14, 1);
    assert_eq!(
        bus.events(),
        [
            write(0x10, 0xdead_beef),
            Event::DelayCycles(150),
            write(0x14, 1)
        ]
    );
    assert_eq!(bus.accesses(), [write(0x10, 0xdead_beef), write(0x14, 1)]);
    assert_eq!(bus.writes(), [(0x10, 0xdead_beef), (0x14, 1)]);
    assert_eq!(bus.take_events().len(), 3);
    assert!(bus.events().is_empty());
}

#[test]
fn windows_share_one_log_with_absolute_offsets() {
    let bus = RecordingBus::new();
    bus.script(0x2020_0034, &[0x55]);
    let gpio = bus.window(0x2020_0000);
    let pwm = bus.window(0x2020_c000);
    assert_eq!(gpio.read(0x34), 0x55);
    pwm.write(0x10, 7);
    assert_eq!(
        bus.events(),
        [read(0x2020_0034, 0x55), write(0x2020_c010, 7)]
    );
    assert_eq!(bus.read_count(0x2020_0034), 1);
}

#[test]
fn the_clock_steps_on_every_reading() {
    let bus = RecordingBus::new();
    assert_eq!(bus.now_micros(), 0);
    assert_eq!(bus.now_micros(), 1);
    bus.set_time_step(250);
    assert_eq!(bus.now_micros(), 2);
    assert_eq!(bus.now(), 252);
}

#[test]
fn unread_scripts_are_reported() {
    let bus = RecordingBus::new();
    bus.script(0x04, &[1, 2, 3]);
    bus.read(0x04);
    assert_eq!(bus.unread_scripts(), [(0x04, 2)]);
}

#[test]
fn events_print_in_hex() {
    let text = std::format!(
        "{:?}",
        [read(0x34, 0x10), write(0x1c, 0x20), Event::DelayCycles(150)]
    );
    assert_eq!(
        text,
        "[read(0x34, 0x10), write(0x1c, 0x20), delay_cycles(150)]"
    );
}

/// A clock that only counts, to check the trait's default cycle delay.
struct CountingClock(core::cell::Cell<u64>);

impl Clock for CountingClock {
    fn now_micros(&self) -> u64 {
        let now = self.0.get();
        self.0.set(now + 1);
        now
    }
}

#[test]
fn the_default_cycle_delay_waits_at_least_cycles_over_100_plus_one_micros() {
    let clock = CountingClock(core::cell::Cell::new(0));
    clock.delay_cycles(150);
    // Start read at 0; the loop ends at the first reading >= 3.
    assert_eq!(clock.0.get(), 4);
    let clock = CountingClock(core::cell::Cell::new(0));
    clock.delay_cycles(0);
    assert_eq!(clock.0.get(), 2);
}
