//! The error type shared by the reader, the packer and the CLI.

use alloc::string::String;
use core::fmt;

#[cfg(feature = "std")]
use std::path::PathBuf;

/// Why a path is not acceptable as an archive path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathProblem {
    /// The path is empty (only the implicit root directory has the empty path).
    Empty,
    /// The stored path starts with `/`; archive paths are relative to the root.
    Absolute,
    /// The stored path ends with `/`.
    TrailingSlash,
    /// The path contains `//`.
    EmptyComponent,
    /// The path contains a `.` component.
    CurrentDirectory,
    /// The path contains a `..` component (path traversal).
    ParentDirectory,
    /// The path contains a NUL byte.
    Nul,
    /// The path is longer than [`MAX_PATH_LEN`](crate::MAX_PATH_LEN) bytes.
    TooLong,
    /// A component is longer than [`MAX_COMPONENT_LEN`](crate::MAX_COMPONENT_LEN) bytes.
    ComponentTooLong,
    /// The path is `TRAILER!!!`, the name that marks the end of a cpio archive.
    Reserved,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::Empty => "the path is empty",
            Self::Absolute => "absolute paths are not allowed (stored paths have no leading '/')",
            Self::TrailingSlash => "the path ends with '/'",
            Self::EmptyComponent => "empty path components ('//') are not allowed",
            Self::CurrentDirectory => "'.' components are not allowed",
            Self::ParentDirectory => "'..' components (path traversal) are not allowed",
            Self::Nul => "the path contains a NUL byte",
            Self::TooLong => "the path is longer than 1024 bytes",
            Self::ComponentTooLong => "a path component is longer than 255 bytes",
            Self::Reserved => "'TRAILER!!!' is reserved for the end-of-archive entry",
        };
        formatter.write_str(text)
    }
}

/// Everything that can go wrong while parsing, verifying or packing an initfs archive.
///
/// Offsets are byte offsets from the start of the archive; an entry's offset is the offset
/// of its header.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input ends inside a 110-byte entry header.
    TruncatedHeader {
        /// Offset of the header.
        offset: usize,
    },
    /// The input ends inside an entry's name (or the padding after it).
    TruncatedName {
        /// Offset of the header.
        offset: usize,
    },
    /// The input ends inside a file's data.
    TruncatedData {
        /// Offset of the header.
        offset: usize,
        /// The file's path.
        path: String,
    },
    /// The input ends inside the entry whose header is at `offset` (found by
    /// [`archive_len`](crate::archive_len), which does not look at names).
    TruncatedEntry {
        /// Offset of the header.
        offset: usize,
    },
    /// The input ends on an entry boundary without a `TRAILER!!!` entry.
    MissingTrailer {
        /// Offset where the next header should have started.
        offset: usize,
    },
    /// A header does not start with `070701` or `070702`.
    BadMagic {
        /// Offset of the header.
        offset: usize,
        /// The six bytes found instead.
        found: [u8; 6],
    },
    /// A header field is not eight hexadecimal digits.
    BadHexField {
        /// Offset of the header.
        offset: usize,
        /// The field's name as cpio documents it (`ino`, `mode`, `filesize`, ...).
        field: &'static str,
    },
    /// The `namesize` field is zero, so there is no room for the terminating NUL.
    BadNameSize {
        /// Offset of the header.
        offset: usize,
    },
    /// The name is longer than [`MAX_PATH_LEN`](crate::MAX_PATH_LEN) bytes.
    NameTooLong {
        /// Offset of the header.
        offset: usize,
        /// The name's length in bytes, without the terminating NUL.
        length: usize,
    },
    /// The last byte of the name is not NUL.
    NameNotTerminated {
        /// Offset of the header.
        offset: usize,
    },
    /// The name is not valid UTF-8.
    NonUtf8Name {
        /// Offset of the header.
        offset: usize,
    },
    /// A path breaks the path rules (see [`PathProblem`]).
    InvalidPath {
        /// Offset of the header when the path came from an archive.
        offset: Option<usize>,
        /// The offending path.
        path: String,
        /// What is wrong with it.
        problem: PathProblem,
    },
    /// An entry is neither a regular file nor a directory (symlink, device, FIFO, ...).
    UnsupportedKind {
        /// Offset of the header.
        offset: usize,
        /// The entry's path.
        path: String,
        /// The entry's full mode, including the file-type bits.
        mode: u32,
    },
    /// A regular file has more than one link; hard links are not supported.
    HardLink {
        /// Offset of the header.
        offset: usize,
        /// The file's path.
        path: String,
        /// The link count found.
        nlink: u32,
    },
    /// A directory entry carries data.
    DirectoryWithData {
        /// Offset of the header.
        offset: usize,
        /// The directory's path.
        path: String,
        /// The size found.
        size: u32,
    },
    /// The same path occurs twice.
    DuplicatePath {
        /// Offset of the second header when the path came from an archive.
        offset: Option<usize>,
        /// The duplicated path.
        path: String,
    },
    /// An entry's parent directory has no entry of its own.
    MissingParent {
        /// The entry's path.
        path: String,
        /// The missing parent.
        parent: String,
    },
    /// An entry's parent is a regular file.
    ParentNotDirectory {
        /// The entry's path.
        path: String,
        /// The parent that is a file.
        parent: String,
    },
    /// A file's data does not match the header's checksum (`070702` archives only).
    ChecksumMismatch {
        /// The file's path.
        path: String,
        /// The checksum stored in the header.
        expected: u32,
        /// The checksum of the data.
        actual: u32,
    },
    /// A file does not fit the 32-bit size field (4 GiB - 1 bytes at most).
    FileTooLarge {
        /// The file's archive path.
        path: String,
        /// Its size in bytes.
        size: u64,
    },
    /// A file or directory name in a source tree is not valid UTF-8.
    #[cfg(feature = "std")]
    NonUtf8Path {
        /// The source path.
        path: PathBuf,
    },
    /// A symbolic link in a source tree points nowhere.
    #[cfg(feature = "std")]
    DanglingSymlink {
        /// The source path of the link.
        path: PathBuf,
    },
    /// A symbolic link in a source tree leads back to one of its own ancestors.
    #[cfg(feature = "std")]
    SymlinkLoop {
        /// The source path of the link.
        path: PathBuf,
    },
    /// A source tree holds something other than files, directories and symlinks to them.
    #[cfg(feature = "std")]
    UnsupportedFileType {
        /// The source path.
        path: PathBuf,
    },
    /// The source of a tree is not a directory.
    #[cfg(feature = "std")]
    NotADirectory {
        /// The source path.
        path: PathBuf,
    },
    /// Reading or writing a host file failed.
    #[cfg(feature = "std")]
    Io {
        /// The host path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Writes bytes as text, escaping everything that is not printable ASCII.
fn write_escaped(formatter: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for &byte in bytes {
        write!(formatter, "{}", core::ascii::escape_default(byte))?;
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("initfs: ")?;
        match self {
            Self::TruncatedHeader { offset } => write!(formatter, "truncated header at offset {offset}"),
            Self::TruncatedName { offset } => {
                write!(formatter, "truncated name in the header at offset {offset}")
            }
            Self::TruncatedData { offset, path } => {
                write!(formatter, "truncated data of {path:?} (header at offset {offset})")
            }
            Self::TruncatedEntry { offset } => {
                write!(formatter, "truncated entry (header at offset {offset})")
            }
            Self::MissingTrailer { offset } => write!(
                formatter,
                "archive ends at offset {offset} without a TRAILER!!! entry (truncated?)"
            ),
            Self::BadMagic { offset, found } => {
                write!(formatter, "bad magic \"")?;
                write_escaped(formatter, found)?;
                write!(
                    formatter,
                    "\" at offset {offset} (expected \"070701\" or \"070702\", a newc cpio header)"
                )
            }
            Self::BadHexField { offset, field } => write!(
                formatter,
                "header field `{field}` is not 8 hex digits (header at offset {offset})"
            ),
            Self::BadNameSize { offset } => {
                write!(formatter, "name size 0 in the header at offset {offset}")
            }
            Self::NameTooLong { offset, length } => write!(
                formatter,
                "name of {length} bytes is longer than the limit of {} (header at offset {offset})",
                crate::MAX_PATH_LEN
            ),
            Self::NameNotTerminated { offset } => write!(
                formatter,
                "name is not NUL-terminated (header at offset {offset})"
            ),
            Self::NonUtf8Name { offset } => {
                write!(formatter, "name is not valid UTF-8 (header at offset {offset})")
            }
            Self::InvalidPath { offset, path, problem } => {
                write!(formatter, "invalid path {path:?}: {problem}")?;
                if let Some(offset) = offset {
                    write!(formatter, " (header at offset {offset})")?;
                }
                Ok(())
            }
            Self::UnsupportedKind { offset, path, mode } => write!(
                formatter,
                "{path:?} has mode {mode:06o}: only regular files and directories are supported \
                 (header at offset {offset})"
            ),
            Self::HardLink { offset, path, nlink } => write!(
                formatter,
                "{path:?} has {nlink} links: hard links are not supported (header at offset {offset})"
            ),
            Self::DirectoryWithData { offset, path, size } => write!(
                formatter,
                "directory {path:?} has {size} bytes of data (header at offset {offset})"
            ),
            Self::DuplicatePath { offset, path } => {
                write!(formatter, "duplicate path {path:?}")?;
                if let Some(offset) = offset {
                    write!(formatter, " (second header at offset {offset})")?;
                }
                Ok(())
            }
            Self::MissingParent { path, parent } => write!(
                formatter,
                "{path:?} has no parent directory entry {parent:?}"
            ),
            Self::ParentNotDirectory { path, parent } => {
                write!(formatter, "parent {parent:?} of {path:?} is not a directory")
            }
            Self::ChecksumMismatch { path, expected, actual } => write!(
                formatter,
                "checksum mismatch in {path:?}: header says {expected:#010x}, data sums to {actual:#010x}"
            ),
            Self::FileTooLarge { path, size } => write!(
                formatter,
                "{path:?} is {size} bytes, more than the 32-bit cpio size field holds"
            ),
            #[cfg(feature = "std")]
            Self::NonUtf8Path { path } => {
                write!(formatter, "{} is not a valid UTF-8 name", path.display())
            }
            #[cfg(feature = "std")]
            Self::DanglingSymlink { path } => {
                write!(formatter, "dangling symbolic link {}", path.display())
            }
            #[cfg(feature = "std")]
            Self::SymlinkLoop { path } => write!(
                formatter,
                "symbolic link {} leads back to one of its parent directories",
                path.display()
            ),
            #[cfg(feature = "std")]
            Self::UnsupportedFileType { path } => write!(
                formatter,
                "{} is not a regular file or directory",
                path.display()
            ),
            #[cfg(feature = "std")]
            Self::NotADirectory { path } => write!(formatter, "{} is not a directory", path.display()),
            #[cfg(feature = "std")]
            Self::Io { path, source } => write!(formatter, "{}: {source}", path.display()),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            #[cfg(feature = "std")]
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
