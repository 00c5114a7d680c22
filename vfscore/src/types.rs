//! The plain data of the VFS: file kinds, metadata, directory entries, open options, seeks.
use alloc::string::String;

use crate::Error;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
}

/// The `st_mode` type bits of a regular file (`S_IFREG`).
pub const MODE_TYPE_FILE: u32 = 0o100_000;
/// The `st_mode` type bits of a directory (`S_IFDIR`).
pub const MODE_TYPE_DIRECTORY: u32 = 0o040_000;
/// The permission bits (and set-id/sticky bits) of a mode: everything but the type bits.
pub const MODE_PERMISSION_MASK: u32 = 0o7777;

impl FileKind {
    /// The `st_mode` type bits of this kind (`S_IFREG` or `S_IFDIR`).
    pub const fn mode_type_bits(self) -> u32 {
        match self {
            FileKind::File => MODE_TYPE_FILE,
            FileKind::Directory => MODE_TYPE_DIRECTORY,
        }
    }
}

/// The facts `stat` reports about a file or directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// File or directory.
    pub kind: FileKind,
    /// Size in bytes (0 for directories unless the file system says otherwise).
    pub size: u64,
    /// Permission bits only (e.g. `0o644`); see [`Metadata::st_mode`] for the full `st_mode`.
    pub mode: u32,
    /// Last modification time, seconds since the Unix epoch.
    pub modified: i64,
    /// Inode number, unique within one file system.
    pub inode: u64,
    /// Device number: which mounted file system this is (`st_dev`). File systems report 0;
    /// [`crate::Namespace`] fills in the number it gave the mount (1, 2, …), so that
    /// (`device`, `inode`) is unique across the whole namespace.
    pub device: u64,
}

impl Metadata {
    /// The `st_mode` value: type bits ([`FileKind::mode_type_bits`]) plus permission bits.
    pub const fn st_mode(&self) -> u32 {
        self.kind.mode_type_bits() | (self.mode & MODE_PERMISSION_MASK)
    }

    /// True for a directory.
    pub fn is_directory(&self) -> bool {
        self.kind == FileKind::Directory
    }

    /// True for a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == FileKind::File
    }
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name (one path component, never "." or "..").
    pub name: String,
    /// File or directory.
    pub kind: FileKind,
    /// The entry's inode number, as [`Metadata::inode`] of the same object.
    pub inode: u64,
}

/// File-system wide numbers, as Python's `os.statvfs` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatVfs {
    /// Preferred block size in bytes (`f_bsize`).
    pub block_size: u64,
    /// The unit of the block counts, in bytes (`f_frsize`).
    pub fragment_size: u64,
    /// Size of the file system, in `fragment_size` units (`f_blocks`).
    pub blocks: u64,
    /// Free units (`f_bfree`).
    pub blocks_free: u64,
    /// Free units available to unprivileged users (`f_bavail`).
    pub blocks_available: u64,
    /// Total number of inodes (`f_files`).
    pub files: u64,
    /// Free inodes (`f_ffree`, also used for `f_favail`).
    pub files_free: u64,
    /// Longest file name, in bytes (`f_namemax`).
    pub name_max: u64,
    /// True if the file system refuses changes (`ST_RDONLY` in `f_flag`). File systems may
    /// leave it false; [`crate::Namespace::statvfs_at`] sets it from
    /// [`crate::FileSystem::is_read_only`].
    pub read_only: bool,
}

/// `open(2)` flag: open for reading only (the access mode 0).
pub const O_RDONLY: i32 = 0;
/// `open(2)` flag: open for writing only.
pub const O_WRONLY: i32 = 1;
/// `open(2)` flag: open for reading and writing.
pub const O_RDWR: i32 = 2;
/// The bits of the access mode (`O_RDONLY`, `O_WRONLY`, `O_RDWR`).
pub const O_ACCMODE: i32 = 3;
/// `open(2)` flag: create the file if it does not exist.
pub const O_CREAT: i32 = 0o100;
/// `open(2)` flag: with `O_CREAT`, fail if the file exists.
pub const O_EXCL: i32 = 0o200;
/// `open(2)` flag: truncate an existing regular file to length 0.
pub const O_TRUNC: i32 = 0o1000;
/// `open(2)` flag: every write goes to the end of the file.
pub const O_APPEND: i32 = 0o2000;
/// `open(2)` flag: fail unless the path is a directory.
pub const O_DIRECTORY: i32 = 0o200_000;

/// How to open a file: the access mode and the creation flags of `open(2)`.
///
/// The meaning follows POSIX `open(2)` as Linux implements it:
/// - `read` / `write`: the access mode; at least one must be set, or opening fails with
///   [`Error::InvalidArgument`]. A handle refuses the access it was not opened for with
///   [`Error::BadDescriptor`].
/// - `append`: every write first moves to the end of the file (reads still use the position).
///   It does not imply `write`.
/// - `create`: create a missing regular file (its parent must exist).
/// - `create_new`: create, and fail with [`Error::AlreadyExists`] if the path exists (even as a
///   directory); it implies `create`.
/// - `truncate`: cut an existing regular file to length 0 (as on Linux, also when only `read`
///   is set).
/// - `directory`: the path must be a directory (`O_DIRECTORY`); a file gives
///   [`Error::NotADirectory`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
    /// Every write goes to the end of the file (`O_APPEND`).
    pub append: bool,
    /// Create the file if it is missing (`O_CREAT`).
    pub create: bool,
    /// Create the file, failing if it exists (`O_CREAT | O_EXCL`).
    pub create_new: bool,
    /// Truncate an existing file to length 0 (`O_TRUNC`).
    pub truncate: bool,
    /// The path must be a directory (`O_DIRECTORY`).
    pub directory: bool,
}

impl OpenOptions {
    /// Read only, nothing else: `O_RDONLY`, Python's `"r"`.
    pub const fn read_only() -> OpenOptions {
        OpenOptions {
            read: true,
            write: false,
            append: false,
            create: false,
            create_new: false,
            truncate: false,
            directory: false,
        }
    }

    /// From POSIX `open(2)` flags. The access mode 3 (both `O_WRONLY` and `O_RDWR`) is
    /// [`Error::InvalidArgument`]; `O_EXCL` without `O_CREAT` is ignored, as are flags this
    /// crate has no use for (`O_CLOEXEC`, `O_NONBLOCK`, …).
    pub fn from_flags(flags: i32) -> Result<OpenOptions, Error> {
        let (read, write) = match flags & O_ACCMODE {
            O_RDONLY => (true, false),
            O_WRONLY => (false, true),
            O_RDWR => (true, true),
            _ => return Err(Error::InvalidArgument),
        };
        let create = flags & O_CREAT != 0;
        Ok(OpenOptions {
            read,
            write,
            append: flags & O_APPEND != 0,
            create,
            create_new: create && flags & O_EXCL != 0,
            truncate: flags & O_TRUNC != 0,
            directory: flags & O_DIRECTORY != 0,
        })
    }

    /// The `open(2)` flags equivalent to these options (the inverse of
    /// [`OpenOptions::from_flags`]; options with neither `read` nor `write` give `O_RDONLY`).
    pub fn to_flags(&self) -> i32 {
        let mut flags = match (self.read, self.write) {
            (_, false) => O_RDONLY,
            (false, true) => O_WRONLY,
            (true, true) => O_RDWR,
        };
        if self.append {
            flags |= O_APPEND;
        }
        if self.create || self.create_new {
            flags |= O_CREAT;
        }
        if self.create_new {
            flags |= O_EXCL;
        }
        if self.truncate {
            flags |= O_TRUNC;
        }
        if self.directory {
            flags |= O_DIRECTORY;
        }
        flags
    }

    /// From a Python `open()` mode string: exactly one of `r` (read), `w` (write, create,
    /// truncate), `a` (write, append, create), `x` (write, create new), optionally `+` (read
    /// and write) and `b` or `t` (ignored here: text or binary is Python's business). Any other
    /// character, a repeated one, both `b` and `t`, or no `r`/`w`/`a`/`x` is
    /// [`Error::InvalidArgument`].
    pub fn from_mode(mode: &str) -> Result<OpenOptions, Error> {
        let mut primary = None;
        let mut plus = false;
        let mut binary = false;
        let mut text = false;
        for character in mode.chars() {
            let flag = match character {
                'r' | 'w' | 'a' | 'x' => {
                    if primary.is_some() {
                        return Err(Error::InvalidArgument);
                    }
                    primary = Some(character);
                    continue;
                }
                '+' => &mut plus,
                'b' => &mut binary,
                't' => &mut text,
                _ => return Err(Error::InvalidArgument),
            };
            if *flag {
                return Err(Error::InvalidArgument);
            }
            *flag = true;
        }
        if binary && text {
            return Err(Error::InvalidArgument);
        }
        let mut options = OpenOptions::default();
        match primary {
            Some('r') => options.read = true,
            Some('w') => {
                options.write = true;
                options.create = true;
                options.truncate = true;
            }
            Some('a') => {
                options.write = true;
                options.append = true;
                options.create = true;
            }
            Some('x') => {
                options.write = true;
                options.create = true;
                options.create_new = true;
            }
            _ => return Err(Error::InvalidArgument),
        }
        if plus {
            options.read = true;
            options.write = true;
        }
        Ok(options)
    }

    /// True if opening with these options may change the file system: writing, creating or
    /// truncating. A read-only file system refuses such an open with [`Error::ReadOnly`].
    pub fn wants_change(&self) -> bool {
        self.write || self.create || self.create_new || self.truncate
    }

    /// True if these options ask for a plain read: no write, create or truncate. Only such an
    /// open may name a directory.
    pub fn is_plain_read(&self) -> bool {
        self.read && !self.wants_change()
    }
}

/// `lseek` whence: from the start of the file.
pub const SEEK_SET: i32 = 0;
/// `lseek` whence: from the current position.
pub const SEEK_CUR: i32 = 1;
/// `lseek` whence: from the end of the file.
pub const SEEK_END: i32 = 2;

/// Where a seek moves the position to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekFrom {
    /// This many bytes from the start.
    Start(u64),
    /// This many bytes from the end (negative moves back).
    End(i64),
    /// This many bytes from the current position (negative moves back).
    Current(i64),
}

impl SeekFrom {
    /// From `lseek(fd, offset, whence)` arguments: `SEEK_SET` with a negative offset or an
    /// unknown `whence` is [`Error::InvalidArgument`].
    pub fn from_whence(offset: i64, whence: i32) -> Result<SeekFrom, Error> {
        match whence {
            SEEK_SET => u64::try_from(offset)
                .map(SeekFrom::Start)
                .map_err(|_| Error::InvalidArgument),
            SEEK_CUR => Ok(SeekFrom::Current(offset)),
            SEEK_END => Ok(SeekFrom::End(offset)),
            _ => Err(Error::InvalidArgument),
        }
    }

    /// The new position for a file of `size` bytes whose position is `current`. A result
    /// below 0 or above `i64::MAX` (so that it still fits `lseek`'s return value) is
    /// [`Error::InvalidArgument`].
    pub fn resolve(self, current: u64, size: u64) -> Result<u64, Error> {
        let target = match self {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(offset) => size.checked_add_signed(offset),
            SeekFrom::Current(offset) => current.checked_add_signed(offset),
        };
        match target {
            Some(position) if i64::try_from(position).is_ok() => Ok(position),
            _ => Err(Error::InvalidArgument),
        }
    }
}
