//! Glyph cache tests: cell metrics, one rasterisation per (character, size), fallbacks, text.

mod common;

use common::Screen;
use fbconsole::glyphs::{DEFAULT_GLYPH_CACHE_BYTES, MAX_FONT_SIZE, MIN_FONT_SIZE};
use fbconsole::{FontError, GlyphCache, PixelFormat, Rgb, TextStyle, DEFAULT_FONT_SIZE};

fn cache() -> GlyphCache {
    common::glyph_cache()
}

#[test]
fn cell_metrics_of_the_default_size() {
    let mut glyphs = cache();
    let cell = glyphs.cell_metrics(DEFAULT_FONT_SIZE).unwrap();
    assert_eq!((cell.width, cell.height, cell.baseline), (10, 19, 15));
    assert_eq!(cell.area(), 190);
    let cell = glyphs.cell_metrics(8).unwrap();
    assert_eq!((cell.width, cell.height, cell.baseline), (5, 10, 8));
    // Monospace: every ASCII advance rounds to the cell width.
    for code in 32u8..127 {
        let advance = glyphs.font().metrics(char::from(code), 16.0).advance_width;
        assert_eq!(advance.round() as u32, 10, "{}", char::from(code));
    }
}

#[test]
fn sizes_outside_the_range_are_errors() {
    let mut glyphs = cache();
    for size in [0, MIN_FONT_SIZE - 1, MAX_FONT_SIZE + 1, u32::MAX] {
        assert_eq!(
            glyphs.cell_metrics(size),
            Err(FontError::SizeOutOfRange(size))
        );
        assert!(glyphs.glyph('a', size).is_err());
    }
    assert!(glyphs.cell_metrics(MIN_FONT_SIZE).is_ok());
    assert!(glyphs.glyph('W', MAX_FONT_SIZE).is_ok());
    let mut screen = Screen::new(8, 8, PixelFormat::Rgb565, 0);
    let style = TextStyle {
        size: 0,
        foreground: Rgb::WHITE,
        background: None,
    };
    assert!(glyphs
        .render_text_line(&mut screen.surface(), 0, 0, "x", style)
        .is_err());
    assert!(GlyphCache::from_font_bytes(b"not a font").is_err());
}

#[test]
fn each_character_and_size_is_rasterised_once() {
    let mut glyphs = cache();
    assert_eq!(glyphs.rasterizations(), 0);
    let first = glyphs.glyph('A', 16).unwrap().to_vec();
    assert_eq!(first.len(), 190, "a full cell of coverage");
    assert!(first.contains(&255));
    assert_eq!(glyphs.glyph('A', 16).unwrap(), &first[..]);
    assert_eq!(glyphs.rasterizations(), 1);
    glyphs.glyph('A', 24).unwrap();
    glyphs.glyph('B', 16).unwrap();
    assert_eq!(glyphs.rasterizations(), 3);
    let mut screen = Screen::new(200, 40, PixelFormat::Rgb565, 0);
    let style = TextStyle {
        size: 16,
        foreground: Rgb::WHITE,
        background: Some(Rgb::BLACK),
    };
    glyphs
        .render_text_line(&mut screen.surface(), 0, 0, "ABBA BAAB", style)
        .unwrap();
    // A, B and space: only the space was new.
    assert_eq!(glyphs.rasterizations(), 4);
    assert_eq!(glyphs.cached_glyphs(), 4);
    // Space has no ink and takes no coverage bytes.
    assert!(glyphs.glyph(' ', 16).unwrap().is_empty());
    assert_eq!(
        glyphs.cached_bytes(),
        3 * 190 - 190 + glyph_area(&mut glyphs, 24)
    );
}

fn glyph_area(glyphs: &mut GlyphCache, size: u32) -> usize {
    glyphs.cell_metrics(size).unwrap().area()
}

#[test]
fn missing_glyphs_show_the_replacement_character() {
    let mut glyphs = cache();
    assert!(glyphs.has_glyph('\u{FFFD}'));
    let replacement = glyphs.glyph('\u{FFFD}', 16).unwrap().to_vec();
    assert!(!replacement.is_empty());
    // CJK, a private-use code point and control characters are not in DejaVu Sans Mono.
    for character in ['中', '\u{F8FF}', '\u{10FFFF}', '\n', '\u{7}', '\u{85}'] {
        assert!(!glyphs.has_glyph(character) || character.is_control());
        assert_eq!(
            glyphs.glyph(character, 16).unwrap(),
            &replacement[..],
            "{character:?}"
        );
    }
    // A font without U+FFFD would get a box; DejaVu has both, so check letters differ.
    assert_ne!(glyphs.glyph('a', 16).unwrap(), &replacement[..]);
}

#[test]
fn render_text_line_draws_cells_side_by_side() {
    let mut glyphs = cache();
    let foreground = Rgb::new(0xFF, 0xFF, 0x00);
    let background = Rgb::new(0x00, 0x00, 0x80);
    let style = TextStyle {
        size: 16,
        foreground,
        background: Some(background),
    };
    let mut screen = Screen::new(64, 30, PixelFormat::Xrgb8888, 0);
    let extent = glyphs
        .render_text_line(&mut screen.surface(), -5, 3, "xyz", style)
        .unwrap();
    assert_eq!((extent.width, extent.height), (30, 19));
    // Every pixel of the three cells is the blend of its coverage; outside is untouched.
    let cells: Vec<Vec<u8>> = "xyz"
        .chars()
        .map(|character| glyphs.glyph(character, 16).unwrap().to_vec())
        .collect();
    let surface = screen.surface();
    for y in 0..30i32 {
        for x in 0..64i32 {
            let (column, row) = (x + 5, y - 3);
            let expected = if (0..30).contains(&column) && (0..19).contains(&row) {
                let coverage = cells[(column / 10) as usize][(row * 10 + column % 10) as usize];
                background.blend(foreground, coverage)
            } else {
                Rgb::BLACK
            };
            assert_eq!(surface.pixel(x, y), Some(expected), "({x}, {y})");
        }
    }
}

#[test]
fn transparent_text_keeps_the_background_pixels() {
    let mut glyphs = cache();
    let mut screen = Screen::new(20, 20, PixelFormat::Rgb565, 0);
    let backdrop = Rgb::new(0x40, 0x80, 0x40);
    screen.surface().fill(backdrop);
    let style = TextStyle {
        size: 16,
        foreground: Rgb::WHITE,
        background: None,
    };
    glyphs
        .render_text_line(&mut screen.surface(), 0, 0, "i", style)
        .unwrap();
    let coverage = glyphs.glyph('i', 16).unwrap().to_vec();
    let shown = PixelFormat::Rgb565.decode(PixelFormat::Rgb565.encode(backdrop));
    let surface = screen.surface();
    for (index, &value) in coverage.iter().enumerate() {
        let (x, y) = ((index % 10) as i32, (index / 10) as i32);
        if value == 0 {
            assert_eq!(surface.pixel(x, y), Some(shown), "({x}, {y})");
        } else if value == 255 {
            assert_eq!(surface.pixel(x, y), Some(Rgb::WHITE));
        }
    }
}

#[test]
fn text_far_off_the_surface_is_clipped() {
    let mut glyphs = cache();
    let mut screen = Screen::new(30, 20, PixelFormat::Rgb565, 0);
    let style = TextStyle {
        size: 16,
        foreground: Rgb::WHITE,
        background: Some(Rgb::new(0, 0, 0xFF)),
    };
    for (x, y) in [
        (i32::MIN, 0),
        (i32::MAX, 0),
        (0, i32::MIN),
        (0, i32::MAX),
        (-40, 0),
        (30, 0),
        (0, 20),
        (0, -19),
    ] {
        glyphs
            .render_text_line(&mut screen.surface(), x, y, "abcd", style)
            .unwrap();
    }
    assert!(screen.pixels.iter().all(|&byte| byte == 0));
    let long = "w".repeat(10_000);
    let extent = glyphs
        .render_text_line(&mut screen.surface(), -99_970, 0, &long, style)
        .unwrap();
    assert_eq!(extent.width, 100_000);
    assert!(
        screen.pixels.iter().any(|&byte| byte != 0),
        "the last w shows"
    );
}

#[test]
fn the_byte_budget_bounds_the_cache() {
    let mut glyphs = cache();
    assert_eq!(DEFAULT_GLYPH_CACHE_BYTES, 256 * 1024);
    glyphs.set_byte_budget(5 * 190);
    for character in "abcdefghij".chars() {
        glyphs.glyph(character, 16).unwrap();
        assert!(glyphs.cached_bytes() <= 5 * 190);
    }
    assert_eq!(glyphs.rasterizations(), 10);
    // Emptied and refilled on demand, still correct.
    let again = glyphs.glyph('a', 16).unwrap().to_vec();
    let mut fresh = cache();
    assert_eq!(fresh.glyph('a', 16).unwrap(), &again[..]);
    glyphs.clear();
    assert_eq!((glyphs.cached_glyphs(), glyphs.cached_bytes()), (0, 0));
    glyphs.set_byte_budget(0);
    assert!(!glyphs.glyph('q', 16).unwrap().is_empty());
}
