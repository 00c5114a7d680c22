//! The Raspberry Pi 1 / Zero memory map and the kernel's RAM layout, in one place.
use core::ops::Range;

use crate::arch::arm::mmu::{SectionKind, SECTION_SIZE};

/// Physical addresses of the peripherals the kernel drives (BCM2835 ARM Peripherals §1.2.3:
/// bus address 0x7Exx_xxxx appears to the ARM at 0x20xx_xxxx).
pub mod map {
    /// Start of the peripheral window.
    pub const PERIPHERAL_BASE: usize = 0x2000_0000;
    /// Size of the peripheral window.
    pub const PERIPHERAL_SIZE: usize = 0x0100_0000;
    /// System timer.
    pub const SYSTEM_TIMER: usize = PERIPHERAL_BASE + 0x0000_3000;
    /// ARM interrupt controller (IRQ basic pending register).
    pub const INTERRUPT_CONTROLLER: usize = PERIPHERAL_BASE + 0x0000_b200;
    /// VideoCore mailbox 0.
    pub const MAILBOX: usize = PERIPHERAL_BASE + 0x0000_b880;
    /// Power management: watchdog reset control (PM_RSTC).
    pub const WATCHDOG: usize = PERIPHERAL_BASE + 0x0010_001c;
    /// Hardware random number generator.
    pub const RNG: usize = PERIPHERAL_BASE + 0x0010_4000;
    /// GPIO.
    pub const GPIO: usize = PERIPHERAL_BASE + 0x0020_0000;
    /// PL011 UART0.
    pub const UART0: usize = PERIPHERAL_BASE + 0x0020_1000;
    /// The Arasan SDHCI host controller ("EMMC").
    pub const EMMC: usize = PERIPHERAL_BASE + 0x0030_0000;
    /// The USB controller (Synopsys DWC2 OTG core).
    pub const USB: usize = PERIPHERAL_BASE + 0x0098_0000;
    /// Clock manager (general-purpose and PWM clocks).
    pub const CLOCK_MANAGER: usize = bcm2835::clock_manager::BASE;
    /// PWM controller.
    pub const PWM: usize = bcm2835::pwm::BASE;
    /// SPI0.
    pub const SPI0: usize = bcm2835::spi::BASE;
    /// AUX block: the mini UART (UART 1).
    pub const AUX: usize = bcm2835::mini_uart::BASE;
}

/// Pins the kernel itself uses.
pub mod pins {
    /// PL011 transmit (ALT0), header pin 8.
    pub const UART0_TXD: u32 = 14;
    /// The SD card's clock, command and four data lines (ALT3: the EMMC controller).
    pub const SD_CARD: [u32; 6] = [48, 49, 50, 51, 52, 53];
    /// PL011 receive (ALT0), header pin 10.
    pub const UART0_RXD: u32 = 15;
}

/// GPU interrupt numbers (BCM2835 ARM Peripherals §7.5).
pub mod irq {
    /// System timer compare channel 1.
    pub const SYSTEM_TIMER_1: u32 = 1;
    /// The USB controller.
    pub const USB: u32 = 9;
    /// System timer compare channel 3 (routed to the FIQ: real-time releases).
    pub const SYSTEM_TIMER_3: u32 = 3;
    /// GPIO bank 0 (pins 0..31) events.
    pub const GPIO_BANK0: u32 = 49;
    /// GPIO bank 1 (pins 32..53) events.
    pub const GPIO_BANK1: u32 = 50;
    /// PL011 UART0.
    pub const UART0: u32 = 57;
}

/// ARM RAM as the GPU and the DMA masters see it: the L2-cached bus alias (BCM2835 §1.2.4),
/// for the mailbox's messages and the USB controller's DMA buffers.
pub const RAM_BUS_ALIAS: u32 = 0x4000_0000;

/// Where the initfs archive is placed in RAM: by the GPU firmware from config.txt
/// (`initramfs initfs.cpio 0x2000000`) and by QEMU with `-device loader,addr=0x2000000`.
pub const INITFS_ADDRESS: usize = 0x0200_0000;

/// The largest initfs the kernel looks at.
pub const INITFS_MAX_SIZE: usize = 0x0400_0000;

/// Stack of the Python context: RustPython's stack guard assumes 8 MiB below the stack pointer
/// at interpreter creation; 16 MiB leaves room to spare.
pub const PYTHON_STACK_SIZE: usize = 16 << 20;

/// Unmapped gap below the Python stack, so an overflow faults instead of corrupting the heap.
pub const STACK_GUARD_SIZE: usize = SECTION_SIZE;

/// ARM RAM when the firmware cannot be asked (512 MiB board, 64 MiB for the GPU).
pub const DEFAULT_ARM_MEMORY: usize = 448 << 20;

unsafe extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// The kernel's use of RAM, decided once at boot.
#[derive(Clone, Debug)]
pub struct Layout {
    /// All ARM RAM, from address 0.
    pub ram: Range<usize>,
    /// Code, data, BSS and boot stacks.
    pub kernel: Range<usize>,
    /// The initfs archive, if one was found (its exact length).
    pub initfs: Option<Range<usize>>,
    /// Heap region for small blocks: from the kernel's end to the initfs address.
    pub small_heap: Range<usize>,
    /// Heap region for everything else: after the initfs up to the stack guard.
    pub large_heap: Range<usize>,
    /// Unmapped guard below the Python stack.
    pub stack_guard: Range<usize>,
    /// The Python context's stack.
    pub python_stack: Range<usize>,
}

impl Layout {
    /// Lays out RAM of `arm_memory` bytes around an initfs of `initfs_length` bytes (if any).
    pub fn new(arm_memory: usize, initfs_length: Option<usize>) -> Self {
        let ram_end = arm_memory & !(SECTION_SIZE - 1);
        let kernel = (&raw const __kernel_start as usize)..(&raw const __kernel_end as usize);
        let initfs = initfs_length.map(|length| INITFS_ADDRESS..INITFS_ADDRESS + length);
        let python_stack = ram_end - PYTHON_STACK_SIZE..ram_end;
        let stack_guard = python_stack.start - STACK_GUARD_SIZE..python_stack.start;
        let large_start = initfs.as_ref().map_or(INITFS_ADDRESS, |range| {
            range.end.next_multiple_of(SECTION_SIZE)
        });
        Self {
            ram: 0..ram_end,
            small_heap: kernel.end..INITFS_ADDRESS,
            kernel,
            initfs,
            large_heap: large_start..stack_guard.start,
            stack_guard,
            python_stack,
        }
    }

    /// How the MMU maps the section starting at `base`.
    pub fn section_kind(&self, base: usize) -> SectionKind {
        if (map::PERIPHERAL_BASE..map::PERIPHERAL_BASE + map::PERIPHERAL_SIZE).contains(&base) {
            SectionKind::Device
        } else if self.stack_guard.contains(&base) || !self.ram.contains(&base) {
            SectionKind::Unmapped
        } else {
            SectionKind::Normal
        }
    }
}

/// True if `address` lies in the Python stack's guard region.
pub fn is_stack_guard(address: usize) -> bool {
    super::layout().is_some_and(|layout| layout.stack_guard.contains(&address))
}
