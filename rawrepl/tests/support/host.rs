//! A simulated serial host that drives the fake board the way `mpremote` 1.24 does (its
//! `SerialTransport`: `enter_raw_repl`, `exec_raw_no_follow`, `raw_paste_write`, `follow`,
//! `exit_raw_repl`), step by step and byte for byte, plus a plain terminal for friendly-mode
//! typing.
//!
//! The board only works while the host waits for a reply, one received byte at a time, so
//! the host can outrun it: the board's receive ring overflows unless flow control is
//! honoured. A read that the board can never satisfy returns what arrived (the timeout).
#![allow(dead_code)]

use std::collections::VecDeque;

use super::board::Board;

/// The announcement `mpremote` waits for after Ctrl-A.
const RAW_ANNOUNCEMENT: &[u8] = b"raw REPL; CTRL-B to exit\r\n";

/// The simulated host at the other end of the serial line.
pub struct Host {
    /// The board on the line.
    pub board: Board,
    /// Bytes received from the board and not yet read.
    received: VecDeque<u8>,
    /// Everything the host wrote, for transcripts.
    pub written: Vec<u8>,
    /// Everything the host read, for transcripts.
    pub read_log: Vec<u8>,
    /// Whether raw-paste mode is still tried (mpremote's `use_raw_paste`).
    pub use_raw_paste: bool,
    /// Whether the host believes the board is in the raw REPL.
    pub in_raw_repl: bool,
    /// Raw-paste window credits (`\x01`) received.
    pub credits: usize,
}

impl Host {
    /// Connects to `board`.
    pub fn new(board: Board) -> Self {
        Self {
            board,
            received: VecDeque::new(),
            written: Vec::new(),
            read_log: Vec::new(),
            use_raw_paste: true,
            in_raw_repl: false,
            credits: 0,
        }
    }

    /// Writes to the serial line.
    pub fn write(&mut self, bytes: &[u8]) {
        self.written.extend_from_slice(bytes);
        self.board.receive(bytes);
    }

    /// Lets the board do one unit of work and collects what it sent; false if it was idle.
    fn pump(&mut self) -> bool {
        let progressed = self.board.step();
        self.received.extend(self.board.take_sent());
        progressed
    }

    /// Bytes already received (pyserial's `inWaiting`); the board does no work here.
    fn in_waiting(&mut self) -> usize {
        self.received.extend(self.board.take_sent());
        self.received.len()
    }

    /// Reads up to `count` bytes, waiting for the board as long as it works.
    pub fn read(&mut self, count: usize) -> Vec<u8> {
        self.received.extend(self.board.take_sent());
        while self.received.len() < count && self.pump() {}
        let count = count.min(self.received.len());
        let data: Vec<u8> = self.received.drain(..count).collect();
        self.read_log.extend_from_slice(&data);
        data
    }

    /// mpremote's `read_until(1, ending)`.
    pub fn read_until(&mut self, ending: &[u8]) -> Vec<u8> {
        let mut data = self.read(1);
        while !data.ends_with(ending) {
            if self.in_waiting() == 0 && !self.pump() {
                break;
            }
            data.extend(self.read(1));
        }
        data
    }

    /// Lets the board drain its ring and returns everything it sent (a terminal's view).
    pub fn settle(&mut self) -> Vec<u8> {
        while self.pump() {}
        let data: Vec<u8> = self.received.drain(..).collect();
        self.read_log.extend_from_slice(&data);
        data
    }

    /// Throws away what was received so far (mpremote's input flush).
    fn flush_input(&mut self) {
        let count = self.in_waiting();
        self.read(count);
    }

    /// mpremote's `enter_raw_repl(soft_reset)`.
    pub fn enter_raw_repl(&mut self, soft_reset: bool) -> Result<(), String> {
        self.write(b"\r\x03");
        self.flush_input();
        self.write(b"\r\x01");
        if soft_reset {
            let data = self.read_until(b"raw REPL; CTRL-B to exit\r\n>");
            if !data.ends_with(b"raw REPL; CTRL-B to exit\r\n>") {
                return Err(format!("could not enter raw repl: {data:?}"));
            }
            self.write(b"\x04");
            let data = self.read_until(b"soft reboot\r\n");
            if !data.ends_with(b"soft reboot\r\n") {
                return Err(format!("could not soft reset: {data:?}"));
            }
        }
        let data = self.read_until(RAW_ANNOUNCEMENT);
        if !data.ends_with(RAW_ANNOUNCEMENT) {
            return Err(format!("could not enter raw repl: {data:?}"));
        }
        self.in_raw_repl = true;
        Ok(())
    }

    /// The older `pyboard.py` entry used by rshell and ampy: `\r\x03\x03`, flush, `\r\x01`,
    /// always with a soft reset, never raw-paste.
    pub fn enter_raw_repl_pyboard(&mut self) -> Result<(), String> {
        self.use_raw_paste = false;
        self.write(b"\r\x03\x03");
        self.flush_input();
        self.write(b"\r\x01");
        let data = self.read_until(b"raw REPL; CTRL-B to exit\r\n>");
        if !data.ends_with(b"raw REPL; CTRL-B to exit\r\n>") {
            return Err(format!("could not enter raw repl: {data:?}"));
        }
        self.write(b"\x04");
        let data = self.read_until(b"soft reboot\r\n");
        if !data.ends_with(b"soft reboot\r\n") {
            return Err(format!("could not soft reset: {data:?}"));
        }
        let data = self.read_until(b"raw REPL; CTRL-B to exit\r\n");
        if !data.ends_with(b"raw REPL; CTRL-B to exit\r\n") {
            return Err(format!("could not enter raw repl: {data:?}"));
        }
        self.in_raw_repl = true;
        Ok(())
    }

    /// mpremote's `exit_raw_repl`.
    pub fn exit_raw_repl(&mut self) {
        self.write(b"\r\x02");
        self.in_raw_repl = false;
    }

    /// mpremote's `raw_paste_write`.
    fn raw_paste_write(&mut self, command: &[u8]) -> Result<(), String> {
        let header = self.read(2);
        let [low, high] = header[..] else {
            return Err(format!("no window size: {header:?}"));
        };
        let window = usize::from(u16::from_le_bytes([low, high]));
        let mut remaining = window;
        let mut index = 0;
        while index < command.len() {
            while remaining == 0 || self.in_waiting() > 0 {
                let data = self.read(1);
                match data[..] {
                    [0x01] => {
                        self.credits += 1;
                        remaining += window;
                    }
                    [0x04] => {
                        self.write(b"\x04");
                        return Ok(());
                    }
                    _ => return Err(format!("unexpected read during raw paste: {data:?}")),
                }
            }
            let end = command.len().min(index + remaining);
            let chunk = command[index..end].to_vec();
            self.write(&chunk);
            remaining -= chunk.len();
            index = end;
        }
        self.write(b"\x04");
        let data = self.read_until(b"\x04");
        if !data.ends_with(b"\x04") {
            return Err(format!("could not complete raw paste: {data:?}"));
        }
        Ok(())
    }

    /// mpremote's `exec_raw_no_follow`.
    pub fn exec_raw_no_follow(&mut self, command: &[u8]) -> Result<(), String> {
        let data = self.read_until(b">");
        if !data.ends_with(b">") {
            return Err(format!("could not enter raw repl: {data:?}"));
        }
        if self.use_raw_paste {
            self.write(b"\x05A\x01");
            let data = self.read(2);
            if data == b"R\x00" {
                // Understood but not supported: plain raw mode below.
            } else if data == b"R\x01" {
                return self.raw_paste_write(command);
            } else {
                let data = self.read_until(b"w REPL; CTRL-B to exit\r\n>");
                if !data.ends_with(b"w REPL; CTRL-B to exit\r\n>") {
                    return Err(format!("could not enter raw repl: {data:?}"));
                }
            }
            self.use_raw_paste = false;
        }
        // 256 bytes at a time with a pause (10 ms in mpremote) the board uses to catch up.
        for chunk in command.chunks(256) {
            self.write(chunk);
            while self.board.pending() > 0 && self.pump() {}
        }
        self.write(b"\x04");
        let data = self.read(2);
        if data != b"OK" {
            return Err(format!("could not exec command (response: {data:?})"));
        }
        Ok(())
    }

    /// mpremote's `follow`: the output and the error text.
    pub fn follow(&mut self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let mut data = self.read_until(b"\x04");
        if data.pop() != Some(0x04) {
            return Err(format!("timeout waiting for first EOF reception: {data:?}"));
        }
        let mut error = self.read_until(b"\x04");
        if error.pop() != Some(0x04) {
            return Err(format!(
                "timeout waiting for second EOF reception: {error:?}"
            ));
        }
        Ok((data, error))
    }

    /// mpremote's `exec_raw`.
    pub fn exec_raw(&mut self, command: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        self.exec_raw_no_follow(command)?;
        self.follow()
    }

    /// `exec_raw` with text results.
    pub fn exec(&mut self, command: &str) -> Result<(String, String), String> {
        let (output, error) = self.exec_raw(command.as_bytes())?;
        Ok((
            String::from_utf8_lossy(&output).into_owned(),
            String::from_utf8_lossy(&error).into_owned(),
        ))
    }
}
