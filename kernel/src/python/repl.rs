//! The interactive prompt: `>>>`/`...` input, echo of expression results, tracebacks, Ctrl-C/D.
use std::sync::Mutex;

use lineedit::Event;
use rawrepl::{Action, Mode, Protocol};
use rustpython_vm::{
    compiler::Mode as CompileMode, scope::Scope, version, AsObject, PyResult, VirtualMachine,
};

use crate::{bsp::rpi1, console, mem::heap};

/// Prints the start-up banner: versions, board, memory.
pub fn print_banner(_vm: &VirtualMachine) {
    let board = rpi1::board();
    let heap = heap::statistics();
    console::write(
        format!(
            "PiPyOS {} ({}, {}; RustPython {}.{}.{}, Python {}.{}.{}) on {}, {} MiB RAM, {} KiB heap free\n\
             Type \"help()\" for more information; Ctrl-C interrupts, Ctrl-D soft-resets.\n",
            env!("CARGO_PKG_VERSION"),
            env!("PIPYOS_GIT_REVISION"),
            env!("PIPYOS_BUILD_ISO_DATE"),
            version::MAJOR_IMPL,
            version::MINOR_IMPL,
            version::MICRO_IMPL,
            version::MAJOR,
            version::MINOR,
            version::MICRO,
            board.model(),
            board.arm_memory >> 20,
            heap.free / 1024,
        )
        .as_bytes(),
    );
}

/// Keywords that start a compound statement (which, as in CPython, ends at an empty line even
/// when written on one line, like `while True: pass`).
const COMPOUND_KEYWORDS: [&str; 9] = [
    "if", "for", "while", "def", "class", "with", "try", "async", "match",
];

/// True if the buffered input opens a compound statement, which ends only at an empty line.
fn opens_block(source: &str) -> bool {
    source.lines().any(|line| {
        let code = line.split('#').next().unwrap_or("").trim_end();
        let first_word = code
            .trim_start()
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()
            .unwrap_or("");
        code.ends_with(':')
            || code.trim_start().starts_with('@')
            || (COMPOUND_KEYWORDS.contains(&first_word)
                && first_word != "match"
                && code.contains(':'))
    })
}

/// What compiling the input so far gave.
enum Compiled {
    Ready(rustpython_vm::PyRef<rustpython_vm::builtins::PyCode>),
    NeedsMore,
    Failed(rustpython_vm::builtins::PyBaseExceptionRef),
}

fn compile(vm: &VirtualMachine, source: &str) -> Compiled {
    match vm.compile(source, CompileMode::Single, "<stdin>") {
        Ok(code) => Compiled::Ready(code),
        Err(error) => {
            let exception = error.into_pyexception_maybe_incomplete(vm, Some(source), true);
            if exception
                .class()
                .is(vm.ctx.exceptions.incomplete_input_error)
            {
                Compiled::NeedsMore
            } else {
                Compiled::Failed(exception)
            }
        }
    }
}

/// The raw REPL protocol's state: one for the whole boot, so a soft reset from raw mode
/// comes back in raw mode (as `mpremote` expects).
static PROTOCOL: Mutex<Option<Protocol>> = Mutex::new(None);

fn with_protocol<R>(f: impl FnOnce(&mut Protocol) -> R) -> R {
    let mut guard = PROTOCOL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let protocol = guard.get_or_insert_with(Protocol::new);
    let result = f(protocol);
    // The raw REPL is the host's conversation: the screen does not show it.
    console::set_protocol_active(matches!(protocol.mode(), Mode::Raw | Mode::RawPaste));
    result
}

/// True if the console is in the raw REPL (after a soft reset: no banner, no main.py).
pub fn in_raw_mode() -> bool {
    with_protocol(|protocol| matches!(protocol.mode(), Mode::Raw | Mode::RawPaste))
}

/// Announces the raw REPL again after a soft reset that happened in raw mode.
pub fn soft_reset_done() {
    let mut output = Vec::new();
    with_protocol(|protocol| protocol.soft_reset_done(&mut output));
    console::write_raw(&output);
}

/// How long a raw-paste transfer may pause before the board gives the host up.
const RAW_PASTE_IDLE_MICROS: u64 = 3_000_000;

/// Runs the REPL until Ctrl-D on an empty line, `SystemExit` or a raw-REPL soft reset; returns
/// for a soft reset. Bytes go through the raw REPL protocol first (Ctrl-A, Ctrl-E and what
/// follows are its), then to the line editor.
pub fn run(vm: &VirtualMachine, run_main: bool) {
    let scope = match vm.new_scope_with_main() {
        Ok(scope) => scope,
        Err(exception) => {
            vm.print_exception(&exception);
            return;
        }
    };
    if run_main {
        super::native::run_main_script(vm, &scope);
    }
    let mut source = String::new();
    let mut prompt_needed = !in_raw_mode();
    let mut output = Vec::new();
    let waiter = super::interrupt::EventWaiter { vm };
    loop {
        if prompt_needed {
            let prompt = if source.is_empty() { ">>> " } else { "... " };
            output.clear();
            console::with_editor(|editor| editor.start(prompt, &mut output));
            console::write_raw(&output);
            prompt_needed = false;
        }
        let deadline = with_protocol(|protocol| protocol.mode() == Mode::RawPaste)
            .then(|| crate::time::now_micros() + RAW_PASTE_IDLE_MICROS);
        let byte = match console::read_input_until(&waiter, deadline) {
            Some(console::Input::Byte(byte)) => byte,
            Some(console::Input::Interrupt) => 0x03,
            Some(console::Input::Work) => {
                if super::interrupt::run_events(vm).is_err() {
                    // KeyboardInterrupt from a callback: drop the line as Ctrl-C would.
                    0x03
                } else {
                    continue;
                }
            }
            None => {
                output.clear();
                with_protocol(|protocol| protocol.idle_timeout(&mut output));
                console::write_raw(&output);
                continue;
            }
        };
        output.clear();
        let action = with_protocol(|protocol| protocol.feed(byte, &mut output));
        console::write_raw(&output);
        match action {
            Action::None => {}
            Action::ToLineEditor(byte) => match friendly_byte(vm, &scope, &mut source, byte) {
                Some(Flow::SoftReset) => return,
                Some(Flow::Continue) => prompt_needed = true,
                None => {}
            },
            Action::DropFriendlyInput => source.clear(),
            Action::FriendlyPrompt => {
                source.clear();
                prompt_needed = true;
            }
            Action::LeaveRaw => {
                print_banner(vm);
                source.clear();
                prompt_needed = true;
            }
            Action::Execute {
                source: program, ..
            } => {
                console::take_interrupt();
                if execute_program(vm, &scope, &program) == Flow::SoftReset {
                    return;
                }
                prompt_needed = !in_raw_mode();
            }
            Action::SoftReset => return,
        }
    }
}

/// Runs a raw-REPL or paste-mode program: output, `\x04`, the traceback, `\x04`, `>` in raw
/// mode (the protocol writes the framing).
fn execute_program(vm: &VirtualMachine, scope: &Scope, program: &str) -> Flow {
    let result = vm
        .compile(program, CompileMode::Exec, "<stdin>")
        .map_err(|error| error.into_pyexception(vm, Some(program)))
        .and_then(|code| vm.run_code_obj(code, scope.clone()));
    flush_streams(vm);
    let mut output = Vec::new();
    with_protocol(|protocol| protocol.output_finished(&mut output));
    console::write_raw(&output);
    if let Err(exception) = &result {
        if exception.fast_isinstance(vm.ctx.exceptions.system_exit) {
            output.clear();
            with_protocol(|protocol| protocol.system_exit(&mut output));
            console::write_raw(&output);
            return Flow::SoftReset;
        }
        vm.print_exception(exception);
        micropython_error_line(vm, exception);
        flush_streams(vm);
    }
    output.clear();
    let _ = with_protocol(|protocol| protocol.error_finished(&mut output));
    console::write_raw(&output);
    Flow::Continue
}

/// After a traceback in the raw REPL: for an `OSError` with an errno, also MicroPython's
/// spelling (`OSError: [Errno 2] ENOENT`), which is what `mpremote` and other tools look for
/// in the error text to tell a missing file from other failures.
fn micropython_error_line(
    vm: &VirtualMachine,
    exception: &rustpython_vm::builtins::PyBaseExceptionRef,
) {
    if !exception.fast_isinstance(vm.ctx.exceptions.os_error) {
        return;
    }
    let Ok(code) = exception
        .as_object()
        .get_attr("errno", vm)
        .and_then(|code| code.try_into_value::<i32>(vm))
    else {
        return;
    };
    let name = super::native::errno_name(code).unwrap_or("EIO");
    console::write(format!("OSError: [Errno {code}] {name}\n").as_bytes());
}

/// Feeds one byte to the line editor of the friendly REPL; `Some` when a statement ran (or the
/// input was dropped) and a new prompt is due.
fn friendly_byte(
    vm: &VirtualMachine,
    scope: &Scope,
    source: &mut String,
    byte: u8,
) -> Option<Flow> {
    let mut output = Vec::new();
    let event = console::with_editor(|editor| editor.feed(byte, &mut output));
    console::write_raw(&output);
    match event {
        Event::Pending => None,
        Event::Complete => {
            complete(vm, scope);
            None
        }
        Event::Interrupt => {
            console::line_ended();
            // As CPython and MicroPython: the unfinished block is dropped.
            source.clear();
            console::write(b"KeyboardInterrupt\n");
            Some(Flow::Continue)
        }
        Event::EndOfFile => {
            console::line_ended();
            if source.is_empty() {
                return Some(Flow::SoftReset);
            }
            source.clear();
            Some(Flow::Continue)
        }
        Event::Line(line) => {
            console::line_ended();
            Some(statement_line(vm, scope, source, &line))
        }
    }
}

/// One finished line at `>>> ` or `... `.
fn statement_line(vm: &VirtualMachine, scope: &Scope, source: &mut String, line: &str) -> Flow {
    let continuing = !source.is_empty();
    source.push_str(line);
    source.push('\n');
    if continuing && opens_block(source) && !line.trim().is_empty() {
        return Flow::Continue;
    }
    match compile(vm, source) {
        Compiled::NeedsMore => Flow::Continue,
        Compiled::Failed(exception) => {
            source.clear();
            vm.print_exception(&exception);
            Flow::Continue
        }
        Compiled::Ready(code) => {
            if opens_block(source) && !line.trim().is_empty() {
                return Flow::Continue;
            }
            source.clear();
            run_code(vm, code, scope)
        }
    }
}

/// Tab completion of names and attributes, as CPython's REPL does (through `rlcompleter`):
/// one match is inserted; several insert their common prefix or are listed.
fn complete(vm: &VirtualMachine, scope: &Scope) {
    let before = console::with_editor(|editor| editor.text_before_cursor().to_owned());
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
        .map_or(0, |(index, c)| index + c.len_utf8());
    let word = &before[start..];
    let matches = completions(vm, scope, word).unwrap_or_default();
    let mut output = Vec::new();
    match matches.as_slice() {
        [] => output.push(0x07),
        [only] => {
            let rest = only.strip_prefix(word).unwrap_or("");
            console::with_editor(|editor| editor.insert_text(rest, &mut output));
        }
        several => {
            let common = common_prefix(several);
            if common.len() > word.len() {
                let rest = &common[word.len()..];
                console::with_editor(|editor| editor.insert_text(rest, &mut output));
            } else {
                output.extend_from_slice(b"\r\n");
                let shown: Vec<&str> = several
                    .iter()
                    .map(|name| name.rsplit('.').next().unwrap_or(name))
                    .collect();
                output.extend_from_slice(shown.join("  ").as_bytes());
                output.extend_from_slice(b"\r\n");
                console::with_editor(|editor| editor.refresh(&mut output));
            }
        }
    }
    console::write_raw(&output);
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut length = first.len();
    for word in &words[1..] {
        length = first
            .char_indices()
            .zip(word.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((index, a), _)| index + a.len_utf8())
            .min(length);
    }
    first[..length].to_owned()
}

/// The completions of `word` in the REPL's namespace, by `rlcompleter` (private names only
/// when the word asks for them).
fn completions(vm: &VirtualMachine, scope: &Scope, word: &str) -> PyResult<Vec<String>> {
    let module = vm.import("rlcompleter", 0)?;
    let completer = module
        .get_attr("Completer", vm)?
        .call((scope.globals.clone(),), vm)?;
    let mut found = Vec::new();
    for state in 0..256 {
        let candidate = vm.call_method(&completer, "complete", (word, state))?;
        if vm.is_none(&candidate) {
            break;
        }
        let text: String = candidate.try_into_value(vm)?;
        if !found.contains(&text) {
            found.push(text);
        }
    }
    Ok(found)
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    SoftReset,
}

fn run_code(
    vm: &VirtualMachine,
    code: rustpython_vm::PyRef<rustpython_vm::builtins::PyCode>,
    scope: &Scope,
) -> Flow {
    let result: PyResult = vm.run_code_obj(code, scope.clone());
    flush_streams(vm);
    match result {
        Ok(_) => Flow::Continue,
        Err(exception) => {
            if exception.fast_isinstance(vm.ctx.exceptions.system_exit) {
                return Flow::SoftReset;
            }
            vm.print_exception(&exception);
            Flow::Continue
        }
    }
}

/// Flushes `sys.stdout` and `sys.stderr` (user code may have replaced them).
pub fn flush_streams(vm: &VirtualMachine) {
    for name in ["stdout", "stderr"] {
        if let Ok(stream) = vm.sys_module.get_attr(name, vm) {
            let _ = vm.call_method(&stream, "flush", ());
        }
    }
}
