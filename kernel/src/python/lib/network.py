"""The network, MicroPython style: `network.LAN()` is the USB Ethernet adapter (CDC-ECM).

    >>> import network
    >>> lan = network.LAN()
    >>> lan.isconnected()
    True
    >>> lan.ifconfig()                  # address, netmask, gateway, DNS (from DHCP)
    ('10.0.2.15', '255.255.255.0', '10.0.2.2', '10.0.2.3')
    >>> lan.config("mac")
    b'RT\\x00\\x124V'

The address comes from DHCP as soon as an adapter is plugged in (`usb.log()` tells when).
"""
import _network

__all__ = ["LAN", "STAT_IDLE", "STAT_CONNECTING", "STAT_GOT_IP", "STAT_NO_LINK"]

STAT_IDLE = 0
STAT_CONNECTING = 1
STAT_GOT_IP = 3
STAT_NO_LINK = -1


class LAN:
    """The wired interface (there is one)."""

    def __init__(self, *args, **kwargs):
        pass

    def active(self, state=None):
        """Whether an adapter is attached (the interface is always on when one is)."""
        if state is not None and not state:
            raise OSError(95, "the interface cannot be switched off; unplug the adapter")
        return _network.interface() is not None

    def isconnected(self):
        """True once the interface has an address."""
        interface = _network.interface()
        return interface is not None and interface[1] != "0.0.0.0"

    def status(self, param=None):
        """STAT_NO_LINK, STAT_CONNECTING (waiting for DHCP) or STAT_GOT_IP."""
        if param is not None:
            raise ValueError("unknown status parameter %r" % (param,))
        interface = _network.interface()
        if interface is None:
            return STAT_NO_LINK
        return STAT_GOT_IP if interface[1] != "0.0.0.0" else STAT_CONNECTING

    def ifconfig(self, config=None):
        """(address, netmask, gateway, DNS server); all 0.0.0.0 until DHCP answers."""
        if config is not None:
            raise OSError(95, "static addresses are not supported yet; DHCP configures")
        interface = _network.interface()
        if interface is None:
            return ("0.0.0.0",) * 4
        return tuple(interface[1:5])

    def config(self, name):
        """`mac`: the adapter's MAC address (6 bytes); `dhcp`: whether DHCP configured it."""
        interface = _network.interface()
        if name == "mac":
            return interface[0] if interface else b"\0" * 6
        if name == "dhcp":
            return bool(interface and interface[5])
        raise ValueError("unknown config parameter %r" % (name,))

    def stats(self):
        """Frames received, sent, dropped, and send errors."""
        return _network.stats()
