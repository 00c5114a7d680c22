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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tmp_size_bytes: 16 << 20,
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
