//! BCM2835 ARM interrupt controller: enable/disable and pending registers for the 64 GPU IRQs.
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_structs,
    registers::{ReadOnly, ReadWrite, WriteOnly},
};

use super::Mmio;

register_structs! {
    /// Interrupt controller registers (BCM2835 ARM Peripherals, chapter 7), from base + 0x200.
    pub RegisterBlock {
        (0x00 => irq_basic_pending: ReadOnly<u32>),
        /// Pending GPU IRQs 0..31 and 32..63.
        (0x04 => irq_pending: [ReadOnly<u32>; 2]),
        (0x0c => fiq_control: ReadWrite<u32>),
        /// Write 1 to enable GPU IRQs 0..31 and 32..63.
        (0x10 => enable_irqs: [WriteOnly<u32>; 2]),
        (0x18 => enable_basic_irqs: WriteOnly<u32>),
        /// Write 1 to disable GPU IRQs 0..31 and 32..63.
        (0x1c => disable_irqs: [WriteOnly<u32>; 2]),
        (0x24 => disable_basic_irqs: WriteOnly<u32>),
        (0x28 => @END),
    }
}

/// The interrupt controller.
pub struct InterruptController {
    registers: Mmio<RegisterBlock>,
}

impl InterruptController {
    /// Creates the driver for the controller at `base` (the address of IRQ basic pending).
    ///
    /// # Safety
    /// `base` must be the interrupt controller's register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Disables every interrupt source and FIQ routing.
    pub fn disable_all(&self) {
        self.registers.fiq_control.set(0);
        self.registers.disable_irqs[0].set(u32::MAX);
        self.registers.disable_irqs[1].set(u32::MAX);
        self.registers.disable_basic_irqs.set(u32::MAX);
    }

    /// Enables interrupt `source`: GPU sources 0..=63, ARM sources 64..=71.
    pub fn enable_source(&self, source: u32) {
        match source {
            0..=63 => self.registers.enable_irqs[(source / 32) as usize].set(1 << (source % 32)),
            64..=71 => self.registers.enable_basic_irqs.set(1 << (source - 64)),
            _ => {}
        }
    }

    /// Disables interrupt `source` (numbered as for [`Self::enable_source`]).
    pub fn disable_source(&self, source: u32) {
        match source {
            0..=63 => self.registers.disable_irqs[(source / 32) as usize].set(1 << (source % 32)),
            64..=71 => self.registers.disable_basic_irqs.set(1 << (source - 64)),
            _ => {}
        }
    }

    /// Routes `source` (numbered as for [`Self::enable_source`]) to the FIQ: FIQ control
    /// register, bits 0..=6 the source, bit 7 enable.
    pub fn select_fiq(&self, source: u32) {
        self.registers.fiq_control.set((source & 0x7f) | (1 << 7));
    }

    /// The pending sources as three words: GPU 0..31, GPU 32..63, ARM 0..7 (basic bits 0..7).
    pub fn pending(&self) -> [u32; 3] {
        [
            self.registers.irq_pending[0].get(),
            self.registers.irq_pending[1].get(),
            self.registers.irq_basic_pending.get() & 0xff,
        ]
    }
}
