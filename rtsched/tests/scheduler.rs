//! Host tests for the scheduler: priorities, exact release times, catch-up, deadlines, overruns.

use rtsched::{Error, Release, Scheduler, TaskConfig, TaskKind};

/// A periodic task with every field given.
const fn periodic(
    name: &'static str,
    priority: u8,
    period_us: u64,
    phase_us: u64,
    deadline_us: u64,
    min_period_us: u64,
    max_period_us: u64,
) -> TaskConfig {
    TaskConfig {
        name,
        priority,
        kind: TaskKind::Periodic {
            period_us,
            phase_us,
            deadline_us,
            min_period_us,
            max_period_us,
        },
    }
}

/// A scheduler over a leaked copy of `configs`.
fn scheduler<const TASKS: usize>(configs: [TaskConfig; TASKS]) -> Scheduler<TASKS> {
    Scheduler::new(Box::leak(Box::new(configs))).expect("valid table")
}

/// Takes every ready release at `now_us`, finishing each immediately, and returns the tasks.
fn drain<const TASKS: usize>(scheduler: &mut Scheduler<TASKS>, now_us: u64) -> Vec<usize> {
    let mut order = Vec::new();
    while let Some(release) = scheduler.take_ready(now_us) {
        scheduler
            .record_finish(release.task, release.release_time_us, now_us)
            .unwrap();
        order.push(release.task);
        assert!(order.len() < 100, "take_ready never ran dry");
    }
    order
}

#[test]
fn simultaneous_releases_come_out_by_priority_then_index() {
    let mut scheduler = scheduler([
        TaskConfig::periodic("a", 5, 1_000),
        TaskConfig::periodic("b", 9, 1_000),
        TaskConfig::event("c", 7, 100),
        TaskConfig::periodic("d", 5, 1_000),
        TaskConfig::periodic("e", 1, 1_000),
    ]);
    for task in 0..5 {
        scheduler.start(task, 0).unwrap();
    }
    scheduler.release_event(2, 0).unwrap();
    assert_eq!(drain(&mut scheduler, 0), [1, 2, 0, 3, 4]);
    assert_eq!(drain(&mut scheduler, 999), Vec::<usize>::new());
    assert_eq!(drain(&mut scheduler, 1_000), [1, 0, 3, 4]);
}

#[test]
fn releases_follow_phase_plus_whole_periods_without_drift() {
    let mut scheduler = scheduler([periodic("p", 1, 333, 17, 333, 333, 333)]);
    let start_us = 1_000;
    scheduler.start(0, start_us).unwrap();
    for instance in 0..100_000u64 {
        let expected = start_us + 17 + instance * 333;
        assert_eq!(scheduler.next_wakeup(), Some(expected));
        // The handler runs a little late each time, never by a whole period.
        let now_us = expected + instance % 300;
        assert_eq!(scheduler.take_ready(expected - 1), None);
        let release = scheduler.take_ready(now_us).unwrap();
        assert_eq!(
            release,
            Release {
                task: 0,
                release_time_us: expected,
                deadline_time_us: expected + 333,
                skipped_releases: 0,
            }
        );
        scheduler
            .record_finish(0, release.release_time_us, now_us + 1)
            .unwrap();
        assert_eq!(scheduler.take_ready(now_us), None);
    }
    let counters = scheduler.counters(0).unwrap();
    assert_eq!(counters.releases, 100_000);
    assert_eq!(counters.completions, 100_000);
    assert_eq!(counters.deadline_misses, 0);
    assert_eq!(counters.overruns, 0);
}

#[test]
fn a_late_handler_counts_skipped_releases_and_catches_up() {
    let mut scheduler = scheduler([TaskConfig::periodic("p", 1, 100)]);
    scheduler.start(0, 0).unwrap();
    assert_eq!(drain(&mut scheduler, 0), [0]);

    // Late by less than a period: the release is handed out as is.
    let release = scheduler.take_ready(150).unwrap();
    assert_eq!(
        (release.release_time_us, release.skipped_releases),
        (100, 0)
    );
    scheduler.record_finish(0, 100, 160).unwrap();

    // Releases at 200, 300 and 400 are due at 450: the newest runs, two are skipped.
    let release = scheduler.take_ready(450).unwrap();
    assert_eq!(
        release,
        Release {
            task: 0,
            release_time_us: 400,
            deadline_time_us: 500,
            skipped_releases: 2,
        }
    );
    scheduler.record_finish(0, 400, 455).unwrap();
    assert_eq!(scheduler.next_wakeup(), Some(500));
    assert_eq!(scheduler.take_ready(499), None);
    assert_eq!(scheduler.take_ready(500).unwrap().release_time_us, 500);

    let counters = scheduler.counters(0).unwrap();
    assert_eq!(counters.releases, 6);
    assert_eq!(counters.skipped_releases, 2);
    assert_eq!(counters.deadline_misses, 2);

    // Exactly one whole period late also skips one.
    scheduler.record_finish(0, 500, 500).unwrap();
    let release = scheduler.take_ready(700).unwrap();
    assert_eq!(
        (release.release_time_us, release.skipped_releases),
        (700, 1)
    );
}

#[test]
fn finishing_after_the_deadline_is_a_miss() {
    let mut scheduler = scheduler([periodic("p", 1, 1_000, 0, 300, 1_000, 1_000)]);
    scheduler.start(0, 0).unwrap();
    let release = scheduler.take_ready(0).unwrap();
    assert_eq!(release.deadline_time_us, 300);
    let completion = scheduler.record_finish(0, 0, 300).unwrap();
    assert!(!completion.deadline_missed);
    assert_eq!(completion.response_time_us, 300);

    scheduler.take_ready(1_000).unwrap();
    let completion = scheduler.record_finish(0, 1_000, 1_301).unwrap();
    assert!(completion.deadline_missed);
    assert!(!completion.overran);
    let snapshot = scheduler.snapshot(0).unwrap();
    assert_eq!(snapshot.counters.deadline_misses, 1);
    assert_eq!(snapshot.counters.completions, 2);
    assert_eq!(snapshot.max_response_us, 301);
}

#[test]
fn finishing_after_the_next_release_is_an_overrun_counted_once() {
    let mut scheduler = scheduler([TaskConfig::periodic("p", 1, 100)]);
    scheduler.start(0, 0).unwrap();
    scheduler.take_ready(0).unwrap();
    let completion = scheduler.record_finish(0, 0, 100).unwrap();
    assert!(!completion.overran && !completion.deadline_missed);

    scheduler.take_ready(100).unwrap();
    let completion = scheduler.record_finish(0, 100, 230).unwrap();
    assert!(completion.overran && completion.deadline_missed);
    // The next take (late by less than a period) does not count it again.
    assert_eq!(scheduler.take_ready(230).unwrap().release_time_us, 200);
    scheduler.record_finish(0, 200, 240).unwrap();
    let counters = scheduler.counters(0).unwrap();
    assert_eq!(counters.overruns, 1);
    assert_eq!(counters.deadline_misses, 1);
}

#[test]
fn taking_a_release_while_the_previous_instance_runs_is_an_overrun() {
    let mut scheduler = scheduler([TaskConfig::periodic("p", 1, 100)]);
    scheduler.start(0, 0).unwrap();
    scheduler.take_ready(0).unwrap();
    // Instance 0 still runs (say, in a preemptible thread) when release 100 is handed out.
    scheduler.take_ready(100).unwrap();
    assert_eq!(scheduler.counters(0).unwrap().overruns, 1);
    // Its late finish is a deadline miss, but not a second overrun.
    let completion = scheduler.record_finish(0, 0, 150).unwrap();
    assert!(completion.deadline_missed && !completion.overran);
    let completion = scheduler.record_finish(0, 100, 160).unwrap();
    assert!(!completion.deadline_missed && !completion.overran);
    let counters = scheduler.counters(0).unwrap();
    assert_eq!(counters.overruns, 1);
    assert_eq!(counters.deadline_misses, 1);
    assert_eq!(counters.completions, 2);
}

#[test]
fn set_period_respects_bounds() {
    let mut scheduler = scheduler([
        periodic("p", 1, 100, 0, 100, 50, 400),
        TaskConfig::event("e", 1, 10),
    ]);
    assert_eq!(scheduler.set_period(0, 49), Err(Error::PeriodOutOfRange));
    assert_eq!(scheduler.set_period(0, 401), Err(Error::PeriodOutOfRange));
    assert_eq!(scheduler.set_period(0, 0), Err(Error::PeriodOutOfRange));
    assert_eq!(scheduler.period_us(0), Some(100));
    assert_eq!(scheduler.set_period(1, 100), Err(Error::NotPeriodic));
    assert_eq!(scheduler.period_us(1), None);
    assert_eq!(scheduler.set_period(2, 100), Err(Error::NoSuchTask));
    assert_eq!(scheduler.set_period(0, 50), Ok(()));
    assert_eq!(scheduler.set_period(0, 400), Ok(()));
    assert_eq!(scheduler.period_us(0), Some(400));
}

#[test]
fn a_new_period_applies_after_the_scheduled_release_without_drift() {
    let mut scheduler = scheduler([periodic("p", 1, 100, 0, 100, 10, 1_000)]);
    scheduler.start(0, 0).unwrap();
    assert_eq!(drain(&mut scheduler, 0), [0]);
    assert_eq!(drain(&mut scheduler, 100), [0]);
    scheduler.set_period(0, 250).unwrap();
    // Release 200 was already scheduled and keeps its time.
    assert_eq!(scheduler.next_wakeup(), Some(200));
    let mut expected = 200;
    for _ in 0..10_000 {
        let release = scheduler.take_ready(expected + 7).unwrap();
        assert_eq!(release.release_time_us, expected);
        assert_eq!(release.deadline_time_us, expected + 100);
        scheduler.record_finish(0, expected, expected + 8).unwrap();
        expected += 250;
        assert_eq!(scheduler.next_wakeup(), Some(expected));
    }
    // Shrinking the period below the configured deadline shrinks the deadline too, from the
    // instance whose following release is spaced by the new period.
    scheduler.set_period(0, 40).unwrap();
    let release = scheduler.take_ready(expected).unwrap();
    assert_eq!(release.deadline_time_us, expected + 40);
    scheduler.record_finish(0, expected, expected).unwrap();
    let release = scheduler.take_ready(expected + 40).unwrap();
    assert_eq!(release.release_time_us, expected + 40);
    assert_eq!(release.deadline_time_us, expected + 80);
    assert_eq!(scheduler.counters(0).unwrap().deadline_misses, 0);
}

#[test]
fn start_and_stop() {
    let mut scheduler = scheduler([
        periodic("p", 1, 100, 30, 100, 50, 200),
        TaskConfig::event("e", 1, 10),
    ]);
    assert!(!scheduler.is_running(0));
    assert_eq!(scheduler.take_ready(1_000), None);
    assert_eq!(scheduler.next_wakeup(), None);

    scheduler.start(0, 1_000).unwrap();
    assert!(scheduler.is_running(0));
    assert_eq!(scheduler.start(0, 1_000), Err(Error::AlreadyRunning));
    assert_eq!(scheduler.next_release_us(0), Some(1_030));
    assert_eq!(drain(&mut scheduler, 1_029), Vec::<usize>::new());
    assert_eq!(drain(&mut scheduler, 1_030), [0]);

    scheduler.stop(0).unwrap();
    assert!(!scheduler.is_running(0));
    assert_eq!(scheduler.next_wakeup(), None);
    assert_eq!(scheduler.take_ready(10_000), None);
    assert_eq!(scheduler.stop(0), Ok(()));

    // A period set while stopped is kept; the restart re-phases from the new start time.
    scheduler.set_period(0, 200).unwrap();
    scheduler.start(0, 5_000).unwrap();
    assert_eq!(drain(&mut scheduler, 5_030), [0]);
    assert_eq!(scheduler.next_wakeup(), Some(5_230));

    // Stopping an event task discards its pending release.
    scheduler.start(1, 0).unwrap();
    scheduler.release_event(1, 6_000).unwrap();
    scheduler.stop(1).unwrap();
    assert_eq!(scheduler.next_release_us(1), None);
    scheduler.start(1, 6_001).unwrap();
    assert_eq!(scheduler.next_release_us(1), None);

    assert_eq!(scheduler.start(2, 0), Err(Error::NoSuchTask));
    assert_eq!(scheduler.stop(2), Err(Error::NoSuchTask));
    assert!(!scheduler.is_running(2));
    assert_eq!(scheduler.start(0, u64::MAX), Err(Error::AlreadyRunning));
    scheduler.stop(0).unwrap();
    assert_eq!(scheduler.start(0, u64::MAX), Err(Error::TimeOverflow));
    assert!(!scheduler.is_running(0));
}

#[test]
fn next_wakeup_is_the_earliest_running_periodic_release() {
    let mut scheduler = scheduler([
        periodic("slow", 1, 1_000, 500, 1_000, 1_000, 1_000),
        periodic("fast", 1, 300, 100, 300, 300, 300),
        TaskConfig::event("e", 9, 10),
    ]);
    scheduler.start(2, 0).unwrap();
    scheduler.release_event(2, 0).unwrap();
    assert_eq!(scheduler.next_wakeup(), None);
    scheduler.start(0, 0).unwrap();
    assert_eq!(scheduler.next_wakeup(), Some(500));
    scheduler.start(1, 0).unwrap();
    assert_eq!(scheduler.next_wakeup(), Some(100));
    assert_eq!(drain(&mut scheduler, 100), [2, 1]);
    assert_eq!(scheduler.next_wakeup(), Some(400));
    assert_eq!(drain(&mut scheduler, 400), [1]);
    assert_eq!(scheduler.next_wakeup(), Some(500));
    scheduler.stop(0).unwrap();
    assert_eq!(scheduler.next_wakeup(), Some(700));
    assert_eq!(scheduler.take_ready(650), None);
    // Checked at 900, the release due at 700 is reported until it is taken.
    assert_eq!(scheduler.next_wakeup(), Some(700));
    assert_eq!(drain(&mut scheduler, 900), [1]);
    assert_eq!(scheduler.next_wakeup(), Some(1_000));
}

#[test]
fn event_tasks_are_released_explicitly() {
    let mut scheduler = scheduler([
        TaskConfig::event("e", 1, 50),
        TaskConfig::periodic("p", 1, 10),
    ]);
    assert_eq!(scheduler.release_event(0, 10), Err(Error::NotRunning));
    assert_eq!(scheduler.release_event(1, 10), Err(Error::NotEvent));
    assert_eq!(scheduler.release_event(2, 10), Err(Error::NoSuchTask));
    scheduler.start(0, 0).unwrap();
    assert_eq!(scheduler.take_ready(u64::MAX), None);

    scheduler.release_event(0, 1_000).unwrap();
    assert_eq!(scheduler.next_release_us(0), Some(1_000));
    // Due even if the caller's clock reads earlier than the release.
    let release = scheduler.take_ready(999).unwrap();
    assert_eq!(
        release,
        Release {
            task: 0,
            release_time_us: 1_000,
            deadline_time_us: 1_050,
            skipped_releases: 0,
        }
    );
    assert_eq!(scheduler.take_ready(2_000), None);
    let completion = scheduler.record_finish(0, 1_000, 1_051).unwrap();
    assert!(completion.deadline_missed && !completion.overran);

    // A second release while one is pending is merged into it and counted.
    scheduler.release_event(0, 3_000).unwrap();
    scheduler.release_event(0, 3_010).unwrap();
    let release = scheduler.take_ready(3_020).unwrap();
    assert_eq!(release.release_time_us, 3_000);
    assert_eq!(scheduler.take_ready(3_020), None);
    let counters = scheduler.counters(0).unwrap();
    assert_eq!(counters.releases, 3);
    assert_eq!(counters.overruns, 1);
    assert_eq!(counters.skipped_releases, 1);
    assert_eq!(counters.deadline_misses, 2);

    // A release while the previous instance still runs is an overrun, and runs later.
    scheduler.release_event(0, 3_030).unwrap();
    assert_eq!(scheduler.counters(0).unwrap().overruns, 2);
    scheduler.record_finish(0, 3_000, 3_040).unwrap();
    let release = scheduler.take_ready(3_040).unwrap();
    assert_eq!(release.release_time_us, 3_030);
    scheduler.record_finish(0, 3_030, 3_041).unwrap();
    let counters = scheduler.counters(0).unwrap();
    assert_eq!(counters.overruns, 2);
    assert_eq!(counters.completions, 3);
    assert_eq!(counters.deadline_misses, 2);
}

#[test]
fn take_ready_above_only_sees_higher_priorities() {
    let mut scheduler = scheduler([
        TaskConfig::periodic("low", 1, 100),
        TaskConfig::periodic("middle", 5, 100),
        TaskConfig::periodic("high", 9, 100),
    ]);
    for task in 0..3 {
        scheduler.start(task, 0).unwrap();
    }
    let release = scheduler.take_ready_above(0, 5).unwrap();
    assert_eq!(release.task, 2);
    assert_eq!(scheduler.take_ready_above(0, 5), None);
    assert_eq!(scheduler.take_ready_above(0, 0).unwrap().task, 1);
    assert_eq!(scheduler.take_ready_above(0, u8::MAX), None);
    assert_eq!(scheduler.take_ready(0).unwrap().task, 0);
}

#[test]
fn latency_statistics_and_snapshots() {
    let mut scheduler = scheduler([TaskConfig::periodic("p", 3, 1_000)]);
    scheduler.start(0, 0).unwrap();
    let latencies = [4u64, 10, 7, 4, 30];
    for (instance, latency) in (0u64..).zip(latencies) {
        let release = scheduler.take_ready(instance * 1_000 + latency).unwrap();
        scheduler
            .record_start(
                0,
                release.release_time_us,
                release.release_time_us + latency,
            )
            .unwrap();
        scheduler
            .record_finish(0, release.release_time_us, release.release_time_us + 100)
            .unwrap();
    }
    let snapshot = scheduler.snapshot(0).unwrap();
    assert_eq!(snapshot.task, 0);
    assert_eq!(snapshot.config.name, "p");
    assert!(snapshot.running);
    assert_eq!(snapshot.period_us, Some(1_000));
    assert_eq!(snapshot.next_release_us, Some(5_000));
    assert_eq!(snapshot.max_response_us, 100);
    assert_eq!(snapshot.counters.releases, 5);
    assert_eq!(snapshot.counters.completions, 5);
    let latency = snapshot.latency;
    assert_eq!(latency.count(), 5);
    assert_eq!(latency.min_us(), Some(4));
    assert_eq!(latency.max_us(), Some(30));
    assert_eq!(latency.sum_us(), 55);
    assert_eq!(latency.mean_us(), Some(11));
    assert_eq!(latency.jitter_us(), Some(26));
    assert_eq!(latency.histogram()[4], 2);
    assert_eq!(latency.p99_us(), Some(30));
    assert_eq!(scheduler.latency(0), Some(&latency));

    // A start before the release (clock confusion) counts as zero latency.
    scheduler.record_start(0, 100, 50).unwrap();
    assert_eq!(scheduler.latency(0).unwrap().min_us(), Some(0));

    scheduler.reset_statistics(0).unwrap();
    let snapshot = scheduler.snapshot(0).unwrap();
    assert_eq!(snapshot.latency.count(), 0);
    assert_eq!(snapshot.counters, Default::default());
    assert_eq!(snapshot.max_response_us, 0);
    // Scheduling state survives the reset.
    assert_eq!(snapshot.next_release_us, Some(5_000));
    scheduler.record_start(0, 0, 9).unwrap();
    scheduler.reset_all_statistics();
    assert_eq!(scheduler.latency(0).unwrap().count(), 0);
}

#[test]
fn lookups_and_unknown_tasks() {
    let mut scheduler = scheduler([
        TaskConfig::periodic("p", 3, 1_000),
        TaskConfig::event("e", 1, 5),
    ]);
    assert_eq!(scheduler.len(), 2);
    assert!(!scheduler.is_empty());
    assert_eq!(scheduler.task_index("e"), Some(1));
    assert_eq!(scheduler.task_index("missing"), None);
    assert_eq!(scheduler.configs()[0].name, "p");
    assert_eq!(scheduler.snapshot(1).unwrap().period_us, None);
    assert_eq!(scheduler.snapshot(2), None);
    assert_eq!(scheduler.counters(2), None);
    assert_eq!(scheduler.latency(2), None);
    assert_eq!(scheduler.period_us(2), None);
    assert_eq!(scheduler.next_release_us(2), None);
    assert_eq!(scheduler.record_start(2, 0, 0), Err(Error::NoSuchTask));
    assert_eq!(scheduler.record_finish(2, 0, 0), Err(Error::NoSuchTask));
    assert_eq!(scheduler.reset_statistics(2), Err(Error::NoSuchTask));
    assert_eq!(
        scheduler.record_finish(usize::MAX, 0, 0),
        Err(Error::NoSuchTask)
    );

    static EMPTY: [TaskConfig; 0] = [];
    let mut empty = Scheduler::new(&EMPTY).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.take_ready(0), None);
    assert_eq!(empty.next_wakeup(), None);
}

#[test]
fn extreme_times_never_panic_or_loop() {
    let mut scheduler = scheduler([
        periodic("p", 1, 7, 0, 7, 1, u64::MAX),
        TaskConfig::event("e", 1, u64::MAX),
    ]);
    scheduler.start(0, u64::MAX - 20).unwrap();
    scheduler.start(1, 0).unwrap();
    // Releases until the next one would not fit in a u64, then the task goes quiet.
    assert!(drain(&mut scheduler, u64::MAX).contains(&0));
    assert_eq!(scheduler.take_ready(u64::MAX), None);
    assert_eq!(scheduler.next_wakeup(), None);
    assert!(scheduler.is_running(0));

    scheduler.release_event(1, u64::MAX).unwrap();
    let release = scheduler.take_ready(0).unwrap();
    assert_eq!(release.deadline_time_us, u64::MAX);
    scheduler.record_start(1, u64::MAX, 0).unwrap();
    let completion = scheduler.record_finish(1, u64::MAX, u64::MAX).unwrap();
    assert!(!completion.deadline_missed);

    // A huge catch-up: one division, not one step per skipped period.
    scheduler.stop(0).unwrap();
    scheduler.set_period(0, 1).unwrap();
    scheduler.start(0, 0).unwrap();
    let release = scheduler.take_ready(u64::MAX - 1).unwrap();
    assert_eq!(release.release_time_us, u64::MAX - 1);
    assert_eq!(release.skipped_releases, u64::MAX - 1);
    assert_eq!(scheduler.next_wakeup(), Some(u64::MAX));
    scheduler.set_period(0, u64::MAX).unwrap();
    scheduler.record_finish(0, u64::MAX - 1, u64::MAX).unwrap();
    assert_eq!(
        scheduler.take_ready(u64::MAX).unwrap().release_time_us,
        u64::MAX
    );
    assert_eq!(scheduler.take_ready(u64::MAX), None);
}

#[test]
fn a_scheduler_can_be_built_in_a_static_initializer() {
    static TASKS: [TaskConfig; 2] = [
        TaskConfig::periodic("control", 10, 1_000),
        TaskConfig::event("button", 20, 200),
    ];
    static SCHEDULER: std::sync::Mutex<Scheduler<2>> =
        std::sync::Mutex::new(match Scheduler::new(&TASKS) {
            Ok(scheduler) => scheduler,
            Err(error) => panic!("{}", error.message()),
        });
    let mut scheduler = SCHEDULER.lock().unwrap();
    scheduler.start(0, 0).unwrap();
    assert_eq!(scheduler.take_ready(0).unwrap().task, 0);
}
