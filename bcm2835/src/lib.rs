//! BCM2835 peripheral register sequences (GPIO, PWM, I2C, SPI, mini UART) over a testable bus.
//!
//! Every driver talks to its peripheral through [`Registers`] (32-bit reads and writes at byte
//! offsets from the block's base) and waits through [`Clock`]. The kernel implements both once,
//! with volatile MMIO and the system timer; the tests implement them with
//! `testing::RecordingBus` (the `testing` feature), which records every access so that the
//! exact register sequences from the BCM2835 ARM Peripherals datasheet can be asserted on the
//! host.
//!
//! Base addresses are the ARM physical ones (peripherals at `0x2000_0000`), not the VideoCore
//! bus addresses (`0x7e00_0000`) the datasheet prints.
//!
//! ```
//! use core::cell::Cell;
//! use bcm2835::{gpio::{Function, Gpio, Pin, Pull}, Clock, Registers};
//!
//! /// Stands in for the kernel's volatile MMIO window (`base + offset`).
//! struct Block([Cell<u32>; 64]);
//! impl Registers for Block {
//!     fn read(&self, offset: usize) -> u32 { self.0[offset / 4].get() }
//!     fn write(&self, offset: usize, value: u32) { self.0[offset / 4].set(value) }
//! }
//! /// Stands in for the system timer.
//! struct Timer(Cell<u64>);
//! impl Clock for Timer {
//!     fn now_micros(&self) -> u64 { self.0.replace(self.0.get() + 1) }
//! }
//!
//! let block = Block(core::array::from_fn(|_| Cell::new(0)));
//! let gpio = Gpio::new(&block, Timer(Cell::new(0)));
//! let led = Pin::new(47)?;
//! gpio.set_function(led, Function::Output);
//! gpio.set_pull(led, Pull::Off);
//! gpio.set_high(led);
//! assert_eq!(gpio.function(led), Function::Output);
//! assert_eq!(block.read(0x20), 1 << 15); // GPSET1, as last written
//! # Ok::<(), bcm2835::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "testing"))]
extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod clock_manager;
mod error;
pub mod gpio;
pub mod i2c;
pub mod mini_uart;
pub mod pins;
pub mod pwm;
mod register;
pub mod spi;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;

pub use error::{Error, Operation};

/// Where the ARM sees the peripherals on the BCM2835 (bus address `0x7e00_0000`).
pub const PERIPHERAL_BASE: usize = 0x2000_0000;

/// The VPU ("core") clock that feeds the I2C, SPI and mini UART dividers on a Pi 1 / Zero whose
/// `config.txt` leaves `core_freq` at its default.
pub const DEFAULT_CORE_CLOCK_HZ: u32 = 250_000_000;

/// One peripheral's register block: 32-bit accesses at byte offsets from its base.
///
/// The kernel implements this once with volatile MMIO (`base + offset`); the tests implement it
/// with `testing::RecordingBus` (the `testing` feature).
pub trait Registers {
    /// Reads the 32-bit register at `offset` bytes from the block's base.
    fn read(&self, offset: usize) -> u32;
    /// Writes `value` to the 32-bit register at `offset` bytes from the block's base.
    fn write(&self, offset: usize, value: u32);
}

impl<T: Registers + ?Sized> Registers for &T {
    fn read(&self, offset: usize) -> u32 {
        (**self).read(offset)
    }

    fn write(&self, offset: usize, value: u32) {
        (**self).write(offset, value);
    }
}

/// Time for the waits the datasheet requires and for polling limits.
///
/// Timeouts are measured with [`Clock::now_micros`], so a fake clock makes them testable and
/// instant.
pub trait Clock {
    /// Microseconds since an arbitrary fixed point, never going backwards.
    fn now_micros(&self) -> u64;

    /// Waits at least `cycles` cycles of the peripheral clock (the datasheet's "wait 150 cycles").
    ///
    /// The default assumes a clock of at least 100 MHz and waits until [`Clock::now_micros`]
    /// has advanced by `cycles / 100` rounded up, plus one microsecond for the counter's
    /// granularity (150 cycles: 3 µs). A kernel with a calibrated spin loop may override it.
    fn delay_cycles(&self, cycles: u32) {
        let wait = u64::from(cycles.div_ceil(100)) + 1;
        let start = self.now_micros();
        while self.now_micros().wrapping_sub(start) < wait {}
    }
}

impl<T: Clock + ?Sized> Clock for &T {
    fn now_micros(&self) -> u64 {
        (**self).now_micros()
    }

    fn delay_cycles(&self, cycles: u32) {
        (**self).delay_cycles(cycles);
    }
}
