//! Framebuffer text console, glyph cache and MicroPython framebuf drawing for PiPyOS.
//!
//! - [`surface`]: [`Framebuffer`], a clipped view of a linear RGB565/XRGB8888 screen, also
//!   an embedded-graphics `DrawTarget` ([`graphics`]).
//! - [`glyphs`]: [`GlyphCache`], DejaVu Sans Mono rasterised by fontdue, once per
//!   (character, size).
//! - [`console`]: [`Console`], a VT100/ANSI terminal with a cell grid model.
//! - [`framebuf`]: MicroPython's `framebuf` over a borrowed byte buffer.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod color;
pub mod console;
mod font8x8;
pub mod framebuf;
pub mod glyphs;
pub mod graphics;
pub mod surface;
pub mod utf8;

pub use color::Rgb;
pub use console::{
    Attributes, Cell, ColorSpec, Console, ConsoleConfig, CursorStyle, DEFAULT_BACKGROUND,
    DEFAULT_CURSOR_STYLE, DEFAULT_FONT_SIZE, DEFAULT_FOREGROUND, DEFAULT_MARGIN_X,
    DEFAULT_MARGIN_Y,
};
pub use glyphs::{CellMetrics, FontError, GlyphCache, TextExtent, TextStyle, FONT_DATA};
pub use graphics::Rgb565Target;
pub use surface::{Framebuffer, PixelFormat, SurfaceError};

/// The 8x8 font of [`framebuf::FrameBuf::text`]: 96 glyphs for codes 32–127, each 8 column
/// bytes left to right, bit 0 the top row. Generated from DejaVu Sans Mono by the test
/// `font8x8` (`FBCONSOLE_WRITE_FONT8X8=1 cargo test -p pipyos-fbconsole --test font8x8`).
pub fn font_8x8() -> &'static [[u8; 8]; 96] {
    &font8x8::FONT_8X8
}
