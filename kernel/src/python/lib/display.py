"""display: the HDMI screen.

    import display
    display.width, display.height        # pixels (0 without a screen)
    fb = display.framebuffer()           # a framebuf.FrameBuffer drawing straight on the screen
    fb.fill_rect(10, 10, 50, 50, display.rgb(255, 0, 0))
    display.text("Hello", 0, 0, display.WHITE, size=32)   # DejaVu Sans Mono at any size
    display.console(False)               # the screen is the application's; True gives it back

Colours are the screen's own pixel values: RGB565 at 16 bpp (0xF800 is red), 0x00RRGGBB at
32 bpp; `rgb(r, g, b)` makes one. Coordinates off the screen clip.
"""

import _display
import framebuf as _framebuf

_info = _display.info()
if _info is None:
    width = height = depth = 0
    format = None
    _pitch = 0
else:
    width, height, _pitch, depth, format = _info


def _need_screen():
    if _info is None:
        raise OSError(19, "no screen: the firmware gave no framebuffer (see the boot log)")


def rgb(r, g, b):
    """The screen's pixel value for a 24-bit colour."""
    if depth == 16:
        return ((r & 0xF8) << 8) | ((g & 0xFC) << 3) | ((b & 0xFF) >> 3)
    return ((r & 0xFF) << 16) | ((g & 0xFF) << 8) | (b & 0xFF)


BLACK = 0
WHITE = rgb(255, 255, 255)
RED = rgb(255, 0, 0)
GREEN = rgb(0, 255, 0)
BLUE = rgb(0, 0, 255)


def framebuffer():
    """A framebuf.FrameBuffer over the screen's pixels."""
    _need_screen()
    return _framebuf.FrameBuffer._on_screen(width, height, format, _pitch * 8 // depth)


def text(s, x, y, color=None, size=16, background=None):
    """Draws `s` on one line from (x, y), the top-left of its first character, in the TTF
    font at `size` pixels (4 to 128); returns its (width, height). `background=None` blends
    the text over what is there."""
    _need_screen()
    if color is None:
        color = WHITE
    return _display.text(str(s), x, y, color, size, background)


def console(enabled=None):
    """console(): True if console text reaches the screen. console(False) hands the screen to
    the application; console(True) gives it back and repaints the console's text."""
    if enabled is None:
        return _display.console()
    _display.console(bool(enabled))
