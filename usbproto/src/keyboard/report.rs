//! The 8-byte HID boot keyboard report (HID 1.11 appendix B.1) and diffing two consecutive
//! reports into key press and release events.

use crate::error::ReportError;
use crate::keyboard::usage;

/// The modifier byte of a boot keyboard report: one bit per modifier key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Modifiers(pub u8);

impl Modifiers {
    /// No modifier.
    pub const NONE: Self = Self(0);
    /// Left Control.
    pub const LEFT_CONTROL: u8 = 0x01;
    /// Left Shift.
    pub const LEFT_SHIFT: u8 = 0x02;
    /// Left Alt.
    pub const LEFT_ALT: u8 = 0x04;
    /// Left GUI.
    pub const LEFT_GUI: u8 = 0x08;
    /// Right Control.
    pub const RIGHT_CONTROL: u8 = 0x10;
    /// Right Shift.
    pub const RIGHT_SHIFT: u8 = 0x20;
    /// Right Alt (AltGr).
    pub const RIGHT_ALT: u8 = 0x40;
    /// Right GUI.
    pub const RIGHT_GUI: u8 = 0x80;

    /// Whether every bit of `bits` is set.
    pub const fn contains(self, bits: u8) -> bool {
        self.0 & bits == bits
    }

    /// Either Control key.
    pub const fn control(self) -> bool {
        self.0 & (Self::LEFT_CONTROL | Self::RIGHT_CONTROL) != 0
    }

    /// Either Shift key.
    pub const fn shift(self) -> bool {
        self.0 & (Self::LEFT_SHIFT | Self::RIGHT_SHIFT) != 0
    }

    /// Either Alt key.
    pub const fn alt(self) -> bool {
        self.0 & (Self::LEFT_ALT | Self::RIGHT_ALT) != 0
    }

    /// Left Alt.
    pub const fn left_alt(self) -> bool {
        self.0 & Self::LEFT_ALT != 0
    }

    /// Right Alt, which is AltGr on layouts that have one.
    pub const fn right_alt(self) -> bool {
        self.0 & Self::RIGHT_ALT != 0
    }

    /// Either GUI key.
    pub const fn gui(self) -> bool {
        self.0 & (Self::LEFT_GUI | Self::RIGHT_GUI) != 0
    }

    /// The modifier bit of a modifier usage (0xe0 to 0xe7); `None` for other keys.
    pub const fn bit_of_key(key: u8) -> Option<u8> {
        if usage::is_modifier(key) {
            Some(1 << (key - usage::LEFT_CONTROL))
        } else {
            None
        }
    }
}

/// A decoded boot keyboard report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BootKeyboardReport {
    /// Byte 0: the modifier keys down.
    pub modifiers: Modifiers,
    /// Byte 1: reserved for the manufacturer (OEM use).
    pub reserved: u8,
    /// Bytes 2..8: usage IDs of up to six keys down, 0 in unused slots.
    pub keys: [u8; 6],
}

impl BootKeyboardReport {
    /// Bytes in a boot keyboard report.
    pub const LENGTH: usize = 8;

    /// Decodes a report; bytes past the eighth are ignored.
    ///
    /// A report whose key slots hold ErrorRollOver (0x01, in all six when too many keys are
    /// down), POSTFail (0x02) or ErrorUndefined (0x03) is rejected with
    /// [`ReportError::Rollover`]: it tells nothing about which keys are down.
    pub fn parse(bytes: &[u8]) -> Result<Self, ReportError> {
        let report = Self::parse_raw(bytes)?;
        if report.is_rollover() {
            return Err(ReportError::Rollover);
        }
        Ok(report)
    }

    /// Decodes a report without rejecting roll-over states.
    pub fn parse_raw(bytes: &[u8]) -> Result<Self, ReportError> {
        let Some(report) = bytes.get(..Self::LENGTH) else {
            return Err(ReportError::TooShort {
                length: bytes.len(),
                minimum: Self::LENGTH,
            });
        };
        let mut keys = [0u8; 6];
        keys.copy_from_slice(&report[2..8]);
        Ok(Self {
            modifiers: Modifiers(report[0]),
            reserved: report[1],
            keys,
        })
    }

    /// Whether a key slot holds one of the error codes 0x01 to 0x03 (phantom state).
    pub fn is_rollover(&self) -> bool {
        self.keys
            .iter()
            .any(|&key| (usage::ERROR_ROLL_OVER..=usage::ERROR_UNDEFINED).contains(&key))
    }

    /// Whether `key` is down: a modifier usage (0xe0 to 0xe7) is looked up in the modifier
    /// byte, any other usage in the key slots.
    pub fn is_pressed(&self, key: u8) -> bool {
        match Modifiers::bit_of_key(key) {
            Some(bit) => self.modifiers.0 & bit != 0,
            None => key > usage::ERROR_UNDEFINED && self.keys.contains(&key),
        }
    }

    /// The keys in the slots, each once, in slot order; empty slots, error codes and
    /// modifier usages (which the modifier byte already reports) are skipped.
    pub fn pressed_keys(&self) -> impl Iterator<Item = u8> + '_ {
        self.keys.iter().enumerate().filter_map(|(slot, &key)| {
            let real = key > usage::ERROR_UNDEFINED && !usage::is_modifier(key);
            let first = !self.keys[..slot].contains(&key);
            (real && first).then_some(key)
        })
    }

    /// The events that lead from `previous` to this report: releases first (modifiers, then
    /// keys in `previous`'s slot order), then presses (modifiers, then keys in slot order).
    /// Every event carries this report's modifiers.
    pub fn changes_since(&self, previous: &BootKeyboardReport) -> KeyEvents {
        let mut events = KeyEvents::new();
        let modifiers = self.modifiers;
        let released_modifiers = previous.modifiers.0 & !modifiers.0;
        let pressed_modifiers = modifiers.0 & !previous.modifiers.0;
        for bit in 0..8u8 {
            if released_modifiers & (1 << bit) != 0 {
                events.push(KeyEvent::new(
                    usage::LEFT_CONTROL + bit,
                    KeyAction::Release,
                    modifiers,
                ));
            }
        }
        for key in previous.pressed_keys() {
            if !self.keys.contains(&key) {
                events.push(KeyEvent::new(key, KeyAction::Release, modifiers));
            }
        }
        for bit in 0..8u8 {
            if pressed_modifiers & (1 << bit) != 0 {
                events.push(KeyEvent::new(
                    usage::LEFT_CONTROL + bit,
                    KeyAction::Press,
                    modifiers,
                ));
            }
        }
        for key in self.pressed_keys() {
            if !previous.keys.contains(&key) {
                events.push(KeyEvent::new(key, KeyAction::Press, modifiers));
            }
        }
        events
    }
}

/// What happened to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAction {
    /// It went down.
    Press,
    /// It came up.
    Release,
    /// It is held and the repeat timer fired.
    Repeat,
}

/// A key event: which key (a usage ID of page 0x07), what happened, and the modifiers down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyEvent {
    /// The usage ID; 0xe0 to 0xe7 for modifier keys.
    pub key: u8,
    /// Press, release or repeat.
    pub action: KeyAction,
    /// The modifiers down after the report that caused the event.
    pub modifiers: Modifiers,
}

impl KeyEvent {
    /// An event.
    pub const fn new(key: u8, action: KeyAction, modifiers: Modifiers) -> Self {
        Self {
            key,
            action,
            modifiers,
        }
    }
}

/// A bounded list of key events, filled without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEvents {
    events: [KeyEvent; KeyEvents::CAPACITY],
    count: usize,
}

impl Default for KeyEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyEvents {
    /// The most events one list holds: eight modifiers and six keys released and pressed,
    /// which bounds what one report can cause.
    pub const CAPACITY: usize = 28;

    /// An empty list.
    pub const fn new() -> Self {
        Self {
            events: [KeyEvent::new(0, KeyAction::Release, Modifiers::NONE); Self::CAPACITY],
            count: 0,
        }
    }

    /// Appends an event; returns `false` (and drops it) when the list is full.
    pub fn push(&mut self, event: KeyEvent) -> bool {
        match self.events.get_mut(self.count) {
            Some(slot) => {
                *slot = event;
                self.count += 1;
                true
            }
            None => false,
        }
    }

    /// The events, oldest first.
    pub fn as_slice(&self) -> &[KeyEvent] {
        &self.events[..self.count]
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_list_is_bounded() {
        let mut events = KeyEvents::default();
        let event = KeyEvent::new(4, KeyAction::Press, Modifiers::NONE);
        for _ in 0..KeyEvents::CAPACITY {
            assert!(events.push(event));
        }
        assert!(!events.push(event));
        assert_eq!(events.len(), KeyEvents::CAPACITY);
    }

    #[test]
    fn worst_case_diff_fits() {
        let previous = BootKeyboardReport {
            modifiers: Modifiers(0xff),
            reserved: 0,
            keys: [4, 5, 6, 7, 8, 9],
        };
        let current = BootKeyboardReport {
            modifiers: Modifiers(0),
            reserved: 0,
            keys: [10, 11, 12, 13, 14, 15],
        };
        assert_eq!(current.changes_since(&previous).len(), 8 + 6 + 6);
        assert_eq!(previous.changes_since(&current).len(), 8 + 6 + 6);
    }
}
