//! Text console: a VT100/ANSI terminal over a pixel surface, with a cell grid model.
//!
//! Bytes go through the UTF-8 decoder, then an escape-sequence parser, then land in a grid of
//! [`Cell`]s; every grid change is drawn at once through the [`GlyphCache`]. Scrolling moves
//! pixel rows with `copy_within` and draws only the new last row.
//!
//! Wrapping is deferred, as on a VT100: a character written in the last column leaves the
//! cursor on it with a pending wrap, and the next printable character starts the next line,
//! so a full line followed by `\r\n` does not leave an empty line.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::color::{xterm_color, Rgb, ANSI_PALETTE};
use crate::glyphs::{CellMetrics, FontError, GlyphCache, TextStyle};
use crate::surface::Framebuffer;
use crate::utf8::Utf8Decoder;

/// Default font pixel size of the console.
pub const DEFAULT_FONT_SIZE: u32 = 16;
/// Default text colour: light grey, ANSI colour 7 (`0xAAAAAA`).
pub const DEFAULT_FOREGROUND: Rgb = ANSI_PALETTE[7];
/// Default background colour: black.
pub const DEFAULT_BACKGROUND: Rgb = Rgb::BLACK;
/// Colour of bold text in the default colour: white, ANSI colour 15.
pub const BOLD_DEFAULT_FOREGROUND: Rgb = ANSI_PALETTE[15];
/// Default pixels left of column 0 (the text area starts at x = this).
pub const DEFAULT_MARGIN_X: u32 = 0;
/// Default pixels above row 0 (the text area starts at y = this).
pub const DEFAULT_MARGIN_Y: u32 = 0;
/// Default cursor shape.
pub const DEFAULT_CURSOR_STYLE: CursorStyle = CursorStyle::Block;
/// Columns between tab stops.
pub const TAB_WIDTH: u32 = 8;

/// Numeric parameters remembered per control sequence; further ones are ignored.
const MAX_PARAMETERS: usize = 16;
/// Largest value of one numeric parameter; larger values saturate.
const MAX_PARAMETER_VALUE: u16 = 9999;

/// How the cursor is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorStyle {
    /// The cell under the cursor in reverse video.
    Block,
    /// A bar over the bottom eighth of the cell (at least one pixel), in the text colour.
    Underline,
}

/// What a [`Console`] looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsoleConfig {
    /// Font pixel size.
    pub font_size: u32,
    /// Pixels left of column 0.
    pub margin_x: u32,
    /// Pixels above row 0.
    pub margin_y: u32,
    /// Text colour for SGR 39 (the default).
    pub foreground: Rgb,
    /// Background colour for SGR 49 (the default), also of the margins.
    pub background: Rgb,
    /// Cursor shape.
    pub cursor_style: CursorStyle,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            font_size: DEFAULT_FONT_SIZE,
            margin_x: DEFAULT_MARGIN_X,
            margin_y: DEFAULT_MARGIN_Y,
            foreground: DEFAULT_FOREGROUND,
            background: DEFAULT_BACKGROUND,
            cursor_style: DEFAULT_CURSOR_STYLE,
        }
    }
}

/// A colour as the text asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorSpec {
    /// The console's default foreground or background.
    #[default]
    Default,
    /// An xterm 256-colour index (0–15 are the ANSI colours).
    Indexed(u8),
    /// A 24-bit colour (`CSI 38;2;r;g;b m`).
    Rgb(Rgb),
}

/// Rendition of a cell (SGR state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attributes {
    /// Text colour.
    pub foreground: ColorSpec,
    /// Background colour.
    pub background: ColorSpec,
    /// Bold: shown as the bright variant of ANSI colours 0–7 and of the default colour.
    pub bold: bool,
    /// Reverse video: foreground and background swapped.
    pub reverse: bool,
}

/// One character cell of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The character shown.
    pub character: char,
    /// How it is shown.
    pub attributes: Attributes,
}

impl Default for Cell {
    fn default() -> Self {
        Cell {
            character: ' ',
            attributes: Attributes::default(),
        }
    }
}

/// Where the parser is inside an escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParserState {
    /// Plain text.
    Ground,
    /// After ESC.
    Escape,
    /// After ESC and an intermediate byte (`ESC ( B`): waiting for the final byte.
    EscapeIntermediate,
    /// Inside `ESC [` ... collecting parameters.
    Csi,
    /// Inside a malformed control sequence: swallowing up to its final byte.
    CsiIgnore,
    /// Inside an OSC/DCS/SOS/PM/APC string: swallowing up to BEL or `ESC \`.
    ControlString,
}

/// The parameters of the control sequence being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Parameters {
    /// Numeric fields; `None` where a field was empty.
    values: [Option<u16>; MAX_PARAMETERS],
    /// Fields started so far.
    count: usize,
    /// A private marker (`?`, `>`, `=`, `<`) right after `ESC [`.
    private: Option<char>,
    /// An intermediate byte (0x20–0x2F) came before the final byte.
    intermediate: bool,
}

impl Parameters {
    /// Field `index`, or `default` when missing or empty.
    fn get(&self, index: usize, default: u16) -> u16 {
        self.values
            .get(index)
            .copied()
            .flatten()
            .filter(|_| index < self.count)
            .unwrap_or(default)
    }

    /// Field `index` as a count: missing or 0 means 1.
    fn count_at(&self, index: usize) -> u32 {
        u32::from(self.get(index, 1).max(1))
    }

    /// Appends a digit to the current field.
    fn push_digit(&mut self, digit: u16) {
        if self.count == 0 {
            self.count = 1;
        }
        if let Some(field) = self.values.get_mut(self.count - 1) {
            let value = field.unwrap_or(0);
            *field = Some(
                value
                    .saturating_mul(10)
                    .saturating_add(digit)
                    .min(MAX_PARAMETER_VALUE),
            );
        }
    }

    /// Starts the next field (`;` or `:`).
    fn next_field(&mut self) {
        if self.count == 0 {
            self.count = 1;
        }
        if self.count <= MAX_PARAMETERS {
            self.count += 1;
        }
    }

    /// The fields as a list, `None` for empty ones; at least one field.
    fn fields(&self) -> impl Iterator<Item = Option<u16>> + '_ {
        let count = self.count.clamp(1, MAX_PARAMETERS);
        self.values[..count].iter().copied()
    }
}

/// A saved cursor (`ESC 7` / `CSI s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SavedCursor {
    /// Column.
    column: u32,
    /// Row.
    row: u32,
    /// Rendition.
    attributes: Attributes,
}

/// A VT100/ANSI text console drawing into a [`Framebuffer`].
///
/// The console does not hold the surface: every call that draws borrows it, so the kernel
/// can hand the screen to Python's `display` module and back ([`redraw_all`](Self::redraw_all)).
#[derive(Debug)]
pub struct Console {
    /// The font rasteriser and glyph cache (shared with `display.text`).
    glyphs: GlyphCache,
    /// Appearance.
    config: ConsoleConfig,
    /// Cell size at `config.font_size`.
    cell: CellMetrics,
    /// Columns of the grid (at least 1).
    columns: u32,
    /// Rows of the grid (at least 1).
    rows: u32,
    /// The grid, row-major.
    grid: Vec<Cell>,
    /// Cursor column.
    cursor_column: u32,
    /// Cursor row.
    cursor_row: u32,
    /// The last column was written: the next printable character wraps first.
    pending_wrap: bool,
    /// Auto-wrap mode (DECAWM, `CSI ?7 h/l`).
    autowrap: bool,
    /// Rendition of newly written characters.
    attributes: Attributes,
    /// Whether the cursor should be shown (`CSI ?25 h/l`).
    cursor_visible: bool,
    /// Where the cursor is drawn now, if it is.
    cursor_drawn_at: Option<(u32, u32)>,
    /// Saved cursor, if any.
    saved_cursor: Option<SavedCursor>,
    /// UTF-8 state between writes.
    decoder: Utf8Decoder,
    /// Escape parser state between writes.
    state: ParserState,
    /// Parameters of the control sequence being read.
    parameters: Parameters,
}

impl Console {
    /// A console for a surface of `surface_width` x `surface_height` pixels: as many whole
    /// cells as fit inside the margins (at least 1 x 1). Draws nothing: call
    /// [`redraw_all`](Self::redraw_all) to paint the (blank) screen first.
    pub fn new(
        mut glyphs: GlyphCache,
        surface_width: u32,
        surface_height: u32,
        config: ConsoleConfig,
    ) -> Result<Console, FontError> {
        let cell = glyphs.cell_metrics(config.font_size)?;
        let columns =
            (surface_width.saturating_sub(config.margin_x.saturating_mul(2)) / cell.width).max(1);
        let rows =
            (surface_height.saturating_sub(config.margin_y.saturating_mul(2)) / cell.height).max(1);
        Ok(Console {
            glyphs,
            config,
            cell,
            columns,
            rows,
            grid: vec![Cell::default(); columns as usize * rows as usize],
            cursor_column: 0,
            cursor_row: 0,
            pending_wrap: false,
            autowrap: true,
            attributes: Attributes::default(),
            cursor_visible: true,
            cursor_drawn_at: None,
            saved_cursor: None,
            decoder: Utf8Decoder::new(),
            state: ParserState::Ground,
            parameters: Parameters::default(),
        })
    }

    /// Columns of the grid.
    pub fn columns(&self) -> u32 {
        self.columns
    }

    /// Rows of the grid.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// The cell size in pixels.
    pub fn cell_metrics(&self) -> CellMetrics {
        self.cell
    }

    /// The appearance settings.
    pub fn config(&self) -> &ConsoleConfig {
        &self.config
    }

    /// The cursor as (column, row), both from 0.
    pub fn cursor(&self) -> (u32, u32) {
        (self.cursor_column, self.cursor_row)
    }

    /// Whether the next printable character wraps to the next line first (deferred wrap).
    pub fn wrap_pending(&self) -> bool {
        self.pending_wrap
    }

    /// Whether the cursor is to be shown.
    pub fn cursor_visible(&self) -> bool {
        self.cursor_visible
    }

    /// The rendition newly written text gets.
    pub fn attributes(&self) -> Attributes {
        self.attributes
    }

    /// The cell at (`column`, `row`), `None` outside the grid.
    pub fn cell(&self, column: u32, row: u32) -> Option<&Cell> {
        if column >= self.columns || row >= self.rows {
            return None;
        }
        self.grid
            .get(row as usize * self.columns as usize + column as usize)
    }

    /// The characters of `row` (trailing blanks included), empty outside the grid.
    pub fn row_text(&self, row: u32) -> String {
        (0..self.columns)
            .filter_map(|column| self.cell(column, row))
            .map(|cell| cell.character)
            .collect()
    }

    /// The glyph cache, for drawing other text with the same font.
    pub fn glyphs(&self) -> &GlyphCache {
        &self.glyphs
    }

    /// The glyph cache, mutably (`display.text` rasterises through it).
    pub fn glyphs_mut(&mut self) -> &mut GlyphCache {
        &mut self.glyphs
    }

    /// Writes bytes as a terminal would show them, drawing every change on `surface`.
    ///
    /// UTF-8 may be split anywhere across calls; invalid bytes show U+FFFD. Understood:
    /// `\r`, `\n` (also VT and FF; down one row, no carriage return), `\t`, backspace (left,
    /// no erase), BEL (ignored), `ESC 7`/`ESC 8`, `ESC D`/`E`/`M`, `ESC c`, and the control
    /// sequences `CSI n A/B/C/D/E/F/G/d`, `CSI r;c H/f`, `CSI n J/K`, `CSI n @/P/X`,
    /// `CSI n S/T`, `CSI s/u`, `CSI ?25 h/l`, `CSI ?7 h/l` and SGR `CSI ... m`. Anything else
    /// is swallowed without printing.
    pub fn write(&mut self, surface: &mut Framebuffer<'_>, bytes: &[u8]) {
        self.erase_cursor(surface);
        for &byte in bytes {
            for character in self.decoder.push(byte) {
                self.process(surface, character);
            }
        }
        self.show_cursor(surface);
    }

    /// Shows or hides the cursor at once (as `CSI ?25 h/l` would).
    pub fn set_cursor_visible(&mut self, surface: &mut Framebuffer<'_>, visible: bool) {
        self.erase_cursor(surface);
        self.cursor_visible = visible;
        self.show_cursor(surface);
    }

    /// Paints the whole surface from the grid: margins in the default background, every
    /// cell, the cursor. For when the screen comes back to the console.
    pub fn redraw_all(&mut self, surface: &mut Framebuffer<'_>) {
        self.repaint(surface);
        self.show_cursor(surface);
    }

    /// Blanks the grid (default rendition), homes the cursor and repaints the surface; the
    /// current rendition and modes are kept.
    pub fn clear(&mut self, surface: &mut Framebuffer<'_>) {
        self.clear_grid();
        self.repaint(surface);
        self.show_cursor(surface);
    }

    /// Back to the power-on state (as `ESC c`): blank grid, default rendition and modes,
    /// cursor home and visible, parser and UTF-8 state dropped; repaints the surface.
    pub fn reset(&mut self, surface: &mut Framebuffer<'_>) {
        self.reset_state();
        self.decoder = Utf8Decoder::new();
        self.repaint(surface);
        self.show_cursor(surface);
    }

    /// Blank grid, cursor home.
    fn clear_grid(&mut self) {
        self.grid.fill(Cell::default());
        self.cursor_column = 0;
        self.cursor_row = 0;
        self.pending_wrap = false;
    }

    /// Everything `ESC c` resets except the UTF-8 decoder (which is mid-write then).
    fn reset_state(&mut self) {
        self.attributes = Attributes::default();
        self.autowrap = true;
        self.cursor_visible = true;
        self.saved_cursor = None;
        self.state = ParserState::Ground;
        self.parameters = Parameters::default();
        self.clear_grid();
    }

    /// Paints the surface from the grid, without the cursor.
    fn repaint(&mut self, surface: &mut Framebuffer<'_>) {
        self.cursor_drawn_at = None;
        surface.fill(self.config.background);
        for row in 0..self.rows {
            for column in 0..self.columns {
                let blank_default = self.cell(column, row).is_some_and(|cell| {
                    cell.character == ' '
                        && self.colors(cell.attributes).1 == self.config.background
                });
                if !blank_default {
                    self.draw_cell(surface, column, row);
                }
            }
        }
    }

    // ---- drawing -------------------------------------------------------------------------

    /// The pixel position of the top-left corner of (`column`, `row`).
    fn cell_origin(&self, column: u32, row: u32) -> (i32, i32) {
        let x = i64::from(self.config.margin_x) + i64::from(column) * i64::from(self.cell.width);
        let y = i64::from(self.config.margin_y) + i64::from(row) * i64::from(self.cell.height);
        (
            i32::try_from(x).unwrap_or(i32::MAX),
            i32::try_from(y).unwrap_or(i32::MAX),
        )
    }

    /// Foreground and background colours of a rendition, reverse video applied.
    fn colors(&self, attributes: Attributes) -> (Rgb, Rgb) {
        let foreground = match attributes.foreground {
            ColorSpec::Default if attributes.bold => BOLD_DEFAULT_FOREGROUND,
            ColorSpec::Default => self.config.foreground,
            ColorSpec::Indexed(index) if attributes.bold && index < 8 => xterm_color(index + 8),
            ColorSpec::Indexed(index) => xterm_color(index),
            ColorSpec::Rgb(color) => color,
        };
        let background = match attributes.background {
            ColorSpec::Default => self.config.background,
            ColorSpec::Indexed(index) => xterm_color(index),
            ColorSpec::Rgb(color) => color,
        };
        if attributes.reverse {
            (background, foreground)
        } else {
            (foreground, background)
        }
    }

    /// Draws one cell, optionally with its colours swapped (the block cursor).
    fn draw_cell_colored(
        &mut self,
        surface: &mut Framebuffer<'_>,
        column: u32,
        row: u32,
        swap: bool,
    ) {
        let Some(cell) = self.cell(column, row).copied() else {
            return;
        };
        let (mut foreground, mut background) = self.colors(cell.attributes);
        if swap {
            core::mem::swap(&mut foreground, &mut background);
        }
        let (x, y) = self.cell_origin(column, row);
        // The size was accepted by `new`, so this cannot fail.
        let style = TextStyle {
            size: self.config.font_size,
            foreground,
            background: Some(background),
        };
        let _ = self.glyphs.draw_cell(surface, x, y, cell.character, style);
    }

    /// Draws one cell from the grid.
    fn draw_cell(&mut self, surface: &mut Framebuffer<'_>, column: u32, row: u32) {
        self.draw_cell_colored(surface, column, row, false);
    }

    /// Draws cells `first..end` of `row`.
    fn draw_cells(&mut self, surface: &mut Framebuffer<'_>, row: u32, first: u32, end: u32) {
        for column in first..end.min(self.columns) {
            self.draw_cell(surface, column, row);
        }
    }

    /// Removes the cursor from the screen by redrawing the cell under it.
    fn erase_cursor(&mut self, surface: &mut Framebuffer<'_>) {
        if let Some((column, row)) = self.cursor_drawn_at.take() {
            self.draw_cell(surface, column, row);
        }
    }

    /// Draws the cursor where it is, if it is visible.
    fn show_cursor(&mut self, surface: &mut Framebuffer<'_>) {
        if !self.cursor_visible || self.cursor_drawn_at.is_some() {
            return;
        }
        let (column, row) = (self.cursor_column, self.cursor_row);
        match self.config.cursor_style {
            CursorStyle::Block => self.draw_cell_colored(surface, column, row, true),
            CursorStyle::Underline => {
                let Some(cell) = self.cell(column, row).copied() else {
                    return;
                };
                let (foreground, _) = self.colors(cell.attributes);
                let thickness = (self.cell.height / 8).max(1);
                let (x, y) = self.cell_origin(column, row);
                let bar_y = i64::from(y) + i64::from(self.cell.height - thickness);
                surface.fill_rect(
                    x,
                    i32::try_from(bar_y).unwrap_or(i32::MAX),
                    self.cell.width,
                    thickness,
                    foreground,
                );
            }
        }
        self.cursor_drawn_at = Some((column, row));
    }

    /// A blank cell in the current background (what erasing leaves).
    fn blank(&self) -> Cell {
        Cell {
            character: ' ',
            attributes: Attributes {
                background: self.attributes.background,
                ..Attributes::default()
            },
        }
    }

    /// Blanks cells `first..end` of `row` in the grid and on the screen.
    fn erase_cells(&mut self, surface: &mut Framebuffer<'_>, row: u32, first: u32, end: u32) {
        let end = end.min(self.columns);
        if row >= self.rows || first >= end {
            return;
        }
        let blank = self.blank();
        let start = row as usize * self.columns as usize;
        if let Some(cells) = self
            .grid
            .get_mut(start + first as usize..start + end as usize)
        {
            cells.fill(blank);
        }
        let (_, background) = self.colors(blank.attributes);
        let (x, y) = self.cell_origin(first, row);
        surface.fill_rect(
            x,
            y,
            (end - first).saturating_mul(self.cell.width),
            self.cell.height,
            background,
        );
    }

    /// Blanks whole rows `first..end`.
    fn erase_rows(&mut self, surface: &mut Framebuffer<'_>, first: u32, end: u32) {
        for row in first..end.min(self.rows) {
            self.erase_cells(surface, row, 0, self.columns);
        }
    }

    /// Scrolls the grid up by `lines` (the top lines are lost, blank lines enter at the
    /// bottom): pixel rows are moved, only the new lines are drawn.
    fn scroll_up(&mut self, surface: &mut Framebuffer<'_>, lines: u32) {
        let lines = lines.min(self.rows);
        if lines == 0 {
            return;
        }
        let kept = self.rows - lines;
        let row_cells = self.columns as usize;
        self.grid.copy_within(lines as usize * row_cells.., 0);
        let (_, top) = self.cell_origin(0, 0);
        let top = u32::try_from(top).unwrap_or(u32::MAX);
        let line_pixels = self.cell.height;
        surface.copy_rows_up(
            top.saturating_add(lines.saturating_mul(line_pixels)),
            top,
            kept.saturating_mul(line_pixels),
        );
        self.erase_rows(surface, kept, self.rows);
    }

    /// Scrolls the grid down by `lines` (bottom lines lost, blank lines enter at the top).
    fn scroll_down(&mut self, surface: &mut Framebuffer<'_>, lines: u32) {
        let lines = lines.min(self.rows);
        if lines == 0 {
            return;
        }
        let kept = self.rows - lines;
        let row_cells = self.columns as usize;
        self.grid
            .copy_within(..kept as usize * row_cells, lines as usize * row_cells);
        let (_, top) = self.cell_origin(0, 0);
        let top = u32::try_from(top).unwrap_or(u32::MAX);
        let line_pixels = self.cell.height;
        surface.copy_rows_up(
            top,
            top.saturating_add(lines.saturating_mul(line_pixels)),
            kept.saturating_mul(line_pixels),
        );
        self.erase_rows(surface, 0, lines);
    }

    // ---- text and controls ---------------------------------------------------------------

    /// Handles one decoded character according to the parser state.
    fn process(&mut self, surface: &mut Framebuffer<'_>, character: char) {
        match self.state {
            ParserState::Ground => match character {
                '\x1b' => self.start_escape(),
                _ if character.is_control() => self.execute(surface, character),
                _ => self.print(surface, character),
            },
            ParserState::Escape => self.escape(surface, character),
            ParserState::EscapeIntermediate => match character {
                '\x1b' => self.start_escape(),
                '\x18' | '\x1a' => self.state = ParserState::Ground,
                '\x20'..='\x2f' => {}
                '\x00'..='\x1f' => self.execute(surface, character),
                _ => self.state = ParserState::Ground,
            },
            ParserState::Csi | ParserState::CsiIgnore => self.control_sequence(surface, character),
            ParserState::ControlString => match character {
                '\x1b' => self.start_escape(),
                '\x07' | '\x18' | '\x1a' => self.state = ParserState::Ground,
                _ => {}
            },
        }
    }

    /// ESC: a new sequence starts (dropping any unfinished one).
    fn start_escape(&mut self) {
        self.state = ParserState::Escape;
        self.parameters = Parameters::default();
    }

    /// Executes a C0 or C1 control character.
    fn execute(&mut self, surface: &mut Framebuffer<'_>, character: char) {
        match character {
            '\x08' => {
                self.pending_wrap = false;
                self.cursor_column = self.cursor_column.saturating_sub(1);
            }
            '\t' => {
                self.pending_wrap = false;
                let next = (self.cursor_column / TAB_WIDTH + 1).saturating_mul(TAB_WIDTH);
                self.cursor_column = next.min(self.columns - 1);
            }
            '\n' | '\x0b' | '\x0c' => self.line_feed(surface),
            '\r' => {
                self.pending_wrap = false;
                self.cursor_column = 0;
            }
            '\x18' | '\x1a' => self.state = ParserState::Ground,
            // BEL and every other control: nothing to show.
            _ => {}
        }
    }

    /// Down one row, scrolling at the bottom; the column stays.
    fn line_feed(&mut self, surface: &mut Framebuffer<'_>) {
        self.pending_wrap = false;
        if self.cursor_row + 1 >= self.rows {
            self.scroll_up(surface, 1);
        } else {
            self.cursor_row += 1;
        }
    }

    /// Up one row, scrolling down at the top (`ESC M`).
    fn reverse_line_feed(&mut self, surface: &mut Framebuffer<'_>) {
        self.pending_wrap = false;
        if self.cursor_row == 0 {
            self.scroll_down(surface, 1);
        } else {
            self.cursor_row -= 1;
        }
    }

    /// Writes a printable character at the cursor and advances it.
    fn print(&mut self, surface: &mut Framebuffer<'_>, character: char) {
        if self.pending_wrap {
            self.pending_wrap = false;
            self.cursor_column = 0;
            self.line_feed(surface);
        }
        let (column, row) = (self.cursor_column, self.cursor_row);
        let index = row as usize * self.columns as usize + column as usize;
        let attributes = self.attributes;
        if let Some(cell) = self.grid.get_mut(index) {
            *cell = Cell {
                character,
                attributes,
            };
        }
        self.draw_cell(surface, column, row);
        if column + 1 >= self.columns {
            self.pending_wrap = self.autowrap;
        } else {
            self.cursor_column += 1;
        }
    }

    /// The character after ESC.
    fn escape(&mut self, surface: &mut Framebuffer<'_>, character: char) {
        self.state = ParserState::Ground;
        match character {
            '\x1b' => self.start_escape(),
            '[' => self.state = ParserState::Csi,
            ']' | 'P' | 'X' | '^' | '_' => self.state = ParserState::ControlString,
            '\x20'..='\x2f' => self.state = ParserState::EscapeIntermediate,
            '\x00'..='\x1f' => {
                // A control inside the sequence is executed; the sequence goes on.
                self.state = ParserState::Escape;
                self.execute(surface, character);
            }
            '7' => self.save_cursor(),
            '8' => self.restore_cursor(),
            'D' => self.line_feed(surface),
            'E' => {
                self.cursor_column = 0;
                self.line_feed(surface);
            }
            'M' => self.reverse_line_feed(surface),
            'c' => {
                self.reset_state();
                self.repaint(surface);
            }
            // `ESC \` (string terminator) and every other final: nothing to do.
            _ => {}
        }
    }

    /// A character inside `ESC [` ...
    fn control_sequence(&mut self, surface: &mut Framebuffer<'_>, character: char) {
        match character {
            '\x1b' => self.start_escape(),
            '\x18' | '\x1a' => self.state = ParserState::Ground,
            '\x00'..='\x1f' => self.execute(surface, character),
            '0'..='9' if !self.parameters.intermediate => {
                self.parameters
                    .push_digit(character as u16 - u16::from(b'0'));
            }
            ';' | ':' if !self.parameters.intermediate => self.parameters.next_field(),
            '<'..='?' => {
                if self.parameters.count == 0
                    && self.parameters.private.is_none()
                    && !self.parameters.intermediate
                {
                    self.parameters.private = Some(character);
                } else {
                    self.state = ParserState::CsiIgnore;
                }
            }
            '\x20'..='\x2f' => self.parameters.intermediate = true,
            '\x40'..='\x7e' => {
                let malformed = self.state == ParserState::CsiIgnore;
                self.state = ParserState::Ground;
                if !malformed && !self.parameters.intermediate {
                    self.dispatch(surface, character);
                }
            }
            // Digits after an intermediate, DEL, non-ASCII: the sequence is malformed.
            '\x7f' => {}
            _ if (character as u32) < 0x80 => self.state = ParserState::CsiIgnore,
            _ => self.state = ParserState::Ground,
        }
    }

    /// Carries out a complete control sequence ending in `final_character`.
    fn dispatch(&mut self, surface: &mut Framebuffer<'_>, final_character: char) {
        let parameters = self.parameters;
        let last_column = self.columns - 1;
        let last_row = self.rows - 1;
        let (column, row) = (self.cursor_column, self.cursor_row);
        if let Some(marker) = parameters.private {
            if marker == '?' && matches!(final_character, 'h' | 'l') {
                let enable = final_character == 'h';
                for mode in parameters.fields().flatten() {
                    match mode {
                        25 => self.cursor_visible = enable,
                        7 => {
                            self.autowrap = enable;
                            if !enable {
                                self.pending_wrap = false;
                            }
                        }
                        _ => {}
                    }
                }
            }
            return;
        }
        let count = parameters.count_at(0);
        match final_character {
            'A' => self.move_to(column, row.saturating_sub(count)),
            'B' | 'e' => self.move_to(column, row.saturating_add(count).min(last_row)),
            'C' | 'a' => self.move_to(column.saturating_add(count).min(last_column), row),
            'D' => self.move_to(column.saturating_sub(count), row),
            'E' => self.move_to(0, row.saturating_add(count).min(last_row)),
            'F' => self.move_to(0, row.saturating_sub(count)),
            'G' | '`' => self.move_to((count - 1).min(last_column), row),
            'd' => self.move_to(column, (count - 1).min(last_row)),
            'H' | 'f' => {
                let target_row = parameters.count_at(0) - 1;
                let target_column = parameters.count_at(1) - 1;
                self.move_to(target_column.min(last_column), target_row.min(last_row));
            }
            'J' => match parameters.get(0, 0) {
                0 => {
                    self.erase_cells(surface, row, column, self.columns);
                    self.erase_rows(surface, row + 1, self.rows);
                }
                1 => {
                    self.erase_rows(surface, 0, row);
                    self.erase_cells(surface, row, 0, column + 1);
                }
                2 | 3 => self.erase_rows(surface, 0, self.rows),
                _ => {}
            },
            'K' => match parameters.get(0, 0) {
                0 => self.erase_cells(surface, row, column, self.columns),
                1 => self.erase_cells(surface, row, 0, column + 1),
                2 => self.erase_cells(surface, row, 0, self.columns),
                _ => {}
            },
            '@' => self.insert_cells(surface, count),
            'P' => self.delete_cells(surface, count),
            'X' => {
                self.pending_wrap = false;
                self.erase_cells(surface, row, column, column.saturating_add(count));
            }
            'S' => self.scroll_up(surface, count),
            'T' => self.scroll_down(surface, count),
            's' => self.save_cursor(),
            'u' => self.restore_cursor(),
            'm' => self.select_graphic_rendition(&parameters),
            // Device status reports, modes, margins and the rest are not supported.
            _ => {}
        }
    }

    /// Moves the cursor (already clamped) and drops a pending wrap.
    fn move_to(&mut self, column: u32, row: u32) {
        self.pending_wrap = false;
        self.cursor_column = column.min(self.columns - 1);
        self.cursor_row = row.min(self.rows - 1);
    }

    /// `CSI n @`: inserts `count` blanks at the cursor, shifting the rest of the row right.
    fn insert_cells(&mut self, surface: &mut Framebuffer<'_>, count: u32) {
        self.pending_wrap = false;
        let (column, row) = (self.cursor_column, self.cursor_row);
        let count = count.min(self.columns - column);
        let start = row as usize * self.columns as usize;
        let end = start + self.columns as usize;
        let blank = self.blank();
        if let Some(line) = self.grid.get_mut(start + column as usize..end) {
            line.rotate_right(count as usize);
            line[..count as usize].fill(blank);
        }
        self.draw_cells(surface, row, column, self.columns);
    }

    /// `CSI n P`: deletes `count` cells at the cursor, shifting the rest of the row left.
    fn delete_cells(&mut self, surface: &mut Framebuffer<'_>, count: u32) {
        self.pending_wrap = false;
        let (column, row) = (self.cursor_column, self.cursor_row);
        let count = count.min(self.columns - column);
        let start = row as usize * self.columns as usize;
        let end = start + self.columns as usize;
        let blank = self.blank();
        if let Some(line) = self.grid.get_mut(start + column as usize..end) {
            line.rotate_left(count as usize);
            let length = line.len();
            line[length - count as usize..].fill(blank);
        }
        self.draw_cells(surface, row, column, self.columns);
    }

    /// `ESC 7` / `CSI s`.
    fn save_cursor(&mut self) {
        self.saved_cursor = Some(SavedCursor {
            column: self.cursor_column,
            row: self.cursor_row,
            attributes: self.attributes,
        });
    }

    /// `ESC 8` / `CSI u`: back to the saved cursor, or home with the default rendition.
    fn restore_cursor(&mut self) {
        let saved = self.saved_cursor.unwrap_or(SavedCursor {
            column: 0,
            row: 0,
            attributes: Attributes::default(),
        });
        self.attributes = saved.attributes;
        self.move_to(saved.column, saved.row);
    }

    /// `CSI ... m`.
    fn select_graphic_rendition(&mut self, parameters: &Parameters) {
        let fields: Vec<u16> = parameters
            .fields()
            .map(|field| field.unwrap_or(0))
            .collect();
        let mut index = 0;
        while let Some(&code) = fields.get(index) {
            index += 1;
            match code {
                0 => self.attributes = Attributes::default(),
                1 => self.attributes.bold = true,
                22 => self.attributes.bold = false,
                7 => self.attributes.reverse = true,
                27 => self.attributes.reverse = false,
                30..=37 => self.attributes.foreground = ColorSpec::Indexed(code as u8 - 30),
                90..=97 => self.attributes.foreground = ColorSpec::Indexed(code as u8 - 90 + 8),
                39 => self.attributes.foreground = ColorSpec::Default,
                40..=47 => self.attributes.background = ColorSpec::Indexed(code as u8 - 40),
                100..=107 => {
                    self.attributes.background = ColorSpec::Indexed(code as u8 - 100 + 8);
                }
                49 => self.attributes.background = ColorSpec::Default,
                38 | 48 => {
                    let (color, used) = extended_color(&fields[index..]);
                    index += used;
                    if let Some(color) = color {
                        if code == 38 {
                            self.attributes.foreground = color;
                        } else {
                            self.attributes.background = color;
                        }
                    }
                }
                // Italic, underline, blink and the rest have no rendering here.
                _ => {}
            }
        }
    }
}

/// Reads the tail of SGR 38/48: `5;n` (xterm 256) or `2;r;g;b`. Returns the colour (if
/// well formed) and how many fields it used.
fn extended_color(fields: &[u16]) -> (Option<ColorSpec>, usize) {
    match fields {
        [5, index, ..] => (u8::try_from(*index).ok().map(ColorSpec::Indexed), 2),
        [2, red, green, blue, ..] => {
            let channel = |value: u16| u8::try_from(value).ok();
            let color = match (channel(*red), channel(*green), channel(*blue)) {
                (Some(red), Some(green), Some(blue)) => {
                    Some(ColorSpec::Rgb(Rgb::new(red, green, blue)))
                }
                _ => None,
            };
            (color, 4)
        }
        // Malformed: give up on the rest of the sequence, as xterm does.
        _ => (None, fields.len()),
    }
}
