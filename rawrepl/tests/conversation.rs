//! Whole conversations between an `mpremote`-like host and a fake board running the machine.
mod support;

use rawrepl::{ExecutionKind, Mode, Protocol, DEFAULT_WINDOW_BYTES};
use support::board::{Board, BANNER, PROMPT};
use support::host::Host;

/// The kernel's receive ring.
const KERNEL_RING_BYTES: usize = 4096;

fn host_with(protocol: Protocol, ring: usize) -> Host {
    Host::new(Board::boot(protocol, ring))
}

fn host() -> Host {
    host_with(Protocol::new(), KERNEL_RING_BYTES)
}

/// A program of about `bytes` bytes printing a running total at the end.
fn long_program(bytes: usize) -> (String, String) {
    let mut program = String::from("total = 0\n");
    let mut count = 0;
    while program.len() < bytes {
        program.push_str("total = total + 1  # padding padding padding padding\n");
        count += 1;
    }
    program.push_str("print('total', total)\n");
    (program, format!("total {count}\r\n"))
}

#[test]
fn mpremote_exec_transcript_is_exact() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    let (output, error) = host.exec("print(1+2)").unwrap();
    assert_eq!((output.as_str(), error.as_str()), ("3\r\n", ""));
    host.exit_raw_repl();
    host.settle();
    assert_eq!(
        host.written,
        b"\r\x03\r\x01\x04\x05A\x01print(1+2)\x04\r\x02"
    );
    let mut expected = Vec::new();
    expected.extend_from_slice(BANNER);
    expected.extend_from_slice(PROMPT);
    expected.extend_from_slice(b"\r\n>>> ^C\r\nKeyboardInterrupt\r\n>>> \r\n>>> ");
    expected.extend_from_slice(b"\r\nraw REPL; CTRL-B to exit\r\n>");
    expected.extend_from_slice(b"OK\r\nPiPyOS: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
    expected.extend_from_slice(b"R\x01\x00\x01\x01\x043\r\n\x04\x04>");
    expected.extend_from_slice(b"\r\n");
    expected.extend_from_slice(BANNER);
    expected.extend_from_slice(PROMPT);
    assert_eq!(
        String::from_utf8_lossy(&host.read_log),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(host.board.resets, 1);
    assert_eq!(host.board.protocol.mode(), Mode::Friendly);
}

#[test]
fn mpremote_session_keeps_state_reports_errors_and_soft_resets() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    assert_eq!(host.exec("x = 5").unwrap(), ("".into(), "".into()));
    assert_eq!(
        host.exec("print(x + 1, 'ok')").unwrap(),
        ("6 ok\r\n".into(), "".into())
    );
    // mpremote's eval(): print(repr(...)).
    assert_eq!(host.exec("print(repr('a' + 'b'))").unwrap().0, "'ab'\r\n");
    let (output, error) = host
        .exec("print('before')\nraise ValueError('bad')\nprint('after')")
        .unwrap();
    assert_eq!(output, "before\r\n");
    assert_eq!(
        error,
        "Traceback (most recent call last):\r\n  File \"<stdin>\", line 2, in <module>\r\nValueError: bad\r\n"
    );
    // Soft reset again (mpremote's `soft-reset` command): a fresh interpreter.
    host.enter_raw_repl(true).unwrap();
    let (_, error) = host.exec("print(x)").unwrap();
    assert!(
        error.ends_with("NameError: name 'x' isn't defined\r\n"),
        "{error}"
    );
    assert_eq!(host.board.resets, 2);
    assert!(host
        .board
        .executed
        .iter()
        .all(|(kind, _)| *kind == ExecutionKind::RawPaste));
}

#[test]
fn mpremote_reenters_raw_mode_without_soft_reset_when_already_raw() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    host.exec("y = 7").unwrap();
    // A second mpremote command on the same connection with `resume`.
    host.enter_raw_repl(false).unwrap();
    assert_eq!(host.exec("print(y)").unwrap().0, "7\r\n");
    assert_eq!(host.board.resets, 1);
}

#[test]
fn raw_paste_flow_control_never_overruns_a_ring_of_two_windows() {
    for window in [DEFAULT_WINDOW_BYTES, 128, 16, 1] {
        let mut host = host_with(Protocol::new().with_window_bytes(window), KERNEL_RING_BYTES);
        host.enter_raw_repl(true).unwrap();
        // The transfer itself runs on a ring of two windows (and room for `\x05A\x01`).
        let window = usize::from(window);
        host.board.set_ring_capacity((2 * window).max(3));
        let (program, expected) = long_program(20_000);
        let (output, error) = host.exec(&program).unwrap();
        assert_eq!((output.as_str(), error.as_str()), (expected.as_str(), ""));
        assert_eq!(host.board.overruns, 0, "window {window}");
        // The host really waited for credits all along.
        assert!(
            host.credits + 2 >= program.len() / window,
            "window {window}"
        );
    }
}

#[test]
fn a_host_ignoring_flow_control_would_overrun_the_same_ring() {
    // Control for the test above: plain raw mode has no flow control, so writing a long
    // program faster than the board reads it overflows a two-window ring.
    let mut board = Board::boot(Protocol::new(), 2 * usize::from(DEFAULT_WINDOW_BYTES));
    board.receive(b"\x01");
    board.run_until_idle();
    let (program, _) = long_program(4_000);
    board.receive(program.as_bytes());
    assert!(board.overruns > 0);
}

#[test]
fn raw_paste_refused_falls_back_to_plain_raw_mode() {
    let mut host = host_with(Protocol::new().with_raw_paste(false), KERNEL_RING_BYTES);
    host.enter_raw_repl(true).unwrap();
    assert_eq!(host.exec("print(40 + 2)").unwrap().0, "42\r\n");
    assert!(!host.use_raw_paste, "mpremote stops trying after R\\x00");
    assert_eq!(host.exec("print('again')").unwrap().0, "again\r\n");
    let (program, expected) = long_program(3_000);
    assert_eq!(host.exec(&program).unwrap().0, expected);
    assert!(host
        .board
        .executed
        .iter()
        .all(|(kind, _)| *kind == ExecutionKind::Raw));
}

#[test]
fn pyboard_style_tools_work_in_plain_raw_mode() {
    // rshell and ampy: `\r\x03\x03`, `\r\x01`, soft reset, plain raw mode.
    let mut host = host();
    host.enter_raw_repl_pyboard().unwrap();
    let (output, error) = host.exec("import sys; print(len('abc'))").unwrap();
    assert_eq!((output.as_str(), error.as_str()), ("3\r\n", ""));
    assert_eq!(host.board.executed[0].0, ExecutionKind::Raw);
    assert!(host.written.starts_with(b"\r\x03\x03\r\x01\x04"));
}

#[test]
fn interrupting_a_running_program_gets_back_to_raw_mode() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    host.exec_raw_no_follow(b"print('started')\nwait_for_interrupt()")
        .unwrap();
    // mpremote gave up following; the next command interrupts with `\r\x03`.
    host.read(usize::MAX);
    assert!(host.board.is_running());
    host.enter_raw_repl(false).unwrap();
    assert!(!host.board.is_running());
    assert_eq!(
        host.exec("print('next')").unwrap(),
        ("next\r\n".into(), "".into())
    );
    let log = String::from_utf8_lossy(&host.read_log).into_owned();
    assert!(log.contains("started\r\n\x04Traceback (most recent call last):\r\n"));
    assert!(log.contains("KeyboardInterrupt: \r\n\x04>"));
}

#[test]
fn following_an_interrupted_program_shows_keyboard_interrupt_as_the_error() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    host.exec_raw_no_follow(b"wait_for_interrupt()").unwrap();
    host.write(b"\x03");
    let (output, error) = host.follow().unwrap();
    assert!(output.is_empty());
    assert!(error.ends_with(b"KeyboardInterrupt: \r\n"), "{error:?}");
    assert_eq!(host.read(1), b">");
}

#[test]
fn a_too_long_raw_paste_is_aborted_and_reported() {
    let mut host = host_with(
        Protocol::new().with_max_source_bytes(1_000),
        KERNEL_RING_BYTES,
    );
    host.enter_raw_repl(true).unwrap();
    let (program, _) = long_program(5_000);
    let (output, error) = host.exec(&program).unwrap();
    assert_eq!(output, "");
    assert_eq!(error, "MemoryError: program longer than 1000 bytes\r\n");
    // Usable at once, and nothing was soft-reset by the host's answering Ctrl-D.
    assert_eq!(host.exec("print(1)").unwrap().0, "1\r\n");
    assert_eq!(host.board.resets, 1);
}

#[test]
fn a_too_long_plain_raw_program_is_reported() {
    let protocol = Protocol::new()
        .with_max_source_bytes(1_000)
        .with_raw_paste(false);
    let mut host = host_with(protocol, KERNEL_RING_BYTES);
    host.enter_raw_repl(true).unwrap();
    let (program, _) = long_program(5_000);
    let (output, error) = host.exec(&program).unwrap();
    assert_eq!(output, "");
    assert_eq!(error, "MemoryError: program longer than 1000 bytes\r\n");
    assert_eq!(host.exec("print(2)").unwrap().0, "2\r\n");
}

#[test]
fn a_host_vanishing_mid_raw_paste_is_given_up_after_two_idle_timeouts() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    host.read_until(b">");
    host.write(b"\x05A\x01");
    host.read(5);
    host.write(b"print('never fin");
    let mut board = host.board;
    board.run_until_idle();
    board.take_sent();
    assert_eq!(board.protocol.mode(), Mode::RawPaste);
    board.idle_timeout();
    assert_eq!(board.take_sent(), b"\x04");
    board.idle_timeout();
    assert_eq!(
        board.take_sent(),
        b"\x04TimeoutError: raw-paste transfer stalled\r\n\x04>"
    );
    assert_eq!(board.protocol.mode(), Mode::Raw);
    // A new connection.
    let mut host = Host::new(board);
    host.enter_raw_repl(false).unwrap();
    assert_eq!(host.exec("print('back')").unwrap().0, "back\r\n");
}

#[test]
fn a_new_host_recovers_from_an_abandoned_raw_paste_without_any_timeout() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    host.read_until(b">");
    host.write(b"\x05A\x01");
    host.read(5);
    host.write(b"print('half");
    let mut host = Host::new(host.board);
    host.enter_raw_repl(true).unwrap();
    assert_eq!(host.exec("print('fresh')").unwrap().0, "fresh\r\n");
}

#[test]
fn control_a_in_the_middle_of_a_friendly_line() {
    let mut host = host();
    host.settle();
    host.write(b"for i in ran");
    host.settle();
    host.write(b"\x01");
    assert_eq!(
        host.read_until(b"raw REPL; CTRL-B to exit\r\n"),
        b"\r\nraw REPL; CTRL-B to exit\r\n"
    );
    host.in_raw_repl = true;
    assert_eq!(host.exec("print('raw')").unwrap().0, "raw\r\n");
    host.exit_raw_repl();
    let tail = host.settle();
    assert!(tail.ends_with(PROMPT));
    // The abandoned friendly line is gone.
    host.write(b"1\r");
    assert_eq!(host.settle(), b"1\r\n1\r\n>>> ");
}

#[test]
fn friendly_paste_mode_runs_the_whole_text_as_one_block() {
    let mut host = host();
    host.settle();
    host.write(b"\x05");
    assert_eq!(
        host.settle(),
        b"\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== "
    );
    host.write(b"a = 2\r\nprint(a + 3)\r\n");
    assert_eq!(host.settle(), b"a = 2\r\n=== print(a + 3)\r\n=== ");
    host.write(b"\x04");
    assert_eq!(host.settle(), b"\r\n5\r\n>>> ");
    assert_eq!(
        host.board.executed,
        [(ExecutionKind::FriendlyPaste, "a = 2\nprint(a + 3)\n".into())]
    );
    // Cancelled paste.
    host.write(b"\x05print('no')\x03");
    let text = host.settle();
    assert!(text.ends_with(b"=== print('no')\r\n>>> "), "{text:?}");
    assert_eq!(host.board.executed.len(), 1);
}

#[test]
fn friendly_soft_reset_and_raw_exit_print_the_banner() {
    let mut host = host();
    host.settle();
    host.write(b"\x04");
    let mut expected = b"\r\nPiPyOS: soft reboot\r\n".to_vec();
    expected.extend_from_slice(BANNER);
    expected.extend_from_slice(PROMPT);
    assert_eq!(host.settle(), expected);
    host.write(b"\x01\x02");
    let mut expected = b"\r\nraw REPL; CTRL-B to exit\r\n>\r\n".to_vec();
    expected.extend_from_slice(BANNER);
    expected.extend_from_slice(PROMPT);
    assert_eq!(host.settle(), expected);
}

#[test]
fn system_exit_in_raw_mode_soft_resets_and_stays_raw() {
    let mut host = host();
    host.enter_raw_repl(true).unwrap();
    host.exec("z = 1").unwrap();
    assert_eq!(
        host.exec("import sys\nsys.exit()").unwrap(),
        ("".into(), "".into())
    );
    assert_eq!(host.board.resets, 2);
    assert_eq!(host.board.protocol.mode(), Mode::Raw);
    // Exactly one prompt follows, after the reset's announcement.
    let rest = host.read_until(b">");
    assert_eq!(
        rest,
        b"PiPyOS: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>"
    );
    host.write(b"\x05A\x01");
    assert_eq!(host.read(5), b"R\x01\x00\x01\x01");
}

#[test]
fn garbage_from_a_confused_host_is_survived_in_every_mode() {
    let mut host = host();
    let garbage: Vec<u8> = (0..=255u8).cycle().take(3_000).collect();
    for prefix in [&b""[..], b"\x01", b"\x05", b"\x01\x05A\x01"] {
        host.write(prefix);
        host.write(&garbage);
        host.settle();
        // If the garbage left a program running, interrupt it the way mpremote does.
        host.enter_raw_repl(false).unwrap();
        assert_eq!(host.exec("print('alive')").unwrap().0, "alive\r\n");
        host.exit_raw_repl();
        host.settle();
    }
}
