"""USB on PiPyOS: what is attached, the USB log and counters.

    >>> import usb
    >>> usb.devices()
    [Device(address=1, vid=0x0409, pid=0x55aa, class=9, product='QEMU USB Hub', driver='hub'),
     Device(address=2, ..., driver='keyboard')]

Devices are found in the background after boot and whenever one is plugged in; `usb.log()`
tells what happened (attach, detach, devices that misbehaved).
"""
import _usb

__all__ = ["Device", "devices", "log", "stats", "mouse", "CLASS_NAMES"]

#: USB class codes and their names (USB-IF base classes).
CLASS_NAMES = {
    0x00: "per-interface",
    0x01: "audio",
    0x02: "communications",
    0x03: "hid",
    0x07: "printer",
    0x08: "mass storage",
    0x09: "hub",
    0x0A: "cdc data",
    0x0E: "video",
    0xE0: "wireless",
    0xEF: "miscellaneous",
    0xFF: "vendor specific",
}


class Device:
    """One attached device (a snapshot: call `devices()` again for news)."""

    __slots__ = ("address", "hub", "port", "speed", "vid", "pid", "device_class",
                 "subclass", "protocol", "manufacturer", "product", "driver")

    def __init__(self, row):
        (self.address, self.hub, self.port, self.speed, self.vid, self.pid,
         self.device_class, self.subclass, self.protocol, self.manufacturer,
         self.product, self.driver) = row

    @property
    def class_name(self):
        """The class as a word ("hub", "hid", ...)."""
        return CLASS_NAMES.get(self.device_class, "class 0x%02x" % self.device_class)

    def __repr__(self):
        where = "root port" if not self.hub else "hub %d port %d" % (self.hub, self.port)
        return ("Device(address=%d, vid=0x%04x, pid=0x%04x, class=%d (%s), product=%r, "
                "speed=%r, driver=%r, on=%r)" % (
                    self.address, self.vid, self.pid, self.device_class, self.class_name,
                    self.product, self.speed, self.driver, where))


def devices():
    """The attached devices, hubs included, in the order they were found."""
    return [Device(row) for row in _usb.devices()]


def log():
    """The USB log: one line per event, with seconds since boot."""
    return _usb.log()


def stats():
    """Transfer counters, interrupts, and per address (enumeration µs, attached at µs)."""
    return _usb.stats()


def mouse():
    """A boot-protocol USB mouse: (x, y, buttons, wheel), motion summed since boot; buttons
    bit 0 left, 1 right, 2 middle. (0, 0, 0, 0) without a mouse."""
    return _usb.mouse()[:4]
