//! Host tests for the line editor: editing keys, history, UTF-8, garbage input and echo.

use lineedit::{Editor, Event, DEFAULT_MAX_LINE_BYTES};

/// An editor with a started `>>> ` prompt and its output so far cleared.
fn started(history_capacity: usize) -> (Editor, Vec<u8>) {
    let mut editor = Editor::new(history_capacity);
    let mut output = Vec::new();
    editor.start(">>> ", &mut output);
    output.clear();
    (editor, output)
}

/// Feeds `bytes` and returns the non-pending events.
fn feed(editor: &mut Editor, bytes: &[u8]) -> Vec<Event> {
    let mut output = Vec::new();
    editor.feed_bytes(bytes, &mut output)
}

/// Feeds `bytes` and returns what was echoed.
fn echo(editor: &mut Editor, bytes: &[u8]) -> Vec<u8> {
    let mut output = Vec::new();
    editor.feed_bytes(bytes, &mut output);
    output
}

/// Shorthand for a finished line event.
fn line(text: &str) -> Event {
    Event::Line(text.to_string())
}

/// Types `text` followed by CR, returning the events.
fn enter(editor: &mut Editor, text: &str) -> Vec<Event> {
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(b'\r');
    feed(editor, &bytes)
}

/// A small xorshift64 generator for reproducible pseudo-random input.
struct XorShift(u64);

impl XorShift {
    fn next_byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

// --- typing and Enter -------------------------------------------------------------

#[test]
fn start_echoes_prompt() {
    let mut editor = Editor::new(10);
    let mut output = Vec::new();
    editor.start("... ", &mut output);
    assert_eq!(output, b"... ");
    assert_eq!(editor.prompt(), "... ");
    assert_eq!(editor.line(), "");
}

#[test]
fn typing_then_cr_returns_line() {
    let (mut editor, _) = started(10);
    assert_eq!(enter(&mut editor, "print(1)"), vec![line("print(1)")]);
    assert_eq!(editor.line(), "");
}

#[test]
fn typing_echoes_characters() {
    let (mut editor, _) = started(10);
    assert_eq!(echo(&mut editor, b"abc"), b"abc");
}

#[test]
fn feed_reports_pending_until_enter() {
    let (mut editor, mut output) = started(10);
    assert_eq!(editor.feed(b'x', &mut output), Event::Pending);
    assert_eq!(editor.feed(b'\r', &mut output), line("x"));
}

#[test]
fn lone_lf_is_enter() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"a\nb\n"), vec![line("a"), line("b")]);
}

#[test]
fn crlf_counts_once() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"a\r\nb\r\n"), vec![line("a"), line("b")]);
}

#[test]
fn crlf_counts_once_across_start() {
    let (mut editor, mut output) = started(10);
    assert_eq!(feed(&mut editor, b"a\r"), vec![line("a")]);
    editor.start(">>> ", &mut output);
    assert_eq!(feed(&mut editor, b"\nb\r"), vec![line("b")]);
}

#[test]
fn cr_cr_is_two_enters() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"a\r\r"), vec![line("a"), line("")]);
}

#[test]
fn lf_cr_is_two_enters() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"\n\r"), vec![line(""), line("")]);
}

#[test]
fn enter_echoes_crlf() {
    let (mut editor, _) = started(10);
    assert_eq!(echo(&mut editor, b"\r"), b"\r\n");
    assert_eq!(echo(&mut editor, b"a\n"), b"a\r\n");
}

#[test]
fn enter_in_middle_returns_whole_line() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x1b[D\x1b[D\r"), vec![line("abc")]);
}

// --- backspace and delete -----------------------------------------------------------

#[test]
fn backspace_at_end() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x7f\r"), vec![line("ab")]);
}

#[test]
fn backspace_ctrl_h_variant() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x08\x08\r"), vec![line("a")]);
}

#[test]
fn backspace_at_start_does_nothing() {
    let (mut editor, _) = started(10);
    assert_eq!(echo(&mut editor, b"\x7f"), b"");
    feed(&mut editor, b"ab\x01");
    assert_eq!(echo(&mut editor, b"\x7f"), b"");
    assert_eq!(editor.line(), "ab");
}

#[test]
fn backspace_in_middle() {
    let (mut editor, _) = started(10);
    assert_eq!(
        feed(&mut editor, b"abcd\x1b[D\x1b[D\x7f\r"),
        vec![line("acd")]
    );
}

#[test]
fn backspace_at_end_echo_is_small() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"ab");
    assert_eq!(echo(&mut editor, b"\x7f"), b"\x08\x1b[K");
}

#[test]
fn backspace_in_middle_redraws() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"abcd\x1b[D\x1b[D");
    assert_eq!(echo(&mut editor, b"\x7f"), b"\r>>> acd\x1b[K\x1b[2D");
    assert_eq!(editor.cursor(), 1);
}

#[test]
fn delete_at_start() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x01\x1b[3~\r"), vec![line("bc")]);
}

#[test]
fn delete_in_middle() {
    let (mut editor, _) = started(10);
    assert_eq!(
        feed(&mut editor, b"abc\x1b[D\x1b[D\x1b[3~\r"),
        vec![line("ac")]
    );
}

#[test]
fn delete_last_character_clears_to_end() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"abc\x1b[D");
    assert_eq!(echo(&mut editor, b"\x1b[3~"), b"\x1b[K");
    assert_eq!(editor.line(), "ab");
}

#[test]
fn delete_at_end_does_nothing() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"abc");
    assert_eq!(echo(&mut editor, b"\x1b[3~"), b"");
    assert_eq!(editor.line(), "abc");
}

#[test]
fn ctrl_d_on_non_empty_line_deletes_under_cursor() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x01\x04\r"), vec![line("bc")]);
}

#[test]
fn ctrl_d_at_end_of_non_empty_line_does_nothing() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x04\r"), vec![line("abc")]);
}

#[test]
fn ctrl_d_on_empty_line_is_end_of_file() {
    let (mut editor, mut output) = started(10);
    assert_eq!(editor.feed(0x04, &mut output), Event::EndOfFile);
    assert_eq!(output, b"\r\n");
}

#[test]
fn ctrl_d_after_line_emptied_is_end_of_file() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"a\x7f\x04"), vec![Event::EndOfFile]);
}

// --- cursor movement ----------------------------------------------------------------

#[test]
fn left_then_insert_in_middle() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"ac\x1b[Db\r"), vec![line("abc")]);
}

#[test]
fn insert_in_middle_redraws() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"ac\x1b[D");
    assert_eq!(echo(&mut editor, b"b"), b"\r>>> abc\x1b[K\x1b[D");
    assert_eq!(editor.cursor(), 2);
}

#[test]
fn left_and_right_echo_single_moves() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"ab");
    assert_eq!(echo(&mut editor, b"\x1b[D"), b"\x1b[D");
    assert_eq!(echo(&mut editor, b"\x1b[C"), b"\x1b[C");
}

#[test]
fn left_at_start_and_right_at_end_do_nothing() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"ab");
    assert_eq!(echo(&mut editor, b"\x1b[C"), b"");
    feed(&mut editor, b"\x01");
    assert_eq!(echo(&mut editor, b"\x1b[D"), b"");
    assert_eq!(editor.cursor(), 0);
}

#[test]
fn ss3_arrows_move() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"ac\x1bODb\x1bOCd\r"), vec![line("abcd")]);
}

#[test]
fn ctrl_b_and_ctrl_f_move() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"ac\x02\x02\x06b\r"), vec![line("abc")]);
}

#[test]
fn home_end_all_variants() {
    let homes: [&[u8]; 5] = [b"\x1b[H", b"\x1bOH", b"\x1b[1~", b"\x1b[7~", b"\x01"];
    let ends: [&[u8]; 5] = [b"\x1b[F", b"\x1bOF", b"\x1b[4~", b"\x1b[8~", b"\x05"];
    for home in homes {
        for end in ends {
            let (mut editor, _) = started(10);
            feed(&mut editor, b"bc");
            assert_eq!(echo(&mut editor, home), b"\x1b[2D", "home {home:?}");
            assert_eq!(editor.cursor(), 0);
            feed(&mut editor, b"a");
            assert_eq!(echo(&mut editor, end), b"\x1b[2C", "end {end:?}");
            assert_eq!(editor.cursor(), 3);
            assert_eq!(feed(&mut editor, b"d\r"), vec![line("abcd")]);
        }
    }
}

#[test]
fn home_at_start_and_end_at_end_echo_nothing() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"ab");
    assert_eq!(echo(&mut editor, b"\x05"), b"");
    feed(&mut editor, b"\x01");
    assert_eq!(echo(&mut editor, b"\x01"), b"");
}

#[test]
fn long_moves_use_counts() {
    let (mut editor, _) = started(10);
    feed(&mut editor, "x".repeat(123).as_bytes());
    assert_eq!(echo(&mut editor, b"\x01"), b"\x1b[123D");
}

// --- history ------------------------------------------------------------------------

#[test]
fn history_records_lines_oldest_first() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    enter(&mut editor, "two");
    assert_eq!(editor.history().collect::<Vec<_>>(), ["one", "two"]);
}

#[test]
fn history_skips_empty_lines_and_consecutive_duplicates() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "a");
    enter(&mut editor, "");
    enter(&mut editor, "a");
    enter(&mut editor, "b");
    enter(&mut editor, "a");
    assert_eq!(editor.history().collect::<Vec<_>>(), ["a", "b", "a"]);
}

#[test]
fn history_is_bounded() {
    let (mut editor, _) = started(3);
    for text in ["1", "2", "3", "4", "5"] {
        enter(&mut editor, text);
    }
    assert_eq!(editor.history().collect::<Vec<_>>(), ["3", "4", "5"]);
}

#[test]
fn zero_capacity_keeps_no_history() {
    let (mut editor, _) = started(0);
    enter(&mut editor, "a");
    assert_eq!(editor.history().count(), 0);
    assert_eq!(feed(&mut editor, b"\x1b[A\r"), vec![line("")]);
}

#[test]
fn up_recalls_newest_then_older() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    enter(&mut editor, "two");
    feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "two");
    feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "one");
    // Past the oldest entry nothing changes.
    assert_eq!(echo(&mut editor, b"\x1b[A"), b"");
    assert_eq!(editor.line(), "one");
    assert_eq!(feed(&mut editor, b"\r"), vec![line("one")]);
}

#[test]
fn up_redraws_with_cursor_at_end() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    assert_eq!(echo(&mut editor, b"\x1b[A"), b"\r>>> one\x1b[K");
    assert_eq!(editor.cursor(), 3);
}

#[test]
fn down_walks_back_and_restores_draft() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    enter(&mut editor, "two");
    feed(&mut editor, b"dra\x1b[D");
    feed(&mut editor, b"\x1b[A\x1b[A");
    assert_eq!(editor.line(), "one");
    feed(&mut editor, b"\x1b[B");
    assert_eq!(editor.line(), "two");
    feed(&mut editor, b"\x1b[B");
    assert_eq!(editor.line(), "dra");
    assert_eq!(editor.cursor(), 3);
    // Further down does nothing.
    assert_eq!(echo(&mut editor, b"\x1b[B"), b"");
    assert_eq!(feed(&mut editor, b"ft\r"), vec![line("draft")]);
}

#[test]
fn ctrl_p_and_ctrl_n_walk_history() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    enter(&mut editor, "two");
    feed(&mut editor, b"x\x10\x10");
    assert_eq!(editor.line(), "one");
    feed(&mut editor, b"\x0e\x0e");
    assert_eq!(editor.line(), "x");
}

#[test]
fn ss3_up_and_down_walk_history() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    feed(&mut editor, b"\x1bOA");
    assert_eq!(editor.line(), "one");
    feed(&mut editor, b"\x1bOB");
    assert_eq!(editor.line(), "");
}

#[test]
fn edited_recall_is_submitted_and_recorded() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    assert_eq!(feed(&mut editor, b"\x1b[A!\r"), vec![line("one!")]);
    assert_eq!(editor.history().collect::<Vec<_>>(), ["one", "one!"]);
}

#[test]
fn recalled_duplicate_is_not_recorded_twice() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    assert_eq!(feed(&mut editor, b"\x1b[A\r"), vec![line("one")]);
    assert_eq!(editor.history().collect::<Vec<_>>(), ["one"]);
}

#[test]
fn up_on_empty_history_does_nothing() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"abc");
    assert_eq!(echo(&mut editor, b"\x1b[A"), b"");
    assert_eq!(editor.line(), "abc");
}

#[test]
fn walk_ends_after_enter() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    enter(&mut editor, "two");
    feed(&mut editor, b"\x1b[A\x1b[A\r");
    // The new walk starts from the newest entry again, which is now "one".
    feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "one");
    feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "two");
}

// --- Ctrl-C -------------------------------------------------------------------------

#[test]
fn ctrl_c_drops_line_and_echoes() {
    let (mut editor, mut output) = started(10);
    feed(&mut editor, b"abc");
    assert_eq!(editor.feed(0x03, &mut output), Event::Interrupt);
    assert_eq!(output, b"^C\r\n");
    assert_eq!(editor.line(), "");
    assert_eq!(editor.history().count(), 0);
    assert_eq!(feed(&mut editor, b"x\r"), vec![line("x")]);
}

#[test]
fn ctrl_c_leaves_history_walk_and_drops_draft() {
    let (mut editor, _) = started(10);
    enter(&mut editor, "one");
    feed(&mut editor, b"draft\x1b[A\x03");
    assert_eq!(editor.line(), "");
    feed(&mut editor, b"\x1b[A\x1b[B");
    assert_eq!(editor.line(), "");
}

#[test]
fn ctrl_c_interrupts_partial_escape_and_character() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"a\x1b[1\x03"), vec![Event::Interrupt]);
    assert_eq!(feed(&mut editor, b"a\xe2\x82\x03"), vec![Event::Interrupt]);
    assert_eq!(feed(&mut editor, b"b\r"), vec![line("b")]);
}

// --- kill and redraw ----------------------------------------------------------------

#[test]
fn ctrl_k_kills_to_end() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"abcd\x1b[D\x1b[D");
    assert_eq!(echo(&mut editor, b"\x0b"), b"\x1b[K");
    assert_eq!(editor.line(), "ab");
    assert_eq!(echo(&mut editor, b"\x0b"), b"");
}

#[test]
fn ctrl_u_kills_to_start() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"abcd\x1b[D\x1b[D");
    assert_eq!(echo(&mut editor, b"\x15"), b"\r>>> cd\x1b[K\x1b[2D");
    assert_eq!(editor.line(), "cd");
    assert_eq!(editor.cursor(), 0);
    assert_eq!(echo(&mut editor, b"\x15"), b"");
}

#[test]
fn ctrl_u_at_end_empties_line() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"abc\x15x\r"), vec![line("x")]);
}

#[test]
fn ctrl_l_clears_screen_and_redraws() {
    let (mut editor, _) = started(10);
    feed(&mut editor, b"ab\x1b[D");
    assert_eq!(
        echo(&mut editor, b"\x0c"),
        b"\x1b[H\x1b[2J\r>>> ab\x1b[K\x1b[D"
    );
    assert_eq!(editor.line(), "ab");
}

#[test]
fn tab_inserts_four_spaces() {
    let (mut editor, _) = started(10);
    assert_eq!(echo(&mut editor, b"\t"), b"    ");
    assert_eq!(feed(&mut editor, b"pass\r"), vec![line("    pass")]);
}

// --- UTF-8 --------------------------------------------------------------------------

#[test]
fn utf8_characters_insert() {
    let (mut editor, _) = started(10);
    let text = "é€😀";
    assert_eq!(echo(&mut editor, text.as_bytes()), text.as_bytes());
    assert_eq!(editor.cursor(), 3);
    assert_eq!(feed(&mut editor, b"\r"), vec![line(text)]);
}

#[test]
fn utf8_backspace_removes_whole_characters() {
    for text in ["é", "€", "😀"] {
        let (mut editor, _) = started(10);
        feed(&mut editor, b"a");
        feed(&mut editor, text.as_bytes());
        feed(&mut editor, b"\x7f");
        assert_eq!(editor.line(), "a", "{text}");
    }
}

#[test]
fn utf8_cursor_moves_per_character() {
    let (mut editor, _) = started(10);
    feed(&mut editor, "é€😀".as_bytes());
    assert_eq!(echo(&mut editor, b"\x1b[D\x1b[D"), b"\x1b[D\x1b[D");
    assert_eq!(editor.cursor(), 1);
    feed(&mut editor, b"x");
    assert_eq!(editor.line(), "éx€😀");
    feed(&mut editor, b"\x1b[3~");
    assert_eq!(editor.line(), "éx😀");
    assert_eq!(echo(&mut editor, b"\x01"), b"\x1b[2D");
}

#[test]
fn utf8_redraw_counts_columns_per_character() {
    let (mut editor, _) = started(10);
    feed(&mut editor, "a€€".as_bytes());
    feed(&mut editor, b"\x01");
    assert_eq!(
        echo(&mut editor, b"b"),
        "\r>>> ba€€\x1b[K\x1b[3D".as_bytes()
    );
}

#[test]
fn invalid_utf8_is_dropped() {
    let cases: [&[u8]; 9] = [
        b"\x80",             // stray continuation
        b"\xbf\xbf",         // stray continuations
        b"\xc0\xaf",         // overlong lead
        b"\xe0\x80\xaf",     // overlong three-byte form
        b"\xed\xa0\x80",     // surrogate
        b"\xf4\x90\x80\x80", // above U+10FFFF
        b"\xf5\x80\x80\x80", // invalid lead
        b"\xff\xfe",         // invalid bytes
        b"\xe2\x82",         // truncated before a new character
    ];
    for case in cases {
        let (mut editor, _) = started(10);
        let mut bytes = b"a".to_vec();
        bytes.extend_from_slice(case);
        bytes.extend_from_slice(b"b\r");
        assert_eq!(feed(&mut editor, &bytes), vec![line("ab")], "{case:?}");
    }
}

#[test]
fn truncated_character_followed_by_new_character() {
    let (mut editor, _) = started(10);
    // A lead byte of € interrupted by the lead byte of é: é survives.
    assert_eq!(feed(&mut editor, b"\xe2\xc3\xa9\r"), vec![line("é")]);
}

// --- escape garbage -----------------------------------------------------------------

#[test]
fn unknown_escape_sequences_are_swallowed() {
    let sequences: [&[u8]; 11] = [
        b"\x1b[1;5C",   // Ctrl+Right
        b"\x1b[1;2D",   // Shift+Left
        b"\x1b[5~",     // Page Up
        b"\x1b[15~",    // F5
        b"\x1b[200~",   // bracketed paste start
        b"\x1b[?25h",   // private mode
        b"\x1b[12;40R", // cursor position report
        b"\x1bOP",      // F1
        b"\x1bOx",      // keypad
        b"\x1bx",       // Alt+x
        b"\x1b[Z",      // Shift+Tab
    ];
    for sequence in sequences {
        let (mut editor, _) = started(10);
        feed(&mut editor, b"ab");
        assert_eq!(echo(&mut editor, sequence), b"", "{sequence:?}");
        assert_eq!(feed(&mut editor, b"c\r"), vec![line("abc")], "{sequence:?}");
    }
}

#[test]
fn overlong_control_sequence_is_swallowed() {
    let (mut editor, _) = started(10);
    let mut bytes = b"a\x1b[".to_vec();
    bytes.extend_from_slice(&[b'3'; 100]);
    bytes.extend_from_slice(b"~b\r");
    assert_eq!(feed(&mut editor, &bytes), vec![line("ab")]);
}

#[test]
fn escape_interrupted_by_control_byte_handles_that_byte() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"ab\x1b[\x7f\r"), vec![line("a")]);
    assert_eq!(feed(&mut editor, b"ab\x1bO\r"), vec![line("ab")]);
    assert_eq!(feed(&mut editor, b"ab\x1b\r"), vec![line("ab")]);
}

#[test]
fn double_escape_starts_a_new_sequence() {
    let (mut editor, _) = started(10);
    assert_eq!(feed(&mut editor, b"ab\x1b\x1b[Dc\r"), vec![line("acb")]);
}

#[test]
fn other_control_bytes_are_ignored() {
    let (mut editor, _) = started(10);
    let mut bytes = b"a".to_vec();
    bytes.extend([
        0x00, 0x07, 0x0f, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x19,
    ]);
    bytes.extend([0x1a, 0x1c, 0x1d, 0x1e, 0x1f]);
    let output = echo(&mut editor, &bytes);
    assert_eq!(output, b"a");
    assert_eq!(feed(&mut editor, b"\r"), vec![line("a")]);
}

// --- maximum length -----------------------------------------------------------------

#[test]
fn default_maximum_length() {
    let editor = Editor::new(1);
    assert_eq!(editor.max_line_bytes(), DEFAULT_MAX_LINE_BYTES);
    assert_eq!(DEFAULT_MAX_LINE_BYTES, 4096);
}

#[test]
fn full_line_refuses_input_with_bell() {
    let mut editor = Editor::new(10).with_max_line_bytes(4);
    let mut output = Vec::new();
    editor.start("> ", &mut output);
    output.clear();
    editor.feed_bytes(b"abcde", &mut output);
    assert_eq!(output, b"abcd\x07");
    assert_eq!(editor.line(), "abcd");
}

#[test]
fn full_line_refuses_multibyte_character_that_does_not_fit() {
    let mut editor = Editor::new(10).with_max_line_bytes(4);
    let mut output = Vec::new();
    editor.feed_bytes("ab€".as_bytes(), &mut output);
    assert_eq!(output, b"ab\x07");
    editor.feed_bytes("é".as_bytes(), &mut output);
    assert_eq!(editor.line(), "abé");
}

#[test]
fn tab_that_does_not_fit_is_refused_whole() {
    let mut editor = Editor::new(10).with_max_line_bytes(5);
    let mut output = Vec::new();
    editor.feed_bytes(b"ab\t", &mut output);
    assert_eq!(output, b"ab\x07");
    assert_eq!(editor.line(), "ab");
}

#[test]
fn default_maximum_is_enforced() {
    let (mut editor, _) = started(10);
    let output = echo(&mut editor, &[b'x'; DEFAULT_MAX_LINE_BYTES + 10]);
    assert_eq!(editor.line().len(), DEFAULT_MAX_LINE_BYTES);
    assert_eq!(output.iter().filter(|&&byte| byte == 0x07).count(), 10);
}

// --- robustness ---------------------------------------------------------------------

#[test]
fn pseudo_random_bytes_never_break_invariants() {
    for seed in [
        1u64,
        2,
        0x1234_5678,
        0xdead_beef_cafe,
        0x9e37_79b9_7f4a_7c15,
    ] {
        let mut random = XorShift(seed);
        let mut editor = Editor::new(8).with_max_line_bytes(64);
        let mut output = Vec::new();
        editor.start(">>> ", &mut output);
        for _ in 0..20_000 {
            let byte = random.next_byte();
            let event = editor.feed(byte, &mut output);
            if event != Event::Pending {
                editor.start(">>> ", &mut output);
            }
            if let Event::Line(text) = &event {
                assert!(text.len() <= 64);
            }
            assert!(std::str::from_utf8(editor.line().as_bytes()).is_ok());
            assert!(editor.line().len() <= editor.max_line_bytes());
            assert!(editor.cursor() <= editor.line().chars().count());
            assert!(editor.history().count() <= 8);
            assert!(editor.history().all(|entry| !entry.is_empty()));
        }
        // Everything echoed is valid UTF-8: invalid input never reaches the terminal.
        assert!(std::str::from_utf8(&output).is_ok(), "seed {seed}");
    }
}

#[test]
fn pseudo_random_escape_heavy_input_never_breaks_invariants() {
    // Biased towards ESC, '[', 'O', digits and final bytes to exercise the decoder.
    const ALPHABET: &[u8] =
        b"\x1b\x1b\x1b[[O0123456789;~ABCDHFab\x7f\x01\x05\x0b\x15\r\n\xc3\xa9\xe2";
    for seed in [7u64, 99, 0xfeed_f00d] {
        let mut random = XorShift(seed);
        let mut editor = Editor::new(4).with_max_line_bytes(32);
        let mut output = Vec::new();
        for _ in 0..20_000 {
            let byte = ALPHABET[usize::from(random.next_byte()) % ALPHABET.len()];
            editor.feed(byte, &mut output);
            assert!(editor.line().len() <= 32);
            assert!(editor.cursor() <= editor.line().chars().count());
        }
        assert!(std::str::from_utf8(&output).is_ok(), "seed {seed}");
    }
}

// --- exact echo ---------------------------------------------------------------------

#[test]
fn simple_session_echo_is_exact() {
    let mut editor = Editor::new(10);
    let mut output = Vec::new();
    editor.start(">>> ", &mut output);
    let events = editor.feed_bytes(b"x = 1\r\n", &mut output);
    assert_eq!(events, vec![line("x = 1")]);
    editor.start(">>> ", &mut output);
    // Type "pint(x)", go left 6, insert "r", go to end, Enter.
    let events = editor.feed_bytes(
        b"pint(x)\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[Dr\x05\r",
        &mut output,
    );
    assert_eq!(events, vec![line("print(x)")]);
    editor.start(">>> ", &mut output);
    // Recall the previous line, delete the closing parenthesis, then Ctrl-C.
    let events = editor.feed_bytes(b"\x1b[A\x7f\x03", &mut output);
    assert_eq!(events, vec![Event::Interrupt]);
    editor.start(">>> ", &mut output);
    let events = editor.feed_bytes(b"\x04", &mut output);
    assert_eq!(events, vec![Event::EndOfFile]);

    let expected: &[u8] = b">>> x = 1\r\n\
        >>> pint(x)\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\r>>> print(x)\x1b[K\x1b[6D\x1b[6C\r\n\
        >>> \r>>> print(x)\x1b[K\x08\x1b[K^C\r\n\
        >>> \r\n";
    assert_eq!(
        String::from_utf8_lossy(&output),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(editor.history().collect::<Vec<_>>(), ["x = 1", "print(x)"]);
}

#[test]
fn tab_after_a_word_asks_for_completion_when_enabled() {
    let mut editor = Editor::new(10).with_completion(true);
    let mut output = Vec::new();
    editor.start(">>> ", &mut output);
    output.clear();
    // At the start of the line (and after a space) Tab still indents.
    assert_eq!(editor.feed(b'\t', &mut output), Event::Pending);
    assert_eq!(editor.line(), "    ");
    editor.feed_bytes(b"pri", &mut output);
    output.clear();
    assert_eq!(editor.feed(b'\t', &mut output), Event::Complete);
    assert!(output.is_empty());
    assert_eq!(editor.text_before_cursor(), "    pri");
    editor.insert_text("nt(", &mut output);
    assert_eq!(editor.line(), "    print(");
    output.clear();
    editor.refresh(&mut output);
    assert_eq!(output, b"\r>>>     print(\x1b[K");
    // Without completion, Tab after a word indents as before.
    let mut plain = Editor::new(10);
    plain.feed_bytes(b"x", &mut output);
    assert_eq!(plain.feed(b'\t', &mut output), Event::Pending);
    assert_eq!(plain.line(), "x    ");
}
