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
