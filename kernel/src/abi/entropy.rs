//! `sys_read_entropy`: random bytes from the hardware RNG (std seeds its hash maps with it).
use crate::{bsp::rpi1::RNG, drivers::interface::EntropySource};

/// # Safety
/// `buffer` must be valid for `length` bytes of writes.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_read_entropy(buffer: *mut u8, length: usize, _flags: u32) -> isize {
    // SAFETY: the caller provides a writable buffer of `length` bytes.
    let buffer = unsafe { core::slice::from_raw_parts_mut(buffer, length) };
    RNG.fill(buffer);
    length as isize
}
