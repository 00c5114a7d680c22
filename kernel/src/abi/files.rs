//! File calls: the descriptor table over the console and the VFS (`sys_open`, `sys_read`, ...).
use std::{ffi::CStr, sync::Mutex};

use super::hermit::{self, errno};
use crate::{
    console,
    vfs::{self, Metadata, Node, NodeKind},
};

/// What a descriptor refers to.
enum Descriptor {
    /// Standard input/output/error: the serial console.
    Console,
    /// An open file or directory and the read position (bytes, or directory entries).
    Open { node: Node, position: usize },
}

/// Most descriptors open at once.
const MAX_DESCRIPTORS: usize = 64;

static DESCRIPTORS: Mutex<Vec<Option<Descriptor>>> = Mutex::new(Vec::new());

fn with_table<R>(f: impl FnOnce(&mut Vec<Option<Descriptor>>) -> R) -> R {
    let mut table = DESCRIPTORS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if table.is_empty() {
        table.extend([
            Some(Descriptor::Console),
            Some(Descriptor::Console),
            Some(Descriptor::Console),
        ]);
    }
    f(&mut table)
}

/// Reads a NUL-terminated path argument.
fn c_path(name: *const u8) -> Result<String, i32> {
    if name.is_null() {
        return Err(errno::EFAULT);
    }
    // SAFETY: std passes a NUL-terminated C string.
    let name = unsafe { CStr::from_ptr(name.cast()) };
    name.to_str().map(String::from).map_err(|_| errno::EINVAL)
}

fn fill_stat(target: *mut hermit::stat, metadata: &Metadata) -> i32 {
    if target.is_null() {
        return -errno::EFAULT;
    }
    let time = hermit::timespec {
        tv_sec: metadata.modified,
        tv_nsec: 0,
    };
    let value = hermit::stat {
        st_dev: 1,
        st_ino: metadata.inode,
        st_nlink: if metadata.kind == NodeKind::Directory {
            2
        } else {
            1
        },
        st_mode: metadata.mode,
        st_uid: 0,
        st_gid: 0,
        st_rdev: 0,
        st_size: metadata.size as i64,
        st_blksize: 512,
        st_blocks: metadata.size.div_ceil(512) as i64,
        st_atim: time,
        st_mtim: time,
        st_ctim: time,
    };
    // SAFETY: checked non-null; std passes a writable stat structure.
    unsafe { target.write(value) };
    0
}

fn console_metadata() -> Metadata {
    Metadata {
        kind: NodeKind::File,
        mode: hermit::S_IFCHR | 0o620,
        size: 0,
        inode: 0,
        modified: 0,
    }
}

/// The `O_*` flags that ask for writing.
const WRITE_FLAGS: i32 =
    hermit::O_WRONLY | hermit::O_RDWR | hermit::O_CREAT | hermit::O_TRUNC | hermit::O_APPEND;

/// Opens `path` (absolute or relative to the current directory); returns the descriptor.
pub fn open(path: &str, flags: i32) -> Result<i32, i32> {
    let path = vfs::absolute_path(path)?;
    if flags & WRITE_FLAGS != 0 {
        return Err(vfs::write_error(&path));
    }
    let node = vfs::open(&path)?;
    if flags & hermit::O_DIRECTORY != 0 && !matches!(node, Node::Directory { .. }) {
        return Err(errno::ENOTDIR);
    }
    with_table(|table| {
        let descriptor = Descriptor::Open { node, position: 0 };
        if let Some(index) = table.iter().position(Option::is_none) {
            table[index] = Some(descriptor);
            Ok(index as i32)
        } else if table.len() < MAX_DESCRIPTORS {
            table.push(Some(descriptor));
            Ok((table.len() - 1) as i32)
        } else {
            Err(errno::EMFILE)
        }
    })
}

/// Reads up to `buffer.len()` bytes from `fd`; the console gives one edited line at a time.
pub fn read(fd: i32, buffer: &mut [u8]) -> Result<usize, i32> {
    let is_console =
        with_table(|table| matches!(table.get(fd as usize), Some(Some(Descriptor::Console))));
    if is_console {
        return match console::read_line(None, &mut console::NoWork) {
            console::LineResult::Line(mut line) => {
                line.push('\n');
                let count = line.len().min(buffer.len());
                buffer[..count].copy_from_slice(&line.as_bytes()[..count]);
                Ok(count)
            }
            console::LineResult::EndOfFile => Ok(0),
            console::LineResult::Interrupt => Err(errno::EINTR),
        };
    }
    with_table(|table| match table.get_mut(fd as usize) {
        Some(Some(Descriptor::Open {
            node: Node::StaticFile { data, .. },
            position,
        })) if fd >= 0 => {
            let available = &data[(*position).min(data.len())..];
            let count = available.len().min(buffer.len());
            buffer[..count].copy_from_slice(&available[..count]);
            *position += count;
            Ok(count)
        }
        Some(Some(Descriptor::Open {
            node: Node::Directory { .. },
            ..
        })) => Err(errno::EISDIR),
        _ => Err(errno::EBADF),
    })
}

/// Writes `bytes` to `fd` (only the console is writable).
pub fn write(fd: i32, bytes: &[u8]) -> Result<usize, i32> {
    with_table(|table| match table.get(fd as usize) {
        Some(Some(Descriptor::Console)) if fd >= 0 => Ok(()),
        _ => Err(errno::EBADF),
    })?;
    console::write(bytes);
    Ok(bytes.len())
}

/// Closes `fd`.
pub fn close(fd: i32) -> Result<(), i32> {
    with_table(|table| match table.get_mut(fd as usize) {
        Some(slot @ Some(_)) if fd >= 0 => {
            // Closing the console descriptors is allowed and harmless; they stay usable.
            if !matches!(slot, Some(Descriptor::Console)) {
                *slot = None;
            }
            Ok(())
        }
        _ => Err(errno::EBADF),
    })
}

/// Moves the read position of `fd`; returns the new position.
pub fn seek(fd: i32, offset: i64, whence: i32) -> Result<u64, i32> {
    with_table(|table| match table.get_mut(fd as usize) {
        Some(Some(Descriptor::Open {
            node: Node::StaticFile { data, .. },
            position,
        })) if fd >= 0 => {
            let base = match whence {
                hermit::SEEK_SET => 0,
                hermit::SEEK_CUR => *position as i64,
                hermit::SEEK_END => data.len() as i64,
                _ => return Err(errno::EINVAL),
            };
            match base.checked_add(offset) {
                Some(new_position) if new_position >= 0 => {
                    *position = new_position as usize;
                    Ok(new_position as u64)
                }
                _ => Err(errno::EINVAL),
            }
        }
        Some(Some(Descriptor::Console)) if fd >= 0 => Err(errno::ESPIPE),
        Some(Some(Descriptor::Open { .. })) => Err(errno::EISDIR),
        _ => Err(errno::EBADF),
    })
}

/// The metadata of an open descriptor.
pub fn fstat(fd: i32) -> Result<Metadata, i32> {
    with_table(|table| match table.get(fd as usize) {
        Some(Some(Descriptor::Console)) if fd >= 0 => Ok(console_metadata()),
        Some(Some(Descriptor::Open {
            node: Node::StaticFile { metadata, .. } | Node::Directory { metadata, .. },
            ..
        })) => Ok(*metadata),
        _ => Err(errno::EBADF),
    })
}

/// The metadata of the object at `path`.
pub fn stat(path: &str) -> Result<Metadata, i32> {
    vfs::metadata(&vfs::absolute_path(path)?)
}

/// The entries of the directory at `path`: name and kind, sorted by name.
pub fn list_directory(path: &str) -> Result<Vec<(String, NodeKind)>, i32> {
    match vfs::open(&vfs::absolute_path(path)?)? {
        Node::Directory { entries, .. } => Ok(entries
            .into_iter()
            .map(|(name, kind, _)| (name, kind))
            .collect()),
        Node::StaticFile { .. } => Err(errno::ENOTDIR),
    }
}

/// Why creating, changing or removing `path` fails (the mounted file systems are read-only).
pub fn write_error(path: &str) -> i32 {
    vfs::absolute_path(path).map_or_else(|error| error, |path| vfs::write_error(&path))
}

/// True if `fd` is the console.
pub fn is_console(fd: i32) -> bool {
    with_table(|table| matches!(table.get(fd as usize), Some(Some(Descriptor::Console))))
}

fn result_code(result: Result<i32, i32>) -> i32 {
    result.unwrap_or_else(|error| -error)
}

#[unsafe(no_mangle)]
extern "C" fn sys_open(name: *const u8, flags: i32, _mode: i32) -> i32 {
    result_code(c_path(name).and_then(|path| open(&path, flags)))
}

#[unsafe(no_mangle)]
extern "C" fn sys_opendir(name: *const u8) -> i32 {
    sys_open(name, hermit::O_RDONLY | hermit::O_DIRECTORY, 0)
}

#[unsafe(no_mangle)]
extern "C" fn sys_close(fd: i32) -> i32 {
    result_code(close(fd).map(|()| 0))
}

/// # Safety
/// `buffer` must be valid for `length` bytes of writes.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_read(fd: i32, buffer: *mut u8, length: usize) -> isize {
    if buffer.is_null() {
        return if length == 0 {
            0
        } else {
            -errno::EFAULT as isize
        };
    }
    // SAFETY: the caller's buffer holds `length` bytes.
    let buffer = unsafe { core::slice::from_raw_parts_mut(buffer, length) };
    read(fd, buffer).map_or_else(|error| -error as isize, |count| count as isize)
}

/// # Safety
/// `buffer` must be valid for `length` bytes of reads.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_write(fd: i32, buffer: *const u8, length: usize) -> isize {
    if buffer.is_null() {
        return if length == 0 {
            0
        } else {
            -errno::EFAULT as isize
        };
    }
    // SAFETY: the caller's buffer holds `length` bytes.
    let bytes = unsafe { core::slice::from_raw_parts(buffer, length) };
    write(fd, bytes).map_or_else(|error| -error as isize, |count| count as isize)
}

/// # Safety
/// `vectors` must point at `count` valid iovecs describing readable buffers.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_writev(fd: i32, vectors: *const hermit::iovec, count: usize) -> isize {
    if vectors.is_null() && count > 0 {
        return -errno::EFAULT as isize;
    }
    let mut total = 0isize;
    for index in 0..count {
        // SAFETY: the caller passes `count` valid iovecs.
        let vector = unsafe { vectors.add(index).read() };
        // SAFETY: each iovec describes a readable buffer.
        let written = unsafe { sys_write(fd, vector.iov_base.cast(), vector.iov_len) };
        if written < 0 {
            return if total > 0 { total } else { written };
        }
        total += written;
    }
    total
}

#[unsafe(no_mangle)]
extern "C" fn sys_lseek(fd: i32, offset: isize, whence: i32) -> isize {
    seek(fd, offset as i64, whence)
        .map_or_else(|error| -error as isize, |position| position as isize)
}

#[unsafe(no_mangle)]
extern "C" fn sys_fstat(fd: i32, target: *mut hermit::stat) -> i32 {
    match fstat(fd) {
        Ok(metadata) => fill_stat(target, &metadata),
        Err(error) => -error,
    }
}

#[unsafe(no_mangle)]
extern "C" fn sys_stat(name: *const u8, target: *mut hermit::stat) -> i32 {
    match c_path(name).and_then(|path| stat(&path)) {
        Ok(metadata) => fill_stat(target, &metadata),
        Err(error) => -error,
    }
}

#[unsafe(no_mangle)]
extern "C" fn sys_lstat(name: *const u8, target: *mut hermit::stat) -> i32 {
    sys_stat(name, target)
}

/// Writes directory entries as Linux-style variable-length `dirent64` records.
///
/// # Safety
/// `buffer` must be valid for `size` bytes of writes.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_getdents64(fd: i32, buffer: *mut hermit::dirent64, size: usize) -> i64 {
    /// Bytes before the name: d_ino (8), d_off (8), d_reclen (2), d_type (1).
    const NAME_OFFSET: usize = 19;
    with_table(|table| match table.get_mut(fd as usize) {
        Some(Some(Descriptor::Open {
            node: Node::Directory { entries, .. },
            position,
        })) if fd >= 0 => {
            let mut written = 0usize;
            while let Some((name, kind, inode)) = entries.get(*position) {
                let record_length = (NAME_OFFSET + name.len() + 1).next_multiple_of(8);
                if written + record_length > size {
                    if written == 0 {
                        return -i64::from(errno::EINVAL);
                    }
                    break;
                }
                let mut record = vec![0u8; record_length];
                record[0..8].copy_from_slice(&inode.to_ne_bytes());
                record[8..16].copy_from_slice(&((*position + 1) as i64).to_ne_bytes());
                record[16..18].copy_from_slice(&(record_length as u16).to_ne_bytes());
                record[18] = match kind {
                    NodeKind::File => hermit::DT_REG,
                    NodeKind::Directory => hermit::DT_DIR,
                };
                record[NAME_OFFSET..NAME_OFFSET + name.len()].copy_from_slice(name.as_bytes());
                // SAFETY: `written + record_length <= size`, inside the caller's buffer.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        record.as_ptr(),
                        buffer.cast::<u8>().add(written),
                        record_length,
                    )
                };
                written += record_length;
                *position += 1;
            }
            written as i64
        }
        Some(Some(_)) if fd >= 0 => -i64::from(errno::ENOTDIR),
        _ => -i64::from(errno::EBADF),
    })
}

#[unsafe(no_mangle)]
extern "C" fn sys_unlink(name: *const u8) -> i32 {
    match c_path(name).and_then(|path| vfs::absolute_path(&path)) {
        Ok(path) => -vfs::write_error(&path),
        Err(error) => -error,
    }
}

#[unsafe(no_mangle)]
extern "C" fn sys_rmdir(name: *const u8) -> i32 {
    sys_unlink(name)
}

#[unsafe(no_mangle)]
extern "C" fn sys_mkdir(name: *const u8, _mode: u32) -> i32 {
    sys_unlink(name)
}

#[unsafe(no_mangle)]
extern "C" fn sys_dup(fd: i32) -> i32 {
    with_table(|table| match table.get(fd as usize) {
        Some(Some(Descriptor::Console)) if fd >= 0 => {
            table.push(Some(Descriptor::Console));
            (table.len() - 1) as i32
        }
        Some(Some(_)) => -errno::ENOSYS,
        _ => -errno::EBADF,
    })
}
