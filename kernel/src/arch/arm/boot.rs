//! Boot assembly: the entry point at 0x8000, mode stacks, BSS clearing, VFP enable, vector table.
//!
//! The GPU firmware (or QEMU's `-bios`) starts the ARM core at `_start` in SVC mode with the MMU
//! and caches off. Everything here runs before any Rust code; it then calls
//! [`crate::bsp::rpi1::kernel_init`], which never returns.

use core::arch::global_asm;

global_asm!(
    r#"
    .arch armv6k
    .fpu vfpv2
    .arm

    .section .text.boot, "ax"
    .global _start
_start:
    /* Mask IRQ and FIQ; we enable IRQs ourselves once the handlers are in place. */
    cpsid if
    mov r4, r2                      /* ATAG / device tree pointer from the firmware */

    /* One stack per exception mode, then back to SVC on the boot stack. */
    cps #0x12                       /* IRQ */
    ldr sp, =__irq_stack_top
    cps #0x17                       /* Abort */
    ldr sp, =__abort_stack_top
    cps #0x1b                       /* Undefined */
    ldr sp, =__undefined_stack_top
    cps #0x11                       /* FIQ: the real-time tasks run here */
    ldr sp, =__fiq_stack_top
    cps #0x13                       /* SVC: the kernel runs here */
    ldr sp, =__boot_stack_top

    /* Clear .bss (bounds are 16-byte aligned by the linker script). */
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
    mov r3, #0
1:  cmp r0, r1
    stmlt r0!, {{r2, r3}}
    blt 1b

    /* VFP: full access for cp10/cp11 in CPACR, flush the prefetch buffer, then FPEXC.EN. */
    mrc p15, 0, r0, c1, c0, 2
    orr r0, r0, #(0xf << 20)
    mcr p15, 0, r0, c1, c0, 2
    mov r0, #0
    mcr p15, 0, r0, c7, c5, 4
    mov r0, #0x40000000
    vmsr fpexc, r0
    /* FPSCR: round to nearest, default NaN off, flush-to-zero off (IEEE 754 as Python expects). */
    mov r0, #0
    vmsr fpscr, r0

    mov r0, r4
    bl kernel_init
2:  wfi
    b 2b

    /* The exception vector table: copied to address 0 and also installed through VBAR. */
    .section .text.vectors, "ax"
    .balign 32
    .global exception_vector_table
    .global exception_vector_table_end
exception_vector_table:
    ldr pc, vector_reset
    ldr pc, vector_undefined
    ldr pc, vector_supervisor_call
    ldr pc, vector_prefetch_abort
    ldr pc, vector_data_abort
    ldr pc, vector_unused
    ldr pc, vector_irq
    ldr pc, vector_fiq
vector_reset:           .word _start
vector_undefined:       .word fault_undefined
vector_supervisor_call: .word fault_supervisor_call
vector_prefetch_abort:  .word fault_prefetch_abort
vector_data_abort:      .word fault_data_abort
vector_unused:          .word fault_unused
vector_irq:             .word irq_entry
vector_fiq:             .word fiq_entry
exception_vector_table_end:

    .section .text.exceptions, "ax"

    /* EABI helper returning the thread pointer; only r0 may change, so it is written here. */
    .global __aeabi_read_tp
__aeabi_read_tp:
    mrc p15, 0, r0, c13, c0, 3
    bx lr

    /* IRQ: save the caller-saved core and VFP registers, call Rust, return to the interrupted code. */
irq_entry:
    sub lr, lr, #4
    push {{r0-r3, r12, lr}}
    mrs r0, spsr
    vmrs r1, fpscr
    push {{r0, r1}}
    vpush {{d0-d7}}
    bl irq_dispatch
    vpop {{d0-d7}}
    pop {{r0, r1}}
    vmsr fpscr, r1
    msr spsr_cxsf, r0
    ldm sp!, {{r0-r3, r12, pc}}^

    /* FIQ: the real-time tasks (rt/). r8-r12 are banked in FIQ mode, so the interrupted code's
       copies are safe; save the caller-saved r0-r7 (r8 only keeps the stack 8-byte aligned),
       lr, SPSR and the caller-saved VFP state, call Rust, return. FIQs and IRQs stay masked
       throughout (the core masks both on FIQ entry). */
    .global fiq_entry
fiq_entry:
    sub lr, lr, #4
    push {{r0-r8, lr}}
    mrs r0, spsr
    vmrs r1, fpscr
    push {{r0, r1}}
    vpush {{d0-d7}}
    bl fiq_dispatch
    vpop {{d0-d7}}
    pop {{r0, r1}}
    vmsr fpscr, r1
    msr spsr_cxsf, r0
    ldm sp!, {{r0-r8, pc}}^

    /* Fatal exceptions: r0 = kind, r1 = faulting instruction, r2 = saved r0-r12 and lr, r3 = spsr. */
    .macro FATAL kind, pc_offset
    push {{r0-r12, lr}}
    sub r1, lr, #\pc_offset
    mov r0, #\kind
    mov r2, sp
    b fatal_common
    .endm
fault_undefined:      FATAL 0, 4
fault_supervisor_call: FATAL 1, 4
fault_prefetch_abort: FATAL 2, 4
fault_data_abort:
    /* A data abort during a probing access (see `arch::arm::probe`) is expected: mark it and
       resume at the next instruction. Anything else is fatal. */
    push {{r0, r1}}
    ldr r0, =PROBE_STATE
    ldr r1, [r0]
    cmp r1, #1
    bne 4f
    mov r1, #2
    str r1, [r0]
    pop {{r0, r1}}
    subs pc, lr, #4
4:  pop {{r0, r1}}
    FATAL 3, 8
fault_unused:         FATAL 4, 0
fatal_common:
    mrs r3, spsr
    /* Fetch SVC mode's banked sp and lr (the kernel and Python run in SVC). */
    mrs r6, cpsr
    cps #0x13
    mov r4, sp
    mov r5, lr
    msr cpsr_c, r6
    push {{r4, r5}}
    bl exception_fatal
3:  wfi
    b 3b
"#
);
