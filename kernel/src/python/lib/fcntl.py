"""fcntl: the descriptor calls `subprocess` and `asyncio` may make, on PiPyOS's descriptors."""

import posix

F_GETFD = 1
F_SETFD = 2
F_GETFL = 3
F_SETFL = 4
FD_CLOEXEC = 1
LOCK_SH = 1
LOCK_EX = 2
LOCK_NB = 4
LOCK_UN = 8


def fcntl(fd, cmd, arg=0):
    fd = fd if isinstance(fd, int) else fd.fileno()
    posix.fstat(fd)
    if cmd == F_SETFL:
        posix.set_blocking(fd, not arg & posix.O_NONBLOCK)
    return 0


def ioctl(fd, request, arg=0, mutate_flag=True):
    raise OSError(25, "Inappropriate ioctl for device")


def flock(fd, operation):
    pass


def lockf(fd, cmd, len=0, start=0, whence=0):
    pass
