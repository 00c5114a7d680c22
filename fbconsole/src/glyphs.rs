//! Glyph cache: DejaVu Sans Mono rasterised by fontdue once per (character, size) into cells.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::primitives::{Primitive, PrimitiveStyle, Rectangle};
use embedded_graphics::Drawable;
use fontdue::{Font, FontSettings};

use crate::color::Rgb;
use crate::surface::Framebuffer;

/// The embedded font: a 718-glyph subset of DejaVu Sans Mono (`fonts/README.md`; licence in
/// `fonts/LICENSE-DejaVu.txt`).
pub const FONT_DATA: &[u8] = include_bytes!("../fonts/DejaVuSansMono-PiPyOS.ttf");

/// Smallest font pixel size the cache accepts.
pub const MIN_FONT_SIZE: u32 = 4;
/// Largest font pixel size the cache accepts (a 128 px cell is about 77 x 150 pixels).
pub const MAX_FONT_SIZE: u32 = 128;
/// Default limit of the bytes the cached coverage bitmaps may take before the cache is
/// emptied and refilled on demand.
pub const DEFAULT_GLYPH_CACHE_BYTES: usize = 256 * 1024;

/// Drawn for a character the font lacks, when the font has it.
const REPLACEMENT_CHARACTER: char = '\u{FFFD}';

/// Why a glyph could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontError {
    /// The font data did not parse (fontdue's message).
    Parse(&'static str),
    /// The pixel size is outside [`MIN_FONT_SIZE`]..=[`MAX_FONT_SIZE`].
    SizeOutOfRange(u32),
}

impl core::fmt::Display for FontError {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FontError::Parse(message) => write!(formatter, "font does not parse: {message}"),
            FontError::SizeOutOfRange(size) => write!(
                formatter,
                "font size {size} outside {MIN_FONT_SIZE}..={MAX_FONT_SIZE}"
            ),
        }
    }
}

/// The character cell of the monospace font at one pixel size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellMetrics {
    /// Cell width in pixels: the advance of `M`, rounded to the nearest pixel.
    pub width: u32,
    /// Cell height in pixels: the baseline plus the descent rounded up.
    pub height: u32,
    /// Rows from the top of the cell to the baseline: the ascent rounded up.
    pub baseline: u32,
}

impl CellMetrics {
    /// Pixels in one cell.
    pub fn area(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

/// How far a line of text drawn by [`GlyphCache::render_text_line`] reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextExtent {
    /// Width in pixels: characters times the cell width.
    pub width: u32,
    /// Height in pixels: the cell height.
    pub height: u32,
}

/// Size and colours of text drawn by [`GlyphCache::render_text_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    /// Font pixel size.
    pub size: u32,
    /// Ink colour.
    pub foreground: Rgb,
    /// Cell background, or `None` to blend the ink over the existing pixels.
    pub background: Option<Rgb>,
}

/// Rasterises characters of one font into cell-sized coverage bitmaps and keeps them.
///
/// Cloning copies the parsed font and the cache (cheaper than parsing the font again).
#[derive(Clone)]
pub struct GlyphCache {
    /// The parsed font.
    font: Font,
    /// Cell metrics per pixel size.
    cells: BTreeMap<u32, CellMetrics>,
    /// Coverage of each (character, size) cell, row-major, `width * height` bytes; an empty
    /// vector for a cell with no ink (space).
    glyphs: BTreeMap<(char, u32), Vec<u8>>,
    /// Bytes of coverage held in `glyphs`.
    cached_bytes: usize,
    /// Limit of `cached_bytes`; reaching it empties the cache.
    byte_budget: usize,
    /// Glyphs rasterised since the cache was made.
    rasterizations: u64,
}

impl core::fmt::Debug for GlyphCache {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        formatter
            .debug_struct("GlyphCache")
            .field("cached_glyphs", &self.glyphs.len())
            .field("cached_bytes", &self.cached_bytes)
            .field("rasterizations", &self.rasterizations)
            .finish_non_exhaustive()
    }
}

impl GlyphCache {
    /// A cache over the embedded DejaVu Sans Mono.
    pub fn new() -> Result<GlyphCache, FontError> {
        GlyphCache::from_font_bytes(FONT_DATA)
    }

    /// A cache over another TrueType/OpenType font (should be monospace), e.g. a subset.
    ///
    /// fontdue turns every glyph outline into line segments up front: the full DejaVu Sans
    /// Mono (3377 glyphs) takes about 9 MB of heap and the longest part of start-up.
    pub fn from_font_bytes(bytes: &[u8]) -> Result<GlyphCache, FontError> {
        // Ligature substitutions are useless for single cells and double the parse time.
        let settings = FontSettings {
            load_substitutions: false,
            ..FontSettings::default()
        };
        let font = Font::from_bytes(bytes, settings).map_err(FontError::Parse)?;
        Ok(GlyphCache {
            font,
            cells: BTreeMap::new(),
            glyphs: BTreeMap::new(),
            cached_bytes: 0,
            byte_budget: DEFAULT_GLYPH_CACHE_BYTES,
            rasterizations: 0,
        })
    }

    /// Checks `size` is within [`MIN_FONT_SIZE`]..=[`MAX_FONT_SIZE`].
    fn check_size(size: u32) -> Result<(), FontError> {
        if (MIN_FONT_SIZE..=MAX_FONT_SIZE).contains(&size) {
            Ok(())
        } else {
            Err(FontError::SizeOutOfRange(size))
        }
    }

    /// The cell of the font at `size` pixels (computed once per size).
    pub fn cell_metrics(&mut self, size: u32) -> Result<CellMetrics, FontError> {
        GlyphCache::check_size(size)?;
        if let Some(cell) = self.cells.get(&size) {
            return Ok(*cell);
        }
        let pixels = size as f32;
        let advance = self.font.metrics('M', pixels).advance_width;
        let (ascent, descent) = match self.font.horizontal_line_metrics(pixels) {
            Some(line) => (line.ascent, line.descent),
            None => (pixels * 0.8, -pixels * 0.2),
        };
        let baseline = float_to_pixels(ceil(ascent)).max(1);
        let cell = CellMetrics {
            width: float_to_pixels(round(advance)).max(1),
            height: baseline + float_to_pixels(ceil(-descent)),
            baseline,
        };
        self.cells.insert(size, cell);
        Ok(cell)
    }

    /// The coverage of `character`'s cell at `size`: `width * height` bytes row-major, or an
    /// empty slice for a cell without ink. Rasterised on first use, then cached.
    ///
    /// A character the font lacks (and any control character) shows U+FFFD, or a box when
    /// the font lacks that too.
    pub fn glyph(&mut self, character: char, size: u32) -> Result<&[u8], FontError> {
        let cell = self.cell_metrics(size)?;
        let key = (character, size);
        if !self.glyphs.contains_key(&key) {
            let coverage = self.rasterize_cell(character, size, cell);
            if self.cached_bytes + coverage.len() > self.byte_budget {
                self.glyphs.clear();
                self.cached_bytes = 0;
            }
            self.cached_bytes += coverage.len();
            self.glyphs.insert(key, coverage);
        }
        Ok(self.glyphs.get(&key).map_or(&[], Vec::as_slice))
    }

    /// Rasterises one cell (no caching).
    fn rasterize_cell(&mut self, character: char, size: u32, cell: CellMetrics) -> Vec<u8> {
        self.rasterizations += 1;
        let mut index = if character.is_control() {
            0
        } else {
            self.font.lookup_glyph_index(character)
        };
        if index == 0 {
            index = self.font.lookup_glyph_index(REPLACEMENT_CHARACTER);
            if index == 0 {
                return box_cell(cell);
            }
        }
        let (metrics, bitmap) = self.font.rasterize_indexed(index, size as f32);
        let mut coverage = vec![0u8; cell.area()];
        let top = i64::from(cell.baseline) - (i64::from(metrics.ymin) + metrics.height as i64);
        let left = i64::from(metrics.xmin);
        let mut ink = false;
        for (row, bitmap_row) in bitmap.chunks_exact(metrics.width.max(1)).enumerate() {
            let y = top + row as i64;
            if y < 0 || y >= i64::from(cell.height) {
                continue;
            }
            for (column, &value) in bitmap_row.iter().enumerate() {
                let x = left + column as i64;
                if value == 0 || x < 0 || x >= i64::from(cell.width) {
                    continue;
                }
                if let Some(target) =
                    coverage.get_mut(y as usize * cell.width as usize + x as usize)
                {
                    *target = value;
                    ink = true;
                }
            }
        }
        if ink {
            coverage
        } else {
            Vec::new()
        }
    }

    /// Draws `character`'s cell with its top-left corner at (`x`, `y`) in `style`.
    pub fn draw_cell(
        &mut self,
        surface: &mut Framebuffer<'_>,
        x: i32,
        y: i32,
        character: char,
        style: TextStyle,
    ) -> Result<(), FontError> {
        let cell = self.cell_metrics(style.size)?;
        let coverage = self.glyph(character, style.size)?;
        // Cells with a background go through embedded-graphics (the surface is its
        // `DrawTarget`); transparent text must read the pixels under it, so it blends directly.
        let area = Rectangle::new(Point::new(x, y), Size::new(cell.width, cell.height));
        let drawn = match (coverage.is_empty(), style.background) {
            (true, Some(background)) => area
                .into_styled(PrimitiveStyle::with_fill(Rgb888::from(background)))
                .draw(surface),
            (true, None) => Ok(()),
            (false, Some(background)) => {
                let foreground = style.foreground;
                surface.fill_contiguous(
                    &area,
                    coverage
                        .iter()
                        .map(|&ink| Rgb888::from(background.blend(foreground, ink))),
                )
            }
            (false, None) => {
                surface.blend_alpha_mask(x, y, coverage, cell.width as usize, style.foreground);
                Ok(())
            }
        };
        match drawn {
            Ok(()) => Ok(()),
            Err(never) => match never {},
        }
    }

    /// Draws `text` on one line from (`x`, `y`) (the top-left of the first cell), one cell
    /// per character, clipped by the surface: what Python's `display.text(s, x, y, color,
    /// size=)` calls. Line breaks are not interpreted (control characters show U+FFFD).
    pub fn render_text_line(
        &mut self,
        surface: &mut Framebuffer<'_>,
        x: i32,
        y: i32,
        text: &str,
        style: TextStyle,
    ) -> Result<TextExtent, FontError> {
        let cell = self.cell_metrics(style.size)?;
        let mut left = i64::from(x);
        let mut count: u32 = 0;
        for character in text.chars() {
            count = count.saturating_add(1);
            if left >= i64::from(surface.width()) {
                // Everything further right is clipped; keep counting for the extent.
                continue;
            }
            if left + i64::from(cell.width) > 0 {
                let column = i32::try_from(left).unwrap_or(i32::MAX);
                self.draw_cell(surface, column, y, character, style)?;
            }
            left += i64::from(cell.width);
        }
        Ok(TextExtent {
            width: count.saturating_mul(cell.width),
            height: cell.height,
        })
    }

    /// Glyph cells rasterised since this cache was made (cache hits do not count).
    pub fn rasterizations(&self) -> u64 {
        self.rasterizations
    }

    /// Glyph cells held now.
    pub fn cached_glyphs(&self) -> usize {
        self.glyphs.len()
    }

    /// Bytes of coverage held now (bitmaps only, not the map's bookkeeping).
    pub fn cached_bytes(&self) -> usize {
        self.cached_bytes
    }

    /// Sets the limit of cached coverage bytes; reaching it empties the cache.
    pub fn set_byte_budget(&mut self, bytes: usize) {
        self.byte_budget = bytes;
        if self.cached_bytes > bytes {
            self.clear();
        }
    }

    /// Drops every cached glyph (they are rasterised again on demand).
    pub fn clear(&mut self) {
        self.glyphs.clear();
        self.cached_bytes = 0;
    }

    /// Whether the font has its own glyph for `character`.
    pub fn has_glyph(&self, character: char) -> bool {
        self.font.lookup_glyph_index(character) != 0
    }

    /// The parsed fontdue font.
    pub fn font(&self) -> &Font {
        &self.font
    }
}

/// A cell with a one-pixel box inset by about a tenth of the cell: the last-resort glyph.
fn box_cell(cell: CellMetrics) -> Vec<u8> {
    let width = cell.width as usize;
    let height = cell.height as usize;
    let mut coverage = vec![0u8; cell.area()];
    let inset_x = width / 10;
    let inset_y = height / 10;
    let (left, right) = (inset_x, width.saturating_sub(inset_x + 1));
    let (top, bottom) = (inset_y, height.saturating_sub(inset_y + 1));
    for (index, value) in coverage.iter_mut().enumerate() {
        let (x, y) = (index % width, index / width);
        let inside = (left..=right).contains(&x) && (top..=bottom).contains(&y);
        if inside && (x == left || x == right || y == top || y == bottom) {
            *value = 255;
        }
    }
    coverage
}

/// `value` as whole pixels: 0 for negatives and NaN, saturating at `u32::MAX`.
fn float_to_pixels(value: f32) -> u32 {
    // `as` from float saturates and maps NaN to 0.
    value as u32
}

/// Rounds up to a whole number (no_std has no `f32::ceil`); exact for |value| < 2^23.
fn ceil(value: f32) -> f32 {
    let truncated = value as i32 as f32;
    if truncated < value {
        truncated + 1.0
    } else {
        truncated
    }
}

/// Rounds down to a whole number (no_std has no `f32::floor`).
fn floor(value: f32) -> f32 {
    -ceil(-value)
}

/// Rounds half away from zero to a whole number (no_std has no `f32::round`).
fn round(value: f32) -> f32 {
    if value < 0.0 {
        -floor(-value + 0.5)
    } else {
        floor(value + 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_number_rounding() {
        assert_eq!(ceil(14.2), 15.0);
        assert_eq!(ceil(15.0), 15.0);
        assert_eq!(ceil(-3.7), -3.0);
        assert_eq!(round(9.63), 10.0);
        assert_eq!(round(9.5), 10.0);
        assert_eq!(round(9.49), 9.0);
        assert_eq!(round(-1.5), -2.0);
    }

    #[test]
    fn box_cell_outline() {
        let cell = CellMetrics {
            width: 5,
            height: 4,
            baseline: 3,
        };
        let coverage = box_cell(cell);
        let rows: Vec<Vec<u8>> = coverage
            .chunks(5)
            .map(|row| row.iter().map(|&value| u8::from(value != 0)).collect())
            .collect();
        assert_eq!(
            rows,
            [
                [1, 1, 1, 1, 1],
                [1, 0, 0, 0, 1],
                [1, 0, 0, 0, 1],
                [1, 1, 1, 1, 1]
            ]
        );
    }
}
