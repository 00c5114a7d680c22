//! PiPyOS kernel: boots a Raspberry Pi 1 / Zero and runs a Python REPL (RustPython) on the serial port and the HDMI screen.
//!
//! Start order: `arch::arm::boot` (assembly: stacks, BSS, VFP) → [`bsp::rpi1::kernel_init`]
//! (TLS, drivers, memory map, heap, MMU, interrupts) → Rust std's own runtime entry on the Python
//! stack → [`main`] (panic hook, [`display::init`]) → [`python::run_forever`].
#![feature(rustc_private)] // std::os::hermit::hermit_abi: the ABI's own types and constants

mod abi;
mod arch;
mod bsp;
mod config;
mod console;
mod display;
mod drivers;
mod interrupts;
mod mem;
mod net;
mod python;
mod rt;
mod sync;
mod time;
mod usb;
mod vfs;

fn main() {
    console::install_panic_hook();
    display::init();
    console::write(format!("PiPyOS: {}\n", vfs::card::mount()).as_bytes());
    usb::start_from_config();
    python::run_forever()
}
