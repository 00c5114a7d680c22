"""The USB keyboard: raw key events for games and full-screen programs, layout and repeat.

What is typed also goes to the console (the REPL, `input()`, `sys.stdin`) as usual; this module
gives the presses and releases themselves:

    >>> import keyboard
    >>> keyboard.get_event()          # None when nothing is waiting
    KeyEvent(key=4 'a', pressed, modifiers=0x00)
    >>> keyboard.set_layout("de")     # also: keyboard_layout = de in /etc/pipyos.conf
    >>> keyboard.set_repeat(400, 25)  # delay ms, repeats per second (0: off)
"""
import time

import _usb

__all__ = ["KeyEvent", "get_event", "wait_event", "events", "pending", "layout",
           "set_layout", "repeat", "set_repeat", "key_name",
           "RELEASE", "PRESS", "REPEAT",
           "MOD_LEFT_CTRL", "MOD_LEFT_SHIFT", "MOD_LEFT_ALT", "MOD_LEFT_GUI",
           "MOD_RIGHT_CTRL", "MOD_RIGHT_SHIFT", "MOD_RIGHT_ALT", "MOD_RIGHT_GUI",
           "MOD_CTRL", "MOD_SHIFT", "MOD_ALT", "MOD_GUI"]

RELEASE, PRESS, REPEAT = 0, 1, 2

# Modifier bits (HID boot report byte 0).
MOD_LEFT_CTRL, MOD_LEFT_SHIFT, MOD_LEFT_ALT, MOD_LEFT_GUI = 0x01, 0x02, 0x04, 0x08
MOD_RIGHT_CTRL, MOD_RIGHT_SHIFT, MOD_RIGHT_ALT, MOD_RIGHT_GUI = 0x10, 0x20, 0x40, 0x80
MOD_CTRL = MOD_LEFT_CTRL | MOD_RIGHT_CTRL
MOD_SHIFT = MOD_LEFT_SHIFT | MOD_RIGHT_SHIFT
MOD_ALT = MOD_LEFT_ALT | MOD_RIGHT_ALT
MOD_GUI = MOD_LEFT_GUI | MOD_RIGHT_GUI

_NAMES = {0x28: "enter", 0x29: "escape", 0x2A: "backspace", 0x2B: "tab", 0x2C: "space",
          0x2D: "-", 0x2E: "=", 0x2F: "[", 0x30: "]", 0x31: "\\", 0x33: ";", 0x34: "'",
          0x35: "`", 0x36: ",", 0x37: ".", 0x38: "/", 0x39: "caps lock",
          0x46: "print screen", 0x47: "scroll lock", 0x48: "pause", 0x49: "insert",
          0x4A: "home", 0x4B: "page up", 0x4C: "delete", 0x4D: "end", 0x4E: "page down",
          0x4F: "right", 0x50: "left", 0x51: "down", 0x52: "up", 0x53: "num lock",
          0xE0: "left ctrl", 0xE1: "left shift", 0xE2: "left alt", 0xE3: "left gui",
          0xE4: "right ctrl", 0xE5: "right shift", 0xE6: "right alt", 0xE7: "right gui"}
for _code in range(0x04, 0x1E):
    _NAMES[_code] = chr(ord("a") + _code - 0x04)
for _code in range(0x1E, 0x27):
    _NAMES[_code] = chr(ord("1") + _code - 0x1E)
_NAMES[0x27] = "0"
for _code in range(0x3A, 0x46):
    _NAMES[_code] = "f%d" % (_code - 0x39)
del _code

# Key codes by name, e.g. keyboard.KEY["up"], keyboard.KEY["a"].
KEY = {name: code for code, name in _NAMES.items()}


def key_name(key):
    """A key code's name on a US keyboard ("a", "enter", "up", "f1"), or "key 0x.."."""
    return _NAMES.get(key, "key 0x%02x" % key)


class KeyEvent:
    """One key going down (PRESS), coming up (RELEASE) or repeating while held (REPEAT)."""

    __slots__ = ("key", "action", "modifiers", "time_us")

    def __init__(self, key, action, modifiers, time_us):
        self.key = key
        self.action = action
        self.modifiers = modifiers
        self.time_us = time_us

    @property
    def pressed(self):
        """True for a press or a repeat."""
        return self.action != RELEASE

    @property
    def name(self):
        """The key's name (see `key_name`)."""
        return key_name(self.key)

    def __repr__(self):
        action = ("released", "pressed", "repeat")[self.action]
        return "KeyEvent(key=%d %r, %s, modifiers=0x%02x)" % (
            self.key, self.name, action, self.modifiers)


def events(limit=None):
    """Every waiting key event (up to `limit`), oldest first; the queue keeps the last 128."""
    rows = _usb.key_events() if limit is None else _usb.key_events(limit)
    return [KeyEvent(*row) for row in rows]


def get_event():
    """The oldest waiting key event, or None."""
    rows = _usb.key_events(1)
    return KeyEvent(*rows[0]) if rows else None


def wait_event(timeout=None):
    """Waits for a key event (at most `timeout` seconds; None: forever); None on timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        event = get_event()
        if event is not None:
            return event
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def pending():
    """Key events waiting."""
    return _usb.key_events_waiting()


def layout():
    """The layout's name: "us", "uk" or "de"."""
    return _usb.layout()


def set_layout(name):
    """Chooses the layout for every keyboard: "us", "uk" or "de"."""
    _usb.set_layout(name)


def repeat():
    """(delay ms, repeats per second) of key repeat."""
    return _usb.repeat()


def set_repeat(delay_ms, rate):
    """Sets key repeat: `delay_ms` (100 to 5000) before the first, `rate` per second (0: off)."""
    _usb.set_repeat(delay_ms, rate)
