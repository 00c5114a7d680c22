//! File calls: the `sys_*` shims Rust std calls, over the VFS and its descriptor table.
use std::ffi::CStr;

use super::hermit::{self, errno};
use crate::{console, vfs};
use vfscore::{FileKind, Metadata};

/// Reads a NUL-terminated path argument.
fn c_path(name: *const u8) -> Result<String, i32> {
    if name.is_null() {
        return Err(errno::EFAULT);
    }
    // SAFETY: std passes a NUL-terminated C string.
    let name = unsafe { CStr::from_ptr(name.cast()) };
    name.to_str().map(String::from).map_err(|_| errno::EINVAL)
}

fn fill_stat(target: *mut hermit::stat, metadata: &Metadata, type_bits: u32) -> i32 {
    if target.is_null() {
        return -errno::EFAULT;
    }
    let time = hermit::timespec {
        tv_sec: metadata.modified,
        tv_nsec: 0,
    };
    let value = hermit::stat {
        st_dev: metadata.device,
        st_ino: metadata.inode,
        st_nlink: if metadata.kind == FileKind::Directory {
            2
        } else {
            1
        },
        st_mode: type_bits | metadata.mode,
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

fn kind_bits(metadata: &Metadata) -> u32 {
    match metadata.kind {
        FileKind::Directory => hermit::S_IFDIR,
        FileKind::File => hermit::S_IFREG,
    }
}

/// Reads from `fd`; the console gives one edited line at a time.
pub fn read(fd: i32, buffer: &mut [u8]) -> Result<usize, i32> {
    if vfs::is_console(fd) {
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
    vfs::read(fd, buffer)
}

fn result_code(result: Result<i32, i32>) -> i32 {
    result.unwrap_or_else(|error| -error)
}

#[unsafe(no_mangle)]
extern "C" fn sys_open(name: *const u8, flags: i32, _mode: i32) -> i32 {
    result_code(c_path(name).and_then(|path| vfs::open(&path, flags)))
}

#[unsafe(no_mangle)]
extern "C" fn sys_opendir(name: *const u8) -> i32 {
    sys_open(name, hermit::O_RDONLY | hermit::O_DIRECTORY, 0)
}

#[unsafe(no_mangle)]
extern "C" fn sys_close(fd: i32) -> i32 {
    result_code(vfs::close(fd).map(|()| 0))
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
    vfs::write(fd, bytes).map_or_else(|error| -error as isize, |count| count as isize)
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
    vfs::seek(fd, offset as i64, whence)
        .map_or_else(|error| -error as isize, |position| position as isize)
}

#[unsafe(no_mangle)]
extern "C" fn sys_fstat(fd: i32, target: *mut hermit::stat) -> i32 {
    match vfs::fstat(fd).and_then(|metadata| Ok((metadata, vfs::mode_type(fd)?))) {
        Ok((metadata, bits)) => fill_stat(target, &metadata, bits),
        Err(error) => -error,
    }
}

#[unsafe(no_mangle)]
extern "C" fn sys_stat(name: *const u8, target: *mut hermit::stat) -> i32 {
    match c_path(name).and_then(|path| vfs::stat(&path)) {
        Ok(metadata) => fill_stat(target, &metadata, kind_bits(&metadata)),
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
    let entries = match vfs::read_directory(fd, size / (NAME_OFFSET + 2) + 1) {
        Ok(entries) => entries,
        Err(error) => return -i64::from(error),
    };
    let mut written = 0usize;
    let mut used = 0usize;
    for (offset, entry) in &entries {
        let name = entry.name.as_bytes();
        let record_length = (NAME_OFFSET + name.len() + 1).next_multiple_of(8);
        if written + record_length > size {
            if written == 0 {
                return -i64::from(errno::EINVAL);
            }
            break;
        }
        let mut record = vec![0u8; record_length];
        record[0..8].copy_from_slice(&entry.inode.to_ne_bytes());
        record[8..16].copy_from_slice(&(*offset as i64).to_ne_bytes());
        record[16..18].copy_from_slice(&(record_length as u16).to_ne_bytes());
        record[18] = match entry.kind {
            FileKind::File => hermit::DT_REG,
            FileKind::Directory => hermit::DT_DIR,
        };
        record[NAME_OFFSET..NAME_OFFSET + name.len()].copy_from_slice(name);
        // SAFETY: `written + record_length <= size`, inside the caller's buffer.
        unsafe {
            core::ptr::copy_nonoverlapping(
                record.as_ptr(),
                buffer.cast::<u8>().add(written),
                record_length,
            )
        };
        written += record_length;
        used += 1;
    }
    vfs::advance_directory(fd, used);
    written as i64
}

#[unsafe(no_mangle)]
extern "C" fn sys_unlink(name: *const u8) -> i32 {
    result_code(
        c_path(name)
            .and_then(|path| vfs::remove_file(&path))
            .map(|()| 0),
    )
}

#[unsafe(no_mangle)]
extern "C" fn sys_rmdir(name: *const u8) -> i32 {
    result_code(
        c_path(name)
            .and_then(|path| vfs::remove_directory(&path))
            .map(|()| 0),
    )
}

#[unsafe(no_mangle)]
extern "C" fn sys_mkdir(name: *const u8, _mode: u32) -> i32 {
    result_code(
        c_path(name)
            .and_then(|path| vfs::create_directory(&path))
            .map(|()| 0),
    )
}

#[unsafe(no_mangle)]
extern "C" fn sys_dup(fd: i32) -> i32 {
    result_code(vfs::duplicate(fd))
}
