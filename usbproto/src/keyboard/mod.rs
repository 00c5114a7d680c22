//! HID boot keyboard: report decoding, press/release diffing, key repeat, keymaps and the
//! terminal bytes each key sends, tied together by [`Keyboard`].

pub mod layout;
pub mod repeat;
pub mod report;
pub mod terminal;
pub mod usage;

pub use layout::{KeyCharacters, Layout, UnknownLayout};
pub use repeat::{KeyRepeat, RepeatSettings};
pub use report::{BootKeyboardReport, KeyAction, KeyEvent, KeyEvents, Modifiers};
pub use terminal::{control_byte, encode_key, KeySequence, Leds, LockState};

use crate::error::ReportError;

/// What one report or one timer tick produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyboardOutput {
    events: KeyEvents,
    bytes: [u8; KeyboardOutput::BYTE_CAPACITY],
    byte_count: usize,
    leds: Option<Leds>,
}

impl KeyboardOutput {
    /// The most terminal bytes one output holds: six new keys of at most
    /// [`KeySequence::CAPACITY`] bytes each, or the repeats of one poll.
    pub const BYTE_CAPACITY: usize = 6 * KeySequence::CAPACITY;

    fn new() -> Self {
        Self {
            events: KeyEvents::new(),
            bytes: [0; Self::BYTE_CAPACITY],
            byte_count: 0,
            leds: None,
        }
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        let end = self.byte_count + bytes.len();
        if let Some(slot) = self.bytes.get_mut(self.byte_count..end) {
            slot.copy_from_slice(bytes);
            self.byte_count = end;
        }
    }

    /// Press, release and repeat events, in order.
    pub fn events(&self) -> &[KeyEvent] {
        self.events.as_slice()
    }

    /// The bytes a terminal would have sent, to feed the line editor.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.byte_count]
    }

    /// `Some` when a lock key changed the LEDs: send this byte with
    /// [`crate::SetupPacket::set_keyboard_leds`].
    pub fn leds(&self) -> Option<Leds> {
        self.leds
    }

    /// Whether nothing happened.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.byte_count == 0 && self.leds.is_none()
    }
}

/// A boot-protocol keyboard: feed it interrupt-endpoint reports and timer ticks, read back
/// key events and terminal bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyboard {
    layout: Layout,
    report: BootKeyboardReport,
    locks: LockState,
    repeat: KeyRepeat,
}

impl Default for Keyboard {
    fn default() -> Self {
        Self::new(Layout::default())
    }
}

impl Keyboard {
    /// A keyboard with no keys down, Num Lock on and the default repeat timing.
    pub fn new(layout: Layout) -> Self {
        Self {
            layout,
            report: BootKeyboardReport::default(),
            locks: LockState::default(),
            repeat: KeyRepeat::new(RepeatSettings::default()),
        }
    }

    /// The layout in use.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Switches layout; keys already down keep the events they produced.
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = layout;
    }

    /// The repeat timing in use.
    pub fn repeat_settings(&self) -> RepeatSettings {
        self.repeat.settings()
    }

    /// Changes the repeat timing.
    pub fn set_repeat_settings(&mut self, settings: RepeatSettings) {
        self.repeat.set_settings(settings);
    }

    /// Caps, Num and Scroll Lock.
    pub fn locks(&self) -> LockState {
        self.locks
    }

    /// Sets the lock state (for example from configuration); returns the LED byte to send.
    pub fn set_locks(&mut self, locks: LockState) -> Leds {
        self.locks = locks;
        locks.leds()
    }

    /// The LED byte matching the lock state; send it when the keyboard is attached.
    pub fn leds(&self) -> Leds {
        self.locks.leds()
    }

    /// The last report accepted.
    pub fn last_report(&self) -> BootKeyboardReport {
        self.report
    }

    /// When the next repeat falls due, so the caller can sleep until then.
    pub fn next_repeat_ms(&self) -> Option<u64> {
        self.repeat.next_due_ms()
    }

    /// Forgets every key down (for example when the device goes away) without events.
    pub fn reset(&mut self) {
        self.report = BootKeyboardReport::default();
        self.repeat.clear();
    }

    /// Feeds one report from the interrupt IN endpoint, received at `now_ms`.
    ///
    /// Returns the events and bytes it caused. A short report or a roll-over (phantom) report
    /// is rejected and changes nothing: the keys stay as the previous report left them.
    pub fn feed_report(
        &mut self,
        bytes: &[u8],
        now_ms: u64,
    ) -> Result<KeyboardOutput, ReportError> {
        let report = BootKeyboardReport::parse(bytes)?;
        let changes = report.changes_since(&self.report);
        self.report = report;
        let mut output = KeyboardOutput::new();
        let locks_before = self.locks;
        for event in changes.as_slice() {
            output.events.push(*event);
            match event.action {
                KeyAction::Release => self.repeat.release(event.key),
                KeyAction::Press => {
                    self.toggle_lock(event.key);
                    if !usage::is_modifier(event.key) && !usage::is_lock(event.key) {
                        self.repeat.press(event.key, now_ms);
                        let sequence =
                            encode_key(self.layout, event.key, event.modifiers, self.locks);
                        output.push_bytes(sequence.as_bytes());
                    }
                }
                KeyAction::Repeat => {}
            }
        }
        if self.locks != locks_before {
            output.leds = Some(self.locks.leds());
        }
        Ok(output)
    }

    /// Runs the repeat timer at `now_ms`: the repeats of the last key pressed that fell due,
    /// with the modifiers now down. Call it every 10 to 20 ms, or at
    /// [`Keyboard::next_repeat_ms`].
    pub fn tick(&mut self, now_ms: u64) -> KeyboardOutput {
        let mut output = KeyboardOutput::new();
        if let Some((key, count)) = self.repeat.poll(now_ms) {
            let modifiers = self.report.modifiers;
            let sequence = encode_key(self.layout, key, modifiers, self.locks);
            for _ in 0..count {
                output
                    .events
                    .push(KeyEvent::new(key, KeyAction::Repeat, modifiers));
                output.push_bytes(sequence.as_bytes());
            }
        }
        output
    }

    fn toggle_lock(&mut self, key: u8) {
        match key {
            usage::CAPS_LOCK => self.locks.caps_lock = !self.locks.caps_lock,
            usage::NUM_LOCK => self.locks.num_lock = !self.locks.num_lock,
            usage::SCROLL_LOCK => self.locks.scroll_lock = !self.locks.scroll_lock,
            _ => {}
        }
    }
}
