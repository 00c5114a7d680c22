//! Native modules the kernel adds: `_pipyos` (board, memory, console streams, clocks) and the
//! real clock functions of `time`, plus the start-up glue that installs them.
use rustpython_vm::{
    builtins::PyModuleDef, compiler::Mode, scope::Scope, AsObject, Context, PyObjectRef, PyPayload,
    VirtualMachine,
};

use crate::vfs;

/// Definitions of the native modules to register with the interpreter.
pub fn module_defs(context: &Context) -> Vec<&'static PyModuleDef> {
    vec![
        _pipyos::module_def(context),
        super::posix::module_def(context),
        super::rt_module::module_def(context),
        super::machine_module::module_def(context),
        super::select_module::module_def(context),
        super::framebuf_module::module_def(context),
        super::display_module::module_def(context),
        super::usb_module::module_def(context),
        super::net_module::module_def(context),
    ]
}

/// errno values of the Hermit ABI (Linux numbering) that the `errno` module names (RustPython's
/// wasm32 path leaves it empty).
const ERRNO_NAMES: [(&str, i32); 131] = {
    use crate::abi::hermit::errno::*;
    [
        ("EPERM", EPERM),
        ("ENOENT", ENOENT),
        ("ESRCH", ESRCH),
        ("EINTR", EINTR),
        ("EIO", EIO),
        ("ENXIO", ENXIO),
        ("E2BIG", E2BIG),
        ("ENOEXEC", ENOEXEC),
        ("EBADF", EBADF),
        ("ECHILD", ECHILD),
        ("EAGAIN", EAGAIN),
        ("ENOMEM", ENOMEM),
        ("EACCES", EACCES),
        ("EFAULT", EFAULT),
        ("ENOTBLK", ENOTBLK),
        ("EBUSY", EBUSY),
        ("EEXIST", EEXIST),
        ("EXDEV", EXDEV),
        ("ENODEV", ENODEV),
        ("ENOTDIR", ENOTDIR),
        ("EISDIR", EISDIR),
        ("EINVAL", EINVAL),
        ("ENFILE", ENFILE),
        ("EMFILE", EMFILE),
        ("ENOTTY", ENOTTY),
        ("ETXTBSY", ETXTBSY),
        ("EFBIG", EFBIG),
        ("ENOSPC", ENOSPC),
        ("ESPIPE", ESPIPE),
        ("EROFS", EROFS),
        ("EMLINK", EMLINK),
        ("EPIPE", EPIPE),
        ("EDOM", EDOM),
        ("ERANGE", ERANGE),
        ("EDEADLK", EDEADLK),
        ("ENAMETOOLONG", ENAMETOOLONG),
        ("ENOLCK", ENOLCK),
        ("ENOSYS", ENOSYS),
        ("ENOTEMPTY", ENOTEMPTY),
        ("ELOOP", ELOOP),
        ("ENOMSG", ENOMSG),
        ("EIDRM", EIDRM),
        ("ECHRNG", ECHRNG),
        ("EL2NSYNC", EL2NSYNC),
        ("EL3HLT", EL3HLT),
        ("EL3RST", EL3RST),
        ("ELNRNG", ELNRNG),
        ("EUNATCH", EUNATCH),
        ("ENOCSI", ENOCSI),
        ("EL2HLT", EL2HLT),
        ("EBADE", EBADE),
        ("EBADR", EBADR),
        ("EXFULL", EXFULL),
        ("ENOANO", ENOANO),
        ("EBADRQC", EBADRQC),
        ("EBADSLT", EBADSLT),
        ("EBFONT", EBFONT),
        ("ENOSTR", ENOSTR),
        ("ENODATA", ENODATA),
        ("ETIME", ETIME),
        ("ENOSR", ENOSR),
        ("ENONET", ENONET),
        ("ENOPKG", ENOPKG),
        ("EREMOTE", EREMOTE),
        ("ENOLINK", ENOLINK),
        ("EADV", EADV),
        ("ESRMNT", ESRMNT),
        ("ECOMM", ECOMM),
        ("EPROTO", EPROTO),
        ("EMULTIHOP", EMULTIHOP),
        ("EDOTDOT", EDOTDOT),
        ("EBADMSG", EBADMSG),
        ("EOVERFLOW", EOVERFLOW),
        ("ENOTUNIQ", ENOTUNIQ),
        ("EBADFD", EBADFD),
        ("EREMCHG", EREMCHG),
        ("ELIBACC", ELIBACC),
        ("ELIBBAD", ELIBBAD),
        ("ELIBSCN", ELIBSCN),
        ("ELIBMAX", ELIBMAX),
        ("ELIBEXEC", ELIBEXEC),
        ("EILSEQ", EILSEQ),
        ("ERESTART", ERESTART),
        ("ESTRPIPE", ESTRPIPE),
        ("EUSERS", EUSERS),
        ("ENOTSOCK", ENOTSOCK),
        ("EDESTADDRREQ", EDESTADDRREQ),
        ("EMSGSIZE", EMSGSIZE),
        ("EPROTOTYPE", EPROTOTYPE),
        ("ENOPROTOOPT", ENOPROTOOPT),
        ("EPROTONOSUPPORT", EPROTONOSUPPORT),
        ("ESOCKTNOSUPPORT", ESOCKTNOSUPPORT),
        ("EOPNOTSUPP", EOPNOTSUPP),
        ("EPFNOSUPPORT", EPFNOSUPPORT),
        ("EAFNOSUPPORT", EAFNOSUPPORT),
        ("EADDRINUSE", EADDRINUSE),
        ("EADDRNOTAVAIL", EADDRNOTAVAIL),
        ("ENETDOWN", ENETDOWN),
        ("ENETUNREACH", ENETUNREACH),
        ("ENETRESET", ENETRESET),
        ("ECONNABORTED", ECONNABORTED),
        ("ECONNRESET", ECONNRESET),
        ("ENOBUFS", ENOBUFS),
        ("EISCONN", EISCONN),
        ("ENOTCONN", ENOTCONN),
        ("ESHUTDOWN", ESHUTDOWN),
        ("ETOOMANYREFS", ETOOMANYREFS),
        ("ETIMEDOUT", ETIMEDOUT),
        ("ECONNREFUSED", ECONNREFUSED),
        ("EHOSTDOWN", EHOSTDOWN),
        ("EHOSTUNREACH", EHOSTUNREACH),
        ("EALREADY", EALREADY),
        ("EINPROGRESS", EINPROGRESS),
        ("ESTALE", ESTALE),
        ("EUCLEAN", EUCLEAN),
        ("ENOTNAM", ENOTNAM),
        ("ENAVAIL", ENAVAIL),
        ("EISNAM", EISNAM),
        ("EREMOTEIO", EREMOTEIO),
        ("EDQUOT", EDQUOT),
        ("ENOMEDIUM", ENOMEDIUM),
        ("EMEDIUMTYPE", EMEDIUMTYPE),
        ("ECANCELED", ECANCELED),
        ("ENOKEY", ENOKEY),
        ("EKEYEXPIRED", EKEYEXPIRED),
        ("EKEYREVOKED", EKEYREVOKED),
        ("EKEYREJECTED", EKEYREJECTED),
        ("EOWNERDEAD", EOWNERDEAD),
        ("ENOTRECOVERABLE", ENOTRECOVERABLE),
        ("ERFKILL", ERFKILL),
        ("EHWPOISON", EHWPOISON),
    ]
};

/// The symbolic name of an errno value (`ENOENT` for 2).
pub fn errno_name(code: i32) -> Option<&'static str> {
    ERRNO_NAMES
        .iter()
        .find(|(_, value)| *value == code)
        .map(|(name, _)| *name)
}

/// Python run at the start of every interpreter: `help`, `exit`, `quit` in builtins.
const STARTUP: &str = include_str!("startup.py");

/// Compiles `source` (named `name` in tracebacks) and runs it in `scope`.
fn run_source(
    vm: &VirtualMachine,
    source: &str,
    name: &str,
    scope: Scope,
) -> rustpython_vm::PyResult {
    let code = vm
        .compile(source, Mode::Exec, name)
        .map_err(|error| error.into_pyexception(vm, Some(source)))?;
    vm.run_code_obj(code, scope)
}

/// Completes `posix` with its Python half, puts our `FileIO`/`open` into `io` and builtins,
/// names the errno values, and installs importlib's path-based finders (RustPython does this
/// itself only with a host OS), so `import` finds `.py` files on the initfs.
fn install_files(vm: &VirtualMachine) -> rustpython_vm::PyResult<()> {
    let posix = vm.import("posix", 0)?;
    let namespace = posix
        .dict()
        .ok_or_else(|| vm.new_runtime_error("the posix module has no namespace"))?;
    run_source(
        vm,
        super::posix::PYTHON_PART,
        "<posix>",
        Scope::with_builtins(None, namespace, vm),
    )?;
    vm.call_method(&posix, "_install_io", ())?;
    let errno = vm.import("errno", 0)?;
    let codes = vm.ctx.new_dict();
    for (name, value) in ERRNO_NAMES {
        errno.set_attr(name, vm.ctx.new_int(value), vm)?;
        let key: PyObjectRef = vm.ctx.new_int(value).into();
        // Aliases (EWOULDBLOCK = EAGAIN) keep the first, main name, as CPython's table does.
        if codes.get_item_opt(&*key, vm)?.is_none() {
            codes.set_item(&*key, vm.ctx.new_str(name).into(), vm)?;
        }
    }
    errno.set_attr("errorcode", codes, vm)?;
    vm.sys_module
        .set_attr("dont_write_bytecode", vm.ctx.true_value.clone(), vm)?;
    let importlib = vm.import("_frozen_importlib", 0)?;
    vm.call_method(&importlib, "_install_external_importers", ())?;
    Ok(())
}

/// `sys.version` in CPython's layout, with this build's facts: `3.14.0.alpha (pipyos-0.1.0:
/// <revision>, <source date>, <time>)` and RustPython's own second line. RustPython's build
/// script records the same facts when built by xtask, but only when it reruns; these are
/// always this build's.
pub fn python_version() -> String {
    use rustpython_vm::version;
    let compiler = version::RUSTPYTHON_VERSION
        .split_once('\n')
        .map_or("[RustPython]", |(_, right)| right);
    format!(
        "{}.{}.{}.{} (pipyos-{}:{}, {}, {})\n{compiler}",
        version::MAJOR,
        version::MINOR,
        version::MICRO,
        version::RELEASELEVEL,
        env!("CARGO_PKG_VERSION"),
        env!("PIPYOS_GIT_REVISION"),
        env!("PIPYOS_BUILD_DATE"),
        env!("PIPYOS_BUILD_TIME"),
    )
}

/// Installs our console streams as `sys.stdin/stdout/stderr`, replaces the clock functions of
/// `time` with ones backed by the system timer, and sets `sys.platform`.
pub fn install(vm: &VirtualMachine) {
    let result = (|| -> rustpython_vm::PyResult<()> {
        let module = vm.import("_pipyos", 0)?;
        for (name, original, fd) in [
            ("stdin", "__stdin__", 0),
            ("stdout", "__stdout__", 1),
            ("stderr", "__stderr__", 2),
        ] {
            let stream: PyObjectRef = _pipyos::ConsoleStream { fd }.into_ref(&vm.ctx).into();
            vm.sys_module.set_attr(name, stream.clone(), vm)?;
            vm.sys_module.set_attr(original, stream, vm)?;
        }
        vm.sys_module
            .set_attr("platform", vm.ctx.new_str("pipyos"), vm)?;
        vm.sys_module
            .set_attr("version", vm.ctx.new_str(python_version()), vm)?;
        let git = vm.new_tuple((
            "RustPython",
            format!("pipyos-{}", env!("CARGO_PKG_VERSION")),
            env!("PIPYOS_GIT_REVISION"),
        ));
        vm.sys_module.set_attr("_git", git, vm)?;
        if let Some(reason) = vfs::init() {
            crate::console::write(
                format!("PiPyOS: no usable initfs ({reason}); no files, no app: the built-in and frozen modules remain.\n")
                    .as_bytes(),
            );
        }
        for problem in crate::config::problems() {
            crate::console::write(
                format!("PiPyOS: {}: {problem}\n", crate::config::PATH).as_bytes(),
            );
        }
        install_files(vm)?;
        let time = vm.import("time", 0)?;
        for name in [
            "time",
            "time_ns",
            "monotonic",
            "monotonic_ns",
            "perf_counter",
            "perf_counter_ns",
            "sleep",
            "sleep_ms",
            "sleep_us",
            "ticks_ms",
            "ticks_us",
            "ticks_cpu",
            "ticks_add",
            "ticks_diff",
        ] {
            let native_name = vm.ctx.new_str(format!("_time_{name}"));
            time.set_attr(name, module.get_attr(&native_name, vm)?, vm)?;
        }
        run_source(vm, STARTUP, "<startup>", vm.new_scope_with_builtins())?;
        Ok(())
    })();
    if let Err(exception) = result {
        crate::console::write(b"PiPyOS: could not install the native modules:\n");
        vm.print_exception(&exception);
    }
}

/// Runs `/app/main.py` if it exists; an exception prints its traceback and the REPL follows.
pub fn run_main_script(vm: &VirtualMachine, scope: &Scope) {
    const CARD_APPS: [(&str, Option<&str>); 2] = [
        ("/data/main.py", None),
        ("/data/app/main.py", Some("/data/app")),
    ];
    const INITFS_APP: (&str, Option<&str>) = ("/app/main.py", None);
    let card_first = crate::config::get().app_from_card_first;
    let safe = safe_boot_reason();
    if let Some(reason) = &safe {
        crate::console::write(
            format!("PiPyOS: safe boot ({reason}): the card's app is skipped\n").as_bytes(),
        );
    }
    let card = CARD_APPS.iter().copied().filter(|_| safe.is_none());
    let order: Vec<(&str, Option<&str>)> = if card_first {
        card.chain([INITFS_APP]).collect()
    } else {
        [INITFS_APP].into_iter().chain(card).collect()
    };
    let Some((main, data, directory)) = order.into_iter().find_map(|(path, directory)| {
        vfs::read_whole_file(path).map(|data| (path, data, directory))
    }) else {
        return;
    };
    if let Some(directory) = directory {
        // The app's own directory comes first on sys.path, as /app does for the initfs's.
        let _ = vm
            .sys_module
            .get_attr("path", vm)
            .and_then(|path| vm.call_method(&path, "insert", (0, directory)));
    }
    let source = String::from_utf8_lossy(&data);
    let result = scope
        .globals
        .set_item("__file__", vm.ctx.new_str(main).into(), vm)
        .and_then(|()| run_source(vm, &source, main, scope.clone()));
    super::repl::flush_streams(vm);
    if let Err(exception) = result {
        if !exception.fast_isinstance(vm.ctx.exceptions.system_exit) {
            vm.print_exception(&exception);
        }
    }
    let _ = scope.globals.del_item("__file__", vm);
}

/// Why the card's app must not run, if it must not: a file `/boot/SAFE`, or the configured
/// safe-boot GPIO held low.
fn safe_boot_reason() -> Option<String> {
    if vfs::read_whole_file("/boot/SAFE").is_some() {
        return Some("/boot/SAFE exists".to_owned());
    }
    let number = crate::config::get().safe_boot_pin?;
    let pin = crate::drivers::bcm2835_gpio::Pin::new(number).ok()?;
    let gpio = &crate::bsp::rpi1::GPIO;
    gpio.set_function(pin, crate::drivers::bcm2835_gpio::Function::Input);
    gpio.set_pull(pin, bcm2835::gpio::Pull::Up);
    // Let the pull-up settle before reading.
    let settle = crate::time::now_micros() + 100;
    while crate::time::now_micros() < settle {}
    (!gpio.is_high(pin)).then(|| format!("GPIO {number} is low"))
}

#[rustpython_vm::pymodule]
pub(crate) mod _pipyos {
    use core::sync::atomic::Ordering;

    use rustpython_vm::{
        builtins::PyStrRef,
        function::{ArgIntoFloat, OptionalArg},
        pyclass, Py, PyObjectRef, PyPayload, PyResult, TryFromObject, VirtualMachine,
    };

    use crate::{bsp::rpi1, console, mem::heap};

    /// A console stream: `sys.stdin` (fd 0), `sys.stdout` (1), `sys.stderr` (2).
    #[pyattr]
    #[pyclass(name = "ConsoleStream", module = "_pipyos")]
    #[derive(Debug, PyPayload)]
    pub struct ConsoleStream {
        pub fd: i32,
    }

    #[pyclass]
    impl ConsoleStream {
        #[pymethod]
        fn write(zelf: &Py<Self>, text: PyStrRef, vm: &VirtualMachine) -> PyResult<usize> {
            if zelf.fd == 0 {
                return Err(vm.new_os_error("not writable"));
            }
            console::write(text.as_bytes());
            Ok(text.char_len())
        }

        #[pymethod]
        fn readline(
            zelf: &Py<Self>,
            size: OptionalArg<isize>,
            vm: &VirtualMachine,
        ) -> PyResult<String> {
            if zelf.fd != 0 {
                return Err(vm.new_os_error("not readable"));
            }
            if size.unwrap_or(-1) == 0 {
                return Ok(String::new());
            }
            match console::read_line(None, &mut crate::python::interrupt::EventWaiter { vm }) {
                console::LineResult::Line(mut line) => {
                    line.push('\n');
                    Ok(line)
                }
                console::LineResult::EndOfFile => Ok(String::new()),
                console::LineResult::Interrupt => {
                    Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()))
                }
            }
        }

        #[pymethod]
        fn flush(_zelf: &Py<Self>) {}

        #[pymethod]
        fn isatty(_zelf: &Py<Self>) -> bool {
            true
        }

        #[pymethod]
        fn fileno(zelf: &Py<Self>) -> i32 {
            zelf.fd
        }

        #[pymethod]
        fn readable(zelf: &Py<Self>) -> bool {
            zelf.fd == 0
        }

        #[pymethod]
        fn writable(zelf: &Py<Self>) -> bool {
            zelf.fd != 0
        }

        #[pygetset]
        fn encoding(_zelf: &Py<Self>) -> &'static str {
            "utf-8"
        }

        #[pygetset]
        fn errors(_zelf: &Py<Self>) -> &'static str {
            "strict"
        }

        #[pygetset]
        fn closed(_zelf: &Py<Self>) -> bool {
            false
        }

        #[pygetset]
        fn name(zelf: &Py<Self>) -> &'static str {
            ["<stdin>", "<stdout>", "<stderr>"][zelf.fd.clamp(0, 2) as usize]
        }

        #[pygetset]
        fn mode(zelf: &Py<Self>) -> &'static str {
            if zelf.fd == 0 {
                "r"
            } else {
                "w"
            }
        }

        /// The binary stream under it: raw bytes, no line editing, no newline translation.
        #[pygetset]
        fn buffer(zelf: &Py<Self>, vm: &VirtualMachine) -> PyObjectRef {
            ConsoleBuffer { fd: zelf.fd }.into_ref(&vm.ctx).into()
        }
    }

    /// The binary side of a console stream (`sys.stdin.buffer`, `sys.stdout.buffer`).
    #[pyattr]
    #[pyclass(name = "ConsoleBuffer", module = "_pipyos")]
    #[derive(Debug, PyPayload)]
    pub struct ConsoleBuffer {
        pub fd: i32,
    }

    #[pyclass]
    impl ConsoleBuffer {
        /// Reads into `buffer` (at most `count` bytes, MicroPython's two-argument form too):
        /// waits for the first byte, then takes what has arrived.
        #[pymethod]
        fn readinto(
            zelf: &Py<Self>,
            buffer: rustpython_vm::function::ArgMemoryBuffer,
            count: OptionalArg<usize>,
            vm: &VirtualMachine,
        ) -> PyResult<usize> {
            if zelf.fd != 0 {
                return Err(vm.new_os_error("not readable"));
            }
            let mut bytes = buffer.borrow_buf_mut();
            let wanted = count.unwrap_or(bytes.len()).min(bytes.len());
            if wanted == 0 {
                return Ok(0);
            }
            loop {
                let (taken, interrupted) = console::take_bytes(&mut bytes[..wanted]);
                if taken > 0 {
                    return Ok(taken);
                }
                if interrupted || console::take_interrupt() {
                    return Err(
                        vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned())
                    );
                }
                crate::time::wait_once(None, || {
                    console::input_waiting() || console::interrupt_pending()
                });
            }
        }

        /// Reads up to `count` bytes (all that arrived once one has; -1: as for readinto).
        #[pymethod]
        fn read(
            zelf: &Py<Self>,
            count: OptionalArg<isize>,
            vm: &VirtualMachine,
        ) -> PyResult<PyObjectRef> {
            let size = match count {
                OptionalArg::Present(count) if count >= 0 => count as usize,
                _ => 4096,
            };
            let buffer = vm.ctx.new_bytearray(vec![0u8; size]);
            let taken = Self::readinto(
                zelf,
                rustpython_vm::function::ArgMemoryBuffer::try_from_object(
                    vm,
                    buffer.clone().into(),
                )?,
                OptionalArg::Present(size),
                vm,
            )?;
            let data = buffer.borrow_buf()[..taken].to_vec();
            Ok(vm.ctx.new_bytes(data).into())
        }

        /// Writes raw bytes (at most `count`, MicroPython's two-argument form too); a `str` is
        /// written as UTF-8, as MicroPython accepts it.
        #[pymethod]
        fn write(
            zelf: &Py<Self>,
            data: PyObjectRef,
            count: OptionalArg<usize>,
            vm: &VirtualMachine,
        ) -> PyResult<usize> {
            if zelf.fd == 0 {
                return Err(vm.new_os_error("not writable"));
            }
            let bytes = match data.downcast_ref::<rustpython_vm::builtins::PyStr>() {
                Some(text) => text.to_string_lossy().into_owned().into_bytes(),
                None => rustpython_vm::function::ArgBytesLike::try_from_object(vm, data)?
                    .borrow_buf()
                    .to_vec(),
            };
            let length = count.unwrap_or(bytes.len()).min(bytes.len());
            console::write_raw(&bytes[..length]);
            Ok(length)
        }

        #[pymethod]
        fn flush(_zelf: &Py<Self>) {}

        #[pymethod]
        fn fileno(zelf: &Py<Self>) -> i32 {
            zelf.fd
        }
    }

    /// Sets the character that raises KeyboardInterrupt (`-1`: none), as
    /// `micropython.kbd_intr`.
    #[pyfunction]
    fn set_interrupt_character(character: i32) {
        console::set_interrupt_character(character);
    }

    /// Board facts: `(model, revision, serial, arm_memory, gpu_memory, arm_clock_hz,
    /// core_clock_hz, firmware_revision)`.
    #[pyfunction]
    fn board_info(vm: &VirtualMachine) -> PyObjectRef {
        let board = rpi1::board();
        let fields: Vec<PyObjectRef> = vec![
            vm.ctx.new_str(board.model()).into(),
            vm.ctx.new_int(board.revision).into(),
            vm.ctx.new_int(board.serial).into(),
            vm.ctx.new_int(board.arm_memory).into(),
            vm.ctx.new_int(board.gpu_memory).into(),
            vm.ctx.new_int(board.arm_clock_hz).into(),
            vm.ctx.new_int(board.core_clock_hz).into(),
            vm.ctx.new_int(board.firmware_revision).into(),
        ];
        vm.ctx.new_tuple(fields).into()
    }

    /// The kernel's RAM layout: `{region: (start, end)}` in bytes.
    #[pyfunction]
    fn memory_layout(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let layout = rpi1::layout().ok_or_else(|| vm.new_runtime_error("no memory layout"))?;
        let regions = vm.ctx.new_dict();
        let add = |name: &str, range: &core::ops::Range<usize>| {
            regions.set_item(name, vm.new_tuple((range.start, range.end)).into(), vm)
        };
        add("ram", &layout.ram)?;
        add("kernel", &layout.kernel)?;
        if let Some(initfs) = &layout.initfs {
            add("initfs", initfs)?;
        }
        add("small_heap", &layout.small_heap)?;
        add("large_heap", &layout.large_heap)?;
        add("stack_guard", &layout.stack_guard)?;
        add("python_stack", &layout.python_stack)?;
        Ok(regions.into())
    }

    /// Heap figures: `(used, free, peak_used)` in bytes.
    #[pyfunction]
    fn mem_info(vm: &VirtualMachine) -> PyObjectRef {
        let statistics = heap::statistics();
        vm.new_tuple((statistics.used, statistics.free, statistics.peak_used))
            .into()
    }

    /// Free heap bytes.
    #[pyfunction]
    fn mem_free() -> usize {
        heap::statistics().free
    }

    /// Measures IRQ-masked windows from now on (`True`) or stops (`False`).
    #[pyfunction]
    fn measure_masked_windows(enabled: bool) {
        crate::sync::measure_masked_windows(enabled);
    }

    /// The longest IRQ-masked window measured, in µs.
    #[pyfunction]
    fn longest_masked_window_us() -> u32 {
        crate::sync::longest_masked_window_us()
    }

    /// Interrupt statistics: `{"spurious": n, "events_lost": n, "counts": {source: n}}` (the
    /// sources that fired at least once).
    #[pyfunction]
    fn interrupt_stats(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let counts = vm.ctx.new_dict();
        for source in 0..crate::interrupts::SOURCES as u32 {
            let count = crate::interrupts::count(source);
            if count > 0 {
                let key: PyObjectRef = vm.ctx.new_int(source).into();
                counts.set_item(&*key, vm.ctx.new_int(count).into(), vm)?;
            }
        }
        let stats = vm.ctx.new_dict();
        stats.set_item(
            "spurious",
            vm.ctx.new_int(crate::interrupts::spurious_count()).into(),
            vm,
        )?;
        stats.set_item(
            "events_lost",
            vm.ctx
                .new_int(crate::python::interrupt::events_lost())
                .into(),
            vm,
        )?;
        stats.set_item("counts", counts.into(), vm)?;
        Ok(stats.into())
    }

    /// Microseconds the SD card took to initialise and mount at boot.
    #[pyfunction]
    fn card_mount_us() -> u64 {
        crate::vfs::card::mount_micros()
    }

    /// Reboots the board (the watchdog resets it).
    #[pyfunction]
    fn reboot() {
        rpi1::reboot("requested by Python");
    }

    /// Stops the board on purpose, to check that reports reach every console sink (the
    /// tests use it): `"panic"` is a Rust panic, `"fault"` a data abort (a read of the Python
    /// stack's unmapped guard section).
    #[pyfunction]
    fn _crash(kind: rustpython_vm::builtins::PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<()> {
        match kind.as_str() {
            "panic" => panic!("deliberate panic (_pipyos._crash)"),
            "fault" => {
                let guard = rpi1::layout().map_or(0, |layout| layout.stack_guard.start);
                // SAFETY: deliberately faults: the guard section is never mapped, so the read
                // aborts and the fault handler reports it and reboots; nothing is read.
                let _ = unsafe { core::ptr::read_volatile(guard as *const u32) };
                Ok(())
            }
            other => Err(vm.new_value_error(format!("_crash({other:?}): 'panic' or 'fault'"))),
        }
    }

    /// Chooses what a Rust panic does: reboot (True) or halt (False, the default).
    #[pyfunction]
    fn set_reboot_on_panic(enabled: bool) {
        rpi1::REBOOT_ON_PANIC.store(enabled, Ordering::Relaxed);
    }

    /// Sets the real-time clock to `seconds` since the Unix epoch.
    #[pyfunction]
    fn set_time(seconds: ArgIntoFloat, vm: &VirtualMachine) -> PyResult<()> {
        let seconds = seconds.into_float();
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(vm.new_value_error("time must be a non-negative finite number of seconds"));
        }
        crate::time::set_realtime_micros((seconds * 1e6) as u64);
        Ok(())
    }

    fn now_micros() -> u64 {
        crate::time::now_micros()
    }

    fn unix_micros() -> u64 {
        crate::time::unix_micros()
    }

    /// The trace function Ctrl-C arms (see python/interrupt.rs).
    #[pyfunction]
    fn _interrupt_trace(
        _frame: PyObjectRef,
        _event: PyObjectRef,
        _argument: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<PyObjectRef> {
        crate::python::interrupt::interrupt_trace(vm)
    }

    #[pyfunction]
    fn _time_time() -> f64 {
        unix_micros() as f64 / 1e6
    }

    #[pyfunction]
    fn _time_time_ns() -> u64 {
        unix_micros() * 1000
    }

    #[pyfunction]
    fn _time_monotonic() -> f64 {
        now_micros() as f64 / 1e6
    }

    #[pyfunction]
    fn _time_monotonic_ns() -> u64 {
        now_micros() * 1000
    }

    #[pyfunction]
    fn _time_perf_counter() -> f64 {
        now_micros() as f64 / 1e6
    }

    #[pyfunction]
    fn _time_perf_counter_ns() -> u64 {
        now_micros() * 1000
    }

    /// Sleeps, running scheduled callbacks meanwhile; KeyboardInterrupt on Ctrl-C.
    pub(crate) fn sleep_micros(micros: u64, vm: &VirtualMachine) -> PyResult<()> {
        use crate::python::interrupt;
        let deadline = now_micros().saturating_add(micros);
        loop {
            let woken = || console::interrupt_pending() || interrupt::events_pending();
            if crate::time::sleep_until(deadline, woken) {
                return Ok(());
            }
            if console::take_interrupt() {
                return Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()));
            }
            interrupt::run_events(vm)?;
        }
    }

    #[pyfunction]
    fn _time_sleep(seconds: ArgIntoFloat, vm: &VirtualMachine) -> PyResult<()> {
        let seconds = seconds.into_float();
        if seconds.is_nan() {
            return Err(vm.new_value_error("Invalid value NaN (not a number)"));
        }
        if seconds < 0.0 {
            return Err(vm.new_value_error("sleep length must be non-negative"));
        }
        sleep_micros((seconds * 1e6).min(u64::MAX as f64) as u64, vm)
    }

    #[pyfunction]
    fn _time_sleep_ms(milliseconds: i64, vm: &VirtualMachine) -> PyResult<()> {
        sleep_micros(milliseconds.max(0) as u64 * 1000, vm)
    }

    #[pyfunction]
    fn _time_sleep_us(microseconds: i64, vm: &VirtualMachine) -> PyResult<()> {
        sleep_micros(microseconds.max(0) as u64, vm)
    }

    /// MicroPython's ticks wrap at 2**30 (they stay small ints).
    const TICKS_PERIOD: u64 = 1 << 30;

    #[pyfunction]
    fn _time_ticks_ms() -> u64 {
        (now_micros() / 1000) % TICKS_PERIOD
    }

    #[pyfunction]
    fn _time_ticks_us() -> u64 {
        now_micros() % TICKS_PERIOD
    }

    #[pyfunction]
    fn _time_ticks_cpu() -> u64 {
        now_micros() % TICKS_PERIOD
    }

    #[pyfunction]
    fn _time_ticks_add(ticks: i64, delta: i64) -> i64 {
        (ticks + delta).rem_euclid(TICKS_PERIOD as i64)
    }

    #[pyfunction]
    fn _time_ticks_diff(end: i64, start: i64) -> i64 {
        let period = TICKS_PERIOD as i64;
        (end - start + period / 2).rem_euclid(period) - period / 2
    }
}
