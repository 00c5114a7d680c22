//! Pixel surfaces: a clipped, format-aware view of a linear framebuffer in memory.

use crate::color::Rgb;

/// How one pixel is laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// 16 bits per pixel, little-endian `u16` with red in bits 15–11, green 10–5, blue 4–0.
    Rgb565,
    /// 32 bits per pixel, little-endian `u32` `0xXXRRGGBB`: bytes blue, green, red, unused.
    Xrgb8888,
    /// 32 bits per pixel, little-endian `u32` `0xXXBBGGRR`: bytes red, green, blue, unused.
    ///
    /// What QEMU's BCM2835 framebuffer shows correctly in its default (RGB) pixel order.
    Xbgr8888,
}

impl PixelFormat {
    /// Bytes one pixel takes: 2 or 4.
    pub const fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgb565 => 2,
            PixelFormat::Xrgb8888 | PixelFormat::Xbgr8888 => 4,
        }
    }

    /// The raw pixel value of `color` (truncating each channel to the format's width).
    pub const fn encode(self, color: Rgb) -> u32 {
        let (red, green, blue) = (color.red as u32, color.green as u32, color.blue as u32);
        match self {
            PixelFormat::Rgb565 => (red >> 3) << 11 | (green >> 2) << 5 | blue >> 3,
            PixelFormat::Xrgb8888 => red << 16 | green << 8 | blue,
            PixelFormat::Xbgr8888 => blue << 16 | green << 8 | red,
        }
    }

    /// The colour of a raw pixel value; 5- and 6-bit channels are widened by repeating their
    /// top bits, so that `decode(encode(c))` re-encodes to the same value.
    pub const fn decode(self, raw: u32) -> Rgb {
        match self {
            PixelFormat::Rgb565 => {
                let red = ((raw >> 11) & 0x1F) as u8;
                let green = ((raw >> 5) & 0x3F) as u8;
                let blue = (raw & 0x1F) as u8;
                Rgb::new(
                    red << 3 | red >> 2,
                    green << 2 | green >> 4,
                    blue << 3 | blue >> 2,
                )
            }
            PixelFormat::Xrgb8888 => Rgb::from_u32(raw),
            PixelFormat::Xbgr8888 => Rgb::new(raw as u8, (raw >> 8) as u8, (raw >> 16) as u8),
        }
    }

    /// The little-endian bytes of `color` in this format; only the first
    /// [`bytes_per_pixel`](Self::bytes_per_pixel) matter.
    pub const fn encode_bytes(self, color: Rgb) -> [u8; 4] {
        self.encode(color).to_le_bytes()
    }

    /// Reads a raw pixel value from its bytes (at least `bytes_per_pixel` of them).
    fn read_raw(self, bytes: &[u8]) -> Option<u32> {
        match self {
            PixelFormat::Rgb565 => match bytes {
                [low, high, ..] => Some(u32::from(u16::from_le_bytes([*low, *high]))),
                _ => None,
            },
            PixelFormat::Xrgb8888 | PixelFormat::Xbgr8888 => match bytes {
                [b0, b1, b2, b3, ..] => Some(u32::from_le_bytes([*b0, *b1, *b2, *b3])),
                _ => None,
            },
        }
    }
}

/// Why a [`Framebuffer`] could not be made over a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurfaceError {
    /// The pitch is smaller than one row of pixels.
    PitchTooSmall {
        /// Bytes one row of pixels needs.
        needed: usize,
        /// The pitch given.
        pitch: usize,
    },
    /// The buffer ends before the last pixel.
    BufferTooSmall {
        /// Bytes the geometry needs.
        needed: usize,
        /// Bytes the buffer has.
        actual: usize,
    },
    /// The geometry's byte size does not fit in `usize`.
    TooLarge,
}

impl core::fmt::Display for SurfaceError {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SurfaceError::PitchTooSmall { needed, pitch } => {
                write!(
                    formatter,
                    "pitch {pitch} is below the {needed} bytes of one row"
                )
            }
            SurfaceError::BufferTooSmall { needed, actual } => {
                write!(
                    formatter,
                    "buffer of {actual} bytes, geometry needs {needed}"
                )
            }
            SurfaceError::TooLarge => formatter.write_str("surface size overflows"),
        }
    }
}

/// A half-open span `[start, end)` of a clipped axis, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// Clips `[origin, origin + length)` to `[0, limit)`; `None` if nothing remains.
fn clip_span(origin: i64, length: i64, limit: u32) -> Option<Span> {
    let start = origin.max(0);
    let end = origin.saturating_add(length).min(i64::from(limit));
    if length <= 0 || start >= end {
        return None;
    }
    // 0 <= start < end <= limit <= u32::MAX, so both fit in usize on 32- and 64-bit targets.
    Some(Span {
        start: usize::try_from(start).ok()?,
        end: usize::try_from(end).ok()?,
    })
}

/// A linear framebuffer in memory: `height` rows of `width` pixels, each row starting `pitch`
/// bytes after the previous one. Every drawing operation clips at every edge.
#[derive(Debug)]
pub struct Framebuffer<'a> {
    /// The pixel bytes, row 0 first.
    pixels: &'a mut [u8],
    /// Pixels per row.
    width: u32,
    /// Rows.
    height: u32,
    /// Bytes from the start of one row to the start of the next.
    pitch: usize,
    /// Layout of one pixel.
    format: PixelFormat,
}

impl<'a> Framebuffer<'a> {
    /// A surface over `pixels`. The buffer must hold `pitch * (height - 1)` bytes plus one
    /// row of pixels; `pitch` may exceed `width * bytes_per_pixel` (padding is never written
    /// except by [`copy_rows_up`](Self::copy_rows_up), which moves whole rows).
    pub fn new(
        pixels: &'a mut [u8],
        width: u32,
        height: u32,
        pitch: usize,
        format: PixelFormat,
    ) -> Result<Framebuffer<'a>, SurfaceError> {
        let row_bytes = usize::try_from(width)
            .ok()
            .and_then(|width| width.checked_mul(format.bytes_per_pixel()))
            .ok_or(SurfaceError::TooLarge)?;
        if pitch < row_bytes {
            return Err(SurfaceError::PitchTooSmall {
                needed: row_bytes,
                pitch,
            });
        }
        let needed = if height == 0 || width == 0 {
            0
        } else {
            usize::try_from(height - 1)
                .ok()
                .and_then(|rows| rows.checked_mul(pitch))
                .and_then(|bytes| bytes.checked_add(row_bytes))
                .ok_or(SurfaceError::TooLarge)?
        };
        if pixels.len() < needed {
            return Err(SurfaceError::BufferTooSmall {
                needed,
                actual: pixels.len(),
            });
        }
        Ok(Framebuffer {
            pixels,
            width,
            height,
            pitch,
            format,
        })
    }

    /// Pixels per row.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Rows of pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes from one row to the next.
    pub fn pitch(&self) -> usize {
        self.pitch
    }

    /// The pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The whole underlying buffer, padding included.
    pub fn bytes(&self) -> &[u8] {
        self.pixels
    }

    /// The bytes of row `y`, columns `span`; `None` outside the buffer (never for clipped
    /// spans, since [`new`](Self::new) checked the length).
    fn row_bytes_mut(&mut self, y: usize, span: Span) -> Option<&mut [u8]> {
        let bytes_per_pixel = self.format.bytes_per_pixel();
        let start = y
            .checked_mul(self.pitch)?
            .checked_add(span.start.checked_mul(bytes_per_pixel)?)?;
        let end = start.checked_add((span.end - span.start).checked_mul(bytes_per_pixel)?)?;
        self.pixels.get_mut(start..end)
    }

    /// The raw value of pixel (`x`, `y`), `None` outside the surface.
    pub fn raw_pixel(&self, x: i32, y: i32) -> Option<u32> {
        let column = clip_span(i64::from(x), 1, self.width)?.start;
        let row = clip_span(i64::from(y), 1, self.height)?.start;
        let offset = row
            .checked_mul(self.pitch)?
            .checked_add(column.checked_mul(self.format.bytes_per_pixel())?)?;
        self.format.read_raw(self.pixels.get(offset..)?)
    }

    /// The colour of pixel (`x`, `y`), `None` outside the surface.
    pub fn pixel(&self, x: i32, y: i32) -> Option<Rgb> {
        self.raw_pixel(x, y).map(|raw| self.format.decode(raw))
    }

    /// Sets pixel (`x`, `y`) to `color`; nothing outside the surface.
    pub fn set_pixel(&mut self, x: i32, y: i32, color: Rgb) {
        self.fill_rect(x, y, 1, 1, color);
    }

    /// Fills the whole surface with `color`.
    pub fn fill(&mut self, color: Rgb) {
        self.fill_rect(0, 0, self.width, self.height, color);
    }

    /// Fills the rectangle at (`x`, `y`) of `width` x `height` pixels, clipped.
    pub fn fill_rect(&mut self, x: i32, y: i32, width: u32, height: u32, color: Rgb) {
        let Some(columns) = clip_span(i64::from(x), i64::from(width), self.width) else {
            return;
        };
        let Some(rows) = clip_span(i64::from(y), i64::from(height), self.height) else {
            return;
        };
        let bytes_per_pixel = self.format.bytes_per_pixel();
        let encoded = self.format.encode_bytes(color);
        for row in rows.start..rows.end {
            if let Some(bytes) = self.row_bytes_mut(row, columns) {
                crate::color::fill_pixels(bytes, encoded, bytes_per_pixel);
            }
        }
    }

    /// Copies `rows` whole pixel rows starting at row `source_y` to start at row `dest_y`
    /// (overlap allowed, in either direction) with one `copy_within`; rows that would fall
    /// outside the surface on either side are dropped. Moves pixels, never redraws.
    pub fn copy_rows_up(&mut self, source_y: u32, dest_y: u32, rows: u32) {
        let furthest = source_y.max(dest_y);
        let rows = rows.min(self.height.saturating_sub(furthest));
        if rows == 0 || source_y == dest_y {
            return;
        }
        let row_bytes = self.width as usize * self.format.bytes_per_pixel();
        let span = |first: u32| -> Option<(usize, usize)> {
            let start = (first as usize).checked_mul(self.pitch)?;
            let length = (rows as usize - 1)
                .checked_mul(self.pitch)?
                .checked_add(row_bytes)?;
            Some((start, start.checked_add(length)?))
        };
        let (Some((source_start, source_end)), Some((dest_start, _))) =
            (span(source_y), span(dest_y))
        else {
            return;
        };
        if source_end <= self.pixels.len()
            && dest_start + (source_end - source_start) <= self.pixels.len()
        {
            self.pixels
                .copy_within(source_start..source_end, dest_start);
        }
    }

    /// Scrolls the whole surface up by `pixels` rows (moving the pixels, not redrawing) and
    /// fills the rows uncovered at the bottom with `fill`.
    pub fn scroll_up(&mut self, pixels: u32, fill: Rgb) {
        let pixels = pixels.min(self.height);
        self.copy_rows_up(pixels, 0, self.height - pixels);
        self.fill_rect(
            0,
            i32::try_from(self.height - pixels).unwrap_or(i32::MAX),
            self.width,
            pixels,
            fill,
        );
    }

    /// Calls `paint(pixel_bytes, coverage)` for every pixel under the mask, clipped. `mask`
    /// holds rows of `mask_width` coverage bytes; a trailing partial row is ignored.
    fn paint_mask(
        &mut self,
        x: i32,
        y: i32,
        mask: &[u8],
        mask_width: usize,
        mut paint: impl FnMut(&mut [u8], u8),
    ) {
        if mask_width == 0 {
            return;
        }
        let mask_height = mask.len() / mask_width;
        let (Ok(width), Ok(height)) = (i64::try_from(mask_width), i64::try_from(mask_height))
        else {
            return;
        };
        let Some(columns) = clip_span(i64::from(x), width, self.width) else {
            return;
        };
        let Some(rows) = clip_span(i64::from(y), height, self.height) else {
            return;
        };
        // The first visible mask column and row: the clipped start minus the origin.
        let first_column = (columns.start as i64 - i64::from(x)) as usize;
        let first_row = (rows.start as i64 - i64::from(y)) as usize;
        let bytes_per_pixel = self.format.bytes_per_pixel();
        for (row_index, row) in (rows.start..rows.end).enumerate() {
            let mask_start = (first_row + row_index) * mask_width + first_column;
            let Some(mask_row) = mask.get(mask_start..mask_start + (columns.end - columns.start))
            else {
                return;
            };
            let Some(bytes) = self.row_bytes_mut(row, columns) else {
                return;
            };
            for (pixel, &coverage) in bytes.chunks_exact_mut(bytes_per_pixel).zip(mask_row) {
                paint(pixel, coverage);
            }
        }
    }

    /// Paints a `width` x `height` rectangle at (`x`, `y`) from `colors`, row by row (pixels
    /// off the surface consume their colour and are dropped): embedded-graphics'
    /// `fill_contiguous`.
    pub(crate) fn paint_colors(
        &mut self,
        x: i32,
        y: i32,
        width: u32,
        height: u32,
        colors: impl IntoIterator<Item = Rgb>,
    ) {
        let format = self.format;
        let size = format.bytes_per_pixel();
        let mut colors = colors.into_iter();
        let columns = clip_span(i64::from(x), i64::from(width), self.width);
        for row in 0..i64::from(height) {
            let target_y = i64::from(y) + row;
            let visible_row = usize::try_from(target_y)
                .ok()
                .filter(|&target_y| target_y < self.height as usize);
            let (Some(target_y), Some(columns)) = (visible_row, columns) else {
                // Nothing of this row shows: skip its colours.
                for _ in 0..width {
                    if colors.next().is_none() {
                        return;
                    }
                }
                continue;
            };
            let skip_left = (columns.start as i64 - i64::from(x)) as u32;
            let visible = (columns.end - columns.start) as u32;
            for _ in 0..skip_left {
                if colors.next().is_none() {
                    return;
                }
            }
            let Some(bytes) = self.row_bytes_mut(target_y, columns) else {
                return;
            };
            // Fixed-size stores per format (a slice-length copy would call memcpy per pixel).
            if size == 2 {
                for pixel in bytes.chunks_exact_mut(2) {
                    let Some(color) = colors.next() else {
                        return;
                    };
                    let encoded = format.encode_bytes(color);
                    pixel.copy_from_slice(&[encoded[0], encoded[1]]);
                }
            } else {
                for pixel in bytes.chunks_exact_mut(4) {
                    let Some(color) = colors.next() else {
                        return;
                    };
                    pixel.copy_from_slice(&format.encode_bytes(color));
                }
            }
            for _ in 0..width - skip_left - visible {
                if colors.next().is_none() {
                    return;
                }
            }
        }
    }

    /// Draws an 8-bit coverage mask at (`x`, `y`): each pixel becomes `background` blended
    /// towards `foreground` by its coverage (0 = background, 255 = foreground). `mask` holds
    /// rows of `mask_width` bytes. Clipped at every edge.
    pub fn draw_alpha_mask(
        &mut self,
        x: i32,
        y: i32,
        mask: &[u8],
        mask_width: usize,
        foreground: Rgb,
        background: Rgb,
    ) {
        let format = self.format;
        let size = format.bytes_per_pixel();
        let background_bytes = format.encode_bytes(background);
        let foreground_bytes = format.encode_bytes(foreground);
        self.paint_mask(x, y, mask, mask_width, |pixel, coverage| match coverage {
            0 => pixel.copy_from_slice(&background_bytes[..size]),
            255 => pixel.copy_from_slice(&foreground_bytes[..size]),
            _ => {
                let mixed = format.encode_bytes(background.blend(foreground, coverage));
                pixel.copy_from_slice(&mixed[..size]);
            }
        });
    }

    /// Blends `foreground` over the existing pixels through an 8-bit coverage mask (coverage
    /// 0 leaves a pixel untouched): transparent text. Clipped at every edge.
    pub fn blend_alpha_mask(
        &mut self,
        x: i32,
        y: i32,
        mask: &[u8],
        mask_width: usize,
        foreground: Rgb,
    ) {
        let format = self.format;
        let size = format.bytes_per_pixel();
        let foreground_bytes = format.encode_bytes(foreground);
        self.paint_mask(x, y, mask, mask_width, |pixel, coverage| match coverage {
            0 => {}
            255 => pixel.copy_from_slice(&foreground_bytes[..size]),
            _ => {
                let existing = format.decode(format.read_raw(pixel).unwrap_or(0));
                let mixed = format.encode_bytes(existing.blend(foreground, coverage));
                pixel.copy_from_slice(&mixed[..size]);
            }
        });
    }
}
