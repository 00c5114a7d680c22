//! HID boot mouse reports (HID 1.11 appendix B.2): buttons, relative motion and the wheel
//! byte that most boot mice append.

use crate::error::ReportError;

/// Mouse buttons down, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MouseButtons(pub u8);

impl MouseButtons {
    /// Left (primary) button.
    pub const LEFT: u8 = 0x01;
    /// Right (secondary) button.
    pub const RIGHT: u8 = 0x02;
    /// Middle button (wheel press).
    pub const MIDDLE: u8 = 0x04;
    /// Fourth button (back).
    pub const BACK: u8 = 0x08;
    /// Fifth button (forward).
    pub const FORWARD: u8 = 0x10;

    /// Left button down.
    pub const fn left(self) -> bool {
        self.0 & Self::LEFT != 0
    }

    /// Right button down.
    pub const fn right(self) -> bool {
        self.0 & Self::RIGHT != 0
    }

    /// Middle button down.
    pub const fn middle(self) -> bool {
        self.0 & Self::MIDDLE != 0
    }

    /// Buttons down now but not in `previous`.
    pub const fn pressed_since(self, previous: MouseButtons) -> MouseButtons {
        MouseButtons(self.0 & !previous.0)
    }

    /// Buttons down in `previous` but not now.
    pub const fn released_since(self, previous: MouseButtons) -> MouseButtons {
        MouseButtons(previous.0 & !self.0)
    }
}

/// A decoded boot mouse report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MouseReport {
    /// Byte 0: buttons (bits 0 to 2 by the boot layout; bits 3 and 4 on five-button mice).
    pub buttons: MouseButtons,
    /// Byte 1: motion to the right since the last report.
    pub dx: i8,
    /// Byte 2: motion downwards since the last report.
    pub dy: i8,
    /// Byte 3 if present: wheel detents, positive away from the user; 0 in 3-byte reports.
    pub wheel: i8,
}

impl MouseReport {
    /// The bytes the boot layout guarantees.
    pub const MINIMUM_LENGTH: usize = 3;

    /// Decodes a report of 3 or more bytes; bytes past the fourth are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, ReportError> {
        let Some(fixed) = bytes.get(..Self::MINIMUM_LENGTH) else {
            return Err(ReportError::TooShort {
                length: bytes.len(),
                minimum: Self::MINIMUM_LENGTH,
            });
        };
        Ok(Self {
            buttons: MouseButtons(fixed[0]),
            dx: i8::from_le_bytes([fixed[1]]),
            dy: i8::from_le_bytes([fixed[2]]),
            wheel: bytes.get(3).map_or(0, |&byte| i8::from_le_bytes([byte])),
        })
    }
}
