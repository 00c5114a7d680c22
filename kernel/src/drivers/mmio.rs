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

/// A peripheral register block as the `bcm2835` crate's drivers see it: 32-bit volatile
/// accesses at byte offsets from `base`. The drivers whose register sequences are tested on the
/// host against a recording fake (GPIO, PWM, I2C, SPI, mini UART) run over this.
pub struct MmioBus {
    base: usize,
}

impl MmioBus {
    /// The block at `base`.
    ///
    /// # Safety
    /// `base` must be a peripheral register block, mapped as device memory (or with the MMU
    /// off) for the whole life of the kernel, and every offset the driver uses must be one of
    /// its registers.
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }
}

impl bcm2835::Registers for MmioBus {
    fn read(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract: a register of the block, device memory, 4-byte aligned.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write(&self, offset: usize, value: u32) {
        // SAFETY: as for `read`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}
