//! The alternate function table and the argument checks built on it.
use super::message;
use crate::{
    gpio::{Function, Pin},
    i2c::Controller,
    pins::{
        default_i2c_pins, i2c_pins, pins_for, pwm_channel_for, route, spi0_pins, uart1_pins,
        Signal, ALTERNATE_FUNCTIONS,
    },
    pwm::Channel,
    Error,
};

#[test]
fn the_table_is_ordered_and_unambiguous() {
    for pair in ALTERNATE_FUNCTIONS.windows(2) {
        assert!(pair[0].0 <= pair[1].0, "{pair:?}");
        assert!(
            (pair[0].0, pair[0].1.code()) != (pair[1].0, pair[1].1.code()),
            "{pair:?}"
        );
    }
    assert!(ALTERNATE_FUNCTIONS
        .iter()
        .all(|(pin, function, _)| u32::from(*pin) < 54 && function.alternate_number().is_some()));
}

#[test]
fn pwm_outputs() {
    let pwm0: std::vec::Vec<_> = pins_for(Signal::Pwm0).collect();
    assert_eq!(
        pwm0,
        [
            (12, Function::Alt0),
            (18, Function::Alt5),
            (40, Function::Alt0)
        ]
    );
    let pwm1: std::vec::Vec<_> = pins_for(Signal::Pwm1).collect();
    assert_eq!(
        pwm1,
        [
            (13, Function::Alt0),
            (19, Function::Alt5),
            (41, Function::Alt0),
            (45, Function::Alt0)
        ]
    );
    let (channel, route) = pwm_channel_for(18).unwrap();
    assert_eq!((channel, route.function), (Channel::Pwm0, Function::Alt5));
    let (channel, route) = pwm_channel_for(45).unwrap();
    assert_eq!((channel, route.pin.number()), (Channel::Pwm1, 45));
    assert_eq!(pwm_channel_for(17), Err(Error::NoPwmOnPin(17)));
    assert_eq!(
        message(Error::NoPwmOnPin(17)),
        "GPIO 17 has no PWM output (PWM0: 12, 18, 40; PWM1: 13, 19, 41, 45)"
    );
    assert_eq!(pwm_channel_for(60), Err(Error::InvalidPin(60)));
}

#[test]
fn i2c_pins_per_controller() {
    let pins = i2c_pins(Controller::Bsc1, 3, 2).unwrap();
    assert_eq!(
        (pins.scl.pin.number(), pins.scl.function, pins.sda.function),
        (3, Function::Alt0, Function::Alt0)
    );
    let pins = i2c_pins(Controller::Bsc1, 45, 44).unwrap();
    assert_eq!(pins.scl.function, Function::Alt2);
    let pins = i2c_pins(Controller::Bsc0, 45, 44).unwrap();
    assert_eq!(pins.sda.function, Function::Alt1);
    assert!(i2c_pins(Controller::Bsc0, 29, 28).is_ok());
    let error = i2c_pins(Controller::Bsc0, 3, 2).unwrap_err();
    assert_eq!(
        error,
        Error::PinCannotCarry {
            pin: 3,
            signal: Signal::Scl0
        }
    );
    assert_eq!(message(error), "GPIO 3 cannot carry SCL0 (pins: 1, 29, 45)");
    assert_eq!(
        i2c_pins(Controller::Bsc1, 3, 4),
        Err(Error::PinCannotCarry {
            pin: 4,
            signal: Signal::Sda1
        })
    );
    assert_eq!(default_i2c_pins(Controller::Bsc1), (3, 2));
    let (scl, sda) = default_i2c_pins(Controller::Bsc0);
    assert!(i2c_pins(Controller::Bsc0, scl, sda).is_ok());
}

#[test]
fn spi0_pins_on_both_banks() {
    assert!(spi0_pins(11, 10, 9).is_ok());
    assert!(spi0_pins(39, 38, 37).is_ok());
    assert_eq!(
        spi0_pins(11, 9, 10),
        Err(Error::PinCannotCarry {
            pin: 9,
            signal: Signal::Spi0Mosi
        })
    );
    assert_eq!(
        route(8, Signal::Spi0Ce0).unwrap(),
        (Pin::new(8).unwrap(), Function::Alt0)
    );
    assert_eq!(
        message(Error::PinCannotCarry {
            pin: 6,
            signal: Signal::Spi0Ce1
        }),
        "GPIO 6 cannot carry SPI0_CE1_N (pins: 7, 35)"
    );
}

#[test]
fn uart1_pin_pairs() {
    for (tx, rx) in [(14, 15), (32, 33), (40, 41)] {
        let pins = uart1_pins(tx, rx).unwrap();
        assert_eq!(
            (pins.tx.function, pins.rx.function),
            (Function::Alt5, Function::Alt5)
        );
    }
    assert_eq!(
        uart1_pins(0, 1),
        Err(Error::PinCannotCarry {
            pin: 0,
            signal: Signal::Txd1
        })
    );
    assert_eq!(uart1_pins(54, 15), Err(Error::InvalidPin(54)));
    assert_eq!(
        message(Error::PinCannotCarry {
            pin: 0,
            signal: Signal::Txd1
        }),
        "GPIO 0 cannot carry TXD1 (pins: 14, 32, 40)"
    );
}

#[test]
fn clock_outputs() {
    let gpclk0: std::vec::Vec<u8> = pins_for(Signal::Gpclk0).map(|(pin, _)| pin).collect();
    assert_eq!(gpclk0, [4, 20, 32, 34]);
    assert_eq!(Signal::Gpclk2.name(), "GPCLK2");
}
