//! The interpreter's host: builds RustPython with our native modules, runs main.py and the REPL,
//! delivers Ctrl-C, and performs soft resets.
mod native;
mod repl;

use rustpython_vm::{
    signal::{user_signal_channel, UserSignalSender},
    Interpreter, Settings, VirtualMachine,
};

use crate::{console, sync::IrqLock};

/// Python version string of the embedded interpreter, for the banner.
const BANNER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where Python looks for modules: the app first, then our packages, then the standard library.
pub const MODULE_SEARCH_PATH: [&str; 3] = ["/app", "/lib/site-packages", "/lib/python"];

/// The sender through which the Ctrl-C interrupt reaches the running interpreter.
static INTERRUPT_SENDER: IrqLock<Option<UserSignalSender>> = IrqLock::new(None);

/// Ctrl-C hook, called from the UART receive interrupt: queue a check that raises
/// `KeyboardInterrupt` at the interpreter's next instruction boundary.
///
/// Safe in IRQ context: the heap masks IRQs around its own work (so it is never interrupted
/// halfway), the closure is zero-sized (no allocation for the box), and the channel's send is
/// lock-free for a single sender.
fn on_interrupt_key() {
    INTERRUPT_SENDER.lock(|sender| {
        if let Some(sender) = sender {
            let _ = sender.send(Box::new(raise_pending_interrupt));
        }
    });
}

/// Raises KeyboardInterrupt if Ctrl-C is still pending (nobody else, such as `input()`, took it).
fn raise_pending_interrupt(vm: &VirtualMachine) -> rustpython_vm::PyResult<()> {
    if console::take_interrupt() {
        Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()))
    } else {
        Ok(())
    }
}

fn build_interpreter() -> Interpreter {
    let mut settings = Settings::default();
    settings.path_list = MODULE_SEARCH_PATH.iter().map(|path| String::from(*path)).collect();
    settings.interactive = true;
    let builder = Interpreter::builder(settings);
    let mut modules = rustpython_stdlib::stdlib_module_defs(&builder.ctx);
    modules.extend(native::module_defs(&builder.ctx));
    builder
        .add_native_modules(&modules)
        .init_hook(|vm| {
            let (sender, receiver) = user_signal_channel();
            vm.set_user_signal_channel(receiver);
            // Send one no-op check now, so the channel has allocated its first block.
            let _ = sender.send(Box::new(raise_pending_interrupt));
            INTERRUPT_SENDER.lock(|slot| *slot = Some(sender));
        })
        .build()
}

/// Runs Python forever: build an interpreter, run `/app/main.py` if present, then the REPL;
/// Ctrl-D (or `sys.exit()`) at the prompt soft-resets into a fresh interpreter.
pub fn run_forever() -> ! {
    console::set_interrupt_hook(on_interrupt_key);
    let mut first_boot = true;
    loop {
        let interpreter = build_interpreter();
        interpreter.enter(|vm| {
            native::install(vm);
            if first_boot {
                repl::print_banner(vm);
            }
            repl::run(vm);
        });
        INTERRUPT_SENDER.lock(|slot| *slot = None);
        drop(interpreter);
        console::take_interrupt();
        console::write(b"PiPyOS: soft reboot\n");
        first_boot = false;
        let _ = BANNER_VERSION;
    }
}
