//! Console tests: the grid model, every escape sequence, UTF-8, and the pixels drawn.

mod common;

use common::{assert_screen_matches_grid, console_and_screen, console_with, Random, Screen};
use fbconsole::color::{xterm_color, ANSI_PALETTE};
use fbconsole::{
    Attributes, ColorSpec, Console, ConsoleConfig, CursorStyle, PixelFormat, Rgb,
    DEFAULT_BACKGROUND, DEFAULT_FOREGROUND,
};

/// 10 columns x 3 rows of 10x19 cells (with 10 spare pixel rows at the bottom).
const SMALL_WIDTH: u32 = 100;
const SMALL_HEIGHT: u32 = 67;

fn small() -> (Console, Screen) {
    console_and_screen(SMALL_WIDTH, SMALL_HEIGHT)
}

fn write(console: &mut Console, screen: &mut Screen, bytes: &[u8]) {
    console.write(&mut screen.surface(), bytes);
}

/// The grid rows with trailing blanks removed.
fn rows(console: &Console) -> Vec<String> {
    (0..console.rows())
        .map(|row| console.row_text(row).trim_end().to_owned())
        .collect()
}

/// Colours present in the pixels of cell (`column`, `row`).
fn cell_colors(console: &Console, screen: &mut Screen, column: u32, row: u32) -> Vec<Rgb> {
    let cell = console.cell_metrics();
    let surface = screen.surface();
    let mut colors = Vec::new();
    for y in 0..cell.height {
        for x in 0..cell.width {
            let color = surface
                .pixel(
                    (column * cell.width + x) as i32,
                    (row * cell.height + y) as i32,
                )
                .expect("cell is on the screen");
            if !colors.contains(&color) {
                colors.push(color);
            }
        }
    }
    colors
}

/// `color` as the RGB565 screen stores and reads it back.
fn on_screen(color: Rgb) -> Rgb {
    PixelFormat::Rgb565.decode(PixelFormat::Rgb565.encode(color))
}

#[test]
fn grid_size_follows_surface_and_cell() {
    let (console, _) = console_and_screen(640, 480);
    let cell = console.cell_metrics();
    assert_eq!((cell.width, cell.height, cell.baseline), (10, 19, 15));
    assert_eq!((console.columns(), console.rows()), (64, 25));
    let (console, _) = small();
    assert_eq!((console.columns(), console.rows()), (10, 3));
}

#[test]
fn text_lands_in_grid_and_on_screen() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"Hi!");
    assert_eq!(rows(&console), ["Hi!", "", ""]);
    assert_eq!(console.cursor(), (3, 0));
    let cell = console.cell(0, 0).unwrap();
    assert_eq!(cell.character, 'H');
    assert_eq!(cell.attributes, Attributes::default());
    // 'H' has ink in the default foreground over the default background.
    let colors = cell_colors(&console, &mut screen, 0, 0);
    assert!(colors.contains(&on_screen(DEFAULT_FOREGROUND)));
    assert!(colors.contains(&DEFAULT_BACKGROUND));
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn wrap_is_deferred_at_the_last_column() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"0123456789");
    // The cursor stays on the last column with a pending wrap.
    assert_eq!(console.cursor(), (9, 0));
    assert!(console.wrap_pending());
    // \r\n after a full line: no empty line in between.
    write(&mut console, &mut screen, b"\r\nab");
    assert_eq!(rows(&console), ["0123456789", "ab", ""]);
    // A printable character after a full line wraps first.
    write(&mut console, &mut screen, b"\r\n0123456789");
    assert_eq!(rows(&console), ["0123456789", "ab", "0123456789"]);
    // The X wraps, and that scrolls everything up by one.
    write(&mut console, &mut screen, b"X");
    assert_eq!(rows(&console), ["ab", "0123456789", "X"]);
    assert_eq!(console.cursor(), (1, 2));
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn autowrap_can_be_turned_off() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"\x1b[?7l0123456789XYZ");
    assert_eq!(rows(&console), ["012345678Z", "", ""]);
    assert!(!console.wrap_pending());
    write(&mut console, &mut screen, b"\x1b[?7h\r0123456789X");
    assert_eq!(rows(&console), ["0123456789", "X", ""]);
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn scrolling_drops_the_top_line_and_clears_the_new_one() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"one\r\ntwo\r\nthree\r\nfour");
    assert_eq!(rows(&console), ["two", "three", "four"]);
    assert_eq!(console.cursor(), (4, 2));
    write(&mut console, &mut screen, b"\r\n");
    assert_eq!(rows(&console), ["three", "four", ""]);
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn scrolling_moves_pixels_instead_of_redrawing() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"\x1b[?25labc\r\ndef\r\nghi");
    let cell = console.cell_metrics();
    // A mark drawn behind the console's back in row 1 moves up with the pixels.
    let marker = on_screen(Rgb::new(0xF8, 0, 0xF8));
    screen
        .surface()
        .set_pixel(95, cell.height as i32 + 3, marker);
    let drawn = console.glyphs().rasterizations();
    write(&mut console, &mut screen, b"\r\n");
    assert_eq!(screen.surface().pixel(95, 3), Some(marker));
    assert_eq!(
        console.glyphs().rasterizations(),
        drawn,
        "nothing re-rasterised"
    );
    // The new last row is cleared to the background.
    let last = 2 * cell.height as i32;
    for y in last..last + cell.height as i32 {
        for x in 0..SMALL_WIDTH as i32 {
            assert_eq!(screen.surface().pixel(x, y), Some(DEFAULT_BACKGROUND));
        }
    }
}

#[test]
fn line_feed_keeps_the_column_and_carriage_return_goes_home() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"ab\ncd\re");
    assert_eq!(rows(&console), ["ab", "e cd", ""]);
    // VT and FF move down like LF.
    write(&mut console, &mut screen, b"\x0bX\x0cY");
    assert_eq!(rows(&console), ["e cd", " X", "  Y"]);
    assert_eq!(console.cursor(), (3, 2));
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn tab_moves_to_the_next_multiple_of_eight() {
    let (mut console, mut screen) = console_and_screen(640, 480);
    write(&mut console, &mut screen, b"a\tb\tc");
    assert_eq!(console.row_text(0).trim_end(), "a       b       c");
    assert_eq!(console.cursor(), (17, 0));
    write(&mut console, &mut screen, b"\r\x1b[60G\t");
    assert_eq!(console.cursor(), (63, 0), "clamped to the last column");
    write(&mut console, &mut screen, b"\t");
    assert_eq!(console.cursor(), (63, 0));
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn backspace_moves_left_without_erasing() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"abc\x08");
    assert_eq!(console.cursor(), (2, 0));
    assert_eq!(rows(&console)[0], "abc");
    write(&mut console, &mut screen, b"\x08X");
    assert_eq!(rows(&console)[0], "aXc");
    write(&mut console, &mut screen, b"\r\x08\x08");
    assert_eq!(console.cursor(), (0, 0), "stops at column 0");
    // After a full line the pending wrap is dropped and the cursor steps back.
    write(&mut console, &mut screen, b"0123456789\x08Z");
    assert_eq!(rows(&console)[0], "01234567Z9");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn bell_and_other_controls_print_nothing() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"a\x07b\x00\x01\x7fc\xc2\x85d");
    assert_eq!(rows(&console)[0], "abcd");
}

#[test]
fn utf8_split_across_writes() {
    let (mut console, mut screen) = small();
    let text = "é€😀";
    for byte in text.as_bytes() {
        write(&mut console, &mut screen, std::slice::from_ref(byte));
    }
    assert_eq!(rows(&console)[0], text);
    assert_eq!(console.cursor(), (3, 0));
    // Split in two at every offset.
    for split in 0..text.len() {
        console.reset(&mut screen.surface());
        write(&mut console, &mut screen, &text.as_bytes()[..split]);
        write(&mut console, &mut screen, &text.as_bytes()[split..]);
        assert_eq!(rows(&console)[0], text, "split at {split}");
    }
}

#[test]
fn invalid_utf8_shows_replacement_characters() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"a\xffb\xe2\x82c\x80");
    assert_eq!(rows(&console)[0], "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
    // A sequence cut by ESC: U+FFFD, then the escape sequence works.
    write(&mut console, &mut screen, b"\r\n\xe2\x1b[31mR");
    assert_eq!(rows(&console)[1], "\u{FFFD}R");
    assert_eq!(
        console.cell(1, 1).unwrap().attributes.foreground,
        ColorSpec::Indexed(1)
    );
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn cursor_movement_sequences() {
    let (mut console, mut screen) = console_and_screen(640, 480);
    write(&mut console, &mut screen, b"\x1b[10;20H");
    assert_eq!(console.cursor(), (19, 9));
    write(&mut console, &mut screen, b"\x1b[3A");
    assert_eq!(console.cursor(), (19, 6));
    write(&mut console, &mut screen, b"\x1b[A\x1b[0A");
    assert_eq!(console.cursor(), (19, 4), "missing and 0 counts mean 1");
    write(&mut console, &mut screen, b"\x1b[2B");
    assert_eq!(console.cursor(), (19, 6));
    write(&mut console, &mut screen, b"\x1b[5C");
    assert_eq!(console.cursor(), (24, 6));
    write(&mut console, &mut screen, b"\x1b[4D");
    assert_eq!(console.cursor(), (20, 6));
    write(&mut console, &mut screen, b"\x1b[99A\x1b[999D");
    assert_eq!(console.cursor(), (0, 0), "clamped at the top left");
    write(&mut console, &mut screen, b"\x1b[99B\x1b[999C");
    assert_eq!(console.cursor(), (63, 24), "clamped at the bottom right");
    write(&mut console, &mut screen, b"\x1b[2F");
    assert_eq!(console.cursor(), (0, 22));
    write(&mut console, &mut screen, b"\x1b[5G\x1b[E");
    assert_eq!(console.cursor(), (0, 23));
    write(&mut console, &mut screen, b"\x1b[7d\x1b[12G");
    assert_eq!(console.cursor(), (11, 6));
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn cursor_position_sequence() {
    let (mut console, mut screen) = console_and_screen(640, 480);
    write(&mut console, &mut screen, b"\x1b[5;5H\x1b[H");
    assert_eq!(console.cursor(), (0, 0));
    write(&mut console, &mut screen, b"\x1b[3H");
    assert_eq!(console.cursor(), (0, 2));
    write(&mut console, &mut screen, b"\x1b[;7H");
    assert_eq!(console.cursor(), (6, 0));
    write(&mut console, &mut screen, b"\x1b[0;0f");
    assert_eq!(console.cursor(), (0, 0));
    write(&mut console, &mut screen, b"\x1b[99999;99999H");
    assert_eq!(console.cursor(), (63, 24));
    write(&mut console, &mut screen, b"\x1b[2;3HX");
    assert_eq!(console.cell(2, 1).unwrap().character, 'X');
}

#[test]
fn erase_in_line() {
    let (mut console, mut screen) = small();
    let fill = b"\x1b[H0123456789\x1b[1;5H";
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[K");
    assert_eq!(rows(&console)[0], "0123");
    assert_eq!(console.cursor(), (4, 0), "erasing does not move the cursor");
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[0K");
    assert_eq!(rows(&console)[0], "0123");
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[1K");
    assert_eq!(rows(&console)[0], "     56789");
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[2K");
    assert_eq!(rows(&console)[0], "");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn erase_in_display() {
    let (mut console, mut screen) = small();
    let fill = b"\x1b[Haaaaaaaaaa\r\nbbbbbbbbbb\r\ncccccccccc\x1b[2;4H";
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[J");
    assert_eq!(rows(&console), ["aaaaaaaaaa", "bbb", ""]);
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[1J");
    assert_eq!(rows(&console), ["", "    bbbbbb", "cccccccccc"]);
    write(&mut console, &mut screen, fill);
    write(&mut console, &mut screen, b"\x1b[2J");
    assert_eq!(rows(&console), ["", "", ""]);
    assert_eq!(console.cursor(), (3, 1), "2J keeps the cursor");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn sgr_sets_ansi_colors() {
    let (mut console, mut screen) = console_and_screen(640, 480);
    let cases: [(&[u8], ColorSpec, ColorSpec); 9] = [
        (b"\x1b[31m", ColorSpec::Indexed(1), ColorSpec::Default),
        (b"\x1b[37;44m", ColorSpec::Indexed(7), ColorSpec::Indexed(4)),
        (b"\x1b[30;47m", ColorSpec::Indexed(0), ColorSpec::Indexed(7)),
        (
            b"\x1b[92;101m",
            ColorSpec::Indexed(10),
            ColorSpec::Indexed(9),
        ),
        (
            b"\x1b[97;107m",
            ColorSpec::Indexed(15),
            ColorSpec::Indexed(15),
        ),
        (
            b"\x1b[90;100m",
            ColorSpec::Indexed(8),
            ColorSpec::Indexed(8),
        ),
        (b"\x1b[39m", ColorSpec::Default, ColorSpec::Indexed(8)),
        (b"\x1b[49m", ColorSpec::Default, ColorSpec::Default),
        (
            b"\x1b[33;42m\x1b[0m",
            ColorSpec::Default,
            ColorSpec::Default,
        ),
    ];
    for (sequence, foreground, background) in cases {
        write(&mut console, &mut screen, sequence);
        let attributes = console.attributes();
        assert_eq!(
            (attributes.foreground, attributes.background),
            (foreground, background),
            "{}",
            String::from_utf8_lossy(sequence).escape_debug()
        );
    }
    // `CSI m` alone resets too.
    write(&mut console, &mut screen, b"\x1b[35;46m\x1b[m");
    assert_eq!(console.attributes(), Attributes::default());
}

#[test]
fn sgr_colors_reach_the_pixels() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"\x1b[32;44mG\x1b[0m");
    let colors = cell_colors(&console, &mut screen, 0, 0);
    assert!(colors.contains(&on_screen(ANSI_PALETTE[2])), "{colors:?}");
    assert!(colors.contains(&on_screen(ANSI_PALETTE[4])), "{colors:?}");
    assert!(!colors.contains(&DEFAULT_BACKGROUND));
    // The erase after the reset uses the default background again.
    write(&mut console, &mut screen, b"\x1b[41m\x1b[K\x1b[0m");
    let colors = cell_colors(&console, &mut screen, 5, 0);
    assert_eq!(
        colors,
        [on_screen(ANSI_PALETTE[1])],
        "erase uses the current background"
    );
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn bold_brightens_and_reverse_swaps() {
    let (mut console, mut screen) = small();
    // Bold red shows bright red; bold default shows white.
    write(&mut console, &mut screen, b"\x1b[1;31mB\x1b[39mW\x1b[22mn");
    assert!(console.cell(0, 0).unwrap().attributes.bold);
    assert!(!console.cell(2, 0).unwrap().attributes.bold);
    let colors = cell_colors(&console, &mut screen, 0, 0);
    assert!(colors.contains(&on_screen(ANSI_PALETTE[9])), "{colors:?}");
    let colors = cell_colors(&console, &mut screen, 1, 0);
    assert!(colors.contains(&Rgb::WHITE), "{colors:?}");
    let colors = cell_colors(&console, &mut screen, 2, 0);
    assert!(
        colors.contains(&on_screen(DEFAULT_FOREGROUND)),
        "{colors:?}"
    );
    // Reverse: a blank cell shows the foreground colour as its background.
    write(&mut console, &mut screen, b"\x1b[7m \x1b[27m ");
    assert!(console.cell(3, 0).unwrap().attributes.reverse);
    assert!(!console.cell(4, 0).unwrap().attributes.reverse);
    assert_eq!(
        cell_colors(&console, &mut screen, 3, 0),
        [on_screen(DEFAULT_FOREGROUND)]
    );
    assert_eq!(
        cell_colors(&console, &mut screen, 4, 0),
        [DEFAULT_BACKGROUND]
    );
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn sgr_256_colors_and_truecolor() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"\x1b[38;5;196;48;5;21mX");
    let attributes = console.cell(0, 0).unwrap().attributes;
    assert_eq!(attributes.foreground, ColorSpec::Indexed(196));
    assert_eq!(attributes.background, ColorSpec::Indexed(21));
    let colors = cell_colors(&console, &mut screen, 0, 0);
    assert!(colors.contains(&on_screen(xterm_color(196))));
    assert!(colors.contains(&on_screen(xterm_color(21))));
    // Grey ramp, truecolor, then a plain code after the extended one still applies.
    write(&mut console, &mut screen, b"\x1b[0;38;5;244;1m");
    assert_eq!(console.attributes().foreground, ColorSpec::Indexed(244));
    assert!(console.attributes().bold);
    write(
        &mut console,
        &mut screen,
        b"\x1b[38;2;1;2;3;48;2;250;251;252m",
    );
    assert_eq!(
        console.attributes().foreground,
        ColorSpec::Rgb(Rgb::new(1, 2, 3))
    );
    assert_eq!(
        console.attributes().background,
        ColorSpec::Rgb(Rgb::new(250, 251, 252))
    );
    // Malformed extended colours change nothing and print nothing.
    write(
        &mut console,
        &mut screen,
        b"\x1b[0m\x1b[38;5;300m\x1b[48;5m\x1b[38;9m\x1b[38m",
    );
    assert_eq!(console.attributes(), Attributes::default());
    assert_eq!(rows(&console)[0], "X");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn block_cursor_is_drawn_and_removed() {
    let (mut console, mut screen) = small();
    // At the start the cursor cell (0, 0) is a solid block of the text colour.
    assert_eq!(
        cell_colors(&console, &mut screen, 0, 0),
        [on_screen(DEFAULT_FOREGROUND)]
    );
    write(&mut console, &mut screen, b"a");
    assert_eq!(
        cell_colors(&console, &mut screen, 1, 0),
        [on_screen(DEFAULT_FOREGROUND)]
    );
    // The old place shows the character again, with the normal background.
    assert!(cell_colors(&console, &mut screen, 0, 0).contains(&DEFAULT_BACKGROUND));
    assert_screen_matches_grid(&mut console, &mut screen);
    // Hidden by CSI ?25l: the cell is plain background; shown again by CSI ?25h.
    write(&mut console, &mut screen, b"\x1b[?25l");
    assert!(!console.cursor_visible());
    assert_eq!(
        cell_colors(&console, &mut screen, 1, 0),
        [DEFAULT_BACKGROUND]
    );
    assert_screen_matches_grid(&mut console, &mut screen);
    write(&mut console, &mut screen, b"\x1b[?25h");
    assert_eq!(
        cell_colors(&console, &mut screen, 1, 0),
        [on_screen(DEFAULT_FOREGROUND)]
    );
    // set_cursor_visible acts at once.
    console.set_cursor_visible(&mut screen.surface(), false);
    assert_eq!(
        cell_colors(&console, &mut screen, 1, 0),
        [DEFAULT_BACKGROUND]
    );
    console.set_cursor_visible(&mut screen.surface(), true);
    assert_eq!(
        cell_colors(&console, &mut screen, 1, 0),
        [on_screen(DEFAULT_FOREGROUND)]
    );
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn underline_cursor() {
    let config = ConsoleConfig {
        cursor_style: CursorStyle::Underline,
        ..ConsoleConfig::default()
    };
    let (mut console, mut screen) =
        console_with(SMALL_WIDTH, SMALL_HEIGHT, PixelFormat::Rgb565, config);
    write(&mut console, &mut screen, b"ab");
    let cell = console.cell_metrics();
    let surface = screen.surface();
    let bar_rows = (cell.height / 8).max(1);
    for y in 0..cell.height {
        for x in 0..cell.width {
            let expected = if y >= cell.height - bar_rows {
                on_screen(DEFAULT_FOREGROUND)
            } else {
                DEFAULT_BACKGROUND
            };
            assert_eq!(
                surface.pixel((2 * cell.width + x) as i32, y as i32),
                Some(expected)
            );
        }
    }
    write(&mut console, &mut screen, b"\x1b[D\x1b[D");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn unknown_sequences_are_swallowed() {
    let (mut console, mut screen) = console_and_screen(640, 480);
    let junk: &[&[u8]] = &[
        b"\x1b[?1049h",
        b"\x1b[?2004l",
        b"\x1b[6n",
        b"\x1b[>0c",
        b"\x1b[1 q",
        b"\x1b[4;20r",
        b"\x1b[3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21m",
        b"\x1b]0;window title\x07",
        b"\x1b]8;;http://example\x1b\\",
        b"\x1bP1$r0m\x1b\\",
        b"\x1b(B",
        b"\x1b)0",
        b"\x1b#8",
        b"\x1b=",
        b"\x1b>",
        b"\x1b[4\x7f0C",
        b"\x1b[1?2h",
        b"\x1b[1$\x1b[",
        b"\x1b[\xc3\xa9",
    ];
    for sequence in junk {
        write(&mut console, &mut screen, sequence);
    }
    // DEL inside a sequence is ignored: that was CSI 40 C.
    assert_eq!(console.cursor(), (40, 0));
    write(&mut console, &mut screen, b"\x1b[Hok");
    assert_eq!(console.row_text(0).trim_end(), "ok");
    for row in 1..console.rows() {
        assert_eq!(console.row_text(row).trim_end(), "", "row {row}");
    }
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn interrupted_sequence_restarts_at_the_new_escape() {
    let (mut console, mut screen) = small();
    write(
        &mut console,
        &mut screen,
        b"\x1b[31\x1b[32mg\x1b\x1b[33my\x1b]title\x1b[34mb",
    );
    assert_eq!(rows(&console)[0], "gyb");
    let foregrounds: Vec<ColorSpec> = (0..3)
        .map(|column| console.cell(column, 0).unwrap().attributes.foreground)
        .collect();
    assert_eq!(
        foregrounds,
        [
            ColorSpec::Indexed(2),
            ColorSpec::Indexed(3),
            ColorSpec::Indexed(4)
        ]
    );
    // CAN and SUB abort a sequence.
    write(&mut console, &mut screen, b"\x1b[3\x181m\x1b[\x1a2m");
    assert_eq!(rows(&console)[0], "gyb1m2m");
}

#[test]
fn sequences_split_across_writes() {
    let (mut console, mut screen) = small();
    for piece in [
        &b"\x1b"[..],
        b"[",
        b"3",
        b"1",
        b";4",
        b"4m",
        b"Z\x1b[",
        b"2;",
        b"1H",
    ] {
        write(&mut console, &mut screen, piece);
    }
    assert_eq!(rows(&console)[0], "Z");
    let attributes = console.cell(0, 0).unwrap().attributes;
    assert_eq!(attributes.foreground, ColorSpec::Indexed(1));
    assert_eq!(attributes.background, ColorSpec::Indexed(4));
    assert_eq!(console.cursor(), (0, 1));
}

#[test]
fn insert_delete_and_erase_characters() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"abcdef\x1b[1;3H\x1b[2@");
    assert_eq!(rows(&console)[0], "ab  cdef");
    write(&mut console, &mut screen, b"\x1b[3P");
    assert_eq!(rows(&console)[0], "abdef");
    write(&mut console, &mut screen, b"\x1b[2X");
    assert_eq!(rows(&console)[0], "ab  f");
    write(&mut console, &mut screen, b"\x1b[99@");
    assert_eq!(rows(&console)[0], "ab");
    assert_eq!(console.cursor(), (2, 0));
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn scroll_sequences_and_reverse_index() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"1\r\n2\r\n3\x1b[S");
    assert_eq!(rows(&console), ["2", "3", ""]);
    write(&mut console, &mut screen, b"\x1b[2T");
    assert_eq!(rows(&console), ["", "", "2"]);
    // ESC M at the top scrolls down; ESC D at the bottom scrolls up.
    write(&mut console, &mut screen, b"\x1b[HX\x1bM");
    assert_eq!(rows(&console), ["", "X", ""]);
    write(&mut console, &mut screen, b"\x1b[3;1HY\x1bD");
    assert_eq!(rows(&console), ["X", "Y", ""]);
    assert_eq!(console.cursor(), (1, 2));
    write(&mut console, &mut screen, b"\x1bEz");
    assert_eq!(rows(&console), ["Y", "", "z"]);
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn save_restore_and_reset() {
    let (mut console, mut screen) = small();
    write(
        &mut console,
        &mut screen,
        b"\x1b[2;3H\x1b[31m\x1b7\x1b[H\x1b[0mA\x1b8B",
    );
    assert_eq!(console.cursor(), (3, 1));
    assert_eq!(
        console.cell(2, 1).unwrap().attributes.foreground,
        ColorSpec::Indexed(1)
    );
    write(&mut console, &mut screen, b"\x1b[s\x1b[3;9H\x1b[u");
    assert_eq!(console.cursor(), (3, 1));
    write(&mut console, &mut screen, b"\x1b[?25l\x1bc");
    assert_eq!(rows(&console), ["", "", ""]);
    assert_eq!(console.cursor(), (0, 0));
    assert!(console.cursor_visible());
    assert_eq!(console.attributes(), Attributes::default());
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn line_editor_redraw_flow() {
    // What lineedit sends: prompt, line, clear to end, cursor back.
    let (mut console, mut screen) = console_and_screen(640, 480);
    write(&mut console, &mut screen, b">>> print(1)");
    write(&mut console, &mut screen, b"\x1b[D\x1b[D");
    write(&mut console, &mut screen, b"\r>>> prin(1)\x1b[K\x1b[3D");
    assert_eq!(console.row_text(0).trim_end(), ">>> prin(1)");
    assert_eq!(console.cursor(), (8, 0));
    write(&mut console, &mut screen, b"\r\n1\r\n>>> ");
    assert_eq!(console.row_text(1).trim_end(), "1");
    assert_eq!(console.cursor(), (4, 2));
    write(&mut console, &mut screen, b"\x1b[H\x1b[2J>>> ");
    assert_eq!(console.row_text(0).trim_end(), ">>>");
    assert_eq!(console.row_text(2).trim_end(), "");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn redraw_all_restores_a_screen_drawn_over() {
    let (mut console, mut screen) = small();
    write(&mut console, &mut screen, b"\x1b[35mhello\x1b[0m\r\nworld");
    let before = screen.pixels.clone();
    screen.surface().fill(Rgb::new(1, 2, 3));
    console.redraw_all(&mut screen.surface());
    assert!(screen.pixels == before);
    // clear() blanks grid and screen.
    console.clear(&mut screen.surface());
    assert_eq!(rows(&console), ["", "", ""]);
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn margins_offset_the_text_area() {
    let config = ConsoleConfig {
        margin_x: 7,
        margin_y: 5,
        ..ConsoleConfig::default()
    };
    let (mut console, mut screen) =
        console_with(SMALL_WIDTH, SMALL_HEIGHT, PixelFormat::Rgb565, config);
    // 100 - 14 = 86 pixels: 8 columns; 67 - 10 = 57: 3 rows.
    assert_eq!((console.columns(), console.rows()), (8, 3));
    write(&mut console, &mut screen, b"\x1b[?25l\x1b[7m \x1b[27m");
    let surface = screen.surface();
    assert_eq!(surface.pixel(6, 5), Some(DEFAULT_BACKGROUND));
    assert_eq!(surface.pixel(7, 4), Some(DEFAULT_BACKGROUND));
    assert_eq!(surface.pixel(7, 5), Some(on_screen(DEFAULT_FOREGROUND)));
    assert_eq!(surface.pixel(16, 23), Some(on_screen(DEFAULT_FOREGROUND)));
    assert_eq!(surface.pixel(17, 23), Some(DEFAULT_BACKGROUND));
    write(&mut console, &mut screen, b"a\r\nb\r\nc\r\nd\r\n");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn every_surface_format_shows_the_same_colours() {
    for format in [
        PixelFormat::Rgb565,
        PixelFormat::Xrgb8888,
        PixelFormat::Xbgr8888,
    ] {
        let (mut console, mut screen) =
            console_with(SMALL_WIDTH, SMALL_HEIGHT, format, ConsoleConfig::default());
        write(&mut console, &mut screen, b"\x1b[?25l\x1b[44m \x1b[0m");
        let expected = format.decode(format.encode(ANSI_PALETTE[4]));
        assert_eq!(screen.surface().pixel(3, 3), Some(expected), "{format:?}");
        assert_screen_matches_grid(&mut console, &mut screen);
    }
}

#[test]
fn a_surface_smaller_than_a_cell_still_works() {
    let (mut console, mut screen) = console_and_screen(5, 5);
    assert_eq!((console.columns(), console.rows()), (1, 1));
    write(
        &mut console,
        &mut screen,
        b"abc\r\n\x1b[5;5H\x1b[2J\x1b[K\t\x08xyz\x1b[3@\x1b[P\x1bM",
    );
    assert_eq!(console.cursor(), (0, 0));
    assert_screen_matches_grid(&mut console, &mut screen);
    let (mut console, mut screen) = console_and_screen(0, 0);
    write(&mut console, &mut screen, b"still fine\r\n");
    assert_screen_matches_grid(&mut console, &mut screen);
}

#[test]
fn random_bytes_never_panic_and_the_screen_follows_the_grid() {
    let mut random = Random::new(0x5eed);
    // Bytes that make escape sequences likely.
    let alphabet: &[u8] = b"\x1b\x1b\x1b[[[;;0123456789?mHJKABCDfGdsu@PXST78cEM \r\n\t\x08\x07\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff]\x18abc";
    let (mut console, mut screen) = small();
    for round in 0..40 {
        // One console (parsing the font is the slow part of a debug build), reset each round.
        console.reset(&mut screen.surface());
        for _ in 0..30 {
            let length = random.below(24) as usize;
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    if random.below(8) == 0 {
                        random.below(256) as u8
                    } else {
                        alphabet[random.below(alphabet.len() as u64) as usize]
                    }
                })
                .collect();
            write(&mut console, &mut screen, &bytes);
            let (column, row) = console.cursor();
            assert!(
                column < console.columns() && row < console.rows(),
                "round {round}"
            );
        }
        assert_screen_matches_grid(&mut console, &mut screen);
    }
}
