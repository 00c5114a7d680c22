//! GPIO function select: routes the PL011 to pins 14/15 (ALT0) on a real board.
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_structs,
    registers::ReadWrite,
};

use super::Mmio;

register_structs! {
    /// GPIO register block, the part used here (BCM2835 ARM Peripherals, chapter 6).
    pub RegisterBlock {
        /// GPFSEL0..GPFSEL5: three bits of function per pin, ten pins per register.
        (0x00 => gpfsel: [ReadWrite<u32>; 6]),
        (0x18 => @END),
    }
}

/// The function a pin can be switched to (the 3-bit GPFSEL codes).
#[derive(Clone, Copy)]
#[allow(dead_code)]
pub enum Function {
    /// General-purpose input.
    Input = 0b000,
    /// General-purpose output.
    Output = 0b001,
    /// Alternate function 0 (for pins 14/15: PL011 TXD0/RXD0).
    Alternate0 = 0b100,
}

/// The GPIO controller.
pub struct Gpio {
    registers: Mmio<RegisterBlock>,
}

impl Gpio {
    /// Creates the driver for the GPIO block at `base`.
    ///
    /// # Safety
    /// `base` must be the GPIO register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Selects `function` for `pin` (0..=53).
    pub fn set_function(&self, pin: u32, function: Function) {
        let register = &self.registers.gpfsel[(pin / 10) as usize];
        let shift = (pin % 10) * 3;
        let value = (register.get() & !(0b111 << shift)) | ((function as u32) << shift);
        register.set(value);
    }
}
