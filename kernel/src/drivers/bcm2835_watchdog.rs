//! BCM2835 power-management watchdog: used to reset the whole board (a clean reboot).
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_structs,
    registers::ReadWrite,
};

use super::Mmio;

register_structs! {
    /// Power management registers used for the watchdog, from PM base + 0x1c.
    pub RegisterBlock {
        /// Reset control.
        (0x00 => rstc: ReadWrite<u32>),
        (0x04 => rsts: ReadWrite<u32>),
        /// Watchdog timeout in ticks of 16 µs.
        (0x08 => wdog: ReadWrite<u32>),
        (0x0c => @END),
    }
}

/// Every write to these registers must carry this password in bits 31..24.
const PASSWORD: u32 = 0x5a00_0000;
/// RSTC.WRCFG: the reset the watchdog performs, "full reset" = 0b10 in bits 5..4.
const RSTC_WRCFG_MASK: u32 = 0x30;
const RSTC_WRCFG_FULL_RESET: u32 = 0x20;

/// The watchdog.
pub struct Watchdog {
    registers: Mmio<RegisterBlock>,
}

impl Watchdog {
    /// Creates the driver for the registers at `base` (PM base + 0x1c).
    ///
    /// # Safety
    /// `base` must be the power management RSTC register (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Resets the board after `ticks` × 16 µs.
    pub fn reset_after(&self, ticks: u32) {
        let registers = &self.registers;
        registers.wdog.set(PASSWORD | (ticks & 0xf_ffff));
        let control = registers.rstc.get() & !RSTC_WRCFG_MASK;
        registers
            .rstc
            .set(PASSWORD | control | RSTC_WRCFG_FULL_RESET);
    }
}
