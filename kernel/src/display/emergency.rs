//! Fault and panic reports on the screen: 8x8 text straight into the framebuffer, with no
//! lock, no allocation and no glyph cache (the heap or the console may be what broke).
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use fbconsole::framebuf::{FrameBuf, Geometry};

use super::ScreenInfo;

/// Pixels from one report line to the next (8x8 glyphs, two rows of space).
const LINE_HEIGHT: u32 = 10;
/// Glyph width.
const GLYPH_WIDTH: u32 = 8;

/// Where the next character goes (pixels); set from the console's cursor on first use.
static X: AtomicU32 = AtomicU32::new(0);
static Y: AtomicU32 = AtomicU32::new(0);
static STARTED: AtomicBool = AtomicBool::new(false);

/// Writes `bytes` of a report below the console's last line (`start_y`), scrolling the whole
/// screen when it reaches the bottom. `\r` and `\n` move the pen; other bytes are drawn.
pub fn write(info: &ScreenInfo, start_y: u32, bytes: &[u8]) {
    let format = info.framebuf_format();
    if info.width < GLYPH_WIDTH || info.height < LINE_HEIGHT {
        return;
    }
    let bytes_per_pixel = info.format.bytes_per_pixel();
    let Ok(geometry) = Geometry::new(
        info.width,
        info.height,
        format,
        Some((info.pitch / bytes_per_pixel) as u32),
    ) else {
        return;
    };
    // SAFETY: the mapped framebuffer (see `super::with_pixels`). This path runs only while
    // the board reports a fault and stops; a console write it interrupted never resumes.
    let pixels = unsafe { core::slice::from_raw_parts_mut(info.base as *mut u8, info.length) };
    let Ok(mut screen) = FrameBuf::new(pixels, geometry) else {
        return;
    };
    if !STARTED.swap(true, Ordering::AcqRel) {
        X.store(0, Ordering::Relaxed);
        Y.store(start_y.min(info.height), Ordering::Relaxed);
    }
    let (white, black) = (u32::MAX, 0);
    let mut x = X.load(Ordering::Relaxed);
    let mut y = Y.load(Ordering::Relaxed);
    for &byte in bytes {
        match byte {
            b'\r' => x = 0,
            b'\n' => {
                x = 0;
                y += LINE_HEIGHT;
            }
            _ => {
                if x + GLYPH_WIDTH > info.width {
                    x = 0;
                    y += LINE_HEIGHT;
                }
                if y + LINE_HEIGHT > info.height {
                    let lift = y + LINE_HEIGHT - info.height;
                    screen.scroll(0, -(lift as i32));
                    screen.fill_rect(
                        0,
                        (info.height - lift) as i32,
                        info.width as i32,
                        lift as i32,
                        black,
                    );
                    y = info.height - LINE_HEIGHT;
                }
                screen.fill_rect(
                    x as i32,
                    y as i32,
                    GLYPH_WIDTH as i32,
                    LINE_HEIGHT as i32,
                    black,
                );
                let text = [if byte.is_ascii_graphic() || byte == b' ' {
                    byte
                } else {
                    b'?'
                }];
                if let Ok(text) = core::str::from_utf8(&text) {
                    screen.text(text, x as i32, (y + 1) as i32, white);
                }
                x += GLYPH_WIDTH;
            }
        }
    }
    X.store(x, Ordering::Relaxed);
    Y.store(y, Ordering::Relaxed);
}
