//! The real-time part: Rust tasks that preempt Python anywhere, run to completion in the FIQ.
//!
//! Model (DESIGN.md has the measurements): one preemption level above everything else. The
//! system timer's compare channel 3 is the only FIQ source; the FIQ handler ([`on_fiq`]) takes
//! every released task from the scheduler (the `rtsched` crate) in priority order, runs its body
//! to completion, records release-to-start latency and deadline misses, and programs the
//! channel for the next release. IRQ masking (`IrqLock`, the heap, the console, the UART
//! interrupt) leaves FIQs enabled, so Python in bytecode, in a long native call or inside the
//! allocator is preempted within a few instructions.
//!
//! Nothing on the task path allocates or waits for the Python context: the scheduler's state
//! belongs to the FIQ alone. Python reaches it lock-free: start/stop/period/reset requests go
//! through an SPSC channel, event releases through an atomic bit mask (interrupt handlers may
//! release events too), and statistics come back through a one-slot mailbox. After queueing,
//! the requester "kicks" the FIQ by moving the compare value to a few microseconds ahead, in a
//! window of a few instructions with FIQs masked.
pub mod config;

use core::{
    cell::UnsafeCell,
    sync::atomic::{AtomicU32, Ordering},
};

use rtsched::{Channel, Release, Scheduler, TaskSnapshot};

use crate::{arch::arm::cpu, bsp::rpi1::memory, time};

pub use config::TASKS;

/// Number of tasks.
pub const TASK_COUNT: usize = config::TASKS.len();

/// What a task body is told about the instance it runs.
#[allow(dead_code)] // for task bodies that need it; the shipped ones do not read it
pub struct Context {
    /// The task's index in [`TASKS`].
    pub task: usize,
    /// When the instance was released (µs since boot).
    pub release_time_us: u64,
    /// When it started (µs since boot).
    pub start_time_us: u64,
}

/// State owned by the FIQ handler: touched only in FIQ mode (FIQs masked), or by code that
/// masks FIQs for the access.
struct FiqOwned<T>(UnsafeCell<T>);

// SAFETY: one core; every access happens with FIQs (and IRQs) masked — in the FIQ handler, or
// in `with_fiqs_masked` — so no two accesses overlap.
unsafe impl<T: Send> Sync for FiqOwned<T> {}

impl<T> FiqOwned<T> {
    const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// The value, for code that runs with FIQs masked.
    ///
    /// # Safety
    /// FIQs must be masked (FIQ mode, or inside [`with_fiqs_masked`]) and no other reference
    /// obtained from this cell may be alive.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self) -> &mut T {
        // SAFETY: forwarded from the caller.
        unsafe { &mut *self.0.get() }
    }
}

/// Runs `f` with FIQs and IRQs masked (keep it to a few instructions: it delays every release).
fn with_fiqs_masked<R>(f: impl FnOnce() -> R) -> R {
    let saved = cpu::fiq_save_and_disable();
    let result = f();
    cpu::fiq_restore(saved);
    result
}

struct State {
    scheduler: Scheduler<TASK_COUNT>,
    /// The deadline channel 3 is programmed for (`u64::MAX`: none).
    programmed: u64,
    /// Statistics handed out through the mailbox.
    mailbox: Option<TaskSnapshot>,
}

static STATE: FiqOwned<State> = FiqOwned::new(State {
    scheduler: match Scheduler::new(&TASKS) {
        Ok(scheduler) => scheduler,
        Err(error) => panic!("{}", error.message()),
    },
    programmed: u64::MAX,
    mailbox: None,
});

/// Requests from Python to the FIQ (single producer: the Python context).
static REQUESTS: Channel<32> = Channel::new();
/// Event tasks to release, one bit per task (Python and interrupt handlers set bits).
static PENDING_EVENTS: AtomicU32 = AtomicU32::new(0);
/// Statistics wanted: task index + 1, 0 when the mailbox is free.
static MAILBOX_REQUEST: AtomicU32 = AtomicU32::new(0);
/// FIQs taken.
static FIQ_COUNT: AtomicU32 = AtomicU32::new(0);
/// The longest FIQ handler run, in µs (the longest window in which FIQs are masked).
static LONGEST_FIQ_US: AtomicU32 = AtomicU32::new(0);

/// Request words: operation in bits 31..28, task in 27..24, argument in 23..0.
mod request {
    pub const START: u32 = 1;
    pub const STOP: u32 = 2;
    pub const SET_PERIOD: u32 = 3;
    pub const RESET_STATISTICS: u32 = 4;
    pub const ARGUMENT_MASK: u32 = 0x00ff_ffff;
}

/// How far ahead a kick puts the release alarm.
const KICK_LEAD_US: u64 = 2;

const _: () = assert!(TASK_COUNT <= 16, "request words hold a 4-bit task index");
const _: () = {
    let mut index = 0;
    while index < TASK_COUNT {
        if let rtsched::TaskKind::Periodic { max_period_us, .. } = TASKS[index].kind {
            assert!(
                max_period_us <= request::ARGUMENT_MASK as u64,
                "a period must fit the 24-bit request argument"
            );
        }
        index += 1;
    }
};

/// Routes the release alarm to the FIQ and enables FIQs (at boot, IRQs masked).
pub fn init() {
    // The alarm's source is routed before FIQs are unmasked; nothing is programmed until a task
    // starts, and a match of the reset value only runs an empty scheduler pass.
    let _ = crate::interrupts::route_to_fiq(memory::irq::SYSTEM_TIMER_3);
    cpu::enable_fiqs();
}

/// The FIQ: runs every released task, then programs the next release.
pub fn on_fiq() {
    let entered = time::now_micros();
    time::acknowledge_release_alarm();
    FIQ_COUNT.fetch_add(1, Ordering::Relaxed);
    // SAFETY: FIQ mode: FIQs are masked and nothing else holds a reference to the state.
    let state = unsafe { STATE.get() };
    apply_requests(state, entered);
    loop {
        let now = time::now_micros();
        while let Some(release) = state.scheduler.take_ready(now) {
            run(state, release);
        }
        match state.scheduler.next_wakeup() {
            Some(next) if next <= time::now_micros() => continue,
            Some(next) => {
                arm(state, next);
                break;
            }
            None => {
                state.programmed = u64::MAX;
                break;
            }
        }
    }
    let wanted = MAILBOX_REQUEST.load(Ordering::Acquire);
    if wanted != 0 {
        state.mailbox = state.scheduler.snapshot(wanted as usize - 1);
        MAILBOX_REQUEST.store(0, Ordering::Release);
    }
    let duration = time::now_micros().saturating_sub(entered) as u32;
    LONGEST_FIQ_US.fetch_max(duration, Ordering::Relaxed);
}

fn run(state: &mut State, release: Release) {
    let start = time::now_micros();
    let _ = state
        .scheduler
        .record_start(release.task, release.release_time_us, start);
    if let Some(body) = config::BODIES.get(release.task) {
        body(&Context {
            task: release.task,
            release_time_us: release.release_time_us,
            start_time_us: start,
        });
    }
    let _ =
        state
            .scheduler
            .record_finish(release.task, release.release_time_us, time::now_micros());
}

fn apply_requests(state: &mut State, now: u64) {
    while let Some(word) = REQUESTS.try_pop() {
        let task = (word >> 24 & 0xf) as usize;
        let argument = u64::from(word & request::ARGUMENT_MASK);
        let scheduler = &mut state.scheduler;
        let _ = match word >> 28 {
            request::START => scheduler.start(task, now),
            request::STOP => scheduler.stop(task),
            request::SET_PERIOD => scheduler.set_period(task, argument),
            request::RESET_STATISTICS => scheduler.reset_statistics(task),
            _ => Ok(()),
        };
    }
    let mut events = PENDING_EVENTS.swap(0, Ordering::AcqRel);
    while events != 0 {
        let task = events.trailing_zeros() as usize;
        events &= events - 1;
        let _ = state.scheduler.release_event(task, now);
    }
}

/// Programs channel 3 for `deadline`, or a little ahead if that has already passed (a compare
/// value in the past would only match after the counter wraps).
fn arm(state: &mut State, deadline: u64) {
    let mut target = deadline;
    let mut lead = KICK_LEAD_US;
    loop {
        time::program_release_alarm(target);
        if time::now_micros() < target || time::release_alarm_matched() {
            break;
        }
        target = time::now_micros() + lead;
        lead *= 2;
    }
    state.programmed = target;
}

/// Makes the FIQ run within a few microseconds (unless a release is due even sooner).
fn kick() {
    with_fiqs_masked(|| {
        // SAFETY: FIQs are masked for the whole closure; no other reference is alive.
        let state = unsafe { STATE.get() };
        let soon = time::now_micros() + KICK_LEAD_US;
        if state.programmed > soon {
            arm(state, soon);
        }
    });
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// No task has that name.
    NoSuchTask,
    /// A periodic-only request for an event task, or the other way round.
    WrongKind,
    /// The period lies outside the task's configured bounds (which are given).
    PeriodOutOfRange {
        /// Smallest allowed period.
        minimum_us: u64,
        /// Largest allowed period.
        maximum_us: u64,
    },
    /// The request queue is full (the FIQ is not running?).
    Busy,
}

/// The index of the task called `name`.
pub fn task_index(name: &str) -> Option<usize> {
    TASKS.iter().position(|task| task.name == name)
}

fn send(operation: u32, task: usize, argument: u32) -> Result<(), Error> {
    let word = operation << 28 | (task as u32) << 24 | (argument & request::ARGUMENT_MASK);
    REQUESTS.try_push(word).map_err(|_| Error::Busy)?;
    kick();
    Ok(())
}

/// Starts a task (its set-up runs first, here in the Python context).
pub fn start(task: usize) -> Result<(), Error> {
    if task >= TASK_COUNT {
        return Err(Error::NoSuchTask);
    }
    if let Some(Some(setup)) = config::SETUP.get(task) {
        setup();
    }
    send(request::START, task, 0)
}

/// Stops a task.
pub fn stop(task: usize) -> Result<(), Error> {
    if task >= TASK_COUNT {
        return Err(Error::NoSuchTask);
    }
    send(request::STOP, task, 0)
}

/// Sets a periodic task's period, within its configured bounds.
pub fn set_period(task: usize, period_us: u64) -> Result<(), Error> {
    let config = TASKS.get(task).ok_or(Error::NoSuchTask)?;
    let rtsched::TaskKind::Periodic {
        min_period_us,
        max_period_us,
        ..
    } = config.kind
    else {
        return Err(Error::WrongKind);
    };
    if !(min_period_us..=max_period_us).contains(&period_us) {
        return Err(Error::PeriodOutOfRange {
            minimum_us: min_period_us,
            maximum_us: max_period_us,
        });
    }
    send(request::SET_PERIOD, task, period_us as u32)
}

/// Clears a task's statistics and counters.
pub fn reset_statistics(task: usize) -> Result<(), Error> {
    if task >= TASK_COUNT {
        return Err(Error::NoSuchTask);
    }
    send(request::RESET_STATISTICS, task, 0)
}

/// Releases an event task (from Python or from an interrupt handler).
pub fn release(task: usize) -> Result<(), Error> {
    let config = TASKS.get(task).ok_or(Error::NoSuchTask)?;
    if config.is_periodic() {
        return Err(Error::WrongKind);
    }
    PENDING_EVENTS.fetch_or(1 << task, Ordering::AcqRel);
    kick();
    Ok(())
}

/// A task's state and statistics, fetched from the FIQ through the mailbox.
pub fn snapshot(task: usize) -> Option<TaskSnapshot> {
    if task >= TASK_COUNT {
        return None;
    }
    if MAILBOX_REQUEST
        .compare_exchange(0, task as u32 + 1, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return None;
    }
    kick();
    // The FIQ answers within microseconds; give up after 100 ms (it would be a kernel bug).
    let deadline = time::now_micros() + 100_000;
    while MAILBOX_REQUEST.load(Ordering::Acquire) != 0 {
        if time::now_micros() > deadline {
            let _ = MAILBOX_REQUEST.compare_exchange(
                task as u32 + 1,
                0,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
            return None;
        }
        core::hint::spin_loop();
    }
    with_fiqs_masked(|| {
        // SAFETY: FIQs are masked; the FIQ wrote the mailbox before releasing the request.
        unsafe { STATE.get() }.mailbox.take()
    })
}

/// Kernel-wide figures of the real-time part: FIQs taken and the longest FIQ handler run (µs).
pub fn figures() -> (u32, u32) {
    (
        FIQ_COUNT.load(Ordering::Relaxed),
        LONGEST_FIQ_US.load(Ordering::Relaxed),
    )
}

/// Forgets the longest FIQ run measured so far.
pub fn reset_figures() {
    LONGEST_FIQ_US.store(0, Ordering::Relaxed);
}
