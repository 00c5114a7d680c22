"""PiPyOS: facts about the board and the system, for Python code running on it.

>>> import pipyos
>>> pipyos.board()            # doctest: +SKIP
Board(model='Raspberry Pi Zero', revision=9437331, ...)
"""

import collections

import _pipyos

__all__ = ["Board", "MemoryInfo", "board", "mem_info", "mem_free", "memory_layout", "reboot",
           "set_time", "set_reboot_on_panic", "version"]

#: The PiPyOS release this image was built from.
version = "0.1.0"

Board = collections.namedtuple(
    "Board",
    "model revision serial arm_memory gpu_memory arm_clock_hz core_clock_hz firmware_revision")
Board.__doc__ = "What the GPU firmware reported about the board at boot."

MemoryInfo = collections.namedtuple("MemoryInfo", "used free peak_used")
MemoryInfo.__doc__ = "Heap use in bytes."


def board():
    """Returns the board facts as a :class:`Board`."""
    return Board(*_pipyos.board_info())


def mem_info():
    """Returns heap use as a :class:`MemoryInfo`."""
    return MemoryInfo(*_pipyos.mem_info())


def memory_layout():
    """Returns the kernel's RAM layout: ``{region: (start, end)}`` (kernel, heaps, initfs,
    Python stack and its guard)."""
    return _pipyos.memory_layout()


def mem_free():
    """Returns the number of free heap bytes."""
    return _pipyos.mem_free()


def reboot():
    """Reboots the board (a full reset through the watchdog)."""
    _pipyos.reboot()


def set_time(seconds):
    """Sets the real-time clock to ``seconds`` since 1970-01-01 UTC (the board has no RTC:
    it starts at 2000-01-01 at every boot)."""
    _pipyos.set_time(seconds)


def set_reboot_on_panic(enabled=True):
    """After a kernel panic: reboot (True) or halt so the message stays readable (False)."""
    _pipyos.set_reboot_on_panic(bool(enabled))


LOG_PATH = "/data/log.txt"


def log(*values, path=LOG_PATH):
    """Appends one line, "<seconds since boot> <values>", to the log on the SD card (default
    /data/log.txt). The file is opened, written and closed each time, so every line that
    log() returned from is on the card even if the power goes right after."""
    import time
    line = "%.3f %s\n" % (time.ticks_ms() / 1000, " ".join(str(value) for value in values))
    with open(path, "a") as handle:
        handle.write(line)
