//! The two traits every file system implements: the file system itself and its open files.
use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::{DirEntry, Error, Metadata, OpenOptions, SeekFrom, StatVfs};

/// A mountable file system.
///
/// Every path it is given is relative to its own root and normalised (see [`crate::path`]):
/// `/` is its root, `/lib/os.py` a file in it. Implementations should still reject a path that
/// is not normalised with [`Error::InvalidArgument`] rather than misbehave.
///
/// A read-only file system ([`FileSystem::is_read_only`]) answers every change (an open that
/// wants to write, create or truncate, `create_dir`, `remove_*`, `rename`) with
/// [`Error::ReadOnly`], after reporting [`Error::NotFound`]/[`Error::NotADirectory`] for a
/// missing parent if it prefers. Read-only-ness is the file system's, not the caller's.
///
/// The trait is object safe and has no `Send`/`Sync` bounds: the kernel is single-core and calls
/// it from one context. Methods take `&self`; implementations use interior mutability.
pub trait FileSystem {
    /// Opens the regular file at `path`.
    ///
    /// Follows `open(2)` (see [`OpenOptions`]). A directory is never opened as a file: opening
    /// one gives [`Error::IsADirectory`] whatever the options (except `create_new`, which gives
    /// [`Error::AlreadyExists`]); [`crate::Namespace::open_node`] turns a plain read of a
    /// directory into a listing instead. With `options.directory`, a file gives
    /// [`Error::NotADirectory`].
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn OpenFile>, Error>;

    /// The metadata of the file or directory at `path`.
    fn metadata(&self, path: &str) -> Result<Metadata, Error>;

    /// The entries of the directory at `path`, sorted by name (byte order), without `.` and `..`.
    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, Error>;

    /// Creates the directory `path`; its parent must exist.
    fn create_dir(&self, path: &str) -> Result<(), Error>;

    /// Removes the empty directory `path`.
    fn remove_dir(&self, path: &str) -> Result<(), Error>;

    /// Removes the regular file `path` (a directory gives [`Error::IsADirectory`]).
    fn remove_file(&self, path: &str) -> Result<(), Error>;

    /// Renames `from` to `to`, as `rename(2)`: replaces an existing file, or an empty
    /// directory with a directory.
    fn rename(&self, from: &str, to: &str) -> Result<(), Error>;

    /// File-system wide numbers for `os.statvfs`.
    fn statvfs(&self) -> Result<StatVfs, Error>;

    /// Writes everything buffered to the storage.
    fn sync(&self) -> Result<(), Error> {
        Ok(())
    }

    /// True if this file system refuses every change with [`Error::ReadOnly`].
    fn is_read_only(&self) -> bool {
        false
    }

    /// The file system's type name, e.g. `"initfs"`, `"ramfs"`, `"vfat"`.
    fn name(&self) -> &str;
}

/// An open regular file: a position and the access it was opened with.
///
/// A handle refuses the access it was not opened for with [`Error::BadDescriptor`]. Dropping a
/// handle without [`OpenFile::close`] releases it too, but loses any error of the final flush.
pub trait OpenFile {
    /// Reads up to `buffer.len()` bytes at the position and advances it; 0 means end of file.
    fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Error>;

    /// Writes `data` at the position (or at the end, in append mode) and advances it. May write
    /// less than all of `data` (e.g. when the file system fills up) and returns how much; it
    /// fails only if nothing could be written (`Ok(0)` only for empty `data`).
    fn write(&mut self, data: &[u8]) -> Result<usize, Error>;

    /// Moves the position and returns the new one. Seeking past the end is allowed (a later
    /// write fills the gap with zeros); before the start is [`Error::InvalidArgument`].
    fn seek(&mut self, position: SeekFrom) -> Result<u64, Error>;

    /// The file's current metadata.
    fn metadata(&self) -> Result<Metadata, Error>;

    /// Cuts the file to `size` bytes or extends it with zeros; the position does not move.
    /// A handle not opened for writing gives [`Error::InvalidArgument`] (as Linux `ftruncate`).
    fn truncate(&mut self, size: u64) -> Result<(), Error>;

    /// Writes whatever this handle buffers to the file system.
    fn flush(&mut self) -> Result<(), Error>;

    /// Flushes and releases the handle, reporting an error of the final flush.
    fn close(self: Box<Self>) -> Result<(), Error>;
}
