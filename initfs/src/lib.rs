//! PiPyOS initfs: the read-only cpio archive holding the Python standard library and the app.
//!
//! The archive is a standard SVR4 cpio in the "newc with checksum" variant (magic `070702`),
//! so `cpio -itv < initfs.cpio` and `bsdtar -tf initfs.cpio` can list and unpack it. The
//! firmware or QEMU places the archive bytes at a fixed RAM address and the kernel parses
//! them in place with [`Archive::parse`]; file contents are served as zero-copy slices.
//!
//! Without the `std` feature (enabled by default) the crate is `no_std` + `alloc` and holds
//! only the reader. With `std` it also has the deterministic [`Packer`] and the
//! `pipyos-initfs` command-line tool.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! let mut packer = initfs::Packer::new();
//! packer.add_file("app/main.py", b"print('hi')\n".to_vec(), 0o644).unwrap();
//! let bytes = packer.finish().unwrap();
//!
//! let archive = initfs::Archive::parse(&bytes).unwrap();
//! let main = archive.lookup("/app/main.py").unwrap();
//! assert_eq!(main.data(), b"print('hi')\n");
//! main.verify().unwrap();
//! # }
//! ```
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod error;
mod format;
#[cfg(feature = "std")]
mod packer;
mod reader;

pub use error::{Error, PathProblem};
pub use format::{
    checksum, DEFAULT_MTIME, MAX_COMPONENT_LEN, MAX_PATH_LEN, MODE_DIRECTORY, MODE_FILE,
};
#[cfg(feature = "std")]
pub use packer::Packer;
pub use reader::{archive_len, Archive, Entry, EntryKind, ReadDir};
