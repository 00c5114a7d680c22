"""_socket: sockets over the kernel's descriptors.

socketpair() gives a connected pair of local streams (asyncio's self-pipe uses one). Internet
sockets need a network interface; without one, creating an AF_INET socket raises OSError
(ENETDOWN).
"""

import posix

try:
    import _network
except ImportError:  # a kernel without the network stack
    _network = None

# File numbers of Internet sockets: _NET_BASE + the stack's handle (_NET_BASE alone: not yet
# listening or connected). They are not kernel descriptors: select() does not know them yet.
_NET_BASE = 1 << 24

AF_UNSPEC = 0
AF_UNIX = 1
AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
SOCK_NONBLOCK = 0o4000
SOCK_CLOEXEC = 0o2000000
SOL_SOCKET = 1
SO_REUSEADDR = 2
SO_TYPE = 3
SO_ERROR = 4
SO_BROADCAST = 6
SO_SNDBUF = 7
SO_RCVBUF = 8
SO_KEEPALIVE = 9
SO_REUSEPORT = 15
IPPROTO_IP = 0
IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_IPV6 = 41
SOL_TCP = 6
SOL_UDP = 17
TCP_NODELAY = 1
IP_TTL = 2
MSG_PEEK = 2
MSG_DONTWAIT = 0x40
MSG_WAITALL = 0x100
SHUT_RD = 0
SHUT_WR = 1
SHUT_RDWR = 2
SOMAXCONN = 128
INADDR_ANY = 0
INADDR_BROADCAST = 0xFFFFFFFF
INADDR_LOOPBACK = 0x7F000001
INADDR_NONE = 0xFFFFFFFF
AI_PASSIVE = 1
AI_CANONNAME = 2
AI_NUMERICHOST = 4
AI_NUMERICSERV = 0x400
AI_ADDRCONFIG = 0x20
NI_NUMERICHOST = 1
NI_NUMERICSERV = 2
EAI_NONAME = -2
has_ipv6 = False

error = OSError
timeout = TimeoutError


class herror(OSError):
    pass


class gaierror(OSError):
    pass


_default_timeout = None


def getdefaulttimeout():
    return _default_timeout


def setdefaulttimeout(value):
    global _default_timeout
    if value is not None and value < 0:
        raise ValueError("Timeout value out of range")
    _default_timeout = value


class socket:
    """A socket over a kernel descriptor."""

    # No __dict__ and no __weakref__: socket.py's subclass adds its own slots, as in CPython.
    __slots__ = ("_fd", "_family", "_type", "_proto", "_timeout", "_port")

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if family == -1:
            family = AF_INET
        if type == -1:
            type = SOCK_STREAM
        if proto == -1:
            proto = 0
        self._family = family
        self._type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)
        self._proto = proto
        self._timeout = _default_timeout
        self._port = 0
        if fileno is not None:
            self._fd = fileno
        elif family == AF_INET:
            if _network is None or _network.interface() is None:
                raise OSError(100, "Network is down: no network interface is up")
            if self._type != SOCK_STREAM:
                raise OSError(94, "Socket type not supported (TCP only so far)")
            self._fd = _NET_BASE
        else:
            raise OSError(97, "Address family not supported by protocol")
        if type & SOCK_NONBLOCK:
            self.setblocking(False)

    family = property(lambda self: self._family)
    type = property(lambda self: self._type)
    proto = property(lambda self: self._proto)

    def fileno(self):
        return self._fd

    def detach(self):
        fd, self._fd = self._fd, -1
        return fd

    def close(self):
        if self._fd >= _NET_BASE:
            fd, self._fd = self._fd, -1
            if fd > _NET_BASE:
                _network.tcp_close(fd - _NET_BASE)
        elif self._fd >= 0:
            fd, self._fd = self._fd, -1
            posix.close(fd)

    # --- Internet (TCP) sockets over the kernel's network stack ---------------------------

    def _handle(self):
        self._check()
        if self._fd <= _NET_BASE:
            raise OSError(107, "Transport endpoint is not connected")
        return self._fd - _NET_BASE

    def _net_wait(self, deadline):
        """Waits a little for the network; raises at the timeout."""
        import time
        if self._timeout == 0.0:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError("timed out")
        _network.wait(10)

    def _deadline(self):
        import time
        return None if not self._timeout else time.monotonic() + self._timeout

    def bind(self, address):
        self._check()
        if self._fd < _NET_BASE:
            raise OSError(22, "Invalid argument")
        host, port = address
        if host not in ("", "0.0.0.0", "localhost", "127.0.0.1") and \
                host != _network.interface()[1]:
            raise OSError(99, "Cannot assign requested address")
        self._port = int(port)

    def listen(self, backlog=5):
        self._check()
        if self._fd != _NET_BASE or not self._port:
            raise OSError(22, "Invalid argument: bind() to a port first")
        self._fd = _NET_BASE + _network.tcp_listen(self._port, max(1, backlog))

    def _accept(self):
        listener = self._handle()
        deadline = self._deadline()
        while True:
            waiting = _network.tcp_accept(listener)
            if waiting is not None:
                handle, peer = waiting
                return _NET_BASE + handle, peer
            self._net_wait(deadline)

    def accept(self):
        fd, peer = self._accept()
        return socket(self._family, self._type, self._proto, fd), peer

    def connect(self, address):
        self._check()
        if self._fd != _NET_BASE:
            raise OSError(106, "Transport endpoint is already connected")
        host, port = address
        self._fd = _NET_BASE + _network.tcp_connect(gethostbyname(host), int(port))
        deadline = self._deadline()
        while True:
            state = _network.tcp_state(self._fd - _NET_BASE)
            if state == "connected":
                return
            if state in ("refused", "closed", "reset"):
                raise ConnectionRefusedError(111, "Connection refused")
            self._net_wait(deadline)

    def connect_ex(self, address):
        try:
            self.connect(address)
            return 0
        except OSError as error:
            return error.errno or 111

    def _check(self):
        if self._fd < 0:
            raise OSError(9, "Bad file descriptor")

    def setblocking(self, flag):
        self._check()
        self._timeout = None if flag else 0.0
        if self._fd < _NET_BASE:
            posix.set_blocking(self._fd, bool(flag))

    def getblocking(self):
        return self._timeout != 0.0

    def settimeout(self, value):
        if value is not None and value < 0:
            raise ValueError("Timeout value out of range")
        self._timeout = value

    def gettimeout(self):
        return self._timeout

    def _wait(self, for_writing):
        if self._timeout == 0.0:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        import select
        lists = ([], [self._fd], []) if for_writing else ([self._fd], [], [])
        ready = select.select(*lists, self._timeout)
        if not ready[0] and not ready[1]:
            if self._timeout is None:
                # A local stream is only ever filled by this same thread: waiting for ever
                # would hang the board.
                raise BlockingIOError(11, "Resource temporarily unavailable")
            raise TimeoutError("timed out")

    def recv(self, bufsize, flags=0):
        self._check()
        if self._fd >= _NET_BASE:
            handle, deadline = self._handle(), self._deadline()
            while True:
                data = _network.tcp_recv(handle, bufsize)
                if data is not None:
                    return data
                self._net_wait(deadline)
        while True:
            try:
                return posix.read(self._fd, bufsize)
            except BlockingIOError:
                self._wait(False)

    def recv_into(self, buffer, nbytes=0, flags=0):
        view = memoryview(buffer).cast("B")
        data = self.recv(nbytes or len(view), flags)
        view[:len(data)] = data
        return len(data)

    def recvfrom(self, bufsize, flags=0):
        return self.recv(bufsize, flags), None

    def send(self, data, flags=0):
        self._check()
        if self._fd >= _NET_BASE:
            handle, deadline = self._handle(), self._deadline()
            data = bytes(data)
            while True:
                sent = _network.tcp_send(handle, data)
                if sent or not data:
                    return sent
                self._net_wait(deadline)
        while True:
            try:
                return posix.write(self._fd, data)
            except BlockingIOError:
                self._wait(True)

    def sendall(self, data, flags=0):
        view = memoryview(data).cast("B")
        while view:
            sent = self.send(view)
            view = view[sent:]

    def shutdown(self, how):
        self._check()

    def getsockopt(self, level, option, buflen=None):
        if level == SOL_SOCKET and option == SO_TYPE:
            return self._type
        if level == SOL_SOCKET and option == SO_ERROR:
            return 0
        return 0

    def setsockopt(self, level, option, value, optlen=None):
        self._check()

    def getsockname(self):
        if self._fd >= _NET_BASE:
            return (_network.interface()[1], self._port)
        return ""

    def getpeername(self):
        return ""

    def __del__(self):
        try:
            self.close()
        except OSError:
            pass

    def __repr__(self):
        return "<socket fd=%d, family=%d, type=%d, proto=%d>" % (
            self._fd, self._family, self._type, self._proto)


SocketType = socket


def socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0):
    """A connected pair of local stream sockets."""
    if family not in (AF_UNIX, AF_INET):
        raise OSError(97, "Address family not supported by protocol")
    first, second = posix._stream_pair()
    return socket(AF_UNIX, type, proto, first), socket(AF_UNIX, type, proto, second)


def dup(fd):
    return posix.dup(fd)


def close(fd):
    posix.close(fd)


def gethostname():
    return "pipyos"


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    raise gaierror(EAI_NONAME, "Name or service not known (no network interface is up)")


def gethostbyname(name):
    if name in ("localhost", "127.0.0.1"):
        return "127.0.0.1"
    parts = name.split(".")
    if len(parts) == 4 and all(part.isdigit() and int(part) < 256 for part in parts):
        return name
    raise gaierror(EAI_NONAME, "Name or service not known (no network interface is up)")


def htons(value):
    return ((value & 0xFF) << 8) | ((value >> 8) & 0xFF)


ntohs = htons


def htonl(value):
    return int.from_bytes(value.to_bytes(4, "little"), "big")


ntohl = htonl


def inet_aton(text):
    parts = text.split(".")
    if len(parts) != 4 or not all(part.isdigit() and int(part) < 256 for part in parts):
        raise OSError("illegal IP address string passed to inet_aton")
    return bytes(int(part) for part in parts)


def inet_ntoa(packed):
    if len(packed) != 4:
        raise OSError("packed IP wrong length for inet_ntoa")
    return ".".join(str(byte) for byte in packed)


def inet_pton(family, text):
    if family != AF_INET:
        raise OSError(97, "Address family not supported by protocol")
    return inet_aton(text)


def inet_ntop(family, packed):
    if family != AF_INET:
        raise OSError(97, "Address family not supported by protocol")
    return inet_ntoa(packed)
