//! A fake PiPyOS board for tests: the protocol machine wired the way the kernel wires it, a
//! bounded receive ring, a minimal friendly line collector and a tiny Python-like evaluator.
//!
//! The evaluator understands just enough for protocol conversations: statements separated
//! by newlines or `;`, `#` comments, `import x`, `name = expr`, `print(expr, ...)`, `raise Name` and
//! `raise Name('text')`, `sys.exit()`, `wait_for_interrupt()` (runs until a Ctrl-C
//! arrives) and expressions made of integer and string literals, names, `+`, `repr(expr)`
//! and `len(expr)`.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};

use rawrepl::{Action, ExecutionKind, Mode, Protocol};

/// The friendly banner printed at boot, after a friendly soft reset and after Ctrl-B.
pub const BANNER: &[u8] = b"PiPyOS fake board\r\nType \"help()\" for more information.\r\n";
/// The friendly prompt.
pub const PROMPT: &[u8] = b">>> ";
/// The line the kernel prints during every soft reset.
pub const SOFT_REBOOT: &[u8] = b"PiPyOS: soft reboot\r\n";

/// A value of the tiny evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Integer(i64),
    Text(String),
}

impl Value {
    fn to_text(&self) -> String {
        match self {
            Value::Integer(number) => number.to_string(),
            Value::Text(text) => text.clone(),
        }
    }

    fn to_repr(&self) -> String {
        match self {
            Value::Integer(number) => number.to_string(),
            Value::Text(text) => format!("'{text}'"),
        }
    }
}

/// How a program ended.
enum Outcome {
    /// It ran to the end.
    Finished,
    /// It raised; the traceback text.
    Failed(String),
    /// It raised `SystemExit`.
    Exit,
    /// It is waiting in `wait_for_interrupt()` on this line.
    Waiting(usize),
}

/// The program currently running on the board.
#[derive(Debug, Clone, Copy)]
struct Running {
    line: usize,
}

/// The fake board.
pub struct Board {
    /// The protocol machine under test.
    pub protocol: Protocol,
    /// Bytes received and not yet handled.
    ring: VecDeque<u8>,
    /// Capacity of `ring`.
    ring_capacity: usize,
    /// Bytes dropped because `ring` was full.
    pub overruns: usize,
    /// Bytes sent to the host and not yet collected.
    sent: Vec<u8>,
    /// The friendly line being typed.
    line: Vec<u8>,
    /// The previous friendly byte was a CR.
    after_carriage_return: bool,
    /// Python globals.
    globals: BTreeMap<String, Value>,
    /// A program blocked in `wait_for_interrupt()`.
    running: Option<Running>,
    /// Number of soft resets.
    pub resets: usize,
    /// Every program handed out by the protocol.
    pub executed: Vec<(ExecutionKind, String)>,
}

impl Board {
    /// Boots a board with `protocol` and a receive ring of `ring_capacity` bytes; the
    /// banner and prompt are waiting to be collected.
    pub fn boot(protocol: Protocol, ring_capacity: usize) -> Self {
        let mut board = Self {
            protocol,
            ring: VecDeque::new(),
            ring_capacity,
            overruns: 0,
            sent: Vec::new(),
            line: Vec::new(),
            after_carriage_return: false,
            globals: BTreeMap::new(),
            running: None,
            resets: 0,
            executed: Vec::new(),
        };
        board.sent.extend_from_slice(BANNER);
        board.sent.extend_from_slice(PROMPT);
        board
    }

    /// Receives bytes from the serial line into the ring (dropping what does not fit).
    pub fn receive(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.ring.len() < self.ring_capacity {
                self.ring.push_back(byte);
            } else {
                self.overruns += 1;
            }
        }
    }

    /// Changes the receive ring's capacity.
    pub fn set_ring_capacity(&mut self, ring_capacity: usize) {
        self.ring_capacity = ring_capacity;
    }

    /// Takes what the board sent.
    pub fn take_sent(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.sent)
    }

    /// Bytes waiting in the receive ring.
    pub fn pending(&self) -> usize {
        self.ring.len()
    }

    /// Whether a program is blocked waiting for Ctrl-C.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Does one unit of work: handles one received byte, or lets a waiting program see a
    /// Ctrl-C. Returns false when there was nothing to do.
    pub fn step(&mut self) -> bool {
        if let Some(running) = self.running {
            // Like the kernel, a running program takes the first Ctrl-C; other bytes stay.
            let Some(position) = self.ring.iter().position(|&byte| byte == 0x03) else {
                return false;
            };
            self.ring.remove(position);
            self.running = None;
            let traceback = format!(
                "Traceback (most recent call last):\n  File \"<stdin>\", line {}, in <module>\nKeyboardInterrupt: \n",
                running.line
            );
            self.finish(Outcome::Failed(traceback));
            return true;
        }
        let Some(byte) = self.ring.pop_front() else {
            return false;
        };
        let mut output = Vec::new();
        let action = self.protocol.feed(byte, &mut output);
        self.sent.extend_from_slice(&output);
        self.act(action);
        true
    }

    /// Works until the ring is empty or a program blocks.
    pub fn run_until_idle(&mut self) {
        while self.step() {}
    }

    /// The kernel's idle timer fired.
    pub fn idle_timeout(&mut self) {
        let mut output = Vec::new();
        self.protocol.idle_timeout(&mut output);
        self.sent.extend_from_slice(&output);
    }

    /// Carries out an action the way the kernel must.
    fn act(&mut self, action: Action) {
        match action {
            Action::None => {}
            Action::ToLineEditor(byte) => self.line_editor(byte),
            Action::DropFriendlyInput => self.line.clear(),
            Action::FriendlyPrompt => self.sent.extend_from_slice(PROMPT),
            Action::LeaveRaw => {
                self.sent.extend_from_slice(BANNER);
                self.sent.extend_from_slice(PROMPT);
            }
            Action::Execute { source, kind } => {
                self.executed.push((kind, source.clone()));
                let outcome = self.evaluate(&source, false);
                self.finish(outcome);
            }
            Action::SoftReset => self.soft_reset(),
        }
    }

    /// Ends a program with the protocol's framing.
    fn finish(&mut self, outcome: Outcome) {
        let mut output = Vec::new();
        let action = match outcome {
            Outcome::Waiting(line) => {
                self.running = Some(Running { line });
                return;
            }
            Outcome::Finished => {
                self.protocol.output_finished(&mut output);
                self.protocol.error_finished(&mut output)
            }
            Outcome::Failed(traceback) => {
                self.protocol.output_finished(&mut output);
                output.extend_from_slice(&crlf(traceback.as_bytes()));
                self.protocol.error_finished(&mut output)
            }
            Outcome::Exit => {
                self.protocol.output_finished(&mut output);
                self.protocol.system_exit(&mut output)
            }
        };
        self.sent.extend_from_slice(&output);
        self.act(action);
    }

    /// What the kernel does for a soft reset.
    fn soft_reset(&mut self) {
        self.sent.extend_from_slice(SOFT_REBOOT);
        self.globals.clear();
        self.line.clear();
        self.resets += 1;
        let raw = self.protocol.mode() == Mode::Raw;
        let mut output = Vec::new();
        self.protocol.soft_reset_done(&mut output);
        self.sent.extend_from_slice(&output);
        if !raw {
            self.sent.extend_from_slice(BANNER);
            self.sent.extend_from_slice(PROMPT);
        }
    }

    /// A minimal stand-in for the line editor and the friendly REPL loop.
    fn line_editor(&mut self, byte: u8) {
        let after_carriage_return = std::mem::replace(&mut self.after_carriage_return, false);
        match byte {
            b'\n' if after_carriage_return => {}
            b'\r' | b'\n' => {
                self.after_carriage_return = byte == b'\r';
                self.sent.extend_from_slice(b"\r\n");
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                if line.trim().is_empty() {
                    self.sent.extend_from_slice(PROMPT);
                    return;
                }
                let outcome = self.evaluate(&line, true);
                match outcome {
                    Outcome::Finished | Outcome::Waiting(_) => {}
                    Outcome::Failed(traceback) => {
                        self.sent.extend_from_slice(&crlf(traceback.as_bytes()));
                    }
                    Outcome::Exit => return self.soft_reset(),
                }
                self.sent.extend_from_slice(PROMPT);
            }
            0x03 => {
                self.line.clear();
                self.sent.extend_from_slice(b"^C\r\nKeyboardInterrupt\r\n");
                self.sent.extend_from_slice(PROMPT);
            }
            0x04 if self.line.is_empty() => {
                self.sent.extend_from_slice(b"\r\n");
                self.soft_reset();
            }
            0x7f | 0x08 if self.line.pop().is_some() => {
                self.sent.extend_from_slice(b"\x08 \x08");
            }
            0x20..=0x7e => {
                self.line.push(byte);
                self.sent.push(byte);
            }
            _ => {}
        }
    }

    /// Runs a program; in interactive mode an expression statement's value is echoed.
    fn evaluate(&mut self, source: &str, interactive: bool) -> Outcome {
        for (index, line) in source.split('\n').enumerate() {
            let number = index + 1;
            let code = split_top_level(line, '#')[0];
            for statement in split_top_level(code, ';') {
                let statement = statement.trim();
                match self.statement(statement, interactive) {
                    Ok(Flow::Next) => {}
                    Ok(Flow::Wait) => return Outcome::Waiting(number),
                    Ok(Flow::Exit) => return Outcome::Exit,
                    Err(error) => {
                        return Outcome::Failed(format!(
                            "Traceback (most recent call last):\n  File \"<stdin>\", line {number}, in <module>\n{error}\n"
                        ))
                    }
                }
            }
        }
        Outcome::Finished
    }

    fn print(&mut self, text: &str) {
        self.sent.extend_from_slice(&crlf(text.as_bytes()));
    }

    fn statement(&mut self, statement: &str, interactive: bool) -> Result<Flow, String> {
        if statement.is_empty() || statement.starts_with("import ") {
            return Ok(Flow::Next);
        }
        if statement == "sys.exit()" || statement == "raise SystemExit" {
            return Ok(Flow::Exit);
        }
        if statement == "wait_for_interrupt()" {
            return Ok(Flow::Wait);
        }
        if let Some(exception) = statement.strip_prefix("raise ") {
            return Err(match exception.split_once('(') {
                Some((name, argument)) => {
                    let argument = argument.strip_suffix(')').unwrap_or(argument);
                    format!("{name}: {}", self.expression(argument)?.to_text())
                }
                None => exception.to_string(),
            });
        }
        if let Some(arguments) = statement
            .strip_prefix("print(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            let mut texts = Vec::new();
            if !arguments.trim().is_empty() {
                for argument in split_arguments(arguments) {
                    texts.push(self.expression(argument)?.to_text());
                }
            }
            let line = texts.join(" ") + "\n";
            self.print(&line);
            return Ok(Flow::Next);
        }
        if let Some((name, expression)) = statement.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                let value = self.expression(expression)?;
                self.globals.insert(name.to_string(), value);
                return Ok(Flow::Next);
            }
        }
        let value = self.expression(statement)?;
        if interactive {
            let line = value.to_repr() + "\n";
            self.print(&line);
        }
        Ok(Flow::Next)
    }

    fn expression(&self, expression: &str) -> Result<Value, String> {
        let mut total: Option<Value> = None;
        for term in split_top_level(expression, '+') {
            let value = self.term(term.trim())?;
            total = Some(match (total, value) {
                (None, value) => value,
                (Some(Value::Integer(left)), Value::Integer(right)) => {
                    Value::Integer(left.wrapping_add(right))
                }
                (Some(Value::Text(left)), Value::Text(right)) => Value::Text(left + &right),
                _ => return Err("TypeError: unsupported types for +".to_string()),
            });
        }
        total.ok_or_else(|| "SyntaxError: invalid syntax".to_string())
    }

    fn term(&self, term: &str) -> Result<Value, String> {
        if let Ok(number) = term.parse::<i64>() {
            return Ok(Value::Integer(number));
        }
        for quote in ['\'', '"'] {
            if term.len() >= 2 && term.starts_with(quote) && term.ends_with(quote) {
                return Ok(Value::Text(term[1..term.len() - 1].to_string()));
            }
        }
        if let Some(inner) = term.strip_prefix("repr(").and_then(|t| t.strip_suffix(')')) {
            return Ok(Value::Text(self.expression(inner)?.to_repr()));
        }
        if let Some(inner) = term.strip_prefix("len(").and_then(|t| t.strip_suffix(')')) {
            return match self.expression(inner)? {
                Value::Text(text) => Ok(Value::Integer(text.len() as i64)),
                Value::Integer(_) => Err("TypeError: object of type 'int' has no len()".into()),
            };
        }
        if let Some(inner) = term.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            return self.expression(inner);
        }
        if !term.is_empty() && term.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return self
                .globals
                .get(term)
                .cloned()
                .ok_or_else(|| format!("NameError: name '{term}' isn't defined"));
        }
        Err("SyntaxError: invalid syntax".to_string())
    }
}

/// What a statement asks for.
enum Flow {
    Next,
    Wait,
    Exit,
}

/// Splits `text` at `separator` outside quotes and parentheses.
fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (index, character) in text.char_indices() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(character),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, c) if c == separator && depth == 0 => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Splits call arguments at top-level commas.
fn split_arguments(text: &str) -> Vec<&str> {
    split_top_level(text, ',')
}

/// Turns `\n` into `\r\n`, as the kernel's console does for program output.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut output = Vec::with_capacity(bytes.len());
    for &byte in bytes {
        if byte == b'\n' {
            output.push(b'\r');
        }
        output.push(byte);
    }
    output
}
