//! Ctrl-C delivery into running Python code.
//!
//! RustPython's wasm32 code path (the one this kernel builds) compiles its per-instruction
//! signal check out of the eval loop, and `rustpython-vm` stays unmodified. The one hook that
//! still runs at every bytecode instruction is the VM's trace logging (feature
//! `vm-tracing-logging`): `log::trace!` calls that cost one load and compare while the log level
//! is `Off`. So:
//!
//! 1. The UART interrupt sees Ctrl-C, sets the console's pending flag and raises the log level
//!    (an atomic store, safe in IRQ context).
//! 2. At the next instruction the VM calls [`InterruptLogger::log`]. The frame sits between two
//!    instructions there, as it does around any call to native code. The logger lowers the level
//!    again and arms Python tracing: `sys.settrace` plus `f_trace` on every frame of the stack.
//! 3. The next trace event (a new line, a backward jump, a call) runs [`interrupt_trace`], which
//!    takes the pending flag, turns tracing off again and raises `KeyboardInterrupt`.
//!
//! If something else took the Ctrl-C first (the line editor, `input()`, `time.sleep`), the trace
//! function finds no pending flag and just disarms.
use core::sync::atomic::{AtomicPtr, Ordering};

use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::console;

/// The interpreter currently running on the Python stack (null when none).
static CURRENT_VM: AtomicPtr<VirtualMachine> = AtomicPtr::new(core::ptr::null_mut());

struct InterruptLogger;

static LOGGER: InterruptLogger = InterruptLogger;

impl log::Log for InterruptLogger {
    fn enabled(&self, _metadata: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        // Only the eval loop's per-instruction trace is a safe point.
        if !record
            .module_path()
            .is_some_and(|path| path.starts_with("rustpython_vm::frame"))
        {
            return;
        }
        log::set_max_level(log::LevelFilter::Off);
        let vm = CURRENT_VM.load(Ordering::Acquire);
        if vm.is_null() {
            return;
        }
        // SAFETY: the pointer is set by `with_interrupts` for exactly as long as the `&vm` it
        // came from is alive, and we are running on that interpreter's own (only) thread.
        let vm = unsafe { &*vm };
        if let Err(exception) = arm_tracing(vm) {
            vm.print_exception(&exception);
        }
    }

    fn flush(&self) {}
}

/// Installs the logger (once per boot).
pub fn install_logger() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Off);
}

/// Ctrl-C hook, called from the UART receive interrupt.
pub fn on_interrupt_key() {
    if !CURRENT_VM.load(Ordering::Acquire).is_null() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

/// Runs `body` with Ctrl-C delivery into `vm`.
pub fn with_interrupts<R>(vm: &VirtualMachine, body: impl FnOnce() -> R) -> R {
    CURRENT_VM.store(core::ptr::from_ref(vm).cast_mut(), Ordering::Release);
    let result = body();
    CURRENT_VM.store(core::ptr::null_mut(), Ordering::Release);
    log::set_max_level(log::LevelFilter::Off);
    result
}

fn trace_function(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    vm.import("_pipyos", 0)?.get_attr("_interrupt_trace", vm)
}

/// Turns on tracing with [`interrupt_trace`] for every frame of the running stack.
fn arm_tracing(vm: &VirtualMachine) -> PyResult<()> {
    let trace = trace_function(vm)?;
    vm.sys_module
        .get_attr("settrace", vm)?
        .call((trace.clone(),), vm)?;
    let mut frame = vm.sys_module.get_attr("_getframe", vm)?.call((0,), vm)?;
    while !vm.is_none(&frame) {
        frame.set_attr("f_trace", trace.clone(), vm)?;
        frame = frame.get_attr("f_back", vm)?;
    }
    Ok(())
}

/// The trace function armed by Ctrl-C: disarms tracing and raises `KeyboardInterrupt` if the
/// Ctrl-C is still pending.
pub fn interrupt_trace(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    vm.sys_module
        .get_attr("settrace", vm)?
        .call((vm.ctx.none(),), vm)?;
    if console::take_interrupt() {
        Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()))
    } else {
        Ok(vm.ctx.none())
    }
}
