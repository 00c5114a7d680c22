//! Raspberry Pi 1 / Zero: driver instances, board facts and the start order, in one place.
pub mod memory;

use core::sync::atomic::{AtomicBool, Ordering};

use crate::{
    arch::arm::{cpu, exceptions, mmu, tls},
    drivers::{
        bcm2835_emmc::Emmc,
        bcm2835_gpio::{Function, Gpio, Pin},
        bcm2835_irq::InterruptController,
        bcm2835_mailbox::{clock, tag, Mailbox},
        bcm2835_rng::HardwareRng,
        bcm2835_timer::SystemTimer,
        bcm2835_uart::Pl011Uart,
        bcm2835_usb::Dwc2,
        bcm2835_watchdog::Watchdog,
        interface::SerialPort,
        DelayClock, MmioBus,
    },
    sync::SetOnce,
};

// Each driver gets the address of its own register block from `memory::map`; the MMU maps the
// peripheral window as device memory for the kernel's whole life (and it is off before that).

/// The serial console UART.
// SAFETY: `UART0` is the PL011's register block (see the comment above).
pub static UART: Pl011Uart = unsafe { Pl011Uart::new(memory::map::UART0) };
/// The 1 MHz system timer.
// SAFETY: `SYSTEM_TIMER` is the system timer's register block.
pub static TIMER: SystemTimer = unsafe { SystemTimer::new(memory::map::SYSTEM_TIMER) };
/// The interrupt controller.
// SAFETY: `INTERRUPT_CONTROLLER` is the ARM interrupt controller's register block.
pub static INTERRUPTS: InterruptController =
    unsafe { InterruptController::new(memory::map::INTERRUPT_CONTROLLER) };
/// The hardware RNG.
// SAFETY: `RNG` is the random number generator's register block.
pub static RNG: HardwareRng = unsafe { HardwareRng::new(memory::map::RNG) };
/// The GPU mailbox.
// SAFETY: `MAILBOX` is mailbox 0's register block.
pub static MAILBOX: Mailbox = unsafe { Mailbox::new(memory::map::MAILBOX) };
/// GPIO.
// SAFETY: `GPIO` is the GPIO register block; the driver only uses its registers.
pub static GPIO: Gpio = Gpio::new(unsafe { MmioBus::new(memory::map::GPIO) }, DelayClock);
/// The SD host controller.
// SAFETY: `EMMC` is the SDHCI register block.
pub static EMMC: Emmc = unsafe { Emmc::new(memory::map::EMMC) };
/// The USB host controller.
// SAFETY: `USB` is the DWC2 core's register block.
pub static USB: Dwc2 = unsafe { Dwc2::new(memory::map::USB) };
/// The reset watchdog.
// SAFETY: `WATCHDOG` is the power manager's RSTC register.
pub static WATCHDOG: Watchdog = unsafe { Watchdog::new(memory::map::WATCHDOG) };

/// The serial console as a console sink: the host's line (it carries the raw REPL too).
struct SerialSink;

impl crate::console::Sink for SerialSink {
    fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            UART.write_byte(byte);
        }
    }

    fn write_emergency(&self, bytes: &[u8]) {
        // The UART driver polls its FIFO flag: no lock and no allocation.
        self.write(bytes);
    }

    fn flush(&self) {
        UART.flush();
    }

    fn carries_protocol(&self) -> bool {
        true
    }
}

static SERIAL_SINK: SerialSink = SerialSink;

/// PL011 reference clock if the firmware does not say (the firmware's current default).
const DEFAULT_UART_CLOCK_HZ: u32 = 48_000_000;

/// Facts about the board, asked from the firmware at boot.
#[derive(Clone, Debug, Default)]
pub struct BoardInfo {
    /// Board revision code (e.g. 0x900093 for a Pi Zero v1.3), 0 if unknown.
    pub revision: u32,
    /// Board serial number.
    pub serial: u64,
    /// Firmware revision (a build date), 0 if unknown.
    pub firmware_revision: u32,
    /// ARM-visible RAM in bytes.
    pub arm_memory: usize,
    /// RAM reserved for the GPU in bytes.
    pub gpu_memory: usize,
    /// ARM core clock in Hz, 0 if unknown.
    pub arm_clock_hz: u32,
    /// VideoCore core clock in Hz, 0 if unknown.
    pub core_clock_hz: u32,
    /// PL011 reference clock in Hz.
    pub uart_clock_hz: u32,
    /// The SD host controller's base clock in Hz, 0 if unknown.
    pub emmc_clock_hz: u32,
}

impl BoardInfo {
    /// Asks the firmware; every fact it does not answer keeps a safe default.
    fn query() -> Self {
        let ask =
            |tag: u32, request: &[u32], words: usize| MAILBOX.property(tag, request, words).ok();
        let clock_rate = |id: u32| ask(tag::CLOCK_RATE, &[id, 0], 2).map_or(0, |v| v[1]);
        let uart_clock_hz = match clock_rate(clock::UART) {
            0 => DEFAULT_UART_CLOCK_HZ,
            rate => rate,
        };
        Self {
            revision: ask(tag::BOARD_REVISION, &[], 1).map_or(0, |v| v[0]),
            serial: ask(tag::BOARD_SERIAL, &[], 2)
                .map_or(0, |v| u64::from(v[0]) | (u64::from(v[1]) << 32)),
            firmware_revision: ask(tag::FIRMWARE_REVISION, &[], 1).map_or(0, |v| v[0]),
            arm_memory: ask(tag::ARM_MEMORY, &[], 2)
                .map(|v| (v[0] + v[1]) as usize)
                .filter(|&end| end >= 64 << 20)
                .unwrap_or(memory::DEFAULT_ARM_MEMORY),
            gpu_memory: ask(tag::VIDEOCORE_MEMORY, &[], 2).map_or(0, |v| v[1] as usize),
            arm_clock_hz: clock_rate(clock::ARM),
            core_clock_hz: clock_rate(clock::CORE),
            uart_clock_hz,
            emmc_clock_hz: clock_rate(clock::EMMC),
        }
    }

    /// The VideoCore core clock, or the Pi 1's default 250 MHz when unknown (it feeds the I2C,
    /// SPI and mini UART dividers).
    pub fn core_clock_or_default(&self) -> u32 {
        match self.core_clock_hz {
            0 => bcm2835::DEFAULT_CORE_CLOCK_HZ,
            hz => hz,
        }
    }

    /// A readable board name from the revision code.
    pub fn model(&self) -> &'static str {
        // New-style codes (bit 23) carry the type in bits 11..4; old-style codes are Pi 1 boards.
        if self.revision & (1 << 23) != 0 {
            match (self.revision >> 4) & 0xff {
                0x00 => "Raspberry Pi 1 Model A",
                0x01 => "Raspberry Pi 1 Model B",
                0x02 => "Raspberry Pi 1 Model A+",
                0x03 => "Raspberry Pi 1 Model B+",
                0x06 => "Raspberry Pi Compute Module 1",
                0x09 => "Raspberry Pi Zero",
                0x0c => "Raspberry Pi Zero W",
                _ => "Raspberry Pi (BCM2835)",
            }
        } else if self.revision == 0 {
            "Raspberry Pi (BCM2835, revision unknown)"
        } else {
            "Raspberry Pi 1"
        }
    }
}

static BOARD: SetOnce<BoardInfo> = SetOnce::new();
static LAYOUT: SetOnce<memory::Layout> = SetOnce::new();
static INITFS: SetOnce<Result<&'static [u8], initfs::Error>> = SetOnce::new();

/// The board facts (available once the kernel has started).
pub fn board() -> &'static BoardInfo {
    BOARD.get().expect("board facts are recorded at boot")
}

/// The RAM layout, once decided.
pub fn layout() -> Option<&'static memory::Layout> {
    LAYOUT.get()
}

/// The initfs archive bytes, or why none was found.
pub fn initfs_bytes() -> Result<&'static [u8], &'static initfs::Error> {
    match INITFS.get().expect("the initfs is looked for at boot") {
        Ok(bytes) => Ok(bytes),
        Err(error) => Err(error),
    }
}

/// Looks for the initfs archive at its load address; returns its exact length.
fn find_initfs() -> Result<&'static [u8], initfs::Error> {
    // SAFETY: the window lies in RAM below the Python stack (ARM RAM is at least 256 MiB on
    // every BCM2835 board) and is not written by anything before the heap is set up; we only read.
    let window = unsafe {
        core::slice::from_raw_parts(memory::INITFS_ADDRESS as *const u8, memory::INITFS_MAX_SIZE)
    };
    let length = initfs::archive_len(window)?;
    Ok(&window[..length])
}

/// Rust entry from `_start`: brings the board up in order, then enters Rust std on the Python
/// stack. Runs in SVC mode with IRQs masked, MMU and caches off.
#[unsafe(no_mangle)]
extern "C" fn kernel_init(_boot_tags: usize) -> ! {
    // SAFETY: first thing, once, before any thread-local is used.
    unsafe { tls::init() };
    INTERRUPTS.disable_all();
    // SAFETY: once, IRQs masked; the low 64 bytes of RAM hold only the unused ATAGs.
    unsafe { exceptions::install_vectors() };

    // The firmware answers before the caches are on (no cache maintenance needed).
    let board = BoardInfo::query();
    for pin in [memory::pins::UART0_TXD, memory::pins::UART0_RXD] {
        if let Ok(pin) = Pin::new(pin) {
            GPIO.set_function(pin, Function::Alt0);
        }
    }
    UART.init(board.uart_clock_hz);
    crate::console::register_sink(&SERIAL_SINK).expect("the serial console is the first sink");
    RNG.init();

    let initfs = find_initfs();
    let layout = memory::Layout::new(
        board.arm_memory,
        initfs.as_ref().ok().map(|bytes| bytes.len()),
    );
    // SAFETY: once, IRQs masked; the layout maps all RAM in use (kernel, heaps, initfs, stacks)
    // as normal memory and leaves only the stack guard and non-RAM addresses unmapped.
    unsafe { mmu::enable(|base| layout.section_kind(base)) };
    crate::mem::heap::init(layout.small_heap.clone(), layout.large_heap.clone());
    let python_stack_top = layout.python_stack.end;
    BOARD.set(board);
    LAYOUT.set(layout);
    INITFS.set(initfs);

    register_interrupt_handlers();
    crate::rt::init();
    cpu::enable_irqs();
    // SAFETY: the Python stack is mapped RAM reserved for this purpose alone (see Layout).
    unsafe { cpu::switch_stack_and_call(python_stack_top, enter_rust_std) }
}

unsafe extern "C" {
    /// Rust std's runtime entry for Hermit: sets up std and calls the program's `main`.
    fn runtime_entry(argc: i32, argv: *const *const u8, env: *const *const u8) -> !;
}

extern "C" fn enter_rust_std() -> ! {
    // SAFETY: called once; no arguments and no environment (null lists are accepted by std).
    unsafe { runtime_entry(0, core::ptr::null(), core::ptr::null()) }
}

/// The interrupt handlers of the board's drivers, in one place.
fn register_interrupt_handlers() {
    let handlers: [(u32, crate::interrupts::Handler); 3] = [
        (memory::irq::UART0, uart_interrupt),
        (memory::irq::SYSTEM_TIMER_1, crate::time::on_alarm_interrupt),
        (memory::irq::USB, crate::usb::on_interrupt),
    ];
    for (source, handler) in handlers {
        crate::interrupts::register(source, handler).expect("each board interrupt has one handler");
    }
}

/// The console UART's receive interrupt.
fn uart_interrupt() {
    if UART.receive_interrupt_pending() {
        UART.drain_receive_fifo(crate::console::receive_byte);
    }
}

/// Powers the USB controller on through the firmware (device 3) and starts the USB stack.
pub fn start_usb() -> Result<(), String> {
    const USB_POWER_DEVICE: u32 = 3;
    const ON_AND_WAIT: u32 = 0b11;
    let answer = MAILBOX
        .property(tag::SET_POWER_STATE, &[USB_POWER_DEVICE, ON_AND_WAIT], 2)
        .map_err(|error| format!("the firmware did not power USB on ({error:?})"))?;
    if answer[1] & 1 == 0 {
        return Err(format!(
            "the firmware reports USB power off ({:#x})",
            answer[1]
        ));
    }
    crate::usb::start().map_err(|error| format!("{error:?}"))
}

/// When set, a Rust panic reboots the board instead of halting it.
pub static REBOOT_ON_PANIC: AtomicBool = AtomicBool::new(false);

/// Reboots the board through the watchdog after printing why; never returns.
pub fn reboot(reason: &str) -> ! {
    use core::fmt::Write;
    let _ = write!(
        crate::console::PanicWriter,
        "*** PiPyOS: rebooting ({reason})\r\n"
    );
    crate::console::flush_emergency();
    // 10 ticks of 16 µs: long enough for the message to leave the UART FIFO.
    WATCHDOG.reset_after(10);
    cpu::halt()
}

/// After a fatal fault: reboot (the board must come back to a usable prompt by itself).
pub fn fatal_restart(reason: &str) -> ! {
    reboot(reason)
}

/// After a Rust panic: halt, or reboot if [`REBOOT_ON_PANIC`] is set.
pub fn panic_stop() -> ! {
    use core::fmt::Write;
    if REBOOT_ON_PANIC.load(Ordering::Relaxed) {
        reboot("Rust panic")
    }
    let _ = write!(
        crate::console::PanicWriter,
        "*** PiPyOS: halted after a Rust panic (power-cycle the board, or enable reboot-on-panic)\r\n"
    );
    crate::console::flush_emergency();
    cpu::halt()
}
