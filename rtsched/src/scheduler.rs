//! The scheduler: task states, releases in priority order, deadlines, overruns and statistics.

use core::fmt;

use crate::config::{validate, ConfigError, TaskConfig, TaskKind};
use crate::statistics::LatencyStatistics;

/// Why a scheduler call was refused; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The task index is not in the table.
    NoSuchTask,
    /// [`Scheduler::start`] on a task that is already running.
    AlreadyRunning,
    /// [`Scheduler::release_event`] on a stopped task.
    NotRunning,
    /// A periodic-only call on an event task.
    NotPeriodic,
    /// An event-only call on a periodic task.
    NotEvent,
    /// [`Scheduler::set_period`] outside the task's `min_period_us..=max_period_us`.
    PeriodOutOfRange,
    /// The first release time does not fit in a `u64`.
    TimeOverflow,
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::NoSuchTask => "no such task",
            Self::AlreadyRunning => "task is already running",
            Self::NotRunning => "task is not running",
            Self::NotPeriodic => "task is not periodic",
            Self::NotEvent => "task is not an event task",
            Self::PeriodOutOfRange => "period outside the task's configured bounds",
            Self::TimeOverflow => "release time overflows",
        })
    }
}

/// One released instance handed out by [`Scheduler::take_ready`]: run task `task` now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// Index of the task in the table.
    pub task: usize,
    /// When the instance was released, in microseconds; pass it back to
    /// [`Scheduler::record_start`] and [`Scheduler::record_finish`].
    pub release_time_us: u64,
    /// Absolute time by which the instance must finish, in microseconds.
    pub deadline_time_us: u64,
    /// Periodic releases skipped because the handler came late by one or more whole periods
    /// (already counted as deadline misses); always 0 for event tasks.
    pub skipped_releases: u64,
}

/// What [`Scheduler::record_finish`] concluded about a finished instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// Finish time minus release time, in microseconds.
    pub response_time_us: u64,
    /// The instance finished after its deadline.
    pub deadline_missed: bool,
    /// The instance finished after the task's next release.
    pub overran: bool,
}

/// Event counts of one task since the last statistics reset (each saturates at `u64::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskCounters {
    /// Releases, including skipped and coalesced ones.
    pub releases: u64,
    /// Calls to [`Scheduler::record_finish`].
    pub completions: u64,
    /// Instances that finished after their deadline, plus releases that never ran (skipped
    /// periodic releases, coalesced event releases).
    pub deadline_misses: u64,
    /// Releases that came before the previous instance had finished.
    pub overruns: u64,
    /// Releases that never ran: periodic releases skipped by a late handler and event releases
    /// merged into one still pending. Each is also counted in `deadline_misses`.
    pub skipped_releases: u64,
}

/// A copy of everything known about one task, cheap to hand to Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSnapshot {
    /// Index of the task in the table.
    pub task: usize,
    /// The task's static configuration.
    pub config: TaskConfig,
    /// Whether the task is started.
    pub running: bool,
    /// Current period for periodic tasks, `None` for event tasks.
    pub period_us: Option<u64>,
    /// Periodic tasks: the next release not yet handed out. Event tasks: the pending release.
    pub next_release_us: Option<u64>,
    /// Largest finish-minus-release time seen, 0 until an instance finished.
    pub max_response_us: u64,
    /// Event counts.
    pub counters: TaskCounters,
    /// Release-to-start latencies.
    pub latency: LatencyStatistics,
}

/// An instance handed out by `take_ready` and not finished yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Instance {
    /// Its release time.
    release_time_us: u64,
    /// Its absolute deadline.
    deadline_time_us: u64,
    /// The task's release that followed it (periodic tasks only); finishing later is an
    /// overrun.
    following_release_us: Option<u64>,
}

/// The run-time state of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TaskState {
    /// Started and not stopped.
    running: bool,
    /// Current period (periodic tasks; 0 for event tasks).
    period_us: u64,
    /// Periodic: next release not yet handed out. Event: the pending release.
    next_release_us: Option<u64>,
    /// The last instance handed out, until it is recorded as finished.
    unfinished: Option<Instance>,
    /// Largest finish-minus-release time seen.
    max_response_us: u64,
    /// Event counts.
    counters: TaskCounters,
    /// Release-to-start latencies.
    latency: LatencyStatistics,
}

impl TaskState {
    /// A task that was never started.
    const STOPPED: Self = Self {
        running: false,
        period_us: 0,
        next_release_us: None,
        unfinished: None,
        max_response_us: 0,
        counters: TaskCounters {
            releases: 0,
            completions: 0,
            deadline_misses: 0,
            overruns: 0,
            skipped_releases: 0,
        },
        latency: LatencyStatistics::new(),
    };

    /// Adds `count` to the deadline misses and the skipped releases.
    fn count_skipped(&mut self, count: u64) {
        let counters = &mut self.counters;
        counters.deadline_misses = counters.deadline_misses.saturating_add(count);
        counters.skipped_releases = counters.skipped_releases.saturating_add(count);
    }

    /// Adds one overrun.
    fn count_overrun(&mut self) {
        self.counters.overruns = self.counters.overruns.saturating_add(1);
    }
}

/// Release bookkeeping for a fixed table of `TASKS` tasks; no allocation, no panics.
///
/// Every method does O(`TASKS`) work at most, so it can be called from an interrupt handler.
/// Methods take `&mut self`: when several contexts use one scheduler (the timer interrupt,
/// another interrupt releasing events, Python), the kernel must run each call with interrupts
/// masked, e.g. in a critical-section mutex.
#[derive(Debug, Clone)]
pub struct Scheduler<const TASKS: usize> {
    /// The static task table.
    configs: &'static [TaskConfig; TASKS],
    /// One state per task, same order as `configs`.
    tasks: [TaskState; TASKS],
}

impl<const TASKS: usize> Scheduler<TASKS> {
    /// A scheduler for `configs` with every task stopped, or the first problem of the table
    /// (see [`validate`]). `const`, so the kernel can build it in a `static` initializer.
    pub const fn new(configs: &'static [TaskConfig; TASKS]) -> Result<Self, ConfigError> {
        if let Err(error) = validate(configs) {
            return Err(error);
        }
        let mut tasks = [TaskState::STOPPED; TASKS];
        let mut index = 0;
        while index < TASKS {
            if let TaskKind::Periodic { period_us, .. } = configs[index].kind {
                tasks[index].period_us = period_us;
            }
            index += 1;
        }
        Ok(Self { configs, tasks })
    }

    /// The task table.
    pub const fn configs(&self) -> &'static [TaskConfig; TASKS] {
        self.configs
    }

    /// Number of tasks.
    pub const fn len(&self) -> usize {
        TASKS
    }

    /// Whether the table is empty.
    pub const fn is_empty(&self) -> bool {
        TASKS == 0
    }

    /// Index of the task called `name`.
    pub fn task_index(&self, name: &str) -> Option<usize> {
        self.configs.iter().position(|config| config.name == name)
    }

    /// The configuration and state of task `task`.
    fn parts(&mut self, task: usize) -> Result<(&'static TaskConfig, &mut TaskState), Error> {
        let configs: &'static [TaskConfig; TASKS] = self.configs;
        match (configs.get(task), self.tasks.get_mut(task)) {
            (Some(config), Some(state)) => Ok((config, state)),
            _ => Err(Error::NoSuchTask),
        }
    }

    /// Starts task `task` at time `now_us`. A periodic task is first released at
    /// `now_us + phase_us`, then every period; an event task accepts releases from now on.
    /// The current period (possibly changed by [`Scheduler::set_period`]) is kept.
    pub fn start(&mut self, task: usize, now_us: u64) -> Result<(), Error> {
        let (config, state) = self.parts(task)?;
        if state.running {
            return Err(Error::AlreadyRunning);
        }
        state.next_release_us = match config.kind {
            TaskKind::Periodic { phase_us, .. } => {
                Some(now_us.checked_add(phase_us).ok_or(Error::TimeOverflow)?)
            }
            TaskKind::Event { .. } => None,
        };
        state.running = true;
        Ok(())
    }

    /// Stops task `task`: no further releases, and a pending event release is discarded. An
    /// instance already handed out may still be recorded. Stopping a stopped task does nothing.
    pub fn stop(&mut self, task: usize) -> Result<(), Error> {
        let (_, state) = self.parts(task)?;
        state.running = false;
        state.next_release_us = None;
        Ok(())
    }

    /// Whether task `task` is running (`false` for an unknown index).
    pub fn is_running(&self, task: usize) -> bool {
        self.tasks.get(task).is_some_and(|state| state.running)
    }

    /// Sets the period of periodic task `task`, within its configured bounds.
    ///
    /// The release already scheduled keeps its time; the releases after it are spaced by the
    /// new period, exactly (`next + k * period_us`, no drift). The deadline used from then on
    /// is the smaller of the configured deadline and the new period.
    pub fn set_period(&mut self, task: usize, period_us: u64) -> Result<(), Error> {
        let (config, state) = self.parts(task)?;
        match config.kind {
            TaskKind::Periodic {
                min_period_us,
                max_period_us,
                ..
            } => {
                if period_us == 0 || period_us < min_period_us || period_us > max_period_us {
                    return Err(Error::PeriodOutOfRange);
                }
                state.period_us = period_us;
                Ok(())
            }
            TaskKind::Event { .. } => Err(Error::NotPeriodic),
        }
    }

    /// The current period of periodic task `task`.
    pub fn period_us(&self, task: usize) -> Option<u64> {
        let config = self.configs.get(task)?;
        let state = self.tasks.get(task)?;
        config.is_periodic().then_some(state.period_us)
    }

    /// Releases event task `task` at time `now_us` (from an interrupt handler or from Python).
    ///
    /// If a release is already pending, the new one is merged into it (the pending one keeps
    /// its earlier time) and counted as an overrun, a deadline miss and a skipped release. If
    /// the previous instance was handed out but not finished, the release is counted as an
    /// overrun.
    pub fn release_event(&mut self, task: usize, now_us: u64) -> Result<(), Error> {
        let (config, state) = self.parts(task)?;
        if config.is_periodic() {
            return Err(Error::NotEvent);
        }
        if !state.running {
            return Err(Error::NotRunning);
        }
        state.counters.releases = state.counters.releases.saturating_add(1);
        if state.next_release_us.is_some() {
            state.count_overrun();
            state.count_skipped(1);
        } else {
            if state.unfinished.is_some() {
                state.count_overrun();
            }
            state.next_release_us = Some(now_us);
        }
        Ok(())
    }

    /// Hands out the released instance of highest priority (ties: lowest index) at time
    /// `now_us`, or `None` if no task is released.
    ///
    /// Call it in a loop with a fresh `now_us` until it returns `None`. A periodic task
    /// released at `r` is next released at `r + period`; if `now_us` is one or more whole
    /// periods past its release, the newest release not after `now_us` is handed out and the
    /// older ones are counted as skipped deadline misses ([`Release::skipped_releases`]). If the
    /// previous instance of the task was not recorded as finished, a periodic release also
    /// counts an overrun.
    pub fn take_ready(&mut self, now_us: u64) -> Option<Release> {
        self.take(now_us, None)
    }

    /// Like [`Scheduler::take_ready`], but only considers tasks whose priority is strictly
    /// above `priority`: for a preempting handler that runs while a task of that priority is
    /// in progress.
    pub fn take_ready_above(&mut self, now_us: u64, priority: u8) -> Option<Release> {
        self.take(now_us, Some(priority))
    }

    /// The selection and hand-out behind `take_ready` and `take_ready_above`.
    fn take(&mut self, now_us: u64, above: Option<u8>) -> Option<Release> {
        let mut best: Option<(usize, u8)> = None;
        for (index, (config, state)) in self.configs.iter().zip(self.tasks.iter()).enumerate() {
            if !state.running || above.is_some_and(|floor| config.priority <= floor) {
                continue;
            }
            let released = match (config.kind, state.next_release_us) {
                (TaskKind::Periodic { .. }, Some(release_us)) => release_us <= now_us,
                (TaskKind::Event { .. }, Some(_)) => true,
                (_, None) => false,
            };
            if released && best.is_none_or(|(_, priority)| config.priority > priority) {
                best = Some((index, config.priority));
            }
        }
        let (task, _) = best?;
        let (config, state) = self.parts(task).ok()?;
        let release = match config.kind {
            TaskKind::Periodic { deadline_us, .. } => {
                let first_us = state.next_release_us?;
                let period_us = state.period_us;
                let late_us = now_us.saturating_sub(first_us);
                let skipped = if late_us < period_us {
                    0
                } else {
                    late_us.checked_div(period_us).unwrap_or(0)
                };
                let release_time_us = first_us.saturating_add(skipped.saturating_mul(period_us));
                let following_release_us = release_time_us.checked_add(period_us);
                state.next_release_us = following_release_us;
                state.counters.releases = state
                    .counters
                    .releases
                    .saturating_add(skipped.saturating_add(1));
                state.count_skipped(skipped);
                if state.unfinished.is_some() {
                    state.count_overrun();
                }
                Release {
                    task,
                    release_time_us,
                    deadline_time_us: release_time_us.saturating_add(deadline_us.min(period_us)),
                    skipped_releases: skipped,
                }
            }
            TaskKind::Event { deadline_us } => {
                let release_time_us = state.next_release_us.take()?;
                Release {
                    task,
                    release_time_us,
                    deadline_time_us: release_time_us.saturating_add(deadline_us),
                    skipped_releases: 0,
                }
            }
        };
        state.unfinished = Some(Instance {
            release_time_us: release.release_time_us,
            deadline_time_us: release.deadline_time_us,
            following_release_us: if config.is_periodic() {
                state.next_release_us
            } else {
                None
            },
        });
        Some(release)
    }

    /// The earliest release not yet handed out among running periodic tasks: the time to
    /// program into the timer compare register. It can be at or before the current time when a
    /// release is already due; then call [`Scheduler::take_ready`] again instead of waiting.
    /// Pending event releases are not included (they are due at once).
    pub fn next_wakeup(&self) -> Option<u64> {
        self.configs
            .iter()
            .zip(self.tasks.iter())
            .filter(|(config, state)| state.running && config.is_periodic())
            .filter_map(|(_, state)| state.next_release_us)
            .min()
    }

    /// The pending release of an event task or the next release of a periodic task.
    pub fn next_release_us(&self, task: usize) -> Option<u64> {
        self.tasks.get(task)?.next_release_us
    }

    /// Records that the instance of task `task` released at `release_time_us` started running
    /// at `start_time_us`: adds `start_time_us - release_time_us` (0 if negative) to the
    /// latency statistics.
    pub fn record_start(
        &mut self,
        task: usize,
        release_time_us: u64,
        start_time_us: u64,
    ) -> Result<(), Error> {
        let (_, state) = self.parts(task)?;
        state
            .latency
            .record(start_time_us.saturating_sub(release_time_us));
        Ok(())
    }

    /// Records that the instance of task `task` released at `release_time_us` finished at
    /// `finish_time_us`; counts a completion, a deadline miss if it finished after its
    /// deadline, and an overrun if it finished after the task's next release.
    ///
    /// For the instance last handed out by `take_ready`, the deadline and next release are
    /// those computed then. For any other release time (an older instance, or one the kernel
    /// made up), the current deadline is used and no overrun is counted: an older instance's
    /// overrun was already counted when the newer one was handed out.
    pub fn record_finish(
        &mut self,
        task: usize,
        release_time_us: u64,
        finish_time_us: u64,
    ) -> Result<Completion, Error> {
        let (config, state) = self.parts(task)?;
        let response_time_us = finish_time_us.saturating_sub(release_time_us);
        state.counters.completions = state.counters.completions.saturating_add(1);
        state.max_response_us = state.max_response_us.max(response_time_us);
        let (deadline_time_us, overran) = match state.unfinished {
            Some(instance) if instance.release_time_us == release_time_us => {
                state.unfinished = None;
                (
                    instance.deadline_time_us,
                    instance
                        .following_release_us
                        .is_some_and(|following_us| finish_time_us > following_us),
                )
            }
            _ => {
                let deadline_us = match config.kind {
                    TaskKind::Periodic { deadline_us, .. } => deadline_us.min(state.period_us),
                    TaskKind::Event { deadline_us } => deadline_us,
                };
                (release_time_us.saturating_add(deadline_us), false)
            }
        };
        let deadline_missed = finish_time_us > deadline_time_us;
        if deadline_missed {
            state.counters.deadline_misses = state.counters.deadline_misses.saturating_add(1);
        }
        if overran {
            state.count_overrun();
        }
        Ok(Completion {
            response_time_us,
            deadline_missed,
            overran,
        })
    }

    /// Event counts of task `task`.
    pub fn counters(&self, task: usize) -> Option<TaskCounters> {
        Some(self.tasks.get(task)?.counters)
    }

    /// Release-to-start latency statistics of task `task`.
    pub fn latency(&self, task: usize) -> Option<&LatencyStatistics> {
        Some(&self.tasks.get(task)?.latency)
    }

    /// A copy of everything known about task `task`.
    pub fn snapshot(&self, task: usize) -> Option<TaskSnapshot> {
        let config = *self.configs.get(task)?;
        let state = self.tasks.get(task)?;
        Some(TaskSnapshot {
            task,
            config,
            running: state.running,
            period_us: config.is_periodic().then_some(state.period_us),
            next_release_us: state.next_release_us,
            max_response_us: state.max_response_us,
            counters: state.counters,
            latency: state.latency,
        })
    }

    /// Clears the counters, latency statistics and largest response time of task `task`;
    /// scheduling state is kept.
    pub fn reset_statistics(&mut self, task: usize) -> Result<(), Error> {
        let (_, state) = self.parts(task)?;
        state.counters = TaskCounters::default();
        state.latency.reset();
        state.max_response_us = 0;
        Ok(())
    }

    /// [`Scheduler::reset_statistics`] for every task.
    pub fn reset_all_statistics(&mut self) {
        for state in &mut self.tasks {
            state.counters = TaskCounters::default();
            state.latency.reset();
            state.max_response_us = 0;
        }
    }
}
