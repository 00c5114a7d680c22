//! Incremental UTF-8 decoder: keeps a code point split across writes, invalid bytes → U+FFFD.
//!
//! Follows the WHATWG Encoding Standard's decoder: each maximal invalid subsequence becomes
//! one U+FFFD, and a byte that breaks a sequence is decoded afresh after the U+FFFD.

/// The replacement character emitted for invalid input.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Up to two characters produced by one byte (a U+FFFD for a broken sequence, then the byte
/// itself decoded afresh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decoded {
    /// The first character, if any.
    first: Option<char>,
    /// The second character, if any.
    second: Option<char>,
}

impl Iterator for Decoded {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        self.first.take().or_else(|| self.second.take())
    }
}

/// Decoder state between bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf8Decoder {
    /// Bits of the code point gathered so far.
    code_point: u32,
    /// Continuation bytes still expected.
    needed: u8,
    /// Lowest acceptable value of the next continuation byte.
    lower: u8,
    /// Highest acceptable value of the next continuation byte.
    upper: u8,
}

impl Default for Utf8Decoder {
    fn default() -> Self {
        Utf8Decoder::new()
    }
}

impl Utf8Decoder {
    /// A decoder between characters.
    pub const fn new() -> Utf8Decoder {
        Utf8Decoder {
            code_point: 0,
            needed: 0,
            lower: 0x80,
            upper: 0xBF,
        }
    }

    /// Whether a multi-byte sequence is partly received.
    pub fn is_inside_sequence(&self) -> bool {
        self.needed != 0
    }

    /// Feeds one byte; yields the characters it completes.
    pub fn push(&mut self, byte: u8) -> Decoded {
        if self.needed == 0 {
            return Decoded {
                first: self.start(byte),
                second: None,
            };
        }
        if !(self.lower..=self.upper).contains(&byte) {
            // The sequence is broken: one U+FFFD for it, then this byte on its own.
            *self = Utf8Decoder::new();
            return Decoded {
                first: Some(REPLACEMENT),
                second: self.start(byte),
            };
        }
        self.lower = 0x80;
        self.upper = 0xBF;
        self.code_point = self.code_point << 6 | u32::from(byte & 0x3F);
        self.needed -= 1;
        if self.needed != 0 {
            return Decoded::default();
        }
        let code_point = self.code_point;
        *self = Utf8Decoder::new();
        Decoded {
            // The bounds checked above rule out overlongs, surrogates and values past U+10FFFF.
            first: Some(char::from_u32(code_point).unwrap_or(REPLACEMENT)),
            second: None,
        }
    }

    /// Handles a byte outside any sequence.
    fn start(&mut self, byte: u8) -> Option<char> {
        match byte {
            0x00..=0x7F => Some(char::from(byte)),
            0xC2..=0xDF => {
                self.needed = 1;
                self.code_point = u32::from(byte & 0x1F);
                None
            }
            0xE0..=0xEF => {
                match byte {
                    0xE0 => self.lower = 0xA0,
                    0xED => self.upper = 0x9F,
                    _ => {}
                }
                self.needed = 2;
                self.code_point = u32::from(byte & 0x0F);
                None
            }
            0xF0..=0xF4 => {
                match byte {
                    0xF0 => self.lower = 0x90,
                    0xF4 => self.upper = 0x8F,
                    _ => {}
                }
                self.needed = 3;
                self.code_point = u32::from(byte & 0x07);
                None
            }
            _ => Some(REPLACEMENT),
        }
    }

    /// Abandons a partly received sequence: U+FFFD if there was one.
    pub fn flush(&mut self) -> Option<char> {
        let inside = self.is_inside_sequence();
        *self = Utf8Decoder::new();
        inside.then_some(REPLACEMENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn decode(chunks: &[&[u8]]) -> String {
        let mut decoder = Utf8Decoder::new();
        let mut text = String::new();
        for chunk in chunks {
            for &byte in *chunk {
                text.extend(decoder.push(byte));
            }
        }
        text.extend(decoder.flush());
        text
    }

    #[test]
    fn valid_text_in_pieces() {
        let text = "aé€😀z";
        let bytes = text.as_bytes();
        assert_eq!(decode(&[bytes]), text);
        for split in 0..=bytes.len() {
            assert_eq!(decode(&[&bytes[..split], &bytes[split..]]), text);
        }
        let single: alloc::vec::Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode(&single), text);
    }

    #[test]
    fn invalid_bytes_become_replacement() {
        // Lone continuation, invalid lead bytes, overlong, surrogate, beyond U+10FFFF.
        assert_eq!(decode(&[b"a\x80b"]), "a\u{FFFD}b");
        assert_eq!(decode(&[b"\xC0\xAF"]), "\u{FFFD}\u{FFFD}");
        assert_eq!(decode(&[b"\xFF"]), "\u{FFFD}");
        assert_eq!(decode(&[b"\xE0\x80\x80"]), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(decode(&[b"\xED\xA0\x80"]), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(decode(&[b"\xF4\x90\x80\x80"]), "\u{FFFD}".repeat(4));
        // A truncated sequence followed by ASCII: one U+FFFD, then the ASCII byte.
        assert_eq!(decode(&[b"\xE2\x82x"]), "\u{FFFD}x");
        // Truncated at the end of input.
        assert_eq!(decode(&[b"\xF0\x9F\x98"]), "\u{FFFD}");
    }
}
