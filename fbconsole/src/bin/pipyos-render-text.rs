//! Host renderer: draws text with the PiPyOS console into a binary PPM, to compare with QEMU.
//!
//! The console starts blank at row 0, column 0 of a surface of the given size and format, with
//! the kernel's defaults unless told otherwise, is fed the bytes and writes the screen as a
//! P6 PPM. 16-bit pixels are widened the way QEMU's BCM2835 framebuffer shows them (each
//! channel shifted left, low bits zero), so the file equals QEMU's `screendump` pixel for pixel.
#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::process::ExitCode;

use fbconsole::{
    Console, ConsoleConfig, CursorStyle, Framebuffer, GlyphCache, PixelFormat, Rgb,
    DEFAULT_BACKGROUND, DEFAULT_FONT_SIZE, DEFAULT_FOREGROUND, DEFAULT_MARGIN_X, DEFAULT_MARGIN_Y,
};

const USAGE: &str = "\
usage: pipyos-render-text (--text STRING | --text-file PATH) --output PATH [options]

Renders bytes through the PiPyOS framebuffer console and writes the screen as a P6 PPM.

  --text STRING         the bytes to write (escape sequences as given, e.g. $'a\\r\\n')
  --text-file PATH      read the bytes from a file instead
  --output PATH         where to write the PPM ('-' for standard output)
  --width N             surface width in pixels (default 640)
  --height N            surface height in pixels (default 480)
  --format F            rgb565 (default), xrgb8888 or xbgr8888
  --font-size N         font pixel size (default 16)
  --foreground RRGGBB   default text colour (default AAAAAA)
  --background RRGGBB   default background (default 000000)
  --margin-x N          pixels left of column 0 (default 0)
  --margin-y N          pixels above row 0 (default 0)
  --cursor C            block (default), underline or hidden
  --expand E            how 16-bit channels widen: qemu (shift, default) or replicate
";

/// How 5- and 6-bit channels become 8-bit ones in the PPM.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expansion {
    /// Shift left, zero low bits: QEMU's `bcm2835_fb` (`r5 << 3`).
    Qemu,
    /// Repeat the top bits (`r5 << 3 | r5 >> 2`).
    Replicate,
}

/// Everything the command line chose.
struct Options {
    text: Vec<u8>,
    output: String,
    width: u32,
    height: u32,
    format: PixelFormat,
    config: ConsoleConfig,
    cursor_visible: bool,
    expansion: Expansion,
}

/// Parses `RRGGBB` (an optional `#` or `0x` first).
fn parse_color(text: &str) -> Result<Rgb, String> {
    let digits = text
        .trim_start_matches('#')
        .trim_start_matches("0x")
        .trim_start_matches("0X");
    if digits.len() != 6 {
        return Err(format!("colour `{text}` is not RRGGBB"));
    }
    u32::from_str_radix(digits, 16)
        .map(Rgb::from_u32)
        .map_err(|_| format!("colour `{text}` is not hexadecimal"))
}

/// Parses a decimal number.
fn parse_number(name: &str, text: &str) -> Result<u32, String> {
    text.parse()
        .map_err(|_| format!("{name} `{text}` is not a number"))
}

fn parse_options(arguments: Vec<OsString>) -> Result<Options, String> {
    let mut text = None;
    let mut output = None;
    let mut options = Options {
        text: Vec::new(),
        output: String::new(),
        width: 640,
        height: 480,
        format: PixelFormat::Rgb565,
        config: ConsoleConfig {
            font_size: DEFAULT_FONT_SIZE,
            margin_x: DEFAULT_MARGIN_X,
            margin_y: DEFAULT_MARGIN_Y,
            foreground: DEFAULT_FOREGROUND,
            background: DEFAULT_BACKGROUND,
            ..ConsoleConfig::default()
        },
        cursor_visible: true,
        expansion: Expansion::Qemu,
    };
    let mut iterator = arguments.into_iter();
    while let Some(flag) = iterator.next() {
        let flag = flag.to_string_lossy().into_owned();
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let raw_value = iterator
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        if flag == "--text" {
            // Any bytes, valid UTF-8 or not: the console decodes them.
            text = Some(raw_value.into_encoded_bytes());
            continue;
        }
        let value = raw_value
            .into_string()
            .map_err(|_| format!("the value of {flag} is not UTF-8"))?;
        let value = &value;
        match flag.as_str() {
            "--text-file" => {
                text = Some(std::fs::read(value).map_err(|error| format!("{value}: {error}"))?);
            }
            "--output" => output = Some(value.to_owned()),
            "--width" => options.width = parse_number(&flag, value)?,
            "--height" => options.height = parse_number(&flag, value)?,
            "--format" => {
                options.format = match value.as_str() {
                    "rgb565" => PixelFormat::Rgb565,
                    "xrgb8888" => PixelFormat::Xrgb8888,
                    "xbgr8888" => PixelFormat::Xbgr8888,
                    _ => return Err(format!("unknown format `{value}`")),
                }
            }
            "--font-size" => options.config.font_size = parse_number(&flag, value)?,
            "--foreground" => options.config.foreground = parse_color(value)?,
            "--background" => options.config.background = parse_color(value)?,
            "--margin-x" => options.config.margin_x = parse_number(&flag, value)?,
            "--margin-y" => options.config.margin_y = parse_number(&flag, value)?,
            "--cursor" => match value.as_str() {
                "block" => options.config.cursor_style = CursorStyle::Block,
                "underline" => options.config.cursor_style = CursorStyle::Underline,
                "hidden" => options.cursor_visible = false,
                _ => return Err(format!("unknown cursor `{value}`")),
            },
            "--expand" => {
                options.expansion = match value.as_str() {
                    "qemu" => Expansion::Qemu,
                    "replicate" => Expansion::Replicate,
                    _ => return Err(format!("unknown expansion `{value}`")),
                }
            }
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    options.text = text.ok_or("--text or --text-file is required")?;
    options.output = output.ok_or("--output is required")?;
    Ok(options)
}

/// The 8-bit channels of a raw pixel as they appear in the PPM.
fn ppm_pixel(format: PixelFormat, raw: u32, expansion: Expansion) -> [u8; 3] {
    match (format, expansion) {
        (PixelFormat::Rgb565, Expansion::Qemu) => [
            (((raw >> 11) & 0x1F) << 3) as u8,
            (((raw >> 5) & 0x3F) << 2) as u8,
            ((raw & 0x1F) << 3) as u8,
        ],
        _ => {
            let color = format.decode(raw);
            [color.red, color.green, color.blue]
        }
    }
}

/// Renders and returns the PPM bytes.
fn render(options: &Options) -> Result<Vec<u8>, String> {
    let pitch = options.width as usize * options.format.bytes_per_pixel();
    let mut pixels = vec![0u8; pitch * options.height as usize];
    let mut surface = Framebuffer::new(
        &mut pixels,
        options.width,
        options.height,
        pitch,
        options.format,
    )
    .map_err(|error| error.to_string())?;
    let glyphs = GlyphCache::new().map_err(|error| error.to_string())?;
    let mut console = Console::new(glyphs, options.width, options.height, options.config)
        .map_err(|error| error.to_string())?;
    if !options.cursor_visible {
        console.set_cursor_visible(&mut surface, false);
    }
    console.redraw_all(&mut surface);
    console.write(&mut surface, &options.text);

    let mut ppm = format!("P6\n{} {}\n255\n", options.width, options.height).into_bytes();
    for y in 0..options.height {
        for x in 0..options.width {
            let raw = surface
                .raw_pixel(x as i32, y as i32)
                .ok_or("pixel outside the surface")?;
            ppm.extend_from_slice(&ppm_pixel(options.format, raw, options.expansion));
        }
    }
    Ok(ppm)
}

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    let options = match parse_options(arguments) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("pipyos-render-text: {message}");
            }
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let ppm = match render(&options) {
        Ok(ppm) => ppm,
        Err(message) => {
            eprintln!("pipyos-render-text: {message}");
            return ExitCode::FAILURE;
        }
    };
    let written = if options.output == "-" {
        use std::io::Write;
        std::io::stdout().write_all(&ppm)
    } else {
        std::fs::write(&options.output, &ppm)
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pipyos-render-text: {}: {error}", options.output);
            ExitCode::FAILURE
        }
    }
}
