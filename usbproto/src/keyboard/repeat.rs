//! Typematic key repeat as a pure timer: the last key pressed repeats after a delay, at a
//! fixed rate, until it is released.

/// Repeat timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RepeatSettings {
    /// From the press to the first repeat, in milliseconds.
    pub delay_ms: u32,
    /// Between repeats, in milliseconds; 0 turns repeating off.
    pub interval_ms: u32,
}

impl Default for RepeatSettings {
    /// 500 ms delay, then a repeat every 33 ms (about 30 a second).
    fn default() -> Self {
        Self {
            delay_ms: 500,
            interval_ms: 33,
        }
    }
}

impl RepeatSettings {
    /// No repeating at all.
    pub const OFF: Self = Self {
        delay_ms: 0,
        interval_ms: 0,
    };

    /// Whether keys repeat.
    pub const fn enabled(&self) -> bool {
        self.interval_ms != 0
    }
}

/// The repeat timer for one keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRepeat {
    settings: RepeatSettings,
    held: Option<u8>,
    next_due_ms: u64,
}

impl KeyRepeat {
    /// The most repeats one [`KeyRepeat::poll`] reports; when the caller polls late, the
    /// missed ones beyond this are dropped rather than delivered as a burst.
    pub const MAX_REPEATS_PER_POLL: u32 = 4;

    /// A timer with no key held.
    pub const fn new(settings: RepeatSettings) -> Self {
        Self {
            settings,
            held: None,
            next_due_ms: 0,
        }
    }

    /// The timing in use.
    pub const fn settings(&self) -> RepeatSettings {
        self.settings
    }

    /// Changes the timing; a held key's next repeat keeps its schedule.
    pub fn set_settings(&mut self, settings: RepeatSettings) {
        self.settings = settings;
    }

    /// `key` went down at `now_ms`: it becomes the repeating key, replacing any other.
    pub fn press(&mut self, key: u8, now_ms: u64) {
        self.held = Some(key);
        self.next_due_ms = now_ms.saturating_add(u64::from(self.settings.delay_ms));
    }

    /// `key` came up: repeating stops if it was the repeating key.
    pub fn release(&mut self, key: u8) {
        if self.held == Some(key) {
            self.held = None;
        }
    }

    /// Stops repeating whatever key is held.
    pub fn clear(&mut self) {
        self.held = None;
    }

    /// The repeating key, if any.
    pub const fn held(&self) -> Option<u8> {
        self.held
    }

    /// When the next repeat is due, for a caller that schedules a timer; `None` when nothing
    /// repeats.
    pub fn next_due_ms(&self) -> Option<u64> {
        match self.held {
            Some(_) if self.settings.enabled() => Some(self.next_due_ms),
            _ => None,
        }
    }

    /// The held key and how many repeats fell due by `now_ms` (0 to
    /// [`KeyRepeat::MAX_REPEATS_PER_POLL`]), advancing the schedule past `now_ms`.
    pub fn poll(&mut self, now_ms: u64) -> Option<(u8, u32)> {
        let key = self.held?;
        let interval = u64::from(self.settings.interval_ms);
        if interval == 0 || now_ms < self.next_due_ms {
            return None;
        }
        let due = (now_ms - self.next_due_ms) / interval + 1;
        let maximum = u64::from(Self::MAX_REPEATS_PER_POLL);
        if due > maximum {
            self.next_due_ms = now_ms.saturating_add(interval);
            Some((key, Self::MAX_REPEATS_PER_POLL))
        } else {
            self.next_due_ms = self.next_due_ms.saturating_add(due * interval);
            Some((key, due as u32))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule() {
        let mut repeat = KeyRepeat::new(RepeatSettings {
            delay_ms: 100,
            interval_ms: 10,
        });
        assert_eq!(repeat.poll(1000), None, "nothing held");
        repeat.press(4, 1000);
        assert_eq!(repeat.held(), Some(4));
        assert_eq!(repeat.next_due_ms(), Some(1100));
        assert_eq!(repeat.poll(1099), None);
        assert_eq!(repeat.poll(1100), Some((4, 1)));
        assert_eq!(repeat.poll(1135), Some((4, 3)));
        assert_eq!(repeat.next_due_ms(), Some(1140));
        repeat.release(5);
        assert_eq!(repeat.held(), Some(4), "another key's release");
        repeat.release(4);
        assert_eq!(repeat.poll(2000), None);
        repeat.press(6, u64::MAX - 5);
        assert_eq!(repeat.next_due_ms(), Some(u64::MAX));
        assert_eq!(repeat.poll(u64::MAX), Some((6, 1)));
        repeat.clear();
        assert_eq!(repeat.held(), None);
    }
}
