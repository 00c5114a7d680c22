//! Turning one key press into the bytes an xterm-compatible VT100 terminal would send:
//! UTF-8 text, control bytes for Ctrl+key, ESC-prefixed Meta (Alt), and escape sequences for
//! cursor, editing and function keys.

use crate::keyboard::layout::Layout;
use crate::keyboard::report::Modifiers;
use crate::keyboard::usage;

const ESCAPE: u8 = 0x1b;
const DELETE_BYTE: u8 = 0x7f;

/// Caps, Num and Scroll Lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LockState {
    /// Caps Lock: letters flip case.
    pub caps_lock: bool,
    /// Num Lock: keypad types digits rather than moving the cursor.
    pub num_lock: bool,
    /// Scroll Lock (only lights its LED).
    pub scroll_lock: bool,
}

impl Default for LockState {
    /// Num Lock on, the others off.
    fn default() -> Self {
        Self {
            caps_lock: false,
            num_lock: true,
            scroll_lock: false,
        }
    }
}

impl LockState {
    /// The LED output report byte for this state.
    pub const fn leds(&self) -> Leds {
        let mut bits = 0;
        if self.num_lock {
            bits |= Leds::NUM_LOCK;
        }
        if self.caps_lock {
            bits |= Leds::CAPS_LOCK;
        }
        if self.scroll_lock {
            bits |= Leds::SCROLL_LOCK;
        }
        Leds(bits)
    }
}

/// The boot keyboard LED output report: one byte, sent with SET_REPORT(output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Leds(pub u8);

impl Leds {
    /// Num Lock LED.
    pub const NUM_LOCK: u8 = 0x01;
    /// Caps Lock LED.
    pub const CAPS_LOCK: u8 = 0x02;
    /// Scroll Lock LED.
    pub const SCROLL_LOCK: u8 = 0x04;
    /// Compose LED.
    pub const COMPOSE: u8 = 0x08;
    /// Kana LED.
    pub const KANA: u8 = 0x10;
}

/// The bytes one key press sends: at most 8 (the longest is `ESC [ 2 4 ; 8 ~`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeySequence {
    bytes: [u8; KeySequence::CAPACITY],
    length: usize,
}

impl KeySequence {
    /// The most bytes one key sends.
    pub const CAPACITY: usize = 8;

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.length) {
            *slot = byte;
            self.length += 1;
        }
    }

    fn push_all(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.push(byte);
        }
    }

    fn push_decimal(&mut self, number: u8) {
        if number >= 10 {
            self.push(b'0' + number / 10);
        }
        self.push(b'0' + number % 10);
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.length]
    }

    /// Whether the key sends nothing.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }
}

/// xterm's modifier parameter: 1 plus 1 for Shift, 2 for Alt, 4 for Control.
fn modifier_parameter(shift: bool, alt: bool, control: bool) -> u8 {
    1 + u8::from(shift) + 2 * u8::from(alt) + 4 * u8::from(control)
}

/// The control byte Ctrl turns `character` into, as terminals do (`a` → 0x01, `[` → ESC,
/// `?` → DEL); `None` for characters Ctrl does not change.
pub fn control_byte(character: char) -> Option<u8> {
    let byte = u8::try_from(character).ok()?;
    match byte {
        b'a'..=b'z' => Some(byte - b'a' + 1),
        b'A'..=b'Z' => Some(byte - b'A' + 1),
        b'@' | b' ' => Some(0x00),
        b'[' => Some(0x1b),
        b'\\' => Some(0x1c),
        b']' => Some(0x1d),
        b'^' => Some(0x1e),
        b'_' => Some(0x1f),
        b'?' => Some(DELETE_BYTE),
        _ => None,
    }
}

/// Cursor keys: `ESC [ X`, or `ESC [ 1 ; m X` with modifiers.
fn cursor_key(key: u8) -> Option<u8> {
    match key {
        usage::UP => Some(b'A'),
        usage::DOWN => Some(b'B'),
        usage::RIGHT => Some(b'C'),
        usage::LEFT => Some(b'D'),
        usage::HOME => Some(b'H'),
        usage::END => Some(b'F'),
        _ => None,
    }
}

/// Editing and function keys sent as `ESC [ n ~`, or `ESC [ n ; m ~` with modifiers.
fn tilde_key(key: u8) -> Option<u8> {
    match key {
        usage::INSERT => Some(2),
        usage::DELETE => Some(3),
        usage::PAGE_UP => Some(5),
        usage::PAGE_DOWN => Some(6),
        0x3e => Some(15), // F5
        0x3f => Some(17),
        0x40 => Some(18),
        0x41 => Some(19),
        0x42 => Some(20),
        0x43 => Some(21),
        0x44 => Some(23),
        usage::F12 => Some(24),
        _ => None,
    }
}

/// F1 to F4: `ESC O P..S`, or `ESC [ 1 ; m P..S` with modifiers.
fn pf_key(key: u8) -> Option<u8> {
    match key {
        usage::F1 => Some(b'P'),
        0x3b => Some(b'Q'),
        0x3c => Some(b'R'),
        0x3d => Some(b'S'),
        _ => None,
    }
}

/// What a keypad digit or point key does with Num Lock off: the navigation key it doubles as.
fn keypad_navigation(key: u8) -> Option<u8> {
    match key {
        0x59 => Some(usage::END),
        0x5a => Some(usage::DOWN),
        0x5b => Some(usage::PAGE_DOWN),
        0x5c => Some(usage::LEFT),
        0x5e => Some(usage::RIGHT),
        0x5f => Some(usage::HOME),
        0x60 => Some(usage::UP),
        0x61 => Some(usage::PAGE_UP),
        usage::KEYPAD_0 => Some(usage::INSERT),
        usage::KEYPAD_PERIOD => Some(usage::DELETE),
        _ => None,
    }
}

/// The character a keypad digit or point key types with Num Lock on.
fn keypad_character(key: u8, layout: Layout) -> Option<char> {
    match key {
        usage::KEYPAD_1..=usage::KEYPAD_9 => Some(char::from(b'1' + (key - usage::KEYPAD_1))),
        usage::KEYPAD_0 => Some('0'),
        usage::KEYPAD_PERIOD => Some(layout.keypad_decimal()),
        _ => None,
    }
}

/// The bytes a terminal sends when `key` is pressed (or repeats) with these modifiers and
/// locks on this layout. Modifier and lock keys themselves send nothing, and so do keys
/// without a terminal meaning (Print Screen, Pause, F13 and up, GUI).
///
/// Enter sends `\r`, Backspace DEL (0x7f; Ctrl+Backspace BS, 0x08), Tab `\t` (Shift+Tab
/// `ESC [ Z`), Escape ESC. Alt (Left Alt, or Right Alt on a layout without AltGr) prefixes
/// ESC, as xterm's `metaSendsEscape` does.
pub fn encode_key(layout: Layout, key: u8, modifiers: Modifiers, locks: LockState) -> KeySequence {
    let mut sequence = KeySequence::default();
    let shift = modifiers.shift();
    let control = modifiers.control();
    let altgr = layout.has_altgr() && modifiers.right_alt();
    let meta = modifiers.left_alt() || (!layout.has_altgr() && modifiers.right_alt());

    let key = if locks.num_lock {
        key
    } else {
        keypad_navigation(key).unwrap_or(key)
    };
    if locks.num_lock {
        if let Some(character) = keypad_character(key, layout) {
            push_character(&mut sequence, character, meta);
            return sequence;
        }
    }
    if key == 0x5d && !locks.num_lock {
        // Keypad 5 without Num Lock: xterm's "begin" key.
        sequence.push_all(b"\x1b[E");
        return sequence;
    }

    let parameter = modifier_parameter(shift, meta, control);
    if let Some(final_byte) = cursor_key(key) {
        sequence.push_all(b"\x1b[");
        if parameter > 1 {
            sequence.push_all(b"1;");
            sequence.push_decimal(parameter);
        }
        sequence.push(final_byte);
        return sequence;
    }
    if let Some(number) = tilde_key(key) {
        sequence.push_all(b"\x1b[");
        sequence.push_decimal(number);
        if parameter > 1 {
            sequence.push(b';');
            sequence.push_decimal(parameter);
        }
        sequence.push(b'~');
        return sequence;
    }
    if let Some(final_byte) = pf_key(key) {
        if parameter > 1 {
            sequence.push_all(b"\x1b[1;");
            sequence.push_decimal(parameter);
        } else {
            sequence.push_all(b"\x1bO");
        }
        sequence.push(final_byte);
        return sequence;
    }

    match key {
        usage::ENTER | usage::KEYPAD_ENTER => push_byte(&mut sequence, b'\r', meta),
        usage::ESCAPE => push_byte(&mut sequence, ESCAPE, meta),
        usage::BACKSPACE => push_byte(
            &mut sequence,
            if control { 0x08 } else { DELETE_BYTE },
            meta,
        ),
        usage::TAB if shift => sequence.push_all(b"\x1b[Z"),
        usage::TAB => push_byte(&mut sequence, b'\t', meta),
        _ => {
            if let Some(character) = layout.character(key, shift, altgr, locks.caps_lock) {
                match control.then(|| control_byte(character)).flatten() {
                    Some(byte) => push_byte(&mut sequence, byte, meta),
                    None => push_character(&mut sequence, character, meta),
                }
            }
        }
    }
    sequence
}

fn push_byte(sequence: &mut KeySequence, byte: u8, meta: bool) {
    if meta {
        sequence.push(ESCAPE);
    }
    sequence.push(byte);
}

fn push_character(sequence: &mut KeySequence, character: char, meta: bool) {
    if meta {
        sequence.push(ESCAPE);
    }
    let mut buffer = [0u8; 4];
    sequence.push_all(character.encode_utf8(&mut buffer).as_bytes());
}
