//! The interpreter's host: builds RustPython with our native modules, runs main.py and the REPL,
//! delivers Ctrl-C, and performs soft resets.
mod display_module;
mod framebuf_module;
pub(crate) mod interrupt;
mod machine_module;
mod native;
mod net_module;
mod posix;
mod repl;
mod rt_module;
mod select_module;
mod usb_module;

// Rebuild when a file of `lib/` changes (the freezing macro does not tell the compiler which
// files it read): build.rs lists them as `include_bytes!` items nobody uses.
include!(concat!(env!("OUT_DIR"), "/python_lib_files.rs"));

use rustpython_vm::{Interpreter, Settings};

use crate::console;

/// Where Python looks for modules: the app first, then the current directory (as CPython's
/// REPL does; `mpremote mount` relies on it), then our packages, then the standard library.
pub const MODULE_SEARCH_PATH: [&str; 5] =
    ["/app", "", "/data/lib", "/lib/site-packages", "/lib/python"];

/// RustPython's native modules that PiPyOS replaces with its own.
const REPLACED_MODULES: [&str; 1] = ["_socket"];

fn build_interpreter() -> Interpreter {
    let mut settings = Settings::default();
    settings.path_list = MODULE_SEARCH_PATH
        .iter()
        .map(|path| String::from(*path))
        .collect();
    settings.interactive = true;
    let builder = Interpreter::builder(settings);
    // RustPython's wasm32 `_socket` is a stub without sockets: ours (lib/_socket.py) replaces it.
    let mut modules: Vec<_> = rustpython_stdlib::stdlib_module_defs(&builder.ctx)
        .into_iter()
        .filter(|module| !REPLACED_MODULES.contains(&module.name.as_str()))
        .collect();
    modules.extend(native::module_defs(&builder.ctx));
    let builder = builder.add_native_modules(&modules);
    #[cfg(feature = "frozen-stdlib")]
    let builder = builder.add_frozen_modules(rustpython_pylib::FROZEN_STDLIB);
    // Our own Python modules (machine, micropython, ...), compiled to bytecode at build time.
    let builder = builder.add_frozen_modules(rustpython_vm::py_freeze!(dir = "lib"));
    builder.build()
}

/// Runs Python forever: build an interpreter, run `/app/main.py` if present, then the REPL;
/// Ctrl-D (or `sys.exit()`) at the prompt soft-resets into a fresh interpreter.
pub fn run_forever() -> ! {
    interrupt::install_logger();
    console::set_interrupt_hook(interrupt::on_interrupt_key);
    loop {
        let raw = repl::in_raw_mode();
        let interpreter = build_interpreter();
        interpreter.enter(|vm| {
            interrupt::with_interrupts(vm, || {
                native::install(vm);
                if raw {
                    // A soft reset from the raw REPL (mpremote): no banner, no main.py.
                    repl::soft_reset_done();
                } else {
                    repl::print_banner(vm);
                }
                repl::run(vm, !raw);
            })
        });
        drop(interpreter);
        crate::vfs::close_all();
        console::take_interrupt();
        console::write(b"PiPyOS: soft reboot\n");
    }
}
