//! Memory calls: `sys_malloc`, `sys_realloc`, `sys_free`, and C's `malloc`/`calloc`/`free`.
use crate::mem::heap;

#[unsafe(no_mangle)]
extern "C" fn sys_malloc(size: usize, align: usize) -> *mut u8 {
    heap::allocate(size, align)
}

#[unsafe(no_mangle)]
extern "C" fn sys_alloc(size: usize, align: usize) -> *mut u8 {
    heap::allocate(size, align)
}

#[unsafe(no_mangle)]
extern "C" fn sys_alloc_zeroed(size: usize, align: usize) -> *mut u8 {
    let pointer = heap::allocate(size, align);
    if !pointer.is_null() {
        // SAFETY: a fresh block of `size` bytes.
        unsafe { pointer.write_bytes(0, size) };
    }
    pointer
}

/// # Safety
/// std passes a block from `sys_malloc`/`sys_realloc` with its layout.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_realloc(
    pointer: *mut u8,
    size: usize,
    align: usize,
    new_size: usize,
) -> *mut u8 {
    // SAFETY: forwarded from std's contract.
    unsafe { heap::reallocate(pointer, size, align, new_size) }
}

/// # Safety
/// std passes a block from `sys_malloc`/`sys_realloc` with its layout.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_free(pointer: *mut u8, size: usize, align: usize) {
    // SAFETY: forwarded from std's contract.
    unsafe { heap::deallocate(pointer, size, align) }
}

/// # Safety
/// As for [`sys_free`].
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_dealloc(pointer: *mut u8, size: usize, align: usize) {
    // SAFETY: forwarded from std's contract.
    unsafe { heap::deallocate(pointer, size, align) }
}

// C allocation (used by C code in the native stdlib modules): C's `free` gets no size, so each
// block carries its size in an 8-byte header.
const C_HEADER: usize = 8;

#[unsafe(no_mangle)]
extern "C" fn malloc(size: usize) -> *mut u8 {
    let Some(total) = size.checked_add(C_HEADER) else {
        return core::ptr::null_mut();
    };
    let block = heap::allocate(total, C_HEADER);
    if block.is_null() {
        return block;
    }
    // SAFETY: the block has room for the header, which is 8-aligned.
    unsafe {
        block.cast::<usize>().write(total);
        block.add(C_HEADER)
    }
}

#[unsafe(no_mangle)]
extern "C" fn calloc(count: usize, size: usize) -> *mut u8 {
    let Some(bytes) = count.checked_mul(size) else {
        return core::ptr::null_mut();
    };
    let pointer = malloc(bytes);
    if !pointer.is_null() {
        // SAFETY: `malloc` returned `bytes` usable bytes.
        unsafe { pointer.write_bytes(0, bytes) };
    }
    pointer
}

/// # Safety
/// `pointer` must be null or come from [`malloc`]/[`calloc`]/[`realloc`].
#[unsafe(no_mangle)]
unsafe extern "C" fn free(pointer: *mut u8) {
    if pointer.is_null() {
        return;
    }
    // SAFETY: the header precedes every block handed out by `malloc`.
    unsafe {
        let block = pointer.sub(C_HEADER);
        heap::deallocate(block, block.cast::<usize>().read(), C_HEADER);
    }
}

/// # Safety
/// As for [`free`].
#[unsafe(no_mangle)]
unsafe extern "C" fn realloc(pointer: *mut u8, size: usize) -> *mut u8 {
    if pointer.is_null() {
        return malloc(size);
    }
    let new_pointer = malloc(size);
    if !new_pointer.is_null() {
        // SAFETY: both are live blocks; the old one's size is in its header.
        unsafe {
            let old_size = pointer.sub(C_HEADER).cast::<usize>().read() - C_HEADER;
            core::ptr::copy_nonoverlapping(pointer, new_pointer, old_size.min(size));
            free(pointer);
        }
    }
    new_pointer
}
