//! The HID boot-keyboard driver: polls the keyboard, types into the console, keeps key events
//! for Python's `keyboard` module, repeats held keys, and drives the lock LEDs.
//!
//! The bytes go through `console::receive_byte`, exactly like the serial port's, so the line
//! editor sees arrows and Home/End as escape sequences and Ctrl-C raises `KeyboardInterrupt`.
use std::collections::VecDeque;

use core::sync::atomic::{AtomicU32, Ordering};

use usbproto::{
    keyboard::{KeyAction, KeyEvent, RepeatSettings},
    request::HidProtocol,
    Keyboard, KeyboardOutput, Layout, SetupPacket, TransferError,
};

use super::{
    attached,
    executor::sleep_ms,
    host::{self, Endpoint},
    log, now_ms, Attached,
};
use crate::{sync::IrqLock, time::now_micros};

/// Layout and repeat settings every keyboard follows (from the configuration, then Python).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The keymap.
    pub layout: Layout,
    /// Repeat delay and interval.
    pub repeat: RepeatSettings,
}

static SETTINGS: IrqLock<Option<Settings>> = IrqLock::new(None);
/// Bumped on every settings change, so running keyboards pick it up.
static SETTINGS_GENERATION: AtomicU32 = AtomicU32::new(0);

/// Key events kept for `keyboard.get_event()` (the oldest are dropped when it is full).
const EVENT_CAPACITY: usize = 128;
static EVENTS: IrqLock<VecDeque<(KeyEvent, u64)>> = IrqLock::new(VecDeque::new());
/// Events dropped because nobody read them.
static EVENTS_DROPPED: AtomicU32 = AtomicU32::new(0);
/// Reports received, bytes typed (statistics).
static REPORTS: AtomicU32 = AtomicU32::new(0);
static BYTES_TYPED: AtomicU32 = AtomicU32::new(0);
/// The last poll that brought a report, from starting the transfer to the bytes in the
/// console's ring, and the last poll that brought nothing, in µs (for the benchmark).
static LAST_REPORT_POLL_US: AtomicU32 = AtomicU32::new(0);
static LAST_EMPTY_POLL_US: AtomicU32 = AtomicU32::new(0);

/// The settings in effect.
pub fn settings() -> Settings {
    SETTINGS.lock(|settings| {
        settings.unwrap_or(Settings {
            layout: Layout::default(),
            repeat: RepeatSettings::default(),
        })
    })
}

/// Changes the settings of every keyboard (attached now or later).
pub fn set_settings(new: Settings) {
    SETTINGS.lock(|settings| *settings = Some(new));
    SETTINGS_GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// Takes up to `limit` key events, oldest first, with their time (µs since boot).
pub fn take_events(limit: usize) -> std::vec::Vec<(KeyEvent, u64)> {
    EVENTS.lock(|events| {
        let count = limit.min(events.len());
        events.drain(..count).collect()
    })
}

/// Key events waiting.
pub fn events_waiting() -> usize {
    EVENTS.lock(|events| events.len())
}

/// `(reports, bytes typed, events dropped)`.
pub fn counters() -> (u32, u32, u32) {
    (
        REPORTS.load(Ordering::Relaxed),
        BYTES_TYPED.load(Ordering::Relaxed),
        EVENTS_DROPPED.load(Ordering::Relaxed),
    )
}

/// `(µs of the last poll with a report, µs of the last poll without)`.
pub fn poll_costs() -> (u32, u32) {
    (
        LAST_REPORT_POLL_US.load(Ordering::Relaxed),
        LAST_EMPTY_POLL_US.load(Ordering::Relaxed),
    )
}

/// Hands one report's or tick's output to the console and the event queue.
fn deliver(output: &KeyboardOutput) {
    for &byte in output.bytes() {
        crate::console::receive_byte(byte);
    }
    BYTES_TYPED.fetch_add(output.bytes().len() as u32, Ordering::Relaxed);
    if output.events().is_empty() {
        return;
    }
    let now = now_micros();
    EVENTS.lock(|events| {
        for event in output.events() {
            if events.len() == EVENT_CAPACITY {
                events.pop_front();
                EVENTS_DROPPED.fetch_add(1, Ordering::Relaxed);
            }
            events.push_back((*event, now));
        }
    });
}

/// Runs one keyboard until it goes away.
pub async fn run(keyboard_device: Attached) {
    let Attached { id, route, device } = keyboard_device;
    let max_packet = device.device.max_packet_size0;
    let Some(interface) = device.configuration().and_then(|c| c.boot_keyboard()) else {
        return;
    };
    let number = interface.descriptor.number;
    let Some(report_endpoint) = interface.interrupt_in() else {
        log(format!("keyboard {}: no interrupt endpoint", route.address));
        return;
    };
    // Poll at the endpoint's interval, but at least every 20 ms so repeats stay smooth.
    let interval_ms = host::poll_interval_ms(report_endpoint, route.speed, 10, 4, 20);
    let mut endpoint = Endpoint::new(report_endpoint, 3);
    // A keyboard that refuses these still sends boot reports (boot protocol is the default
    // after reset); a STALL is no reason to give up.
    let _ = host::control(
        route,
        max_packet,
        SetupPacket::set_protocol(number, HidProtocol::Boot),
        &mut [],
    )
    .await;
    let _ = host::control(
        route,
        max_packet,
        SetupPacket::set_idle(number, 0, 0),
        &mut [],
    )
    .await;
    let mut generation = SETTINGS_GENERATION.load(Ordering::Acquire);
    let current = settings();
    let mut keyboard = Keyboard::new(current.layout);
    keyboard.set_repeat_settings(current.repeat);
    let mut leds = [keyboard.leds().0];
    let _ = host::control(
        route,
        max_packet,
        SetupPacket::set_keyboard_leds(number),
        &mut leds,
    )
    .await;
    log(format!(
        "keyboard {}: layout {}, polled every {interval_ms} ms",
        route.address,
        current.layout.name()
    ));
    let mut report = [0u8; 8];
    let mut errors = 0;
    while attached(id) {
        let now_generation = SETTINGS_GENERATION.load(Ordering::Acquire);
        if now_generation != generation {
            generation = now_generation;
            let new = settings();
            keyboard.set_layout(new.layout);
            keyboard.set_repeat_settings(new.repeat);
        }
        let mut new_leds = None;
        let polled_at = now_micros();
        match host::transfer_in(route, &mut endpoint, &mut report).await {
            Ok(Some(count)) => {
                errors = 0;
                REPORTS.fetch_add(1, Ordering::Relaxed);
                if let Ok(output) = keyboard.feed_report(&report[..count], now_ms()) {
                    deliver(&output);
                    new_leds = output.leds();
                }
                let spent = now_micros() - polled_at;
                LAST_REPORT_POLL_US.store(spent as u32, Ordering::Relaxed);
            }
            Ok(None) => {
                errors = 0;
                let spent = now_micros() - polled_at;
                LAST_EMPTY_POLL_US.store(spent as u32, Ordering::Relaxed);
            }
            Err(TransferError::Stall) => {
                let address = 0x80 | endpoint.number;
                host::clear_halt(route, max_packet, &mut endpoint, address).await;
            }
            Err(error) => {
                errors += 1;
                if errors >= host::GIVE_UP_AFTER {
                    log(format!(
                        "keyboard {}: not answering ({error:?})",
                        route.address
                    ));
                    keyboard.reset();
                    return;
                }
            }
        }
        let repeats = keyboard.tick(now_ms());
        deliver(&repeats);
        if let Some(leds) = new_leds {
            let mut byte = [leds.0];
            let _ = host::control(
                route,
                max_packet,
                SetupPacket::set_keyboard_leds(number),
                &mut byte,
            )
            .await;
        }
        sleep_ms(interval_ms).await;
    }
    keyboard.reset();
}

/// A key event's action as `keyboard.KeyEvent` numbers it: 0 release, 1 press, 2 repeat.
pub fn action_number(action: KeyAction) -> u8 {
    match action {
        KeyAction::Release => 0,
        KeyAction::Press => 1,
        KeyAction::Repeat => 2,
    }
}
