"""_signal: what the `signal` module needs on a board without processes or OS signals.

Only SIGINT exists for real: Ctrl-C raises KeyboardInterrupt (the kernel delivers it between two
bytecode instructions). Handlers can be installed and read back, as asyncio does; they are not
called (there is nobody to send a signal).
"""

SIG_DFL = 0
SIG_IGN = 1
NSIG = 65
SIGINT = 2
SIGTERM = 15
SIGABRT = 6
SIGALRM = 14
SIGCHLD = 17
SIGHUP = 1
SIGKILL = 9
SIGUSR1 = 10
SIGUSR2 = 12
SIGPIPE = 13
SIGWINCH = 28
SIG_BLOCK = 0
SIG_UNBLOCK = 1
SIG_SETMASK = 2

_handlers = {}


def default_int_handler(signalnum, frame):
    raise KeyboardInterrupt


def _check(signalnum):
    if not isinstance(signalnum, int) or not 1 <= signalnum < NSIG:
        raise ValueError("signal number out of range")


def signal(signalnum, handler):
    """Records `handler` for `signalnum` and returns the previous one."""
    _check(signalnum)
    if signalnum in (SIGKILL, 19):
        raise OSError(22, "Invalid argument")
    if not callable(handler) and handler not in (SIG_DFL, SIG_IGN):
        raise TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable")
    previous = getsignal(signalnum)
    _handlers[signalnum] = handler
    return previous


def getsignal(signalnum):
    _check(signalnum)
    return _handlers.get(signalnum, default_int_handler if signalnum == SIGINT else SIG_DFL)


def set_wakeup_fd(fd, *, warn_on_full_buffer=True):
    """No OS signals arrive: nothing is ever written; returns the previous (none: -1)."""
    return -1


def siginterrupt(signalnum, flag):
    _check(signalnum)


def raise_signal(signalnum):
    _check(signalnum)
    handler = getsignal(signalnum)
    if handler is SIG_IGN:
        return
    if handler is SIG_DFL:
        if signalnum == SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signalnum)
    handler(signalnum, None)


def strsignal(signalnum):
    names = {SIGINT: "Interrupt", SIGTERM: "Terminated", SIGABRT: "Aborted", SIGKILL: "Killed",
             SIGHUP: "Hangup", SIGALRM: "Alarm clock", SIGPIPE: "Broken pipe",
             SIGCHLD: "Child exited", SIGUSR1: "User defined signal 1",
             SIGUSR2: "User defined signal 2", SIGWINCH: "Window changed"}
    return names.get(signalnum)


def valid_signals():
    return set(range(1, NSIG))


def pthread_sigmask(how, mask):
    return set()


def pthread_kill(thread_id, signalnum):
    raise_signal(signalnum)


def alarm(seconds):
    raise OSError(38, "Function not implemented: no SIGALRM (use machine.Timer)")
