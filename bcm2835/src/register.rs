//! Typed register offsets over the [`Registers`] bus, and polling deadlines over the [`Clock`].
//!
//! tock-registers' `register_structs!` needs the registers to be real memory, which the recording
//! fake is not; so each register is an offset paired with its `register_bitfields!` layout, and
//! values are composed in a `LocalRegisterCopy` before one bus access.
use core::marker::PhantomData;

use tock_registers::{fields::FieldValue, LocalRegisterCopy, RegisterLongName};

use crate::{Clock, Registers};

/// A register at a fixed byte offset whose fields are described by `R`.
pub(crate) struct Register<R: RegisterLongName = ()> {
    offset: usize,
    layout: PhantomData<R>,
}

impl<R: RegisterLongName> Register<R> {
    /// The register at `offset` bytes from its block's base.
    pub(crate) const fn at(offset: usize) -> Self {
        Self {
            offset,
            layout: PhantomData,
        }
    }

    /// One read.
    pub(crate) fn read(&self, bus: &impl Registers) -> LocalRegisterCopy<u32, R> {
        LocalRegisterCopy::new(bus.read(self.offset))
    }

    /// One write of the fields in `value` (every other bit written as 0).
    pub(crate) fn write(&self, bus: &impl Registers, value: FieldValue<u32, R>) {
        bus.write(self.offset, value.value);
    }

    /// One write of a whole composed value.
    pub(crate) fn write_copy(&self, bus: &impl Registers, value: LocalRegisterCopy<u32, R>) {
        bus.write(self.offset, value.get());
    }

    /// One write of a raw word (for registers that are plain bit-per-pin masks or counts).
    pub(crate) fn write_raw(&self, bus: &impl Registers, value: u32) {
        bus.write(self.offset, value);
    }

    /// One read, then one write of the read value with `value`'s fields replaced.
    pub(crate) fn modify(&self, bus: &impl Registers, value: FieldValue<u32, R>) {
        let mut copy = self.read(bus);
        copy.modify(value);
        self.write_copy(bus, copy);
    }
}

/// A polling limit: expires once `limit_micros` have passed on the clock since it was started.
pub(crate) struct Deadline {
    start: u64,
    limit_micros: u32,
}

impl Deadline {
    /// Starts counting now.
    pub(crate) fn start(clock: &impl Clock, limit_micros: u32) -> Self {
        Self {
            start: clock.now_micros(),
            limit_micros,
        }
    }

    /// Whether the limit has passed (reads the clock once).
    pub(crate) fn expired(&self, clock: &impl Clock) -> bool {
        clock.now_micros().wrapping_sub(self.start) >= u64::from(self.limit_micros)
    }

    /// The limit, for the error message.
    pub(crate) const fn limit_micros(&self) -> u32 {
        self.limit_micros
    }
}
