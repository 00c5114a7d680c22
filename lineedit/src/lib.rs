//! Byte-fed VT100 line editor for the PiPyOS serial REPL: cursor keys, history, UTF-8.
//!
//! The kernel owns the loop: it calls [`Editor::start`] to print a prompt, then hands
//! every byte received from the UART to [`Editor::feed`] and sends whatever the editor
//! appended to the output buffer back to the terminal. `feed` never blocks and never
//! panics, whatever the input, so the kernel stays free to poll for Ctrl-C elsewhere or
//! to serve other consoles between bytes.
//!
//! Display model: every character is assumed to occupy exactly one terminal column, and
//! the prompt plus the line are assumed to fit on one terminal row. Wide characters
//! (most emoji, CJK), zero-width combining marks and lines longer than the terminal
//! width are stored and returned correctly, but the cursor shown on screen may drift
//! while editing them.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// Default maximum length of one line, in bytes of UTF-8.
pub const DEFAULT_MAX_LINE_BYTES: usize = 4096;

/// The bell byte, sent when input is refused because the line is full.
const BELL: u8 = 0x07;
/// The escape byte that starts every terminal key sequence.
const ESCAPE: u8 = 0x1b;
/// Clear from the cursor to the end of the terminal row.
const CLEAR_TO_END: &[u8] = b"\x1b[K";
/// Longest CSI parameter string remembered; longer ones are swallowed but never matched.
const MAX_SEQUENCE_PARAMETERS: usize = 8;
/// What Tab inserts: one level of Python indentation.
const TAB_TEXT: &str = "    ";

/// What a fed byte did to the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The line is still being edited.
    Pending,
    /// Enter was pressed: the finished line, without its line terminator.
    ///
    /// The line was added to the history unless it is empty or equal to the newest entry.
    Line(String),
    /// Ctrl-C: the line being edited was dropped and `^C` plus a newline were echoed.
    Interrupt,
    /// Ctrl-D on an empty line: end of input. A newline was echoed.
    EndOfFile,
    /// Tab after a word (with completion on, see [`Editor::with_completion`]): the caller
    /// completes [`Editor::text_before_cursor`] and calls [`Editor::insert_text`] or
    /// [`Editor::refresh`]. Nothing was echoed.
    Complete,
}

/// Where the editor is inside a terminal escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// Not inside an escape sequence.
    Idle,
    /// An ESC byte was received.
    Started,
    /// `ESC [` was received; parameter bytes are being collected.
    ControlSequence,
    /// `ESC O` was received; the next byte is the final one.
    SingleShift,
}

/// An editing key decoded from an escape sequence or a control byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Left,
    Right,
    Home,
    End,
    Up,
    Down,
    Delete,
}

/// The line editor: one line being edited, its prompt, the history and the input decoder.
#[derive(Debug, Clone)]
pub struct Editor {
    /// The prompt given to the last [`Editor::start`].
    prompt: String,
    /// The line being edited; always valid UTF-8 and at most `max_line_bytes` long.
    line: String,
    /// Cursor position as a byte offset into `line`, always on a character boundary.
    cursor: usize,
    /// Maximum length of `line` in bytes.
    max_line_bytes: usize,
    /// Finished lines, oldest first.
    history: VecDeque<String>,
    /// Maximum number of history entries kept.
    history_capacity: usize,
    /// Index of the history entry shown, or `None` while editing the new line.
    history_position: Option<usize>,
    /// The new line being edited, kept aside while walking the history.
    draft: String,
    /// Escape sequence decoder state.
    escape: Escape,
    /// Parameter and intermediate bytes of the control sequence being received.
    sequence_parameters: [u8; MAX_SEQUENCE_PARAMETERS],
    /// Number of parameter bytes received (may exceed the buffer, then nothing matches).
    sequence_length: usize,
    /// Bytes of the UTF-8 character being received.
    character_bytes: [u8; 4],
    /// Number of bytes in `character_bytes`.
    character_length: usize,
    /// Total length of the UTF-8 character being received, 0 when none is.
    character_expected: usize,
    /// The previous byte was a CR that finished a line, so a following LF is ignored.
    after_carriage_return: bool,
    /// Tab after a word asks for completion ([`Event::Complete`]).
    completion: bool,
}

impl Editor {
    /// Creates an editor keeping at most `history_capacity` history entries and
    /// accepting lines of up to [`DEFAULT_MAX_LINE_BYTES`] bytes.
    pub fn new(history_capacity: usize) -> Self {
        Self {
            prompt: String::new(),
            line: String::new(),
            cursor: 0,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            history: VecDeque::new(),
            history_capacity,
            history_position: None,
            draft: String::new(),
            escape: Escape::Idle,
            sequence_parameters: [0; MAX_SEQUENCE_PARAMETERS],
            sequence_length: 0,
            character_bytes: [0; 4],
            character_length: 0,
            character_expected: 0,
            after_carriage_return: false,
            completion: false,
        }
    }

    /// Returns the editor with the maximum line length set to `max_line_bytes` bytes.
    ///
    /// Input that would make the line longer is refused with a bell.
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> Self {
        self.max_line_bytes = max_line_bytes;
        self
    }

    /// Starts a new, empty line: remembers `prompt` and appends it to `output`.
    ///
    /// A half-received escape sequence or UTF-8 character is dropped. A CR that ended the
    /// previous line is still remembered, so the LF of a CRLF pair arriving after this
    /// call is not taken for a second Enter.
    pub fn start(&mut self, prompt: &str, output: &mut Vec<u8>) {
        self.prompt.clear();
        self.prompt.push_str(prompt);
        self.reset_line();
        self.escape = Escape::Idle;
        self.character_expected = 0;
        self.character_length = 0;
        output.extend_from_slice(prompt.as_bytes());
    }

    /// Makes Tab after a word report [`Event::Complete`] instead of indenting (Tab at the
    /// start of the line or after a space still inserts four spaces).
    pub fn with_completion(mut self, enabled: bool) -> Self {
        self.completion = enabled;
        self
    }

    /// The line up to the cursor (what completion completes).
    pub fn text_before_cursor(&self) -> &str {
        &self.line[..self.cursor]
    }

    /// Inserts `text` at the cursor as if typed (a completion); too long text is refused with
    /// a bell.
    pub fn insert_text(&mut self, text: &str, output: &mut Vec<u8>) {
        self.insert(text, output);
    }

    /// Rewrites the prompt and the line on the current row (after the caller printed
    /// something, such as a list of completions, on the rows above).
    pub fn refresh(&self, output: &mut Vec<u8>) {
        self.redraw(output);
    }

    /// Feeds one byte received from the terminal; appends the bytes to send back to the
    /// terminal to `output` and reports whether a line was finished.
    pub fn feed(&mut self, byte: u8, output: &mut Vec<u8>) -> Event {
        let after_carriage_return = core::mem::replace(&mut self.after_carriage_return, false);
        if self.continue_escape(byte, output) || self.continue_character(byte, output) {
            return Event::Pending;
        }
        match byte {
            b'\r' => {
                self.after_carriage_return = true;
                self.finish_line(output)
            }
            b'\n' if after_carriage_return => Event::Pending,
            b'\n' => self.finish_line(output),
            0x03 => {
                output.extend_from_slice(b"^C\r\n");
                self.reset_line();
                Event::Interrupt
            }
            0x04 if self.line.is_empty() => {
                output.extend_from_slice(b"\r\n");
                self.reset_line();
                Event::EndOfFile
            }
            0x04 => self.apply_key(Key::Delete, output),
            0x01 => self.apply_key(Key::Home, output),
            0x05 => self.apply_key(Key::End, output),
            0x02 => self.apply_key(Key::Left, output),
            0x06 => self.apply_key(Key::Right, output),
            0x10 => self.apply_key(Key::Up, output),
            0x0e => self.apply_key(Key::Down, output),
            0x08 | 0x7f => self.backspace(output),
            0x0b => self.kill_to_end(output),
            0x15 => self.kill_to_start(output),
            0x0c => {
                output.extend_from_slice(b"\x1b[H\x1b[2J");
                self.redraw(output);
                Event::Pending
            }
            b'\t'
                if self.completion
                    && self.line[..self.cursor]
                        .chars()
                        .next_back()
                        .is_some_and(|c| !c.is_whitespace()) =>
            {
                Event::Complete
            }
            b'\t' => self.insert(TAB_TEXT, output),
            ESCAPE => {
                self.escape = Escape::Started;
                Event::Pending
            }
            0x20..=0x7e => {
                let mut buffer = [0; 4];
                self.insert(char::from(byte).encode_utf8(&mut buffer), output)
            }
            0xc2..=0xdf => self.begin_character(byte, 2),
            0xe0..=0xef => self.begin_character(byte, 3),
            0xf0..=0xf4 => self.begin_character(byte, 4),
            // Other control bytes, stray continuation bytes and invalid lead bytes.
            _ => Event::Pending,
        }
    }

    /// Feeds several bytes; returns the events other than [`Event::Pending`], in order.
    pub fn feed_bytes(&mut self, bytes: &[u8], output: &mut Vec<u8>) -> Vec<Event> {
        bytes
            .iter()
            .map(|&byte| self.feed(byte, output))
            .filter(|event| *event != Event::Pending)
            .collect()
    }

    /// The history, oldest entry first.
    pub fn history(&self) -> impl Iterator<Item = &str> + '_ {
        self.history.iter().map(String::as_str)
    }

    /// The line currently being edited (or the history entry currently shown).
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The cursor position, in characters from the start of the line.
    pub fn cursor(&self) -> usize {
        self.line[..self.cursor].chars().count()
    }

    /// The prompt given to the last [`Editor::start`].
    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// The maximum line length in bytes.
    pub fn max_line_bytes(&self) -> usize {
        self.max_line_bytes
    }

    /// Handles `byte` if an escape sequence is in progress; returns whether it was consumed.
    ///
    /// A byte that cannot belong to the sequence (a control byte, DEL or a non-ASCII
    /// byte) abandons the sequence and is then handled as ordinary input.
    fn continue_escape(&mut self, byte: u8, output: &mut Vec<u8>) -> bool {
        match self.escape {
            Escape::Idle => return false,
            Escape::Started => match byte {
                b'[' => {
                    self.escape = Escape::ControlSequence;
                    self.sequence_length = 0;
                    return true;
                }
                b'O' => {
                    self.escape = Escape::SingleShift;
                    return true;
                }
                // Alt+key and other two-byte sequences: swallowed.
                0x20..=0x7e => self.escape = Escape::Idle,
                _ => {
                    self.escape = Escape::Idle;
                    return false;
                }
            },
            Escape::ControlSequence => match byte {
                0x20..=0x3f => {
                    if let Some(slot) = self.sequence_parameters.get_mut(self.sequence_length) {
                        *slot = byte;
                    }
                    self.sequence_length = self.sequence_length.saturating_add(1);
                }
                0x40..=0x7e => {
                    self.escape = Escape::Idle;
                    if let Some(key) = self.control_sequence_key(byte) {
                        self.apply_key(key, output);
                    }
                }
                _ => {
                    self.escape = Escape::Idle;
                    return false;
                }
            },
            Escape::SingleShift => {
                self.escape = Escape::Idle;
                if !(0x20..=0x7e).contains(&byte) {
                    return false;
                }
                if let Some(key) = single_shift_key(byte) {
                    self.apply_key(key, output);
                }
            }
        }
        true
    }

    /// Decodes the key of a finished `ESC [` sequence ending in `final_byte`.
    fn control_sequence_key(&self, final_byte: u8) -> Option<Key> {
        let parameters = self.sequence_parameters.get(..self.sequence_length)?;
        match (parameters, final_byte) {
            (b"", b'A') => Some(Key::Up),
            (b"", b'B') => Some(Key::Down),
            (b"", b'C') => Some(Key::Right),
            (b"", b'D') => Some(Key::Left),
            (b"", b'H') | (b"1" | b"7", b'~') => Some(Key::Home),
            (b"", b'F') | (b"4" | b"8", b'~') => Some(Key::End),
            (b"3", b'~') => Some(Key::Delete),
            _ => None,
        }
    }

    /// Handles `byte` if a multibyte UTF-8 character is in progress; returns whether it
    /// was consumed. A byte that is not a continuation byte drops the partial character
    /// and is then handled as ordinary input.
    fn continue_character(&mut self, byte: u8, output: &mut Vec<u8>) -> bool {
        if self.character_expected == 0 {
            return false;
        }
        if byte & 0xc0 != 0x80 {
            self.character_expected = 0;
            self.character_length = 0;
            return false;
        }
        self.character_bytes[self.character_length] = byte;
        self.character_length += 1;
        if self.character_length == self.character_expected {
            let bytes = self.character_bytes;
            let length = self.character_length;
            self.character_expected = 0;
            self.character_length = 0;
            // Overlong forms, surrogates and values above U+10FFFF fail here and are dropped.
            if let Ok(text) = core::str::from_utf8(&bytes[..length]) {
                self.insert(text, output);
            }
        }
        true
    }

    /// Starts receiving a UTF-8 character of `length` bytes led by `byte`.
    fn begin_character(&mut self, byte: u8, length: usize) -> Event {
        self.character_bytes[0] = byte;
        self.character_length = 1;
        self.character_expected = length;
        Event::Pending
    }

    /// Performs an editing key.
    fn apply_key(&mut self, key: Key, output: &mut Vec<u8>) -> Event {
        match key {
            Key::Left => {
                if let Some(previous) = self.line[..self.cursor].chars().next_back() {
                    self.cursor -= previous.len_utf8();
                    move_cursor(1, b'D', output);
                }
            }
            Key::Right => {
                if let Some(next) = self.line[self.cursor..].chars().next() {
                    self.cursor += next.len_utf8();
                    move_cursor(1, b'C', output);
                }
            }
            Key::Home => {
                move_cursor(self.cursor(), b'D', output);
                self.cursor = 0;
            }
            Key::End => {
                move_cursor(self.columns_after_cursor(), b'C', output);
                self.cursor = self.line.len();
            }
            Key::Up => self.history_up(output),
            Key::Down => self.history_down(output),
            Key::Delete => {
                if let Some(next) = self.line[self.cursor..].chars().next() {
                    self.line
                        .replace_range(self.cursor..self.cursor + next.len_utf8(), "");
                    if self.cursor == self.line.len() {
                        output.extend_from_slice(CLEAR_TO_END);
                    } else {
                        self.redraw(output);
                    }
                }
            }
        }
        Event::Pending
    }

    /// Inserts `text` at the cursor, or rings the bell if the line would grow too long.
    fn insert(&mut self, text: &str, output: &mut Vec<u8>) -> Event {
        if self.line.len() + text.len() > self.max_line_bytes {
            output.push(BELL);
            return Event::Pending;
        }
        let at_end = self.cursor == self.line.len();
        self.line.insert_str(self.cursor, text);
        self.cursor += text.len();
        if at_end {
            output.extend_from_slice(text.as_bytes());
        } else {
            self.redraw(output);
        }
        Event::Pending
    }

    /// Deletes the character left of the cursor.
    fn backspace(&mut self, output: &mut Vec<u8>) -> Event {
        if let Some(previous) = self.line[..self.cursor].chars().next_back() {
            let start = self.cursor - previous.len_utf8();
            self.line.replace_range(start..self.cursor, "");
            self.cursor = start;
            if self.cursor == self.line.len() {
                output.push(0x08);
                output.extend_from_slice(CLEAR_TO_END);
            } else {
                self.redraw(output);
            }
        }
        Event::Pending
    }

    /// Deletes from the cursor to the end of the line (Ctrl-K).
    fn kill_to_end(&mut self, output: &mut Vec<u8>) -> Event {
        if self.cursor < self.line.len() {
            self.line.truncate(self.cursor);
            output.extend_from_slice(CLEAR_TO_END);
        }
        Event::Pending
    }

    /// Deletes from the start of the line to the cursor (Ctrl-U).
    fn kill_to_start(&mut self, output: &mut Vec<u8>) -> Event {
        if self.cursor > 0 {
            self.line.replace_range(..self.cursor, "");
            self.cursor = 0;
            self.redraw(output);
        }
        Event::Pending
    }

    /// Shows the next older history entry, keeping the new line aside on the first step.
    fn history_up(&mut self, output: &mut Vec<u8>) {
        let target = match self.history_position {
            None => self.history.len().checked_sub(1),
            Some(position) => position.checked_sub(1),
        };
        let Some(target) = target else {
            return;
        };
        if self.history_position.is_none() {
            self.draft = core::mem::take(&mut self.line);
        }
        self.history_position = Some(target);
        let entry = self.history[target].clone();
        self.replace_line(entry, output);
    }

    /// Shows the next newer history entry, or the kept-aside new line past the newest.
    fn history_down(&mut self, output: &mut Vec<u8>) {
        let Some(position) = self.history_position else {
            return;
        };
        if position + 1 < self.history.len() {
            self.history_position = Some(position + 1);
            let entry = self.history[position + 1].clone();
            self.replace_line(entry, output);
        } else {
            self.history_position = None;
            let draft = core::mem::take(&mut self.draft);
            self.replace_line(draft, output);
        }
    }

    /// Replaces the whole line, puts the cursor at its end and redraws it.
    fn replace_line(&mut self, line: String, output: &mut Vec<u8>) {
        self.line = line;
        self.cursor = self.line.len();
        self.redraw(output);
    }

    /// Ends the line on Enter: echoes a newline and records the line in the history.
    fn finish_line(&mut self, output: &mut Vec<u8>) -> Event {
        output.extend_from_slice(b"\r\n");
        let line = core::mem::take(&mut self.line);
        self.reset_line();
        self.remember(&line);
        Event::Line(line)
    }

    /// Adds `line` to the history unless it is empty or repeats the newest entry.
    fn remember(&mut self, line: &str) {
        if line.is_empty() || self.history_capacity == 0 {
            return;
        }
        if self.history.back().is_some_and(|newest| newest == line) {
            return;
        }
        while self.history.len() >= self.history_capacity {
            self.history.pop_front();
        }
        self.history.push_back(String::from(line));
    }

    /// Empties the line and leaves the history walk.
    fn reset_line(&mut self) {
        self.line.clear();
        self.cursor = 0;
        self.history_position = None;
        self.draft.clear();
    }

    /// Number of characters right of the cursor.
    fn columns_after_cursor(&self) -> usize {
        self.line[self.cursor..].chars().count()
    }

    /// Rewrites the prompt and line on the current row and puts the cursor back in place.
    fn redraw(&self, output: &mut Vec<u8>) {
        output.push(b'\r');
        output.extend_from_slice(self.prompt.as_bytes());
        output.extend_from_slice(self.line.as_bytes());
        output.extend_from_slice(CLEAR_TO_END);
        move_cursor(self.columns_after_cursor(), b'D', output);
    }
}

/// Decodes the key of an `ESC O` sequence ending in `final_byte`.
fn single_shift_key(final_byte: u8) -> Option<Key> {
    match final_byte {
        b'A' => Some(Key::Up),
        b'B' => Some(Key::Down),
        b'C' => Some(Key::Right),
        b'D' => Some(Key::Left),
        b'H' => Some(Key::Home),
        b'F' => Some(Key::End),
        _ => None,
    }
}

/// Appends a cursor movement of `count` columns (`ESC [ <count> <direction>`).
fn move_cursor(count: usize, direction: u8, output: &mut Vec<u8>) {
    if count == 0 {
        return;
    }
    output.extend_from_slice(b"\x1b[");
    if count != 1 {
        push_decimal(count, output);
    }
    output.push(direction);
}

/// Appends `value` in decimal ASCII digits.
fn push_decimal(mut value: usize, output: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut length = 0;
    loop {
        digits[length] = b'0' + (value % 10) as u8;
        length += 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    output.extend(digits[..length].iter().rev());
}
