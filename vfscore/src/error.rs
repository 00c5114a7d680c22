//! The one error type of the VFS and its mapping to Linux errno values.
use core::fmt;

/// Why a file-system operation failed.
///
/// Every variant maps to one Linux errno value ([`Error::errno`]), which is what the kernel
/// hands back to Python (as a negative return value of a `sys_*` call).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// No file or directory at that path (`ENOENT`).
    NotFound,
    /// Something already exists at that path (`EEXIST`).
    AlreadyExists,
    /// A path component that must be a directory is not one (`ENOTDIR`).
    NotADirectory,
    /// The operation needs a file, or write access, but the path is a directory (`EISDIR`).
    IsADirectory,
    /// The directory still has entries (`ENOTEMPTY`).
    DirectoryNotEmpty,
    /// The file system is full (`ENOSPC`).
    NoSpace,
    /// The file system is read-only (`EROFS`).
    ReadOnly,
    /// An argument is malformed or the operation makes no sense (`EINVAL`).
    InvalidArgument,
    /// The descriptor is not open, or not open for this kind of access (`EBADF`).
    BadDescriptor,
    /// The storage failed, or its contents are corrupt (`EIO`).
    Io,
    /// A name is longer than 255 bytes or a path longer than 4096 bytes (`ENAMETOOLONG`).
    NameTooLong,
    /// A rename across two mounted file systems (`EXDEV`).
    CrossDevice,
    /// No free descriptor is left (`EMFILE`).
    TooManyOpenFiles,
    /// The object is in use: a mount point, or a file system with open files (`EBUSY`).
    Busy,
    /// The operation is not implemented by this file system (`ENOSYS`).
    Unsupported,
    /// The operation is not allowed (`EACCES`).
    PermissionDenied,
}

/// Every error, in declaration order (for tables and tests).
pub const ALL_ERRORS: [Error; 16] = [
    Error::NotFound,
    Error::AlreadyExists,
    Error::NotADirectory,
    Error::IsADirectory,
    Error::DirectoryNotEmpty,
    Error::NoSpace,
    Error::ReadOnly,
    Error::InvalidArgument,
    Error::BadDescriptor,
    Error::Io,
    Error::NameTooLong,
    Error::CrossDevice,
    Error::TooManyOpenFiles,
    Error::Busy,
    Error::Unsupported,
    Error::PermissionDenied,
];

impl Error {
    /// The Linux errno value of this error (positive, e.g. 2 for [`Error::NotFound`]).
    pub const fn errno(self) -> i32 {
        match self {
            Error::NotFound => 2,
            Error::Io => 5,
            Error::BadDescriptor => 9,
            Error::PermissionDenied => 13,
            Error::Busy => 16,
            Error::AlreadyExists => 17,
            Error::CrossDevice => 18,
            Error::NotADirectory => 20,
            Error::IsADirectory => 21,
            Error::InvalidArgument => 22,
            Error::TooManyOpenFiles => 24,
            Error::NoSpace => 28,
            Error::ReadOnly => 30,
            Error::NameTooLong => 36,
            Error::Unsupported => 38,
            Error::DirectoryNotEmpty => 39,
        }
    }

    /// The error whose Linux errno value is `errno` (positive), or `None` for any other value.
    pub fn from_errno(errno: i32) -> Option<Error> {
        ALL_ERRORS.into_iter().find(|error| error.errno() == errno)
    }

    /// A short English description, in the style of `strerror`.
    pub const fn description(self) -> &'static str {
        match self {
            Error::NotFound => "No such file or directory",
            Error::AlreadyExists => "File exists",
            Error::NotADirectory => "Not a directory",
            Error::IsADirectory => "Is a directory",
            Error::DirectoryNotEmpty => "Directory not empty",
            Error::NoSpace => "No space left on device",
            Error::ReadOnly => "Read-only file system",
            Error::InvalidArgument => "Invalid argument",
            Error::BadDescriptor => "Bad file descriptor",
            Error::Io => "Input/output error",
            Error::NameTooLong => "File name too long",
            Error::CrossDevice => "Invalid cross-device link",
            Error::TooManyOpenFiles => "Too many open files",
            Error::Busy => "Device or resource busy",
            Error::Unsupported => "Function not implemented",
            Error::PermissionDenied => "Permission denied",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.description())
    }
}

impl core::error::Error for Error {}
