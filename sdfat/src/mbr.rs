//! The MBR partition table: four primary entries in block 0.
use crate::BLOCK_SIZE;

/// One primary partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Its slot, 1 to 4 (Linux's `mmcblk0p1` numbering).
    pub number: u8,
    /// The partition type byte (0x0b/0x0c FAT32, 0x06/0x0e FAT16, 0x01 FAT12, ...).
    pub kind: u8,
    /// First block.
    pub first_block: u64,
    /// Length in blocks.
    pub block_count: u64,
}

impl Partition {
    /// True for the FAT partition types.
    pub fn is_fat(&self) -> bool {
        matches!(self.kind, 0x01 | 0x04 | 0x06 | 0x0b | 0x0c | 0x0e)
    }
}

/// Why block 0 is not a usable partition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MbrError {
    /// Fewer than 512 bytes.
    Short,
    /// No 0x55 0xAA boot signature.
    NoSignature,
    /// An entry runs past the end of the device (its number).
    PastTheEnd(u8),
    /// Two entries overlap (their numbers).
    Overlap(u8, u8),
}

impl core::fmt::Display for MbrError {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MbrError::Short => formatter.write_str("block 0 is short"),
            MbrError::NoSignature => formatter.write_str("no MBR signature in block 0"),
            MbrError::PastTheEnd(number) => {
                write!(
                    formatter,
                    "partition {number} runs past the end of the card"
                )
            }
            MbrError::Overlap(first, second) => {
                write!(formatter, "partitions {first} and {second} overlap")
            }
        }
    }
}

/// The used entries of the partition table in `block0`, checked against a device of
/// `device_blocks` blocks.
pub fn parse(block0: &[u8], device_blocks: u64) -> Result<Vec<Partition>, MbrError> {
    if block0.len() < BLOCK_SIZE {
        return Err(MbrError::Short);
    }
    if block0[510] != 0x55 || block0[511] != 0xAA {
        return Err(MbrError::NoSignature);
    }
    let word = |at: usize| {
        u64::from(u32::from_le_bytes([
            block0[at],
            block0[at + 1],
            block0[at + 2],
            block0[at + 3],
        ]))
    };
    let mut partitions: Vec<Partition> = Vec::new();
    for slot in 0..4u8 {
        let entry = 446 + usize::from(slot) * 16;
        let kind = block0[entry + 4];
        let (first_block, block_count) = (word(entry + 8), word(entry + 12));
        if kind == 0 || block_count == 0 {
            continue;
        }
        let number = slot + 1;
        if first_block + block_count > device_blocks || first_block == 0 {
            return Err(MbrError::PastTheEnd(number));
        }
        for other in &partitions {
            if first_block < other.first_block + other.block_count
                && other.first_block < first_block + block_count
            {
                return Err(MbrError::Overlap(other.number, number));
            }
        }
        partitions.push(Partition {
            number,
            kind,
            first_block,
            block_count,
        });
    }
    Ok(partitions)
}
