//! The block-device trait and an in-memory device.
use std::cell::RefCell;
use std::rc::Rc;

/// Bytes per block (SD cards address 512-byte blocks).
pub const BLOCK_SIZE: usize = 512;

/// Why a block transfer failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockError {
    /// No card answers.
    NoCard,
    /// The card or controller did not finish in time.
    Timeout,
    /// Data or a response arrived corrupted (CRC, end bit), after the retries.
    Crc,
    /// The blocks lie past the end of the device.
    OutOfRange,
    /// The card is write-protected.
    WriteProtected,
    /// Another controller or card error, named.
    Device(&'static str),
}

impl core::fmt::Display for BlockError {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BlockError::NoCard => formatter.write_str("no card"),
            BlockError::Timeout => formatter.write_str("timeout"),
            BlockError::Crc => formatter.write_str("CRC error"),
            BlockError::OutOfRange => formatter.write_str("block out of range"),
            BlockError::WriteProtected => formatter.write_str("write-protected"),
            BlockError::Device(what) => formatter.write_str(what),
        }
    }
}

/// A device of [`BLOCK_SIZE`]-byte blocks.
pub trait BlockDevice {
    /// Blocks on the device.
    fn block_count(&self) -> u64;
    /// Reads `buffer.len() / BLOCK_SIZE` blocks from block `first` (`buffer.len()` is a
    /// multiple of [`BLOCK_SIZE`]).
    fn read_blocks(&mut self, first: u64, buffer: &mut [u8]) -> Result<(), BlockError>;
    /// Writes `data.len() / BLOCK_SIZE` blocks from block `first`.
    fn write_blocks(&mut self, first: u64, data: &[u8]) -> Result<(), BlockError>;
    /// Waits until written blocks are stored.
    fn flush(&mut self) -> Result<(), BlockError> {
        Ok(())
    }
}

/// A device shared by the file systems on its partitions (one context uses them).
pub type SharedDevice = Rc<RefCell<dyn BlockDevice>>;

/// Checks a transfer of `bytes` from block `first` against a device of `count` blocks: whole
/// blocks, inside the device (for every [`BlockDevice`] implementation).
pub fn check_range(count: u64, first: u64, bytes: usize) -> Result<(), BlockError> {
    if !bytes.is_multiple_of(BLOCK_SIZE) {
        return Err(BlockError::Device("transfer is not whole blocks"));
    }
    let blocks = (bytes / BLOCK_SIZE) as u64;
    match first.checked_add(blocks) {
        Some(end) if end <= count => Ok(()),
        _ => Err(BlockError::OutOfRange),
    }
}

/// A block device in memory (tests, and images built on the host).
#[derive(Clone, Debug)]
pub struct MemoryDevice {
    /// The device's bytes (a whole number of blocks).
    pub bytes: Vec<u8>,
    /// When set, every write fails with [`BlockError::WriteProtected`].
    pub write_protected: bool,
}

impl MemoryDevice {
    /// A device over `bytes`, cut down to whole blocks.
    pub fn new(mut bytes: Vec<u8>) -> MemoryDevice {
        bytes.truncate(bytes.len() / BLOCK_SIZE * BLOCK_SIZE);
        MemoryDevice {
            bytes,
            write_protected: false,
        }
    }
}

impl BlockDevice for MemoryDevice {
    fn block_count(&self) -> u64 {
        (self.bytes.len() / BLOCK_SIZE) as u64
    }

    fn read_blocks(&mut self, first: u64, buffer: &mut [u8]) -> Result<(), BlockError> {
        check_range(self.block_count(), first, buffer.len())?;
        let start = first as usize * BLOCK_SIZE;
        buffer.copy_from_slice(&self.bytes[start..start + buffer.len()]);
        Ok(())
    }

    fn write_blocks(&mut self, first: u64, data: &[u8]) -> Result<(), BlockError> {
        if self.write_protected {
            return Err(BlockError::WriteProtected);
        }
        check_range(self.block_count(), first, data.len())?;
        let start = first as usize * BLOCK_SIZE;
        self.bytes[start..start + data.len()].copy_from_slice(data);
        Ok(())
    }
}
