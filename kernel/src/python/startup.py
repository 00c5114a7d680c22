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


# RustPython's single-thread `_thread._local` looks attributes up in its instance dict only, so
# class attributes and methods of subclasses (asyncio's event loop policy keeps `_loop = None`
# as one) raise AttributeError; CPython's falls back to the class. Make it behave like CPython's,
# and create the instance dict in __new__ so subclasses need not call __init__.
def _fix_thread_local():
    import _thread

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        object.__setattr__(self, "_local__impl", {})
        return self

    def __getattribute__(self, name):
        if name.startswith("_local__") or name == "__dict__":
            if name == "__dict__":
                return object.__getattribute__(self, "_local__impl")
            return object.__getattribute__(self, name)
        impl = object.__getattribute__(self, "_local__impl")
        try:
            return impl[name]
        except KeyError:
            return object.__getattribute__(self, name)

    def __init__(self, *args, **kwargs):
        if type(self).__init__ is __init__ and (args or kwargs):
            raise TypeError("Initialization arguments are not supported")

    _thread._local.__new__ = __new__
    _thread._local.__getattribute__ = __getattribute__
    _thread._local.__init__ = __init__


_fix_thread_local()
del _fix_thread_local


# When `asyncio` is imported, add MicroPython's ThreadSafeFlag to it (lib/_asyncio_extras.py).
def _install_asyncio_hook():
    import sys

    class _Loader:
        def __init__(self, loader):
            self._loader = loader

        def create_module(self, spec):
            return self._loader.create_module(spec)

        def exec_module(self, module):
            self._loader.exec_module(module)
            import _asyncio_extras
            _asyncio_extras.install(module)

    class _AsyncioExtras:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name != "asyncio":
                return None
            for finder in sys.meta_path:
                if finder is _AsyncioExtras:
                    continue
                spec = getattr(finder, "find_spec", lambda *a: None)(name, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = _Loader(spec.loader)
                    return spec
            return None

    sys.meta_path.insert(0, _AsyncioExtras)


_install_asyncio_hook()
del _install_asyncio_hook
