//! MicroPython raw REPL, raw-paste and paste-mode protocol state machine for PiPyOS.
//!
//! PC tools such as `mpremote`, Thonny, rshell and ampy drive a MicroPython board through
//! its "raw REPL": Ctrl-A switches the serial console into a mode without echo where a
//! program is sent, Ctrl-D runs it, and the board frames the program's output and error
//! text with `\x04` bytes. This crate is that protocol as a pure state machine that sits in
//! front of the friendly REPL's line editor and, like the `lineedit` crate, is fed one byte
//! at a time, never blocks and never panics, whatever the input.
//!
//! The kernel owns the loop. For every byte received from the UART it calls
//! [`Protocol::feed`], sends whatever was appended to the output buffer to the UART (as is,
//! without newline translation) and then carries out the returned [`Action`]. Around the
//! execution of a program it calls [`Protocol::output_finished`] and
//! [`Protocol::error_finished`] (or [`Protocol::system_exit`]), and after a soft reset
//! [`Protocol::soft_reset_done`], so every framing byte of the protocol is written here.
//! When no byte has arrived for a while it calls [`Protocol::idle_timeout`], which gets a
//! raw-paste transfer whose host vanished back to the raw prompt.
//!
//! ```
//! use rawrepl::{Action, ExecutionKind, Protocol};
//!
//! let mut protocol = Protocol::new();
//! let mut output = Vec::new();
//! let mut action = Action::None;
//! for &byte in b"\x01print(1)\x04" {
//!     action = protocol.feed(byte, &mut output);
//! }
//! assert_eq!(output, b"\r\nraw REPL; CTRL-B to exit\r\n>OK");
//! assert_eq!(
//!     action,
//!     Action::Execute { source: "print(1)".into(), kind: ExecutionKind::Raw }
//! );
//! // The kernel runs the program, which prints "1\r\n", then closes the frame.
//! output.clear();
//! protocol.output_finished(&mut output);
//! assert_eq!(protocol.error_finished(&mut output), Action::None);
//! assert_eq!(output, b"\x04\x04>");
//! ```
//!
//! The byte sequences are MicroPython's (its `shared/runtime/pyexec.c` behaviour and its
//! `docs/reference/repl.rst`), checked against what `mpremote` 1.24 waits for; the crate's
//! README lists every one of them.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

/// Default limit on the size of one program (raw, raw-paste or paste mode), in bytes.
pub const DEFAULT_MAX_SOURCE_BYTES: usize = 1 << 20;

/// Smallest accepted source limit: the raw-paste command `\x05A` must fit in the raw buffer.
pub const MIN_MAX_SOURCE_BYTES: usize = 2;

/// Default raw-paste flow-control window increment, in bytes.
///
/// The host may have two increments in flight at the start (the announced size plus the
/// extra `\x01` that follows it), so the kernel's receive ring must hold twice this much.
pub const DEFAULT_WINDOW_BYTES: u16 = 256;

/// The raw REPL announcement; [`RAW_PROMPT`] follows it.
pub const RAW_BANNER: &[u8] = b"raw REPL; CTRL-B to exit\r\n";

/// The raw REPL prompt, sent whenever the raw REPL is ready for a new program.
pub const RAW_PROMPT: &[u8] = b">";

/// What entering friendly paste mode prints.
pub const PASTE_BANNER: &[u8] = b"\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ";

/// Ctrl-A: enter raw mode (friendly), restart it (raw), or end a raw-paste command (raw).
const CONTROL_A: u8 = 0x01;
/// Ctrl-B: leave raw mode.
const CONTROL_B: u8 = 0x02;
/// Ctrl-C: cancel.
const CONTROL_C: u8 = 0x03;
/// Ctrl-D: end of input; also the end-of-section marker the device sends.
const CONTROL_D: u8 = 0x04;
/// Ctrl-E: enter paste mode (friendly), or start a raw-paste command (raw).
const CONTROL_E: u8 = 0x05;
/// The bell, rung once when a paste grows past the source limit.
const BELL: u8 = 0x07;
/// The end-of-section marker the device sends: after the output, after the error text, and
/// to acknowledge or abort a raw-paste transfer.
const END_OF_SECTION: u8 = CONTROL_D;
/// Sent during a raw-paste transfer each time another window increment was consumed.
const WINDOW_CREDIT: u8 = 0x01;
/// The raw-paste command byte that follows Ctrl-E: `A` asks for raw-paste mode.
const RAW_PASTE_COMMAND: u8 = b'A';
/// Answer to a raw-paste command that is carried out.
const RAW_PASTE_ACCEPTED: &[u8] = b"R\x01";
/// Answer to a raw-paste command that is understood but not carried out.
const RAW_PASTE_REFUSED: &[u8] = b"R\x00";
/// Acknowledges a program received in raw mode.
const RAW_ACCEPTED: &[u8] = b"OK";
/// Line break sent by the device.
const NEWLINE: &[u8] = b"\r\n";
/// Echoed for each new line in paste mode.
const PASTE_CONTINUATION: &[u8] = b"\r\n=== ";

/// Which REPL the console is in, as far as the protocol is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The friendly `>>> ` REPL: bytes go to the line editor.
    Friendly,
    /// Friendly paste mode: text is being pasted after Ctrl-E.
    FriendlyPaste,
    /// The raw REPL (also while a raw or raw-paste program executes, and while a soft reset
    /// started from the raw REPL is under way).
    Raw,
    /// A raw-paste transfer is being received (or drained after an abort).
    RawPaste,
}

/// How a program given to [`Action::Execute`] was received. All three are compiled as a
/// module (Python's `exec` mode), not as an interactive single statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionKind {
    /// Raw mode, ended by Ctrl-D; `OK` was already sent.
    Raw,
    /// Raw-paste mode, ended by Ctrl-D; the `\x04` acknowledgement was already sent.
    RawPaste,
    /// Friendly paste mode, ended by Ctrl-D; a line break was already echoed.
    FriendlyPaste,
}

/// What the kernel must do after a byte was fed (always after sending the output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing more.
    None,
    /// A friendly-mode byte: feed it to the line editor.
    ToLineEditor(u8),
    /// Raw mode or paste mode was just entered (and announced): forget the friendly line
    /// being edited and any `... ` continuation lines already collected, printing nothing.
    DropFriendlyInput,
    /// Paste mode ended without running anything (cancelled, or refused with an error
    /// already printed): start a new friendly line with the `>>> ` prompt.
    FriendlyPrompt,
    /// Ctrl-B left the raw REPL (`\r\n` was sent): print the friendly banner, then start a
    /// new friendly line with the `>>> ` prompt.
    LeaveRaw,
    /// Compile `source` in `exec` mode and run it; then call
    /// [`Protocol::output_finished`], print the traceback if it failed, and call
    /// [`Protocol::error_finished`] (or [`Protocol::system_exit`] if it raised
    /// `SystemExit`).
    Execute {
        /// The program, checked to be UTF-8.
        source: String,
        /// How it was received.
        kind: ExecutionKind,
    },
    /// Soft reset requested: print the soft-reboot line (it must end in
    /// `soft reboot\r\n`), build a fresh interpreter, skip `main.py` if
    /// [`Protocol::mode`] is [`Mode::Raw`], then call [`Protocol::soft_reset_done`].
    SoftReset,
}

/// Why the machine itself ended a program with an error report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The program grew past the source limit.
    TooLong,
    /// The program is not UTF-8; the offset of the first bad byte.
    NotUtf8(usize),
    /// Ctrl-C during a raw-paste transfer.
    Interrupted,
    /// No byte arrived during a raw-paste transfer for too long.
    Stalled,
}

/// The protocol state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Friendly REPL.
    Friendly,
    /// Friendly paste mode.
    FriendlyPaste {
        /// The previous byte was a CR, so a following LF is part of the same line break.
        after_carriage_return: bool,
        /// The paste outgrew the limit; bytes are dropped until Ctrl-C or Ctrl-D.
        too_long: bool,
    },
    /// Raw REPL, collecting a program.
    Raw {
        /// The program outgrew the limit; bytes are dropped until Ctrl-D (or Ctrl-A/B/C).
        too_long: bool,
    },
    /// Raw-paste transfer.
    RawPaste {
        /// Bytes still to be consumed before the next window credit is sent.
        until_credit: u16,
    },
    /// A raw-paste transfer was aborted with `\x04`; bytes are dropped until the host's
    /// Ctrl-D (or Ctrl-C), then the fault is reported.
    RawPasteDrain {
        /// What to report.
        fault: Fault,
    },
    /// A program handed out with [`Action::Execute`] is running.
    Executing {
        /// How it was received.
        kind: ExecutionKind,
        /// [`Protocol::output_finished`] was called.
        output_done: bool,
    },
    /// A soft reset handed out with [`Action::SoftReset`] is under way.
    Resetting {
        /// It started from the raw REPL, which continues afterwards.
        raw: bool,
    },
}

/// The raw REPL / paste-mode protocol state machine.
#[derive(Debug, Clone)]
pub struct Protocol {
    /// Where the machine is.
    state: State,
    /// The program being collected (raw, raw-paste or paste mode).
    buffer: Vec<u8>,
    /// Limit on the length of `buffer`.
    max_source_bytes: usize,
    /// Raw-paste window increment.
    window_bytes: u16,
    /// Whether `\x05A\x01` enters raw-paste mode (otherwise it is refused with `R\x00`).
    raw_paste: bool,
}

impl Default for Protocol {
    fn default() -> Self {
        Self::new()
    }
}

impl Protocol {
    /// Creates a machine in friendly mode with the default source limit
    /// ([`DEFAULT_MAX_SOURCE_BYTES`]) and window ([`DEFAULT_WINDOW_BYTES`]), raw-paste
    /// mode enabled.
    pub fn new() -> Self {
        Self {
            state: State::Friendly,
            buffer: Vec::new(),
            max_source_bytes: DEFAULT_MAX_SOURCE_BYTES,
            window_bytes: DEFAULT_WINDOW_BYTES,
            raw_paste: true,
        }
    }

    /// Returns the machine with the source limit set to `max_source_bytes` (at least
    /// [`MIN_MAX_SOURCE_BYTES`]). A longer program is refused with a `MemoryError` report.
    pub fn with_max_source_bytes(mut self, max_source_bytes: usize) -> Self {
        self.max_source_bytes = max_source_bytes.max(MIN_MAX_SOURCE_BYTES);
        self
    }

    /// Returns the machine with the raw-paste window increment set to `window_bytes` (at
    /// least 1). The kernel's receive ring must hold twice this many bytes.
    pub fn with_window_bytes(mut self, window_bytes: u16) -> Self {
        self.window_bytes = window_bytes.max(1);
        self
    }

    /// Returns the machine with raw-paste mode enabled or not. When disabled, the
    /// raw-paste command is answered `R\x00` and hosts fall back to plain raw mode.
    pub fn with_raw_paste(mut self, enabled: bool) -> Self {
        self.raw_paste = enabled;
        self
    }

    /// The source limit in bytes.
    pub fn max_source_bytes(&self) -> usize {
        self.max_source_bytes
    }

    /// The raw-paste window increment in bytes.
    pub fn window_bytes(&self) -> u16 {
        self.window_bytes
    }

    /// Which REPL the console is in.
    pub fn mode(&self) -> Mode {
        match self.state {
            State::Friendly
            | State::Executing {
                kind: ExecutionKind::FriendlyPaste,
                ..
            }
            | State::Resetting { raw: false } => Mode::Friendly,
            State::FriendlyPaste { .. } => Mode::FriendlyPaste,
            State::Raw { .. } | State::Executing { .. } | State::Resetting { raw: true } => {
                Mode::Raw
            }
            State::RawPaste { .. } | State::RawPasteDrain { .. } => Mode::RawPaste,
        }
    }

    /// True from an [`Action::Execute`] until [`Protocol::error_finished`] or
    /// [`Protocol::system_exit`].
    pub fn is_executing(&self) -> bool {
        matches!(self.state, State::Executing { .. })
    }

    /// Feeds one byte received from the serial line; appends the bytes to send back to
    /// `output` and tells the kernel what to do next.
    ///
    /// Bytes must not be fed while a program runs or a soft reset is under way: a byte fed
    /// then ends that phase silently (no framing bytes are sent) before it is handled.
    pub fn feed(&mut self, byte: u8, output: &mut Vec<u8>) -> Action {
        match self.state {
            State::Executing { kind, .. } => self.state = idle_state(kind),
            State::Resetting { raw: true } => self.state = State::Raw { too_long: false },
            State::Resetting { raw: false } => self.state = State::Friendly,
            _ => {}
        }
        match self.state {
            State::Friendly => self.feed_friendly(byte, output),
            State::FriendlyPaste {
                after_carriage_return,
                too_long,
            } => self.feed_friendly_paste(byte, after_carriage_return, too_long, output),
            State::Raw { too_long } => self.feed_raw(byte, too_long, output),
            State::RawPaste { until_credit } => self.feed_raw_paste(byte, until_credit, output),
            State::RawPasteDrain { fault } => {
                if matches!(byte, CONTROL_C | CONTROL_D) {
                    self.report_raw_fault(fault, output);
                }
                Action::None
            }
            // Both were turned into an idle state above.
            State::Executing { .. } | State::Resetting { .. } => Action::None,
        }
    }

    /// Call when the program of an [`Action::Execute`] has finished and its output is
    /// flushed, before printing its traceback: ends the output section (`\x04` in the raw
    /// modes, nothing in paste mode). Does nothing when no program runs.
    pub fn output_finished(&mut self, output: &mut Vec<u8>) {
        if let State::Executing { kind, output_done } = self.state {
            if !output_done && kind != ExecutionKind::FriendlyPaste {
                output.push(END_OF_SECTION);
            }
            self.state = State::Executing {
                kind,
                output_done: true,
            };
        }
    }

    /// Call after the traceback (if any) of a finished program: ends the error section and
    /// gets the REPL ready again. In the raw modes this sends `\x04>` (preceded by the
    /// output section's `\x04` if [`Protocol::output_finished`] was not called) and returns
    /// [`Action::None`]; after paste mode it returns [`Action::FriendlyPrompt`]. Returns
    /// [`Action::None`] and does nothing when no program runs.
    pub fn error_finished(&mut self, output: &mut Vec<u8>) -> Action {
        let State::Executing { kind, output_done } = self.state else {
            return Action::None;
        };
        self.buffer.clear();
        self.state = idle_state(kind);
        if kind == ExecutionKind::FriendlyPaste {
            return Action::FriendlyPrompt;
        }
        if !output_done {
            output.push(END_OF_SECTION);
        }
        output.push(END_OF_SECTION);
        output.extend_from_slice(RAW_PROMPT);
        Action::None
    }

    /// Call instead of [`Protocol::error_finished`] when the program raised `SystemExit`
    /// (MicroPython soft-resets then, printing no traceback): ends the error section
    /// without a prompt and returns [`Action::SoftReset`]. Outside a program it only
    /// returns [`Action::SoftReset`].
    pub fn system_exit(&mut self, output: &mut Vec<u8>) -> Action {
        let raw = match self.state {
            State::Executing { kind, output_done } => {
                if kind != ExecutionKind::FriendlyPaste {
                    if !output_done {
                        output.push(END_OF_SECTION);
                    }
                    output.push(END_OF_SECTION);
                }
                kind != ExecutionKind::FriendlyPaste
            }
            _ => matches!(self.mode(), Mode::Raw | Mode::RawPaste),
        };
        self.buffer.clear();
        self.state = State::Resetting { raw };
        Action::SoftReset
    }

    /// Call when a soft reset is complete (after any boot-time output), whatever started
    /// it. In the raw REPL this announces it again (`raw REPL; CTRL-B to exit\r\n>`); in
    /// friendly mode it sends nothing (the kernel prints its banner and `>>> `).
    pub fn soft_reset_done(&mut self, output: &mut Vec<u8>) {
        let raw = match self.state {
            State::Resetting { raw } => raw,
            _ => matches!(self.mode(), Mode::Raw | Mode::RawPaste),
        };
        self.buffer.clear();
        if raw {
            self.announce_raw(output);
        } else {
            self.state = State::Friendly;
        }
    }

    /// Call when no byte has arrived for the kernel's idle period. During a raw-paste
    /// transfer the first call aborts it (sends `\x04`, as the device does to stop a
    /// host); a second one without input in between gives the host up, reports a
    /// `TimeoutError` (`\x04`, error text, `\x04`) and returns to the raw prompt (`>`).
    /// In every other state it does nothing.
    pub fn idle_timeout(&mut self, output: &mut Vec<u8>) {
        match self.state {
            State::RawPaste { .. } => {
                self.buffer.clear();
                output.push(END_OF_SECTION);
                self.state = State::RawPasteDrain {
                    fault: Fault::Stalled,
                };
            }
            State::RawPasteDrain { fault } => self.report_raw_fault(fault, output),
            _ => {}
        }
    }

    /// Friendly mode: Ctrl-A and Ctrl-E switch mode, everything else is the editor's.
    fn feed_friendly(&mut self, byte: u8, output: &mut Vec<u8>) -> Action {
        match byte {
            CONTROL_A => {
                output.extend_from_slice(NEWLINE);
                self.announce_raw(output);
                Action::DropFriendlyInput
            }
            CONTROL_E => {
                output.extend_from_slice(PASTE_BANNER);
                self.buffer.clear();
                self.state = State::FriendlyPaste {
                    after_carriage_return: false,
                    too_long: false,
                };
                Action::DropFriendlyInput
            }
            _ => Action::ToLineEditor(byte),
        }
    }

    /// Friendly paste mode: echo and collect until Ctrl-C (cancel) or Ctrl-D (run).
    fn feed_friendly_paste(
        &mut self,
        byte: u8,
        after_carriage_return: bool,
        too_long: bool,
        output: &mut Vec<u8>,
    ) -> Action {
        match byte {
            CONTROL_C => {
                output.extend_from_slice(NEWLINE);
                self.buffer.clear();
                self.state = State::Friendly;
                return Action::FriendlyPrompt;
            }
            CONTROL_D => {
                output.extend_from_slice(NEWLINE);
                if too_long {
                    self.buffer.clear();
                    self.state = State::Friendly;
                    write_fault(Fault::TooLong, self.max_source_bytes, output);
                    return Action::FriendlyPrompt;
                }
                return match self.take_source() {
                    Ok(source) => {
                        self.state = State::Executing {
                            kind: ExecutionKind::FriendlyPaste,
                            output_done: false,
                        };
                        Action::Execute {
                            source,
                            kind: ExecutionKind::FriendlyPaste,
                        }
                    }
                    Err(fault) => {
                        self.state = State::Friendly;
                        write_fault(fault, self.max_source_bytes, output);
                        Action::FriendlyPrompt
                    }
                };
            }
            _ => {}
        }
        // CR, LF and CRLF each end one line, stored as LF and echoed as a new `=== ` line.
        let (stored, echo): (Option<u8>, &[u8]) = match byte {
            b'\r' => (Some(b'\n'), PASTE_CONTINUATION),
            b'\n' if after_carriage_return => (None, b""),
            b'\n' => (Some(b'\n'), PASTE_CONTINUATION),
            _ => (Some(byte), core::slice::from_ref(&byte)),
        };
        let mut too_long = too_long;
        if let Some(stored) = stored {
            if !too_long {
                if self.buffer.len() < self.max_source_bytes {
                    self.buffer.push(stored);
                    output.extend_from_slice(echo);
                } else {
                    too_long = true;
                    self.buffer = Vec::new();
                    output.push(BELL);
                }
            }
        }
        self.state = State::FriendlyPaste {
            after_carriage_return: byte == b'\r',
            too_long,
        };
        Action::None
    }

    /// Raw mode: collect without echo until Ctrl-D; Ctrl-A/B/C control the REPL.
    fn feed_raw(&mut self, byte: u8, too_long: bool, output: &mut Vec<u8>) -> Action {
        match byte {
            CONTROL_A => {
                // A too-long program left the buffer empty, so it cannot match here.
                if let [CONTROL_E, command] = *self.buffer.as_slice() {
                    self.start_raw_paste(command, output);
                } else {
                    self.announce_raw(output);
                }
                Action::None
            }
            CONTROL_B => {
                output.extend_from_slice(NEWLINE);
                self.buffer = Vec::new();
                self.state = State::Friendly;
                Action::LeaveRaw
            }
            CONTROL_C => {
                self.buffer.clear();
                self.state = State::Raw { too_long: false };
                Action::None
            }
            CONTROL_D => {
                output.extend_from_slice(RAW_ACCEPTED);
                if too_long {
                    self.report_raw_fault(Fault::TooLong, output);
                    return Action::None;
                }
                if self.buffer.is_empty() {
                    output.extend_from_slice(NEWLINE);
                    self.state = State::Resetting { raw: true };
                    return Action::SoftReset;
                }
                self.execute_raw(ExecutionKind::Raw, output)
            }
            _ => {
                if !too_long {
                    if self.buffer.len() < self.max_source_bytes {
                        self.buffer.push(byte);
                    } else {
                        self.buffer = Vec::new();
                        self.state = State::Raw { too_long: true };
                    }
                }
                Action::None
            }
        }
    }

    /// Raw-paste mode: collect with flow control until Ctrl-D (run) or Ctrl-C (abort).
    fn feed_raw_paste(&mut self, byte: u8, until_credit: u16, output: &mut Vec<u8>) -> Action {
        match byte {
            CONTROL_D => {
                output.push(END_OF_SECTION);
                self.execute_raw(ExecutionKind::RawPaste, output)
            }
            CONTROL_C => {
                output.push(END_OF_SECTION);
                self.report_raw_fault(Fault::Interrupted, output);
                Action::None
            }
            _ => {
                if self.buffer.len() >= self.max_source_bytes {
                    // Ask the host to stop; it answers with Ctrl-D.
                    output.push(END_OF_SECTION);
                    self.buffer = Vec::new();
                    self.state = State::RawPasteDrain {
                        fault: Fault::TooLong,
                    };
                    return Action::None;
                }
                self.buffer.push(byte);
                let until_credit = match until_credit.saturating_sub(1) {
                    0 => {
                        output.push(WINDOW_CREDIT);
                        self.window_bytes
                    }
                    remaining => remaining,
                };
                self.state = State::RawPaste { until_credit };
                Action::None
            }
        }
    }

    /// Answers the raw-paste command `\x05<command>\x01`.
    fn start_raw_paste(&mut self, command: u8, output: &mut Vec<u8>) {
        self.buffer.clear();
        if command == RAW_PASTE_COMMAND && self.raw_paste {
            output.extend_from_slice(RAW_PASTE_ACCEPTED);
            output.extend_from_slice(&self.window_bytes.to_le_bytes());
            // A second increment is free from the start.
            output.push(WINDOW_CREDIT);
            self.state = State::RawPaste {
                until_credit: self.window_bytes,
            };
        } else {
            // Unlike MicroPython, no `>` follows: hosts go on in plain raw mode at once and
            // read `OK` next.
            output.extend_from_slice(RAW_PASTE_REFUSED);
            self.state = State::Raw { too_long: false };
        }
    }

    /// Hands out the raw or raw-paste program, or reports it is not UTF-8.
    fn execute_raw(&mut self, kind: ExecutionKind, output: &mut Vec<u8>) -> Action {
        match self.take_source() {
            Ok(source) => {
                self.state = State::Executing {
                    kind,
                    output_done: false,
                };
                Action::Execute { source, kind }
            }
            Err(fault) => {
                self.report_raw_fault(fault, output);
                Action::None
            }
        }
    }

    /// Takes the collected program as a string.
    fn take_source(&mut self) -> Result<String, Fault> {
        String::from_utf8(core::mem::take(&mut self.buffer))
            .map_err(|error| Fault::NotUtf8(error.utf8_error().valid_up_to()))
    }

    /// Reports `fault` as a failed raw program (`\x04`, error text, `\x04>`) and returns to
    /// the raw prompt.
    fn report_raw_fault(&mut self, fault: Fault, output: &mut Vec<u8>) {
        output.push(END_OF_SECTION);
        write_fault(fault, self.max_source_bytes, output);
        output.push(END_OF_SECTION);
        output.extend_from_slice(RAW_PROMPT);
        self.buffer = Vec::new();
        self.state = State::Raw { too_long: false };
    }

    /// Sends the raw REPL announcement and prompt and starts a new raw program.
    fn announce_raw(&mut self, output: &mut Vec<u8>) {
        output.extend_from_slice(RAW_BANNER);
        output.extend_from_slice(RAW_PROMPT);
        self.buffer.clear();
        self.state = State::Raw { too_long: false };
    }
}

/// The state to go back to when a program of `kind` has run.
fn idle_state(kind: ExecutionKind) -> State {
    match kind {
        ExecutionKind::FriendlyPaste => State::Friendly,
        ExecutionKind::Raw | ExecutionKind::RawPaste => State::Raw { too_long: false },
    }
}

/// Writes the error text for `fault`, one Python-style exception line.
fn write_fault(fault: Fault, max_source_bytes: usize, output: &mut Vec<u8>) {
    match fault {
        Fault::TooLong => {
            output.extend_from_slice(b"MemoryError: program longer than ");
            write_decimal(max_source_bytes, output);
            output.extend_from_slice(b" bytes");
        }
        Fault::NotUtf8(offset) => {
            output.extend_from_slice(b"SyntaxError: program is not UTF-8 (bad byte at offset ");
            write_decimal(offset, output);
            output.push(b')');
        }
        Fault::Interrupted => output.extend_from_slice(b"KeyboardInterrupt"),
        Fault::Stalled => output.extend_from_slice(b"TimeoutError: raw-paste transfer stalled"),
    }
    output.extend_from_slice(NEWLINE);
}

/// Writes `value` in decimal.
fn write_decimal(value: usize, output: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        // `rest % 10` is below 10, so the cast cannot truncate.
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 || start == 0 {
            break;
        }
    }
    output.extend_from_slice(&digits[start..]);
}

#[cfg(test)]
mod tests;
