//! The host renderer binary: its PPM equals the console's pixels as QEMU would show them.

mod common;

use std::process::Command;

use common::console_with;
use fbconsole::{ConsoleConfig, CursorStyle, PixelFormat, Rgb};

const BINARY: &str = env!("CARGO_BIN_EXE_pipyos-render-text");

/// Runs the renderer with `arguments` and returns the PPM it wrote.
fn render(arguments: &[&str]) -> Vec<u8> {
    let directory = std::env::temp_dir().join(format!("fbconsole-render-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let output = directory.join(format!("{}.ppm", arguments.join("_").len()));
    let status = Command::new(BINARY)
        .args(arguments)
        .arg("--output")
        .arg(&output)
        .status()
        .expect("renderer runs");
    assert!(status.success(), "{arguments:?}");
    let ppm = std::fs::read(&output).unwrap();
    let _ = std::fs::remove_file(&output);
    ppm
}

/// Splits a P6 file into (width, height, pixels).
fn parse_ppm(ppm: &[u8]) -> (u32, u32, &[u8]) {
    let text = std::str::from_utf8(&ppm[..20.min(ppm.len())]).unwrap_or("");
    let mut fields = text.split_ascii_whitespace();
    assert_eq!(fields.next(), Some("P6"));
    let width: u32 = fields.next().unwrap().parse().unwrap();
    let height: u32 = fields.next().unwrap().parse().unwrap();
    assert_eq!(fields.next(), Some("255"));
    let header = format!("P6\n{width} {height}\n255\n");
    assert!(ppm.starts_with(header.as_bytes()));
    (width, height, &ppm[header.len()..])
}

/// What QEMU's BCM2835 framebuffer shows for a raw pixel (16-bit channels shifted left).
fn qemu_rgb(format: PixelFormat, raw: u32) -> [u8; 3] {
    match format {
        PixelFormat::Rgb565 => [
            ((raw >> 11 & 0x1F) << 3) as u8,
            ((raw >> 5 & 0x3F) << 2) as u8,
            ((raw & 0x1F) << 3) as u8,
        ],
        _ => {
            let color = format.decode(raw);
            [color.red, color.green, color.blue]
        }
    }
}

/// Renders `text` in-process and converts it as the binary should.
fn expected(
    width: u32,
    height: u32,
    format: PixelFormat,
    config: ConsoleConfig,
    text: &[u8],
) -> Vec<u8> {
    let (mut console, mut screen) = console_with(width, height, format, config);
    console.write(&mut screen.surface(), text);
    let surface = screen.surface();
    let mut pixels = Vec::new();
    for y in 0..height as i32 {
        for x in 0..width as i32 {
            pixels.extend_from_slice(&qemu_rgb(format, surface.raw_pixel(x, y).unwrap()));
        }
    }
    pixels
}

#[test]
fn default_render_matches_the_console() {
    let text = "Python 3 on PiPyOS\r\n>>> print('hé')\r\nhé\r\n>>> ";
    let ppm = render(&["--text", text]);
    let (width, height, pixels) = parse_ppm(&ppm);
    assert_eq!((width, height), (640, 480));
    assert_eq!(pixels.len(), 640 * 480 * 3);
    let reference = expected(
        640,
        480,
        PixelFormat::Rgb565,
        ConsoleConfig::default(),
        text.as_bytes(),
    );
    assert!(
        pixels == &reference[..],
        "the PPM differs from the console's pixels"
    );
    // Light grey text shows as QEMU widens 0xAAAAAA through RGB565: 0xA8, 0xA8, 0xA8.
    assert!(pixels.chunks(3).any(|pixel| pixel == [0xA8, 0xA8, 0xA8]));
}

#[test]
fn options_change_size_format_colours_and_cursor() {
    let text = "\x1b[1;32mok\x1b[0m\r\nline two";
    let file = std::env::temp_dir().join(format!("fbconsole-text-{}", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let cases: [(&[&str], PixelFormat, ConsoleConfig); 3] = [
        (
            &["--width", "200", "--height", "60", "--format", "xrgb8888"],
            PixelFormat::Xrgb8888,
            ConsoleConfig::default(),
        ),
        (
            &[
                "--width",
                "160",
                "--height",
                "90",
                "--format",
                "xbgr8888",
                "--font-size",
                "24",
                "--foreground",
                "00ff00",
                "--background",
                "#102030",
                "--margin-x",
                "3",
                "--margin-y",
                "4",
                "--cursor",
                "underline",
            ],
            PixelFormat::Xbgr8888,
            ConsoleConfig {
                font_size: 24,
                foreground: Rgb::new(0, 0xFF, 0),
                background: Rgb::new(0x10, 0x20, 0x30),
                margin_x: 3,
                margin_y: 4,
                cursor_style: CursorStyle::Underline,
            },
        ),
        (
            &[
                "--width", "120", "--height", "40", "--format", "rgb565", "--cursor", "block",
            ],
            PixelFormat::Rgb565,
            ConsoleConfig::default(),
        ),
    ];
    for (options, format, config) in cases {
        let mut arguments = vec!["--text-file", file.to_str().unwrap()];
        arguments.extend_from_slice(options);
        let ppm = render(&arguments);
        let (width, height, pixels) = parse_ppm(&ppm);
        let reference = expected(width, height, format, config, text.as_bytes());
        assert!(pixels == &reference[..], "{options:?}");
    }
    // A hidden cursor leaves the cell after the text blank.
    let hidden = render(&[
        "--text", "x", "--width", "40", "--height", "20", "--cursor", "hidden",
    ]);
    let shown = render(&["--text", "x", "--width", "40", "--height", "20"]);
    let (_, _, hidden_pixels) = parse_ppm(&hidden);
    let (_, _, shown_pixels) = parse_ppm(&shown);
    assert_ne!(hidden_pixels, shown_pixels);
    assert!(hidden_pixels[10 * 3..20 * 3].iter().all(|&byte| byte == 0));
    let _ = std::fs::remove_file(&file);
}

#[test]
fn bad_options_are_refused() {
    for arguments in [
        &["--text"][..],
        &["--output", "/dev/null"],
        &["--text", "x", "--output", "/dev/null", "--format", "rgb332"],
        &[
            "--text",
            "x",
            "--output",
            "/dev/null",
            "--foreground",
            "red",
        ],
        &[
            "--text",
            "x",
            "--output",
            "/dev/null",
            "--font-size",
            "1000",
        ],
        &["--text", "x", "--output", "/dev/null", "--bogus", "1"],
    ] {
        let output = Command::new(BINARY).args(arguments).output().unwrap();
        assert!(!output.status.success(), "{arguments:?}");
        assert!(!output.stderr.is_empty());
    }
}
