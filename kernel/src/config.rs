//! The board configuration: `/etc/pipyos.conf` in the initfs (later also on the SD card).
//!
//! `key = value` lines; `#` starts a comment. Unknown keys are reported once at boot and
//! ignored, a bad value keeps the default (and is reported). The keys and their defaults are
//! [`Config`]'s fields, documented in the README.
use std::sync::OnceLock;

/// The configuration in effect.
#[derive(Clone, Debug)]
pub struct Config {
    /// `tmp_size`: bytes the RAM file system at `/tmp` may hold (suffixes K, M).
    pub tmp_size_bytes: u64,
    /// `framebuffer_width`, `framebuffer_height`: the screen size in pixels (1 to 4096), over
    /// what the firmware reports (config.txt's keys of the same names on a real board).
    pub framebuffer_width: Option<u32>,
    /// See `framebuffer_width`.
    pub framebuffer_height: Option<u32>,
    /// `framebuffer_depth`: 16 (RGB565) or 32 bits per pixel.
    pub framebuffer_depth: Option<u32>,
    /// `app`: whose `main.py` runs at boot when both exist: `card` (the default:
    /// `/data/main.py` or `/data/app/main.py`, else the initfs's `/app/main.py`) or `initfs`.
    pub app_from_card_first: bool,
    /// `safe_boot_pin`: a GPIO that, held low at power-on, skips the card's app (as does a
    /// file `/boot/SAFE`).
    pub safe_boot_pin: Option<u32>,
    /// `usb`: `on` (the default) or `off` (the controller stays powered down).
    pub usb: bool,
    /// `keyboard_layout`: the USB keyboard's keymap, `us` (the default), `uk` or `de`.
    pub keyboard_layout: usbproto::Layout,
    /// `keyboard_repeat_delay`: milliseconds a key is held before it repeats (default 500).
    pub keyboard_repeat_delay_ms: u32,
    /// `keyboard_repeat_rate`: repeats per second once repeating (default 30; 0: no repeat).
    pub keyboard_repeat_rate: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tmp_size_bytes: 16 << 20,
            framebuffer_width: None,
            framebuffer_height: None,
            framebuffer_depth: None,
            app_from_card_first: true,
            safe_boot_pin: None,
            usb: true,
            keyboard_layout: usbproto::Layout::default(),
            keyboard_repeat_delay_ms: 500,
            keyboard_repeat_rate: 30,
        }
    }
}

/// Where the configuration is read from.
pub const PATH: &str = "etc/pipyos.conf";

static CONFIG: OnceLock<(Config, Vec<String>)> = OnceLock::new();

/// Parses a size: a number with an optional `K`, `M` or `G` suffix (powers of 1024).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, multiplier) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 1 << 10),
        b'm' | b'M' => (&text[..text.len() - 1], 1 << 20),
        b'g' | b'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(multiplier)
}

/// Parses configuration text; returns the configuration and the problems found.
pub fn parse(text: &str) -> (Config, Vec<String>) {
    let mut config = Config::default();
    let mut problems = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            problems.push(format!("line {}: expected key = value", number + 1));
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "tmp_size" => match parse_size(value) {
                Some(size) => config.tmp_size_bytes = size,
                None => problems.push(format!("line {}: bad tmp_size {value:?}", number + 1)),
            },
            "framebuffer_width" | "framebuffer_height" => match value.parse::<u32>() {
                Ok(side @ 1..=4096) if key == "framebuffer_width" => {
                    config.framebuffer_width = Some(side)
                }
                Ok(side @ 1..=4096) => config.framebuffer_height = Some(side),
                _ => problems.push(format!(
                    "line {}: bad {key} {value:?} (1 to 4096)",
                    number + 1
                )),
            },
            "framebuffer_depth" => match value.parse::<u32>() {
                Ok(depth @ (16 | 32)) => config.framebuffer_depth = Some(depth),
                _ => problems.push(format!(
                    "line {}: bad framebuffer_depth {value:?} (16 or 32)",
                    number + 1
                )),
            },
            "app" => match value {
                "card" => config.app_from_card_first = true,
                "initfs" => config.app_from_card_first = false,
                _ => problems.push(format!(
                    "line {}: bad app {value:?} (card or initfs)",
                    number + 1
                )),
            },
            "safe_boot_pin" => match value.parse::<u32>() {
                Ok(pin @ 0..=53) => config.safe_boot_pin = Some(pin),
                _ => problems.push(format!(
                    "line {}: bad safe_boot_pin {value:?} (GPIO 0 to 53)",
                    number + 1
                )),
            },
            "usb" => match value {
                "on" => config.usb = true,
                "off" => config.usb = false,
                _ => problems.push(format!(
                    "line {}: bad usb {value:?} (on or off)",
                    number + 1
                )),
            },
            "keyboard_layout" => match usbproto::Layout::from_name(value) {
                Some(layout) => config.keyboard_layout = layout,
                None => problems.push(format!(
                    "line {}: bad keyboard_layout {value:?} (us, uk or de)",
                    number + 1
                )),
            },
            "keyboard_repeat_delay" => match value.parse::<u32>() {
                Ok(delay @ 100..=5000) => config.keyboard_repeat_delay_ms = delay,
                _ => problems.push(format!(
                    "line {}: bad keyboard_repeat_delay {value:?} (100 to 5000 ms)",
                    number + 1
                )),
            },
            "keyboard_repeat_rate" => match value.parse::<u32>() {
                Ok(rate @ 0..=100) => config.keyboard_repeat_rate = rate,
                _ => problems.push(format!(
                    "line {}: bad keyboard_repeat_rate {value:?} (0 to 100 per second)",
                    number + 1
                )),
            },
            other => problems.push(format!("line {}: unknown key {other:?}", number + 1)),
        }
    }
    (config, problems)
}

fn load() -> (Config, Vec<String>) {
    let Ok(bytes) = crate::bsp::rpi1::initfs_bytes() else {
        return (Config::default(), Vec::new());
    };
    let Ok(archive) = initfs::Archive::parse(bytes) else {
        return (Config::default(), Vec::new());
    };
    match archive.lookup(PATH) {
        Some(entry) => parse(&String::from_utf8_lossy(entry.data())),
        None => (Config::default(), Vec::new()),
    }
}

/// The configuration (read on first use).
pub fn get() -> &'static Config {
    &CONFIG.get_or_init(load).0
}

/// Problems found in the configuration file.
pub fn problems() -> &'static [String] {
    &CONFIG.get_or_init(load).1
}
