//! The static task table: task descriptions and their compile-time validation.

use core::fmt;

/// Largest number of tasks one table may hold.
///
/// Every scheduler call scans the whole table once, so this bounds the work done inside an
/// interrupt handler.
pub const MAX_TASKS: usize = 32;

/// One real-time task as written in the kernel's static table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskConfig {
    /// Unique, non-empty name, used to find the task from Python.
    pub name: &'static str,
    /// Higher values run first; equal priorities run in table order.
    pub priority: u8,
    /// How the task is released.
    pub kind: TaskKind,
}

/// How a task is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// Released by the clock every `period_us` microseconds.
    Periodic {
        /// Initial time between two releases, in microseconds.
        period_us: u64,
        /// Delay from the start of the task to its first release, in microseconds.
        phase_us: u64,
        /// Time allowed from a release to the finish of that instance, in microseconds.
        ///
        /// At run time the deadline used is the smaller of this and the current period.
        deadline_us: u64,
        /// Smallest period that the task may be given at run time, in microseconds.
        min_period_us: u64,
        /// Largest period that the task may be given at run time, in microseconds.
        max_period_us: u64,
    },
    /// Released by an explicit call (from an interrupt handler or from Python).
    Event {
        /// Time allowed from a release to the finish of that instance, in microseconds.
        deadline_us: u64,
    },
}

impl TaskConfig {
    /// A periodic task whose period can not change, with a zero phase and a deadline equal to
    /// its period.
    pub const fn periodic(name: &'static str, priority: u8, period_us: u64) -> Self {
        Self {
            name,
            priority,
            kind: TaskKind::Periodic {
                period_us,
                phase_us: 0,
                deadline_us: period_us,
                min_period_us: period_us,
                max_period_us: period_us,
            },
        }
    }

    /// An event task with the given relative deadline.
    pub const fn event(name: &'static str, priority: u8, deadline_us: u64) -> Self {
        Self {
            name,
            priority,
            kind: TaskKind::Event { deadline_us },
        }
    }

    /// Whether the task is released by the clock.
    pub const fn is_periodic(&self) -> bool {
        matches!(self.kind, TaskKind::Periodic { .. })
    }

    /// The configured relative deadline, in microseconds.
    pub const fn deadline_us(&self) -> u64 {
        match self.kind {
            TaskKind::Periodic { deadline_us, .. } | TaskKind::Event { deadline_us } => deadline_us,
        }
    }
}

/// The field of a task that failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigField {
    /// `name`.
    Name,
    /// `period_us`.
    Period,
    /// `deadline_us`.
    Deadline,
    /// `min_period_us`.
    MinimumPeriod,
}

impl ConfigField {
    /// The field's name as written in [`TaskConfig`] and [`TaskKind`].
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Period => "period_us",
            Self::Deadline => "deadline_us",
            Self::MinimumPeriod => "min_period_us",
        }
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigProblem {
    /// The name is the empty string.
    Empty,
    /// The name was already used by the task at index `first`.
    Duplicate {
        /// Index of the earlier task with the same name.
        first: usize,
    },
    /// The value is zero.
    Zero,
    /// The period is smaller than `min_period_us`.
    BelowMinimum,
    /// The period is larger than `max_period_us`.
    AboveMaximum,
    /// The deadline is larger than the period.
    AbovePeriod,
}

/// Why a task table was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// The table holds more than [`MAX_TASKS`] tasks.
    TooManyTasks {
        /// Number of tasks in the table.
        count: usize,
        /// The largest number allowed.
        limit: usize,
    },
    /// One task has a bad field.
    InvalidTask {
        /// Index of the task in the table.
        task: usize,
        /// Name of the task.
        name: &'static str,
        /// The bad field.
        field: ConfigField,
        /// What is wrong with it.
        problem: ConfigProblem,
    },
}

impl ConfigError {
    /// A fixed sentence describing the problem (without the task's name), usable in a `const`
    /// assertion: `panic!("{}", error.message())`.
    pub const fn message(&self) -> &'static str {
        match self {
            Self::TooManyTasks { .. } => "task table: more tasks than rtsched::MAX_TASKS",
            Self::InvalidTask { field, problem, .. } => match (field, problem) {
                (ConfigField::Name, ConfigProblem::Empty) => "task table: a task name is empty",
                (ConfigField::Name, _) => "task table: two tasks have the same name",
                (ConfigField::Period, ConfigProblem::Zero) => "task table: a period_us is zero",
                (ConfigField::Period, ConfigProblem::BelowMinimum) => {
                    "task table: a period_us is below its min_period_us"
                }
                (ConfigField::Period, _) => "task table: a period_us is above its max_period_us",
                (ConfigField::MinimumPeriod, _) => "task table: a min_period_us is zero",
                (ConfigField::Deadline, ConfigProblem::Zero) => "task table: a deadline_us is zero",
                (ConfigField::Deadline, _) => "task table: a deadline_us is above its period_us",
            },
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyTasks { count, limit } => {
                write!(
                    formatter,
                    "{count} tasks in the table, at most {limit} allowed"
                )
            }
            Self::InvalidTask {
                task,
                name,
                field,
                problem,
            } => {
                write!(formatter, "task {task} ({name:?}): {} ", field.as_str())?;
                match problem {
                    ConfigProblem::Empty => write!(formatter, "is empty"),
                    ConfigProblem::Duplicate { first } => {
                        write!(formatter, "is already used by task {first}")
                    }
                    ConfigProblem::Zero => write!(formatter, "is zero"),
                    ConfigProblem::BelowMinimum => write!(formatter, "is below min_period_us"),
                    ConfigProblem::AboveMaximum => write!(formatter, "is above max_period_us"),
                    ConfigProblem::AbovePeriod => write!(formatter, "is above period_us"),
                }
            }
        }
    }
}

/// Checks a task table; usable in a `const` item so that a bad table fails the build.
///
/// The first problem found is returned, tasks in table order, and inside one task in this
/// order: name, `period_us`, `min_period_us`, the period's bounds, `deadline_us`. Name
/// duplicates are found with a quadratic scan, which is fine for at most [`MAX_TASKS`] tasks
/// checked once.
///
/// ```
/// use rtsched::{validate, TaskConfig};
///
/// const TASKS: [TaskConfig; 2] = [
///     TaskConfig::periodic("control", 10, 1_000),
///     TaskConfig::event("button", 5, 500),
/// ];
/// const _: () = match validate(&TASKS) {
///     Ok(()) => (),
///     Err(error) => panic!("{}", error.message()),
/// };
/// ```
pub const fn validate(configs: &[TaskConfig]) -> Result<(), ConfigError> {
    if configs.len() > MAX_TASKS {
        return Err(ConfigError::TooManyTasks {
            count: configs.len(),
            limit: MAX_TASKS,
        });
    }
    let mut task = 0;
    while task < configs.len() {
        if let Err(error) = validate_task(configs, task) {
            return Err(error);
        }
        task += 1;
    }
    Ok(())
}

/// Checks the task at index `task` of `configs` (which must be in range).
const fn validate_task(configs: &[TaskConfig], task: usize) -> Result<(), ConfigError> {
    let config = &configs[task];
    let name = config.name;
    if config.name.is_empty() {
        return Err(invalid(task, name, ConfigField::Name, ConfigProblem::Empty));
    }
    let mut earlier = 0;
    while earlier < task {
        if same_text(configs[earlier].name, config.name) {
            return Err(invalid(
                task,
                name,
                ConfigField::Name,
                ConfigProblem::Duplicate { first: earlier },
            ));
        }
        earlier += 1;
    }
    match config.kind {
        TaskKind::Periodic {
            period_us,
            deadline_us,
            min_period_us,
            max_period_us,
            ..
        } => {
            if period_us == 0 {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::Period,
                    ConfigProblem::Zero,
                ));
            }
            if min_period_us == 0 {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::MinimumPeriod,
                    ConfigProblem::Zero,
                ));
            }
            if period_us < min_period_us {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::Period,
                    ConfigProblem::BelowMinimum,
                ));
            }
            if period_us > max_period_us {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::Period,
                    ConfigProblem::AboveMaximum,
                ));
            }
            if deadline_us == 0 {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::Deadline,
                    ConfigProblem::Zero,
                ));
            }
            if deadline_us > period_us {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::Deadline,
                    ConfigProblem::AbovePeriod,
                ));
            }
        }
        TaskKind::Event { deadline_us } => {
            if deadline_us == 0 {
                return Err(invalid(
                    task,
                    name,
                    ConfigField::Deadline,
                    ConfigProblem::Zero,
                ));
            }
        }
    }
    Ok(())
}

/// The error for field `field` of task `task`.
const fn invalid(
    task: usize,
    name: &'static str,
    field: ConfigField,
    problem: ConfigProblem,
) -> ConfigError {
    ConfigError::InvalidTask {
        task,
        name,
        field,
        problem,
    }
}

/// Byte-wise string equality that works in a `const fn`.
const fn same_text(left: &str, right: &str) -> bool {
    let left = left.as_bytes();
    let right = right.as_bytes();
    if left.len() != right.len() {
        return false;
    }
    let mut index = 0;
    while index < left.len() {
        if left[index] != right[index] {
            return false;
        }
        index += 1;
    }
    true
}
