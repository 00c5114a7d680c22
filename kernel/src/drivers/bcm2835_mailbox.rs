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
const BUS_ALIAS: u32 = crate::bsp::rpi1::memory::RAM_BUS_ALIAS;

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
    /// Set a device's power state: (device id, bit 0 on, bit 1 wait) → (device id, state).
    pub const SET_POWER_STATE: u32 = 0x0002_8001;
    /// Clock rate in Hz of a clock id.
    pub const CLOCK_RATE: u32 = 0x0003_0002;
    /// Framebuffer: allocate (alignment in; bus address and size out).
    pub const ALLOCATE_BUFFER: u32 = 0x0004_0001;
    /// Framebuffer: current display size in pixels.
    pub const GET_PHYSICAL_SIZE: u32 = 0x0004_0003;
    /// Framebuffer: current bits per pixel.
    pub const GET_DEPTH: u32 = 0x0004_0005;
    /// Framebuffer: bytes per row.
    pub const GET_PITCH: u32 = 0x0004_0008;
    /// Framebuffer: display size in pixels.
    pub const SET_PHYSICAL_SIZE: u32 = 0x0004_8003;
    /// Framebuffer: buffer size in pixels.
    pub const SET_VIRTUAL_SIZE: u32 = 0x0004_8004;
    /// Framebuffer: bits per pixel.
    pub const SET_DEPTH: u32 = 0x0004_8005;
    /// Framebuffer: pixel order (0 BGR, 1 RGB).
    pub const SET_PIXEL_ORDER: u32 = 0x0004_8006;
    /// Framebuffer: virtual offset (panning).
    pub const SET_VIRTUAL_OFFSET: u32 = 0x0004_8009;
}

/// Clock ids for [`tag::CLOCK_RATE`].
pub mod clock {
    /// The EMMC (SD host) controller's base clock.
    pub const EMMC: u32 = 1;
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

/// Words in a property message (header, tags and end tag).
const MESSAGE_WORDS: usize = 64;

/// A 16-byte aligned message buffer (the low 4 bits of the address carry the channel).
#[repr(C, align(16))]
struct Message([u32; MESSAGE_WORDS]);

/// A property message of several tags, sent in one mailbox call (the firmware applies the
/// framebuffer tags together).
pub struct PropertyMessage {
    message: Message,
    /// Next free word (after the 2 header words).
    length: usize,
    /// (tag, index of its first value word, value words) for each tag added.
    tags: [(u32, usize, usize); 12],
    tag_count: usize,
}

/// A tag added to a [`PropertyMessage`]: where to find its answer.
#[derive(Clone, Copy, Debug)]
pub struct TagHandle(usize);

impl Default for PropertyMessage {
    fn default() -> Self {
        Self::new()
    }
}

impl PropertyMessage {
    /// An empty message.
    pub const fn new() -> Self {
        Self {
            message: Message([0; MESSAGE_WORDS]),
            length: 2,
            tags: [(0, 0, 0); 12],
            tag_count: 0,
        }
    }

    /// Adds `tag` with `request` words and room for `response_words` answer words; `None` if
    /// the message is full.
    pub fn add(&mut self, tag: u32, request: &[u32], response_words: usize) -> Option<TagHandle> {
        let value_words = request.len().max(response_words);
        // Tag header (3 words), values, and the end tag after them.
        if self.tag_count == self.tags.len() || self.length + 3 + value_words + 1 > MESSAGE_WORDS {
            return None;
        }
        let words = &mut self.message.0;
        words[self.length] = tag;
        words[self.length + 1] = (value_words * 4) as u32; // value buffer size
        words[self.length + 2] = 0; // request indicator
        let values = self.length + 3;
        words[values..values + value_words].fill(0);
        words[values..values + request.len()].copy_from_slice(request);
        self.tags[self.tag_count] = (tag, values, value_words);
        self.tag_count += 1;
        self.length = values + value_words;
        Some(TagHandle(self.tag_count - 1))
    }

    /// The firmware's answer words to a tag (after [`Mailbox::send`]), if it answered it.
    pub fn response(&self, handle: TagHandle) -> Result<&[u32], MailboxError> {
        let (tag, values, value_words) = self.tags[handle.0];
        let indicator = self.message.0[values - 1];
        if indicator & RESPONSE_SUCCESS == 0 {
            return Err(MailboxError::TagNotAnswered(tag));
        }
        // The firmware says how many bytes it wrote; never more than the buffer.
        let answered = ((indicator & !RESPONSE_SUCCESS) as usize).div_ceil(4);
        Ok(&self.message.0[values..values + value_words.min(answered)])
    }
}

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
    pub fn property(
        &self,
        tag: u32,
        request: &[u32],
        response_words: usize,
    ) -> Result<[u32; 8], MailboxError> {
        let mut message = PropertyMessage::new();
        let request = &request[..request.len().min(8)];
        let handle = message
            .add(tag, request, response_words.min(8))
            .ok_or(MailboxError::TagNotAnswered(tag))?;
        self.send(&mut message)?;
        let answer = message.response(handle)?;
        let mut values = [0u32; 8];
        let count = answer.len().min(8);
        values[..count].copy_from_slice(&answer[..count]);
        Ok(values)
    }

    /// Sends a message of several tags and waits for the answer; checks the message's status
    /// (each tag's is checked by [`PropertyMessage::response`]).
    ///
    /// Works with the data cache on or off: the buffer is cleaned before and invalidated after.
    pub fn send(&self, message: &mut PropertyMessage) -> Result<(), MailboxError> {
        let length = message.length;
        let words = &mut message.message.0;
        words[length] = 0; // end tag
        words[0] = ((length + 1) * 4) as u32; // total size in bytes
        words[1] = REQUEST;
        let address = &raw mut message.message as usize as u32;
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
        message.message = unsafe { core::ptr::read_volatile(&raw const message.message) };
        match message.message.0[1] {
            RESPONSE_SUCCESS => Ok(()),
            code => Err(MailboxError::Rejected(code)),
        }
    }
}
