//! BCM2835 system timer: a free-running 64-bit 1 MHz counter with four compare channels.
//!
//! Channels 0 and 2 belong to the GPU; the kernel uses channel 1 as a one-shot wake-up alarm.
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

/// The compare channel the kernel owns.
const ALARM_CHANNEL: usize = 1;

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

    /// Arms the alarm to interrupt when the counter's low word reaches `deadline_micros`
    /// (a deadline already past fires after the counter wraps, so callers re-check the time).
    pub fn set_alarm(&self, deadline_micros: u64) {
        self.registers.compare[ALARM_CHANNEL].set(deadline_micros as u32);
        self.registers.cs.set(1 << ALARM_CHANNEL);
    }

    /// Acknowledges the alarm interrupt; returns whether it had fired.
    pub fn acknowledge_alarm(&self) -> bool {
        let fired = self.registers.cs.get() & (1 << ALARM_CHANNEL) != 0;
        if fired {
            self.registers.cs.set(1 << ALARM_CHANNEL);
        }
        fired
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
