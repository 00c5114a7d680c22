//! File-system traits, mount table, path handling and RAM file system for the PiPyOS VFS.
//!
//! The kernel's `sys_open`/`sys_read`/… calls reach file systems through this crate:
//! - [`FileSystem`] and [`OpenFile`], the object-safe traits every file system implements;
//! - [`path`], normalisation of user paths against a current directory;
//! - [`MountTable`], longest-prefix mount resolution and the view directories it implies;
//! - [`Namespace`], a [`MountTable`] of `Box<dyn FileSystem>` presented as one file system;
//! - [`RamFs`], a writable in-memory file system with a byte limit;
//! - [`StaticFile`], a zero-copy read-only handle over `'static` bytes (for the initfs).
//!
//! Errors are one [`Error`] enum that maps to Linux errno values.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod error;
mod file_system;
mod mount;
mod namespace;
pub mod path;
mod ramfs;
mod static_file;
mod types;

pub use error::{Error, ALL_ERRORS};
pub use file_system::{FileSystem, OpenFile};
pub use mount::{MountTable, Resolution};
pub use namespace::{Namespace, Opened};
pub use ramfs::{
    RamFs, RAMFS_BLOCK_SIZE, RAMFS_DIRECTORY_MODE, RAMFS_FILE_MODE, RAMFS_NODE_COST,
    RAMFS_ROOT_INODE,
};
pub use static_file::StaticFile;
pub use types::{
    DirEntry, FileKind, Metadata, OpenOptions, SeekFrom, StatVfs, MODE_PERMISSION_MASK,
    MODE_TYPE_DIRECTORY, MODE_TYPE_FILE, O_ACCMODE, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL,
    O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, SEEK_CUR, SEEK_END, SEEK_SET,
};
