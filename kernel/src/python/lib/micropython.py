"""micropython: MicroPython's helpers, for code written for MicroPython boards."""

import _pipyos

_scheduled = []


def const(value):
    """Marks a constant (a no-op here, as in CPython)."""
    return value


def schedule(function, argument):
    """Runs `function(argument)` soon, at the next safe point of the Python context."""
    if len(_scheduled) >= 32:
        raise RuntimeError("schedule queue full")
    _scheduled.append((function, argument))
    import machine
    machine.Timer(mode=machine.Timer.ONE_SHOT, period=1, tick_hz=1_000_000,
                  callback=lambda timer: _run())


def _run():
    while _scheduled:
        function, argument = _scheduled.pop(0)
        function(argument)


def alloc_emergency_exception_buf(size):
    """Not needed: PiPyOS keeps an emergency heap reserve for MemoryError."""


def mem_info(verbose=False):
    used, free, peak = _pipyos.mem_info()
    print("heap: used %d, free %d, peak %d" % (used, free, peak))


def opt_level(level=None):
    return 0


def heap_lock():
    return 0


def heap_unlock():
    return 0


def kbd_intr(character):
    """Sets the character that raises KeyboardInterrupt on the console (3, Ctrl-C, by default);
    -1 turns it off so binary data can flow (mpremote's mount does that)."""
    _pipyos.set_interrupt_character(character)
