//! Helpers shared by the integration tests: in-memory screens and a small deterministic PRNG.
#![allow(dead_code)]

use std::sync::OnceLock;

use fbconsole::{Console, ConsoleConfig, Framebuffer, GlyphCache, PixelFormat};

/// A fresh glyph cache, cloned from one parsed once per test binary (parsing is slow in
/// debug builds).
pub fn glyph_cache() -> GlyphCache {
    static PARSED: OnceLock<GlyphCache> = OnceLock::new();
    PARSED
        .get_or_init(|| GlyphCache::new().expect("embedded font parses"))
        .clone()
}

/// An in-memory screen: its bytes and its geometry.
pub struct Screen {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub pitch: usize,
    pub format: PixelFormat,
}

impl Screen {
    /// A zeroed screen with `padding` extra bytes per row.
    pub fn new(width: u32, height: u32, format: PixelFormat, padding: usize) -> Screen {
        let pitch = width as usize * format.bytes_per_pixel() + padding;
        Screen {
            pixels: vec![0; pitch * height as usize],
            width,
            height,
            pitch,
            format,
        }
    }

    /// The surface over the bytes.
    pub fn surface(&mut self) -> Framebuffer<'_> {
        Framebuffer::new(
            &mut self.pixels,
            self.width,
            self.height,
            self.pitch,
            self.format,
        )
        .expect("test geometry fits")
    }
}

/// A console with the default look on a `width` x `height` RGB565 screen, painted blank.
pub fn console_and_screen(width: u32, height: u32) -> (Console, Screen) {
    console_with(width, height, PixelFormat::Rgb565, ConsoleConfig::default())
}

/// A console with `config` on a fresh screen, painted blank.
pub fn console_with(
    width: u32,
    height: u32,
    format: PixelFormat,
    config: ConsoleConfig,
) -> (Console, Screen) {
    let mut screen = Screen::new(width, height, format, 0);
    let glyphs = glyph_cache();
    let mut console = Console::new(glyphs, width, height, config).expect("default size is valid");
    console.redraw_all(&mut screen.surface());
    (console, screen)
}

/// Asserts that what the console drew incrementally equals a full redraw of its grid.
pub fn assert_screen_matches_grid(console: &mut Console, screen: &mut Screen) {
    let mut fresh = Screen::new(screen.width, screen.height, screen.format, 0);
    // The cursor is drawn at the same place on both, so the console's state stays true to
    // the real screen.
    console.redraw_all(&mut fresh.surface());
    assert!(
        fresh.pixels == screen.pixels,
        "incremental drawing differs from a redraw of the grid"
    );
}

/// xorshift64*: deterministic pseudo-random numbers for fuzz-style tests.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// A value in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.below((high - low + 1) as u64) as i64)
    }
}
