//! BCM2835 hardware random number generator.
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_structs,
    registers::{ReadOnly, ReadWrite},
};

use super::{interface::EntropySource, Mmio};

register_structs! {
    /// RNG registers (not in the public datasheet; offsets as used by every BCM2835 driver).
    pub RegisterBlock {
        (0x00 => control: ReadWrite<u32>),
        /// Bits 31..24: number of words available; bits 19..0: warm-up count.
        (0x04 => status: ReadWrite<u32>),
        (0x08 => data: ReadOnly<u32>),
        (0x0c => fifo_threshold: ReadWrite<u32>),
        (0x10 => @END),
    }
}

/// Generator words discarded after enabling ("warm-up count").
const WARM_UP_COUNT: u32 = 0x4_0000;

/// The hardware RNG.
pub struct HardwareRng {
    registers: Mmio<RegisterBlock>,
}

impl HardwareRng {
    /// Creates the driver for the RNG at `base`.
    ///
    /// # Safety
    /// `base` must be the RNG's register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Starts the generator. Its interrupt (register 0x10) is left alone: the interrupt
    /// controller never routes it, and QEMU's model has no register there.
    pub fn init(&self) {
        let registers = &self.registers;
        registers.status.set(WARM_UP_COUNT);
        registers.control.set(registers.control.get() | 1);
    }

    fn next_word(&self) -> u32 {
        while self.registers.status.get() >> 24 == 0 {}
        self.registers.data.get()
    }
}

impl EntropySource for HardwareRng {
    fn fill(&self, buffer: &mut [u8]) {
        for chunk in buffer.chunks_mut(4) {
            let word = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}
