//! The whole namespace: a mount table of file systems behind one [`FileSystem`] face.
//!
//! [`Namespace`] routes every call to the mount that serves the path, presents the view
//! directories of the mount table (the root, mount points and their ancestors) as read-only
//! directories, merges mount points into directory listings, numbers the mounts as devices,
//! counts open files per mount (so that a busy mount cannot be unmounted) and keeps the
//! current directory.
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::{
    path, DirEntry, Error, FileKind, FileSystem, Metadata, MountTable, OpenFile, OpenOptions,
    SeekFrom, StatVfs,
};

/// Permission bits of a view directory that no file system provides.
const VIEW_DIRECTORY_MODE: u32 = 0o555;
/// Block size reported by `statvfs` for a path no file system serves.
const VIEW_BLOCK_SIZE: u64 = 512;

/// One mounted file system and its bookkeeping.
struct Mount {
    file_system: Box<dyn FileSystem>,
    device: u64,
    open_files: Rc<Cell<usize>>,
}

/// What [`Namespace::open_node`] opened: a file handle or a directory listing.
pub enum Opened {
    /// A regular file.
    File(Box<dyn OpenFile>),
    /// A directory: its metadata and its entries, listed at open time.
    Directory {
        /// The directory's metadata.
        metadata: Metadata,
        /// Its entries, sorted by name, without `.` and `..`.
        entries: Vec<DirEntry>,
    },
}

/// The namespace of mounted file systems, itself a [`FileSystem`] over absolute paths.
///
/// Mount `Box<dyn FileSystem>` values with [`Namespace::mount`]; each gets a device number
/// (1, 2, … in mount order, never reused) that [`Metadata::device`] reports. View directories
/// not provided by any file system report device 0, mode `0o555`, time 0 and an inode derived
/// from their path. Paths given to the [`FileSystem`] methods must be normalised; use
/// [`Namespace::absolute`] to turn a user's path (maybe relative) into one.
pub struct Namespace {
    mounts: MountTable<Mount>,
    next_device: u64,
    current_directory: String,
}

impl Default for Namespace {
    fn default() -> Self {
        Namespace::new()
    }
}

impl Namespace {
    /// An empty namespace: only the root view directory, current directory `/`.
    pub fn new() -> Namespace {
        Namespace {
            mounts: MountTable::new(),
            next_device: 1,
            current_directory: String::from("/"),
        }
    }

    /// Mounts `file_system` at normalised `mount_point` and returns its device number. An
    /// occupied mount point is [`Error::Busy`]; the mount point need not exist (it becomes a view
    /// directory, as do its ancestors).
    pub fn mount(
        &mut self,
        mount_point: &str,
        file_system: Box<dyn FileSystem>,
    ) -> Result<u64, Error> {
        let device = self.next_device;
        self.mounts.mount(
            mount_point,
            Mount {
                file_system,
                device,
                open_files: Rc::new(Cell::new(0)),
            },
        )?;
        self.next_device = self.next_device.saturating_add(1);
        Ok(device)
    }

    /// Syncs and removes the file system mounted at `mount_point`, and returns it.
    ///
    /// Not a mount point: [`Error::InvalidArgument`]. A mount below it, or a file of it still
    /// open: [`Error::Busy`]. If the sync fails, the file system stays mounted and the error is
    /// returned. The current directory is left as it is (it may then name a missing directory,
    /// as on Linux after a lazy unmount).
    pub fn umount(&mut self, mount_point: &str) -> Result<Box<dyn FileSystem>, Error> {
        let mount = self.mounts.get(mount_point).ok_or(Error::InvalidArgument)?;
        if self.mounts.has_mounts_below(mount_point) || mount.open_files.get() > 0 {
            return Err(Error::Busy);
        }
        mount.file_system.sync()?;
        self.mounts
            .umount(mount_point)
            .map(|mount| mount.file_system)
    }

    /// The mount points, sorted.
    pub fn mount_points(&self) -> impl Iterator<Item = &str> {
        self.mounts.mount_points()
    }

    /// The file system mounted exactly at `mount_point`.
    pub fn file_system(&self, mount_point: &str) -> Option<&dyn FileSystem> {
        self.mounts
            .get(mount_point)
            .map(|mount| mount.file_system.as_ref())
    }

    /// How many files of the mount at `mount_point` are open (handles not yet dropped).
    pub fn open_file_count(&self, mount_point: &str) -> Option<usize> {
        self.mounts
            .get(mount_point)
            .map(|mount| mount.open_files.get())
    }

    /// The device number of the mount at `mount_point` (as [`Metadata::device`] reports it).
    pub fn device_of(&self, mount_point: &str) -> Option<u64> {
        self.mounts.get(mount_point).map(|mount| mount.device)
    }

    /// The current directory, a normalised path (`/` at first).
    pub fn current_directory(&self) -> &str {
        &self.current_directory
    }

    /// `path` made absolute against the current directory and normalised
    /// (see [`path::normalize`]).
    pub fn absolute(&self, path: &str) -> Result<String, Error> {
        path::normalize(&self.current_directory, path)
    }

    /// Changes the current directory to `path` (maybe relative), which must be a directory.
    pub fn change_directory(&mut self, path: &str) -> Result<(), Error> {
        let absolute = self.absolute(path)?;
        if !self.metadata(&absolute)?.is_directory() {
            return Err(Error::NotADirectory);
        }
        self.current_directory = absolute;
        Ok(())
    }

    /// Opens normalised `path` as `open(2)` does, directories included: a plain read (see
    /// [`OpenOptions::is_plain_read`]) of a directory gives its listing; any other access to a
    /// directory is [`Error::IsADirectory`] (`create_new`: [`Error::AlreadyExists`]). With
    /// `options.directory`, a file is [`Error::NotADirectory`] and a missing path is
    /// [`Error::NotFound`] (nothing is created).
    pub fn open_node(&self, path: &str, options: &OpenOptions) -> Result<Opened, Error> {
        path::check(path)?;
        if options.directory || self.mounts.is_view_directory(path) {
            return self.open_directory(path, options);
        }
        match self.open(path, options) {
            Ok(file) => Ok(Opened::File(file)),
            Err(Error::IsADirectory) if options.is_plain_read() => {
                self.open_directory(path, options)
            }
            Err(error) => Err(error),
        }
    }

    fn open_directory(&self, path: &str, options: &OpenOptions) -> Result<Opened, Error> {
        let metadata = self.metadata(path)?;
        if !metadata.is_directory() {
            return Err(Error::NotADirectory);
        }
        if options.create_new {
            return Err(Error::AlreadyExists);
        }
        if !options.is_plain_read() {
            return Err(Error::IsADirectory);
        }
        let entries = self.read_dir(path)?;
        Ok(Opened::Directory { metadata, entries })
    }

    /// `os.statvfs` of the file system serving normalised `path` (which must exist), with
    /// `read_only` set if that file system is read-only. A view directory no file system serves
    /// reports zero blocks and files, read-only.
    pub fn statvfs_at(&self, path: &str) -> Result<StatVfs, Error> {
        self.metadata(path)?;
        match self.mounts.resolve(path) {
            Some(resolution) => {
                let file_system = &resolution.target.file_system;
                let statvfs = file_system.statvfs()?;
                Ok(StatVfs {
                    read_only: statvfs.read_only || file_system.is_read_only(),
                    ..statvfs
                })
            }
            None => Ok(StatVfs {
                block_size: VIEW_BLOCK_SIZE,
                fragment_size: VIEW_BLOCK_SIZE,
                name_max: path::MAX_NAME as u64,
                read_only: true,
                ..StatVfs::default()
            }),
        }
    }

    /// The error for a change at `path`, which no file system serves: the parent is a view
    /// directory (read-only), or missing.
    fn unserved_change_error(&self, path: &str) -> Error {
        match path::split_parent(path) {
            Some((parent, _)) if self.mounts.is_view_directory(parent) => Error::ReadOnly,
            _ => Error::NotFound,
        }
    }

    fn view_metadata(path: &str) -> Metadata {
        Metadata {
            kind: FileKind::Directory,
            size: 0,
            mode: VIEW_DIRECTORY_MODE,
            modified: 0,
            inode: view_inode(path),
            device: 0,
        }
    }
}

/// An inode number for a view directory: a 64-bit FNV-1a hash of its path, top bit set.
fn view_inode(path: &str) -> u64 {
    let hash = path.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    hash | (1 << 63)
}

impl FileSystem for Namespace {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn OpenFile>, Error> {
        path::check(path)?;
        if self.mounts.is_view_directory(path) {
            return Err(if options.create_new {
                Error::AlreadyExists
            } else {
                Error::IsADirectory
            });
        }
        let Some(resolution) = self.mounts.resolve(path) else {
            return Err(if options.create || options.create_new {
                self.unserved_change_error(path)
            } else {
                Error::NotFound
            });
        };
        let mount = resolution.target;
        let inner = mount.file_system.open(resolution.relative, options)?;
        Ok(Box::new(MountedFile {
            inner,
            device: mount.device,
            guard: OpenGuard::new(&mount.open_files),
        }))
    }

    fn metadata(&self, path: &str) -> Result<Metadata, Error> {
        path::check(path)?;
        let is_view = self.mounts.is_view_directory(path);
        let Some(resolution) = self.mounts.resolve(path) else {
            return if is_view {
                Ok(Namespace::view_metadata(path))
            } else {
                Err(Error::NotFound)
            };
        };
        let mount = resolution.target;
        match mount.file_system.metadata(resolution.relative) {
            Ok(metadata) if metadata.is_directory() || !is_view => Ok(Metadata {
                device: mount.device,
                ..metadata
            }),
            Ok(_) => Ok(Namespace::view_metadata(path)),
            Err(_) if is_view && resolution.relative != "/" => Ok(Namespace::view_metadata(path)),
            Err(error) => Err(error),
        }
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, Error> {
        path::check(path)?;
        let is_view = self.mounts.is_view_directory(path);
        let listed = match self.mounts.resolve(path) {
            Some(resolution) => resolution.target.file_system.read_dir(resolution.relative),
            None => Err(Error::NotFound),
        };
        let mut entries = match listed {
            Ok(entries) => entries,
            Err(_) if is_view => Vec::new(),
            Err(error) => return Err(error),
        };
        let children = self.mounts.child_names(path);
        if children.is_empty() {
            return Ok(entries);
        }
        // The trait promises sorted listings; do not rely on it for the merge below.
        entries.sort_by(|left, right| left.name.cmp(&right.name));
        for name in children {
            let child = path::join(path, name);
            let inode = self
                .metadata(&child)
                .map_or_else(|_| view_inode(&child), |metadata| metadata.inode);
            let entry = DirEntry {
                name: String::from(name),
                kind: FileKind::Directory,
                inode,
            };
            match entries.binary_search_by(|existing| existing.name.as_str().cmp(name)) {
                Ok(index) => entries[index] = entry,
                Err(index) => entries.insert(index, entry),
            }
        }
        Ok(entries)
    }

    fn create_dir(&self, path: &str) -> Result<(), Error> {
        path::check(path)?;
        if self.mounts.is_view_directory(path) {
            return Err(Error::AlreadyExists);
        }
        match self.mounts.resolve(path) {
            Some(resolution) => resolution
                .target
                .file_system
                .create_dir(resolution.relative),
            None => Err(self.unserved_change_error(path)),
        }
    }

    fn remove_dir(&self, path: &str) -> Result<(), Error> {
        path::check(path)?;
        if self.mounts.is_view_directory(path) {
            return Err(Error::Busy);
        }
        match self.mounts.resolve(path) {
            Some(resolution) => resolution
                .target
                .file_system
                .remove_dir(resolution.relative),
            None => Err(Error::NotFound),
        }
    }

    fn remove_file(&self, path: &str) -> Result<(), Error> {
        path::check(path)?;
        if self.mounts.is_view_directory(path) {
            return Err(Error::Busy);
        }
        match self.mounts.resolve(path) {
            Some(resolution) => resolution
                .target
                .file_system
                .remove_file(resolution.relative),
            None => Err(Error::NotFound),
        }
    }

    fn rename(&self, from: &str, to: &str) -> Result<(), Error> {
        path::check(from)?;
        path::check(to)?;
        if self.mounts.is_view_directory(from) || self.mounts.is_view_directory(to) {
            return Err(Error::Busy);
        }
        let source = self.mounts.resolve(from).ok_or(Error::NotFound)?;
        let Some(destination) = self.mounts.resolve(to) else {
            return Err(self.unserved_change_error(to));
        };
        if source.mount_point != destination.mount_point {
            return Err(Error::CrossDevice);
        }
        source
            .target
            .file_system
            .rename(source.relative, destination.relative)
    }

    fn statvfs(&self) -> Result<StatVfs, Error> {
        self.statvfs_at("/")
    }

    fn sync(&self) -> Result<(), Error> {
        let mut result = Ok(());
        for (_, mount) in self.mounts.iter() {
            if let Err(error) = mount.file_system.sync() {
                if result.is_ok() {
                    result = Err(error);
                }
            }
        }
        result
    }

    fn name(&self) -> &str {
        "namespace"
    }
}

/// Counts one open file of a mount while it lives.
struct OpenGuard(Rc<Cell<usize>>);

impl OpenGuard {
    fn new(counter: &Rc<Cell<usize>>) -> OpenGuard {
        counter.set(counter.get().saturating_add(1));
        OpenGuard(Rc::clone(counter))
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// A file opened through the namespace: reports the mount's device and keeps the mount busy.
struct MountedFile {
    inner: Box<dyn OpenFile>,
    device: u64,
    guard: OpenGuard,
}

impl OpenFile for MountedFile {
    fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        self.inner.read(buffer)
    }

    fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.inner.write(data)
    }

    fn seek(&mut self, position: SeekFrom) -> Result<u64, Error> {
        self.inner.seek(position)
    }

    fn metadata(&self) -> Result<Metadata, Error> {
        self.inner.metadata().map(|metadata| Metadata {
            device: self.device,
            ..metadata
        })
    }

    fn truncate(&mut self, size: u64) -> Result<(), Error> {
        self.inner.truncate(size)
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.inner.flush()
    }

    fn close(self: Box<Self>) -> Result<(), Error> {
        let MountedFile { inner, guard, .. } = *self;
        let result = inner.close();
        drop(guard);
        result
    }
}
