//! CPU control for the ARM1176: interrupt masking, barriers, wait-for-interrupt, CP15 registers.
use core::arch::asm;

/// The IRQ mask state saved by [`irq_save_and_disable`].
#[derive(Clone, Copy)]
pub struct IrqState(u32);

impl IrqState {
    /// The saved state as a number (for Python's `machine.disable_irq()`).
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The state from a number [`Self::bits`] gave (anything else means "masked").
    pub fn from_bits(bits: u32) -> Self {
        Self(if bits == 0 { 0 } else { CPSR_IRQ_MASK })
    }
}

/// CPSR.I: IRQs masked when set.
const CPSR_IRQ_MASK: u32 = 1 << 7;

/// Masks IRQs and returns the previous state for [`irq_restore`].
#[inline(always)]
pub fn irq_save_and_disable() -> IrqState {
    let cpsr: u32;
    // SAFETY: reading CPSR and masking IRQs has no memory effects; the compiler barrier implied
    // by `asm!` (no `nomem`) keeps memory accesses from moving across it.
    unsafe { asm!("mrs {0}, cpsr", "cpsid i", out(reg) cpsr, options(nostack)) };
    IrqState(cpsr & CPSR_IRQ_MASK)
}

/// Restores the IRQ mask saved by [`irq_save_and_disable`].
#[inline(always)]
pub fn irq_restore(state: IrqState) {
    if state.0 == 0 {
        enable_irqs();
    }
}

/// The IRQ and FIQ mask state saved by [`fiq_save_and_disable`].
#[derive(Clone, Copy)]
pub struct FiqState(u32);

/// CPSR.F: FIQs masked when set.
const CPSR_FIQ_MASK: u32 = 1 << 6;

/// Masks FIQs and IRQs (for the few instructions that hand work to the real-time part) and
/// returns the previous state for [`fiq_restore`].
#[inline(always)]
pub fn fiq_save_and_disable() -> FiqState {
    let cpsr: u32;
    // SAFETY: as for `irq_save_and_disable`; masking both interrupt kinds has no memory effects.
    unsafe { asm!("mrs {0}, cpsr", "cpsid if", out(reg) cpsr, options(nostack)) };
    FiqState(cpsr & (CPSR_IRQ_MASK | CPSR_FIQ_MASK))
}

/// Restores the masks saved by [`fiq_save_and_disable`].
#[inline(always)]
pub fn fiq_restore(state: FiqState) {
    if state.0 & CPSR_FIQ_MASK == 0 {
        enable_fiqs();
    }
    if state.0 & CPSR_IRQ_MASK == 0 {
        enable_irqs();
    }
}

/// Unmasks FIQs.
#[inline(always)]
pub fn enable_fiqs() {
    // SAFETY: unmasking FIQs is sound once the FIQ vector and stack are set up (boot.rs) and the
    // real-time part is initialised, which `rt::init` does before calling this; a compiler
    // barrier.
    unsafe { asm!("cpsie f", options(nostack)) };
}

/// Unmasks IRQs.
#[inline(always)]
pub fn enable_irqs() {
    // SAFETY: unmasking IRQs is sound once the vector table and IRQ stack are set up, which
    // `kernel_init` does before the first call; acts as a compiler barrier.
    unsafe { asm!("cpsie i", options(nostack)) };
}

/// Sleeps until an interrupt is pending (ARMv6 "wait for interrupt", CP15 c7 c0 4).
///
/// Works with IRQs masked as well: the core wakes, and the caller re-checks its condition.
#[inline(always)]
pub fn wait_for_interrupt() {
    // SAFETY: WFI only pauses the core; it has no memory or register effects.
    unsafe { asm!("mcr p15, 0, {0}, c7, c0, 4", in(reg) 0u32, options(nostack)) };
}

/// Data memory barrier (ARMv6: CP15 c7 c10 5): orders accesses to different peripherals.
#[inline(always)]
pub fn data_memory_barrier() {
    // SAFETY: a barrier has no effect other than ordering memory accesses.
    unsafe { asm!("mcr p15, 0, {0}, c7, c10, 5", in(reg) 0u32, options(nostack)) };
}

/// Data synchronisation barrier (ARMv6: CP15 c7 c10 4): waits for all memory accesses.
#[inline(always)]
pub fn data_synchronization_barrier() {
    // SAFETY: a barrier has no effect other than ordering memory accesses.
    unsafe { asm!("mcr p15, 0, {0}, c7, c10, 4", in(reg) 0u32, options(nostack)) };
}

/// Instruction synchronisation barrier (ARMv6: flush prefetch buffer, CP15 c7 c5 4).
#[inline(always)]
pub fn instruction_synchronization_barrier() {
    // SAFETY: flushing the prefetch buffer has no memory effects.
    unsafe { asm!("mcr p15, 0, {0}, c7, c5, 4", in(reg) 0u32, options(nostack)) };
}

/// Data Fault Address Register: the address a data abort tried to access.
pub fn data_fault_address() -> u32 {
    let value: u32;
    // SAFETY: reading DFAR (CP15 c6 c0 0) has no side effects.
    unsafe { asm!("mrc p15, 0, {0}, c6, c0, 0", out(reg) value, options(nomem, nostack)) };
    value
}

/// Data Fault Status Register.
pub fn data_fault_status() -> u32 {
    let value: u32;
    // SAFETY: reading DFSR (CP15 c5 c0 0) has no side effects.
    unsafe { asm!("mrc p15, 0, {0}, c5, c0, 0", out(reg) value, options(nomem, nostack)) };
    value
}

/// Instruction Fault Status Register.
pub fn instruction_fault_status() -> u32 {
    let value: u32;
    // SAFETY: reading IFSR (CP15 c5 c0 1) has no side effects.
    unsafe { asm!("mrc p15, 0, {0}, c5, c0, 1", out(reg) value, options(nomem, nostack)) };
    value
}

/// Instruction Fault Address Register (ARM1176: CP15 c6 c0 2).
pub fn instruction_fault_address() -> u32 {
    let value: u32;
    // SAFETY: reading IFAR has no side effects.
    unsafe { asm!("mrc p15, 0, {0}, c6, c0, 2", out(reg) value, options(nomem, nostack)) };
    value
}

/// Halts the core for good (used after a fatal report when no reboot is wanted).
pub fn halt() -> ! {
    let _ = irq_save_and_disable();
    loop {
        wait_for_interrupt();
    }
}

/// Calls `entry` on a new stack whose highest address is `stack_top`; never returns.
///
/// # Safety
/// `stack_top` must be the 8-byte aligned top of writable memory that nothing else uses, large
/// enough for everything `entry` does.
pub unsafe fn switch_stack_and_call(stack_top: usize, entry: extern "C" fn() -> !) -> ! {
    // SAFETY: the caller guarantees the stack; `entry` never returns, so the old stack and the
    // registers we clobber are never needed again.
    unsafe {
        asm!(
            "mov sp, {top}",
            "blx {entry}",
            top = in(reg) stack_top,
            entry = in(reg) entry,
            options(noreturn)
        )
    }
}
