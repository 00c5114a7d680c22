//! MMU and caches: a flat 1 MiB-section identity map (ARMv6 "extended" descriptors, SCTLR.XP).
//!
//! RAM is normal memory, write-back write-allocate cacheable; the peripheral window is device
//! memory and execute-never; a guard section below the Python stack (and everything else) is left
//! unmapped, so a stack overflow or a wild pointer ends in a data abort with its address printed.
use core::arch::asm;

/// Size of one section.
pub const SECTION_SIZE: usize = 1 << 20;

/// Number of first-level entries (4 GiB / 1 MiB).
const ENTRIES: usize = 4096;

/// First-level descriptor bits for a section (ARM1176 TRM, "Section descriptor", XP = 1).
mod descriptor {
    /// Descriptor type: section.
    pub const SECTION: u32 = 0b10;
    /// Bufferable.
    pub const B: u32 = 1 << 2;
    /// Cacheable.
    pub const C: u32 = 1 << 3;
    /// Execute never.
    pub const XN: u32 = 1 << 4;
    /// AP[1:0] = 0b11: read/write at every privilege level (domain 0 is a client domain).
    pub const AP_READ_WRITE: u32 = 0b11 << 10;
    /// TEX = 0b001: with C and B set, outer and inner write-back, write-allocate.
    pub const TEX_001: u32 = 0b001 << 12;
}

/// How one section is mapped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SectionKind {
    /// Not mapped: any access aborts.
    Unmapped,
    /// Cacheable RAM.
    Normal,
    /// Peripheral registers: uncached, ordered, never executed.
    Device,
}

impl SectionKind {
    fn descriptor(self, physical_address: u32) -> u32 {
        use descriptor::*;
        match self {
            SectionKind::Unmapped => 0,
            SectionKind::Normal => physical_address | SECTION | AP_READ_WRITE | TEX_001 | C | B,
            SectionKind::Device => physical_address | SECTION | AP_READ_WRITE | B | XN,
        }
    }
}

#[repr(C, align(16384))]
struct TranslationTable([u32; ENTRIES]);

/// The first-level table (16 KiB aligned as TTBR0 requires).
static mut TRANSLATION_TABLE: TranslationTable = TranslationTable([0; ENTRIES]);

/// Builds the identity map with `kind_of(section_base)` for every section and turns on the MMU,
/// the caches and branch prediction.
///
/// # Safety
/// Must run once, with IRQs masked, before anything relies on the cache state; `kind_of` must
/// map the running code, its stacks and all memory in use as [`SectionKind::Normal`].
pub unsafe fn enable(kind_of: impl Fn(usize) -> SectionKind) {
    let table = &raw mut TRANSLATION_TABLE;
    for index in 0..ENTRIES {
        let base = index * SECTION_SIZE;
        // SAFETY: the table is only written here, before the MMU uses it.
        unsafe { (*table).0[index] = kind_of(base).descriptor(base as u32) };
    }
    /// SCTLR bits (ARM1176 TRM, c1 Control Register).
    const SCTLR_MMU: u32 = 1 << 0;
    const SCTLR_ALIGNMENT_CHECK: u32 = 1 << 1;
    const SCTLR_DATA_CACHE: u32 = 1 << 2;
    const SCTLR_BRANCH_PREDICTION: u32 = 1 << 11;
    const SCTLR_INSTRUCTION_CACHE: u32 = 1 << 12;
    const SCTLR_HIGH_VECTORS: u32 = 1 << 13;
    const SCTLR_UNALIGNED: u32 = 1 << 22;
    const SCTLR_EXTENDED_PAGE_TABLES: u32 = 1 << 23;
    // TTBR0: table base, inner cacheable (bit 0), outer write-back write-allocate (RGN = 0b01).
    let ttbr0 = table as u32 | 0b0_1001;
    // Domain 0: client (permissions checked); all others: no access.
    let domain_access = 0b01u32;
    // SAFETY: standard ARMv6 MMU enable sequence (ARM1176 TRM 6.4): invalidate caches and TLBs,
    // set TTBCR/TTBR0/DACR, then SCTLR. The identity map keeps the running code at the same
    // addresses, as the caller guarantees.
    unsafe {
        asm!(
            "mcr p15, 0, {zero}, c7, c7, 0",   // invalidate both caches
            "mcr p15, 0, {zero}, c8, c7, 0",   // invalidate unified TLB
            "mcr p15, 0, {zero}, c7, c10, 4",  // DSB
            "mcr p15, 0, {zero}, c2, c0, 2",   // TTBCR = 0: TTBR0 for all addresses
            "mcr p15, 0, {ttbr0}, c2, c0, 0",
            "mcr p15, 0, {dacr}, c3, c0, 0",
            zero = in(reg) 0u32,
            ttbr0 = in(reg) ttbr0,
            dacr = in(reg) domain_access,
            options(nostack)
        );
        let mut control: u32;
        asm!("mrc p15, 0, {0}, c1, c0, 0", out(reg) control, options(nostack));
        control &= !(SCTLR_ALIGNMENT_CHECK | SCTLR_HIGH_VECTORS);
        control |= SCTLR_MMU
            | SCTLR_DATA_CACHE
            | SCTLR_BRANCH_PREDICTION
            | SCTLR_INSTRUCTION_CACHE
            | SCTLR_UNALIGNED
            | SCTLR_EXTENDED_PAGE_TABLES;
        asm!(
            "mcr p15, 0, {control}, c1, c0, 0",
            "mcr p15, 0, {zero}, c7, c5, 4",   // flush prefetch buffer
            control = in(reg) control,
            zero = in(reg) 0u32,
            options(nostack)
        );
    }
}

/// Cleans (writes back) the data cache lines covering `[start, start + length)`.
pub fn clean_data_cache_range(start: usize, length: usize) {
    const LINE: usize = 32;
    let mut address = start & !(LINE - 1);
    while address < start + length {
        // SAFETY: "clean data cache line by MVA" (c7 c10 1) only writes dirty data back.
        unsafe { asm!("mcr p15, 0, {0}, c7, c10, 1", in(reg) address, options(nostack)) };
        address += LINE;
    }
    super::cpu::data_synchronization_barrier();
}

/// Invalidates the data cache lines covering `[start, start + length)` (after a device wrote RAM).
pub fn invalidate_data_cache_range(start: usize, length: usize) {
    const LINE: usize = 32;
    let mut address = start & !(LINE - 1);
    while address < start + length {
        // SAFETY: "clean and invalidate data cache line by MVA" (c7 c14 1): cleaning first means
        // no dirty data sharing a partial line is lost.
        unsafe { asm!("mcr p15, 0, {0}, c7, c14, 1", in(reg) address, options(nostack)) };
        address += LINE;
    }
    super::cpu::data_synchronization_barrier();
}
