//! Storage below the PiPyOS VFS: a [`BlockDevice`] trait (the SD host controllers implement it),
//! MBR partition tables, and FAT volumes through the `fatfs` crate as `vfscore` file systems.
//!
//! Everything here is pure and host-tested: the kernel supplies a block device; tests use
//! [`MemoryDevice`]. A corrupt volume gives [`vfscore::Error::Io`], never a hang or a panic:
//! every file-system call has a budget of block-stream reads, so a cluster-chain loop ends.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod block;
pub mod mbr;
mod stream;
mod volume;

pub use block::{check_range, BlockDevice, BlockError, MemoryDevice, SharedDevice, BLOCK_SIZE};
pub use stream::BlockStream;
pub use volume::{set_clock, FatVolume};
