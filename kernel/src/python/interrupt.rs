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
//!
//! The same path carries scheduled callbacks, as MicroPython's `micropython.schedule` does: an
//! interrupt handler (a `machine.Timer` expiry, a `Pin.irq` edge) queues a 32-bit event word
//! with [`schedule_from_interrupt`] and raises the log level; at the next safe point the trace
//! function runs the Python handler registered for the event's kind. Places that wait (the
//! prompt, `input()`, `time.sleep`, `select`) run pending events themselves. Callbacks
//! therefore always run in the Python context, between two bytecode instructions, never inside
//! the interrupt.
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use rtsched::Channel;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use crate::console;

/// Event words queued by interrupt handlers (one producer: IRQ handlers never nest).
static EVENTS: Channel<256> = Channel::new();
/// Events that did not fit (the Python side fell behind by 256 events).
static EVENTS_LOST: AtomicU32 = AtomicU32::new(0);

/// Event kinds: the top byte of an event word.
pub mod event {
    /// A `machine.Timer` expired; the payload is the timer's number.
    pub const TIMER: u32 = 1;
    /// A `Pin.irq` trigger; the payload is the pin number.
    pub const PIN: u32 = 2;
}

/// Queues an event for the Python context (IRQ context) and asks for a safe point.
pub fn schedule_from_interrupt(kind: u32, payload: u32) {
    if EVENTS
        .try_push(kind << 24 | (payload & 0x00ff_ffff))
        .is_err()
    {
        EVENTS_LOST.fetch_add(1, Ordering::Relaxed);
    }
    if !CURRENT_VM.load(Ordering::Acquire).is_null() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

/// True if events wait for the Python context.
pub fn events_pending() -> bool {
    !EVENTS.is_empty()
}

/// Events dropped because the queue was full.
pub fn events_lost() -> u32 {
    EVENTS_LOST.load(Ordering::Relaxed)
}

/// Runs the Python handlers of every queued event: `_pipyos._event_handlers[kind](payload)`.
/// An exception in a handler is printed (as MicroPython does for IRQ callbacks), except
/// `KeyboardInterrupt`, which propagates.
pub fn run_events(vm: &VirtualMachine) -> PyResult<()> {
    while let Some(word) = EVENTS.try_pop() {
        let handlers = vm
            .import("_pipyos", 0)
            .and_then(|module| module.get_attr("_event_handlers", vm));
        let Ok(handlers) = handlers else {
            continue;
        };
        let kind: PyObjectRef = vm.ctx.new_int(word >> 24).into();
        let Ok(handler) = handlers.get_item(&*kind, vm) else {
            continue;
        };
        if let Err(exception) = handler.call((word & 0x00ff_ffff,), vm) {
            if exception.fast_isinstance(vm.ctx.exceptions.keyboard_interrupt) {
                return Err(exception);
            }
            crate::console::write(b"Uncaught exception in a scheduled callback:\n");
            vm.print_exception(&exception);
        }
    }
    Ok(())
}

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

/// The trace function armed by Ctrl-C or an event: disarms tracing, raises `KeyboardInterrupt`
/// if the Ctrl-C is still pending, runs queued events.
pub fn interrupt_trace(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    vm.sys_module
        .get_attr("settrace", vm)?
        .call((vm.ctx.none(),), vm)?;
    if console::take_interrupt() {
        return Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()));
    }
    run_events(vm)?;
    Ok(vm.ctx.none())
}

/// Runs scheduled callbacks while the console waits for a line.
pub struct EventWaiter<'a> {
    /// The interpreter to run them in.
    pub vm: &'a VirtualMachine,
}

impl console::Waiter for EventWaiter<'_> {
    fn pending(&self) -> bool {
        events_pending()
    }

    fn run(&mut self) -> bool {
        match run_events(self.vm) {
            Ok(()) => true,
            Err(exception) => {
                // Only KeyboardInterrupt comes back: the line is abandoned.
                let _ = exception;
                false
            }
        }
    }
}
