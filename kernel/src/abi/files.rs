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
    let mut table = DESCRIPTORS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if table.is_empty() {
        table.extend([Some(Descriptor::Console), Some(Descriptor::Console), Some(Descriptor::Console)]);
    }
    f(&mut table)
}

/// Reads a NUL-terminated path argument.
fn path_argument(name: *const u8) -> Result<String, i32> {
    if name.is_null() {
        return Err(errno::EFAULT);
    }
    // SAFETY: std passes a NUL-terminated C string.
    let name = unsafe { CStr::from_ptr(name.cast()) };
    let name = name.to_str().map_err(|_| errno::EINVAL)?;
    vfs::absolute_path(name)
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
        st_nlink: if metadata.kind == NodeKind::Directory { 2 } else { 1 },
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

#[unsafe(no_mangle)]
extern "C" fn sys_open(name: *const u8, flags: i32, _mode: i32) -> i32 {
    let path = match path_argument(name) {
        Ok(path) => path,
        Err(error) => return -error,
    };
    let writes = flags & (hermit::O_WRONLY | hermit::O_RDWR | hermit::O_CREAT | hermit::O_TRUNC | hermit::O_APPEND) != 0;
    if writes {
        return -vfs::write_error(&path);
    }
    let node = match vfs::open(&path) {
        Ok(node) => node,
        Err(error) => return -error,
    };
    if flags & hermit::O_DIRECTORY != 0 && !matches!(node, Node::Directory { .. }) {
        return -errno::ENOTDIR;
    }
    with_table(|table| {
        let descriptor = Descriptor::Open { node, position: 0 };
        if let Some(index) = table.iter().position(Option::is_none) {
            table[index] = Some(descriptor);
            index as i32
        } else if table.len() < MAX_DESCRIPTORS {
            table.push(Some(descriptor));
            (table.len() - 1) as i32
        } else {
            -errno::EMFILE
        }
    })
}

#[unsafe(no_mangle)]
extern "C" fn sys_opendir(name: *const u8) -> i32 {
    sys_open(name, hermit::O_RDONLY | hermit::O_DIRECTORY, 0)
}

#[unsafe(no_mangle)]
extern "C" fn sys_close(fd: i32) -> i32 {
    with_table(|table| match table.get_mut(fd as usize) {
        Some(slot @ Some(_)) if fd >= 0 => {
            // Closing the console descriptors is allowed and harmless; they stay usable.
            if !matches!(slot, Some(Descriptor::Console)) {
                *slot = None;
            }
            0
        }
        _ => -errno::EBADF,
    })
}

/// # Safety
/// `buffer` must be valid for `length` bytes of writes.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_read(fd: i32, buffer: *mut u8, length: usize) -> isize {
    if buffer.is_null() && length > 0 {
        return -errno::EFAULT as isize;
    }
    let is_console = with_table(|table| matches!(table.get(fd as usize), Some(Some(Descriptor::Console))));
    if is_console {
        // Rust code reading stdin gets edited lines, like a terminal in canonical mode.
        return match console::read_line(None) {
            console::LineResult::Line(mut line) => {
                line.push('\n');
                let count = line.len().min(length);
                // SAFETY: the caller's buffer holds `length` >= `count` bytes.
                unsafe { core::ptr::copy_nonoverlapping(line.as_ptr(), buffer, count) };
                count as isize
            }
            console::LineResult::EndOfFile => 0,
            console::LineResult::Interrupt => -errno::EINTR as isize,
        };
    }
    with_table(|table| match table.get_mut(fd as usize) {
        Some(Some(Descriptor::Open { node: Node::StaticFile { data, .. }, position })) if fd >= 0 => {
            let available = &data[(*position).min(data.len())..];
            let count = available.len().min(length);
            // SAFETY: the caller's buffer holds `length` >= `count` bytes.
            unsafe { core::ptr::copy_nonoverlapping(available.as_ptr(), buffer, count) };
            *position += count;
            count as isize
        }
        Some(Some(Descriptor::Open { node: Node::Directory { .. }, .. })) => -errno::EISDIR as isize,
        _ => -errno::EBADF as isize,
    })
}

/// # Safety
/// `buffer` must be valid for `length` bytes of reads.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_write(fd: i32, buffer: *const u8, length: usize) -> isize {
    if buffer.is_null() && length > 0 {
        return -errno::EFAULT as isize;
    }
    // SAFETY: the caller's buffer holds `length` bytes.
    let bytes = unsafe { core::slice::from_raw_parts(buffer, length) };
    let kind = with_table(|table| match table.get(fd as usize) {
        Some(Some(Descriptor::Console)) if fd >= 0 => Ok(()),
        Some(Some(Descriptor::Open { .. })) => Err(errno::EBADF),
        _ => Err(errno::EBADF),
    });
    match kind {
        Ok(()) => {
            console::write(bytes);
            length as isize
        }
        Err(error) => -error as isize,
    }
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
    with_table(|table| match table.get_mut(fd as usize) {
        Some(Some(Descriptor::Open { node: Node::StaticFile { data, .. }, position })) if fd >= 0 => {
            let base = match whence {
                hermit::SEEK_SET => 0,
                hermit::SEEK_CUR => *position as isize,
                hermit::SEEK_END => data.len() as isize,
                _ => return -errno::EINVAL as isize,
            };
            match base.checked_add(offset) {
                Some(new_position) if new_position >= 0 => {
                    *position = new_position as usize;
                    new_position
                }
                _ => -errno::EINVAL as isize,
            }
        }
        Some(Some(Descriptor::Console)) if fd >= 0 => -errno::ESPIPE as isize,
        Some(Some(Descriptor::Open { .. })) => -errno::EISDIR as isize,
        _ => -errno::EBADF as isize,
    })
}

#[unsafe(no_mangle)]
extern "C" fn sys_fstat(fd: i32, target: *mut hermit::stat) -> i32 {
    let metadata = with_table(|table| match table.get(fd as usize) {
        Some(Some(Descriptor::Console)) if fd >= 0 => Ok(console_metadata()),
        Some(Some(Descriptor::Open { node: Node::StaticFile { metadata, .. } | Node::Directory { metadata, .. }, .. })) => Ok(*metadata),
        _ => Err(errno::EBADF),
    });
    match metadata {
        Ok(metadata) => fill_stat(target, &metadata),
        Err(error) => -error,
    }
}

#[unsafe(no_mangle)]
extern "C" fn sys_stat(name: *const u8, target: *mut hermit::stat) -> i32 {
    match path_argument(name).and_then(|path| vfs::metadata(&path)) {
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
        Some(Some(Descriptor::Open { node: Node::Directory { entries, .. }, position })) if fd >= 0 => {
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
                    core::ptr::copy_nonoverlapping(record.as_ptr(), buffer.cast::<u8>().add(written), record_length)
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
    match path_argument(name) {
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
