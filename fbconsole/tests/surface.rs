//! Pixel surface tests: formats, clipping at every edge, row moves, masks, embedded-graphics.

mod common;

use common::{Random, Screen};
use embedded_graphics::pixelcolor::{Rgb565, Rgb888};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, PrimitiveStyle, Rectangle};
use fbconsole::{Framebuffer, PixelFormat, Rgb, Rgb565Target, SurfaceError};

const FORMATS: [PixelFormat; 3] = [
    PixelFormat::Rgb565,
    PixelFormat::Xrgb8888,
    PixelFormat::Xbgr8888,
];

/// The bytes of pixel (`x`, `y`).
fn pixel_bytes(screen: &Screen, x: usize, y: usize) -> &[u8] {
    let size = screen.format.bytes_per_pixel();
    let start = y * screen.pitch + x * size;
    &screen.pixels[start..start + size]
}

/// A reference fill: every pixel of the screen whose coordinates are in the rectangle.
fn reference_fill(screen: &mut Screen, x: i64, y: i64, width: i64, height: i64, color: Rgb) {
    let bytes = screen.format.encode(color).to_le_bytes();
    let size = screen.format.bytes_per_pixel();
    for py in 0..i64::from(screen.height) {
        for px in 0..i64::from(screen.width) {
            if px >= x && px < x + width && py >= y && py < y + height {
                let start = py as usize * screen.pitch + px as usize * size;
                screen.pixels[start..start + size].copy_from_slice(&bytes[..size]);
            }
        }
    }
}

#[test]
fn geometry_is_checked() {
    let mut bytes = vec![0u8; 100];
    assert_eq!(
        Framebuffer::new(&mut bytes, 10, 5, 19, PixelFormat::Rgb565).map(|_| ()),
        Err(SurfaceError::PitchTooSmall {
            needed: 20,
            pitch: 19
        })
    );
    assert_eq!(
        Framebuffer::new(&mut bytes, 10, 5, 24, PixelFormat::Rgb565).map(|_| ()),
        Err(SurfaceError::BufferTooSmall {
            needed: 4 * 24 + 20,
            actual: 100
        })
    );
    // The last row needs no padding.
    let mut exact = vec![0u8; 4 * 24 + 20];
    assert!(Framebuffer::new(&mut exact, 10, 5, 24, PixelFormat::Rgb565).is_ok());
    assert!(Framebuffer::new(&mut [], 0, 0, 0, PixelFormat::Xrgb8888).is_ok());
    assert_eq!(
        Framebuffer::new(&mut bytes, u32::MAX, 2, usize::MAX, PixelFormat::Xrgb8888).map(|_| ()),
        Err(SurfaceError::TooLarge)
    );
}

#[test]
fn formats_lay_out_bytes() {
    let color = Rgb::new(0xF0, 0x84, 0x18);
    // RGB565: 11110 100001 00011 = 0xF423, little-endian.
    assert_eq!(PixelFormat::Rgb565.encode(color), 0xF423);
    assert_eq!(PixelFormat::Rgb565.encode_bytes(color)[..2], [0x23, 0xF4]);
    assert_eq!(
        PixelFormat::Xrgb8888.encode_bytes(color),
        [0x18, 0x84, 0xF0, 0]
    );
    assert_eq!(
        PixelFormat::Xbgr8888.encode_bytes(color),
        [0xF0, 0x84, 0x18, 0]
    );
    // Decoding widens 565 by repeating the top bits, and re-encodes to the same value.
    assert_eq!(PixelFormat::Rgb565.decode(0xFFFF), Rgb::WHITE);
    assert_eq!(PixelFormat::Rgb565.decode(0xF800), Rgb::new(0xFF, 0, 0));
    for raw in [0u32, 0x1234, 0xF423, 0x07E0, 0xFFFF] {
        let format = PixelFormat::Rgb565;
        assert_eq!(format.encode(format.decode(raw)), raw);
    }
    for format in [PixelFormat::Xrgb8888, PixelFormat::Xbgr8888] {
        assert_eq!(format.decode(format.encode(color)), color);
    }
    // Written through a surface, read back through it.
    for format in FORMATS {
        let mut screen = Screen::new(3, 2, format, 0);
        screen.surface().set_pixel(2, 1, color);
        assert_eq!(
            pixel_bytes(&screen, 2, 1),
            &format.encode_bytes(color)[..format.bytes_per_pixel()]
        );
        assert_eq!(
            screen.surface().pixel(2, 1),
            Some(format.decode(format.encode(color)))
        );
        assert_eq!(screen.surface().raw_pixel(2, 1), Some(format.encode(color)));
    }
}

#[test]
fn fill_rect_clips_at_every_edge_and_spares_padding() {
    let rectangles: [(i32, i32, u32, u32); 12] = [
        (2, 1, 3, 2),
        (-3, -2, 5, 4),
        (9, 6, 100, 100),
        (-100, 4, 1000, 1),
        (4, -50, 1, 1000),
        (0, 0, 0, 7),
        (0, 0, 7, 0),
        (11, 0, 3, 3),
        (0, 8, 3, 3),
        (i32::MIN, i32::MIN, u32::MAX, u32::MAX),
        (i32::MAX, i32::MAX, u32::MAX, u32::MAX),
        (-1, -1, 1, 1),
    ];
    for format in FORMATS {
        let mut screen = Screen::new(11, 8, format, 5);
        let mut expected = Screen::new(11, 8, format, 5);
        // Padding bytes start as 0xEE and must stay so.
        for row in 0..8 {
            let padding = row * screen.pitch + 11 * format.bytes_per_pixel();
            screen.pixels[padding..padding + 5].fill(0xEE);
            expected.pixels[padding..padding + 5].fill(0xEE);
        }
        for (index, &(x, y, width, height)) in rectangles.iter().enumerate() {
            let color = Rgb::from_u32(0x10_20_30 * (index as u32 + 1));
            screen.surface().fill_rect(x, y, width, height, color);
            reference_fill(
                &mut expected,
                x.into(),
                y.into(),
                width.into(),
                height.into(),
                color,
            );
            assert!(
                screen.pixels == expected.pixels,
                "{format:?} fill_rect{:?}",
                (x, y, width, height)
            );
        }
    }
}

#[test]
fn copy_rows_moves_rows_in_both_directions() {
    let mut screen = Screen::new(4, 6, PixelFormat::Xrgb8888, 4);
    for y in 0..6 {
        screen
            .surface()
            .fill_rect(0, y, 4, 1, Rgb::new(y as u8 + 1, 0, 0));
    }
    let red_of_rows =
        |screen: &Screen| -> Vec<u8> { (0..6).map(|y| pixel_bytes(screen, 3, y)[2]).collect() };
    screen.surface().copy_rows_up(2, 0, 3);
    assert_eq!(red_of_rows(&screen), [3, 4, 5, 4, 5, 6]);
    screen.surface().copy_rows_up(0, 3, 10);
    assert_eq!(
        red_of_rows(&screen),
        [3, 4, 5, 3, 4, 5],
        "clipped to the bottom"
    );
    screen.surface().copy_rows_up(5, 0, 1);
    assert_eq!(red_of_rows(&screen), [5, 4, 5, 3, 4, 5]);
    // Out of range or empty: nothing.
    let before = screen.pixels.clone();
    screen.surface().copy_rows_up(6, 0, 1);
    screen.surface().copy_rows_up(0, 6, 1);
    screen.surface().copy_rows_up(u32::MAX, 0, u32::MAX);
    screen.surface().copy_rows_up(1, 1, 3);
    screen.surface().copy_rows_up(1, 2, 0);
    assert!(screen.pixels == before);
}

#[test]
fn scroll_up_moves_pixels_and_fills_the_bottom() {
    for format in FORMATS {
        let mut screen = Screen::new(5, 6, format, 2);
        let mut random = Random::new(3);
        for y in 0..6 {
            for x in 0..5 {
                screen
                    .surface()
                    .set_pixel(x, y, Rgb::from_u32(random.next_u64() as u32));
            }
        }
        let before: Vec<Option<u32>> = (0..30)
            .map(|index| screen.surface().raw_pixel(index % 5, index / 5))
            .collect();
        let fill = Rgb::new(9, 8, 7);
        screen.surface().scroll_up(2, fill);
        for y in 0..6 {
            for x in 0..5 {
                let expected = if y < 4 {
                    before[(y as usize + 2) * 5 + x as usize]
                } else {
                    Some(format.encode(fill))
                };
                assert_eq!(
                    screen.surface().raw_pixel(x, y),
                    expected,
                    "{format:?} ({x}, {y})"
                );
            }
        }
        screen.surface().scroll_up(100, fill);
        assert!((0..30)
            .all(|index| screen.surface().raw_pixel(index % 5, index / 5)
                == Some(format.encode(fill))));
    }
}

#[test]
fn alpha_mask_blends_and_clips() {
    let foreground = Rgb::new(200, 100, 0);
    let background = Rgb::new(0, 50, 250);
    // A 3x2 mask with a partial third row that must be ignored.
    let mask = [0u8, 128, 255, 64, 0, 255, 7];
    for (x, y) in [
        (1, 1),
        (-1, 0),
        (-2, -1),
        (3, 2),
        (4, 3),
        (-3, 0),
        (0, -2),
        (i32::MIN, 0),
        (i32::MAX, 0),
    ] {
        let mut screen = Screen::new(5, 4, PixelFormat::Xrgb8888, 0);
        screen.surface().fill(Rgb::new(1, 1, 1));
        screen
            .surface()
            .draw_alpha_mask(x, y, &mask, 3, foreground, background);
        for py in 0..4i64 {
            for px in 0..5i64 {
                let (mx, my) = (px - i64::from(x), py - i64::from(y));
                let expected = if (0..3).contains(&mx) && (0..2).contains(&my) {
                    background.blend(foreground, mask[(my * 3 + mx) as usize])
                } else {
                    Rgb::new(1, 1, 1)
                };
                assert_eq!(
                    screen.surface().pixel(px as i32, py as i32),
                    Some(expected),
                    "mask at ({x}, {y}), pixel ({px}, {py})"
                );
            }
        }
    }
    // Blending over what is there: coverage 0 leaves the pixel alone.
    let mut screen = Screen::new(3, 1, PixelFormat::Xbgr8888, 0);
    screen.surface().fill(background);
    screen
        .surface()
        .blend_alpha_mask(0, 0, &[0, 128, 255], 3, foreground);
    assert_eq!(screen.surface().pixel(0, 0), Some(background));
    assert_eq!(
        screen.surface().pixel(1, 0),
        Some(background.blend(foreground, 128))
    );
    assert_eq!(screen.surface().pixel(2, 0), Some(foreground));
    // Degenerate masks do nothing.
    let before = screen.pixels.clone();
    screen
        .surface()
        .draw_alpha_mask(0, 0, &mask, 0, foreground, background);
    screen
        .surface()
        .draw_alpha_mask(0, 0, &[], 3, foreground, background);
    screen
        .surface()
        .draw_alpha_mask(0, 0, &mask, 100, foreground, background);
    assert!(screen.pixels == before);
}

#[test]
fn embedded_graphics_draws_in_rgb888() {
    let mut screen = Screen::new(12, 8, PixelFormat::Xrgb8888, 0);
    let mut surface = screen.surface();
    assert_eq!(surface.size(), Size::new(12, 8));
    surface.clear(Rgb888::new(0, 0, 9)).unwrap();
    Rectangle::new(Point::new(-2, 5), Size::new(6, 10))
        .into_styled(PrimitiveStyle::with_fill(Rgb888::new(1, 2, 3)))
        .draw(&mut surface)
        .unwrap();
    Line::new(Point::new(0, 0), Point::new(20, 20))
        .into_styled(PrimitiveStyle::with_stroke(Rgb888::new(255, 0, 0), 1))
        .draw(&mut surface)
        .unwrap();
    for y in 0..8 {
        for x in 0..12 {
            let expected = if x == y {
                Rgb::new(255, 0, 0)
            } else if x < 4 && y >= 5 {
                Rgb::new(1, 2, 3)
            } else {
                Rgb::new(0, 0, 9)
            };
            assert_eq!(surface.pixel(x, y), Some(expected), "({x}, {y})");
        }
    }
}

#[test]
fn embedded_graphics_rgb565_is_stored_exactly() {
    let mut screen = Screen::new(4, 4, PixelFormat::Rgb565, 0);
    let mut surface = screen.surface();
    let mut target = Rgb565Target(&mut surface);
    assert_eq!(target.size(), Size::new(4, 4));
    let color = Rgb565::new(0b10101, 0b110011, 0b01010);
    target.clear(Rgb565::new(0, 0, 0)).unwrap();
    Pixel(Point::new(1, 2), color).draw(&mut target).unwrap();
    Pixel(Point::new(-1, 2), color).draw(&mut target).unwrap();
    target
        .fill_solid(&Rectangle::new(Point::new(3, 0), Size::new(5, 1)), color)
        .unwrap();
    let raw = (0b10101 << 11) | (0b110011 << 5) | 0b01010;
    assert_eq!(surface.raw_pixel(1, 2), Some(raw));
    assert_eq!(surface.raw_pixel(3, 0), Some(raw));
    assert_eq!(surface.raw_pixel(0, 2), Some(0));
    assert_eq!(surface.raw_pixel(2, 0), Some(0));
}

#[test]
fn fill_contiguous_clips_at_every_edge_and_keeps_colour_order() {
    let rectangles: [(i32, i32, u32, u32); 7] = [
        (2, 1, 3, 2),
        (-3, -2, 5, 4),
        (9, 6, 4, 4),
        (-2, 3, 15, 1),
        (4, -5, 2, 20),
        (0, 0, 0, 3),
        (20, 20, 2, 2),
    ];
    for format in FORMATS {
        for &(x, y, width, height) in &rectangles {
            let mut screen = Screen::new(11, 8, format, 3);
            let mut expected = Screen::new(11, 8, format, 3);
            // Each pixel of the rectangle gets its own colour, in row order.
            let color_at = |column: u32, row: u32| {
                Rgb888::new((column * 16) as u8, (row * 16) as u8, (column + row) as u8)
            };
            let colors: Vec<Rgb888> = (0..height)
                .flat_map(|row| (0..width).map(move |column| color_at(column, row)))
                .collect();
            let area = Rectangle::new(Point::new(x, y), Size::new(width, height));
            screen
                .surface()
                .fill_contiguous(&area, colors.iter().copied())
                .unwrap();
            for row in 0..height {
                for column in 0..width {
                    let color = color_at(column, row);
                    expected.surface().set_pixel(
                        x + column as i32,
                        y + row as i32,
                        Rgb::new(color.r(), color.g(), color.b()),
                    );
                }
            }
            assert!(
                screen.pixels == expected.pixels,
                "{format:?} fill_contiguous{:?}",
                (x, y, width, height)
            );
        }
    }
}
