"""framebuf: MicroPython's frame buffer drawing over a bytearray (or the screen).

    import framebuf
    buf = bytearray(64 * 32 // 8)
    fb = framebuf.FrameBuffer(buf, 64, 32, framebuf.MONO_HLSB)
    fb.fill(0); fb.text("hi", 0, 0, 1); fb.rect(0, 10, 20, 10, 1)

Formats and packing are MicroPython's; everything clips at the edges; a bad format, size or
a buffer too small raises ValueError. `display.framebuffer()` gives one on the HDMI screen.
"""

import _framebuf

MONO_VLSB = 0
MVLSB = 0
RGB565 = 1
GS4_HMSB = 2
MONO_HLSB = 3
MONO_HMSB = 4
GS2_HMSB = 5
GS8 = 6
XRGB8888 = 7  # PiPyOS: a 32 bpp screen's 0x00RRGGBB pixels


class FrameBuffer:
    """FrameBuffer(buffer, width, height, format, stride=width)."""

    def __init__(self, buffer, width, height, format, stride=None):
        if buffer is None:
            raise TypeError("FrameBuffer needs a writable buffer (bytearray, memoryview, array)")
        self._setup(buffer, width, height, format, stride)

    def _setup(self, buffer, width, height, format, stride):
        spec = (width, height, format, stride)
        stride = _framebuf.check(buffer, spec)
        self._buffer = buffer
        self._spec = (width, height, format, stride)

    @classmethod
    def _on_screen(cls, width, height, format, stride):
        """The screen's own pixels (used by display.framebuffer())."""
        framebuffer = cls.__new__(cls)
        framebuffer._setup(None, width, height, format, stride)
        return framebuffer

    def _draw(self, operation, *arguments):
        return _framebuf.draw(self._buffer, self._spec, operation, arguments)

    def fill(self, c):
        self._draw("fill", c)

    def pixel(self, x, y, c=None):
        if c is None:
            return self._draw("get_pixel", x, y)
        self._draw("set_pixel", x, y, c)

    def hline(self, x, y, w, c):
        self._draw("hline", x, y, w, c)

    def vline(self, x, y, h, c):
        self._draw("vline", x, y, h, c)

    def line(self, x1, y1, x2, y2, c):
        self._draw("line", x1, y1, x2, y2, c)

    def rect(self, x, y, w, h, c, f=False):
        self._draw("rect", x, y, w, h, c, f)

    def fill_rect(self, x, y, w, h, c):
        self._draw("fill_rect", x, y, w, h, c)

    def ellipse(self, x, y, xr, yr, c, f=False, m=0xF):
        self._draw("ellipse", x, y, xr, yr, c, f, m)

    def poly(self, x, y, coords, c, f=False):
        self._draw("poly", x, y, tuple(int(value) for value in coords), c, f)

    def text(self, s, x, y, c=1):
        self._draw("text", str(s), x, y, c)

    def scroll(self, xstep, ystep):
        self._draw("scroll", xstep, ystep)

    def blit(self, fbuf, x, y, key=-1, palette=None):
        source = _as_framebuffer(fbuf)
        if palette is not None:
            palette = _as_framebuffer(palette)
            palette = (palette._buffer, palette._spec)
        _framebuf.blit(self._buffer, self._spec, source._buffer, source._spec,
                       (x, y, key), palette)


def _as_framebuffer(value):
    """A FrameBuffer, or MicroPython's tuple form (buffer, width, height, format[, stride])."""
    if isinstance(value, FrameBuffer):
        return value
    if isinstance(value, tuple) and 4 <= len(value) <= 5:
        return FrameBuffer(*value)
    raise TypeError("expected a FrameBuffer or (buffer, width, height, format[, stride])")


def FrameBuffer1(buffer, width, height, stride=None):
    """MicroPython's legacy constructor: a MONO_VLSB FrameBuffer."""
    return FrameBuffer(buffer, width, height, MONO_VLSB, stride)
