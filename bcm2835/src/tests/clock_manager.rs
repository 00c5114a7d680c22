//! Clock manager: divisor plans at the edges, the stop/configure sequence, BUSY and KILL.
use super::{assert_events, message, read, write};
use crate::{
    clock_manager::{ClockId, ClockManager, ClockPlan, ClockSource, Mash},
    testing::{Event, RecordingBus},
    Error,
};

#[test]
fn integer_divisor_rounds_to_nearest_and_reports_the_frequency_made() {
    let plan = ClockPlan::for_frequency(ClockSource::Oscillator, 1_000_000, Mash::Integer).unwrap();
    assert_eq!((plan.integer, plan.fraction), (19, 0));
    assert_eq!(plan.achieved_hz(), 1_010_526);
    assert_eq!(plan.achieved_millihertz(), 1_010_526_316);
    let plan = ClockPlan::for_frequency(ClockSource::PllD, 25_000_000, Mash::Integer).unwrap();
    assert_eq!((plan.integer, plan.achieved_hz()), (20, 25_000_000));
}

#[test]
fn mash_divisor_keeps_the_fraction_in_4096ths() {
    let plan = ClockPlan::for_frequency(ClockSource::Oscillator, 1_000_000, Mash::Stage1).unwrap();
    // 19.2 MHz / 1 MHz = 19.2 = 19 + 819.2 / 4096.
    assert_eq!((plan.integer, plan.fraction), (19, 819));
    assert_eq!(plan.achieved_hz(), 1_000_003);
    // The fraction is ignored when a plan says Integer.
    let integer = ClockPlan {
        mash: Mash::Integer,
        ..plan
    };
    assert_eq!(integer.achieved_hz(), 1_010_526);
}

#[test]
fn frequency_range_edges_follow_divisor_limits() {
    // PLLD, integer: DIVI 1 to 4095.
    assert_eq!(
        ClockPlan::frequency_range(ClockSource::PllD, Mash::Integer),
        (122_101, 500_000_000)
    );
    let lowest = ClockPlan::for_frequency(ClockSource::PllD, 122_101, Mash::Integer).unwrap();
    assert_eq!(lowest.integer, 4095);
    assert_eq!(
        ClockPlan::for_frequency(ClockSource::PllD, 122_100, Mash::Integer),
        Err(Error::FrequencyOutOfRange {
            hz: 122_100,
            min_hz: 122_101,
            max_hz: 500_000_000
        })
    );
    let highest = ClockPlan::for_frequency(ClockSource::PllD, 500_000_000, Mash::Integer).unwrap();
    assert_eq!(highest.integer, 1);
    // MASH 3 needs DIVI >= 5.
    assert_eq!(
        ClockPlan::for_frequency(ClockSource::PllD, 100_000_001, Mash::Stage3),
        Err(Error::FrequencyOutOfRange {
            hz: 100_000_001,
            min_hz: 122_071,
            max_hz: 100_000_000
        })
    );
    let stage3 = ClockPlan::for_frequency(ClockSource::PllD, 100_000_000, Mash::Stage3).unwrap();
    assert_eq!((stage3.integer, stage3.fraction), (5, 0));
    // Oscillator with MASH 1: the largest divisor is 4095 + 4095/4096.
    let (min_hz, max_hz) = ClockPlan::frequency_range(ClockSource::Oscillator, Mash::Stage1);
    assert_eq!((min_hz, max_hz), (4_688, 9_600_000));
    let lowest = ClockPlan::for_frequency(ClockSource::Oscillator, 4_688, Mash::Stage1).unwrap();
    assert_eq!(lowest.integer, 4095);
    assert!(ClockPlan::for_frequency(ClockSource::Oscillator, 4_687, Mash::Stage1).is_err());
    assert_eq!(Mash::Stage2.min_divisor(), 3);
}

#[test]
fn zero_hertz_is_refused_by_value() {
    let error = ClockPlan::for_frequency(ClockSource::Oscillator, 0, Mash::Integer).unwrap_err();
    assert_eq!(
        message(error),
        "frequency 0 Hz out of range (4689 to 19200000 Hz)"
    );
    assert!(error.is_invalid_argument());
}

#[test]
fn integer_plans_check_the_divisor() {
    assert_eq!(
        ClockPlan::integer(ClockSource::PllD, 5)
            .unwrap()
            .achieved_hz(),
        100_000_000
    );
    assert!(matches!(
        ClockPlan::integer(ClockSource::PllD, 0),
        Err(Error::FrequencyOutOfRange { hz: u32::MAX, .. })
    ));
    assert!(matches!(
        ClockPlan::integer(ClockSource::PllD, 4096),
        Err(Error::FrequencyOutOfRange { hz: 122_070, .. })
    ));
}

#[test]
fn configure_stops_waits_for_busy_then_writes_divisor_source_and_enable() {
    let bus = RecordingBus::new();
    // Running from PLLD with MASH 1: ENAB | BUSY | SRC 6 | MASH 1.
    bus.script(0xa0, &[0x296, 0x286, 0x206]);
    let clocks = ClockManager::new(&bus, &bus);
    let plan = ClockPlan::for_frequency(ClockSource::Oscillator, 1_000_000, Mash::Stage1).unwrap();
    clocks.configure(ClockId::Pwm, &plan).unwrap();
    assert_events(
        &bus,
        &[
            read(0xa0, 0x296),
            // ENAB cleared, source and MASH kept, password set.
            write(0xa0, 0x5a00_0206),
            read(0xa0, 0x286),
            read(0xa0, 0x206),
            write(0xa4, 0x5a00_0000 | (19 << 12) | 819),
            write(0xa0, 0x5a00_0201),
            write(0xa0, 0x5a00_0211),
        ],
    );
}

#[test]
fn each_generator_has_its_register_pair() {
    let pairs = [
        (ClockId::Gp0, 0x70),
        (ClockId::Gp1, 0x78),
        (ClockId::Gp2, 0x80),
        (ClockId::Pwm, 0xa0),
    ];
    for (id, control) in pairs {
        let bus = RecordingBus::new();
        let clocks = ClockManager::new(&bus, &bus);
        let plan = clocks
            .set_frequency(id, ClockSource::PllD, 25_000_000, Mash::Integer)
            .unwrap();
        assert_eq!(plan.integer, 20);
        assert_events(
            &bus,
            &[
                read(control, 0),
                write(control, 0x5a00_0000),
                read(control, 0),
                write(control + 4, 0x5a01_4000),
                write(control, 0x5a00_0006),
                write(control, 0x5a00_0016),
            ],
        );
    }
}

#[test]
fn busy_that_never_clears_is_killed_then_reported() {
    let bus = RecordingBus::new();
    bus.set_default(0xa0, 0x96);
    let clocks = ClockManager::new(&bus, &bus).with_busy_timeout(5);
    let error = clocks.stop(ClockId::Pwm).unwrap_err();
    assert_eq!(error, Error::ClockBusy(ClockId::Pwm));
    assert_eq!(message(error), "clock generator PWM stays busy");
    assert!(!error.is_invalid_argument());
    let mut expected = std::vec![read(0xa0, 0x96), write(0xa0, 0x5a00_0006)];
    expected.extend([read(0xa0, 0x96); 5]);
    expected.push(write(0xa0, 0x5a00_0026));
    expected.extend([read(0xa0, 0x96); 5]);
    assert_events(&bus, &expected);
}

#[test]
fn kill_clears_a_stuck_generator() {
    let bus = RecordingBus::new();
    // BUSY until a write with KILL (bit 5) has been made.
    bus.respond_with(|offset, log| {
        let killed = log
            .iter()
            .any(|event| matches!(event, Event::Write { value, .. } if value & 0x20 != 0));
        (offset == 0x70).then_some(if killed { 0x06 } else { 0x96 })
    });
    let clocks = ClockManager::new(&bus, &bus).with_busy_timeout(3);
    clocks.stop(ClockId::Gp0).unwrap();
    assert_eq!(
        bus.events()[bus.events().len() - 2..],
        [write(0x70, 0x5a00_0026), read(0x70, 0x06)]
    );
    assert!(!ClockManager::new(&bus, &bus).is_busy(ClockId::Gp0));
}

#[test]
fn a_stuck_generator_stops_configure_before_the_divisor() {
    let bus = RecordingBus::new();
    bus.set_default(0x80, 0x80);
    let clocks = ClockManager::new(&bus, &bus).with_busy_timeout(1);
    let plan = ClockPlan::integer(ClockSource::Oscillator, 2).unwrap();
    assert_eq!(
        clocks.configure(ClockId::Gp2, &plan),
        Err(Error::ClockBusy(ClockId::Gp2))
    );
    assert!(bus.writes().iter().all(|(offset, _)| *offset == 0x80));
}
