//! 24-bit RGB colours, coverage blending and the terminal palettes (16 ANSI, xterm 256).

/// A 24-bit colour: 8 bits each of red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rgb {
    /// Red intensity, 0–255.
    pub red: u8,
    /// Green intensity, 0–255.
    pub green: u8,
    /// Blue intensity, 0–255.
    pub blue: u8,
}

impl Rgb {
    /// Black, `0x000000`.
    pub const BLACK: Rgb = Rgb::new(0, 0, 0);
    /// White, `0xFFFFFF`.
    pub const WHITE: Rgb = Rgb::new(0xFF, 0xFF, 0xFF);

    /// A colour from its three channels.
    pub const fn new(red: u8, green: u8, blue: u8) -> Rgb {
        Rgb { red, green, blue }
    }

    /// A colour from `0xRRGGBB`; bits above the low 24 are ignored.
    pub const fn from_u32(value: u32) -> Rgb {
        Rgb {
            red: (value >> 16) as u8,
            green: (value >> 8) as u8,
            blue: value as u8,
        }
    }

    /// The colour as `0xRRGGBB`.
    pub const fn to_u32(self) -> u32 {
        (self.red as u32) << 16 | (self.green as u32) << 8 | self.blue as u32
    }

    /// Mixes `foreground` over `self` with `coverage` (0 = all `self`, 255 = all `foreground`).
    ///
    /// Integer arithmetic rounded to nearest, so the host renderer and the kernel agree exactly.
    pub const fn blend(self, foreground: Rgb, coverage: u8) -> Rgb {
        // Most of a glyph cell is empty or solid ink.
        match coverage {
            0 => return self,
            255 => return foreground,
            _ => {}
        }
        Rgb {
            red: blend_channel(self.red, foreground.red, coverage),
            green: blend_channel(self.green, foreground.green, coverage),
            blue: blend_channel(self.blue, foreground.blue, coverage),
        }
    }
}

/// One channel of [`Rgb::blend`]: `background + (foreground - background) * coverage / 255`.
const fn blend_channel(background: u8, foreground: u8, coverage: u8) -> u8 {
    let coverage = coverage as u32;
    let mixed = background as u32 * (255 - coverage) + foreground as u32 * coverage;
    divide_by_255_rounded(mixed) as u8
}

/// `(value + 127) / 255` (nearest, as `value / 255` is never a half) for `value <= 255 * 255`,
/// without a division: the ARM1176 has no divide instruction, and this runs per pixel.
pub(crate) const fn divide_by_255_rounded(value: u32) -> u32 {
    let value = value + 128;
    (value + (value >> 8)) >> 8
}

/// Fills `bytes` with pixels of `bytes_per_pixel` (1, 2 or 4) bytes each, `pattern`'s first
/// ones: a `memset` when they are all equal (black, white), else fixed-size stores (a
/// slice-length copy per pixel would call `memcpy` for every pixel).
pub(crate) fn fill_pixels(bytes: &mut [u8], pattern: [u8; 4], bytes_per_pixel: usize) {
    let used = &pattern[..bytes_per_pixel.min(4)];
    if used.iter().all(|&byte| byte == used[0]) {
        bytes.fill(used[0]);
        return;
    }
    match bytes_per_pixel {
        2 => {
            let pair = [pattern[0], pattern[1]];
            for pixel in bytes.chunks_exact_mut(2) {
                pixel.copy_from_slice(&pair);
            }
        }
        4 => {
            for pixel in bytes.chunks_exact_mut(4) {
                pixel.copy_from_slice(&pattern);
            }
        }
        _ => {
            for pixel in bytes.chunks_exact_mut(bytes_per_pixel.max(1)) {
                pixel.copy_from_slice(&pattern[..pixel.len().min(4)]);
            }
        }
    }
}

/// The 16 ANSI colours (SGR 30–37 and 90–97, indices 0–15), in the VGA text-mode palette.
pub const ANSI_PALETTE: [Rgb; 16] = [
    Rgb::from_u32(0x000000),
    Rgb::from_u32(0xAA0000),
    Rgb::from_u32(0x00AA00),
    Rgb::from_u32(0xAA5500),
    Rgb::from_u32(0x0000AA),
    Rgb::from_u32(0xAA00AA),
    Rgb::from_u32(0x00AAAA),
    Rgb::from_u32(0xAAAAAA),
    Rgb::from_u32(0x555555),
    Rgb::from_u32(0xFF5555),
    Rgb::from_u32(0x55FF55),
    Rgb::from_u32(0xFFFF55),
    Rgb::from_u32(0x5555FF),
    Rgb::from_u32(0xFF55FF),
    Rgb::from_u32(0x55FFFF),
    Rgb::from_u32(0xFFFFFF),
];

/// The six channel levels of the xterm 6x6x6 colour cube (indices 16–231).
const CUBE_LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The colour of xterm 256-colour index `index` (`CSI 38;5;n m`).
///
/// 0–15 are [`ANSI_PALETTE`], 16–231 the 6x6x6 cube (`16 + 36 r + 6 g + b`), 232–255 a grey
/// ramp from 8 to 238 in steps of 10. The surface formats hold at least 16 bits, so the exact
/// colour is kept and each surface rounds it to its nearest representable value.
pub const fn xterm_color(index: u8) -> Rgb {
    match index {
        0..=15 => ANSI_PALETTE[index as usize],
        16..=231 => {
            let cube = index - 16;
            Rgb::new(
                CUBE_LEVELS[(cube / 36) as usize],
                CUBE_LEVELS[(cube / 6 % 6) as usize],
                CUBE_LEVELS[(cube % 6) as usize],
            )
        }
        _ => {
            let level = 8 + (index - 232) * 10;
            Rgb::new(level, level, level)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks_rgb() {
        let color = Rgb::from_u32(0x12_34_56);
        assert_eq!(color, Rgb::new(0x12, 0x34, 0x56));
        assert_eq!(color.to_u32(), 0x12_34_56);
        assert_eq!(Rgb::from_u32(0xFF12_3456), color);
    }

    #[test]
    fn shift_division_equals_rounded_division() {
        for value in 0..=255 * 255 {
            assert_eq!(divide_by_255_rounded(value), (value + 127) / 255, "{value}");
        }
    }

    #[test]
    fn blend_ends_and_middle() {
        let background = Rgb::new(0, 100, 255);
        let foreground = Rgb::new(255, 0, 255);
        assert_eq!(background.blend(foreground, 0), background);
        assert_eq!(background.blend(foreground, 255), foreground);
        // 255 * 128 / 255 = 128; 100 * 127 / 255 = 49.8 -> 50.
        assert_eq!(background.blend(foreground, 128), Rgb::new(128, 50, 255));
    }

    #[test]
    fn xterm_palette_corners() {
        assert_eq!(xterm_color(1), ANSI_PALETTE[1]);
        assert_eq!(xterm_color(16), Rgb::new(0, 0, 0));
        assert_eq!(xterm_color(21), Rgb::new(0, 0, 255));
        assert_eq!(xterm_color(196), Rgb::new(255, 0, 0));
        assert_eq!(xterm_color(231), Rgb::new(255, 255, 255));
        assert_eq!(xterm_color(232), Rgb::new(8, 8, 8));
        assert_eq!(xterm_color(255), Rgb::new(238, 238, 238));
    }
}
