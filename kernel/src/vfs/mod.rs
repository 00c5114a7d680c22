//! The VFS: the mount table, the file systems mounted at boot, and the descriptor table.
//!
//! Paths resolve through a [`vfscore::Namespace`]: the initfs (read-only) at `/` when the board
//! has one, a RAM file system at `/tmp`, and later the SD card's partitions. `/` always exists,
//! with or without an initfs. Read-only-ness belongs to each file system. The descriptor table
//! lives here too: the Hermit ABI (`abi/files.rs`) and the Python `posix` module are thin layers
//! over the functions below. Python-implemented file systems (`os.mount(obj, path)`, what
//! `mpremote mount` uses) are dispatched in Python, in `posix.py`, before a path reaches here.
pub mod card;
mod initfs;
pub mod stream;

use core::cell::RefCell;
use std::{rc::Rc, sync::OnceLock};

use vfscore::{
    DirEntry, Error, FileKind, FileSystem, Metadata, Namespace, OpenFile, OpenOptions, Opened,
    RamFs, SeekFrom, StatVfs,
};

/// A file system error, as a positive errno value.
pub type Errno = i32;

/// What a descriptor refers to.
enum Descriptor {
    /// Standard input/output/error: the console.
    Console,
    /// An open file (shared by `dup`).
    File(Rc<RefCell<Box<dyn OpenFile>>>),
    /// An open directory: its listing and the read position (in entries).
    Directory {
        metadata: Metadata,
        entries: Rc<Vec<DirEntry>>,
        position: usize,
    },
    /// One end of a local stream pair (`socket.socketpair()`).
    Stream(Rc<stream::End>),
}

/// Most descriptors open at once.
pub const MAX_DESCRIPTORS: usize = 256;

struct State {
    namespace: Namespace,
    descriptors: Vec<Option<Descriptor>>,
}

/// The VFS state: used only by the Python context (the one thread; interrupt handlers never
/// touch files), so a `RefCell` is enough.
struct PythonContextOnly(RefCell<Option<State>>);

// SAFETY: only the Python context (one thread on one core) ever touches the VFS; no interrupt
// handler does. The RefCell catches re-entry.
unsafe impl Sync for PythonContextOnly {}

static STATE: PythonContextOnly = PythonContextOnly(RefCell::new(None));

/// Why the initfs could not be mounted, if it could not (reported once at boot).
static INITFS_PROBLEM: OnceLock<Option<String>> = OnceLock::new();

fn errno(error: Error) -> Errno {
    error.errno()
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    let mut guard = STATE.0.borrow_mut();
    let state = guard.get_or_insert_with(new_state);
    f(state)
}

/// Builds the namespace: initfs at `/` (if valid), RAM file system at `/tmp`.
fn new_state() -> State {
    let mut namespace = Namespace::new();
    let problem = match crate::bsp::rpi1::initfs_bytes() {
        Ok(bytes) => match ::initfs::Archive::parse(bytes) {
            Ok(archive) => {
                let archive: &'static ::initfs::Archive<'static> = Box::leak(Box::new(archive));
                let _ = namespace.mount("/", Box::new(initfs::InitFs::new(archive)));
                None
            }
            Err(error) => Some(error.to_string()),
        },
        Err(error) => Some(error.to_string()),
    };
    let _ = INITFS_PROBLEM.set(problem);
    let tmp_size = crate::config::get().tmp_size_bytes;
    let _ = namespace.mount("/tmp", Box::new(RamFs::new(tmp_size, unix_seconds)));
    let mut descriptors = Vec::with_capacity(16);
    descriptors.extend([
        Some(Descriptor::Console),
        Some(Descriptor::Console),
        Some(Descriptor::Console),
    ]);
    State {
        namespace,
        descriptors,
    }
}

fn unix_seconds() -> i64 {
    (crate::time::unix_micros() / 1_000_000) as i64
}

/// Mounts the boot file systems (once); returns why the initfs is missing, if it is.
pub fn init() -> Option<String> {
    with_state(|_| ());
    INITFS_PROBLEM.get().cloned().flatten()
}

/// Mounts `file_system` at `path` (e.g. the SD card's partitions).
pub fn mount(path: &str, file_system: Box<dyn FileSystem>) -> Result<(), Errno> {
    with_state(|state| {
        state
            .namespace
            .mount(path, file_system)
            .map(drop)
            .map_err(errno)
    })
}

/// The mount points, with each file system's name.
pub fn mounts() -> Vec<(String, String)> {
    with_state(|state| {
        let points: Vec<String> = state.namespace.mount_points().map(String::from).collect();
        points
            .into_iter()
            .map(|point| {
                let name = state
                    .namespace
                    .file_system(&point)
                    .map_or_else(String::new, |fs| fs.name().to_owned());
                (point, name)
            })
            .collect()
    })
}

/// The current directory.
pub fn current_directory() -> String {
    with_state(|state| state.namespace.current_directory().to_owned())
}

/// Changes the current directory.
pub fn change_directory(path: &str) -> Result<(), Errno> {
    with_state(|state| state.namespace.change_directory(path).map_err(errno))
}

fn install(state: &mut State, descriptor: Descriptor) -> Result<i32, Errno> {
    if let Some(index) = state.descriptors.iter().position(Option::is_none) {
        state.descriptors[index] = Some(descriptor);
        Ok(index as i32)
    } else if state.descriptors.len() < MAX_DESCRIPTORS {
        state.descriptors.push(Some(descriptor));
        Ok((state.descriptors.len() - 1) as i32)
    } else {
        Err(Error::TooManyOpenFiles.errno())
    }
}

/// Opens `path` with POSIX `O_*` flags; returns the descriptor.
pub fn open(path: &str, flags: i32) -> Result<i32, Errno> {
    let options = OpenOptions::from_flags(flags).map_err(errno)?;
    with_state(|state| {
        let absolute = state.namespace.absolute(path).map_err(errno)?;
        let descriptor = match state
            .namespace
            .open_node(&absolute, &options)
            .map_err(errno)?
        {
            Opened::File(file) => Descriptor::File(Rc::new(RefCell::new(file))),
            Opened::Directory { metadata, entries } => Descriptor::Directory {
                metadata,
                entries: Rc::new(entries),
                position: 0,
            },
        };
        install(state, descriptor)
    })
}

/// What [`descriptor`] found.
enum Target {
    Console,
    File(Rc<RefCell<Box<dyn OpenFile>>>),
    Directory,
    Stream(Rc<stream::End>),
}

fn target(fd: i32) -> Result<Target, Errno> {
    with_state(|state| {
        match usize::try_from(fd)
            .ok()
            .and_then(|index| state.descriptors.get(index))
        {
            Some(Some(Descriptor::Console)) => Ok(Target::Console),
            Some(Some(Descriptor::File(file))) => Ok(Target::File(file.clone())),
            Some(Some(Descriptor::Directory { .. })) => Ok(Target::Directory),
            Some(Some(Descriptor::Stream(end))) => Ok(Target::Stream(end.clone())),
            _ => Err(Error::BadDescriptor.errno()),
        }
    })
}

/// True if `fd` is the console.
pub fn is_console(fd: i32) -> bool {
    matches!(target(fd), Ok(Target::Console))
}

/// Reads from a file or stream descriptor (the console is read by the caller, line by line).
/// A stream without data gives `EAGAIN` when non-blocking and waits otherwise.
pub fn read(fd: i32, buffer: &mut [u8]) -> Result<usize, Errno> {
    match target(fd)? {
        Target::File(file) => file.borrow_mut().read(buffer).map_err(errno),
        Target::Directory => Err(Error::IsADirectory.errno()),
        Target::Stream(end) => end.read(buffer),
        Target::Console => Err(crate::abi::hermit::errno::ESPIPE),
    }
}

/// Writes to a file, stream or console descriptor.
pub fn write(fd: i32, bytes: &[u8]) -> Result<usize, Errno> {
    match target(fd)? {
        Target::Console => {
            crate::console::write(bytes);
            Ok(bytes.len())
        }
        Target::File(file) => file.borrow_mut().write(bytes).map_err(errno),
        Target::Directory => Err(Error::IsADirectory.errno()),
        Target::Stream(end) => end.write(bytes),
    }
}

/// Closes `fd`; the last descriptor of a file flushes it (and reports a failed flush).
pub fn close(fd: i32) -> Result<(), Errno> {
    let descriptor = with_state(|state| {
        match usize::try_from(fd)
            .ok()
            .and_then(|index| state.descriptors.get_mut(index))
        {
            // The console descriptors stay usable after a close.
            Some(Some(Descriptor::Console)) => Ok(None),
            Some(slot @ Some(_)) => Ok(slot.take()),
            _ => Err(Error::BadDescriptor.errno()),
        }
    })?;
    if let Some(Descriptor::File(file)) = descriptor {
        if let Ok(cell) = Rc::try_unwrap(file) {
            return cell.into_inner().close().map_err(errno);
        }
    }
    Ok(())
}

/// Closes every descriptor above the console's (at a soft reset: nothing leaks into the next
/// interpreter).
pub fn close_all() {
    let count = with_state(|state| state.descriptors.len());
    for fd in 3..count {
        let _ = close(fd as i32);
    }
}

/// Moves the position of `fd`; returns the new position.
pub fn seek(fd: i32, offset: i64, whence: i32) -> Result<u64, Errno> {
    let position = SeekFrom::from_whence(offset, whence).map_err(errno)?;
    match target(fd)? {
        Target::File(file) => file.borrow_mut().seek(position).map_err(errno),
        Target::Directory => with_state(|state| match state.descriptors.get_mut(fd as usize) {
            Some(Some(Descriptor::Directory {
                entries,
                position: at,
                ..
            })) => {
                let new = position
                    .resolve(*at as u64, entries.len() as u64)
                    .map_err(errno)?;
                *at = new as usize;
                Ok(new)
            }
            _ => Err(Error::BadDescriptor.errno()),
        }),
        Target::Console | Target::Stream(_) => Err(crate::abi::hermit::errno::ESPIPE),
    }
}

/// The metadata of an open descriptor.
pub fn fstat(fd: i32) -> Result<Metadata, Errno> {
    match target(fd)? {
        Target::Console => Ok(Metadata {
            kind: FileKind::File,
            mode: 0o620,
            size: 0,
            modified: 0,
            inode: 0,
            device: 0,
        }),
        Target::File(file) => file.borrow().metadata().map_err(errno),
        Target::Directory => with_state(|state| match state.descriptors.get(fd as usize) {
            Some(Some(Descriptor::Directory { metadata, .. })) => Ok(*metadata),
            _ => Err(Error::BadDescriptor.errno()),
        }),
        Target::Stream(_) => Ok(Metadata {
            kind: FileKind::File,
            mode: 0o600,
            size: 0,
            modified: 0,
            inode: 0,
            device: 0,
        }),
    }
}

/// The `st_mode` type bits of a descriptor: character device (console), socket (stream), or
/// the file's kind.
pub fn mode_type(fd: i32) -> Result<u32, Errno> {
    use crate::abi::hermit;
    Ok(match target(fd)? {
        Target::Console => hermit::S_IFCHR,
        Target::Stream(_) => 0o140_000,
        Target::Directory => hermit::S_IFDIR,
        Target::File(_) => hermit::S_IFREG,
    })
}

/// The metadata of the object at `path`.
pub fn stat(path: &str) -> Result<Metadata, Errno> {
    with_state(|state| {
        let absolute = state.namespace.absolute(path).map_err(errno)?;
        state.namespace.metadata(&absolute).map_err(errno)
    })
}

/// The entries of the directory at `path`, sorted by name.
pub fn list_directory(path: &str) -> Result<Vec<DirEntry>, Errno> {
    with_state(|state| {
        let absolute = state.namespace.absolute(path).map_err(errno)?;
        state.namespace.read_dir(&absolute).map_err(errno)
    })
}

/// The next directory entries of `fd` (at most `limit`), advancing its position.
pub fn read_directory(fd: i32, limit: usize) -> Result<Vec<(u64, DirEntry)>, Errno> {
    with_state(|state| match state.descriptors.get_mut(fd as usize) {
        Some(Some(Descriptor::Directory {
            entries, position, ..
        })) if fd >= 0 => {
            let taken: Vec<(u64, DirEntry)> = entries
                .iter()
                .skip(*position)
                .take(limit)
                .cloned()
                .enumerate()
                .map(|(index, entry)| ((*position + index + 1) as u64, entry))
                .collect();
            Ok(taken)
        }
        Some(Some(_)) if fd >= 0 => Err(Error::NotADirectory.errno()),
        _ => Err(Error::BadDescriptor.errno()),
    })
}

/// Advances a directory descriptor by `count` entries (after a partial `getdents64`).
pub fn advance_directory(fd: i32, count: usize) {
    with_state(|state| {
        if let Some(Some(Descriptor::Directory { position, .. })) =
            state.descriptors.get_mut(fd as usize)
        {
            *position += count;
        }
    });
}

fn path_operation(
    path: &str,
    f: impl FnOnce(&Namespace, &str) -> Result<(), Error>,
) -> Result<(), Errno> {
    with_state(|state| {
        let absolute = state.namespace.absolute(path).map_err(errno)?;
        f(&state.namespace, &absolute).map_err(errno)
    })
}

/// Creates a directory.
pub fn create_directory(path: &str) -> Result<(), Errno> {
    path_operation(path, |namespace, path| namespace.create_dir(path))
}

/// Removes an empty directory.
pub fn remove_directory(path: &str) -> Result<(), Errno> {
    path_operation(path, |namespace, path| namespace.remove_dir(path))
}

/// Removes a file.
pub fn remove_file(path: &str) -> Result<(), Errno> {
    path_operation(path, |namespace, path| namespace.remove_file(path))
}

/// Renames (or moves within one file system) `from` to `to`, replacing a file at `to`.
pub fn rename(from: &str, to: &str) -> Result<(), Errno> {
    with_state(|state| {
        let from = state.namespace.absolute(from).map_err(errno)?;
        let to = state.namespace.absolute(to).map_err(errno)?;
        state.namespace.rename(&from, &to).map_err(errno)
    })
}

/// `statvfs` of the file system holding `path`.
pub fn statvfs(path: &str) -> Result<StatVfs, Errno> {
    with_state(|state| {
        let absolute = state.namespace.absolute(path).map_err(errno)?;
        state.namespace.statvfs_at(&absolute).map_err(errno)
    })
}

/// Writes everything buffered to the media, on every file system.
pub fn sync() -> Result<(), Errno> {
    let files: Vec<Rc<RefCell<Box<dyn OpenFile>>>> = with_state(|state| {
        state
            .descriptors
            .iter()
            .filter_map(|slot| match slot {
                Some(Descriptor::File(file)) => Some(file.clone()),
                _ => None,
            })
            .collect()
    });
    for file in files {
        file.borrow_mut().flush().map_err(errno)?;
    }
    with_state(|state| state.namespace.sync().map_err(errno))
}

/// Flushes one file.
pub fn fsync(fd: i32) -> Result<(), Errno> {
    match target(fd)? {
        Target::File(file) => file.borrow_mut().flush().map_err(errno),
        _ => Ok(()),
    }
}

/// Truncates (or extends with zeros) an open file.
pub fn truncate(fd: i32, size: u64) -> Result<(), Errno> {
    match target(fd)? {
        Target::File(file) => file.borrow_mut().truncate(size).map_err(errno),
        _ => Err(Error::InvalidArgument.errno()),
    }
}

/// A second descriptor for the same open object (sharing its position).
pub fn duplicate(fd: i32) -> Result<i32, Errno> {
    with_state(|state| {
        let copy = match usize::try_from(fd)
            .ok()
            .and_then(|index| state.descriptors.get(index))
        {
            Some(Some(Descriptor::Console)) => Descriptor::Console,
            Some(Some(Descriptor::File(file))) => Descriptor::File(file.clone()),
            Some(Some(Descriptor::Stream(end))) => Descriptor::Stream(end.clone()),
            Some(Some(Descriptor::Directory {
                metadata,
                entries,
                position,
            })) => Descriptor::Directory {
                metadata: *metadata,
                entries: entries.clone(),
                position: *position,
            },
            _ => return Err(Error::BadDescriptor.errno()),
        };
        install(state, copy)
    })
}

/// A connected pair of local stream descriptors (`socket.socketpair()`).
pub fn stream_pair() -> Result<(i32, i32), Errno> {
    let (first, second) = stream::pair();
    with_state(|state| {
        let a = install(state, Descriptor::Stream(first))?;
        match install(state, Descriptor::Stream(second)) {
            Ok(b) => Ok((a, b)),
            Err(error) => {
                state.descriptors[a as usize] = None;
                Err(error)
            }
        }
    })
}

/// Sets a stream descriptor's blocking mode.
pub fn set_blocking(fd: i32, blocking: bool) -> Result<(), Errno> {
    match target(fd)? {
        Target::Stream(end) => {
            end.set_blocking(blocking);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Readiness of a descriptor: `(readable, writable)` without waiting.
pub fn readiness(fd: i32) -> Result<(bool, bool), Errno> {
    Ok(match target(fd)? {
        Target::Console => (crate::console::input_waiting(), true),
        Target::File(_) | Target::Directory => (true, true),
        Target::Stream(end) => (end.readable(), end.writable()),
    })
}

/// The whole content of the file at `path`, if it can be read.
pub fn read_whole_file(path: &str) -> Option<Vec<u8>> {
    let fd = open(path, 0).ok()?;
    let mut content = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let result = loop {
        match read(fd, &mut chunk) {
            Ok(0) => break Some(content),
            Ok(count) => content.extend_from_slice(&chunk[..count]),
            Err(_) => break None,
        }
    };
    let _ = close(fd);
    result
}
