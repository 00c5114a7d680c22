//! Real-time scheduler bookkeeping, SPSC channels and latency statistics for PiPyOS.
//!
//! The crate decides *which* task runs and keeps score; the kernel owns the timer, the
//! interrupt handlers and the task code. Time is `u64` microseconds of the free-running 1 MHz
//! system timer. Nothing allocates, nothing panics, every call is O(number of tasks), so all
//! of it may run inside an IRQ or FIQ handler.
//!
//! - [`config`]: the static task table ([`TaskConfig`]) and its `const` [`validate`].
//! - [`scheduler`]: [`Scheduler`], releases in priority order, deadline misses, overruns.
//! - [`statistics`]: [`LatencyStatistics`], release-to-start latency with a histogram.
//! - [`channel`]: [`Channel`], a lock-free single-producer single-consumer queue of `u32`.
//! - [`deadlines`]: [`deadlines::DeadlineQueue`], one-shot and periodic timer deadlines.
//!
//! A timer interrupt handler drives the scheduler like this:
//!
//! ```
//! use rtsched::{Scheduler, TaskConfig};
//!
//! static TASKS: [TaskConfig; 2] = [
//!     TaskConfig::periodic("control", 10, 1_000),
//!     TaskConfig::event("button", 20, 200),
//! ];
//! let mut scheduler = match Scheduler::new(&TASKS) {
//!     Ok(scheduler) => scheduler,
//!     Err(error) => panic!("{error}"),
//! };
//! let mut clock = 0u64; // stands for the system timer
//! scheduler.start(0, clock).unwrap();
//! scheduler.start(1, clock).unwrap();
//! scheduler.release_event(1, clock).unwrap(); // e.g. from the GPIO interrupt
//!
//! // In the timer interrupt:
//! let mut order = Vec::new();
//! while let Some(release) = scheduler.take_ready(clock) {
//!     scheduler.record_start(release.task, release.release_time_us, clock).unwrap();
//!     order.push(release.task); // run the task here
//!     clock += 50;
//!     scheduler.record_finish(release.task, release.release_time_us, clock).unwrap();
//! }
//! assert_eq!(order, [1, 0]); // the button task has the higher priority
//! assert_eq!(scheduler.next_wakeup(), Some(1_000)); // program the compare register
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod channel;
pub mod config;
pub mod deadlines;
pub mod scheduler;
pub mod statistics;

pub use channel::{Channel, Full};
pub use config::{
    validate, ConfigError, ConfigField, ConfigProblem, TaskConfig, TaskKind, MAX_TASKS,
};
pub use scheduler::{Completion, Error, Release, Scheduler, TaskCounters, TaskSnapshot};
pub use statistics::{
    bucket_bounds, bucket_index, LatencyStatistics, HISTOGRAM_BUCKETS, OVERFLOW_BUCKET,
    OVERFLOW_LIMIT_US,
};
