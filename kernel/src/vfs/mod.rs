//! The virtual file system: resolves paths to the mounted file systems.
//!
//! Today one file system is mounted: the read-only initfs at `/`. Paths are absolute after
//! joining with the current directory; `.` and `..` are resolved lexically.
use std::sync::{Mutex, OnceLock};

use initfs::{Archive, EntryKind};

use crate::abi::hermit::errno;

/// A file system error, as a positive errno value.
pub type Errno = i32;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
}

/// The facts `stat` reports.
#[derive(Clone, Copy, Debug)]
pub struct Metadata {
    /// File or directory.
    pub kind: NodeKind,
    /// Permission bits and type bits, as in `st_mode`.
    pub mode: u32,
    /// Size in bytes.
    pub size: u64,
    /// Inode number.
    pub inode: u64,
    /// Modification time, seconds since the Unix epoch.
    pub modified: i64,
}

/// An opened file system object.
pub enum Node {
    /// A read-only file whose bytes are in memory (zero copy).
    StaticFile {
        /// The file's contents.
        data: &'static [u8],
        /// Its metadata.
        metadata: Metadata,
    },
    /// A directory, listed on open.
    Directory {
        /// Its entries: name, kind, inode.
        entries: Vec<(String, NodeKind, u64)>,
        /// Its metadata.
        metadata: Metadata,
    },
}

/// The mounted initfs, or the reason there is none.
static INITFS: OnceLock<Result<Archive<'static>, String>> = OnceLock::new();

/// The current working directory.
static CURRENT_DIRECTORY: Mutex<String> = Mutex::new(String::new());

/// Mounts the initfs (once): parses its index. Returns why it failed, if it did.
pub fn mount_initfs() -> Result<&'static Archive<'static>, &'static str> {
    INITFS
        .get_or_init(|| match crate::bsp::rpi1::initfs_bytes() {
            Ok(bytes) => Archive::parse(bytes).map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        })
        .as_ref()
        .map_err(String::as_str)
}

fn archive() -> Result<&'static Archive<'static>, Errno> {
    mount_initfs().map_err(|_| errno::ENOENT)
}

/// The current directory ("/" until changed).
pub fn current_directory() -> String {
    let current = CURRENT_DIRECTORY
        .lock()
        .map(|path| path.clone())
        .unwrap_or_default();
    if current.is_empty() {
        String::from("/")
    } else {
        current
    }
}

/// Changes the current directory.
pub fn change_directory(path: &str) -> Result<(), Errno> {
    let absolute = absolute_path(path)?;
    match metadata(&absolute)?.kind {
        NodeKind::Directory => {
            if let Ok(mut current) = CURRENT_DIRECTORY.lock() {
                *current = absolute;
            }
            Ok(())
        }
        NodeKind::File => Err(errno::ENOTDIR),
    }
}

/// Joins `path` with the current directory and resolves `.` and `..`.
pub fn absolute_path(path: &str) -> Result<String, Errno> {
    if path.is_empty() {
        return Err(errno::ENOENT);
    }
    if path.len() > 4096 {
        return Err(errno::ENAMETOOLONG);
    }
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{}/{}", current_directory(), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

fn metadata_of(entry: &initfs::Entry<'_>) -> Metadata {
    Metadata {
        kind: match entry.kind() {
            EntryKind::File => NodeKind::File,
            EntryKind::Directory => NodeKind::Directory,
        },
        mode: entry.mode(),
        size: u64::from(entry.size()),
        inode: u64::from(entry.inode()),
        modified: i64::from(entry.mtime()),
    }
}

fn root_metadata() -> Metadata {
    Metadata {
        kind: NodeKind::Directory,
        mode: 0o040_755,
        size: 0,
        inode: 1,
        modified: 0,
    }
}

/// The metadata of the object at absolute `path`.
pub fn metadata(path: &str) -> Result<Metadata, Errno> {
    let archive = archive()?;
    if path == "/" {
        return Ok(root_metadata());
    }
    archive
        .lookup(path)
        .map(|entry| metadata_of(&entry))
        .ok_or(errno::ENOENT)
}

/// Opens the object at absolute `path` for reading.
pub fn open(path: &str) -> Result<Node, Errno> {
    let archive = archive()?;
    let metadata = metadata(path)?;
    match metadata.kind {
        NodeKind::File => {
            let entry = archive.lookup(path).ok_or(errno::ENOENT)?;
            entry.verify().map_err(|_| errno::EIO)?;
            Ok(Node::StaticFile {
                data: entry.data(),
                metadata,
            })
        }
        NodeKind::Directory => {
            let entries = archive
                .read_dir(path)
                .ok_or(errno::ENOTDIR)?
                .map(|entry| {
                    let child = metadata_of(&entry);
                    (entry.name().to_owned(), child.kind, child.inode)
                })
                .collect();
            Ok(Node::Directory { entries, metadata })
        }
    }
}

/// Why a write-type operation fails at `path`: the initfs is read-only.
pub fn write_error(path: &str) -> Errno {
    match metadata(path) {
        Ok(_) | Err(errno::ENOENT) => errno::EROFS,
        Err(other) => other,
    }
}
