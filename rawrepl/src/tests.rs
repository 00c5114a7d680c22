//! Byte-level unit tests of the protocol state machine.
extern crate std;

use alloc::vec;
use alloc::vec::Vec;

use super::*;

/// Feeds `bytes`; returns everything sent back and the actions other than `None`.
fn feed_all(protocol: &mut Protocol, bytes: &[u8]) -> (Vec<u8>, Vec<Action>) {
    let mut output = Vec::new();
    let mut actions = Vec::new();
    for &byte in bytes {
        let action = protocol.feed(byte, &mut output);
        if action != Action::None {
            actions.push(action);
        }
    }
    (output, actions)
}

/// A machine already in the raw REPL, with the announcement consumed.
fn raw_protocol() -> Protocol {
    let mut protocol = Protocol::new();
    feed_all(&mut protocol, b"\x01");
    protocol
}

fn execute(source: &str, kind: ExecutionKind) -> Action {
    Action::Execute {
        source: String::from(source),
        kind,
    }
}

#[test]
fn friendly_bytes_go_to_the_line_editor() {
    let mut protocol = Protocol::new();
    let (output, actions) = feed_all(&mut protocol, b"ab\x02\x03\x04\r\n\x1b[A\xc3\xa9");
    assert!(output.is_empty());
    let expected: Vec<Action> = b"ab\x02\x03\x04\r\n\x1b[A\xc3\xa9"
        .iter()
        .map(|&byte| Action::ToLineEditor(byte))
        .collect();
    assert_eq!(actions, expected);
    assert_eq!(protocol.mode(), Mode::Friendly);
}

#[test]
fn control_a_enters_raw_mode_with_the_exact_announcement() {
    let mut protocol = Protocol::new();
    let (output, actions) = feed_all(&mut protocol, b"\x01");
    assert_eq!(output, b"\r\nraw REPL; CTRL-B to exit\r\n>");
    assert_eq!(actions, [Action::DropFriendlyInput]);
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn control_a_in_the_middle_of_a_friendly_line_enters_raw_mode() {
    let mut protocol = Protocol::new();
    let (output, actions) = feed_all(&mut protocol, b"import o\x01");
    assert_eq!(output, b"\r\nraw REPL; CTRL-B to exit\r\n>");
    assert_eq!(actions.last(), Some(&Action::DropFriendlyInput));
    // The half-typed line never reaches the raw buffer.
    let (output, actions) = feed_all(&mut protocol, b"x=1\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("x=1", ExecutionKind::Raw)]);
}

#[test]
fn raw_program_is_acknowledged_executed_and_framed() {
    let mut protocol = raw_protocol();
    let (output, actions) = feed_all(&mut protocol, b"print(123)\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("print(123)", ExecutionKind::Raw)]);
    assert!(protocol.is_executing());
    assert_eq!(protocol.mode(), Mode::Raw);
    let mut output = b"123\r\n".to_vec();
    protocol.output_finished(&mut output);
    output.extend_from_slice(b"Traceback (most recent call last):\r\nValueError\r\n");
    assert_eq!(protocol.error_finished(&mut output), Action::None);
    assert_eq!(
        output,
        b"123\r\n\x04Traceback (most recent call last):\r\nValueError\r\n\x04>"
    );
    assert!(!protocol.is_executing());
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn output_finished_twice_sends_one_marker_and_error_finished_supplies_a_missing_one() {
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"pass\x04");
    let mut output = Vec::new();
    protocol.output_finished(&mut output);
    protocol.output_finished(&mut output);
    protocol.error_finished(&mut output);
    assert_eq!(output, b"\x04\x04>");

    feed_all(&mut protocol, b"pass\x04");
    let mut output = Vec::new();
    protocol.error_finished(&mut output);
    assert_eq!(output, b"\x04\x04>");
}

#[test]
fn helpers_outside_a_program_do_nothing() {
    let mut protocol = raw_protocol();
    let mut output = Vec::new();
    protocol.output_finished(&mut output);
    assert_eq!(protocol.error_finished(&mut output), Action::None);
    protocol.idle_timeout(&mut output);
    assert!(output.is_empty());
    assert_eq!(protocol.mode(), Mode::Raw);
    let mut friendly = Protocol::new();
    friendly.idle_timeout(&mut output);
    friendly.soft_reset_done(&mut output);
    assert!(output.is_empty());
    assert_eq!(friendly.mode(), Mode::Friendly);
}

#[test]
fn raw_control_a_announces_again_and_clears_the_buffer() {
    let mut protocol = raw_protocol();
    let (output, actions) = feed_all(&mut protocol, b"garbage\x01");
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
    assert!(actions.is_empty());
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(output, b"OK\r\n");
    assert_eq!(actions, [Action::SoftReset]);
}

#[test]
fn raw_control_c_clears_the_buffer_silently() {
    let mut protocol = raw_protocol();
    let (output, _) = feed_all(&mut protocol, b"half a program\x03");
    assert!(output.is_empty());
    let (output, actions) = feed_all(&mut protocol, b"y\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("y", ExecutionKind::Raw)]);
}

#[test]
fn raw_control_b_leaves_to_friendly_mode() {
    let mut protocol = raw_protocol();
    let (output, actions) = feed_all(&mut protocol, b"\r\x02");
    assert_eq!(output, b"\r\n");
    assert_eq!(actions, [Action::LeaveRaw]);
    assert_eq!(protocol.mode(), Mode::Friendly);
    assert_eq!(
        feed_all(&mut protocol, b"a").1,
        [Action::ToLineEditor(b'a')]
    );
}

#[test]
fn raw_control_d_on_an_empty_buffer_soft_resets_into_raw_mode() {
    let mut protocol = raw_protocol();
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(output, b"OK\r\n");
    assert_eq!(actions, [Action::SoftReset]);
    assert_eq!(protocol.mode(), Mode::Raw);
    let mut output = Vec::new();
    protocol.soft_reset_done(&mut output);
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn raw_paste_handshake_credits_and_end() {
    let mut protocol = raw_protocol();
    let (output, _) = feed_all(&mut protocol, b"\x05A\x01");
    assert_eq!(output, b"R\x01\x00\x01\x01");
    assert_eq!(protocol.mode(), Mode::RawPaste);
    let window = usize::from(DEFAULT_WINDOW_BYTES);
    let program: Vec<u8> = (0..window * 3 + 5)
        .map(|index| b'a' + (index % 26) as u8)
        .collect();
    let mut output = Vec::new();
    for (index, &byte) in program.iter().enumerate() {
        let before = output.len();
        assert_eq!(protocol.feed(byte, &mut output), Action::None);
        let credited = output.len() > before;
        assert_eq!(credited, (index + 1) % window == 0, "byte {index}");
    }
    assert_eq!(output, b"\x01\x01\x01");
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(output, b"\x04");
    let source = String::from_utf8(program).unwrap();
    assert_eq!(actions, [execute(&source, ExecutionKind::RawPaste)]);
    assert_eq!(protocol.mode(), Mode::Raw);
    let mut output = Vec::new();
    protocol.output_finished(&mut output);
    protocol.error_finished(&mut output);
    assert_eq!(output, b"\x04\x04>");
}

#[test]
fn raw_paste_window_is_configurable_and_never_zero() {
    let mut protocol = Protocol::new().with_window_bytes(128);
    let (output, _) = feed_all(&mut protocol, b"\x01\x05A\x01");
    assert!(output.ends_with(b">R\x01\x80\x00\x01"));
    let mut protocol = Protocol::new().with_window_bytes(0);
    assert_eq!(protocol.window_bytes(), 1);
    let (output, _) = feed_all(&mut protocol, b"\x01\x05A\x01ab");
    assert!(output.ends_with(b">R\x01\x01\x00\x01\x01\x01"));
}

#[test]
fn raw_paste_documented_example() {
    // MicroPython's docs/reference/repl.rst example, with its window of 128.
    let mut protocol = Protocol::new().with_window_bytes(128);
    let (mut output, actions) = feed_all(&mut protocol, b"\x01\x05A\x01print(123)\x04");
    assert_eq!(
        actions,
        [
            Action::DropFriendlyInput,
            execute("print(123)", ExecutionKind::RawPaste)
        ]
    );
    output.extend_from_slice(b"123\r\n");
    protocol.output_finished(&mut output);
    protocol.error_finished(&mut output);
    assert_eq!(
        output,
        b"\r\nraw REPL; CTRL-B to exit\r\n>R\x01\x80\x00\x01\x04123\r\n\x04\x04>"
    );
}

#[test]
fn raw_paste_disabled_is_refused_and_plain_raw_mode_follows() {
    let mut protocol = Protocol::new().with_raw_paste(false);
    let (output, _) = feed_all(&mut protocol, b"\x01\x05A\x01");
    assert!(output.ends_with(b">R\x00"));
    assert_eq!(protocol.mode(), Mode::Raw);
    let (output, actions) = feed_all(&mut protocol, b"print(1)\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("print(1)", ExecutionKind::Raw)]);
}

#[test]
fn unknown_raw_paste_command_is_refused() {
    let mut protocol = raw_protocol();
    let (output, _) = feed_all(&mut protocol, b"\x05B\x01");
    assert_eq!(output, b"R\x00");
    assert_eq!(protocol.mode(), Mode::Raw);
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(output, b"OK\r\n");
    assert_eq!(actions, [Action::SoftReset]);
}

#[test]
fn raw_paste_command_only_counts_on_an_empty_buffer() {
    let mut protocol = raw_protocol();
    let (output, _) = feed_all(&mut protocol, b"z\x05A\x01");
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
    let (output, _) = feed_all(&mut protocol, b"\x05\x01");
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn raw_paste_control_c_reports_keyboard_interrupt() {
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"\x05A\x01");
    let (output, actions) = feed_all(&mut protocol, b"while True:\r\n\x03");
    assert_eq!(output, b"\x04\x04KeyboardInterrupt\r\n\x04>");
    assert!(actions.is_empty());
    assert_eq!(protocol.mode(), Mode::Raw);
    // The buffer was dropped: Ctrl-D now means soft reset.
    assert_eq!(feed_all(&mut protocol, b"\x04").1, [Action::SoftReset]);
}

#[test]
fn raw_paste_too_long_is_aborted_then_reported_after_the_hosts_control_d() {
    let mut protocol = raw_protocol().with_max_source_bytes(10);
    feed_all(&mut protocol, b"\x05A\x01");
    let (output, _) = feed_all(&mut protocol, b"0123456789");
    assert!(output.is_empty());
    let (output, _) = feed_all(&mut protocol, b"abc\x01\x05\x02");
    assert_eq!(output, b"\x04", "abort once, then drain silently");
    assert_eq!(protocol.mode(), Mode::RawPaste);
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(
        output,
        b"\x04MemoryError: program longer than 10 bytes\r\n\x04>"
    );
    assert!(actions.is_empty());
    assert_eq!(protocol.mode(), Mode::Raw);
    // Exactly at the limit is fine.
    feed_all(&mut protocol, b"\x05A\x01");
    let (_, actions) = feed_all(&mut protocol, b"0123456789\x04");
    assert_eq!(actions, [execute("0123456789", ExecutionKind::RawPaste)]);
}

#[test]
fn raw_paste_drain_also_ends_on_control_c() {
    let mut protocol = raw_protocol().with_max_source_bytes(2);
    feed_all(&mut protocol, b"\x05A\x01");
    let (output, _) = feed_all(&mut protocol, b"abc\r\x03");
    assert_eq!(
        output,
        b"\x04\x04MemoryError: program longer than 2 bytes\r\n\x04>"
    );
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn raw_too_long_is_reported_at_control_d() {
    let mut protocol = raw_protocol().with_max_source_bytes(4);
    let (output, _) = feed_all(&mut protocol, b"abcdefgh");
    assert!(output.is_empty());
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(
        output,
        b"OK\x04MemoryError: program longer than 4 bytes\r\n\x04>"
    );
    assert!(actions.is_empty());
    // Usable again at once.
    let (output, actions) = feed_all(&mut protocol, b"abcd\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("abcd", ExecutionKind::Raw)]);
}

#[test]
fn raw_too_long_is_forgotten_on_control_c() {
    let mut protocol = raw_protocol().with_max_source_bytes(4);
    feed_all(&mut protocol, b"abcdefgh\x03");
    let (output, actions) = feed_all(&mut protocol, b"ok\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("ok", ExecutionKind::Raw)]);
}

#[test]
fn source_limit_is_clamped() {
    assert_eq!(
        Protocol::new().with_max_source_bytes(0).max_source_bytes(),
        MIN_MAX_SOURCE_BYTES
    );
    let mut protocol = raw_protocol().with_max_source_bytes(0);
    let (output, _) = feed_all(&mut protocol, b"\x05A\x01");
    assert_eq!(output, b"R\x01\x00\x01\x01");
}

#[test]
fn raw_program_that_is_not_utf8_is_refused() {
    let mut protocol = raw_protocol();
    let (output, actions) = feed_all(&mut protocol, b"x\xffy\x04");
    assert_eq!(
        output,
        b"OK\x04SyntaxError: program is not UTF-8 (bad byte at offset 1)\r\n\x04>"
    );
    assert!(actions.is_empty());
    feed_all(&mut protocol, b"\x05A\x01");
    let (output, _) = feed_all(&mut protocol, b"\xc3\x04");
    assert_eq!(
        output,
        b"\x04\x04SyntaxError: program is not UTF-8 (bad byte at offset 0)\r\n\x04>"
    );
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn friendly_paste_echoes_numbers_lines_and_executes() {
    let mut protocol = Protocol::new();
    let (output, actions) = feed_all(&mut protocol, b"\x05");
    assert_eq!(
        output,
        b"\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== "
    );
    assert_eq!(actions, [Action::DropFriendlyInput]);
    assert_eq!(protocol.mode(), Mode::FriendlyPaste);
    let (output, actions) = feed_all(&mut protocol, b"if 1:\r\n  a\rb\n\x01c\x04");
    assert_eq!(output, b"if 1:\r\n===   a\r\n=== b\r\n=== \x01c\r\n");
    assert_eq!(
        actions,
        [execute(
            "if 1:\n  a\nb\n\x01c",
            ExecutionKind::FriendlyPaste
        )]
    );
    assert_eq!(protocol.mode(), Mode::Friendly);
    assert!(protocol.is_executing());
    let mut output = Vec::new();
    protocol.output_finished(&mut output);
    assert_eq!(protocol.error_finished(&mut output), Action::FriendlyPrompt);
    assert!(output.is_empty());
    assert_eq!(protocol.mode(), Mode::Friendly);
}

#[test]
fn friendly_paste_control_c_cancels() {
    let mut protocol = Protocol::new();
    feed_all(&mut protocol, b"\x05");
    let (output, actions) = feed_all(&mut protocol, b"print(1)\x03");
    assert_eq!(output, b"print(1)\r\n");
    assert_eq!(actions, [Action::FriendlyPrompt]);
    assert_eq!(protocol.mode(), Mode::Friendly);
}

#[test]
fn friendly_paste_too_long_rings_once_and_reports_at_control_d() {
    let mut protocol = Protocol::new().with_max_source_bytes(3);
    feed_all(&mut protocol, b"\x05");
    let (output, _) = feed_all(&mut protocol, b"abcdefg");
    assert_eq!(output, b"abc\x07");
    let (output, actions) = feed_all(&mut protocol, b"\x04");
    assert_eq!(output, b"\r\nMemoryError: program longer than 3 bytes\r\n");
    assert_eq!(actions, [Action::FriendlyPrompt]);
    assert_eq!(protocol.mode(), Mode::Friendly);
}

#[test]
fn friendly_paste_that_is_not_utf8_is_refused() {
    let mut protocol = Protocol::new();
    feed_all(&mut protocol, b"\x05");
    let (output, actions) = feed_all(&mut protocol, b"\xfe\x04");
    assert_eq!(
        output,
        b"\xfe\r\nSyntaxError: program is not UTF-8 (bad byte at offset 0)\r\n"
    );
    assert_eq!(actions, [Action::FriendlyPrompt]);
}

#[test]
fn idle_timeout_aborts_a_stalled_raw_paste_in_two_steps() {
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"\x05A\x01print(");
    let mut output = Vec::new();
    protocol.idle_timeout(&mut output);
    assert_eq!(output, b"\x04");
    assert_eq!(protocol.mode(), Mode::RawPaste);
    let mut output = Vec::new();
    protocol.idle_timeout(&mut output);
    assert_eq!(
        output,
        b"\x04TimeoutError: raw-paste transfer stalled\r\n\x04>"
    );
    assert_eq!(protocol.mode(), Mode::Raw);
    // Nothing left behind.
    assert_eq!(feed_all(&mut protocol, b"\x04").1, [Action::SoftReset]);
}

#[test]
fn idle_timeout_abort_is_acknowledged_by_a_live_host() {
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"\x05A\x01print(");
    let mut output = Vec::new();
    protocol.idle_timeout(&mut output);
    // The host answers the abort with Ctrl-D, which must not soft-reset.
    let (output, actions) = feed_all(&mut protocol, b"1)\x04");
    assert_eq!(
        output,
        b"\x04TimeoutError: raw-paste transfer stalled\r\n\x04>"
    );
    assert!(actions.is_empty());
    assert_eq!(protocol.mode(), Mode::Raw);
}

#[test]
fn system_exit_in_raw_mode_frames_then_soft_resets_without_a_prompt() {
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"import sys; sys.exit()\x04");
    let mut output = Vec::new();
    protocol.output_finished(&mut output);
    assert_eq!(protocol.system_exit(&mut output), Action::SoftReset);
    assert_eq!(output, b"\x04\x04");
    assert_eq!(protocol.mode(), Mode::Raw);
    let mut output = Vec::new();
    protocol.soft_reset_done(&mut output);
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
}

#[test]
fn system_exit_from_friendly_paste_resets_into_friendly_mode() {
    let mut protocol = Protocol::new();
    feed_all(&mut protocol, b"\x05raise SystemExit\x04");
    let mut output = Vec::new();
    assert_eq!(protocol.system_exit(&mut output), Action::SoftReset);
    assert!(output.is_empty());
    assert_eq!(protocol.mode(), Mode::Friendly);
    protocol.soft_reset_done(&mut output);
    assert!(output.is_empty());
    assert_eq!(protocol.mode(), Mode::Friendly);
}

#[test]
fn system_exit_outside_a_program_keeps_the_mode() {
    let mut protocol = raw_protocol();
    let mut output = Vec::new();
    assert_eq!(protocol.system_exit(&mut output), Action::SoftReset);
    protocol.soft_reset_done(&mut output);
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
    let mut protocol = Protocol::new();
    let mut output = Vec::new();
    assert_eq!(protocol.system_exit(&mut output), Action::SoftReset);
    protocol.soft_reset_done(&mut output);
    assert!(output.is_empty());
}

#[test]
fn a_byte_fed_during_execution_ends_it_silently() {
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"pass\x04");
    let (output, actions) = feed_all(&mut protocol, b"x\x04");
    assert_eq!(output, b"OK");
    assert_eq!(actions, [execute("x", ExecutionKind::Raw)]);
    let mut protocol = raw_protocol();
    feed_all(&mut protocol, b"\x04");
    let (output, _) = feed_all(&mut protocol, b"\x01");
    assert_eq!(output, b"raw REPL; CTRL-B to exit\r\n>");
}

/// Byte sequences that leave the machine in each of its states.
fn every_state() -> Vec<(&'static str, Protocol)> {
    let tiny = || Protocol::new().with_max_source_bytes(4);
    let mut states: Vec<(&'static str, Protocol, &'static [u8])> = vec![
        ("friendly", Protocol::new(), b""),
        ("friendly, half a line", Protocol::new(), b"for i in"),
        ("friendly paste", Protocol::new(), b"\x05abc\r"),
        ("friendly paste, too long", tiny(), b"\x05abcdefgh"),
        ("raw", Protocol::new(), b"\x01"),
        ("raw, half a program", Protocol::new(), b"\x01print("),
        ("raw, too long", tiny(), b"\x01abcdefgh"),
        ("raw, after Ctrl-E", Protocol::new(), b"\x01\x05"),
        ("raw-paste", Protocol::new(), b"\x01\x05A\x01pri"),
        ("raw-paste drain", tiny(), b"\x01\x05A\x01abcdefgh"),
        ("raw executing", Protocol::new(), b"\x01x\x04"),
        (
            "raw-paste executing",
            Protocol::new(),
            b"\x01\x05A\x01x\x04",
        ),
        ("paste executing", Protocol::new(), b"\x05x\x04"),
        ("raw resetting", Protocol::new(), b"\x01\x04"),
    ];
    states
        .drain(..)
        .map(|(name, mut protocol, bytes)| {
            feed_all(&mut protocol, bytes);
            (name, protocol)
        })
        .collect()
}

#[test]
fn mpremote_interrupt_sequence_recovers_raw_mode_from_every_state() {
    for interrupt in [&b"\r\x03"[..], b"\r\x03\x03", b"\x03"] {
        for (name, mut protocol) in every_state() {
            let mut output = Vec::new();
            // A running program or a reset finishes first (the kernel's business).
            if protocol.is_executing() {
                protocol.output_finished(&mut output);
                protocol.error_finished(&mut output);
            }
            if matches!(protocol.state, State::Resetting { .. }) {
                protocol.soft_reset_done(&mut output);
            }
            feed_all(&mut protocol, interrupt);
            let (output, _) = feed_all(&mut protocol, b"\r\x01");
            assert!(
                output.ends_with(b"raw REPL; CTRL-B to exit\r\n>"),
                "{name}: {output:?}"
            );
            assert_eq!(protocol.mode(), Mode::Raw, "{name}");
            let (output, actions) = feed_all(&mut protocol, b"p(1)\x04");
            assert_eq!(output, b"OK", "{name}");
            assert_eq!(actions, [execute("p(1)", ExecutionKind::Raw)], "{name}");
        }
    }
}

#[test]
fn control_b_reaches_friendly_mode_from_every_raw_state() {
    for (name, mut protocol) in every_state() {
        if protocol.mode() == Mode::Friendly || protocol.mode() == Mode::FriendlyPaste {
            continue;
        }
        let (_, actions) = feed_all(&mut protocol, b"\x03\x03\x02");
        assert_eq!(actions.last(), Some(&Action::LeaveRaw), "{name}");
        assert_eq!(protocol.mode(), Mode::Friendly, "{name}");
    }
}

/// A small deterministic pseudo-random generator (xorshift64*).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn byte(&mut self) -> u8 {
        let value = self.next();
        // Favour the protocol's control bytes and line breaks.
        match value % 4 {
            0 => [0x01, 0x02, 0x03, 0x04, 0x05, b'A', b'\r', b'\n'][(value >> 8) as usize % 8],
            _ => (value >> 16) as u8,
        }
    }
}

#[test]
fn garbage_never_panics_never_grows_past_the_limit_and_always_recovers() {
    for seed in 1..=64u64 {
        let mut random = Random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut protocol = Protocol::new()
            .with_max_source_bytes(64)
            .with_window_bytes(8);
        let mut output = Vec::new();
        for _ in 0..4000 {
            let value = random.next();
            match value % 64 {
                0 => protocol.idle_timeout(&mut output),
                1 => protocol.output_finished(&mut output),
                2 => {
                    protocol.error_finished(&mut output);
                }
                3 => {
                    protocol.system_exit(&mut output);
                }
                4 => protocol.soft_reset_done(&mut output),
                _ => {
                    let byte = random.byte();
                    protocol.feed(byte, &mut output);
                }
            }
            assert!(protocol.buffer.len() <= 64, "seed {seed}");
            output.clear();
        }
        if protocol.is_executing() {
            protocol.error_finished(&mut output);
        }
        protocol.soft_reset_done(&mut output);
        feed_all(&mut protocol, b"\r\x03\x03");
        let (output, _) = feed_all(&mut protocol, b"\r\x01");
        assert!(
            output.ends_with(b"raw REPL; CTRL-B to exit\r\n>"),
            "seed {seed}"
        );
    }
}

#[test]
fn decimal_numbers_are_written_in_full() {
    for (value, text) in [
        (0, "0"),
        (7, "7"),
        (10, "10"),
        (1_048_576, "1048576"),
        (usize::MAX, "18446744073709551615"),
    ] {
        let mut output = Vec::new();
        write_decimal(value, &mut output);
        if usize::BITS == 64 || value != usize::MAX {
            assert_eq!(output, text.as_bytes());
        }
    }
}
