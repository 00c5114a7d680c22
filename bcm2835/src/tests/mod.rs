//! Register-sequence tests of every driver against the recording fake.
//!
//! Offsets and values are written out as the datasheet gives them, not taken from the
//! drivers' constants, so a wrong constant fails a test.
use std::{string::ToString, vec::Vec};

use crate::testing::{Event, RecordingBus};

mod clock_manager;
mod errors;
mod gpio;
mod i2c;
mod mini_uart;
mod pins;
mod pwm;
mod recording_bus;
mod spi;

/// A recorded read.
fn read(offset: usize, value: u32) -> Event {
    Event::read(offset, value)
}

/// A recorded write.
fn write(offset: usize, value: u32) -> Event {
    Event::write(offset, value)
}

/// Asserts the whole log, printing both sides in hex on failure.
#[track_caller]
fn assert_events(bus: &RecordingBus, expected: &[Event]) {
    let actual = bus.events();
    assert_eq!(
        actual, expected,
        "\n actual: {actual:?}\n expected: {expected:?}"
    );
}

/// The message of an error, as the kernel would show it.
fn message(error: crate::Error) -> std::string::String {
    error.to_string()
}

/// How many events of the log are writes to `offset`.
fn writes_to(bus: &RecordingBus, offset: usize) -> Vec<u32> {
    bus.writes()
        .into_iter()
        .filter(|(written, _)| *written == offset)
        .map(|(_, value)| value)
        .collect()
}
