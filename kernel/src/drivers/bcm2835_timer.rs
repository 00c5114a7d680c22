//! BCM2835 system timer: a free-running 64-bit 1 MHz counter with four compare channels.
//!
//! Channels 0 and 2 belong to the GPU; the kernel's `time` module owns channels 1 (the deadline
//! queue's alarm, an IRQ) and 3 (real-time releases, the FIQ).
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_structs,
    registers::{ReadOnly, ReadWrite},
};

use super::{interface::Clock, Mmio};

register_structs! {
    /// System timer registers (BCM2835 ARM Peripherals, chapter 12).
    pub RegisterBlock {
        /// Control/Status: bit n set = compare channel n matched (write 1 to clear).
        (0x00 => cs: ReadWrite<u32>),
        /// Counter, lower 32 bits.
        (0x04 => clo: ReadOnly<u32>),
        /// Counter, higher 32 bits.
        (0x08 => chi: ReadOnly<u32>),
        /// Compare channels 0..3.
        (0x0c => compare: [ReadWrite<u32>; 4]),
        (0x1c => @END),
    }
}

/// A compare channel the ARM may use (1 or 3; 0 and 2 belong to the GPU).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Compare channel 1 (GPU interrupt 1).
    One = 1,
    /// Compare channel 3 (GPU interrupt 3).
    Three = 3,
}

/// The system timer.
pub struct SystemTimer {
    registers: Mmio<RegisterBlock>,
}

impl SystemTimer {
    /// Creates the driver for the timer at `base`.
    ///
    /// # Safety
    /// `base` must be the system timer's register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Arms `channel` to interrupt when the counter's low word reaches `deadline_micros`, and
    /// clears a match already recorded (a deadline already past fires only after the counter
    /// wraps, 71 minutes later, so callers re-check the time after arming).
    pub fn set_compare(&self, channel: Channel, deadline_micros: u64) {
        // Clear first: a match of the new value, even an immediate one, must stay recorded.
        self.registers.cs.set(1 << channel as u32);
        self.registers.compare[channel as usize].set(deadline_micros as u32);
    }

    /// Acknowledges `channel`'s match interrupt; returns whether it had matched.
    pub fn acknowledge(&self, channel: Channel) -> bool {
        let bit = 1 << channel as u32;
        let matched = self.registers.cs.get() & bit != 0;
        if matched {
            self.registers.cs.set(bit);
        }
        matched
    }

    /// True if `channel` has matched and not been acknowledged.
    pub fn matched(&self, channel: Channel) -> bool {
        self.registers.cs.get() & (1 << channel as u32) != 0
    }

    /// The counter's low 32 bits (one register read: for the real-time path).
    pub fn now_low(&self) -> u32 {
        self.registers.clo.get()
    }
}

impl Clock for SystemTimer {
    fn now_micros(&self) -> u64 {
        // Read high, low, high again so a carry between the two reads is never missed.
        loop {
            let high = self.registers.chi.get();
            let low = self.registers.clo.get();
            if self.registers.chi.get() == high {
                return (u64::from(high) << 32) | u64::from(low);
            }
        }
    }
}
