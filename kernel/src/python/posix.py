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

    # Shown as a plain tuple, as MicroPython's os.stat returns one: host tools (mpremote)
    # read the repr back with ast.literal_eval. The attributes are CPython's.
    __repr__ = tuple.__repr__


# --- Python-implemented file systems: os.mount(obj, path), as MicroPython has them ----------------
# `obj` follows MicroPython's VFS protocol (mount, umount, ilistdir, chdir, getcwd, mkdir, remove,
# rename, rmdir, stat, statvfs, open); paths handed to it start with "/" at its mount point. This is
# what `mpremote mount` uses. Kernel file systems (initfs, /tmp, the SD card) are mounted by the
# kernel; every path outside a Python mount goes to the kernel.

_python_mounts = []  # [(mount point, object)], longest first
_cwd = "/"


def _absolute(path):
    path = fspath(path)
    if isinstance(path, bytes):
        path = path.decode()
    if not path:
        raise FileNotFoundError(2, "No such file or directory", path)
    if not path.startswith("/"):
        path = _cwd.rstrip("/") + "/" + path
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/" + "/".join(parts)


def _python_mount(path):
    """(object, path inside it) if `path` lies in a Python mount, else None."""
    for point, obj in _python_mounts:
        if path == point:
            return obj, "/"
        if path.startswith(point + "/"):
            return obj, path[len(point):]
    return None


def mount(fs, mount_point, *, readonly=False, mkfs=False):
    """Mounts a Python file system object (MicroPython's VFS protocol) at `mount_point`."""
    point = _absolute(mount_point)
    if point == "/":
        raise OSError(16, "Device or resource busy: / is the kernel's root", mount_point)
    for existing, _ in _python_mounts:
        if existing == point:
            raise OSError(1, "Operation not permitted: already mounted", mount_point)
    if hasattr(fs, "mount"):
        fs.mount(readonly, mkfs)
    _python_mounts.append((point, fs))
    _python_mounts.sort(key=lambda entry: -len(entry[0]))


def umount(mount_point):
    """Unmounts what `os.mount` mounted at `mount_point` (or the object itself)."""
    global _cwd
    for index, (point, obj) in enumerate(_python_mounts):
        if obj is mount_point or (not hasattr(mount_point, "ilistdir")
                                  and point == _absolute(mount_point)):
            del _python_mounts[index]
            if hasattr(obj, "umount"):
                obj.umount()
            if _cwd == point or _cwd.startswith(point + "/"):
                _cwd = "/"
            return
    raise OSError(22, "Invalid argument: not a Python mount", mount_point)


def _mount_stat_result(values):
    values = tuple(values) + (0,) * (10 - len(tuple(values)))
    return stat_result(values[:10])


def stat(path, *, dir_fd=None, follow_symlinks=True):
    """Returns the stat_result of a path or an open descriptor."""
    if isinstance(path, int):
        return stat_result(_stat(path))
    absolute = _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        return _mount_stat_result(mounted[0].stat(mounted[1]))
    if _is_mount_view(absolute):
        return stat_result((0o040755, 0, 0, 2, 0, 0, 0, 0, 0, 0))
    return stat_result(_stat(absolute))


def _is_mount_view(path):
    """A directory that exists because a Python mount lies below it."""
    return any(point.startswith(path.rstrip("/") + "/") for point, _ in _python_mounts)


def lstat(path, *, dir_fd=None):
    return stat(path)


def fstat(fd):
    return stat_result(_stat(int(fd)))


def access(path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    try:
        stat(path)
    except OSError:
        return False
    if mode & W_OK:
        try:
            return not statvfs(path).f_flag & ST_RDONLY
        except OSError:
            return False
    return True


def readlink(path, *, dir_fd=None):
    """There are no symbolic links: an existing path gives EINVAL, as for a plain file."""
    stat(path)
    raise OSError(22, "Invalid argument", path)


def symlink(src, dst, target_is_directory=False, *, dir_fd=None):
    raise OSError(38, "Function not implemented: no symbolic links", dst)


def link(src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True):
    raise OSError(38, "Function not implemented: no hard links", dst)


def mkdir(path, mode=0o777, *, dir_fd=None):
    absolute = _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        return mounted[0].mkdir(mounted[1])
    _mkdir(absolute)


def rmdir(path, *, dir_fd=None):
    absolute = _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        return mounted[0].rmdir(mounted[1])
    _rmdir(absolute)


def remove(path, *, dir_fd=None):
    absolute = _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        return mounted[0].remove(mounted[1])
    _remove(absolute)


unlink = remove


def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
    source, destination = _absolute(src), _absolute(dst)
    mounted_source, mounted_destination = _python_mount(source), _python_mount(destination)
    if mounted_source or mounted_destination:
        if not (mounted_source and mounted_destination
                and mounted_source[0] is mounted_destination[0]):
            raise OSError(18, "Invalid cross-device link", src)
        return mounted_source[0].rename(mounted_source[1], mounted_destination[1])
    _rename(source, destination)


replace = rename


def utime(path, times=None, *, ns=None, dir_fd=None, follow_symlinks=True):
    stat(path)  # timestamps are kept by the file systems themselves


def chmod(path, mode, *, dir_fd=None, follow_symlinks=True):
    stat(path)  # no permissions on this single-user system


def truncate(path, length):
    fd = open(path, O_WRONLY)
    try:
        ftruncate(fd, length)
    finally:
        close(fd)


class statvfs_result(tuple):
    """Result of statvfs(): f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree,
    f_favail, f_flag, f_namemax."""

    n_sequence_fields = 10
    n_fields = 10
    n_unnamed_fields = 0

    def __new__(cls, values):
        return tuple.__new__(cls, values)

    f_bsize = property(lambda self: self[0])
    f_frsize = property(lambda self: self[1])
    f_blocks = property(lambda self: self[2])
    f_bfree = property(lambda self: self[3])
    f_bavail = property(lambda self: self[4])
    f_files = property(lambda self: self[5])
    f_ffree = property(lambda self: self[6])
    f_favail = property(lambda self: self[7])
    f_flag = property(lambda self: self[8])
    f_namemax = property(lambda self: self[9])


def statvfs(path):
    # MicroPython takes "" for the current directory here (mpremote's `df` asks for it).
    absolute = _cwd if path in ("", b"") else _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        return statvfs_result(tuple(mounted[0].statvfs(mounted[1])))
    return statvfs_result(_statvfs(absolute))


def ilistdir(path="."):
    """MicroPython's ilistdir: (name, type, inode, size) per entry; type 0x4000 is a
    directory, 0x8000 a file."""
    absolute = _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        yield from mounted[0].ilistdir(mounted[1])
        return
    names = set()
    for name, is_directory, inode in _list_entries(absolute):
        names.add(name)
        size = 0
        if not is_directory:
            try:
                size = _stat(absolute.rstrip("/") + "/" + name)[6]
            except OSError:
                pass
        yield (name, 0x4000 if is_directory else 0x8000, inode, size)
    for name in _mounts_below(absolute):
        if name not in names:
            yield (name, 0x4000, 0, 0)


def _mounts_below(path):
    """Names of the Python mount points (or their ancestors) right below `path`."""
    prefix = path.rstrip("/") + "/"
    names = []
    for point, _ in _python_mounts:
        if point.startswith(prefix):
            name = point[len(prefix):].split("/")[0]
            if name not in names:
                names.append(name)
    return names


def listdir(path="."):
    if isinstance(path, int):
        raise OSError(9, "Bad file descriptor")
    names = [entry[0] for entry in ilistdir(path)]
    if isinstance(path, bytes):
        return [name.encode() for name in names]
    return names


def getcwd():
    return _cwd


def getcwdb():
    return _cwd.encode()


_chdir = chdir  # the kernel's (native) chdir, wrapped below


def chdir(path):
    global _cwd
    absolute = _absolute(path)
    mounted = _python_mount(absolute)
    if mounted:
        if hasattr(mounted[0], "chdir"):
            mounted[0].chdir(mounted[1])
    elif not _is_mount_view(absolute):
        if stat(absolute).st_mode & 0o170000 != 0o040000:
            raise NotADirectoryError(20, "Not a directory", path)
        _chdir(absolute)
    _cwd = absolute


class VfsFat:
    """The SD card's FAT file systems are mounted by the kernel (/boot, /data); a FAT volume
    cannot be mounted from Python."""

    def __init__(self, *args, **kwargs):
        raise OSError(19, "No such device: the kernel mounts the card's FAT partitions")

    @staticmethod
    def mkfs(*args, **kwargs):
        raise OSError(19, "No such device: the kernel mounts the card's FAT partitions")


VfsLfs2 = VfsFat


def mounts():
    """Every mount: [(mount point, file system name)], the kernel's and os.mount's."""
    return _mounts() + [(point, type(obj).__name__) for point, obj in _python_mounts]


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


# No other processes: the calls `subprocess` and `asyncio` look up exist, and fail as a system
# without children would.
WNOHANG = 1
WUNTRACED = 2


def waitpid(pid, options):
    raise ChildProcessError(10, "No child processes")


def kill(pid, signal):
    if pid in (0, 1):
        import _signal
        return _signal.raise_signal(signal)
    raise ProcessLookupError(3, "No such process")


def WIFSTOPPED(status):
    return False


def WSTOPSIG(status):
    return 0


def WIFEXITED(status):
    return True


def WEXITSTATUS(status):
    return status


def WIFSIGNALED(status):
    return False


def WTERMSIG(status):
    return 0


def getuid():
    return 0


geteuid = getgid = getegid = getuid


def getlogin():
    return "pipyos"


def pipe():
    """A one-way pipe: two descriptors of a local stream pair."""
    return _stream_pair()


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
        self._entries = iter([DirEntry(directory, name, kind == 0x4000)
                              for name, kind, *_ in ilistdir(directory)])

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
    """Raw binary file over a kernel descriptor (files, the console, local streams)."""

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
                self._fd = open(_absolute(file), flags, 0o666)
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
        self._check_open()
        if size is None:
            size = self.tell()
        ftruncate(self._fd, size)
        return size

    def flush(self):
        if self._fd >= 0 and self._writable and not isatty(self._fd):
            fsync(self._fd)

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
    if not isinstance(file, int) and _python_mounts:
        mounted = _python_mount(_absolute(file))
        if mounted:
            return mounted[0].open(mounted[1], mode)
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
           if not name.startswith("_") and name not in ("FileIO", "stat", "environ", "mounts")] + [
    "stat", "environ"]
