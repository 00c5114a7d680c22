# Interactive helpers that CPython's `site` module would add to builtins (PiPyOS does not run
# `site`: no site-packages scanning or .pth files on the board). Run once per interpreter.
import builtins


class _Helper:
    """help(): pydoc's help, printed straight to the console (no pager process here)."""

    def __repr__(self):
        return "Type help() for interactive help, or help(object) for help about object."

    def __call__(self, *args, **kwds):
        import pydoc
        from _pyrepl.pager import plain_pager
        pydoc.pager = plain_pager
        return pydoc.help(*args, **kwds)


class _Quitter:
    """exit()/quit(): leave the REPL, which soft-resets into a fresh interpreter."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Use %s() or Ctrl-D to soft-reset the interpreter" % self.name

    def __call__(self, code=None):
        raise SystemExit(code)


# sysconfig looks its build data up under a name made from sys.platform, which PiPyOS sets to
# "pipyos" after the interpreter registered the module under its own name.
import sys
import _sysconfigdata

sys.modules["_sysconfigdata_%s_%s_%s" % (
    sys.abiflags, sys.platform, getattr(sys.implementation, "_multiarch", ""))] = _sysconfigdata
del sys, _sysconfigdata

builtins.help = _Helper()
builtins.exit = _Quitter("exit")
builtins.quit = _Quitter("quit")
del builtins, _Helper, _Quitter


# time.get_clock_info (asyncio asks for the monotonic clock's resolution): every clock is the
# 1 MHz system timer; `time` is the board's clock, settable with pipyos.set_time.
def _install_clock_info():
    import time
    import types

    def get_clock_info(name):
        if name not in ("time", "monotonic", "perf_counter", "process_time", "thread_time"):
            raise ValueError("unknown clock")
        return types.SimpleNamespace(
            implementation="BCM2835 system timer (1 MHz)", monotonic=name != "time",
            adjustable=name == "time", resolution=1e-06)

    time.get_clock_info = get_clock_info
    if not hasattr(time, "process_time"):
        time.process_time = time.monotonic
        time.process_time_ns = time.monotonic_ns
    if not hasattr(time, "thread_time"):
        time.thread_time = time.monotonic
        time.thread_time_ns = time.monotonic_ns


_install_clock_info()
del _install_clock_info
