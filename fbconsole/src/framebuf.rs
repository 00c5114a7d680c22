//! MicroPython `framebuf` drawing over a borrowed byte buffer: same formats, packing, clipping.
//!
//! Stateless: the kernel wraps a Python `bytearray` in a [`FrameBuf`] for each call. Colours
//! are raw values of the buffer's format (`0`/`1` for mono, `0..=3` for GS2, a `u16` for
//! RGB565, ...), truncated to the format's width when stored. Coordinates may be anything;
//! every operation clips at every edge and never panics.

use alloc::vec::Vec;

use crate::font8x8::FONT_8X8;

/// Format number of [`Format::MonoVlsb`], as in MicroPython.
pub const MONO_VLSB: u32 = 0;
/// Format number of [`Format::Rgb565`], as in MicroPython.
pub const RGB565: u32 = 1;
/// Format number of [`Format::Gs4Hmsb`], as in MicroPython.
pub const GS4_HMSB: u32 = 2;
/// Format number of [`Format::MonoHlsb`], as in MicroPython.
pub const MONO_HLSB: u32 = 3;
/// Format number of [`Format::MonoHmsb`], as in MicroPython.
pub const MONO_HMSB: u32 = 4;
/// Format number of [`Format::Gs2Hmsb`], as in MicroPython.
pub const GS2_HMSB: u32 = 5;
/// Format number of [`Format::Gs8`], as in MicroPython.
pub const GS8: u32 = 6;
/// Format number of [`Format::Xrgb8888`], a PiPyOS extension (not in MicroPython).
pub const XRGB8888: u32 = 7;

/// Largest ellipse radius drawn as given; larger radii are clamped to it. (MicroPython's
/// 32-bit arithmetic already overflows past 32767.)
pub const MAX_ELLIPSE_RADIUS: i32 = 65_535;

/// Width and height in pixels of a [`FrameBuf::text`] character.
pub const TEXT_CELL: i32 = 8;

/// Quadrant bits of [`FrameBuf::ellipse`]: upper right (x+, y-).
pub const ELLIPSE_Q1: u8 = 0x01;
/// Quadrant bits of [`FrameBuf::ellipse`]: upper left (x-, y-).
pub const ELLIPSE_Q2: u8 = 0x02;
/// Quadrant bits of [`FrameBuf::ellipse`]: lower left (x-, y+).
pub const ELLIPSE_Q3: u8 = 0x04;
/// Quadrant bits of [`FrameBuf::ellipse`]: lower right (x+, y+).
pub const ELLIPSE_Q4: u8 = 0x08;
/// All four quadrants.
pub const ELLIPSE_ALL: u8 = 0x0F;

/// A pixel format of MicroPython's `framebuf`, plus XRGB8888.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 1 bit per pixel; each byte is 8 vertical pixels, bit 0 on top; bytes run along a row
    /// of 8-pixel-tall bands.
    MonoVlsb,
    /// 16 bits per pixel, a native (little-endian) `u16` per pixel.
    Rgb565,
    /// 4 bits per pixel, two horizontal pixels per byte, the left one in the high nibble.
    Gs4Hmsb,
    /// 1 bit per pixel, 8 horizontal pixels per byte, bit 7 leftmost.
    MonoHlsb,
    /// 1 bit per pixel, 8 horizontal pixels per byte, bit 0 leftmost.
    MonoHmsb,
    /// 2 bits per pixel, four horizontal pixels per byte, the leftmost in bits 1–0.
    Gs2Hmsb,
    /// 8 bits per pixel.
    Gs8,
    /// 32 bits per pixel, a little-endian `u32` `0x00RRGGBB` (PiPyOS extension).
    Xrgb8888,
}

impl Format {
    /// The format with MicroPython's number (7 is [`Format::Xrgb8888`]).
    pub fn from_number(number: i64) -> Result<Format, Error> {
        Ok(match number {
            0 => Format::MonoVlsb,
            1 => Format::Rgb565,
            2 => Format::Gs4Hmsb,
            3 => Format::MonoHlsb,
            4 => Format::MonoHmsb,
            5 => Format::Gs2Hmsb,
            6 => Format::Gs8,
            7 => Format::Xrgb8888,
            _ => return Err(Error::InvalidFormat(number)),
        })
    }

    /// MicroPython's number of this format.
    pub const fn number(self) -> u32 {
        match self {
            Format::MonoVlsb => MONO_VLSB,
            Format::Rgb565 => RGB565,
            Format::Gs4Hmsb => GS4_HMSB,
            Format::MonoHlsb => MONO_HLSB,
            Format::MonoHmsb => MONO_HMSB,
            Format::Gs2Hmsb => GS2_HMSB,
            Format::Gs8 => GS8,
            Format::Xrgb8888 => XRGB8888,
        }
    }

    /// Bits one pixel takes.
    pub const fn bits_per_pixel(self) -> u32 {
        match self {
            Format::MonoVlsb | Format::MonoHlsb | Format::MonoHmsb => 1,
            Format::Gs2Hmsb => 2,
            Format::Gs4Hmsb => 4,
            Format::Gs8 => 8,
            Format::Rgb565 => 16,
            Format::Xrgb8888 => 32,
        }
    }

    /// The stride MicroPython uses for a requested one: horizontal sub-byte formats round
    /// up so that each row starts on a byte.
    const fn round_stride(self, stride: u32) -> Option<u32> {
        let multiple = match self {
            Format::MonoHlsb | Format::MonoHmsb => 8,
            Format::Gs2Hmsb => 4,
            Format::Gs4Hmsb => 2,
            _ => 1,
        };
        match stride.checked_add(multiple - 1) {
            Some(sum) => Some(sum / multiple * multiple),
            None => None,
        }
    }
}

/// Why a framebuffer could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Not one of the format numbers.
    InvalidFormat(i64),
    /// The stride is less than the width (rows would overlap).
    StrideTooSmall {
        /// The stride given (after rounding).
        stride: u32,
        /// The width.
        width: u32,
    },
    /// The buffer is smaller than the geometry needs (MicroPython's `ValueError`).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes in the buffer.
        actual: usize,
    },
    /// The byte size overflows.
    TooLarge,
}

impl core::fmt::Display for Error {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::InvalidFormat(number) => write!(formatter, "invalid format {number}"),
            Error::StrideTooSmall { stride, width } => {
                write!(formatter, "stride {stride} is less than width {width}")
            }
            Error::BufferTooSmall { needed, actual } => {
                write!(formatter, "buffer too small: {actual} bytes, need {needed}")
            }
            Error::TooLarge => formatter.write_str("framebuffer too large"),
        }
    }
}

/// Size, row stride (in pixels) and format of a framebuffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    /// Pixels per row.
    width: u32,
    /// Rows.
    height: u32,
    /// Pixels from one row to the next (rounded as MicroPython rounds it).
    stride: u32,
    /// Pixel format.
    format: Format,
}

impl Geometry {
    /// A geometry as `FrameBuffer(buf, width, height, format, stride=width)` makes it: the
    /// stride defaults to the width and is rounded up to whole bytes per row for MONO_HLSB,
    /// MONO_HMSB (8), GS2_HMSB (4) and GS4_HMSB (2). A stride below the width is an error
    /// (MicroPython would write past the buffer).
    pub fn new(
        width: u32,
        height: u32,
        format: Format,
        stride: Option<u32>,
    ) -> Result<Geometry, Error> {
        let requested = stride.unwrap_or(width);
        let stride = format.round_stride(requested).ok_or(Error::TooLarge)?;
        if stride < width {
            return Err(Error::StrideTooSmall { stride, width });
        }
        let geometry = Geometry {
            width,
            height,
            stride,
            format,
        };
        required_len(&geometry)?;
        Ok(geometry)
    }

    /// Pixels per row.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Rows.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Pixels from one row to the next.
    pub fn stride(&self) -> u32 {
        self.stride
    }

    /// Pixel format.
    pub fn format(&self) -> Format {
        self.format
    }
}

/// Bytes a buffer of `geometry` needs, as MicroPython computes it: `ceil(height / 8) *
/// stride` for MONO_VLSB, else `height * stride * bits_per_pixel / 8`.
pub fn required_len(geometry: &Geometry) -> Result<usize, Error> {
    let stride = u128::from(geometry.stride);
    let height = u128::from(geometry.height);
    // 128 bits hold any product of two u32s and a bit count.
    let bytes = match geometry.format {
        Format::MonoVlsb => height.div_ceil(8) * stride,
        format => height * stride * u128::from(format.bits_per_pixel()) / 8,
    };
    usize::try_from(bytes).map_err(|_| Error::TooLarge)
}

/// Reads pixel (`x`, `y`) (inside the geometry) of `buffer`.
fn read_pixel(buffer: &[u8], geometry: &Geometry, x: usize, y: usize) -> u32 {
    let stride = geometry.stride as usize;
    let byte = |index: usize| u32::from(buffer.get(index).copied().unwrap_or(0));
    match geometry.format {
        Format::MonoVlsb => (byte((y >> 3) * stride + x) >> (y & 7)) & 1,
        Format::MonoHlsb => (byte((x + y * stride) >> 3) >> (7 - (x & 7))) & 1,
        Format::MonoHmsb => (byte((x + y * stride) >> 3) >> (x & 7)) & 1,
        Format::Gs2Hmsb => (byte((x + y * stride) >> 2) >> ((x & 3) << 1)) & 3,
        Format::Gs4Hmsb => {
            let value = byte((x + y * stride) >> 1);
            if x & 1 == 1 {
                value & 0x0F
            } else {
                value >> 4
            }
        }
        Format::Gs8 => byte(x + y * stride),
        Format::Rgb565 => {
            let index = (x + y * stride) * 2;
            byte(index) | byte(index + 1) << 8
        }
        Format::Xrgb8888 => {
            let index = (x + y * stride) * 4;
            byte(index) | byte(index + 1) << 8 | byte(index + 2) << 16
        }
    }
}

/// Replaces the bits `mask` of byte `index` with `bits`.
fn write_bits(buffer: &mut [u8], index: usize, mask: u8, bits: u8) {
    if let Some(byte) = buffer.get_mut(index) {
        *byte = (*byte & !mask) | (bits & mask);
    }
}

/// Writes pixel (`x`, `y`) (inside the geometry) of `buffer`.
fn write_pixel(buffer: &mut [u8], geometry: &Geometry, x: usize, y: usize, color: u32) {
    let stride = geometry.stride as usize;
    match geometry.format {
        Format::MonoVlsb => {
            let bit = 1u8 << (y & 7);
            let bits = if color != 0 { bit } else { 0 };
            write_bits(buffer, (y >> 3) * stride + x, bit, bits);
        }
        Format::MonoHlsb | Format::MonoHmsb => {
            let offset = if geometry.format == Format::MonoHmsb {
                x & 7
            } else {
                7 - (x & 7)
            };
            let bit = 1u8 << offset;
            let bits = if color != 0 { bit } else { 0 };
            write_bits(buffer, (x + y * stride) >> 3, bit, bits);
        }
        Format::Gs2Hmsb => {
            let shift = (x & 3) << 1;
            write_bits(
                buffer,
                (x + y * stride) >> 2,
                0x03 << shift,
                ((color & 0x03) as u8) << shift,
            );
        }
        Format::Gs4Hmsb => {
            let index = (x + y * stride) >> 1;
            if x & 1 == 1 {
                write_bits(buffer, index, 0x0F, (color & 0x0F) as u8);
            } else {
                write_bits(buffer, index, 0xF0, ((color & 0x0F) as u8) << 4);
            }
        }
        Format::Gs8 => write_bits(buffer, x + y * stride, 0xFF, color as u8),
        Format::Rgb565 => {
            let index = (x + y * stride) * 2;
            if let Some(bytes) = buffer.get_mut(index..index + 2) {
                bytes.copy_from_slice(&(color as u16).to_le_bytes());
            }
        }
        Format::Xrgb8888 => {
            let index = (x + y * stride) * 4;
            if let Some(bytes) = buffer.get_mut(index..index + 4) {
                bytes.copy_from_slice(&(color & 0x00FF_FFFF).to_le_bytes());
            }
        }
    }
}

/// Checks `buffer` is long enough for `geometry`.
fn check_length(length: usize, geometry: &Geometry) -> Result<(), Error> {
    if geometry.stride < geometry.width {
        return Err(Error::StrideTooSmall {
            stride: geometry.stride,
            width: geometry.width,
        });
    }
    let needed = required_len(geometry)?;
    if length < needed {
        return Err(Error::BufferTooSmall {
            needed,
            actual: length,
        });
    }
    Ok(())
}

/// `(x, y)` as buffer indices if it is inside `geometry`.
fn inside(geometry: &Geometry, x: i64, y: i64) -> Option<(usize, usize)> {
    if x < 0 || y < 0 || x >= i64::from(geometry.width) || y >= i64::from(geometry.height) {
        return None;
    }
    Some((usize::try_from(x).ok()?, usize::try_from(y).ok()?))
}

/// A read-only framebuffer: a blit source or a palette.
#[derive(Debug, Clone, Copy)]
pub struct FrameBufView<'a> {
    /// The pixel bytes.
    buffer: &'a [u8],
    /// How they are laid out.
    geometry: Geometry,
}

impl<'a> FrameBufView<'a> {
    /// A view of `buffer` laid out as `geometry` (which must fit in it).
    pub fn new(buffer: &'a [u8], geometry: Geometry) -> Result<FrameBufView<'a>, Error> {
        check_length(buffer.len(), &geometry)?;
        Ok(FrameBufView { buffer, geometry })
    }

    /// The layout.
    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// The raw colour of pixel (`x`, `y`), `None` outside.
    pub fn pixel(&self, x: i32, y: i32) -> Option<u32> {
        let (x, y) = inside(&self.geometry, i64::from(x), i64::from(y))?;
        Some(read_pixel(self.buffer, &self.geometry, x, y))
    }
}

/// A framebuffer over a borrowed byte buffer with MicroPython `framebuf.FrameBuffer`'s
/// drawing methods.
#[derive(Debug)]
pub struct FrameBuf<'a> {
    /// The pixel bytes.
    buffer: &'a mut [u8],
    /// How they are laid out.
    geometry: Geometry,
}

impl<'a> FrameBuf<'a> {
    /// A framebuffer over `buffer` laid out as `geometry`; [`Error::BufferTooSmall`] if it
    /// does not fit (MicroPython raises `ValueError`).
    pub fn new(buffer: &'a mut [u8], geometry: Geometry) -> Result<FrameBuf<'a>, Error> {
        check_length(buffer.len(), &geometry)?;
        Ok(FrameBuf { buffer, geometry })
    }

    /// The layout.
    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// The pixel bytes.
    pub fn buffer(&self) -> &[u8] {
        self.buffer
    }

    /// A read-only view of this framebuffer (for use as a palette or source elsewhere).
    pub fn as_view(&self) -> FrameBufView<'_> {
        FrameBufView {
            buffer: self.buffer,
            geometry: self.geometry,
        }
    }

    /// Sets (`x`, `y`) if it is inside.
    fn plot(&mut self, x: i64, y: i64, color: u32) {
        if let Some((x, y)) = inside(&self.geometry, x, y) {
            write_pixel(self.buffer, &self.geometry, x, y, color);
        }
    }

    /// `fill(c)`: every pixel.
    pub fn fill(&mut self, color: u32) {
        self.fill_rect_wide(
            0,
            0,
            i64::from(self.geometry.width),
            i64::from(self.geometry.height),
            color,
        );
    }

    /// `pixel(x, y)`: the raw colour, `None` outside (Python gets `None`).
    pub fn pixel(&self, x: i32, y: i32) -> Option<u32> {
        self.as_view().pixel(x, y)
    }

    /// `pixel(x, y, c)`: sets one pixel; nothing outside.
    pub fn set_pixel(&mut self, x: i32, y: i32, color: u32) {
        self.plot(i64::from(x), i64::from(y), color);
    }

    /// `fill_rect(x, y, w, h, c)`: clipped; nothing for `w < 1` or `h < 1`.
    pub fn fill_rect(&mut self, x: i32, y: i32, width: i32, height: i32, color: u32) {
        self.fill_rect_wide(
            i64::from(x),
            i64::from(y),
            i64::from(width),
            i64::from(height),
            color,
        );
    }

    /// [`fill_rect`](Self::fill_rect) with 64-bit arguments (sums of `i32`s cannot overflow).
    fn fill_rect_wide(&mut self, x: i64, y: i64, width: i64, height: i64, color: u32) {
        let geometry = self.geometry;
        if width < 1
            || height < 1
            || x + width <= 0
            || y + height <= 0
            || x >= i64::from(geometry.width)
            || y >= i64::from(geometry.height)
        {
            return;
        }
        // Clipped to 0..width and 0..height, so the casts are lossless.
        let x_end = (x + width).min(i64::from(geometry.width)) as usize;
        let y_end = (y + height).min(i64::from(geometry.height)) as usize;
        let x_start = x.max(0) as usize;
        let y_start = y.max(0) as usize;
        let stride = geometry.stride as usize;
        match geometry.format {
            Format::Gs8 | Format::Rgb565 | Format::Xrgb8888 => {
                let bytes_per_pixel = geometry.format.bits_per_pixel() as usize / 8;
                let value = match geometry.format {
                    Format::Xrgb8888 => color & 0x00FF_FFFF,
                    _ => color,
                }
                .to_le_bytes();
                for row in y_start..y_end {
                    let start = (row * stride + x_start) * bytes_per_pixel;
                    let end = (row * stride + x_end) * bytes_per_pixel;
                    if let Some(bytes) = self.buffer.get_mut(start..end) {
                        crate::color::fill_pixels(bytes, value, bytes_per_pixel);
                    }
                }
            }
            _ => {
                for row in y_start..y_end {
                    for column in x_start..x_end {
                        write_pixel(self.buffer, &geometry, column, row, color);
                    }
                }
            }
        }
    }

    /// `hline(x, y, w, c)`.
    pub fn hline(&mut self, x: i32, y: i32, width: i32, color: u32) {
        self.fill_rect(x, y, width, 1, color);
    }

    /// `vline(x, y, h, c)`.
    pub fn vline(&mut self, x: i32, y: i32, height: i32, color: u32) {
        self.fill_rect(x, y, 1, height, color);
    }

    /// `rect(x, y, w, h, c, f)`: filled, or a one-pixel outline (four clipped edges).
    pub fn rect(&mut self, x: i32, y: i32, width: i32, height: i32, color: u32, fill: bool) {
        if fill {
            self.fill_rect(x, y, width, height, color);
            return;
        }
        let (x, y, width, height) = (
            i64::from(x),
            i64::from(y),
            i64::from(width),
            i64::from(height),
        );
        self.fill_rect_wide(x, y, width, 1, color);
        self.fill_rect_wide(x, y + height - 1, width, 1, color);
        self.fill_rect_wide(x, y, 1, height, color);
        self.fill_rect_wide(x + width - 1, y, 1, height, color);
    }

    /// `line(x1, y1, x2, y2, c)`: Bresenham, both end points included.
    ///
    /// Pixel `i` steps along the major axis and rounds the minor axis to nearest, ties
    /// towards the end point (MicroPython's error-term loop gives the same pixels). Only the
    /// part of the major axis that is on the buffer is walked, so any length is cheap.
    pub fn line(&mut self, x1: i32, y1: i32, x2: i32, y2: i32, color: u32) {
        self.line_wide(
            i64::from(x1),
            i64::from(y1),
            i64::from(x2),
            i64::from(y2),
            color,
        );
    }

    /// [`line`](Self::line) with 64-bit end points.
    fn line_wide(&mut self, x1: i64, y1: i64, x2: i64, y2: i64, color: u32) {
        let (delta_x, step_x) = ((x2 - x1).abs(), if x2 > x1 { 1 } else { -1 });
        let (delta_y, step_y) = ((y2 - y1).abs(), if y2 > y1 { 1 } else { -1 });
        let steep = delta_y > delta_x;
        let (major_start, minor_start, major_length, minor_length, major_step, minor_step, limit) =
            if steep {
                (
                    y1,
                    x1,
                    delta_y,
                    delta_x,
                    step_y,
                    step_x,
                    i64::from(self.geometry.height),
                )
            } else {
                (
                    x1,
                    y1,
                    delta_x,
                    delta_y,
                    step_x,
                    step_y,
                    i64::from(self.geometry.width),
                )
            };
        // Steps 0..major_length (the end point is drawn after); keep those whose major
        // coordinate lies in 0..limit.
        let (first, end) = if major_step > 0 {
            ((-major_start).max(0), major_length.min(limit - major_start))
        } else {
            (
                (major_start - limit + 1).max(0),
                major_length.min(major_start + 1),
            )
        };
        for step in first..end.max(first) {
            let major = major_start + step * major_step;
            // Offset along the minor axis: floor((2 * minor * step + major) / (2 * major));
            // 0 <= offset <= minor_length. The product exceeds 64 bits only for lines
            // billions of pixels long, which take the 128-bit path.
            let offset = (2 * minor_length)
                .checked_mul(step)
                .and_then(|product| product.checked_add(major_length))
                .map(|numerator| numerator / (2 * major_length))
                .unwrap_or_else(|| {
                    let numerator =
                        2 * i128::from(minor_length) * i128::from(step) + i128::from(major_length);
                    i64::try_from(numerator / (2 * i128::from(major_length))).unwrap_or(0)
                });
            let minor = minor_start + offset * minor_step;
            if steep {
                self.plot(minor, major, color);
            } else {
                self.plot(major, minor, color);
            }
        }
        self.plot(x2, y2, color);
    }

    /// Draws the points of one ellipse step in the quadrants of `mask` (spans if `fill`).
    fn ellipse_points(
        &mut self,
        center: (i64, i64),
        x: i64,
        y: i64,
        color: u32,
        fill: bool,
        mask: u8,
    ) {
        let (cx, cy) = center;
        if fill {
            if mask & ELLIPSE_Q1 != 0 {
                self.fill_rect_wide(cx, cy - y, x + 1, 1, color);
            }
            if mask & ELLIPSE_Q2 != 0 {
                self.fill_rect_wide(cx - x, cy - y, x + 1, 1, color);
            }
            if mask & ELLIPSE_Q3 != 0 {
                self.fill_rect_wide(cx - x, cy + y, x + 1, 1, color);
            }
            if mask & ELLIPSE_Q4 != 0 {
                self.fill_rect_wide(cx, cy + y, x + 1, 1, color);
            }
        } else {
            if mask & ELLIPSE_Q1 != 0 {
                self.plot(cx + x, cy - y, color);
            }
            if mask & ELLIPSE_Q2 != 0 {
                self.plot(cx - x, cy - y, color);
            }
            if mask & ELLIPSE_Q3 != 0 {
                self.plot(cx - x, cy + y, color);
            }
            if mask & ELLIPSE_Q4 != 0 {
                self.plot(cx + x, cy + y, color);
            }
        }
    }

    /// `ellipse(x, y, xr, yr, c, f, m)`: outline or filled, in the quadrants of `quadrants`
    /// ([`ELLIPSE_Q1`] upper right, Q2 upper left, Q3 lower left, Q4 lower right; MicroPython
    /// defaults to [`ELLIPSE_ALL`]). John Kennedy's midpoint algorithm, as MicroPython uses.
    /// A negative radius draws nothing; a zero radius draws a straight segment; radii above
    /// [`MAX_ELLIPSE_RADIUS`] are clamped to it.
    #[allow(clippy::too_many_arguments)]
    pub fn ellipse(
        &mut self,
        center_x: i32,
        center_y: i32,
        radius_x: i32,
        radius_y: i32,
        color: u32,
        fill: bool,
        quadrants: u8,
    ) {
        if radius_x < 0 || radius_y < 0 {
            return;
        }
        let mask = quadrants & ELLIPSE_ALL;
        let center = (i64::from(center_x), i64::from(center_y));
        let a = i64::from(radius_x.min(MAX_ELLIPSE_RADIUS));
        let b = i64::from(radius_y.min(MAX_ELLIPSE_RADIUS));
        // Nothing to do when the bounding box misses the buffer.
        if center.0 + a < 0
            || center.1 + b < 0
            || center.0 - a >= i64::from(self.geometry.width)
            || center.1 - b >= i64::from(self.geometry.height)
        {
            return;
        }
        if a == 0 || b == 0 {
            // Degenerate: the two half-axes, per quadrant (the algorithm would not stop).
            for y in 0..=b {
                self.ellipse_points(center, a, y, color, true, mask);
            }
            return;
        }
        let two_a_square = 2 * a * a;
        let two_b_square = 2 * b * b;

        // First half: from (a, 0) while the slope is steeper than -1; y steps every time.
        let (mut x, mut y) = (a, 0);
        let mut x_change = b * b * (1 - 2 * a);
        let mut y_change = a * a;
        let mut error = 0;
        let mut stopping_x = two_b_square * a;
        let mut stopping_y = 0;
        while stopping_x >= stopping_y {
            self.ellipse_points(center, x, y, color, fill, mask);
            y += 1;
            stopping_y += two_a_square;
            error += y_change;
            y_change += two_a_square;
            if 2 * error + x_change > 0 {
                x -= 1;
                stopping_x -= two_b_square;
                error += x_change;
                x_change += two_b_square;
            }
        }

        // Second half: from (0, b) while the slope is flatter than -1; x steps every time.
        let (mut x, mut y) = (0, b);
        let mut x_change = b * b;
        let mut y_change = a * a * (1 - 2 * b);
        let mut error = 0;
        let mut stopping_x = 0;
        let mut stopping_y = two_a_square * b;
        while stopping_x <= stopping_y {
            self.ellipse_points(center, x, y, color, fill, mask);
            x += 1;
            stopping_x += two_b_square;
            error += x_change;
            x_change += two_b_square;
            if 2 * error + y_change > 0 {
                y -= 1;
                stopping_y -= two_a_square;
                error += y_change;
                y_change += two_a_square;
            }
        }
    }

    /// `poly(x, y, coords, c, f)`: the polygon of `coordinates` (`x0, y0, x1, y1, ...`; an
    /// odd last value is ignored) offset by (`x`, `y`), closed, as an outline of lines or
    /// filled.
    ///
    /// The fill is MicroPython's even-odd scanline fill: on each row, edges cross at the
    /// rounded intersection (an edge covers its top row but not its bottom one), crossings
    /// are sorted and filled in pairs; bottom vertices and horizontal edges are drawn
    /// separately so that no boundary pixel is missed. Only rows on the buffer are scanned.
    pub fn poly(&mut self, x: i32, y: i32, coordinates: &[i32], color: u32, fill: bool) {
        let points: Vec<(i64, i64)> = coordinates
            .chunks_exact(2)
            .map(|pair| (i64::from(pair[0]), i64::from(pair[1])))
            .collect();
        let Some(&first) = points.first() else {
            return;
        };
        let (x, y) = (i64::from(x), i64::from(y));
        // Edges in MicroPython's order: first point to last, then back down to the first.
        let edges: Vec<((i64, i64), (i64, i64))> = core::iter::once(first)
            .chain(points.iter().rev().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|pair| (pair[0], pair[1]))
            .collect();
        if !fill {
            for ((x1, y1), (x2, y2)) in edges {
                self.line_wide(x + x1, y + y1, x + x2, y + y2, color);
            }
            return;
        }
        let top = points.iter().map(|point| point.1).min().unwrap_or(0);
        let bottom = points.iter().map(|point| point.1).max().unwrap_or(0);
        // Rows whose y + row is on the buffer.
        let first_row = top.max(-y);
        let last_row = bottom.min(i64::from(self.geometry.height) - 1 - y);
        let mut nodes: Vec<i64> = Vec::with_capacity(points.len());
        for row in first_row..=last_row {
            nodes.clear();
            for &((x1, y1), (x2, y2)) in &edges {
                if y1 != y2 && (y1.min(y2)..y1.max(y2)).contains(&row) {
                    nodes.push(x1 + rounded_quotient(x2 - x1, row - y1, y2 - y1));
                } else if row == y1.max(y2) {
                    if y1 < y2 {
                        self.plot(x + x2, y + y2, color);
                    } else if y2 < y1 {
                        self.plot(x + x1, y + y1, color);
                    } else {
                        self.line_wide(x + x1, y + y1, x + x2, y + y2, color);
                    }
                }
            }
            nodes.sort_unstable();
            for pair in nodes.chunks_exact(2) {
                self.fill_rect_wide(x + pair[0], y + row, pair[1] - pair[0] + 1, 1, color);
            }
        }
    }

    /// `text(s, x, y, c)`: 8x8 characters from (`x`, `y`), 8 pixels apart; characters
    /// outside ASCII 32–126 show the box of code 127.
    pub fn text(&mut self, text: &str, x: i32, y: i32, color: u32) {
        let (mut left, y) = (i64::from(x), i64::from(y));
        let width = i64::from(self.geometry.width);
        for character in text.chars() {
            if left >= width {
                return;
            }
            if left + i64::from(TEXT_CELL) > 0 {
                let code = u32::from(character);
                let index = if (32..=127).contains(&code) {
                    code - 32
                } else {
                    127 - 32
                };
                let glyph = FONT_8X8.get(index as usize).copied().unwrap_or([0; 8]);
                for (column, bits) in (left..).zip(glyph) {
                    for row in 0..8 {
                        if bits >> row & 1 != 0 {
                            self.plot(column, y + row, color);
                        }
                    }
                }
            }
            left += i64::from(TEXT_CELL);
        }
    }

    /// `scroll(xstep, ystep)`: moves the contents by (`x_step`, `y_step`); the uncovered
    /// strip keeps its old pixels, as in MicroPython. A step of the full size or more does
    /// nothing.
    pub fn scroll(&mut self, x_step: i32, y_step: i32) {
        let geometry = self.geometry;
        let (width, height) = (i64::from(geometry.width), i64::from(geometry.height));
        let (x_step, y_step) = (i64::from(x_step), i64::from(y_step));
        if x_step.abs() >= width || y_step.abs() >= height {
            return;
        }
        // Walk against the direction of motion so every source is read before it is
        // overwritten: the `index`-th row (column) visited, of `rows` (`columns`).
        let rows = height - y_step.abs();
        let columns = width - x_step.abs();
        let row_at = |index: i64| {
            if y_step > 0 {
                height - 1 - index
            } else {
                index
            }
        };
        let column_at = |index: i64| if x_step > 0 { width - 1 - index } else { index };
        for row in (0..rows).map(row_at) {
            for column in (0..columns).map(column_at) {
                let source = inside(&geometry, column - x_step, row - y_step);
                let target = inside(&geometry, column, row);
                if let (Some((source_x, source_y)), Some((target_x, target_y))) = (source, target) {
                    let color = read_pixel(self.buffer, &geometry, source_x, source_y);
                    write_pixel(self.buffer, &geometry, target_x, target_y, color);
                }
            }
        }
    }

    /// `blit(fbuf, x, y, key=-1, palette=None)`: draws `source` with its top-left at
    /// (`x`, `y`), clipped. Each source colour is first looked up in `palette` (pixel
    /// (colour, 0); a colour past the palette's width is kept as is), then skipped if it
    /// equals `key` (`key=-1` in Python is `None` here), else stored (truncated to this
    /// format). To blit a framebuffer onto itself, copy the source bytes first.
    pub fn blit(
        &mut self,
        source: &FrameBufView<'_>,
        x: i32,
        y: i32,
        key: Option<u32>,
        palette: Option<&FrameBufView<'_>>,
    ) {
        let geometry = self.geometry;
        let (x, y) = (i64::from(x), i64::from(y));
        let source_width = i64::from(source.geometry.width);
        let source_height = i64::from(source.geometry.height);
        if x >= i64::from(geometry.width)
            || y >= i64::from(geometry.height)
            || -x >= source_width
            || -y >= source_height
        {
            return;
        }
        let x_end = (x + source_width).min(i64::from(geometry.width));
        let y_end = (y + source_height).min(i64::from(geometry.height));
        for target_y in y.max(0)..y_end {
            for target_x in x.max(0)..x_end {
                let Some((source_x, source_y)) =
                    inside(&source.geometry, target_x - x, target_y - y)
                else {
                    continue;
                };
                let mut color = read_pixel(source.buffer, &source.geometry, source_x, source_y);
                if let Some(palette) = palette {
                    if let Some(mapped) = i32::try_from(color)
                        .ok()
                        .and_then(|index| palette.pixel(index, 0))
                    {
                        color = mapped;
                    }
                }
                if key == Some(color) {
                    continue;
                }
                if let Some((column, row)) = inside(&geometry, target_x, target_y) {
                    write_pixel(self.buffer, &geometry, column, row, color);
                }
            }
        }
    }
}

/// `numerator * factor / denominator` rounded to nearest, halves towards positive infinity,
/// in 128 bits (the product of two 33-bit differences overflows 64). `denominator` is never
/// zero here (callers skip horizontal edges); if it were, the result is 0.
fn rounded_quotient(numerator: i64, factor: i64, denominator: i64) -> i64 {
    let product = i128::from(numerator) * i128::from(factor);
    let (product, denominator) = if denominator < 0 {
        (-product, -i128::from(denominator))
    } else {
        (product, i128::from(denominator))
    };
    if denominator == 0 {
        return 0;
    }
    // |result| <= |numerator| since |factor| <= |denominator| for rows inside the edge.
    i64::try_from((2 * product + denominator).div_euclid(2 * denominator)).unwrap_or(0)
}
