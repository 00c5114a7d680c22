//! Usage IDs of the keyboard/keypad page (0x07, HID Usage Tables section 10) that the keymaps
//! and the terminal encoder refer to by name.

/// ErrorRollOver: more keys are down than the report can hold.
pub const ERROR_ROLL_OVER: u8 = 0x01;
/// POSTFail.
pub const POST_FAIL: u8 = 0x02;
/// ErrorUndefined.
pub const ERROR_UNDEFINED: u8 = 0x03;
/// Letter A; B to Z follow in order up to 0x1d.
pub const A: u8 = 0x04;
/// Letter Z on a US keyboard (Y on a German one).
pub const Z: u8 = 0x1d;
/// Digit 1; 2 to 9 follow, then 0 at 0x27.
pub const DIGIT_1: u8 = 0x1e;
/// Digit 0.
pub const DIGIT_0: u8 = 0x27;
/// Enter (Return).
pub const ENTER: u8 = 0x28;
/// Escape.
pub const ESCAPE: u8 = 0x29;
/// Backspace.
pub const BACKSPACE: u8 = 0x2a;
/// Tab.
pub const TAB: u8 = 0x2b;
/// Space bar.
pub const SPACE: u8 = 0x2c;
/// `-` and `_` on a US keyboard.
pub const MINUS: u8 = 0x2d;
/// `=` and `+` on a US keyboard.
pub const EQUALS: u8 = 0x2e;
/// `[` and `{` on a US keyboard.
pub const LEFT_BRACKET: u8 = 0x2f;
/// `]` and `}` on a US keyboard.
pub const RIGHT_BRACKET: u8 = 0x30;
/// `\` and `|` on a US keyboard.
pub const BACKSLASH: u8 = 0x31;
/// The key left of Enter on ISO keyboards (`#` and `~` in the UK).
pub const NON_US_HASH: u8 = 0x32;
/// `;` and `:` on a US keyboard.
pub const SEMICOLON: u8 = 0x33;
/// `'` and `"` on a US keyboard.
pub const APOSTROPHE: u8 = 0x34;
/// `` ` `` and `~` on a US keyboard.
pub const GRAVE: u8 = 0x35;
/// `,` and `<` on a US keyboard.
pub const COMMA: u8 = 0x36;
/// `.` and `>` on a US keyboard.
pub const PERIOD: u8 = 0x37;
/// `/` and `?` on a US keyboard.
pub const SLASH: u8 = 0x38;
/// Caps Lock.
pub const CAPS_LOCK: u8 = 0x39;
/// F1; F2 to F12 follow up to 0x45.
pub const F1: u8 = 0x3a;
/// F12.
pub const F12: u8 = 0x45;
/// Print Screen.
pub const PRINT_SCREEN: u8 = 0x46;
/// Scroll Lock.
pub const SCROLL_LOCK: u8 = 0x47;
/// Pause.
pub const PAUSE: u8 = 0x48;
/// Insert.
pub const INSERT: u8 = 0x49;
/// Home.
pub const HOME: u8 = 0x4a;
/// Page Up.
pub const PAGE_UP: u8 = 0x4b;
/// Delete (forward).
pub const DELETE: u8 = 0x4c;
/// End.
pub const END: u8 = 0x4d;
/// Page Down.
pub const PAGE_DOWN: u8 = 0x4e;
/// Right arrow.
pub const RIGHT: u8 = 0x4f;
/// Left arrow.
pub const LEFT: u8 = 0x50;
/// Down arrow.
pub const DOWN: u8 = 0x51;
/// Up arrow.
pub const UP: u8 = 0x52;
/// Num Lock.
pub const NUM_LOCK: u8 = 0x53;
/// Keypad `/`.
pub const KEYPAD_SLASH: u8 = 0x54;
/// Keypad `*`.
pub const KEYPAD_ASTERISK: u8 = 0x55;
/// Keypad `-`.
pub const KEYPAD_MINUS: u8 = 0x56;
/// Keypad `+`.
pub const KEYPAD_PLUS: u8 = 0x57;
/// Keypad Enter.
pub const KEYPAD_ENTER: u8 = 0x58;
/// Keypad 1 (End); keypad 2 to 9 follow up to 0x61.
pub const KEYPAD_1: u8 = 0x59;
/// Keypad 9 (Page Up).
pub const KEYPAD_9: u8 = 0x61;
/// Keypad 0 (Insert).
pub const KEYPAD_0: u8 = 0x62;
/// Keypad `.` (Delete); `,` on a German keyboard.
pub const KEYPAD_PERIOD: u8 = 0x63;
/// The extra key right of left Shift on ISO keyboards (`\` in the UK, `<` in Germany).
pub const NON_US_BACKSLASH: u8 = 0x64;
/// Application (menu) key.
pub const APPLICATION: u8 = 0x65;
/// Keypad `=`.
pub const KEYPAD_EQUALS: u8 = 0x67;
/// Left Control; the eight modifiers run to 0xe7 in the order of the modifier byte's bits.
pub const LEFT_CONTROL: u8 = 0xe0;
/// Left Shift.
pub const LEFT_SHIFT: u8 = 0xe1;
/// Left Alt.
pub const LEFT_ALT: u8 = 0xe2;
/// Left GUI (Windows, Command).
pub const LEFT_GUI: u8 = 0xe3;
/// Right Control.
pub const RIGHT_CONTROL: u8 = 0xe4;
/// Right Shift.
pub const RIGHT_SHIFT: u8 = 0xe5;
/// Right Alt (AltGr on layouts that have it).
pub const RIGHT_ALT: u8 = 0xe6;
/// Right GUI.
pub const RIGHT_GUI: u8 = 0xe7;

/// The usage of the key that carries `letter` (`a` to `z`, either case) on a US keyboard;
/// `None` for anything else.
pub const fn letter(letter: char) -> Option<u8> {
    let lower = letter.to_ascii_lowercase();
    if lower.is_ascii_lowercase() {
        Some(A + (lower as u8 - b'a'))
    } else {
        None
    }
}

/// Whether `key` is one of the eight modifier usages.
pub const fn is_modifier(key: u8) -> bool {
    key >= LEFT_CONTROL && key <= RIGHT_GUI
}

/// Whether `key` is Caps, Num or Scroll Lock.
pub const fn is_lock(key: u8) -> bool {
    matches!(key, CAPS_LOCK | NUM_LOCK | SCROLL_LOCK)
}
