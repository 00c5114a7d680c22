# The Python half of PiPyOS's `posix` module: run into the native module's namespace at start-up
# (before importlib's path finders are installed). Everything here uses only builtins and the
# native functions defined in posix.rs.

# Plain tracebacks on a serial console; os.environ["PYTHON_COLORS"] = "1" turns colour on.
environ = {b"PYTHON_COLORS": b"0"}
sep = "/"
F_OK, X_OK, W_OK, R_OK = 0, 1, 2, 4
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
_have_functions = []
error = OSError


class stat_result(tuple):
    """Result of stat(): (st_mode, st_ino, st_dev, st_nlink, st_uid, st_gid, st_size,
    st_atime, st_mtime, st_ctime), also as attributes."""

    n_sequence_fields = 10
    n_fields = 10
    n_unnamed_fields = 0

    def __new__(cls, values):
        return tuple.__new__(cls, values)

    st_mode = property(lambda self: self[0])
    st_ino = property(lambda self: self[1])
    st_dev = property(lambda self: self[2])
    st_nlink = property(lambda self: self[3])
    st_uid = property(lambda self: self[4])
    st_gid = property(lambda self: self[5])
    st_size = property(lambda self: self[6])
    st_atime = property(lambda self: self[7])
    st_mtime = property(lambda self: self[8])
    st_ctime = property(lambda self: self[9])
    st_atime_ns = property(lambda self: self[7] * 1000000000)
    st_mtime_ns = property(lambda self: self[8] * 1000000000)
    st_ctime_ns = property(lambda self: self[9] * 1000000000)
    st_blksize = property(lambda self: 512)
    st_blocks = property(lambda self: (self[6] + 511) // 512)

    def __repr__(self):
        names = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
                 "st_atime", "st_mtime", "st_ctime")
        return "os.stat_result(" + ", ".join(
            "%s=%r" % (name, value) for name, value in zip(names, self)) + ")"


def stat(path, *, dir_fd=None, follow_symlinks=True):
    """Returns the stat_result of a path or an open descriptor."""
    return stat_result(_stat(path))


def lstat(path, *, dir_fd=None):
    return stat_result(_stat(path))


def fstat(fd):
    return stat_result(_stat(int(fd)))


def access(path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    try:
        _stat(path)
    except OSError:
        return False
    return not (mode & W_OK)


def _refuse(path, *args, **kwargs):
    _refuse_write(path)


def readlink(path, *, dir_fd=None):
    """There are no symbolic links: an existing path gives EINVAL, as for a plain file."""
    _stat(path)
    raise OSError(22, "Invalid argument", path)


def symlink(src, dst, target_is_directory=False, *, dir_fd=None):
    _refuse_write(dst)


def link(src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True):
    _refuse_write(dst)


def mkdir(path, mode=0o777, *, dir_fd=None):
    _refuse_write(path)


def makedirs(path, mode=0o777, exist_ok=False):
    _refuse_write(path)


rmdir = unlink = remove = _refuse


def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
    _refuse_write(src)


replace = rename


def utime(path, times=None, *, ns=None, dir_fd=None, follow_symlinks=True):
    _refuse_write(path)


def chmod(path, mode, *, dir_fd=None, follow_symlinks=True):
    _refuse_write(path)


def getpid():
    return 1


def getppid():
    return 0


def cpu_count():
    return 1


def device_encoding(fd):
    return "utf-8" if isatty(fd) else None


def get_terminal_size(fd=1):
    import os
    return os.terminal_size((80, 24))


def get_blocking(fd):
    return True


def set_inheritable(fd, inheritable):
    pass


def get_inheritable(fd):
    return False


def umask(mask):
    return 0o022


def uname():
    import _pipyos
    board = _pipyos.board_info()
    return ("pipyos", "pipyos", "0.1.0", "RustPython", "armv6l (" + board[0] + ")")


def times():
    import time
    now = time.monotonic()
    return (now, 0.0, 0.0, 0.0, now)


def waitstatus_to_exitcode(status):
    return status


class DirEntry:
    """One entry of scandir(): name, path, is_dir(), is_file(), stat()."""

    __slots__ = ("name", "path", "_is_directory")

    def __init__(self, directory, name, is_directory):
        self.name = name
        if directory in ("", "."):
            self.path = name
        elif directory.endswith("/"):
            self.path = directory + name
        else:
            self.path = directory + "/" + name
        self._is_directory = is_directory

    def is_dir(self, *, follow_symlinks=True):
        return self._is_directory

    def is_file(self, *, follow_symlinks=True):
        return not self._is_directory

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return stat(self.path)

    def inode(self):
        return stat(self.path).st_ino

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return "<DirEntry %r>" % self.name


class _ScandirIterator:
    def __init__(self, path):
        directory = fspath(path)
        self._entries = iter([DirEntry(directory, name, is_directory)
                              for name, is_directory in _list_entries(directory)])

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def close(self):
        self._entries = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def scandir(path="."):
    """Iterates over DirEntry objects for the entries of a directory."""
    return _ScandirIterator(path)


# --- files: the raw file class and open() that the io module uses ------------------------------

import _io


class FileIO(_io._RawIOBase):
    """Raw binary file over a kernel descriptor (read-only file systems, plus the console)."""

    def __init__(self, file, mode="r", closefd=True, opener=None):
        self._fd = -1
        self._closefd = closefd
        if isinstance(file, float):
            raise TypeError("integer argument expected, got float")
        if not isinstance(mode, str) or not set(mode) <= set("rwxab+"):
            raise ValueError("invalid mode: %r" % (mode,))
        if sum(c in "rwxa" for c in mode) != 1 or mode.count("+") > 1:
            raise ValueError("Must have exactly one of create/read/write/append mode and at "
                             "most one plus")
        self.mode = mode.replace("b", "")
        self._readable = "r" in mode or "+" in mode
        self._writable = "r" not in mode or "+" in mode
        flags = O_RDONLY
        if "+" in mode:
            flags = O_RDWR
        elif self._writable:
            flags = O_WRONLY
        if "w" in mode:
            flags |= O_CREAT | O_TRUNC
        elif "x" in mode:
            flags |= O_CREAT | O_EXCL
        elif "a" in mode:
            flags |= O_CREAT | O_APPEND
        if isinstance(file, int):
            if file < 0:
                raise ValueError("negative file descriptor")
            self._fd = file
            self.name = file
        else:
            self.name = file
            if opener is not None:
                self._fd = opener(file, flags)
            else:
                self._fd = open(file, flags, 0o666)
            if self._fd < 0:
                raise OSError("opener returned %d" % self._fd)
        if not isinstance(file, int) and fstat(self._fd).st_mode & 0o170000 == 0o040000:
            close(self._fd)
            self._fd = -1
            raise IsADirectoryError(21, "Is a directory", file)

    def _check_open(self):
        if self._fd < 0:
            raise ValueError("I/O operation on closed file")

    def fileno(self):
        self._check_open()
        return self._fd

    @property
    def closefd(self):
        return self._closefd

    def readable(self):
        self._check_open()
        return self._readable

    def writable(self):
        self._check_open()
        return self._writable

    def seekable(self):
        self._check_open()
        return not isatty(self._fd)

    def isatty(self):
        self._check_open()
        return isatty(self._fd)

    def readinto(self, buffer):
        self._check_open()
        view = memoryview(buffer).cast("B")
        data = read(self._fd, len(view))
        view[:len(data)] = data
        return len(data)

    def readall(self):
        self._check_open()
        chunks = []
        while True:
            chunk = read(self._fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def read(self, size=-1):
        self._check_open()
        if size is None or size < 0:
            return self.readall()
        return read(self._fd, size)

    def write(self, data):
        self._check_open()
        return write(self._fd, data)

    def seek(self, position, whence=0):
        self._check_open()
        return lseek(self._fd, position, whence)

    def tell(self):
        self._check_open()
        return lseek(self._fd, 0, 1)

    def truncate(self, size=None):
        raise OSError(30, "Read-only file system")

    def close(self):
        if self._fd >= 0:
            try:
                if self._closefd:
                    close(self._fd)
            finally:
                self._fd = -1
        super().close()

    @property
    def closed(self):
        return self._fd < 0

    def __repr__(self):
        return "<_io.FileIO name=%r mode=%r closefd=%r>" % (self.name, self.mode, self._closefd)


def _io_open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None,
             closefd=True, opener=None):
    """open(): text or binary files, as the built-in of CPython."""
    if not isinstance(file, int):
        file = fspath(file)
    if not isinstance(mode, str):
        raise TypeError("open() argument 'mode' must be str, not %s" % type(mode).__name__)
    modes = set(mode)
    if not modes <= set("axrwb+t") or len(mode) > len(modes):
        raise ValueError("invalid mode: %r" % (mode,))
    binary = "b" in modes
    if binary and "t" in modes:
        raise ValueError("can't have text and binary mode at once")
    if binary and encoding is not None:
        raise ValueError("binary mode doesn't take an encoding argument")
    if binary and errors is not None:
        raise ValueError("binary mode doesn't take an errors argument")
    if binary and newline is not None:
        raise ValueError("binary mode doesn't take a newline argument")
    raw = FileIO(file, "".join(c for c in mode if c not in "bt"), closefd, opener=opener)
    result = raw
    try:
        line_buffering = buffering == 1 or (buffering < 0 and raw.isatty())
        if buffering == 0:
            if binary:
                return raw
            raise ValueError("can't have unbuffered text I/O")
        size = buffering if buffering > 1 else _io.DEFAULT_BUFFER_SIZE
        if raw.readable() and raw.writable():
            buffered = _io.BufferedRandom(raw, size)
        elif raw.writable():
            buffered = _io.BufferedWriter(raw, size)
        else:
            buffered = _io.BufferedReader(raw, size)
        result = buffered
        if binary:
            return result
        text = _io.TextIOWrapper(buffered, encoding or "utf-8", errors, newline, line_buffering)
        result = text
        text.mode = mode
        return result
    except BaseException:
        result.close()
        raise


def _open_code(path):
    return _io_open(path, "rb")


def _install_io():
    import builtins
    _io.FileIO = FileIO
    _io.open = _io_open
    _io.open_code = _open_code
    builtins.open = _io_open


__all__ = [name for name in globals()
           if not name.startswith("_") and name not in ("FileIO", "stat", "environ")] + [
    "stat", "environ"]
