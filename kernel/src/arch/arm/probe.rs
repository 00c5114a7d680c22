//! Probing accesses: reads and writes of device registers that may not exist.
//!
//! A peripheral block that is absent (QEMU does not emulate the BCM2835's PWM, for example)
//! answers an access with an external abort. A probing access tells the data-abort vector to
//! expect that: it marks the fault and resumes at the next instruction instead of reporting a
//! fatal exception, and the probe returns `None`.
use core::{
    arch::asm,
    sync::atomic::{AtomicU32, Ordering},
};

/// 0: no probe; 1: a probe is running; 2: the running probe faulted (set by the vector).
#[unsafe(no_mangle)]
static PROBE_STATE: AtomicU32 = AtomicU32::new(0);

/// Reads the 32-bit register at `address`, or `None` if the access aborts.
///
/// # Safety
/// `address` must be 4-byte aligned and lie in the peripheral window (device memory), where a
/// read has no effect beyond the register's own.
pub unsafe fn read(address: usize) -> Option<u32> {
    let mut value: u32 = 0;
    let saved = super::cpu::irq_save_and_disable();
    PROBE_STATE.store(1, Ordering::SeqCst);
    // SAFETY: the caller vouches for the address; a fault is caught by the data-abort vector
    // while PROBE_STATE is 1 and execution resumes after this one instruction.
    unsafe {
        asm!("ldr {value}, [{address}]", value = inout(reg) value, address = in(reg) address, options(nostack))
    };
    let faulted = PROBE_STATE.swap(0, Ordering::SeqCst) == 2;
    super::cpu::irq_restore(saved);
    (!faulted).then_some(value)
}

/// Writes the 32-bit register at `address`; `false` if the access aborts.
///
/// # Safety
/// As for [`read`], for a write.
pub unsafe fn write(address: usize, value: u32) -> bool {
    let saved = super::cpu::irq_save_and_disable();
    PROBE_STATE.store(1, Ordering::SeqCst);
    // SAFETY: as for `read`.
    unsafe {
        asm!("str {value}, [{address}]", value = in(reg) value, address = in(reg) address, options(nostack))
    };
    let faulted = PROBE_STATE.swap(0, Ordering::SeqCst) == 2;
    super::cpu::irq_restore(saved);
    !faulted
}
