//! MicroPython `framebuf` tests against reference pixel grids computed independently here.
//!
//! The reference is a plain grid of colour values, drawn with the simplest possible loops
//! (every pixel of the buffer tested against the shape), then packed into bytes by a packer
//! written from MicroPython's format descriptions. Each operation must give the same bytes.

mod common;

use common::Random;
use fbconsole::framebuf::{
    required_len, Error, Format, FrameBuf, FrameBufView, Geometry, ELLIPSE_ALL, ELLIPSE_Q1,
    ELLIPSE_Q2, ELLIPSE_Q3, ELLIPSE_Q4,
};

const FORMATS: [Format; 8] = [
    Format::MonoVlsb,
    Format::Rgb565,
    Format::Gs4Hmsb,
    Format::MonoHlsb,
    Format::MonoHmsb,
    Format::Gs2Hmsb,
    Format::Gs8,
    Format::Xrgb8888,
];

/// The value a format keeps of a colour.
fn stored(format: Format, color: u32) -> u32 {
    match format {
        Format::MonoVlsb | Format::MonoHlsb | Format::MonoHmsb => u32::from(color != 0),
        Format::Gs2Hmsb => color & 3,
        Format::Gs4Hmsb => color & 15,
        Format::Gs8 => color & 0xFF,
        Format::Rgb565 => color & 0xFFFF,
        Format::Xrgb8888 => color & 0xFF_FFFF,
    }
}

/// A reference image: `width` x `height` colour values, row-major.
#[derive(Clone, Debug, PartialEq)]
struct Model {
    width: i64,
    height: i64,
    format: Format,
    pixels: Vec<u32>,
}

impl Model {
    fn new(width: u32, height: u32, format: Format) -> Model {
        Model {
            width: i64::from(width),
            height: i64::from(height),
            format,
            pixels: vec![0; width as usize * height as usize],
        }
    }

    fn get(&self, x: i64, y: i64) -> Option<u32> {
        if x < 0 || y < 0 || x >= self.width || y >= self.height {
            return None;
        }
        Some(self.pixels[(y * self.width + x) as usize])
    }

    fn set(&mut self, x: i64, y: i64, color: u32) {
        if x >= 0 && y >= 0 && x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize] = stored(self.format, color);
        }
    }

    /// Sets every pixel for which `inside(x, y)` holds.
    fn paint(&mut self, color: u32, inside: impl Fn(i64, i64) -> bool) {
        for y in 0..self.height {
            for x in 0..self.width {
                if inside(x, y) {
                    self.set(x, y, color);
                }
            }
        }
    }

    fn fill_rect(&mut self, x: i64, y: i64, width: i64, height: i64, color: u32) {
        self.paint(color, |px, py| {
            px >= x && px < x + width && py >= y && py < y + height
        });
    }

    /// MicroPython's Bresenham loop, step by step (the library computes it differently).
    fn line(&mut self, x1: i64, y1: i64, x2: i64, y2: i64, color: u32) {
        let (mut x, mut y) = (x1, y1);
        let (mut dx, mut sx) = (x2 - x1, 1);
        if dx <= 0 {
            dx = -dx;
            sx = -1;
        }
        let (mut dy, mut sy) = (y2 - y1, 1);
        if dy <= 0 {
            dy = -dy;
            sy = -1;
        }
        let steep = dy > dx;
        if steep {
            std::mem::swap(&mut x, &mut y);
            std::mem::swap(&mut dx, &mut dy);
            std::mem::swap(&mut sx, &mut sy);
        }
        let mut error = 2 * dy - dx;
        for _ in 0..dx {
            if steep {
                self.set(y, x, color);
            } else {
                self.set(x, y, color);
            }
            while error >= 0 {
                y += sy;
                error -= 2 * dx;
            }
            x += sx;
            error += 2 * dy;
        }
        self.set(x2, y2, color);
    }
}

/// Packs a model into bytes as MicroPython lays them out.
fn pack(model: &Model, geometry: &Geometry) -> Vec<u8> {
    let stride = geometry.stride() as usize;
    let mut bytes = vec![0u8; required_len(geometry).unwrap()];
    for y in 0..model.height as usize {
        for x in 0..model.width as usize {
            let value = model.pixels[y * model.width as usize + x];
            match model.format {
                // Vertical bytes: 8 rows per byte, bit 0 on top, bands of `stride` bytes.
                Format::MonoVlsb => bytes[(y / 8) * stride + x] |= (value as u8) << (y % 8),
                // Horizontal bits: bit 7 is the leftmost pixel.
                Format::MonoHlsb => bytes[(y * stride + x) / 8] |= (value as u8) << (7 - x % 8),
                // Horizontal bits: bit 0 is the leftmost pixel.
                Format::MonoHmsb => bytes[(y * stride + x) / 8] |= (value as u8) << (x % 8),
                // Four pixels per byte, the leftmost in the lowest two bits.
                Format::Gs2Hmsb => bytes[(y * stride + x) / 4] |= (value as u8) << (2 * (x % 4)),
                // Two pixels per byte, the left one in the high nibble.
                Format::Gs4Hmsb => {
                    let shift = if x % 2 == 0 { 4 } else { 0 };
                    bytes[(y * stride + x) / 2] |= (value as u8) << shift;
                }
                Format::Gs8 => bytes[y * stride + x] = value as u8,
                Format::Rgb565 => {
                    let index = 2 * (y * stride + x);
                    bytes[index..index + 2].copy_from_slice(&(value as u16).to_le_bytes());
                }
                Format::Xrgb8888 => {
                    let index = 4 * (y * stride + x);
                    bytes[index..index + 4].copy_from_slice(&value.to_le_bytes());
                }
            }
        }
    }
    bytes
}

/// A colour that survives every format differently: a nonzero value with high bits.
fn color_for(format: Format, seed: u32) -> u32 {
    match format {
        Format::MonoVlsb | Format::MonoHlsb | Format::MonoHmsb => 1,
        _ => 0x00A5_5A3C ^ seed.wrapping_mul(0x0101_0101),
    }
}

/// A buffer, its geometry and the reference model, all blank.
struct Case {
    buffer: Vec<u8>,
    geometry: Geometry,
    model: Model,
}

impl Case {
    fn new(width: u32, height: u32, format: Format) -> Case {
        let geometry = Geometry::new(width, height, format, None).unwrap();
        Case {
            buffer: vec![0; required_len(&geometry).unwrap()],
            geometry,
            model: Model::new(width, height, format),
        }
    }

    fn frame(&mut self) -> FrameBuf<'_> {
        FrameBuf::new(&mut self.buffer, self.geometry).unwrap()
    }

    fn check(&self, what: &str) {
        let expected = pack(&self.model, &self.geometry);
        assert!(
            self.buffer == expected,
            "{what} on {:?} {}x{}",
            self.geometry.format(),
            self.geometry.width(),
            self.geometry.height()
        );
    }
}

#[test]
fn format_numbers_are_micropythons() {
    let numbers: Vec<u32> = FORMATS.iter().map(|format| format.number()).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4, 5, 6, 7]);
    for format in FORMATS {
        assert_eq!(Format::from_number(i64::from(format.number())), Ok(format));
    }
    assert_eq!(Format::from_number(8), Err(Error::InvalidFormat(8)));
    assert_eq!(Format::from_number(-1), Err(Error::InvalidFormat(-1)));
}

#[test]
fn required_lengths_and_stride_rounding() {
    let length = |width, height, format, stride| {
        Geometry::new(width, height, format, stride)
            .and_then(|geometry| required_len(&geometry))
            .unwrap()
    };
    // MONO_VLSB: 8-row bands of `stride` bytes.
    assert_eq!(length(10, 9, Format::MonoVlsb, None), 20);
    assert_eq!(length(10, 8, Format::MonoVlsb, None), 10);
    // Horizontal mono: rows rounded up to whole bytes.
    assert_eq!(length(10, 2, Format::MonoHlsb, None), 4);
    assert_eq!(length(10, 2, Format::MonoHmsb, None), 4);
    assert_eq!(
        Geometry::new(10, 2, Format::MonoHlsb, None)
            .unwrap()
            .stride(),
        16
    );
    assert_eq!(length(5, 3, Format::Gs2Hmsb, None), 6);
    assert_eq!(length(5, 3, Format::Gs4Hmsb, None), 9);
    assert_eq!(length(5, 3, Format::Gs8, Some(7)), 21);
    assert_eq!(length(5, 3, Format::Rgb565, None), 30);
    assert_eq!(length(5, 3, Format::Xrgb8888, None), 60);
    assert_eq!(length(0, 0, Format::Rgb565, None), 0);
    // A stride below the width is refused; a buffer too small too.
    assert_eq!(
        Geometry::new(10, 2, Format::Gs8, Some(9)),
        Err(Error::StrideTooSmall {
            stride: 9,
            width: 10
        })
    );
    let geometry = Geometry::new(4, 4, Format::Rgb565, None).unwrap();
    let mut short = vec![0u8; 31];
    assert_eq!(
        FrameBuf::new(&mut short, geometry).map(|_| ()),
        Err(Error::BufferTooSmall {
            needed: 32,
            actual: 31
        })
    );
    assert!(FrameBufView::new(&short, geometry).is_err());
    // Sizes that overflow are refused on 32-bit targets and fine to compute on 64-bit ones.
    let huge = Geometry::new(u32::MAX, u32::MAX, Format::Xrgb8888, None);
    if usize::BITS == 32 {
        assert_eq!(huge, Err(Error::TooLarge));
    }
    assert_eq!(
        Geometry::new(u32::MAX, 1, Format::MonoHlsb, None),
        Err(Error::TooLarge)
    );
}

#[test]
fn pixel_packing_of_every_format() {
    let packed = |format: Format, width: u32, height: u32, pixels: &[(i32, i32, u32)]| {
        let mut case = Case::new(width, height, format);
        for &(x, y, color) in pixels {
            case.frame().set_pixel(x, y, color);
        }
        for &(x, y, color) in pixels {
            assert_eq!(
                case.frame().pixel(x, y),
                Some(stored(format, color)),
                "{format:?} ({x}, {y})"
            );
        }
        case.buffer
    };
    assert_eq!(
        packed(Format::MonoVlsb, 2, 9, &[(0, 1, 1), (1, 0, 1), (1, 8, 5)]),
        [0x02, 0x01, 0x00, 0x01]
    );
    assert_eq!(
        packed(Format::MonoHlsb, 9, 1, &[(0, 0, 1), (8, 0, 1)]),
        [0x80, 0x80]
    );
    assert_eq!(
        packed(Format::MonoHmsb, 9, 1, &[(0, 0, 1), (8, 0, 1)]),
        [0x01, 0x01]
    );
    assert_eq!(
        packed(Format::Gs2Hmsb, 5, 1, &[(0, 0, 3), (1, 0, 1), (4, 0, 2)]),
        [0x07, 0x02]
    );
    assert_eq!(
        packed(
            Format::Gs4Hmsb,
            3,
            1,
            &[(0, 0, 0xA), (1, 0, 0x15), (2, 0, 7)]
        ),
        [0xA5, 0x70]
    );
    assert_eq!(packed(Format::Gs8, 2, 1, &[(1, 0, 0x1FE)]), [0x00, 0xFE]);
    assert_eq!(
        packed(Format::Rgb565, 2, 1, &[(0, 0, 0x1234), (1, 0, 0xF800)]),
        [0x34, 0x12, 0x00, 0xF8]
    );
    assert_eq!(
        packed(Format::Xrgb8888, 1, 1, &[(0, 0, 0xFF12_3456)]),
        [0x56, 0x34, 0x12, 0x00]
    );
    // Clearing a bit leaves its neighbours.
    let mut case = Case::new(8, 1, Format::MonoHlsb);
    case.frame().fill(1);
    case.frame().set_pixel(3, 0, 0);
    assert_eq!(case.buffer, [0xEF]);
}

#[test]
fn pixel_outside_reads_none_and_writes_nothing() {
    for format in FORMATS {
        let mut case = Case::new(5, 4, format);
        for (x, y) in [
            (-1, 0),
            (0, -1),
            (5, 0),
            (0, 4),
            (i32::MIN, i32::MAX),
            (i32::MAX, 0),
        ] {
            case.frame().set_pixel(x, y, 1);
            assert_eq!(case.frame().pixel(x, y), None);
        }
        case.check("pixels outside");
    }
}

#[test]
fn fill_rect_clips_at_every_edge() {
    let rectangles: &[(i32, i32, i32, i32)] = &[
        (1, 1, 3, 2),
        (-2, -3, 5, 6),
        (4, 2, 100, 100),
        (-100, 3, 1000, 1),
        (0, 0, 0, 5),
        (0, 0, 5, 0),
        (2, 2, -3, 4),
        (13, 0, 5, 5),
        (0, 9, 5, 5),
        (-5, -5, 5, 5),
        (i32::MIN, i32::MIN, i32::MAX, i32::MAX),
        (i32::MAX, i32::MAX, i32::MAX, i32::MAX),
        (-1, -1, i32::MAX, i32::MAX),
    ];
    for format in FORMATS {
        let mut case = Case::new(13, 9, format);
        for (index, &(x, y, width, height)) in rectangles.iter().enumerate() {
            let color = color_for(format, index as u32);
            case.frame().fill_rect(x, y, width, height, color);
            case.model
                .fill_rect(x.into(), y.into(), width.into(), height.into(), color);
            case.check(&format!("fill_rect{:?}", (x, y, width, height)));
        }
        let color = color_for(format, 99);
        case.frame().fill(color);
        case.model.fill_rect(0, 0, 13, 9, color);
        case.check("fill");
    }
}

#[test]
fn hline_vline_and_rect() {
    for format in FORMATS {
        let mut case = Case::new(11, 7, format);
        let color = color_for(format, 1);
        case.frame().hline(-3, 2, 9, color);
        case.model.fill_rect(-3, 2, 9, 1, color);
        case.frame().vline(9, -4, 100, color);
        case.model.fill_rect(9, -4, 1, 100, color);
        case.check("hline/vline");
        // Outline: a frame one pixel wide, partly off the top and right.
        let color = color_for(format, 2);
        case.frame().rect(4, -1, 9, 5, color, false);
        case.model.paint(color, |x, y| {
            let inside = (4..13).contains(&x) && (-1..4).contains(&y);
            inside && (x == 4 || x == 12 || y == -1 || y == 3)
        });
        case.check("rect outline");
        let color = color_for(format, 3);
        case.frame().rect(1, 1, 2, 2, color, true);
        case.model.fill_rect(1, 1, 2, 2, color);
        case.frame().rect(0, 0, 0, 0, color, false);
        case.frame().rect(0, 0, -4, 3, color, true);
        case.check("rect fill and empty");
    }
}

#[test]
fn line_matches_micropythons_loop() {
    let mut random = Random::new(7);
    for format in [Format::Gs8, Format::MonoVlsb, Format::Rgb565] {
        let mut case = Case::new(23, 17, format);
        for round in 0..400 {
            let point = |random: &mut Random| (random.between(-30, 52), random.between(-30, 46));
            let (x1, y1) = point(&mut random);
            let (x2, y2) = point(&mut random);
            let color = color_for(format, round);
            case.frame()
                .line(x1 as i32, y1 as i32, x2 as i32, y2 as i32, color);
            case.model.line(x1, y1, x2, y2, color);
            case.check(&format!("line ({x1}, {y1}) to ({x2}, {y2})"));
        }
    }
}

#[test]
fn long_lines_are_clipped_cheaply() {
    let mut case = Case::new(20, 10, Format::Gs8);
    // Horizontal and vertical lines far longer than the buffer.
    case.frame().line(-2_000_000_000, 3, 2_000_000_000, 3, 5);
    case.model.fill_rect(0, 3, 20, 1, 5);
    case.frame().line(7, i32::MAX, 7, i32::MIN, 6);
    case.model.fill_rect(7, 0, 1, 10, 6);
    case.check("long straight lines");
    // A diagonal through the origin: x == y on the buffer.
    case.frame().line(
        -1_000_000_000,
        -1_000_000_000,
        1_000_000_000,
        1_000_000_000,
        7,
    );
    case.model.paint(7, |x, y| x == y);
    case.check("long diagonal");
    // A moderately long slanted line agrees with the step-by-step loop.
    case.frame().line(-90_000, -40_000, 70_000, 30_011, 8);
    case.model.line(-90_000, -40_000, 70_000, 30_011, 8);
    case.check("long slanted line");
    // Entirely outside: nothing.
    let before = case.buffer.clone();
    case.frame()
        .line(i32::MIN, i32::MIN, i32::MIN + 5, i32::MAX, 9);
    case.frame().line(30, -5, 100, 40, 9);
    assert_eq!(case.buffer, before);
}

#[test]
fn ellipse_outline_is_symmetric_and_on_the_curve() {
    let mut case = Case::new(41, 31, Format::Gs8);
    case.frame().ellipse(20, 15, 12, 7, 1, false, ELLIPSE_ALL);
    let model = {
        let mut model = Model::new(41, 31, Format::Gs8);
        model.pixels = case.buffer.iter().map(|&byte| u32::from(byte)).collect();
        model
    };
    let mut count = 0;
    for y in 0..31 {
        for x in 0..41 {
            if model.get(x, y) == Some(1) {
                count += 1;
                let (dx, dy) = ((x - 20) as f64, (y - 15) as f64);
                let radius = (dx * dx / 144.0 + dy * dy / 49.0).sqrt();
                assert!(
                    (radius - 1.0).abs() < 0.13,
                    "({x}, {y}) is off the curve: {radius}"
                );
                // Mirror images in both axes are set too.
                assert_eq!(model.get(40 - x, y), Some(1));
                assert_eq!(model.get(x, 30 - y), Some(1));
            }
        }
    }
    // The four extreme points are on it.
    for (x, y) in [(8, 15), (32, 15), (20, 8), (20, 22)] {
        assert_eq!(model.get(x, y), Some(1), "({x}, {y})");
    }
    assert!(count > 50, "{count} pixels");
}

#[test]
fn ellipse_fill_covers_the_inside() {
    for format in FORMATS {
        let mut case = Case::new(41, 31, format);
        let color = color_for(format, 4);
        case.frame()
            .ellipse(20, 15, 12, 7, color, true, ELLIPSE_ALL);
        let value = stored(format, color);
        for y in 0..31i64 {
            for x in 0..41i64 {
                let (dx, dy) = ((x - 20) as f64, (y - 15) as f64);
                let radius = (dx * dx / 144.0 + dy * dy / 49.0).sqrt();
                let pixel = case.frame().pixel(x as i32, y as i32).unwrap();
                if radius < 0.9 {
                    assert_eq!(pixel, value, "{format:?} inside ({x}, {y})");
                } else if radius > 1.12 {
                    assert_eq!(pixel, 0, "{format:?} outside ({x}, {y})");
                }
            }
        }
        // Each filled row is one span, symmetric about the centre.
        for y in 0..31 {
            let set: Vec<i64> = (0..41)
                .filter(|&x| case.frame().pixel(x as i32, y) == Some(value))
                .collect();
            if let (Some(&first), Some(&last)) = (set.first(), set.last()) {
                assert_eq!(set.len() as i64, last - first + 1, "row {y} is one span");
                assert_eq!(first + last, 40, "row {y} is centred");
            }
        }
    }
}

#[test]
fn ellipse_quadrants() {
    let full = {
        let mut case = Case::new(21, 21, Format::Gs8);
        case.frame().ellipse(10, 10, 8, 6, 1, true, ELLIPSE_ALL);
        case.buffer
    };
    let quadrants = [
        (ELLIPSE_Q1, 10..21, 0..11),
        (ELLIPSE_Q2, 0..11, 0..11),
        (ELLIPSE_Q3, 0..11, 10..21),
        (ELLIPSE_Q4, 10..21, 10..21),
    ];
    for (mask, columns, rows) in quadrants {
        let mut case = Case::new(21, 21, Format::Gs8);
        case.frame().ellipse(10, 10, 8, 6, 1, true, mask);
        for y in 0..21usize {
            for x in 0..21usize {
                let expected = if columns.contains(&x) && rows.contains(&y) {
                    full[y * 21 + x]
                } else {
                    0
                };
                assert_eq!(case.buffer[y * 21 + x], expected, "mask {mask} ({x}, {y})");
            }
        }
    }
    // No quadrant: nothing.
    let mut case = Case::new(21, 21, Format::Gs8);
    case.frame().ellipse(10, 10, 8, 6, 1, true, 0);
    assert!(case.buffer.iter().all(|&byte| byte == 0));
}

#[test]
fn ellipse_edge_cases() {
    let mut case = Case::new(20, 20, Format::Gs8);
    // Zero radii: a point, a vertical and a horizontal segment.
    case.frame().ellipse(2, 2, 0, 0, 1, false, ELLIPSE_ALL);
    case.model.set(2, 2, 1);
    case.frame().ellipse(10, 10, 0, 3, 2, false, ELLIPSE_ALL);
    case.model.fill_rect(10, 7, 1, 7, 2);
    case.frame().ellipse(10, 17, 4, 0, 3, true, ELLIPSE_ALL);
    case.model.fill_rect(6, 17, 9, 1, 3);
    case.check("zero radii");
    // Negative radii draw nothing; far away and huge ones stay cheap and safe.
    let before = case.buffer.clone();
    case.frame().ellipse(5, 5, -1, 3, 9, true, ELLIPSE_ALL);
    case.frame()
        .ellipse(i32::MIN, i32::MAX, 5, 5, 9, true, ELLIPSE_ALL);
    case.frame().ellipse(1000, 5, 10, 10, 9, false, ELLIPSE_ALL);
    assert_eq!(case.buffer, before);
    case.frame()
        .ellipse(10, 10, i32::MAX, i32::MAX, 4, true, ELLIPSE_ALL);
    assert!(
        case.buffer.iter().all(|&byte| byte == 4),
        "covers everything"
    );
    case.frame()
        .ellipse(10, 10, i32::MAX, i32::MAX, 5, false, ELLIPSE_ALL);
    assert!(
        case.buffer.iter().all(|&byte| byte == 4),
        "outline far outside"
    );
}

#[test]
fn poly_outline_is_its_closing_lines() {
    let mut case = Case::new(30, 20, Format::Gs8);
    let coordinates = [0, 0, 20, 5, 8, 15, -4, 9];
    case.frame().poly(3, 2, &coordinates, 1, false);
    let points: Vec<(i64, i64)> = coordinates
        .chunks(2)
        .map(|pair| (i64::from(pair[0]) + 3, i64::from(pair[1]) + 2))
        .collect();
    // MicroPython's order: first to last, then back towards the first.
    let mut order = vec![points[0]];
    order.extend(points.iter().rev());
    for pair in order.windows(2) {
        case.model
            .line(pair[0].0, pair[0].1, pair[1].0, pair[1].1, 1);
    }
    case.check("poly outline");
}

#[test]
fn poly_fill_of_rectangles_and_triangles() {
    for format in FORMATS {
        // An axis-aligned rectangle fills exactly its corners' box, edges included.
        let mut case = Case::new(20, 15, format);
        let color = color_for(format, 5);
        case.frame()
            .poly(2, 3, &[0, 0, 9, 0, 9, 6, 0, 6], color, true);
        case.model.fill_rect(2, 3, 10, 7, color);
        case.check("filled rectangle");
    }
    // A triangle: everything clearly inside is set, everything clearly outside is not.
    let mut case = Case::new(40, 30, Format::Gs8);
    let triangle = [(2.0, 2.0), (37.0, 10.0), (12.0, 27.0)];
    case.frame().poly(0, 0, &[2, 2, 37, 10, 12, 27], 1, true);
    let side = |(ax, ay): (f64, f64), (bx, by): (f64, f64), (px, py): (f64, f64)| {
        let cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        cross / ((bx - ax).hypot(by - ay))
    };
    for y in 0..30 {
        for x in 0..40 {
            let point = (f64::from(x), f64::from(y));
            let distances = [
                side(triangle[0], triangle[1], point),
                side(triangle[1], triangle[2], point),
                side(triangle[2], triangle[0], point),
            ];
            let inside = distances.iter().all(|&distance| distance > 0.8);
            let outside = distances.iter().any(|&distance| distance < -1.0);
            let pixel = case.frame().pixel(x, y).unwrap();
            if inside {
                assert_eq!(pixel, 1, "inside ({x}, {y})");
            }
            if outside {
                assert_eq!(pixel, 0, "outside ({x}, {y})");
            }
        }
    }
    // Every vertex is drawn.
    for (x, y) in [(2, 2), (37, 10), (12, 27)] {
        assert_eq!(case.frame().pixel(x, y), Some(1), "vertex ({x}, {y})");
    }
}

#[test]
fn poly_fill_is_even_odd() {
    // A square with a square hole drawn as one self-overlapping outline.
    let mut case = Case::new(24, 24, Format::Gs8);
    let outline = [
        2, 2, 21, 2, 21, 21, 2, 21, 2, 2, 8, 8, 8, 15, 15, 15, 15, 8, 8, 8,
    ];
    case.frame().poly(0, 0, &outline, 1, true);
    assert_eq!(case.frame().pixel(4, 12), Some(1), "ring");
    assert_eq!(case.frame().pixel(19, 5), Some(1), "ring");
    assert_eq!(case.frame().pixel(11, 11), Some(0), "hole");
    assert_eq!(case.frame().pixel(12, 13), Some(0), "hole");
}

#[test]
fn poly_clips_and_survives_anything() {
    let mut case = Case::new(16, 12, Format::Rgb565);
    // Mostly off screen, huge coordinates, odd coordinate count, no points.
    case.frame()
        .poly(-5, -5, &[0, 0, 30, 0, 30, 30, 0, 30], 0x1234, true);
    case.model.fill_rect(0, 0, 16, 12, 0x1234);
    case.check("clipped square");
    case.frame().poly(
        0,
        0,
        &[i32::MIN, i32::MIN, i32::MAX, 0, 0, i32::MAX],
        0x5678,
        true,
    );
    case.frame().poly(
        i32::MAX,
        i32::MIN,
        &[i32::MAX, i32::MAX, 1, 2, 3],
        0x5678,
        false,
    );
    case.frame().poly(0, 0, &[], 0x5678, true);
    case.frame().poly(0, 0, &[4], 0x5678, true);
    case.frame().poly(3, 3, &[1, 1], 0x9ABC, true);
    assert_eq!(
        case.frame().pixel(4, 4),
        Some(0x9ABC),
        "a one-point polygon is a pixel"
    );
}

#[test]
fn text_uses_the_8x8_font() {
    let font = fbconsole::font_8x8();
    for format in FORMATS {
        let mut case = Case::new(30, 12, format);
        let color = color_for(format, 6);
        case.frame().text("Ab\u{e9}", -3, 2, color);
        // Reference: each glyph's column bytes, bit 0 on top; é shows the box (code 127).
        for (index, code) in [b'A', b'b', 127u8].into_iter().enumerate() {
            let glyph = font[usize::from(code - 32)];
            for (column, bits) in glyph.iter().enumerate() {
                for row in 0..8 {
                    if bits >> row & 1 != 0 {
                        case.model
                            .set(-3 + 8 * index as i64 + column as i64, 2 + row, color);
                    }
                }
            }
        }
        case.check("text");
    }
    // Far off to either side and a very long string: nothing, no time.
    let mut case = Case::new(8, 8, Format::Gs8);
    let long = "x".repeat(100_000);
    case.frame().text(&long, i32::MAX - 4, 0, 1);
    case.frame().text(&long, 9, 0, 1);
    case.frame().text("abc", 0, i32::MIN, 1);
    assert!(case.buffer.iter().all(|&byte| byte == 0));
    case.frame().text(&long, -799_992, 0, 1);
    assert!(case.buffer.contains(&1), "the last x is drawn");
}

#[test]
fn scroll_moves_the_contents_and_keeps_the_rest() {
    for format in FORMATS {
        for (dx, dy) in [
            (2, 1),
            (-3, 0),
            (0, -2),
            (-1, 3),
            (0, 0),
            (5, 5),
            (-9, 0),
            (0, 7),
        ] {
            let mut case = Case::new(9, 7, format);
            let mut random = Random::new(11);
            for y in 0..7 {
                for x in 0..9 {
                    let color = random.next_u64() as u32;
                    case.frame().set_pixel(x, y, color);
                    case.model.set(x.into(), y.into(), color);
                }
            }
            case.check("setup");
            case.frame().scroll(dx, dy);
            let before = case.model.clone();
            if (dx as i64).abs() < 9 && (dy as i64).abs() < 7 {
                for y in 0..7 {
                    for x in 0..9 {
                        if let Some(color) = before.get(x - i64::from(dx), y - i64::from(dy)) {
                            case.model.set(x, y, color);
                        }
                    }
                }
            }
            case.check(&format!("scroll({dx}, {dy})"));
        }
    }
    let mut case = Case::new(4, 4, Format::Gs8);
    case.frame().scroll(i32::MIN, i32::MAX);
    case.check("huge scroll");
}

#[test]
fn blit_with_key_and_palette() {
    for format in FORMATS {
        // A 4x3 GS4 source with values 0..12.
        let source_geometry = Geometry::new(4, 3, Format::Gs4Hmsb, None).unwrap();
        let mut source_bytes = vec![0u8; required_len(&source_geometry).unwrap()];
        {
            let mut source = FrameBuf::new(&mut source_bytes, source_geometry).unwrap();
            for y in 0..3 {
                for x in 0..4 {
                    source.set_pixel(x, y, (y * 4 + x) as u32);
                }
            }
        }
        let source = FrameBufView::new(&source_bytes, source_geometry).unwrap();
        for &(x, y) in &[
            (0, 0),
            (2, 1),
            (-2, -1),
            (5, 4),
            (6, 0),
            (-4, 0),
            (0, -3),
            (i32::MIN, 0),
        ] {
            let mut case = Case::new(6, 5, format);
            case.frame().fill(color_for(format, 7));
            case.model.fill_rect(0, 0, 6, 5, color_for(format, 7));
            // Plain blit with key 5: every source pixel but 5 is copied.
            case.frame().blit(&source, x, y, Some(5), None);
            for sy in 0..3i64 {
                for sx in 0..4i64 {
                    let value = (sy * 4 + sx) as u32;
                    if value != 5 {
                        case.model.set(i64::from(x) + sx, i64::from(y) + sy, value);
                    }
                }
            }
            case.check(&format!("blit at ({x}, {y})"));
        }
        // Through a palette: colour i becomes palette pixel (i, 0); the key is compared
        // after the lookup; colours past the palette stay as they are.
        let palette_geometry = Geometry::new(8, 1, Format::Rgb565, None).unwrap();
        let mut palette_bytes = vec![0u8; 16];
        {
            let mut palette = FrameBuf::new(&mut palette_bytes, palette_geometry).unwrap();
            for index in 0..8 {
                palette.set_pixel(index, 0, 0x100 + index as u32);
            }
        }
        let palette = FrameBufView::new(&palette_bytes, palette_geometry).unwrap();
        let mut case = Case::new(6, 5, format);
        case.frame()
            .blit(&source, 1, 1, Some(0x103), Some(&palette));
        for sy in 0..3i64 {
            for sx in 0..4i64 {
                let index = (sy * 4 + sx) as u32;
                let value = if index < 8 { 0x100 + index } else { index };
                if value != 0x103 {
                    case.model.set(1 + sx, 1 + sy, value);
                }
            }
        }
        case.check("blit with palette");
    }
}

#[test]
fn zero_sized_framebuffers_accept_everything() {
    for format in FORMATS {
        for (width, height) in [(0, 0), (0, 5), (5, 0)] {
            let geometry = Geometry::new(width, height, format, None).unwrap();
            let mut bytes = vec![0u8; required_len(&geometry).unwrap()];
            let mut frame = FrameBuf::new(&mut bytes, geometry).unwrap();
            frame.fill(1);
            frame.set_pixel(0, 0, 1);
            assert_eq!(frame.pixel(0, 0), None);
            frame.fill_rect(-1, -1, 3, 3, 1);
            frame.line(0, 0, 3, 3, 1);
            frame.rect(0, 0, 2, 2, 1, false);
            frame.ellipse(0, 0, 2, 2, 1, true, ELLIPSE_ALL);
            frame.poly(0, 0, &[0, 0, 2, 0, 0, 2], 1, true);
            frame.text("hi", 0, 0, 1);
            frame.scroll(1, 1);
            let view_bytes = [0u8; 4];
            let view =
                FrameBufView::new(&view_bytes, Geometry::new(2, 2, Format::Gs8, None).unwrap())
                    .unwrap();
            frame.blit(&view, 0, 0, None, None);
            assert!(bytes.iter().all(|&byte| byte == 0));
        }
    }
}

#[test]
fn random_operations_match_the_reference_and_never_panic() {
    let mut random = Random::new(2024);
    let extremes = [
        i32::MIN,
        i32::MIN + 1,
        -1_000_000,
        -1,
        0,
        1,
        1_000_000,
        i32::MAX,
    ];
    for round in 0..60 {
        let format = FORMATS[round % FORMATS.len()];
        let width = random.between(1, 19) as u32;
        let height = random.between(1, 13) as u32;
        let mut case = Case::new(width, height, format);
        for step in 0..40 {
            let color = random.next_u64() as u32;
            let coordinate = |random: &mut Random| -> i32 {
                if random.below(6) == 0 {
                    extremes[random.below(extremes.len() as u64) as usize]
                } else {
                    random.between(-25, 45) as i32
                }
            };
            let (a, b, c, d) = (
                coordinate(&mut random),
                coordinate(&mut random),
                coordinate(&mut random),
                coordinate(&mut random),
            );
            let small = |value: i32| (-25_000..=25_000).contains(&value);
            let operation = random.below(6);
            match operation {
                0 => {
                    case.frame().fill_rect(a, b, c, d, color);
                    case.model
                        .fill_rect(a.into(), b.into(), c.into(), d.into(), color);
                }
                1 => {
                    case.frame().line(a, b, c, d, color);
                    if [a, b, c, d].into_iter().all(small) {
                        case.model
                            .line(a.into(), b.into(), c.into(), d.into(), color);
                    } else {
                        // No cheap reference for huge lines: take the library's pixels.
                        case.adopt_library_pixels();
                    }
                }
                2 => {
                    case.frame().set_pixel(a, b, color);
                    case.model.set(a.into(), b.into(), color);
                }
                3 => {
                    case.frame().rect(a, b, c, d, color, false);
                    let (x, y, w, h) = (i64::from(a), i64::from(b), i64::from(c), i64::from(d));
                    if w >= 1 && h >= 1 {
                        case.model.paint(color, |px, py| {
                            let inside = px >= x && px < x + w && py >= y && py < y + h;
                            inside && (px == x || px == x + w - 1 || py == y || py == y + h - 1)
                        });
                    } else {
                        // MicroPython draws the four edges as they come, so a negative
                        // width still leaves the two vertical edges (and vice versa).
                        case.model.fill_rect(x, y, w, 1, color);
                        case.model.fill_rect(x, y + h - 1, w, 1, color);
                        case.model.fill_rect(x, y, 1, h, color);
                        case.model.fill_rect(x + w - 1, y, 1, h, color);
                    }
                }
                4 => {
                    case.frame().scroll(a % 30, b % 30);
                    case.adopt_library_pixels();
                }
                _ => {
                    // Shapes without a pixel reference here: they must only not panic, and
                    // the model takes their result.
                    case.frame()
                        .ellipse(a, b, c, d, color, step % 2 == 0, (color & 0xF) as u8);
                    case.frame()
                        .poly(a, b, &[c, d, a, c, b, d], color, step % 3 == 0);
                    case.frame().text("Zz~", a, b, color);
                    case.adopt_library_pixels();
                }
            }
            case.check(&format!("round {round} step {step}"));
        }
    }
}

impl Case {
    /// Takes the library's pixels into the model (after an operation with no reference).
    fn adopt_library_pixels(&mut self) {
        let view = FrameBufView::new(&self.buffer, self.geometry).unwrap();
        let width = self.model.width;
        for (index, value) in self.model.pixels.iter_mut().enumerate() {
            let (x, y) = (index as i64 % width, index as i64 / width);
            *value = view.pixel(x as i32, y as i32).unwrap();
        }
    }
}
