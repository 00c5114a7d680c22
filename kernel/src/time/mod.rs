//! Time: the 1 MHz clock, the real-time clock offset, and the deadline queue that owns the
//! system timer's compare channels.
//!
//! Compare channel 1 raises an IRQ for the deadline queue: every sleep, Python timer and
//! periodic kernel job is an entry there, and the channel is always programmed for the earliest
//! one. Compare channel 3 is routed to the FIQ for the real-time releases; `rt` decides those
//! deadlines and programs the channel through [`program_release_alarm`] (lock-free, FIQ-safe).
use core::sync::atomic::{AtomicU64, Ordering};

use rtsched::deadlines::{DeadlineQueue, EntryId};

use crate::{
    arch::arm::cpu,
    bsp::rpi1::TIMER,
    drivers::{bcm2835_timer::Channel, interface::Clock},
    sync::IrqLock,
};

/// What runs when a deadline passes (in IRQ context, IRQs masked): `(argument, missed)`, where
/// `missed` counts periods skipped because the handler came late.
pub type Callback = fn(u32, u64);

#[derive(Clone, Copy)]
struct Payload {
    callback: Option<Callback>,
    argument: u32,
}

/// Deadlines pending at once (sleeps, Python timers, kernel jobs).
pub const CAPACITY: usize = 48;

static QUEUE: IrqLock<DeadlineQueue<Payload, CAPACITY>> = IrqLock::new(DeadlineQueue::new());

/// The longest the alarm is programmed ahead: the compare register holds 32 bits (71 minutes),
/// so far deadlines are reached in steps.
const LONGEST_ALARM_MICROS: u64 = 1 << 30;

/// An alarm closer than this to "now" might already be past when written: aim this far ahead.
const MINIMUM_LEAD_MICROS: u64 = 2;

/// Microseconds since boot.
pub fn now_micros() -> u64 {
    TIMER.now_micros()
}

/// The deadline queue is full.
#[derive(Clone, Copy, Debug)]
pub struct QueueFull;

/// A pending deadline, to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline(EntryId);

/// Schedules `callback(argument, missed)` at `deadline` (µs since boot), then every `period`
/// µs if `period` is not 0. `None` only wakes the CPU (for sleeps).
pub fn schedule(
    deadline: u64,
    period: u64,
    callback: Option<Callback>,
    argument: u32,
) -> Result<Deadline, QueueFull> {
    QUEUE.lock(|queue| {
        let id = queue
            .insert(deadline, period, Payload { callback, argument })
            .map_err(|_| QueueFull)?;
        rearm(queue);
        Ok(Deadline(id))
    })
}

/// Cancels a deadline; returns whether it was still pending.
pub fn cancel(deadline: Deadline) -> bool {
    QUEUE.lock(|queue| {
        let was_pending = queue.cancel(deadline.0);
        rearm(queue);
        was_pending
    })
}

/// Programs channel 1 for the earliest deadline (or a far keep-alive when none is pending).
fn rearm(queue: &DeadlineQueue<Payload, CAPACITY>) {
    let earliest = queue.earliest().unwrap_or(u64::MAX);
    let mut lead = MINIMUM_LEAD_MICROS;
    loop {
        let now = now_micros();
        let target = earliest.clamp(now + lead, now + LONGEST_ALARM_MICROS);
        TIMER.set_compare(Channel::One, target);
        // A target that slipped into the past while being written would only match after the
        // counter wraps: aim further ahead and try again.
        if now_micros() < target {
            return;
        }
        lead *= 2;
    }
}

/// The channel-1 interrupt: runs every expired entry's callback, then re-arms.
pub fn on_alarm_interrupt() {
    TIMER.acknowledge(Channel::One);
    loop {
        let now = now_micros();
        let Some(expiry) = QUEUE.lock(|queue| queue.pop_expired(now)) else {
            break;
        };
        if let Some(callback) = expiry.payload.callback {
            callback(expiry.payload.argument, expiry.missed);
        }
    }
    QUEUE.lock(|queue| rearm(queue));
}

/// Sleeps until `deadline` (µs since boot), waking on interrupts; returns `false` early if
/// `interrupted()` becomes true.
pub fn sleep_until(deadline: u64, interrupted: impl Fn() -> bool) -> bool {
    // With the queue full the CPU still wakes at every other interrupt and at least every
    // LONGEST_ALARM_MICROS (the keep-alive), so polling stays correct, only less exact.
    let entry = schedule(deadline, 0, None, 0).ok();
    let finished = loop {
        if now_micros() >= deadline {
            break true;
        }
        if interrupted() {
            break false;
        }
        // Check with IRQs masked, then wait: an IRQ arriving in between still wakes the WFI.
        let saved = cpu::irq_save_and_disable();
        if now_micros() < deadline && !interrupted() {
            cpu::wait_for_interrupt();
        }
        cpu::irq_restore(saved);
    };
    if let Some(entry) = entry {
        cancel(entry);
    }
    finished
}

/// Sleeps until the next interrupt or `deadline` (µs since boot), whichever comes first,
/// unless `ready()` is already true (checked with IRQs masked, so nothing is missed).
pub fn wait_once(deadline: Option<u64>, ready: impl Fn() -> bool) {
    if deadline.is_some_and(|deadline| now_micros() >= deadline) {
        return;
    }
    let entry = deadline.and_then(|deadline| schedule(deadline, 0, None, 0).ok());
    let saved = cpu::irq_save_and_disable();
    if !ready() && deadline.is_none_or(|deadline| now_micros() < deadline) {
        cpu::wait_for_interrupt();
    }
    cpu::irq_restore(saved);
    if let Some(entry) = entry {
        cancel(entry);
    }
}

/// Programs the real-time release alarm (channel 3, routed to the FIQ) for `deadline`.
/// Lock-free: called from the FIQ handler, or with FIQs masked.
pub fn program_release_alarm(deadline: u64) {
    TIMER.set_compare(Channel::Three, deadline);
}

/// True if the real-time release alarm matched and was not acknowledged yet.
pub fn release_alarm_matched() -> bool {
    TIMER.matched(Channel::Three)
}

/// Acknowledges the real-time release alarm (from the FIQ handler).
pub fn acknowledge_release_alarm() -> bool {
    TIMER.acknowledge(Channel::Three)
}

/// The counter's low word, for the real-time path (one register read).
pub fn now_low() -> u32 {
    TIMER.now_low()
}

/// 2000-01-01T00:00:00Z in microseconds since the Unix epoch: the real-time clock's value at
/// boot (the board has no battery-backed clock), until Python sets it.
const DEFAULT_EPOCH_MICROS: u64 = 946_684_800_000_000;

/// Real time minus monotonic time, in microseconds.
static REALTIME_OFFSET: AtomicU64 = AtomicU64::new(DEFAULT_EPOCH_MICROS);

/// Offset added to [`now_micros`] to get Unix time in microseconds.
pub fn realtime_offset_micros() -> u64 {
    REALTIME_OFFSET.load(Ordering::Relaxed)
}

/// Unix time in microseconds.
pub fn unix_micros() -> u64 {
    now_micros().wrapping_add(realtime_offset_micros())
}

/// Sets the real-time clock to `unix_micros`.
pub fn set_realtime_micros(unix_micros: u64) {
    REALTIME_OFFSET.store(unix_micros.wrapping_sub(now_micros()), Ordering::Relaxed);
}
