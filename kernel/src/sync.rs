//! Single-core synchronisation: state shared with interrupt handlers is touched with IRQs masked.
use core::{
    cell::UnsafeCell,
    sync::atomic::{AtomicBool, Ordering},
};

use crate::arch::arm::cpu;

/// Data shared between the Python context and interrupt handlers on the one core.
///
/// Every access runs inside [`IrqLock::lock`], which masks IRQs for its duration, so an
/// interrupt handler can never observe (or create) a half-finished update. FIQs stay enabled:
/// the real-time tasks that run there never touch an `IrqLock`. A re-entered lock (from inside
/// its own closure, or from an FIQ that interrupted its holder) would alias the value; that is
/// checked on every lock and stops the board with a report instead.
pub struct IrqLock<T> {
    value: UnsafeCell<T>,
    held: AtomicBool,
}

// SAFETY: there is one core; `lock` masks IRQs (the only other context that can run) while the
// value is borrowed, so no two borrows can ever overlap.
unsafe impl<T: Send> Sync for IrqLock<T> {}

impl<T> IrqLock<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
            held: AtomicBool::new(false),
        }
    }

    /// Runs `f` on the value with IRQs masked; restores the previous IRQ mask afterwards.
    ///
    /// Re-entering the same lock from inside `f` (or from an FIQ handler) is a kernel bug: it is
    /// detected and reported, and the board reboots.
    pub fn lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let saved = cpu::irq_save_and_disable();
        if self.held.swap(true, Ordering::Acquire) {
            lock_reentered(core::any::type_name::<T>());
        }
        let started = MEASURING.load(Ordering::Relaxed).then(crate::time::now_low);
        // SAFETY: IRQs are masked and there is one core, so nothing else runs until we restore
        // them except an FIQ, which never takes an IrqLock (and would be caught by `held`); the
        // `held` flag proves this is the only borrow.
        let result = f(unsafe { &mut *self.value.get() });
        if let Some(started) = started {
            let window = crate::time::now_low().wrapping_sub(started);
            LONGEST_MASKED_US.fetch_max(window, Ordering::Relaxed);
        }
        self.held.store(false, Ordering::Release);
        cpu::irq_restore(saved);
        result
    }
}

/// When set, every [`IrqLock::lock`] measures how long IRQs stay masked (for the benchmarks;
/// off by default: it costs two timer reads per lock).
static MEASURING: AtomicBool = AtomicBool::new(false);
/// The longest IRQ-masked window measured, in µs of the 1 MHz counter.
static LONGEST_MASKED_US: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// Turns the measurement of IRQ-masked windows on or off (and forgets the longest so far).
pub fn measure_masked_windows(enabled: bool) {
    LONGEST_MASKED_US.store(0, Ordering::Relaxed);
    MEASURING.store(enabled, Ordering::Relaxed);
}

/// The longest IRQ-masked window measured since [`measure_masked_windows`], in µs.
pub fn longest_masked_window_us() -> u32 {
    LONGEST_MASKED_US.load(Ordering::Relaxed)
}

/// Reports a re-entered [`IrqLock`] and reboots (the borrow it would create would alias).
#[cold]
#[inline(never)]
fn lock_reentered(what: &str) -> ! {
    use core::fmt::Write;
    let _ = write!(
        crate::console::PanicWriter,
        "\r\n*** PiPyOS: an IrqLock<{what}> was re-entered (kernel bug)\r\n"
    );
    crate::bsp::rpi1::fatal_restart("IrqLock re-entered")
}

/// A value written once at boot (before any reader runs) and read-only afterwards.
pub struct SetOnce<T> {
    value: UnsafeCell<Option<T>>,
    is_set: core::sync::atomic::AtomicBool,
}

// SAFETY: the value is written once, before `is_set` is released; readers acquire `is_set` first
// and only ever take shared references after that, so there is no data race.
unsafe impl<T: Send + Sync> Sync for SetOnce<T> {}

impl<T> SetOnce<T> {
    /// An empty slot.
    pub const fn new() -> Self {
        Self {
            value: UnsafeCell::new(None),
            is_set: core::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Stores the value; panics if it was already set.
    pub fn set(&self, value: T) {
        use core::sync::atomic::Ordering;
        assert!(!self.is_set.load(Ordering::Acquire), "SetOnce set twice");
        // SAFETY: not yet published, so no reader holds a reference; boot code runs alone.
        unsafe { *self.value.get() = Some(value) };
        self.is_set.store(true, Ordering::Release);
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        use core::sync::atomic::Ordering;
        if self.is_set.load(Ordering::Acquire) {
            // SAFETY: published and never written again.
            unsafe { (*self.value.get()).as_ref() }
        } else {
            None
        }
    }
}
