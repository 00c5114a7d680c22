//! Exception handling: installs the vector table, routes IRQs to the board, reports fatal faults.
use core::arch::asm;

use super::cpu;

unsafe extern "C" {
    static exception_vector_table: u8;
    static exception_vector_table_end: u8;
}

/// Installs the vector table: through VBAR (ARM1176 security extensions) and, for cores or
/// emulators without VBAR, as a copy at address 0 (the table only uses PC-relative loads).
///
/// # Safety
/// Must run once at boot with IRQs masked; the first 64 bytes of RAM must be free (they hold
/// only the firmware's ATAGs, which the kernel does not use).
pub unsafe fn install_vectors() {
    let start = &raw const exception_vector_table as usize;
    let end = &raw const exception_vector_table_end as usize;
    // SAFETY: copies the 64-byte table to physical address 0 (identity-mapped, unused RAM) with
    // plain loads/stores in assembly (a Rust write through a null pointer would be undefined
    // behaviour), then sets VBAR (CP15 c12 c0 0) to the table, which is 32-byte aligned.
    unsafe {
        asm!(
            "mov {dst}, #0",
            "1:",
            "ldr {tmp}, [{src}], #4",
            "str {tmp}, [{dst}], #4",
            "cmp {src}, {end}",
            "blo 1b",
            "mcr p15, 0, {base}, c12, c0, 0",
            src = inout(reg) start => _,
            end = in(reg) end,
            base = in(reg) start,
            dst = out(reg) _,
            tmp = out(reg) _,
            options(nostack)
        );
    }
    cpu::instruction_synchronization_barrier();
}

/// Called from `irq_entry` (IRQ mode, IRQs masked) for every interrupt.
#[unsafe(no_mangle)]
extern "C" fn irq_dispatch() {
    crate::interrupts::dispatch();
}

/// Called from `fiq_entry` (FIQ mode, FIQs and IRQs masked): the real-time tasks.
#[unsafe(no_mangle)]
extern "C" fn fiq_dispatch() {
    crate::rt::on_fiq();
}

/// Names of the fatal exception kinds passed by the assembly stubs.
const KIND_NAMES: [&str; 5] = [
    "undefined instruction",
    "supervisor call",
    "prefetch abort",
    "data abort",
    "unused vector",
];

/// Names of the processor modes (CPSR.M).
fn mode_name(mode: u32) -> &'static str {
    match mode & 0x1f {
        0x10 => "User",
        0x11 => "FIQ",
        0x12 => "IRQ",
        0x13 => "SVC",
        0x16 => "Monitor",
        0x17 => "Abort",
        0x1b => "Undefined",
        0x1f => "System",
        _ => "unknown",
    }
}

/// Reports a fatal exception on the console (polled output, no locks, no allocation), then
/// reboots through the watchdog.
///
/// `registers` points at the saved r0-r12 and lr of the exception mode.
#[unsafe(no_mangle)]
extern "C" fn exception_fatal(
    kind: u32,
    faulting_pc: u32,
    registers: *const [u32; 14],
    saved_status: u32,
    svc_stack_pointer: u32,
    svc_link_register: u32,
) -> ! {
    use core::fmt::Write;
    let mut out = crate::console::PanicWriter;
    let kind_name = KIND_NAMES.get(kind as usize).copied().unwrap_or("unknown");
    let _ = write!(
        out,
        "\r\n*** PiPyOS: fatal {kind_name} in {} mode at pc={faulting_pc:#010x}\r\n",
        mode_name(saved_status)
    );
    match kind {
        2 => {
            let _ = write!(
                out,
                "    instruction fault address={:#010x} status={:#x}\r\n",
                cpu::instruction_fault_address(),
                cpu::instruction_fault_status()
            );
        }
        3 => {
            let address = cpu::data_fault_address();
            let _ = write!(
                out,
                "    data fault address={address:#010x} status={:#x}\r\n",
                cpu::data_fault_status()
            );
            if crate::bsp::rpi1::memory::is_stack_guard(address as usize) {
                let _ = write!(
                    out,
                    "    (the Python stack overflowed into its guard region)\r\n"
                );
            }
        }
        _ => {}
    }
    // SAFETY: the assembly stub passes a pointer to the 14 registers it just pushed.
    let saved = unsafe { &*registers };
    for (index, value) in saved.iter().take(13).enumerate() {
        let _ = write!(out, "    r{index:<2}={value:#010x}");
        if index % 4 == 3 {
            let _ = write!(out, "\r\n");
        }
    }
    let _ = write!(
        out,
        "\r\n    cpsr={saved_status:#010x} svc sp={svc_stack_pointer:#010x} svc lr={svc_link_register:#010x}\r\n"
    );
    crate::bsp::rpi1::fatal_restart("fatal exception")
}
