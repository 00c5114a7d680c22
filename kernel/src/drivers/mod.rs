//! Device drivers for the BCM2835 peripherals, one device per file, and their small interfaces.
pub mod bcm2835_emmc;
pub mod bcm2835_gpio;
pub mod bcm2835_irq;
pub mod bcm2835_mailbox;
pub mod bcm2835_rng;
pub mod bcm2835_timer;
pub mod bcm2835_uart;
pub mod bcm2835_usb;
pub mod bcm2835_watchdog;
mod mmio;

pub use mmio::{Mmio, MmioBus};

/// The clock the `bcm2835` crate's drivers wait with: the system timer's free-running counter.
pub struct DelayClock;

impl bcm2835::Clock for DelayClock {
    fn now_micros(&self) -> u64 {
        crate::time::now_micros()
    }
}

/// Interfaces that the rest of the kernel uses, so that a board can swap the device behind them.
pub mod interface {
    /// A byte-oriented serial port.
    pub trait SerialPort {
        /// Sends one byte, waiting for room in the transmitter.
        fn write_byte(&self, byte: u8);
        /// Waits until every queued byte has left the transmitter.
        fn flush(&self);
    }

    /// A free-running monotonic clock.
    pub trait Clock {
        /// Microseconds since an arbitrary fixed point (boot), never going backwards.
        fn now_micros(&self) -> u64;
    }

    /// A source of random bytes from hardware.
    pub trait EntropySource {
        /// Fills `buffer` with random bytes.
        fn fill(&self, buffer: &mut [u8]);
    }
}
