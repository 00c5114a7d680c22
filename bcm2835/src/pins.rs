//! Which GPIO pins carry which peripheral signals, and in which alternate function.
//!
//! From the BCM2835 ARM Peripherals alternate function table (section 6.2), restricted to the
//! signals of the drivers in this crate (and the general-purpose clocks). Only GPIO 0 to 27
//! reach a Pi 1 B+ / Zero header; the others are listed because the SoC has them (the
//! Compute Module, and the pins some boards wire to audio or the SD card).
use crate::{
    gpio::{Function, Pin},
    i2c::Controller,
    pwm::Channel,
    Error,
};

/// A peripheral signal that a pin's alternate function can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    /// PWM channel 1 output (the datasheet's PWM0).
    Pwm0,
    /// PWM channel 2 output (the datasheet's PWM1).
    Pwm1,
    /// BSC0 data.
    Sda0,
    /// BSC0 clock.
    Scl0,
    /// BSC1 data.
    Sda1,
    /// BSC1 clock.
    Scl1,
    /// SPI0 chip select 0.
    Spi0Ce0,
    /// SPI0 chip select 1.
    Spi0Ce1,
    /// SPI0 data in.
    Spi0Miso,
    /// SPI0 data out.
    Spi0Mosi,
    /// SPI0 clock.
    Spi0Sclk,
    /// Mini UART (UART1) transmit.
    Txd1,
    /// Mini UART (UART1) receive.
    Rxd1,
    /// Mini UART (UART1) clear to send.
    Cts1,
    /// Mini UART (UART1) request to send.
    Rts1,
    /// General-purpose clock 0 output.
    Gpclk0,
    /// General-purpose clock 1 output.
    Gpclk1,
    /// General-purpose clock 2 output.
    Gpclk2,
}

impl Signal {
    /// The datasheet's name of the signal.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pwm0 => "PWM0",
            Self::Pwm1 => "PWM1",
            Self::Sda0 => "SDA0",
            Self::Scl0 => "SCL0",
            Self::Sda1 => "SDA1",
            Self::Scl1 => "SCL1",
            Self::Spi0Ce0 => "SPI0_CE0_N",
            Self::Spi0Ce1 => "SPI0_CE1_N",
            Self::Spi0Miso => "SPI0_MISO",
            Self::Spi0Mosi => "SPI0_MOSI",
            Self::Spi0Sclk => "SPI0_SCLK",
            Self::Txd1 => "TXD1",
            Self::Rxd1 => "RXD1",
            Self::Cts1 => "CTS1",
            Self::Rts1 => "RTS1",
            Self::Gpclk0 => "GPCLK0",
            Self::Gpclk1 => "GPCLK1",
            Self::Gpclk2 => "GPCLK2",
        }
    }
}

/// `(GPIO, function, signal)`, in GPIO order.
pub const ALTERNATE_FUNCTIONS: &[(u8, Function, Signal)] = &[
    (0, Function::Alt0, Signal::Sda0),
    (1, Function::Alt0, Signal::Scl0),
    (2, Function::Alt0, Signal::Sda1),
    (3, Function::Alt0, Signal::Scl1),
    (4, Function::Alt0, Signal::Gpclk0),
    (5, Function::Alt0, Signal::Gpclk1),
    (6, Function::Alt0, Signal::Gpclk2),
    (7, Function::Alt0, Signal::Spi0Ce1),
    (8, Function::Alt0, Signal::Spi0Ce0),
    (9, Function::Alt0, Signal::Spi0Miso),
    (10, Function::Alt0, Signal::Spi0Mosi),
    (11, Function::Alt0, Signal::Spi0Sclk),
    (12, Function::Alt0, Signal::Pwm0),
    (13, Function::Alt0, Signal::Pwm1),
    (14, Function::Alt5, Signal::Txd1),
    (15, Function::Alt5, Signal::Rxd1),
    (16, Function::Alt5, Signal::Cts1),
    (17, Function::Alt5, Signal::Rts1),
    (18, Function::Alt5, Signal::Pwm0),
    (19, Function::Alt5, Signal::Pwm1),
    (20, Function::Alt5, Signal::Gpclk0),
    (21, Function::Alt5, Signal::Gpclk1),
    (28, Function::Alt0, Signal::Sda0),
    (29, Function::Alt0, Signal::Scl0),
    (30, Function::Alt5, Signal::Cts1),
    (31, Function::Alt5, Signal::Rts1),
    (32, Function::Alt0, Signal::Gpclk0),
    (32, Function::Alt5, Signal::Txd1),
    (33, Function::Alt5, Signal::Rxd1),
    (34, Function::Alt0, Signal::Gpclk0),
    (35, Function::Alt0, Signal::Spi0Ce1),
    (36, Function::Alt0, Signal::Spi0Ce0),
    (37, Function::Alt0, Signal::Spi0Miso),
    (38, Function::Alt0, Signal::Spi0Mosi),
    (39, Function::Alt0, Signal::Spi0Sclk),
    (40, Function::Alt0, Signal::Pwm0),
    (40, Function::Alt5, Signal::Txd1),
    (41, Function::Alt0, Signal::Pwm1),
    (41, Function::Alt5, Signal::Rxd1),
    (42, Function::Alt0, Signal::Gpclk1),
    (42, Function::Alt5, Signal::Rts1),
    (43, Function::Alt0, Signal::Gpclk2),
    (43, Function::Alt5, Signal::Cts1),
    (44, Function::Alt0, Signal::Gpclk1),
    (44, Function::Alt1, Signal::Sda0),
    (44, Function::Alt2, Signal::Sda1),
    (45, Function::Alt0, Signal::Pwm1),
    (45, Function::Alt1, Signal::Scl0),
    (45, Function::Alt2, Signal::Scl1),
];

/// The pins that can carry `signal`, each with the function that does, in GPIO order.
pub fn pins_for(signal: Signal) -> impl Iterator<Item = (u8, Function)> {
    ALTERNATE_FUNCTIONS
        .iter()
        .filter(move |(_, _, carried)| *carried == signal)
        .map(|(pin, function, _)| (*pin, *function))
}

/// The function that connects `pin` to `signal`, or [`Error::PinCannotCarry`] (whose message
/// lists the pins that can).
pub fn function_for(pin: Pin, signal: Signal) -> Result<Function, Error> {
    pins_for(signal)
        .find(|(candidate, _)| u32::from(*candidate) == pin.number())
        .map(|(_, function)| function)
        .ok_or(Error::PinCannotCarry {
            pin: pin.number(),
            signal,
        })
}

/// Checks a GPIO number for carrying `signal`: the pin and its function, or the error naming
/// the bad number ([`Error::InvalidPin`] or [`Error::PinCannotCarry`]).
pub fn route(pin: u32, signal: Signal) -> Result<(Pin, Function), Error> {
    let pin = Pin::new(pin)?;
    Ok((pin, function_for(pin, signal)?))
}

/// The PWM channel a pin can output, with its function (for `machine.PWM(Pin(n))`), or
/// [`Error::InvalidPin`] / [`Error::NoPwmOnPin`] naming the number.
pub fn pwm_channel_for(pin: u32) -> Result<(Channel, Route), Error> {
    let pin = Pin::new(pin)?;
    [(Signal::Pwm0, Channel::Pwm0), (Signal::Pwm1, Channel::Pwm1)]
        .into_iter()
        .find_map(|(signal, channel)| {
            function_for(pin, signal)
                .ok()
                .map(|function| (channel, Route { pin, function }))
        })
        .ok_or(Error::NoPwmOnPin(pin.number()))
}

/// A pin with the function that connects it to its signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The pin.
    pub pin: Pin,
    /// The function to select for it.
    pub function: Function,
}

impl Route {
    /// Checks `pin` for carrying `signal`.
    pub fn new(pin: u32, signal: Signal) -> Result<Self, Error> {
        route(pin, signal).map(|(pin, function)| Self { pin, function })
    }
}

/// The two pins of an I2C bus, named as MicroPython's keyword arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I2cPins {
    /// The clock pin.
    pub scl: Route,
    /// The data pin.
    pub sda: Route,
}

/// Checks `I2C(id, scl=, sda=)`: each pin must carry that controller's signal (SCL0/SDA0 or
/// SCL1/SDA1); the error names the first bad value, the SCL pin checked first.
pub fn i2c_pins(controller: Controller, scl: u32, sda: u32) -> Result<I2cPins, Error> {
    let (scl_signal, sda_signal) = match controller {
        Controller::Bsc0 => (Signal::Scl0, Signal::Sda0),
        Controller::Bsc1 => (Signal::Scl1, Signal::Sda1),
    };
    Ok(I2cPins {
        scl: Route::new(scl, scl_signal)?,
        sda: Route::new(sda, sda_signal)?,
    })
}

/// The default pins of an I2C controller on the 40-pin header (BSC1: GPIO 3/2; BSC0: GPIO 1/0,
/// which the Pi reserves for the HAT ID EEPROM), as `(scl, sda)`.
pub const fn default_i2c_pins(controller: Controller) -> (u32, u32) {
    match controller {
        Controller::Bsc0 => (1, 0),
        Controller::Bsc1 => (3, 2),
    }
}

/// The data pins of SPI0, named as MicroPython's keyword arguments (the chip select pins are
/// checked with [`Route::new`] and [`Signal::Spi0Ce0`] / [`Signal::Spi0Ce1`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpiPins {
    /// The clock pin (`sck=`).
    pub sck: Route,
    /// The data out pin.
    pub mosi: Route,
    /// The data in pin.
    pub miso: Route,
}

/// Checks SPI0's `sck=`, `mosi=`, `miso=` pins (checked in that order).
pub fn spi0_pins(sck: u32, mosi: u32, miso: u32) -> Result<SpiPins, Error> {
    Ok(SpiPins {
        sck: Route::new(sck, Signal::Spi0Sclk)?,
        mosi: Route::new(mosi, Signal::Spi0Mosi)?,
        miso: Route::new(miso, Signal::Spi0Miso)?,
    })
}

/// The mini UART's two data pins, named as MicroPython's keyword arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UartPins {
    /// The transmit pin.
    pub tx: Route,
    /// The receive pin.
    pub rx: Route,
}

/// Checks the mini UART's `tx=`, `rx=` pins: 14/15, 32/33 or 40/41, all ALT5 (14/15 are also
/// the PL011 console's pins in ALT0, so the kernel picks another pair while the console uses
/// them).
pub fn uart1_pins(tx: u32, rx: u32) -> Result<UartPins, Error> {
    Ok(UartPins {
        tx: Route::new(tx, Signal::Txd1)?,
        rx: Route::new(rx, Signal::Rxd1)?,
    })
}
