//! GPIO: the `bcm2835` crate's GPIO driver (host-tested register sequences) over MMIO.
//!
//! Function select and pull control read-modify-write shared registers and are only used from
//! the Python context; set, clear and level are single-register accesses (GPSETn/GPCLRn take a
//! bit mask), so the real-time tasks may drive pins from the FIQ at the same time.
pub use bcm2835::gpio::{Function, Pin};

use super::MmioBus;

/// The GPIO controller of this kernel: MMIO bus, system-timer delays.
pub type Gpio = bcm2835::gpio::Gpio<MmioBus, super::DelayClock>;
