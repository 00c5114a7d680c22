//! The USB core's tasks: Rust futures polled in interrupt context, never blocking anything.
//!
//! Each device's driver (the root port, a hub, a keyboard) is one `async` task written as a
//! plain sequence of transfers and waits. [`run`] polls every task whenever something may have
//! happened: the USB core's interrupt (a channel halted, the root port changed) and the
//! deadline queue's callback at the earliest wake-up a task asked for ([`sleep_until`]). It runs
//! with IRQs masked, like every interrupt handler, so a task sees a consistent world and never
//! races another; a task never spins, it returns `Pending` and is polled again later. The
//! Python context is never made to wait for USB.
use core::{
    future::Future,
    pin::Pin,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    task::{Context, Poll, Waker},
};
use std::{boxed::Box, vec::Vec};

use crate::{arch::arm::cpu, sync::IrqLock, time};

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Tasks waiting to be polled.
static TASKS: IrqLock<Vec<Task>> = IrqLock::new(Vec::new());
/// Tasks spawned since the last round (also from inside a task).
static SPAWNED: IrqLock<Vec<Task>> = IrqLock::new(Vec::new());
/// A round is in progress (a nested [`run`] only asks for another round).
static RUNNING: AtomicBool = AtomicBool::new(false);
/// Something happened during the round: poll again before returning.
static AGAIN: AtomicBool = AtomicBool::new(false);
/// The earliest wake-up asked for during the round (µs since boot).
static NEXT_WAKE: AtomicU64 = AtomicU64::new(u64::MAX);
/// The wake-up programmed in the deadline queue, if any.
static ARMED: IrqLock<Option<(u64, time::Deadline)>> = IrqLock::new(None);
/// Rounds run since boot (statistics).
static ROUNDS: AtomicU64 = AtomicU64::new(0);

/// Adds a task; it is first polled at the next [`run`].
pub fn spawn(task: impl Future<Output = ()> + Send + 'static) {
    SPAWNED.lock(|spawned| spawned.push(Box::pin(task)));
    AGAIN.store(true, Ordering::Release);
}

/// Polls every task until none has more to do now, then programs the next wake-up.
/// Callable from any context: IRQs are masked for the duration.
pub fn run() {
    let saved = cpu::irq_save_and_disable();
    if RUNNING.swap(true, Ordering::AcqRel) {
        AGAIN.store(true, Ordering::Release);
        cpu::irq_restore(saved);
        return;
    }
    let mut context = Context::from_waker(Waker::noop());
    let mut tasks = TASKS.lock(core::mem::take);
    // Bounded: a task that keeps asking for another round cannot hold the CPU forever.
    for _ in 0..16 {
        AGAIN.store(false, Ordering::Release);
        tasks.append(&mut SPAWNED.lock(core::mem::take));
        NEXT_WAKE.store(u64::MAX, Ordering::Release);
        tasks.retain_mut(|task| task.as_mut().poll(&mut context).is_pending());
        ROUNDS.fetch_add(1, Ordering::Relaxed);
        if !AGAIN.load(Ordering::Acquire) {
            break;
        }
    }
    if AGAIN.load(Ordering::Acquire) {
        wake_at(time::now_micros() + 1_000);
    }
    TASKS.lock(|slot| {
        tasks.append(slot);
        *slot = tasks;
    });
    arm(NEXT_WAKE.load(Ordering::Acquire));
    RUNNING.store(false, Ordering::Release);
    cpu::irq_restore(saved);
}

/// Tasks alive.
pub fn task_count() -> usize {
    TASKS.lock(|tasks| tasks.len()) + SPAWNED.lock(|spawned| spawned.len())
}

/// Rounds of polling since boot.
pub fn rounds() -> u64 {
    ROUNDS.load(Ordering::Relaxed)
}

/// Asks for a round at `deadline` (µs since boot) at the latest.
pub fn wake_at(deadline: u64) {
    NEXT_WAKE.fetch_min(deadline, Ordering::AcqRel);
}

/// Keeps one deadline-queue entry at the earliest wake-up.
fn arm(deadline: u64) {
    if deadline == u64::MAX {
        return;
    }
    ARMED.lock(|armed| {
        if let Some((at, _)) = armed {
            if *at <= deadline {
                return;
            }
        }
        if let Some((_, entry)) = armed.take() {
            time::cancel(entry);
        }
        if let Ok(entry) = time::schedule(deadline, 0, Some(on_wake), 0) {
            *armed = Some((deadline, entry));
        }
    });
}

/// The deadline queue's callback: forget the entry (it fired) and run a round.
fn on_wake(_argument: u32, _missed: u64) {
    ARMED.lock(|armed| *armed = None);
    run();
}

/// A future that is ready at `deadline` (µs since boot).
pub struct SleepUntil(u64);

impl Future for SleepUntil {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _context: &mut Context<'_>) -> Poll<()> {
        if time::now_micros() >= self.0 {
            Poll::Ready(())
        } else {
            wake_at(self.0);
            Poll::Pending
        }
    }
}

/// Waits until `deadline` (µs since boot).
pub fn sleep_until(deadline: u64) -> SleepUntil {
    SleepUntil(deadline)
}

/// Waits `milliseconds`.
pub fn sleep_ms(milliseconds: u64) -> SleepUntil {
    SleepUntil(time::now_micros() + milliseconds * 1_000)
}

/// A future that is ready when `check` returns `Some`, or with `None` at `deadline`.
pub struct PollUntil<F> {
    check: F,
    deadline: u64,
}

impl<T, F: FnMut() -> Option<T> + Unpin> Future for PollUntil<F> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, _context: &mut Context<'_>) -> Poll<Option<T>> {
        if let Some(value) = (self.check)() {
            return Poll::Ready(Some(value));
        }
        if time::now_micros() >= self.deadline {
            return Poll::Ready(None);
        }
        wake_at(self.deadline);
        Poll::Pending
    }
}

/// Waits for `check` to give a value (checked at every round), at most until `deadline`.
pub fn poll_until<T, F: FnMut() -> Option<T> + Unpin>(check: F, deadline: u64) -> PollUntil<F> {
    PollUntil { check, deadline }
}
