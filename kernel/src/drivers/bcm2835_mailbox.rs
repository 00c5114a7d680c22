//! VideoCore mailbox, property channel: asks the GPU firmware for board facts.
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_bitfields, register_structs,
    registers::{ReadOnly, WriteOnly},
};

use super::Mmio;

register_bitfields! {u32,
    /// Mailbox status register.
    STATUS [
        /// No room to write.
        FULL OFFSET(31) NUMBITS(1) [],
        /// Nothing to read.
        EMPTY OFFSET(30) NUMBITS(1) []
    ]
}

register_structs! {
    /// Mailbox 0 (GPU → ARM) read side and mailbox 1 (ARM → GPU) write side.
    pub RegisterBlock {
        (0x00 => read: ReadOnly<u32>),
        (0x04 => _reserved0),
        (0x18 => status: ReadOnly<u32, STATUS::Register>),
        (0x1c => _reserved1),
        (0x20 => write: WriteOnly<u32>),
        (0x24 => _reserved2),
        (0x38 => write_status: ReadOnly<u32, STATUS::Register>),
        (0x3c => @END),
    }
}

/// The property-tags channel (ARM → VideoCore).
const PROPERTY_CHANNEL: u32 = 8;
/// Buffer "request" code, and the firmware's "success" response code.
const REQUEST: u32 = 0;
const RESPONSE_SUCCESS: u32 = 0x8000_0000;
/// The GPU sees ARM RAM through its L2-cached bus alias at 0x4000_0000 (BCM2835 §1.2.4).
const BUS_ALIAS: u32 = 0x4000_0000;

/// Property tags used by the kernel (firmware "Mailbox property interface").
pub mod tag {
    /// Firmware revision.
    pub const FIRMWARE_REVISION: u32 = 0x0000_0001;
    /// Board revision code.
    pub const BOARD_REVISION: u32 = 0x0001_0002;
    /// Board serial number (two words).
    pub const BOARD_SERIAL: u32 = 0x0001_0004;
    /// ARM memory: base and size.
    pub const ARM_MEMORY: u32 = 0x0001_0005;
    /// VideoCore memory: base and size.
    pub const VIDEOCORE_MEMORY: u32 = 0x0001_0006;
    /// Clock rate in Hz of a clock id.
    pub const CLOCK_RATE: u32 = 0x0003_0002;
}

/// Clock ids for [`tag::CLOCK_RATE`].
pub mod clock {
    /// The PL011's reference clock.
    pub const UART: u32 = 2;
    /// The ARM core.
    pub const ARM: u32 = 3;
    /// The VideoCore core clock.
    pub const CORE: u32 = 4;
}

/// Why a property call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxError {
    /// The firmware answered with something other than success.
    Rejected(u32),
    /// The tag was not answered.
    TagNotAnswered(u32),
}

/// A 16-byte aligned message buffer (the low 4 bits of the address carry the channel).
#[repr(C, align(16))]
struct Message([u32; 16]);

/// The mailbox.
pub struct Mailbox {
    registers: Mmio<RegisterBlock>,
}

impl Mailbox {
    /// Creates the driver for the mailbox at `base`.
    ///
    /// # Safety
    /// `base` must be the mailbox register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Sends one property tag with `request` words (up to 8) and returns its response words.
    ///
    /// Must be called with the data cache off, or with the buffer cleaned/invalidated around the
    /// call: the kernel queries the firmware at boot, before the MMU is on.
    pub fn property(
        &self,
        tag: u32,
        request: &[u32],
        response_words: usize,
    ) -> Result<[u32; 8], MailboxError> {
        let value_words = request.len().max(response_words).min(8);
        let mut message = Message([0; 16]);
        let words = &mut message.0;
        words[0] = ((6 + value_words) * 4) as u32; // total size in bytes
        words[1] = REQUEST;
        words[2] = tag;
        words[3] = (value_words * 4) as u32; // value buffer size
        words[4] = 0; // request indicator
        words[5..5 + request.len()].copy_from_slice(request);
        words[5 + value_words] = 0; // end tag
        let address = &raw mut message as usize as u32;
        crate::arch::arm::mmu::clean_data_cache_range(address as usize, size_of::<Message>());
        while self.registers.write_status.is_set(STATUS::FULL) {}
        crate::arch::arm::cpu::data_memory_barrier();
        self.registers
            .write
            .set((address | BUS_ALIAS) | PROPERTY_CHANNEL);
        loop {
            while self.registers.status.is_set(STATUS::EMPTY) {}
            let reply = self.registers.read.get();
            if reply & 0xf == PROPERTY_CHANNEL {
                break;
            }
        }
        crate::arch::arm::cpu::data_memory_barrier();
        crate::arch::arm::mmu::invalidate_data_cache_range(address as usize, size_of::<Message>());
        // SAFETY: the firmware wrote the buffer in place; read it back volatile so the compiler
        // does not reuse the values it stored before the call.
        let words = unsafe { core::ptr::read_volatile(&raw const message) }.0;
        if words[1] != RESPONSE_SUCCESS {
            return Err(MailboxError::Rejected(words[1]));
        }
        if words[4] & RESPONSE_SUCCESS == 0 {
            return Err(MailboxError::TagNotAnswered(tag));
        }
        let mut values = [0u32; 8];
        values[..value_words].copy_from_slice(&words[5..5 + value_words]);
        Ok(values)
    }
}
