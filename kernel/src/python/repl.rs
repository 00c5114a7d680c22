//! The interactive prompt: `>>>`/`...` input, echo of expression results, tracebacks, Ctrl-C/D.
use rustpython_vm::{compiler::Mode, scope::Scope, version, AsObject, PyResult, VirtualMachine};

use crate::{
    bsp::rpi1,
    console::{self, LineResult},
    mem::heap,
};

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
    match vm.compile(source, Mode::Single, "<stdin>") {
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

/// Runs the REPL until Ctrl-D on an empty line or `SystemExit`; returns for a soft reset.
pub fn run(vm: &VirtualMachine) {
    let scope = match vm.new_scope_with_main() {
        Ok(scope) => scope,
        Err(exception) => {
            vm.print_exception(&exception);
            return;
        }
    };
    super::native::run_main_script(vm, &scope);
    let mut source = String::new();
    loop {
        let prompt = if source.is_empty() { ">>> " } else { "... " };
        let line = match console::read_line(
            Some(prompt),
            &mut super::interrupt::EventWaiter { vm },
        ) {
            LineResult::Line(line) => line,
            LineResult::Interrupt => {
                source.clear();
                console::write(b"KeyboardInterrupt\n");
                continue;
            }
            LineResult::EndOfFile => {
                if source.is_empty() {
                    return;
                }
                source.clear();
                continue;
            }
        };
        let continuing = !source.is_empty();
        source.push_str(&line);
        source.push('\n');
        if continuing && opens_block(&source) && !line.trim().is_empty() {
            continue;
        }
        match compile(vm, &source) {
            Compiled::NeedsMore => continue,
            Compiled::Failed(exception) => {
                source.clear();
                vm.print_exception(&exception);
            }
            Compiled::Ready(code) => {
                if opens_block(&source) && !line.trim().is_empty() {
                    continue;
                }
                source.clear();
                if run_code(vm, code, &scope) == Flow::SoftReset {
                    return;
                }
            }
        }
    }
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
