//! The one place where a peripheral's physical address becomes a typed register block reference.
use core::{marker::PhantomData, ops::Deref};

/// A typed register block at a fixed physical address.
pub struct Mmio<T> {
    base: usize,
    registers: PhantomData<fn() -> T>,
}

impl<T> Mmio<T> {
    /// Wraps the register block at `base`.
    ///
    /// # Safety
    /// `base` must be the address of a device whose registers have the layout `T`, mapped as
    /// device memory (or with the MMU off) for the whole life of the kernel.
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            base,
            registers: PhantomData,
        }
    }
}

impl<T> Deref for Mmio<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: `new`'s contract: `base` is a live register block of layout `T`; register types
        // use volatile interior mutability, so shared references are sound.
        unsafe { &*(self.base as *const T) }
    }
}
