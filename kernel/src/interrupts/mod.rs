//! The interrupt handler table: drivers register one handler per interrupt source, one dispatcher.
//!
//! The BCM2835 has 64 GPU interrupt sources and 8 ARM-local ones (BCM2835 ARM Peripherals §7.5).
//! Numbers 0..=63 here are the GPU sources, 64..=71 the ARM ones (the "basic" register's bits
//! 0..=7). A driver calls [`register`] once at start-up; the IRQ entry calls [`dispatch`], which
//! runs the handler of every pending source that has one. A pending source without a handler is
//! switched off and counted, so a stray interrupt can never storm. One source may instead be
//! routed to the FIQ ([`route_to_fiq`]): the real-time part's timer (see `rt/`).
use core::sync::atomic::{AtomicU32, Ordering};

use crate::{bsp::rpi1::INTERRUPTS, sync::IrqLock};

/// Interrupt sources: 64 GPU + 8 ARM.
pub const SOURCES: usize = 72;

/// First ARM-local source number.
pub const ARM_BASE: u32 = 64;

/// An interrupt handler: runs in IRQ mode with IRQs masked (FIQs can still preempt it).
pub type Handler = fn();

/// Why a registration failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The number is not an interrupt source.
    NoSuchSource(u32),
    /// Another handler already owns the source.
    AlreadyRegistered(u32),
}

struct Table {
    handlers: [Option<Handler>; SOURCES],
    /// The sources we enabled, as the controller's three enable words (GPU 0..31, GPU 32..63,
    /// ARM).
    enabled: [u32; 3],
}

static TABLE: IrqLock<Table> = IrqLock::new(Table {
    handlers: [None; SOURCES],
    enabled: [0; 3],
});

/// Interrupts that arrived without a handler (each one also disabled its source).
static SPURIOUS: AtomicU32 = AtomicU32::new(0);

/// Interrupts handled, per source (for `pipyos.interrupt_counts()` and the benchmarks).
static COUNTS: [AtomicU32; SOURCES] = [const { AtomicU32::new(0) }; SOURCES];

fn word_and_bit(source: u32) -> (usize, u32) {
    if source >= ARM_BASE {
        (2, 1 << (source - ARM_BASE))
    } else {
        ((source / 32) as usize, 1 << (source % 32))
    }
}

/// Installs `handler` for `source` and enables the source at the controller.
pub fn register(source: u32, handler: Handler) -> Result<(), Error> {
    if source as usize >= SOURCES {
        return Err(Error::NoSuchSource(source));
    }
    TABLE.lock(|table| {
        let slot = &mut table.handlers[source as usize];
        if slot.is_some() {
            return Err(Error::AlreadyRegistered(source));
        }
        *slot = Some(handler);
        let (word, bit) = word_and_bit(source);
        table.enabled[word] |= bit;
        INTERRUPTS.enable_source(source);
        Ok(())
    })
}

/// Removes the handler of `source` and disables the source.
#[allow(dead_code)] // for drivers that stop (a USB device unplugged); none does yet
pub fn unregister(source: u32) {
    if source as usize >= SOURCES {
        return;
    }
    TABLE.lock(|table| {
        table.handlers[source as usize] = None;
        let (word, bit) = word_and_bit(source);
        table.enabled[word] &= !bit;
        INTERRUPTS.disable_source(source);
    });
}

/// Routes `source` to the FIQ instead of the IRQ (one source at a time, BCM2835 §7.5).
pub fn route_to_fiq(source: u32) -> Result<(), Error> {
    if source as usize >= SOURCES {
        return Err(Error::NoSuchSource(source));
    }
    INTERRUPTS.disable_source(source);
    INTERRUPTS.select_fiq(source);
    Ok(())
}

/// Runs the handlers of every pending source (called from the IRQ entry, IRQs masked).
pub fn dispatch() {
    let pending = INTERRUPTS.pending();
    let (handlers, enabled) = TABLE.lock(|table| (table.handlers, table.enabled));
    for (word, &bits) in pending.iter().enumerate() {
        let mut remaining = bits & enabled[word];
        let unexpected = bits & !enabled[word];
        if unexpected != 0 {
            disable_unexpected(word, unexpected);
        }
        while remaining != 0 {
            let bit = remaining.trailing_zeros();
            remaining &= remaining - 1;
            let source = if word == 2 {
                ARM_BASE + bit
            } else {
                word as u32 * 32 + bit
            };
            if let Some(handler) = handlers[source as usize] {
                COUNTS[source as usize].fetch_add(1, Ordering::Relaxed);
                handler();
            }
        }
    }
}

fn disable_unexpected(word: usize, bits: u32) {
    let mut remaining = bits;
    while remaining != 0 {
        let bit = remaining.trailing_zeros();
        remaining &= remaining - 1;
        let source = if word == 2 {
            ARM_BASE + bit
        } else {
            word as u32 * 32 + bit
        };
        INTERRUPTS.disable_source(source);
        SPURIOUS.fetch_add(1, Ordering::Relaxed);
    }
}

/// How many interrupts arrived without a handler.
pub fn spurious_count() -> u32 {
    SPURIOUS.load(Ordering::Relaxed)
}

/// How many interrupts of `source` were handled.
pub fn count(source: u32) -> u32 {
    COUNTS
        .get(source as usize)
        .map_or(0, |count| count.load(Ordering::Relaxed))
}
