//! The heap: size-class free lists for small blocks in front of a first-fit allocator for large ones.
//!
//! RustPython allocates tens of thousands of small objects; first fit alone spent ~70 % of
//! start-up in the allocator (measured with a first prototype). Small requests (≤ 4 KiB, alignment ≤ 8) are
//! served from per-class singly linked free lists, refilled by bumping through a region; large
//! ones go to `linked_list_allocator`. The Hermit ABI hands the size and alignment back on free,
//! so blocks carry no header. All state sits behind an [`IrqLock`], so interrupt handlers may
//! allocate too.
use core::{alloc::Layout, ops::Range, ptr::NonNull};

use crate::sync::IrqLock;

/// Largest request served by the size classes.
const SMALL_LIMIT: usize = 4096;
/// Classes of 8 bytes up to 256, then of 64 bytes up to 4096.
const FINE_LIMIT: usize = 256;
const FINE_STEP: usize = 8;
const COARSE_STEP: usize = 64;
const CLASS_COUNT: usize = FINE_LIMIT / FINE_STEP + (SMALL_LIMIT - FINE_LIMIT) / COARSE_STEP;
/// When the small region is used up, the classes carve chunks of this size from the large heap.
const REFILL_CHUNK: usize = 256 * 1024;
/// Emergency reserve held back from the large heap. The first allocation that fails releases it
/// (and still fails), so that raising `MemoryError`, printing the traceback and parsing the next
/// line (RustPython's parser allocates a 1 MiB stack segment per parse on this platform) still
/// find memory. It is taken back once the heap has room again.
const RESERVE: usize = 4 << 20;

/// Which size class serves `size` bytes, and the block size of that class.
fn size_class(size: usize) -> (usize, usize) {
    let size = size.max(1);
    if size <= FINE_LIMIT {
        let class = size.div_ceil(FINE_STEP) - 1;
        (class, (class + 1) * FINE_STEP)
    } else {
        let steps = (size - FINE_LIMIT).div_ceil(COARSE_STEP);
        (
            FINE_LIMIT / FINE_STEP + steps - 1,
            FINE_LIMIT + steps * COARSE_STEP,
        )
    }
}

fn is_small(layout: Layout) -> bool {
    layout.size() <= SMALL_LIMIT && layout.align() <= FINE_STEP
}

/// A free small block: the first word links to the next free block of the same class.
struct FreeBlock {
    next: Option<NonNull<FreeBlock>>,
}

/// Heap usage figures.
#[derive(Clone, Copy, Debug, Default)]
pub struct Statistics {
    /// Bytes handed out and not yet freed (block sizes, rounded up per class).
    pub used: usize,
    /// Bytes still available: free large-heap bytes, free listed small blocks, unbumped space.
    pub free: usize,
    /// Highest `used` seen.
    pub peak_used: usize,
    /// Number of allocation calls that could not be served.
    pub failed_allocations: usize,
}

struct Heap {
    free_lists: [Option<NonNull<FreeBlock>>; CLASS_COUNT],
    bump: Range<usize>,
    large: linked_list_allocator::Heap,
    free_listed_bytes: usize,
    statistics: Statistics,
    /// Set by a failed allocation, cleared by the next success: tells an abort after an
    /// allocation failure apart from other aborts.
    last_allocation_failed: bool,
    /// The emergency reserve, while it is held (see [`RESERVE`]).
    reserve: Option<NonNull<u8>>,
}

// SAFETY: the raw pointers point into heap memory owned by this structure; it is only used from
// behind the IrqLock on the single core.
unsafe impl Send for Heap {}

static HEAP: IrqLock<Heap> = IrqLock::new(Heap {
    free_lists: [None; CLASS_COUNT],
    bump: 0..0,
    large: linked_list_allocator::Heap::empty(),
    free_listed_bytes: 0,
    statistics: Statistics {
        used: 0,
        free: 0,
        peak_used: 0,
        failed_allocations: 0,
    },
    last_allocation_failed: false,
    reserve: None,
});

/// Hands the two heap regions to the allocator (once, at boot).
pub fn init(small: Range<usize>, large: Range<usize>) {
    HEAP.lock(|heap| {
        heap.bump = small.start.next_multiple_of(FINE_STEP)..small.end;
        if large.end > large.start {
            // SAFETY: the boot layout reserves `large` for the heap alone; it is mapped RAM.
            unsafe {
                heap.large
                    .init(large.start as *mut u8, large.end - large.start)
            };
        }
    });
}

impl Heap {
    fn reserve_layout() -> Layout {
        Layout::from_size_align(RESERVE, FINE_STEP).expect("valid layout")
    }

    /// Holds the emergency reserve back again, if the heap has plenty of room.
    fn take_reserve(&mut self) {
        if self.reserve.is_none() && self.large.free() >= 4 * RESERVE {
            self.reserve = self.large.allocate_first_fit(Self::reserve_layout()).ok();
        }
    }

    /// Gives the emergency reserve back to the heap; true if there was one.
    fn release_reserve(&mut self) -> bool {
        match self.reserve.take() {
            Some(block) => {
                // SAFETY: the reserve was allocated from `large` with this layout.
                unsafe { self.large.deallocate(block, Self::reserve_layout()) };
                true
            }
            None => false,
        }
    }

    fn allocate(&mut self, layout: Layout) -> *mut u8 {
        let pointer = if is_small(layout) {
            self.allocate_small(layout.size())
        } else {
            self.large
                .allocate_first_fit(layout)
                .map_or(core::ptr::null_mut(), |block| block.as_ptr())
        };
        if pointer.is_null() {
            self.statistics.failed_allocations += 1;
            self.last_allocation_failed = true;
            self.release_reserve();
        } else {
            self.last_allocation_failed = false;
            self.statistics.used += if is_small(layout) {
                size_class(layout.size()).1
            } else {
                layout.size()
            };
            self.statistics.peak_used = self.statistics.peak_used.max(self.statistics.used);
        }
        pointer
    }

    fn allocate_small(&mut self, size: usize) -> *mut u8 {
        let (class, block_size) = size_class(size);
        if let Some(block) = self.free_lists[class] {
            // SAFETY: listed blocks are free blocks of this class that we wrote a link into.
            self.free_lists[class] = unsafe { block.as_ref().next };
            self.free_listed_bytes -= block_size;
            return block.as_ptr().cast();
        }
        if self.bump.end - self.bump.start < block_size {
            let chunk = Layout::from_size_align(REFILL_CHUNK, FINE_STEP).expect("valid layout");
            match self.large.allocate_first_fit(chunk) {
                Ok(block) => {
                    let start = block.as_ptr() as usize;
                    self.bump = start..start + REFILL_CHUNK;
                }
                Err(()) => return core::ptr::null_mut(),
            }
        }
        let block = self.bump.start;
        self.bump.start += block_size;
        block as *mut u8
    }

    /// # Safety
    /// `pointer` must come from `allocate` with the same `layout`, and not be freed already.
    unsafe fn deallocate(&mut self, pointer: *mut u8, layout: Layout) {
        let Some(block) = NonNull::new(pointer) else {
            return;
        };
        if is_small(layout) {
            let (class, block_size) = size_class(layout.size());
            let mut free_block = block.cast::<FreeBlock>();
            // SAFETY: the block is ours again and at least 8 bytes, 8-aligned: room for a link.
            unsafe { free_block.as_mut().next = self.free_lists[class] };
            self.free_lists[class] = Some(free_block);
            self.free_listed_bytes += block_size;
            self.statistics.used -= block_size;
        } else {
            // SAFETY: forwarded from the caller's contract.
            unsafe { self.large.deallocate(block, layout) };
            self.statistics.used -= layout.size();
            self.take_reserve();
        }
    }

    fn statistics(&self) -> Statistics {
        Statistics {
            free: self.large.free() + self.free_listed_bytes + (self.bump.end - self.bump.start),
            ..self.statistics
        }
    }
}

/// Allocates `size` bytes aligned to `align`; null if there is no room or the request is invalid.
pub fn allocate(size: usize, align: usize) -> *mut u8 {
    match Layout::from_size_align(size, align) {
        Ok(layout) => HEAP.lock(|heap| heap.allocate(layout)),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a block from [`allocate`].
///
/// # Safety
/// `pointer` must come from [`allocate`] (or [`reallocate`]) with this `size` and `align`, and
/// must not be used afterwards.
pub unsafe fn deallocate(pointer: *mut u8, size: usize, align: usize) {
    if let Ok(layout) = Layout::from_size_align(size, align) {
        // SAFETY: forwarded from the caller's contract.
        HEAP.lock(|heap| unsafe { heap.deallocate(pointer, layout) });
    }
}

/// Resizes a block from [`allocate`]; on failure the old block stays valid and null is returned.
///
/// # Safety
/// As for [`deallocate`], for `pointer`, `size` and `align`.
pub unsafe fn reallocate(pointer: *mut u8, size: usize, align: usize, new_size: usize) -> *mut u8 {
    if pointer.is_null() {
        return allocate(new_size, align);
    }
    if is_small(Layout::from_size_align(size, align).unwrap_or(Layout::new::<u8>()))
        && new_size <= SMALL_LIMIT
        && size_class(size).0 == size_class(new_size).0
    {
        return pointer;
    }
    let new_pointer = allocate(new_size, align);
    if !new_pointer.is_null() {
        // SAFETY: both blocks are valid for the copied length and do not overlap.
        unsafe {
            core::ptr::copy_nonoverlapping(pointer, new_pointer, size.min(new_size));
            deallocate(pointer, size, align);
        }
    }
    new_pointer
}

/// Current heap figures.
pub fn statistics() -> Statistics {
    HEAP.lock(|heap| heap.statistics())
}

/// True if the most recent allocation request failed (no success since).
pub fn last_allocation_failed() -> bool {
    HEAP.lock(|heap| heap.last_allocation_failed)
}
