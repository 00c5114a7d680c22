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
    /// Memory another bus master reads (the GPU's framebuffer): write-through cached, so every
    /// write reaches memory while reads stay fast; never executed.
    WriteThrough,
}

impl SectionKind {
    fn descriptor(self, physical_address: u32) -> u32 {
        use descriptor::*;
        match self {
            SectionKind::Unmapped => 0,
            SectionKind::Normal => physical_address | SECTION | AP_READ_WRITE | TEX_001 | C | B,
            SectionKind::Device => physical_address | SECTION | AP_READ_WRITE | B | XN,
            // TEX = 000, C = 1, B = 0: outer and inner write-through, no write-allocate.
            SectionKind::WriteThrough => physical_address | SECTION | AP_READ_WRITE | C | XN,
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
    ENABLED.store(true, core::sync::atomic::Ordering::Release);
}

/// Why [`map_region`] refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MapError {
    /// The MMU is not on yet (the boot map is built by [`enable`]).
    NotEnabled,
    /// The region is empty or runs past the end of the address space.
    BadRange,
    /// A section of the region is already mapped differently (RAM, peripherals, another
    /// region): remapping it would change memory in use.
    AlreadyMapped(usize),
    /// [`SectionKind::Unmapped`] or [`SectionKind::Normal`] asked for: only device and shared
    /// memory are mapped after boot.
    KindNotAllowed,
}

impl core::fmt::Display for MapError {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MapError::NotEnabled => formatter.write_str("the MMU is not on yet"),
            MapError::BadRange => formatter.write_str("empty or overflowing region"),
            MapError::AlreadyMapped(address) => {
                write!(formatter, "section {address:#010x} is already mapped")
            }
            MapError::KindNotAllowed => formatter.write_str("only device or write-through memory"),
        }
    }
}

/// Set once [`enable`] has built the table.
static ENABLED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Maps `[physical, physical + length)` (identity, widened to whole sections) as `kind` after
/// boot, for memory found at run time (the framebuffer the firmware allocates, DMA buffers).
/// Sections already mapped the same way are left as they are; any other mapped section is
/// refused, so RAM and the peripherals can never be remapped. Returns the mapped range.
pub fn map_region(
    physical: usize,
    length: usize,
    kind: SectionKind,
) -> Result<core::ops::Range<usize>, MapError> {
    if !ENABLED.load(core::sync::atomic::Ordering::Acquire) {
        return Err(MapError::NotEnabled);
    }
    if !matches!(kind, SectionKind::Device | SectionKind::WriteThrough) {
        return Err(MapError::KindNotAllowed);
    }
    let end = physical
        .checked_add(length)
        .filter(|_| length > 0)
        .ok_or(MapError::BadRange)?;
    let first = physical / SECTION_SIZE;
    let last = (end - 1) / SECTION_SIZE;
    let table = &raw mut TRANSLATION_TABLE;
    let saved = super::cpu::irq_save_and_disable();
    // Check every section first, so a refused region changes nothing.
    for index in first..=last {
        let base = index * SECTION_SIZE;
        // SAFETY: IRQs are masked and the table is only written here and in `enable`; the read
        // is of a plain word.
        let entry = unsafe { (*table).0[index] };
        if entry != 0 && entry != kind.descriptor(base as u32) {
            super::cpu::irq_restore(saved);
            return Err(MapError::AlreadyMapped(base));
        }
    }
    for index in first..=last {
        let base = index * SECTION_SIZE;
        // SAFETY: as above; the sections were unmapped (nothing can be using them) or already
        // mapped this way.
        unsafe { (*table).0[index] = kind.descriptor(base as u32) };
    }
    let entries = table as usize + first * 4;
    // The table walk reads memory: write the new entries back, then drop stale TLB entries.
    clean_data_cache_range(entries, (last - first + 1) * 4);
    // SAFETY: invalidating the unified TLB and flushing the prefetch buffer only make the
    // core re-read the table, which now holds the new entries.
    unsafe {
        asm!(
            "mcr p15, 0, {zero}, c8, c7, 0",   // invalidate unified TLB
            "mcr p15, 0, {zero}, c7, c10, 4",  // DSB
            "mcr p15, 0, {zero}, c7, c5, 4",   // flush prefetch buffer
            zero = in(reg) 0u32,
            options(nostack)
        );
    }
    super::cpu::irq_restore(saved);
    Ok(first * SECTION_SIZE..(last + 1) * SECTION_SIZE)
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
