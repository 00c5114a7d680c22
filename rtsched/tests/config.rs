//! Host tests for task table validation: every error, its task, field and message.

use rtsched::{
    validate, ConfigError, ConfigField, ConfigProblem, Scheduler, TaskConfig, TaskKind, MAX_TASKS,
};

/// A periodic task with every field given.
const fn periodic(
    name: &'static str,
    period_us: u64,
    deadline_us: u64,
    min_period_us: u64,
    max_period_us: u64,
) -> TaskConfig {
    TaskConfig {
        name,
        priority: 1,
        kind: TaskKind::Periodic {
            period_us,
            phase_us: 0,
            deadline_us,
            min_period_us,
            max_period_us,
        },
    }
}

/// The table the kernel might use, checked at compile time.
const GOOD: [TaskConfig; 3] = [
    periodic("control", 1_000, 800, 500, 2_000),
    TaskConfig::periodic("blink", 0, 500_000),
    TaskConfig::event("button", 3, 100),
];

const _: () = match validate(&GOOD) {
    Ok(()) => (),
    Err(error) => panic!("{}", error.message()),
};

/// Validates `configs` and returns the task, field and problem of the error.
fn invalid(configs: &[TaskConfig]) -> (usize, &'static str, ConfigField, ConfigProblem) {
    match validate(configs) {
        Err(ConfigError::InvalidTask {
            task,
            name,
            field,
            problem,
        }) => (task, name, field, problem),
        other => panic!("expected an invalid task, got {other:?}"),
    }
}

#[test]
fn a_good_table_is_accepted() {
    assert_eq!(validate(&GOOD), Ok(()));
    assert_eq!(validate(&[]), Ok(()));
    static TABLE: [TaskConfig; 3] = GOOD;
    assert!(Scheduler::new(&TABLE).is_ok());
}

#[test]
fn empty_and_duplicate_names_are_refused() {
    assert_eq!(
        invalid(&[TaskConfig::event("", 1, 10)]),
        (0, "", ConfigField::Name, ConfigProblem::Empty)
    );
    assert_eq!(
        invalid(&[
            TaskConfig::event("a", 1, 10),
            TaskConfig::event("b", 1, 10),
            TaskConfig::periodic("a", 1, 10),
        ]),
        (
            2,
            "a",
            ConfigField::Name,
            ConfigProblem::Duplicate { first: 0 }
        )
    );
    // Same length, different bytes: not a duplicate.
    assert_eq!(
        validate(&[
            TaskConfig::event("ab", 1, 10),
            TaskConfig::event("ac", 1, 10)
        ]),
        Ok(())
    );
}

#[test]
fn zero_period_is_refused() {
    assert_eq!(
        invalid(&[GOOD[0], periodic("zero", 0, 0, 0, 0)]),
        (1, "zero", ConfigField::Period, ConfigProblem::Zero)
    );
    assert_eq!(
        invalid(&[periodic("zero-minimum", 10, 10, 0, 10)]),
        (
            0,
            "zero-minimum",
            ConfigField::MinimumPeriod,
            ConfigProblem::Zero
        )
    );
}

#[test]
fn period_outside_its_bounds_is_refused() {
    assert_eq!(
        invalid(&[periodic("low", 10, 10, 20, 30)]),
        (0, "low", ConfigField::Period, ConfigProblem::BelowMinimum)
    );
    assert_eq!(
        invalid(&[periodic("high", 40, 10, 20, 30)]),
        (0, "high", ConfigField::Period, ConfigProblem::AboveMaximum)
    );
    // Inverted bounds can never hold the period.
    assert_eq!(
        invalid(&[periodic("inverted", 25, 10, 30, 20)]),
        (
            0,
            "inverted",
            ConfigField::Period,
            ConfigProblem::BelowMinimum
        )
    );
}

#[test]
fn bad_deadlines_are_refused() {
    assert_eq!(
        invalid(&[periodic("late", 100, 101, 100, 100)]),
        (0, "late", ConfigField::Deadline, ConfigProblem::AbovePeriod)
    );
    assert_eq!(
        invalid(&[periodic("now", 100, 0, 100, 100)]),
        (0, "now", ConfigField::Deadline, ConfigProblem::Zero)
    );
    assert_eq!(
        invalid(&[TaskConfig::event("event", 1, 0)]),
        (0, "event", ConfigField::Deadline, ConfigProblem::Zero)
    );
    // A deadline equal to the period is fine.
    assert_eq!(validate(&[periodic("edge", 100, 100, 50, 200)]), Ok(()));
}

#[test]
fn too_many_tasks_are_refused() {
    let table = [TaskConfig::event("same", 1, 10); MAX_TASKS + 1];
    assert_eq!(
        validate(&table),
        Err(ConfigError::TooManyTasks {
            count: MAX_TASKS + 1,
            limit: MAX_TASKS
        })
    );
    static TOO_MANY: [TaskConfig; MAX_TASKS + 1] = [TaskConfig::event("x", 1, 10); MAX_TASKS + 1];
    assert!(matches!(
        Scheduler::new(&TOO_MANY),
        Err(ConfigError::TooManyTasks { .. })
    ));
}

#[test]
fn the_first_error_in_table_order_wins() {
    let (task, _, field, _) = invalid(&[
        GOOD[0],
        periodic("first", 100, 200, 100, 100),
        periodic("second", 0, 0, 0, 0),
    ]);
    assert_eq!((task, field), (1, ConfigField::Deadline));
}

#[test]
fn errors_describe_themselves() {
    let error = validate(&[periodic("control", 10, 20, 10, 10)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "task 0 (\"control\"): deadline_us is above period_us"
    );
    assert_eq!(
        error.message(),
        "task table: a deadline_us is above its period_us"
    );
    let duplicate = validate(&[TaskConfig::event("a", 1, 1), TaskConfig::event("a", 1, 1)])
        .unwrap_err()
        .to_string();
    assert_eq!(duplicate, "task 1 (\"a\"): name is already used by task 0");
    let too_many = validate(&[TaskConfig::event("a", 1, 1); 40]).unwrap_err();
    assert_eq!(
        too_many.to_string(),
        "40 tasks in the table, at most 32 allowed"
    );
    assert!(too_many.message().contains("MAX_TASKS"));
}

#[test]
fn config_helpers_fill_in_the_fields() {
    let task = TaskConfig::periodic("p", 7, 250);
    assert!(task.is_periodic());
    assert_eq!(task.deadline_us(), 250);
    assert_eq!(
        task.kind,
        TaskKind::Periodic {
            period_us: 250,
            phase_us: 0,
            deadline_us: 250,
            min_period_us: 250,
            max_period_us: 250
        }
    );
    let event = TaskConfig::event("e", 2, 90);
    assert!(!event.is_periodic());
    assert_eq!(event.deadline_us(), 90);
}
