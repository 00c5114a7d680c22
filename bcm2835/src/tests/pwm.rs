//! PWM: the divisor/range rule at edge frequencies, and the register sequences.
use super::{assert_events, message, read, write};
use crate::{
    clock_manager::{ClockManager, ClockSource},
    pwm::{Channel, ChannelSettings, Mode, Polarity, Pwm, PwmPlan, MAX_CLOCK_HZ},
    testing::{RecordingBus, Window},
    Error,
};

const PWM: usize = 0x2020_c000;
const CM: usize = 0x2010_1000;

fn driver(bus: &RecordingBus) -> Pwm<Window<'_>, Window<'_>, &RecordingBus> {
    Pwm::new(
        bus.window(PWM),
        ClockManager::new(bus.window(CM), bus),
        ClockSource::PllD,
    )
}

#[test]
fn common_frequencies_use_the_100_mhz_clock_with_fine_ranges() {
    for (hz, range) in [
        (50, 2_000_000),
        (1_000, 100_000),
        (20_000, 5_000),
        (1, 100_000_000),
    ] {
        let plan = PwmPlan::new(ClockSource::PllD, hz, None).unwrap();
        assert_eq!((plan.divisor, plan.range), (5, range), "{hz} Hz");
        assert_eq!(plan.achieved_hz(), hz);
        assert_eq!(plan.clock_hz(), 100_000_000);
    }
}

#[test]
fn the_highest_frequency_has_two_steps() {
    let plan = PwmPlan::new(ClockSource::PllD, 50_000_000, None).unwrap();
    assert_eq!((plan.divisor, plan.range), (5, 2));
    let error = PwmPlan::new(ClockSource::PllD, 50_000_001, None).unwrap_err();
    assert_eq!(
        error,
        Error::FrequencyOutOfRange {
            hz: 50_000_001,
            min_hz: 1,
            max_hz: 50_000_000
        }
    );
    assert_eq!(
        message(error),
        "frequency 50000001 Hz out of range (1 to 50000000 Hz)"
    );
    assert!(PwmPlan::new(ClockSource::PllD, 0, None).is_err());
}

#[test]
fn when_no_divisor_is_within_tolerance_the_closest_wins() {
    // 23 MHz: 500 MHz / 23 MHz = 21.74; 11 × 2 = 22 is the closest product with range >= 2.
    let plan = PwmPlan::new(ClockSource::PllD, 23_000_000, None).unwrap();
    assert_eq!((plan.divisor, plan.range), (11, 2));
    assert_eq!(plan.achieved_hz(), 22_727_273);
}

#[test]
fn the_oscillator_allows_divisor_1() {
    assert_eq!(PwmPlan::min_divisor(ClockSource::Oscillator), 1);
    assert_eq!(PwmPlan::min_divisor(ClockSource::PllD), 5);
    let plan = PwmPlan::new(ClockSource::Oscillator, 9_600_000, None).unwrap();
    assert_eq!((plan.divisor, plan.range), (1, 2));
    let plan = PwmPlan::new(ClockSource::Oscillator, 50, None).unwrap();
    assert_eq!(
        (plan.divisor, plan.range, plan.achieved_hz()),
        (1, 384_000, 50)
    );
}

/// The rule, restated with floating point over every divisor.
fn reference(hz: u32) -> (u32, u32) {
    let source = 500e6;
    let mut best: Option<(u32, u32, f64)> = None;
    for divisor in 5..=4095u32 {
        let range = (source / (f64::from(divisor) * f64::from(hz))).round();
        if range > f64::from(u32::MAX) {
            continue;
        }
        if range < 2.0 {
            break;
        }
        let made = source / (f64::from(divisor) * range);
        let error = (made - f64::from(hz)).abs() / f64::from(hz);
        if error <= 100e-6 {
            return (divisor, range as u32);
        }
        if best.is_none_or(|(_, _, best_error)| error < best_error) {
            best = Some((divisor, range as u32, error));
        }
    }
    let (divisor, range, _) = best.unwrap();
    (divisor, range)
}

#[test]
fn the_search_matches_the_documented_rule() {
    let mut hz = 1u32;
    while hz <= 50_000_000 {
        let plan = PwmPlan::new(ClockSource::PllD, hz, None).unwrap();
        assert_eq!((plan.divisor, plan.range), reference(hz), "{hz} Hz");
        assert!(plan.clock_hz() <= MAX_CLOCK_HZ);
        hz = hz * 3 / 2 + 7;
    }
}

#[test]
fn a_fixed_divisor_only_chooses_the_range() {
    let plan = PwmPlan::new(ClockSource::PllD, 1_000, Some(7)).unwrap();
    assert_eq!((plan.divisor, plan.range), (7, 71_429));
    assert_eq!(
        PwmPlan::new(ClockSource::PllD, 40_000_000, Some(11)),
        Err(Error::FrequencyOutOfRange {
            hz: 40_000_000,
            min_hz: 1,
            max_hz: 22_727_272
        })
    );
}

#[test]
fn a_fixed_divisor_the_generator_cannot_hold_reaches_nothing() {
    for divisor in [0, 4096] {
        assert_eq!(
            PwmPlan::new(ClockSource::PllD, 1_000, Some(divisor)),
            Err(Error::FrequencyOutOfRange {
                hz: 1_000,
                min_hz: 0,
                max_hz: 0
            })
        );
    }
}

#[test]
fn duty_rounds_to_the_nearest_tick() {
    let plan = PwmPlan::new(ClockSource::PllD, 1_000_000, None).unwrap();
    assert_eq!(plan.range, 100);
    assert_eq!(plan.data_for(0), 0);
    assert_eq!(plan.data_for(32_768), 50);
    assert_eq!(plan.data_for(65_535), 100);
    assert_eq!(plan.data_for(327), 0);
    assert_eq!(plan.data_for(328), 1);
}

#[test]
fn first_setting_programs_the_clock_then_range_data_and_enable() {
    let bus = RecordingBus::new();
    let mut pwm = driver(&bus);
    let plan = pwm
        .set_frequency_and_duty(Channel::Pwm0, 1_000, 16_384)
        .unwrap();
    assert_eq!(plan.range, 100_000);
    assert_eq!(pwm.clock_hz(), Some(100_000_000));
    assert_events(
        &bus,
        &[
            read(PWM, 0),
            // Channel 1 disabled (mark-space selected) while its clock changes.
            write(PWM, 0x80),
            read(CM + 0xa0, 0),
            write(CM + 0xa0, 0x5a00_0000),
            read(CM + 0xa0, 0),
            write(CM + 0xa4, 0x5a00_5000),
            write(CM + 0xa0, 0x5a00_0006),
            write(CM + 0xa0, 0x5a00_0016),
            write(PWM + 0x10, 100_000),
            write(PWM + 0x14, 25_000),
            write(PWM, 0x81),
        ],
    );
}

#[test]
fn the_other_channel_running_keeps_the_shared_clock() {
    let bus = RecordingBus::new();
    let mut pwm = driver(&bus);
    pwm.set_frequency_and_duty(Channel::Pwm0, 1_000, 0).unwrap();
    bus.clear_events();
    bus.script(PWM, &[0x81]);
    pwm.set_frequency_and_duty(Channel::Pwm1, 20_000, 65_535)
        .unwrap();
    assert_events(
        &bus,
        &[
            read(PWM, 0x81),
            write(PWM + 0x20, 5_000),
            write(PWM + 0x24, 5_000),
            write(PWM, 0x8181),
        ],
    );
}

#[test]
fn a_frequency_the_shared_clock_cannot_make_is_refused_without_touching_it() {
    let bus = RecordingBus::new();
    let mut pwm = driver(&bus);
    pwm.set_frequency_and_duty(Channel::Pwm0, 23_000_000, 32_768)
        .unwrap();
    assert_eq!(pwm.clock_hz(), Some(45_454_545));
    bus.clear_events();
    bus.script(PWM, &[0x81]);
    assert_eq!(
        pwm.set_frequency_and_duty(Channel::Pwm1, 40_000_000, 0),
        Err(Error::FrequencyOutOfRange {
            hz: 40_000_000,
            min_hz: 1,
            max_hz: 22_727_272
        })
    );
    assert_events(&bus, &[read(PWM, 0x81)]);
}

#[test]
fn with_the_other_channel_stopped_the_clock_is_replanned() {
    let bus = RecordingBus::new();
    let mut pwm = driver(&bus);
    pwm.set_frequency_and_duty(Channel::Pwm0, 23_000_000, 0)
        .unwrap();
    bus.clear_events();
    // Channel 1 disabled; channel 2 was never enabled.
    bus.script(PWM, &[0x80]);
    pwm.set_frequency_and_duty(Channel::Pwm1, 40_000_000, 0)
        .unwrap();
    // 40 MHz: 500 MHz / (6 × 2) = 41.7 MHz is the closest.
    assert_eq!(pwm.clock_hz(), Some(83_333_333));
    assert_eq!(
        bus.writes().last(),
        Some(&(PWM, 0x8180)),
        "{:?}",
        bus.events()
    );
    assert!(bus.writes().contains(&(CM + 0xa4, 0x5a00_6000)));
    assert!(bus.writes().contains(&(PWM, 0x8080)));
}

#[test]
fn duty_alone_writes_dat() {
    let bus = RecordingBus::new();
    let mut pwm = driver(&bus);
    assert_eq!(
        pwm.set_duty(Channel::Pwm1, 100),
        Err(Error::PwmNotConfigured(Channel::Pwm1))
    );
    assert_eq!(
        message(Error::PwmNotConfigured(Channel::Pwm1)),
        "PWM channel 1 has no frequency yet"
    );
    assert!(bus.events().is_empty());
    pwm.set_frequency_and_duty(Channel::Pwm1, 50, 0).unwrap();
    bus.clear_events();
    pwm.set_duty(Channel::Pwm1, 65_535 / 5).unwrap();
    assert_events(&bus, &[write(PWM + 0x24, 400_000)]);
    assert_eq!(pwm.range(Channel::Pwm1), Ok(2_000_000));
}

#[test]
fn settings_enable_and_disable_rewrite_only_the_channels_bits() {
    let bus = RecordingBus::new();
    let mut pwm = driver(&bus);
    bus.script(PWM, &[0x8181, 0x8181, 0x8111, 0x0000]);
    pwm.set_settings(
        Channel::Pwm0,
        ChannelSettings {
            mode: Mode::Balanced,
            polarity: Polarity::Inverted,
        },
    );
    pwm.disable(Channel::Pwm1);
    assert!(pwm.is_enabled(Channel::Pwm0));
    assert_eq!(
        pwm.enable(Channel::Pwm0),
        Err(Error::PwmNotConfigured(Channel::Pwm0))
    );
    assert!(!pwm.is_enabled(Channel::Pwm1));
    assert_events(
        &bus,
        &[
            read(PWM, 0x8181),
            write(PWM, 0x8111),
            read(PWM, 0x8181),
            write(PWM, 0x8081),
            read(PWM, 0x8111),
            read(PWM, 0),
        ],
    );
    assert_eq!(pwm.settings(Channel::Pwm0).polarity, Polarity::Inverted);
}

#[test]
fn clear_status_writes_ones_to_the_sticky_flags() {
    let bus = RecordingBus::new();
    bus.script(PWM + 0x04, &[0x0000_0312]);
    let pwm = driver(&bus);
    assert_eq!(pwm.clear_status(), 0x312);
    assert_events(&bus, &[read(PWM + 0x04, 0x312), write(PWM + 0x04, 0x13c)]);
}

#[test]
fn a_stuck_pwm_clock_leaves_the_channel_unconfigured() {
    let bus = RecordingBus::new();
    bus.set_default(CM + 0xa0, 0x80);
    let mut pwm = Pwm::new(
        bus.window(PWM),
        ClockManager::new(bus.window(CM), &bus).with_busy_timeout(2),
        ClockSource::PllD,
    );
    assert_eq!(
        pwm.set_frequency_and_duty(Channel::Pwm0, 1_000, 0),
        Err(Error::ClockBusy(crate::clock_manager::ClockId::Pwm))
    );
    assert_eq!(pwm.clock_hz(), None);
    assert_eq!(
        pwm.range(Channel::Pwm0),
        Err(Error::PwmNotConfigured(Channel::Pwm0))
    );
}

#[test]
fn channels_are_numbered_0_and_1() {
    assert_eq!(Channel::from_index(0), Ok(Channel::Pwm0));
    assert_eq!(Channel::try_from(1), Ok(Channel::Pwm1));
    assert_eq!(Channel::from_index(2), Err(Error::InvalidPwmChannel(2)));
    assert_eq!(
        message(Error::InvalidPwmChannel(2)),
        "invalid PWM channel 2 (0 or 1)"
    );
}
