//! Boot keyboard: report decoding, diffing, roll-over, modifiers, repeat timing, keymaps and
//! terminal bytes.

use usbproto::keyboard::usage;
use usbproto::keyboard::{
    encode_key, BootKeyboardReport, KeyAction, KeyEvent, Keyboard, Layout, Leds, LockState,
    Modifiers, RepeatSettings,
};
use usbproto::ReportError;

const SHIFT: u8 = Modifiers::LEFT_SHIFT;
const CONTROL: u8 = Modifiers::LEFT_CONTROL;
const ALT: u8 = Modifiers::LEFT_ALT;
const ALTGR: u8 = Modifiers::RIGHT_ALT;

fn report(modifiers: u8, keys: &[u8]) -> [u8; 8] {
    let mut bytes = [0u8; 8];
    bytes[0] = modifiers;
    bytes[2..2 + keys.len()].copy_from_slice(keys);
    bytes
}

fn key(letter: char) -> u8 {
    usage::letter(letter).unwrap()
}

/// The bytes of pressing `keys` with `modifiers` on a fresh keyboard (Num Lock on).
fn typed(layout: Layout, modifiers: u8, keys: &[u8]) -> Vec<u8> {
    let mut keyboard = Keyboard::new(layout);
    keyboard
        .feed_report(&report(modifiers, keys), 0)
        .unwrap()
        .bytes()
        .to_vec()
}

/// The text of pressing one key with `modifiers`.
fn text(layout: Layout, modifiers: u8, key: u8) -> String {
    String::from_utf8(typed(layout, modifiers, &[key])).unwrap()
}

#[test]
fn report_fields() {
    let parsed = BootKeyboardReport::parse(&[0x22, 0x00, 0x04, 0x05, 0, 0, 0, 0]).unwrap();
    assert_eq!(parsed.modifiers, Modifiers(0x22));
    assert!(parsed.modifiers.shift());
    assert!(parsed
        .modifiers
        .contains(Modifiers::LEFT_SHIFT | Modifiers::RIGHT_SHIFT));
    assert!(!parsed.modifiers.control());
    assert_eq!(parsed.keys, [0x04, 0x05, 0, 0, 0, 0]);
    assert!(parsed.is_pressed(0x04));
    assert!(parsed.is_pressed(usage::LEFT_SHIFT));
    assert!(!parsed.is_pressed(usage::LEFT_CONTROL));
    assert!(!parsed.is_pressed(0x00));
    assert_eq!(parsed.pressed_keys().collect::<Vec<_>>(), vec![0x04, 0x05]);
    // Bytes past the eighth (some keyboards pad) are ignored.
    assert_eq!(
        BootKeyboardReport::parse(&[0x22, 0x00, 0x04, 0x05, 0, 0, 0, 0, 0xff]),
        Ok(parsed)
    );
    assert_eq!(
        BootKeyboardReport::parse(&[0; 7]),
        Err(ReportError::TooShort {
            length: 7,
            minimum: 8
        })
    );
    let modifiers = Modifiers(0xff);
    assert!(modifiers.alt() && modifiers.left_alt() && modifiers.right_alt() && modifiers.gui());
}

#[test]
fn rollover_reports_are_ignored_and_state_kept() {
    let rollover = [0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01];
    assert_eq!(
        BootKeyboardReport::parse(&rollover),
        Err(ReportError::Rollover)
    );
    assert!(BootKeyboardReport::parse_raw(&rollover)
        .unwrap()
        .is_rollover());

    let mut keyboard = Keyboard::new(Layout::Us);
    let first = keyboard.feed_report(&report(0, &[key('a')]), 0).unwrap();
    assert_eq!(first.bytes(), b"a");
    assert_eq!(
        keyboard.feed_report(&rollover, 10),
        Err(ReportError::Rollover)
    );
    assert_eq!(keyboard.last_report().keys[0], key('a'));
    // Still holding a, now also b: only b is new; a was never released.
    let next = keyboard
        .feed_report(&report(0, &[key('a'), key('b')]), 20)
        .unwrap();
    assert_eq!(
        next.events(),
        &[KeyEvent::new(key('b'), KeyAction::Press, Modifiers::NONE)]
    );
    assert_eq!(next.bytes(), b"b");
    // A short report changes nothing either.
    assert!(keyboard.feed_report(&[0, 0, 0], 30).is_err());
    assert_eq!(keyboard.last_report().keys[1], key('b'));
}

#[test]
fn press_and_release_events() {
    let mut keyboard = Keyboard::new(Layout::Us);
    let output = keyboard.feed_report(&report(0, &[key('a')]), 0).unwrap();
    assert_eq!(
        output.events(),
        &[KeyEvent::new(key('a'), KeyAction::Press, Modifiers::NONE)]
    );
    // Holding a: nothing new (an idle-rate resend of the same report).
    assert!(keyboard
        .feed_report(&report(0, &[key('a')]), 5)
        .unwrap()
        .is_empty());
    // Slots can shuffle: a moves to slot 2 when b lands in slot 1; only b is new.
    let output = keyboard
        .feed_report(&report(0, &[key('b'), key('a')]), 10)
        .unwrap();
    assert_eq!(output.events().len(), 1);
    assert_eq!(output.events()[0].key, key('b'));
    // Release a, press Shift: the release comes first, then the modifier press.
    let output = keyboard
        .feed_report(&report(SHIFT, &[key('b')]), 20)
        .unwrap();
    assert_eq!(
        output.events(),
        &[
            KeyEvent::new(key('a'), KeyAction::Release, Modifiers(SHIFT)),
            KeyEvent::new(usage::LEFT_SHIFT, KeyAction::Press, Modifiers(SHIFT)),
        ]
    );
    assert!(
        output.bytes().is_empty(),
        "releases and modifiers send nothing"
    );
    // Release everything.
    let output = keyboard.feed_report(&report(0, &[]), 30).unwrap();
    assert_eq!(
        output.events(),
        &[
            KeyEvent::new(usage::LEFT_SHIFT, KeyAction::Release, Modifiers::NONE),
            KeyEvent::new(key('b'), KeyAction::Release, Modifiers::NONE),
        ]
    );
}

#[test]
fn duplicate_slots_and_error_free_zero_slots() {
    let current =
        BootKeyboardReport::parse(&report(0, &[key('x'), key('x'), 0, key('y')])).unwrap();
    let events = current.changes_since(&BootKeyboardReport::default());
    let keys: Vec<u8> = events.as_slice().iter().map(|event| event.key).collect();
    assert_eq!(keys, vec![key('x'), key('y')]);
    // Modifier usages in key slots are left to the modifier byte.
    let odd = BootKeyboardReport::parse(&report(0, &[usage::LEFT_SHIFT])).unwrap();
    assert!(odd.changes_since(&BootKeyboardReport::default()).is_empty());
}

#[test]
fn six_keys_at_once_with_shift() {
    let keys = [key('q'), key('w'), key('e'), key('r'), key('t'), key('y')];
    assert_eq!(typed(Layout::Us, SHIFT, &keys), b"QWERTY");
    let mut keyboard = Keyboard::new(Layout::Us);
    let output = keyboard.feed_report(&report(SHIFT, &keys), 0).unwrap();
    assert_eq!(output.events().len(), 7, "Shift and six keys");
}

#[test]
fn shift_and_caps_lock() {
    let mut keyboard = Keyboard::new(Layout::Us);
    assert_eq!(keyboard.leds(), Leds(Leds::NUM_LOCK), "Num Lock starts on");
    let output = keyboard
        .feed_report(&report(0, &[usage::CAPS_LOCK]), 0)
        .unwrap();
    assert_eq!(output.leds(), Some(Leds(Leds::NUM_LOCK | Leds::CAPS_LOCK)));
    assert!(output.bytes().is_empty());
    assert!(keyboard.locks().caps_lock);
    // Releasing Caps Lock does not toggle again.
    assert_eq!(
        keyboard.feed_report(&report(0, &[]), 10).unwrap().leds(),
        None
    );
    let a = keyboard.feed_report(&report(0, &[key('a')]), 20).unwrap();
    assert_eq!(a.bytes(), b"A");
    keyboard.feed_report(&report(0, &[]), 30).unwrap();
    let shifted = keyboard
        .feed_report(&report(SHIFT, &[key('a')]), 40)
        .unwrap();
    assert_eq!(shifted.bytes(), b"a", "Shift inverts Caps Lock");
    keyboard.feed_report(&report(0, &[]), 50).unwrap();
    let digit = keyboard
        .feed_report(&report(0, &[usage::DIGIT_1]), 60)
        .unwrap();
    assert_eq!(digit.bytes(), b"1", "Caps Lock leaves digits alone");
    keyboard.feed_report(&report(0, &[]), 70).unwrap();
    let off = keyboard
        .feed_report(&report(0, &[usage::CAPS_LOCK]), 80)
        .unwrap();
    assert_eq!(off.leds(), Some(Leds(Leds::NUM_LOCK)));
    // Num Lock and Scroll Lock.
    keyboard.feed_report(&report(0, &[]), 90).unwrap();
    let output = keyboard
        .feed_report(&report(0, &[usage::NUM_LOCK, usage::SCROLL_LOCK]), 100)
        .unwrap();
    assert_eq!(output.leds(), Some(Leds(Leds::SCROLL_LOCK)));
    assert_eq!(
        keyboard.set_locks(LockState::default()),
        Leds(Leds::NUM_LOCK)
    );
}

#[test]
fn control_letters_give_control_bytes() {
    assert_eq!(typed(Layout::Us, CONTROL, &[key('c')]), [0x03]);
    assert_eq!(typed(Layout::Us, CONTROL, &[key('d')]), [0x04]);
    assert_eq!(typed(Layout::Us, CONTROL, &[key('a')]), [0x01]);
    assert_eq!(typed(Layout::Us, CONTROL, &[key('e')]), [0x05]);
    assert_eq!(typed(Layout::Us, CONTROL, &[key('z')]), [0x1a]);
    assert_eq!(typed(Layout::Us, CONTROL | SHIFT, &[key('c')]), [0x03]);
    assert_eq!(
        typed(Layout::Us, Modifiers::RIGHT_CONTROL, &[key('l')]),
        [0x0c]
    );
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::LEFT_BRACKET]), [0x1b]);
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::BACKSLASH]), [0x1c]);
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::SPACE]), [0x00]);
    assert_eq!(
        typed(Layout::Us, CONTROL | SHIFT, &[0x1f]),
        [0x00],
        "Ctrl-@"
    );
    assert_eq!(typed(Layout::Us, CONTROL | SHIFT, &[usage::MINUS]), [0x1f]);
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::DIGIT_1]), b"1");
    // German: the key labelled Z sits where US has Y.
    assert_eq!(typed(Layout::De, CONTROL, &[0x1c]), [0x1a]);
    assert_eq!(typed(Layout::De, CONTROL, &[0x1d]), [0x19]);
    // Ctrl with Caps Lock is unaffected.
    let mut keyboard = Keyboard::new(Layout::Us);
    keyboard
        .feed_report(&report(0, &[usage::CAPS_LOCK]), 0)
        .unwrap();
    keyboard.feed_report(&report(0, &[]), 1).unwrap();
    let output = keyboard
        .feed_report(&report(CONTROL, &[key('c')]), 2)
        .unwrap();
    assert_eq!(output.bytes(), [0x03]);
}

#[test]
fn special_keys_send_vt100_sequences() {
    let cases: &[(u8, &[u8])] = &[
        (usage::UP, b"\x1b[A"),
        (usage::DOWN, b"\x1b[B"),
        (usage::RIGHT, b"\x1b[C"),
        (usage::LEFT, b"\x1b[D"),
        (usage::HOME, b"\x1b[H"),
        (usage::END, b"\x1b[F"),
        (usage::INSERT, b"\x1b[2~"),
        (usage::DELETE, b"\x1b[3~"),
        (usage::PAGE_UP, b"\x1b[5~"),
        (usage::PAGE_DOWN, b"\x1b[6~"),
        (usage::ENTER, b"\r"),
        (usage::KEYPAD_ENTER, b"\r"),
        (usage::BACKSPACE, b"\x7f"),
        (usage::TAB, b"\t"),
        (usage::ESCAPE, b"\x1b"),
        (usage::SPACE, b" "),
        (0x3a, b"\x1bOP"),
        (0x3b, b"\x1bOQ"),
        (0x3c, b"\x1bOR"),
        (0x3d, b"\x1bOS"),
        (0x3e, b"\x1b[15~"),
        (0x3f, b"\x1b[17~"),
        (0x40, b"\x1b[18~"),
        (0x41, b"\x1b[19~"),
        (0x42, b"\x1b[20~"),
        (0x43, b"\x1b[21~"),
        (0x44, b"\x1b[23~"),
        (0x45, b"\x1b[24~"),
        (usage::PRINT_SCREEN, b""),
        (usage::PAUSE, b""),
        (usage::APPLICATION, b""),
        (0x68, b""), // F13
    ];
    for &(key, expected) in cases {
        assert_eq!(typed(Layout::Us, 0, &[key]), expected, "key {key:#04x}");
        assert_eq!(
            typed(Layout::De, 0, &[key]),
            expected,
            "key {key:#04x} (de)"
        );
    }
}

#[test]
fn modified_special_keys_follow_xterm() {
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::RIGHT]), b"\x1b[1;5C");
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::LEFT]), b"\x1b[1;5D");
    assert_eq!(typed(Layout::Us, SHIFT, &[usage::UP]), b"\x1b[1;2A");
    assert_eq!(typed(Layout::Us, ALT, &[usage::HOME]), b"\x1b[1;3H");
    assert_eq!(
        typed(Layout::Us, CONTROL | SHIFT | ALT, &[usage::END]),
        b"\x1b[1;8F"
    );
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::DELETE]), b"\x1b[3;5~");
    assert_eq!(typed(Layout::Us, SHIFT, &[0x3e]), b"\x1b[15;2~");
    assert_eq!(
        typed(Layout::Us, CONTROL | SHIFT | ALT, &[0x45]),
        b"\x1b[24;8~"
    );
    assert_eq!(typed(Layout::Us, SHIFT, &[0x3a]), b"\x1b[1;2P");
    assert_eq!(typed(Layout::Us, SHIFT, &[usage::TAB]), b"\x1b[Z");
    assert_eq!(typed(Layout::Us, CONTROL, &[usage::BACKSPACE]), [0x08]);
    assert_eq!(typed(Layout::Us, ALT, &[usage::BACKSPACE]), b"\x1b\x7f");
    assert_eq!(typed(Layout::Us, ALT, &[key('b')]), b"\x1bb");
    assert_eq!(typed(Layout::Us, ALT | CONTROL, &[key('c')]), b"\x1b\x03");
    // On the US layout Right Alt is Alt too; on UK and German it is AltGr.
    assert_eq!(typed(Layout::Us, ALTGR, &[key('f')]), b"\x1bf");
    assert_eq!(typed(Layout::Uk, ALTGR, &[key('f')]), b"f");
    // GUI keys add nothing.
    assert_eq!(typed(Layout::Us, Modifiers::LEFT_GUI, &[key('f')]), b"f");
}

#[test]
fn keypad_follows_num_lock() {
    let keypad: Vec<u8> = (usage::KEYPAD_1..=usage::KEYPAD_PERIOD).collect();
    let on: Vec<Vec<u8>> = keypad.iter().map(|&k| typed(Layout::Us, 0, &[k])).collect();
    assert_eq!(
        on.concat(),
        b"1234567890.".to_vec(),
        "Num Lock on: digits and point"
    );
    assert_eq!(typed(Layout::De, 0, &[usage::KEYPAD_PERIOD]), b",");
    assert_eq!(typed(Layout::Us, 0, &[usage::KEYPAD_SLASH]), b"/");
    assert_eq!(typed(Layout::Us, 0, &[usage::KEYPAD_ASTERISK]), b"*");
    assert_eq!(typed(Layout::Us, 0, &[usage::KEYPAD_MINUS]), b"-");
    assert_eq!(typed(Layout::Us, 0, &[usage::KEYPAD_PLUS]), b"+");
    assert_eq!(typed(Layout::Us, 0, &[usage::KEYPAD_EQUALS]), b"=");

    let off = LockState {
        num_lock: false,
        ..LockState::default()
    };
    let encoded = |key| {
        encode_key(Layout::Us, key, Modifiers::NONE, off)
            .as_bytes()
            .to_vec()
    };
    assert_eq!(encoded(0x59), b"\x1b[F");
    assert_eq!(encoded(0x5a), b"\x1b[B");
    assert_eq!(encoded(0x5b), b"\x1b[6~");
    assert_eq!(encoded(0x5c), b"\x1b[D");
    assert_eq!(encoded(0x5d), b"\x1b[E");
    assert_eq!(encoded(0x5e), b"\x1b[C");
    assert_eq!(encoded(0x5f), b"\x1b[H");
    assert_eq!(encoded(0x60), b"\x1b[A");
    assert_eq!(encoded(0x61), b"\x1b[5~");
    assert_eq!(encoded(0x62), b"\x1b[2~");
    assert_eq!(encoded(0x63), b"\x1b[3~");
    assert_eq!(encoded(usage::KEYPAD_PLUS), b"+");
    // Toggling Num Lock on the keyboard switches the keypad.
    let mut keyboard = Keyboard::new(Layout::Us);
    keyboard
        .feed_report(&report(0, &[usage::NUM_LOCK]), 0)
        .unwrap();
    let output = keyboard.feed_report(&report(0, &[0x60]), 1).unwrap();
    assert_eq!(output.bytes(), b"\x1b[A");
}

#[test]
fn us_keymap() {
    assert_eq!(text(Layout::Us, 0, key('y')), "y");
    assert_eq!(text(Layout::Us, SHIFT, 0x1f), "@");
    assert_eq!(text(Layout::Us, SHIFT, 0x20), "#");
    assert_eq!(text(Layout::Us, SHIFT, usage::APOSTROPHE), "\"");
    assert_eq!(text(Layout::Us, 0, usage::APOSTROPHE), "'");
    assert_eq!(text(Layout::Us, SHIFT, usage::DIGIT_0), ")");
    assert_eq!(text(Layout::Us, SHIFT, usage::SEMICOLON), ":");
    assert_eq!(text(Layout::Us, 0, usage::GRAVE), "`");
    assert_eq!(text(Layout::Us, SHIFT, usage::GRAVE), "~");
    assert_eq!(text(Layout::Us, SHIFT, usage::BACKSLASH), "|");
    assert_eq!(text(Layout::Us, 0, usage::NON_US_BACKSLASH), "\\");
    assert_eq!(text(Layout::Us, SHIFT, usage::SLASH), "?");
    assert_eq!(text(Layout::Us, SHIFT, usage::EQUALS), "+");
    assert_eq!(text(Layout::Us, SHIFT, usage::LEFT_BRACKET), "{");
    let all: String = (usage::A..=usage::Z)
        .map(|k| text(Layout::Us, 0, k))
        .collect();
    assert_eq!(all, "abcdefghijklmnopqrstuvwxyz");
    let digits: String = (usage::DIGIT_1..=usage::DIGIT_0)
        .map(|k| text(Layout::Us, SHIFT, k))
        .collect();
    assert_eq!(digits, "!@#$%^&*()");
}

#[test]
fn uk_keymap() {
    assert_eq!(text(Layout::Uk, SHIFT, 0x1f), "\"");
    assert_eq!(text(Layout::Uk, SHIFT, 0x20), "£");
    assert_eq!(text(Layout::Uk, SHIFT, usage::APOSTROPHE), "@");
    assert_eq!(text(Layout::Uk, 0, usage::NON_US_HASH), "#");
    assert_eq!(text(Layout::Uk, SHIFT, usage::NON_US_HASH), "~");
    assert_eq!(text(Layout::Uk, 0, usage::NON_US_BACKSLASH), "\\");
    assert_eq!(text(Layout::Uk, SHIFT, usage::NON_US_BACKSLASH), "|");
    assert_eq!(text(Layout::Uk, SHIFT, usage::GRAVE), "¬");
    assert_eq!(text(Layout::Uk, ALTGR, usage::GRAVE), "¦");
    assert_eq!(text(Layout::Uk, ALTGR, 0x21), "€");
    assert_eq!(text(Layout::Uk, SHIFT, 0x21), "$");
    assert_eq!(text(Layout::Uk, 0, key('z')), "z");
    assert_eq!(text(Layout::Uk, SHIFT, 0x23), "^");
}

#[test]
fn de_keymap() {
    // QWERTZ.
    assert_eq!(text(Layout::De, 0, 0x1c), "z");
    assert_eq!(text(Layout::De, 0, 0x1d), "y");
    assert_eq!(text(Layout::De, SHIFT, 0x1c), "Z");
    // Digits row.
    let shifted: String = (usage::DIGIT_1..=usage::DIGIT_0)
        .map(|k| text(Layout::De, SHIFT, k))
        .collect();
    assert_eq!(shifted, "!\"§$%&/()=");
    // Umlauts and sharp s.
    assert_eq!(text(Layout::De, 0, usage::LEFT_BRACKET), "ü");
    assert_eq!(text(Layout::De, SHIFT, usage::LEFT_BRACKET), "Ü");
    assert_eq!(text(Layout::De, 0, usage::SEMICOLON), "ö");
    assert_eq!(text(Layout::De, SHIFT, usage::SEMICOLON), "Ö");
    assert_eq!(text(Layout::De, 0, usage::APOSTROPHE), "ä");
    assert_eq!(text(Layout::De, SHIFT, usage::APOSTROPHE), "Ä");
    assert_eq!(text(Layout::De, 0, usage::MINUS), "ß");
    assert_eq!(text(Layout::De, SHIFT, usage::MINUS), "?");
    // Other symbols.
    assert_eq!(text(Layout::De, 0, usage::RIGHT_BRACKET), "+");
    assert_eq!(text(Layout::De, SHIFT, usage::RIGHT_BRACKET), "*");
    assert_eq!(text(Layout::De, 0, usage::NON_US_HASH), "#");
    assert_eq!(text(Layout::De, SHIFT, usage::NON_US_HASH), "'");
    assert_eq!(text(Layout::De, 0, usage::NON_US_BACKSLASH), "<");
    assert_eq!(text(Layout::De, SHIFT, usage::NON_US_BACKSLASH), ">");
    assert_eq!(text(Layout::De, 0, usage::SLASH), "-");
    assert_eq!(text(Layout::De, SHIFT, usage::SLASH), "_");
    assert_eq!(text(Layout::De, SHIFT, usage::COMMA), ";");
    assert_eq!(text(Layout::De, SHIFT, usage::PERIOD), ":");
    assert_eq!(text(Layout::De, 0, usage::GRAVE), "^");
    assert_eq!(text(Layout::De, SHIFT, usage::GRAVE), "°");
    assert_eq!(text(Layout::De, 0, usage::EQUALS), "´");
    assert_eq!(text(Layout::De, SHIFT, usage::EQUALS), "`");
    // AltGr.
    assert_eq!(text(Layout::De, ALTGR, key('q')), "@");
    assert_eq!(text(Layout::De, ALTGR, key('e')), "€");
    assert_eq!(text(Layout::De, ALTGR, key('m')), "µ");
    assert_eq!(text(Layout::De, ALTGR, 0x1f), "²");
    assert_eq!(text(Layout::De, ALTGR, 0x20), "³");
    assert_eq!(text(Layout::De, ALTGR, 0x24), "{");
    assert_eq!(text(Layout::De, ALTGR, 0x25), "[");
    assert_eq!(text(Layout::De, ALTGR, 0x26), "]");
    assert_eq!(text(Layout::De, ALTGR, 0x27), "}");
    assert_eq!(text(Layout::De, ALTGR, usage::MINUS), "\\");
    assert_eq!(text(Layout::De, ALTGR, usage::RIGHT_BRACKET), "~");
    assert_eq!(text(Layout::De, ALTGR, usage::NON_US_BACKSLASH), "|");
    assert_eq!(
        text(Layout::De, ALTGR | SHIFT, key('q')),
        "@",
        "Shift does not change AltGr"
    );
    assert_eq!(
        text(Layout::De, ALTGR, key('a')),
        "a",
        "no third level: the plain key"
    );
    // Left Alt is still Meta.
    assert_eq!(typed(Layout::De, ALT, &[key('q')]), b"\x1bq");
}

#[test]
fn de_caps_lock_flips_umlauts_but_not_sharp_s() {
    let mut keyboard = Keyboard::new(Layout::De);
    keyboard
        .feed_report(&report(0, &[usage::CAPS_LOCK]), 0)
        .unwrap();
    keyboard.feed_report(&report(0, &[]), 1).unwrap();
    let mut type_key = |key: u8, modifiers: u8, now: u64| {
        let output = keyboard
            .feed_report(&report(modifiers, &[key]), now)
            .unwrap();
        let text = String::from_utf8(output.bytes().to_vec()).unwrap();
        keyboard.feed_report(&report(0, &[]), now + 1).unwrap();
        text
    };
    assert_eq!(type_key(usage::LEFT_BRACKET, 0, 10), "Ü");
    assert_eq!(type_key(usage::APOSTROPHE, 0, 20), "Ä");
    assert_eq!(type_key(usage::APOSTROPHE, SHIFT, 30), "ä");
    assert_eq!(type_key(usage::MINUS, 0, 40), "ß");
    assert_eq!(type_key(0x1c, 0, 50), "Z");
    assert_eq!(type_key(0x1f, 0, 60), "2");
}

#[test]
fn layouts_from_configuration_strings() {
    assert_eq!(Layout::from_name("us"), Some(Layout::Us));
    assert_eq!(Layout::from_name("UK"), Some(Layout::Uk));
    assert_eq!(Layout::from_name(" de\n"), Some(Layout::De));
    assert_eq!(Layout::from_name("en-GB"), Some(Layout::Uk));
    assert_eq!(Layout::from_name("gb"), Some(Layout::Uk));
    assert_eq!(Layout::from_name("en_us"), Some(Layout::Us));
    assert_eq!(Layout::from_name("de_DE"), Some(Layout::De));
    assert_eq!(Layout::from_name("fr"), None);
    assert_eq!(Layout::from_name(""), None);
    assert_eq!(Layout::from_name("ukk"), None);
    assert_eq!("de".parse::<Layout>(), Ok(Layout::De));
    assert!("dvorak".parse::<Layout>().is_err());
    for layout in Layout::ALL {
        assert_eq!(layout.to_string().parse::<Layout>(), Ok(layout));
        assert_eq!(Layout::from_name(layout.name()), Some(layout));
    }
    assert_eq!(Layout::default(), Layout::Us);
}

#[test]
fn set_layout_changes_the_characters() {
    let mut keyboard = Keyboard::new(Layout::Us);
    assert_eq!(keyboard.layout(), Layout::Us);
    let us = keyboard.feed_report(&report(0, &[0x1c]), 0).unwrap();
    assert_eq!(us.bytes(), b"y");
    keyboard.feed_report(&report(0, &[]), 1).unwrap();
    keyboard.set_layout(Layout::De);
    let de = keyboard.feed_report(&report(0, &[0x1c]), 2).unwrap();
    assert_eq!(de.bytes(), b"z");
}

#[test]
fn repeat_timing() {
    let mut keyboard = Keyboard::new(Layout::Us);
    assert_eq!(keyboard.repeat_settings(), RepeatSettings::default());
    keyboard.set_repeat_settings(RepeatSettings {
        delay_ms: 500,
        interval_ms: 33,
    });
    keyboard.feed_report(&report(0, &[key('a')]), 1000).unwrap();
    assert_eq!(keyboard.next_repeat_ms(), Some(1500));
    assert!(keyboard.tick(1499).is_empty());
    let first = keyboard.tick(1500);
    assert_eq!(first.bytes(), b"a");
    assert_eq!(
        first.events(),
        &[KeyEvent::new(key('a'), KeyAction::Repeat, Modifiers::NONE)]
    );
    assert!(keyboard.tick(1532).is_empty());
    assert_eq!(keyboard.tick(1533).bytes(), b"a");
    // Two periods later: two repeats at once.
    assert_eq!(keyboard.tick(1600).bytes(), b"aa");
    assert_eq!(keyboard.next_repeat_ms(), Some(1632));
    // Polled very late: at most four, then the schedule restarts from now.
    assert_eq!(keyboard.tick(5000).bytes(), b"aaaa");
    assert_eq!(keyboard.next_repeat_ms(), Some(5033));
    // Release stops it.
    keyboard.feed_report(&report(0, &[]), 5010).unwrap();
    assert!(keyboard.tick(6000).is_empty());
    assert_eq!(keyboard.next_repeat_ms(), None);
}

#[test]
fn only_the_last_pressed_key_repeats() {
    let mut keyboard = Keyboard::new(Layout::Us);
    keyboard.feed_report(&report(0, &[key('a')]), 0).unwrap();
    keyboard
        .feed_report(&report(0, &[key('a'), key('b')]), 100)
        .unwrap();
    assert_eq!(keyboard.tick(600).bytes(), b"b");
    // Releasing a (not the repeating key) does not stop b.
    keyboard.feed_report(&report(0, &[key('b')]), 610).unwrap();
    assert_eq!(keyboard.tick(633).bytes(), b"b");
    // Releasing b stops everything, even though nothing else takes over.
    keyboard.feed_report(&report(0, &[]), 640).unwrap();
    assert!(keyboard.tick(2000).is_empty());
    // Pressing b again while a is held: a never repeats.
    keyboard.feed_report(&report(0, &[key('a')]), 3000).unwrap();
    keyboard
        .feed_report(&report(0, &[key('a'), key('b')]), 3100)
        .unwrap();
    keyboard.feed_report(&report(0, &[key('a')]), 3200).unwrap();
    assert!(keyboard.tick(4000).is_empty());
}

#[test]
fn modifiers_and_locks_do_not_repeat_but_apply_to_repeats() {
    let mut keyboard = Keyboard::new(Layout::Us);
    keyboard.feed_report(&report(SHIFT, &[]), 0).unwrap();
    assert!(keyboard.tick(1000).is_empty());
    keyboard
        .feed_report(&report(0, &[usage::CAPS_LOCK]), 1000)
        .unwrap();
    assert!(keyboard.tick(3000).is_empty());
    keyboard.feed_report(&report(0, &[]), 3000).unwrap();
    keyboard
        .feed_report(&report(0, &[usage::CAPS_LOCK]), 3100)
        .unwrap();
    keyboard.feed_report(&report(0, &[]), 3110).unwrap();
    // Hold x, then press Shift while it repeats: the repeats become upper case.
    keyboard.feed_report(&report(0, &[key('x')]), 4000).unwrap();
    assert_eq!(keyboard.tick(4500).bytes(), b"x");
    let shift = keyboard
        .feed_report(&report(SHIFT, &[key('x')]), 4510)
        .unwrap();
    assert!(shift.bytes().is_empty());
    assert_eq!(keyboard.tick(4533).bytes(), b"X");
    // Arrows repeat their whole sequence.
    keyboard
        .feed_report(&report(0, &[usage::LEFT]), 5000)
        .unwrap();
    assert_eq!(keyboard.tick(5533).bytes(), b"\x1b[D\x1b[D");
}

#[test]
fn repeat_can_be_turned_off() {
    let mut keyboard = Keyboard::new(Layout::Us);
    keyboard.set_repeat_settings(RepeatSettings::OFF);
    keyboard.feed_report(&report(0, &[key('a')]), 0).unwrap();
    assert_eq!(keyboard.next_repeat_ms(), None);
    assert!(keyboard.tick(10_000).is_empty());
    // A clock that jumps backwards does not underflow.
    keyboard.set_repeat_settings(RepeatSettings::default());
    keyboard.feed_report(&report(0, &[]), 20_000).unwrap();
    keyboard
        .feed_report(&report(0, &[key('a')]), 20_000)
        .unwrap();
    assert!(keyboard.tick(5).is_empty());
    assert!(keyboard.tick(u64::MAX).bytes().len() <= 4);
}

#[test]
fn reset_forgets_keys_down() {
    let mut keyboard = Keyboard::new(Layout::Us);
    keyboard.feed_report(&report(0, &[key('a')]), 0).unwrap();
    keyboard.reset();
    assert!(keyboard.tick(1000).is_empty());
    assert_eq!(keyboard.last_report(), BootKeyboardReport::default());
    // After the device comes back, a is new again.
    let output = keyboard.feed_report(&report(0, &[key('a')]), 2000).unwrap();
    assert_eq!(output.bytes(), b"a");
}

#[test]
fn no_panic_on_any_report_sequence() {
    let mut state: u32 = 0x1234_5678;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    for layout in Layout::ALL {
        let mut keyboard = Keyboard::new(layout);
        let mut now = 0u64;
        for _ in 0..5000 {
            let length = (next() % 10) as usize;
            let bytes: Vec<u8> = (0..length).map(|_| next() as u8).collect();
            now += u64::from(next() % 700);
            if let Ok(output) = keyboard.feed_report(&bytes, now) {
                assert!(output.events().len() <= 28);
            }
            let _ = keyboard.tick(now);
        }
    }
    for key in 0..=255u8 {
        for modifiers in [0u8, SHIFT, CONTROL, ALT, ALTGR, 0xff] {
            for layout in Layout::ALL {
                for locks in [
                    LockState::default(),
                    LockState {
                        caps_lock: true,
                        num_lock: false,
                        scroll_lock: true,
                    },
                ] {
                    let sequence = encode_key(layout, key, Modifiers(modifiers), locks);
                    assert!(sequence.as_bytes().len() <= 8);
                }
            }
        }
    }
}
