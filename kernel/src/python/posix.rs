//! The `posix` module: the file and process layer that the standard library's `os.py` and
//! importlib expect, over the kernel's descriptor table and VFS.
//!
//! The native part here does the system calls; `posix.py` (run into the same module at start-up)
//! adds what is easier in Python: `stat_result`, `scandir`/`DirEntry`, and the `FileIO` class
//! and `open()` that `io` and `builtins.open` use.

pub(crate) use posix_module::module_def;

/// Python source completing the module (see the file's docstring).
pub const PYTHON_PART: &str = include_str!("posix.py");

/// The message for an errno value, as `os.strerror` gives it.
pub fn strerror(code: i32) -> &'static str {
    use crate::abi::hermit::errno::*;
    match code {
        ENOENT => "No such file or directory",
        EBADF => "Bad file descriptor",
        EINTR => "Interrupted system call",
        EIO => "Input/output error",
        ENOMEM => "Cannot allocate memory",
        EFAULT => "Bad address",
        EEXIST => "File exists",
        ENOTDIR => "Not a directory",
        EISDIR => "Is a directory",
        EINVAL => "Invalid argument",
        EMFILE => "Too many open files",
        ESPIPE => "Illegal seek",
        EROFS => "Read-only file system",
        ENAMETOOLONG => "File name too long",
        ENOSYS => "Function not implemented",
        EAGAIN => "Resource temporarily unavailable",
        ETIMEDOUT => "Connection timed out",
        ENOSPC => "No space left on device",
        ENOTEMPTY => "Directory not empty",
        EXDEV => "Invalid cross-device link",
        EBUSY => "Device or resource busy",
        EPIPE => "Broken pipe",
        EACCES => "Permission denied",
        ENODEV => "No such device",
        ECONNREFUSED => "Connection refused",
        ECONNRESET => "Connection reset by peer",
        // The rest as the Hermit ABI names them.
        other => crate::abi::hermit::errno::error_string(other),
    }
}

/// The `OSError` subclass CPython raises for `code` (e.g. `TimeoutError` for ETIMEDOUT), with
/// `message` as its text.
pub fn os_error_with_message(
    vm: &rustpython_vm::VirtualMachine,
    code: i32,
    message: &str,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    os_error_from_arguments(vm, code, message, None)
}

fn os_error_from_arguments(
    vm: &rustpython_vm::VirtualMachine,
    code: i32,
    message: &str,
    filename: Option<rustpython_vm::PyObjectRef>,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    use crate::abi::hermit::errno;
    use rustpython_vm::AsObject;
    let exceptions = &vm.ctx.exceptions;
    let class = match code {
        errno::ENOENT => exceptions.file_not_found_error,
        errno::EEXIST => exceptions.file_exists_error,
        errno::EISDIR => exceptions.is_a_directory_error,
        errno::ENOTDIR => exceptions.not_a_directory_error,
        errno::EINTR => exceptions.interrupted_error,
        errno::EAGAIN => exceptions.blocking_io_error,
        errno::ETIMEDOUT => exceptions.timeout_error,
        errno::ECONNREFUSED => exceptions.connection_refused_error,
        errno::ECONNRESET => exceptions.connection_reset_error,
        errno::ECONNABORTED => exceptions.connection_aborted_error,
        errno::EPIPE => exceptions.broken_pipe_error,
        _ => exceptions.os_error,
    };
    let mut arguments = vec![vm.ctx.new_int(code).into(), vm.ctx.new_str(message).into()];
    if let Some(filename) = filename {
        arguments.push(filename);
    }
    match class.to_owned().as_object().call(arguments, vm) {
        Ok(exception) => exception
            .downcast()
            .unwrap_or_else(|_| vm.new_os_error(message.to_owned())),
        Err(exception) => exception,
    }
}

#[rustpython_vm::pymodule(name = "posix")]
mod posix_module {
    use rustpython_vm::{
        builtins::{PyBaseExceptionRef, PyBytes, PyBytesRef, PyListRef},
        function::{ArgBytesLike, OptionalArg},
        AsObject, PyObjectRef, PyResult, TryFromObject, VirtualMachine,
    };

    use crate::{abi::hermit, bsp::rpi1::RNG, drivers::interface::EntropySource, vfs};
    use vfscore::{FileKind, Metadata};

    /// Builds the `OSError` subclass CPython raises for `code`, with `filename` if given.
    pub(crate) fn os_error(
        vm: &VirtualMachine,
        code: i32,
        filename: Option<PyObjectRef>,
    ) -> PyBaseExceptionRef {
        super::os_error_from_arguments(vm, code, super::strerror(code), filename)
    }

    /// A path argument: `str`, `bytes` or an `os.PathLike`.
    fn path_text(path: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
        let path = if path.class().fast_issubclass(vm.ctx.types.str_type)
            || path.class().fast_issubclass(vm.ctx.types.bytes_type)
        {
            path.clone()
        } else {
            vm.call_method(path, "__fspath__", ()).map_err(|_| {
                vm.new_type_error(format!(
                    "expected str, bytes or os.PathLike object, not {}",
                    path.class().name()
                ))
            })?
        };
        if let Some(text) = path.downcast_ref::<rustpython_vm::builtins::PyStr>() {
            text.to_str()
                .map(str::to_owned)
                .ok_or_else(|| vm.new_value_error("path contains a lone surrogate"))
        } else if let Some(bytes) = path.downcast_ref::<PyBytes>() {
            String::from_utf8(bytes.as_bytes().to_vec())
                .map_err(|_| vm.new_value_error("path is not valid UTF-8"))
        } else {
            Err(vm.new_type_error("__fspath__() must return str or bytes"))
        }
    }

    fn stat_tuple(metadata: Metadata, type_bits: u32, vm: &VirtualMachine) -> PyObjectRef {
        let time = metadata.modified;
        let links = if metadata.kind == FileKind::Directory {
            2
        } else {
            1
        };
        let fields: Vec<PyObjectRef> = vec![
            vm.ctx.new_int(type_bits | metadata.mode).into(),
            vm.ctx.new_int(metadata.inode).into(),
            vm.ctx.new_int(metadata.device).into(),
            vm.ctx.new_int(links).into(),
            vm.ctx.new_int(0).into(),
            vm.ctx.new_int(0).into(),
            vm.ctx.new_int(metadata.size).into(),
            vm.ctx.new_int(time).into(),
            vm.ctx.new_int(time).into(),
            vm.ctx.new_int(time).into(),
        ];
        vm.ctx.new_tuple(fields).into()
    }

    fn kind_bits(metadata: &Metadata) -> u32 {
        match metadata.kind {
            FileKind::Directory => hermit::S_IFDIR,
            FileKind::File => hermit::S_IFREG,
        }
    }

    /// `(mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime)` of a path or descriptor.
    #[pyfunction]
    fn _stat(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        if let Ok(fd) = i32::try_from_object(vm, path.clone()) {
            return vfs::fstat(fd)
                .and_then(|metadata| Ok(stat_tuple(metadata, vfs::mode_type(fd)?, vm)))
                .map_err(|code| os_error(vm, code, None));
        }
        let text = path_text(&path, vm)?;
        vfs::stat(&text)
            .map(|metadata| stat_tuple(metadata, kind_bits(&metadata), vm))
            .map_err(|code| os_error(vm, code, Some(path)))
    }

    #[pyfunction]
    fn open(
        path: PyObjectRef,
        flags: i32,
        _mode: OptionalArg<i32>,
        vm: &VirtualMachine,
    ) -> PyResult<i32> {
        let text = path_text(&path, vm)?;
        vfs::open(&text, flags).map_err(|code| os_error(vm, code, Some(path)))
    }

    #[pyfunction]
    fn read(fd: i32, length: isize, vm: &VirtualMachine) -> PyResult<PyBytesRef> {
        if length < 0 {
            return Err(vm.new_value_error("negative length"));
        }
        let mut buffer = vec![0u8; length as usize];
        let count =
            crate::abi::files::read(fd, &mut buffer).map_err(|code| os_error(vm, code, None))?;
        buffer.truncate(count);
        Ok(vm.ctx.new_bytes(buffer))
    }

    #[pyfunction]
    fn write(fd: i32, data: ArgBytesLike, vm: &VirtualMachine) -> PyResult<usize> {
        let bytes = data.borrow_buf().to_vec();
        vfs::write(fd, &bytes).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn close(fd: i32, vm: &VirtualMachine) -> PyResult<()> {
        vfs::close(fd).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn lseek(fd: i32, position: i64, how: i32, vm: &VirtualMachine) -> PyResult<u64> {
        vfs::seek(fd, position, how).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn fsync(fd: i32, vm: &VirtualMachine) -> PyResult<()> {
        vfs::fsync(fd).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn ftruncate(fd: i32, size: i64, vm: &VirtualMachine) -> PyResult<()> {
        let size = u64::try_from(size).map_err(|_| os_error(vm, hermit::errno::EINVAL, None))?;
        vfs::truncate(fd, size).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn dup(fd: i32, vm: &VirtualMachine) -> PyResult<i32> {
        vfs::duplicate(fd).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn sync(vm: &VirtualMachine) -> PyResult<()> {
        vfs::sync().map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn _mkdir(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let text = path_text(&path, vm)?;
        vfs::create_directory(&text).map_err(|code| os_error(vm, code, Some(path)))
    }

    #[pyfunction]
    fn _rmdir(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let text = path_text(&path, vm)?;
        vfs::remove_directory(&text).map_err(|code| os_error(vm, code, Some(path)))
    }

    #[pyfunction]
    fn _remove(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let text = path_text(&path, vm)?;
        vfs::remove_file(&text).map_err(|code| os_error(vm, code, Some(path)))
    }

    #[pyfunction]
    fn _rename(source: PyObjectRef, destination: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let from = path_text(&source, vm)?;
        let to = path_text(&destination, vm)?;
        vfs::rename(&from, &to).map_err(|code| os_error(vm, code, Some(source)))
    }

    /// `(bsize, frsize, blocks, bfree, bavail, files, ffree, favail, flag, namemax)`.
    #[pyfunction]
    fn _statvfs(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let text = path_text(&path, vm)?;
        let statvfs = vfs::statvfs(&text).map_err(|code| os_error(vm, code, Some(path)))?;
        let fields: Vec<PyObjectRef> = [
            statvfs.block_size,
            statvfs.fragment_size,
            statvfs.blocks,
            statvfs.blocks_free,
            statvfs.blocks_available,
            statvfs.files,
            statvfs.files_free,
            statvfs.files_free,
            u64::from(statvfs.read_only),
            statvfs.name_max,
        ]
        .into_iter()
        .map(|value| vm.ctx.new_int(value).into())
        .collect();
        Ok(vm.ctx.new_tuple(fields).into())
    }

    /// The kernel's mounts: `[(mount point, file system name)]`.
    #[pyfunction]
    fn _mounts(vm: &VirtualMachine) -> PyListRef {
        vm.ctx.new_list(
            vfs::mounts()
                .into_iter()
                .map(|(point, name)| vm.new_tuple((point, name)).into())
                .collect(),
        )
    }

    /// A connected pair of local stream descriptors (for `socket.socketpair()`).
    #[pyfunction]
    fn _stream_pair(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let (first, second) = vfs::stream_pair().map_err(|code| os_error(vm, code, None))?;
        Ok(vm.new_tuple((first, second)).into())
    }

    #[pyfunction]
    fn set_blocking(fd: i32, blocking: bool, vm: &VirtualMachine) -> PyResult<()> {
        vfs::set_blocking(fd, blocking).map_err(|code| os_error(vm, code, None))
    }

    #[pyfunction]
    fn listdir(path: OptionalArg<PyObjectRef>, vm: &VirtualMachine) -> PyResult<PyListRef> {
        let path = path.unwrap_or_else(|| vm.ctx.new_str(".").into());
        let text = path_text(&path, vm)?;
        let entries = vfs::list_directory(&text).map_err(|code| os_error(vm, code, Some(path)))?;
        Ok(vm.ctx.new_list(
            entries
                .into_iter()
                .map(|entry| vm.ctx.new_str(entry.name).into())
                .collect(),
        ))
    }

    /// `(name, is_directory, inode)` triples of a directory, for `scandir` and `ilistdir`.
    #[pyfunction]
    fn _list_entries(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyListRef> {
        let text = path_text(&path, vm)?;
        let entries = vfs::list_directory(&text).map_err(|code| os_error(vm, code, Some(path)))?;
        Ok(vm.ctx.new_list(
            entries
                .into_iter()
                .map(|entry| {
                    vm.new_tuple((entry.name, entry.kind == FileKind::Directory, entry.inode))
                        .into()
                })
                .collect(),
        ))
    }

    #[pyfunction]
    fn getcwd() -> String {
        vfs::current_directory()
    }

    #[pyfunction]
    fn chdir(path: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let text = path_text(&path, vm)?;
        vfs::change_directory(&text).map_err(|code| os_error(vm, code, Some(path)))
    }

    #[pyfunction]
    fn isatty(fd: i32) -> bool {
        vfs::is_console(fd)
    }

    #[pyfunction]
    fn urandom(size: isize, vm: &VirtualMachine) -> PyResult<PyBytesRef> {
        if size < 0 {
            return Err(vm.new_value_error("negative argument not allowed"));
        }
        let mut buffer = vec![0u8; size as usize];
        RNG.fill(&mut buffer);
        Ok(vm.ctx.new_bytes(buffer))
    }

    #[pyfunction]
    fn strerror(code: i32) -> &'static str {
        super::strerror(code)
    }

    #[pyfunction]
    fn _exit(status: i32) {
        crate::bsp::rpi1::reboot(&format!("os._exit({status})"));
    }

    #[pyfunction]
    fn fspath(path: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        if path.class().fast_issubclass(vm.ctx.types.str_type)
            || path.class().fast_issubclass(vm.ctx.types.bytes_type)
        {
            return Ok(path);
        }
        let result = vm.call_method(&path, "__fspath__", ()).map_err(|_| {
            vm.new_type_error(format!(
                "expected str, bytes or os.PathLike object, not {}",
                path.class().name()
            ))
        })?;
        if result.class().fast_issubclass(vm.ctx.types.str_type)
            || result.class().fast_issubclass(vm.ctx.types.bytes_type)
        {
            Ok(result)
        } else {
            Err(vm.new_type_error("__fspath__() must return str or bytes"))
        }
    }

    #[pyattr]
    const O_RDONLY: i32 = hermit::O_RDONLY;
    #[pyattr]
    const O_WRONLY: i32 = hermit::O_WRONLY;
    #[pyattr]
    const O_RDWR: i32 = hermit::O_RDWR;
    #[pyattr]
    const O_CREAT: i32 = hermit::O_CREAT;
    #[pyattr]
    const O_EXCL: i32 = hermit::O_EXCL;
    #[pyattr]
    const O_TRUNC: i32 = hermit::O_TRUNC;
    #[pyattr]
    const O_APPEND: i32 = hermit::O_APPEND;
    #[pyattr]
    const O_NONBLOCK: i32 = hermit::O_NONBLOCK;
    #[pyattr]
    const O_DIRECTORY: i32 = hermit::O_DIRECTORY;
    #[pyattr]
    const ST_RDONLY: i32 = 1;
}
