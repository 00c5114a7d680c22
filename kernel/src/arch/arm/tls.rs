//! Thread-local storage for the one thread: copies the TLS template and sets the thread register.
//!
//! ARM uses TLS "variant 1": the thread pointer addresses an 8-byte thread control block and the
//! TLS block follows it, at `align_up(8, tls_align)`. Rust std's thread-locals (compiled with the
//! local-exec model and `+read-tp-tpidruro`) read the pointer from TPIDRURO.
use core::arch::asm;

/// Room for the TLS block; checked against the template at start-up.
const TLS_AREA_SIZE: usize = 16 * 1024;

/// Alignment of [`TlsArea`]: at least the TLS segment's alignment (checked in kernel.ld).
const TLS_AREA_ALIGN: usize = 64;

#[repr(C, align(64))]
struct TlsArea([u8; TLS_AREA_SIZE]);

/// The thread control block and TLS block of the single kernel/Python thread.
static mut TLS_AREA: TlsArea = TlsArea([0; TLS_AREA_SIZE]);

unsafe extern "C" {
    static __tdata_start: u8;
    static __tdata_end: u8;
    static __tbss_start: u8;
    static __tbss_end: u8;
    static __tls_align: u8;
}

/// Initialises the TLS block from the linker's template and points TPIDRURO/TPIDRPRW at it.
///
/// # Safety
/// Must be called once, before any thread-local is touched.
pub unsafe fn init() {
    let template_start = &raw const __tdata_start as usize;
    let template_data_end = &raw const __tdata_end as usize;
    let template_end = (&raw const __tbss_end as usize).max(&raw const __tbss_start as usize);
    let alignment = (&raw const __tls_align as usize).max(1);
    let block_offset = 8usize.next_multiple_of(alignment);
    let total = template_end
        .saturating_sub(template_start)
        .max(template_data_end - template_start);
    assert!(
        alignment <= TLS_AREA_ALIGN && block_offset + total <= TLS_AREA_SIZE,
        "TLS template ({total} bytes, align {alignment}) does not fit the TLS area"
    );
    let area = &raw mut TLS_AREA as *mut u8;
    // SAFETY: the template lies in the loaded image; the area is a static of TLS_AREA_SIZE bytes
    // that we checked is large enough; nothing else uses it (called once, before any TLS use).
    unsafe {
        core::ptr::copy_nonoverlapping(
            template_start as *const u8,
            area.add(block_offset),
            template_data_end - template_start,
        );
        // .tbss part is already zero: TLS_AREA lives in .bss, cleared at boot.
        asm!(
            "mcr p15, 0, {0}, c13, c0, 3", // TPIDRURO (what the compiler reads)
            "mcr p15, 0, {0}, c13, c0, 4", // TPIDRPRW (privileged copy)
            in(reg) area as usize,
            options(nostack)
        );
    }
}
