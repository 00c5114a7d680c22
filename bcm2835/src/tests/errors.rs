//! The error type: which errors are the caller's, and the messages the kernel shows.
use super::message;
use crate::{clock_manager::ClockId, pins::Signal, pwm::Channel, Error, Operation};

#[test]
fn argument_errors_and_device_errors_are_told_apart() {
    let arguments = [
        Error::InvalidPin(60),
        Error::InvalidAlternateFunction(7),
        Error::PinCannotCarry {
            pin: 2,
            signal: Signal::Pwm0,
        },
        Error::NoPwmOnPin(2),
        Error::FrequencyOutOfRange {
            hz: 0,
            min_hz: 1,
            max_hz: 2,
        },
        Error::BaudRateUnreachable {
            baud: 1,
            nearest: 477,
        },
        Error::InvalidPwmChannel(3),
        Error::PwmNotConfigured(Channel::Pwm0),
        Error::InvalidI2cBus(2),
        Error::InvalidAddress(0x80),
        Error::InvalidSpiMode(4),
        Error::InvalidChipSelect(2),
        Error::InvalidLength {
            length: 0,
            min: 1,
            max: 16,
        },
        Error::LengthMismatch { write: 1, read: 2 },
    ];
    assert!(arguments.iter().all(Error::is_invalid_argument));
    let devices = [
        Error::Nack { address: 0x10 },
        Error::ClockStretchTimeout { address: 0x10 },
        Error::Incomplete {
            expected: 2,
            transferred: 1,
        },
        Error::Timeout {
            operation: Operation::UartReceive,
            micros: 5,
        },
        Error::ClockBusy(ClockId::Gp1),
    ];
    assert!(!devices.iter().any(Error::is_invalid_argument));
}

#[test]
fn device_error_messages() {
    assert_eq!(
        message(Error::Incomplete {
            expected: 4,
            transferred: 3
        }),
        "transfer ended after 3 of 4 bytes"
    );
    assert_eq!(
        message(Error::Timeout {
            operation: Operation::UartFlush,
            micros: 1_388
        }),
        "mini UART flush timed out after 1388 µs"
    );
    assert_eq!(
        message(Error::Timeout {
            operation: Operation::UartTransmit,
            micros: 1
        }),
        "mini UART transmit timed out after 1 µs"
    );
    assert_eq!(
        message(Error::ClockBusy(ClockId::Gp1)),
        "clock generator GP1 stays busy"
    );
}
