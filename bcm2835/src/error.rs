//! The one error type of every driver: bad arguments name the bad value, device errors the device.
use core::fmt;

use crate::{clock_manager::ClockId, pins::Signal, pwm::Channel};

/// What a driver was doing when its own polling limit ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// An I2C (BSC) transfer.
    I2cTransfer,
    /// An SPI0 transfer.
    SpiTransfer,
    /// Waiting for room in the mini UART's transmit FIFO.
    UartTransmit,
    /// Waiting for a byte in the mini UART's receive FIFO.
    UartReceive,
    /// Waiting for the mini UART's transmitter to go idle.
    UartFlush,
}

impl Operation {
    /// A short description for messages.
    pub const fn description(self) -> &'static str {
        match self {
            Self::I2cTransfer => "I2C transfer",
            Self::SpiTransfer => "SPI transfer",
            Self::UartTransmit => "mini UART transmit",
            Self::UartReceive => "mini UART receive",
            Self::UartFlush => "mini UART flush",
        }
    }
}

/// Everything a driver can refuse or run into.
///
/// The argument errors ([`Error::is_invalid_argument`]) map onto Python's `ValueError`; the
/// others are device errors (`OSError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A GPIO number outside 0 to 53.
    InvalidPin(u32),
    /// An alternate function number outside 0 to 5.
    InvalidAlternateFunction(u32),
    /// The pin has no alternate function that carries the signal.
    PinCannotCarry {
        /// The GPIO number asked for.
        pin: u32,
        /// The signal it was asked to carry.
        signal: Signal,
    },
    /// The pin has no PWM output in any alternate function.
    NoPwmOnPin(u32),
    /// A frequency the hardware cannot generate.
    FrequencyOutOfRange {
        /// The frequency asked for.
        hz: u32,
        /// The lowest reachable frequency.
        min_hz: u32,
        /// The highest reachable frequency.
        max_hz: u32,
    },
    /// A mini UART baud rate that no divisor reaches within the tolerance.
    BaudRateUnreachable {
        /// The baud rate asked for.
        baud: u32,
        /// The nearest rate the divisor can make.
        nearest: u32,
    },
    /// A PWM channel number other than 0 or 1.
    InvalidPwmChannel(u32),
    /// A duty cycle was set on a PWM channel whose frequency was never set.
    PwmNotConfigured(Channel),
    /// An I2C bus number other than 0 or 1.
    InvalidI2cBus(u32),
    /// An I2C address above 0x7f.
    InvalidAddress(u32),
    /// An SPI mode other than 0 to 3.
    InvalidSpiMode(u32),
    /// An SPI0 chip select other than 0 or 1.
    InvalidChipSelect(u32),
    /// A transfer length outside what the hardware counts.
    InvalidLength {
        /// The length asked for.
        length: usize,
        /// The shortest allowed.
        min: usize,
        /// The longest allowed.
        max: usize,
    },
    /// Write and read buffers of a full-duplex transfer differ in length.
    LengthMismatch {
        /// Bytes to send.
        write: usize,
        /// Bytes to receive.
        read: usize,
    },
    /// The I2C device did not acknowledge (BSC `S.ERR`).
    Nack {
        /// The 7-bit address.
        address: u8,
    },
    /// The I2C device held SCL low longer than the controller's limit (BSC `S.CLKT`).
    ClockStretchTimeout {
        /// The 7-bit address.
        address: u8,
    },
    /// The controller said it was done before every byte was moved.
    Incomplete {
        /// Bytes asked for.
        expected: usize,
        /// Bytes moved.
        transferred: usize,
    },
    /// The driver's own polling limit ran out.
    Timeout {
        /// What was being waited for.
        operation: Operation,
        /// The limit, in microseconds.
        micros: u32,
    },
    /// A clock generator stayed BUSY even after KILL.
    ClockBusy(ClockId),
}

impl Error {
    /// Whether the caller passed a bad value (Python `ValueError`) rather than the device failing.
    pub const fn is_invalid_argument(&self) -> bool {
        matches!(
            self,
            Self::InvalidPin(_)
                | Self::InvalidAlternateFunction(_)
                | Self::PinCannotCarry { .. }
                | Self::NoPwmOnPin(_)
                | Self::FrequencyOutOfRange { .. }
                | Self::BaudRateUnreachable { .. }
                | Self::InvalidPwmChannel(_)
                | Self::PwmNotConfigured(_)
                | Self::InvalidI2cBus(_)
                | Self::InvalidAddress(_)
                | Self::InvalidSpiMode(_)
                | Self::InvalidChipSelect(_)
                | Self::InvalidLength { .. }
                | Self::LengthMismatch { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::InvalidPin(pin) => write!(formatter, "invalid pin {pin} (GPIO 0 to 53)"),
            Self::InvalidAlternateFunction(number) => {
                write!(
                    formatter,
                    "invalid alternate function {number} (ALT0 to ALT5)"
                )
            }
            Self::PinCannotCarry { pin, signal } => {
                write!(
                    formatter,
                    "GPIO {pin} cannot carry {} (pins:",
                    signal.name()
                )?;
                write_pins(formatter, signal)?;
                formatter.write_str(")")
            }
            Self::NoPwmOnPin(pin) => {
                write!(formatter, "GPIO {pin} has no PWM output (PWM0:")?;
                write_pins(formatter, Signal::Pwm0)?;
                formatter.write_str("; PWM1:")?;
                write_pins(formatter, Signal::Pwm1)?;
                formatter.write_str(")")
            }
            Self::FrequencyOutOfRange { hz, min_hz, max_hz } => write!(
                formatter,
                "frequency {hz} Hz out of range ({min_hz} to {max_hz} Hz)"
            ),
            Self::BaudRateUnreachable { baud, nearest } => write!(
                formatter,
                "baud rate {baud} unreachable within 3% (nearest {nearest})"
            ),
            Self::InvalidPwmChannel(channel) => {
                write!(formatter, "invalid PWM channel {channel} (0 or 1)")
            }
            Self::PwmNotConfigured(channel) => write!(
                formatter,
                "PWM channel {} has no frequency yet",
                channel.index()
            ),
            Self::InvalidI2cBus(bus) => write!(formatter, "invalid I2C bus {bus} (0 or 1)"),
            Self::InvalidAddress(address) => {
                write!(formatter, "invalid I2C address {address:#x} (0x00 to 0x7f)")
            }
            Self::InvalidSpiMode(mode) => write!(formatter, "invalid SPI mode {mode} (0 to 3)"),
            Self::InvalidChipSelect(chip_select) => {
                write!(formatter, "invalid SPI chip select {chip_select} (0 or 1)")
            }
            Self::InvalidLength { length, min, max } => write!(
                formatter,
                "invalid transfer length {length} ({min} to {max} bytes)"
            ),
            Self::LengthMismatch { write, read } => write!(
                formatter,
                "write buffer has {write} bytes but read buffer has {read}"
            ),
            Self::Nack { address } => write!(formatter, "I2C device {address:#04x}: no ACK"),
            Self::ClockStretchTimeout { address } => write!(
                formatter,
                "I2C device {address:#04x}: clock stretch timeout"
            ),
            Self::Incomplete {
                expected,
                transferred,
            } => write!(
                formatter,
                "transfer ended after {transferred} of {expected} bytes"
            ),
            Self::Timeout { operation, micros } => write!(
                formatter,
                "{} timed out after {micros} µs",
                operation.description()
            ),
            Self::ClockBusy(clock) => {
                write!(formatter, "clock generator {} stays busy", clock.name())
            }
        }
    }
}

/// Writes " a, b, c": the pins that can carry `signal`.
fn write_pins(formatter: &mut fmt::Formatter<'_>, signal: Signal) -> fmt::Result {
    for (index, (pin, _)) in crate::pins::pins_for(signal).enumerate() {
        let separator = if index == 0 { " " } else { ", " };
        write!(formatter, "{separator}{pin}")?;
    }
    Ok(())
}
