//! Keymaps from keyboard-page usage IDs to characters: US, UK and German (QWERTZ, with AltGr).

use core::fmt;
use core::str::FromStr;

use crate::keyboard::usage;

/// A keyboard layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// US English (ANSI); Right Alt is a plain Alt.
    #[default]
    Us,
    /// UK English (ISO): `"` on Shift+2, `£` on Shift+3, `@` on Shift+', `#~` left of Enter,
    /// `€` on AltGr+4.
    Uk,
    /// German (ISO, QWERTZ): umlauts, `ß`, and `@ € { [ ] } \ ~ | µ ² ³` on AltGr.
    De,
}

/// The characters one key types at each level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCharacters {
    /// Without Shift.
    pub base: char,
    /// With Shift.
    pub shifted: char,
    /// With AltGr (Shift ignored), if the layout puts anything there.
    pub altgr: Option<char>,
}

impl KeyCharacters {
    const fn new(base: char, shifted: char) -> Self {
        Self {
            base,
            shifted,
            altgr: None,
        }
    }

    const fn with_altgr(base: char, shifted: char, altgr: char) -> Self {
        Self {
            base,
            shifted,
            altgr: Some(altgr),
        }
    }

    /// Whether Caps Lock flips this key's case: its shifted character is the upper case of
    /// its base character (letters and umlauts, not `ß` or digits).
    pub fn follows_caps_lock(&self) -> bool {
        if !self.base.is_lowercase() {
            return false;
        }
        let mut upper = self.base.to_uppercase();
        upper.next() == Some(self.shifted) && upper.next().is_none()
    }

    /// The character typed with these modifier states.
    pub fn select(&self, shift: bool, altgr: bool, caps_lock: bool) -> char {
        if altgr {
            if let Some(character) = self.altgr {
                return character;
            }
        }
        let upper = shift ^ (caps_lock && self.follows_caps_lock());
        if upper {
            self.shifted
        } else {
            self.base
        }
    }
}

/// US characters for usages 0x1e (digit 1) to 0x38 (slash); `None` where the key is not a
/// printing key (Enter, Escape, Backspace, Tab).
const US_SYMBOLS: [Option<(char, char)>; 27] = [
    Some(('1', '!')),
    Some(('2', '@')),
    Some(('3', '#')),
    Some(('4', '$')),
    Some(('5', '%')),
    Some(('6', '^')),
    Some(('7', '&')),
    Some(('8', '*')),
    Some(('9', '(')),
    Some(('0', ')')),
    None, // 0x28 Enter
    None, // 0x29 Escape
    None, // 0x2a Backspace
    None, // 0x2b Tab
    Some((' ', ' ')),
    Some(('-', '_')),
    Some(('=', '+')),
    Some(('[', '{')),
    Some((']', '}')),
    Some(('\\', '|')),
    Some(('\\', '|')), // 0x32, which a US keyboard does not have: treated as backslash
    Some((';', ':')),
    Some(('\'', '"')),
    Some(('`', '~')),
    Some((',', '<')),
    Some(('.', '>')),
    Some(('/', '?')),
];

/// UK keys that differ from US.
const UK_OVERRIDES: &[(u8, KeyCharacters)] = &[
    (0x1f, KeyCharacters::new('2', '"')),
    (0x20, KeyCharacters::new('3', '£')),
    (0x21, KeyCharacters::with_altgr('4', '$', '€')),
    (usage::BACKSLASH, KeyCharacters::new('#', '~')),
    (usage::NON_US_HASH, KeyCharacters::new('#', '~')),
    (usage::APOSTROPHE, KeyCharacters::new('\'', '@')),
    (usage::GRAVE, KeyCharacters::with_altgr('`', '¬', '¦')),
    (usage::NON_US_BACKSLASH, KeyCharacters::new('\\', '|')),
];

/// German keys that differ from US. Dead keys (`^`, `´`, `` ` ``) type themselves at once.
const DE_OVERRIDES: &[(u8, KeyCharacters)] = &[
    (0x08, KeyCharacters::with_altgr('e', 'E', '€')),
    (0x10, KeyCharacters::with_altgr('m', 'M', 'µ')),
    (0x14, KeyCharacters::with_altgr('q', 'Q', '@')),
    (0x1c, KeyCharacters::new('z', 'Z')),
    (0x1d, KeyCharacters::new('y', 'Y')),
    (0x1f, KeyCharacters::with_altgr('2', '"', '²')),
    (0x20, KeyCharacters::with_altgr('3', '§', '³')),
    (0x23, KeyCharacters::new('6', '&')),
    (0x24, KeyCharacters::with_altgr('7', '/', '{')),
    (0x25, KeyCharacters::with_altgr('8', '(', '[')),
    (0x26, KeyCharacters::with_altgr('9', ')', ']')),
    (0x27, KeyCharacters::with_altgr('0', '=', '}')),
    (usage::MINUS, KeyCharacters::with_altgr('ß', '?', '\\')),
    (usage::EQUALS, KeyCharacters::new('´', '`')),
    (usage::LEFT_BRACKET, KeyCharacters::new('ü', 'Ü')),
    (
        usage::RIGHT_BRACKET,
        KeyCharacters::with_altgr('+', '*', '~'),
    ),
    (usage::BACKSLASH, KeyCharacters::new('#', '\'')),
    (usage::NON_US_HASH, KeyCharacters::new('#', '\'')),
    (usage::SEMICOLON, KeyCharacters::new('ö', 'Ö')),
    (usage::APOSTROPHE, KeyCharacters::new('ä', 'Ä')),
    (usage::GRAVE, KeyCharacters::new('^', '°')),
    (usage::COMMA, KeyCharacters::new(',', ';')),
    (usage::PERIOD, KeyCharacters::new('.', ':')),
    (usage::SLASH, KeyCharacters::new('-', '_')),
    (
        usage::NON_US_BACKSLASH,
        KeyCharacters::with_altgr('<', '>', '|'),
    ),
];

/// Characters of keypad keys that type the same whatever Num Lock says.
fn keypad_operator(key: u8) -> Option<char> {
    match key {
        usage::KEYPAD_SLASH => Some('/'),
        usage::KEYPAD_ASTERISK => Some('*'),
        usage::KEYPAD_MINUS => Some('-'),
        usage::KEYPAD_PLUS => Some('+'),
        usage::KEYPAD_EQUALS => Some('='),
        _ => None,
    }
}

/// Why a layout name was not recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownLayout;

impl fmt::Display for UnknownLayout {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("unknown keyboard layout (expected us, uk or de)")
    }
}

impl Layout {
    /// Every layout.
    pub const ALL: [Layout; 3] = [Layout::Us, Layout::Uk, Layout::De];

    /// The short name used in configuration files: `us`, `uk` or `de`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Us => "us",
            Self::Uk => "uk",
            Self::De => "de",
        }
    }

    /// Parses a configuration value: `us`, `uk` or `de` in any case, surrounding spaces
    /// ignored; also `en-us`, `gb`, `en-gb` and `de-de` (with `-` or `_`).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        let matches = |candidate: &str| {
            name.len() == candidate.len()
                && name.bytes().zip(candidate.bytes()).all(|(given, wanted)| {
                    let given = if given == b'_' { b'-' } else { given };
                    given.eq_ignore_ascii_case(&wanted)
                })
        };
        if ["us", "en-us"].into_iter().any(matches) {
            Some(Self::Us)
        } else if ["uk", "gb", "en-gb"].into_iter().any(matches) {
            Some(Self::Uk)
        } else if ["de", "de-de"].into_iter().any(matches) {
            Some(Self::De)
        } else {
            None
        }
    }

    /// Whether Right Alt is AltGr (third level) rather than a plain Alt.
    pub const fn has_altgr(self) -> bool {
        !matches!(self, Self::Us)
    }

    /// The decimal separator on the keypad with Num Lock on.
    pub const fn keypad_decimal(self) -> char {
        match self {
            Self::De => ',',
            Self::Us | Self::Uk => '.',
        }
    }

    /// What a printing key types at each level, or `None` for keys that type no character
    /// (Enter, arrows, modifiers, function keys; keypad digits, which depend on Num Lock).
    pub fn characters(self, key: u8) -> Option<KeyCharacters> {
        let overrides = match self {
            Self::Us => &[][..],
            Self::Uk => UK_OVERRIDES,
            Self::De => DE_OVERRIDES,
        };
        if let Some((_, characters)) = overrides.iter().find(|(usage, _)| *usage == key) {
            return Some(*characters);
        }
        if let Some(operator) = keypad_operator(key) {
            return Some(KeyCharacters::new(operator, operator));
        }
        if (usage::A..=usage::Z).contains(&key) {
            let lower = char::from(b'a' + (key - usage::A));
            return Some(KeyCharacters::new(lower, lower.to_ascii_uppercase()));
        }
        if key == usage::NON_US_BACKSLASH {
            return Some(KeyCharacters::new('\\', '|'));
        }
        let index = usize::from(key.checked_sub(usage::DIGIT_1)?);
        let (base, shifted) = (*US_SYMBOLS.get(index)?)?;
        Some(KeyCharacters::new(base, shifted))
    }

    /// The character `key` types, or `None` when it types none.
    pub fn character(self, key: u8, shift: bool, altgr: bool, caps_lock: bool) -> Option<char> {
        self.characters(key)
            .map(|characters| characters.select(shift, altgr, caps_lock))
    }
}

impl FromStr for Layout {
    type Err = UnknownLayout;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name).ok_or(UnknownLayout)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}
