//! The test suite's fake board on standard input and output, to check the machine against a
//! real host tool: put it behind a pseudo-terminal and point `mpremote` at the other end
//! (see the README). Idle timeouts fire after two seconds without input.
//!
//! Arguments: `--no-raw-paste` refuses raw-paste mode; `--window N` sets the raw-paste
//! window increment.
#[path = "../tests/support/board.rs"]
mod board;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use rawrepl::Protocol;

/// How long without input before the kernel-side idle timeout fires.
const IDLE: Duration = Duration::from_secs(2);

fn main() {
    let (sender, receiver) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        let mut buffer = [0u8; 4096];
        while let Ok(count @ 1..) = input.read(&mut buffer) {
            if sender.send(buffer[..count].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut protocol = Protocol::new();
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--no-raw-paste" => protocol = protocol.with_raw_paste(false),
            "--window" => {
                let window = arguments.next().and_then(|text| text.parse().ok());
                protocol =
                    protocol.with_window_bytes(window.unwrap_or(rawrepl::DEFAULT_WINDOW_BYTES));
            }
            other => {
                eprintln!("fake_board: unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let mut board = board::Board::boot(protocol, 1 << 20);
    let mut output = std::io::stdout().lock();
    loop {
        board.run_until_idle();
        let sent = board.take_sent();
        if output
            .write_all(&sent)
            .and_then(|()| output.flush())
            .is_err()
        {
            return;
        }
        match receiver.recv_timeout(IDLE) {
            Ok(bytes) => board.receive(&bytes),
            Err(mpsc::RecvTimeoutError::Timeout) => board.idle_timeout(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}
