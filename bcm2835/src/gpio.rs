//! GPIO: function select, set/clear/level, pull-up/down, edge and level detection, events.
//!
//! BCM2835 ARM Peripherals, chapter 6. Pins 0 to 31 live in bank 0 of each per-pin register,
//! pins 32 to 53 in bank 1; function select packs ten pins of three bits per register.
use tock_registers::{fields::Field, register_bitfields};

use crate::{register::Register, Clock, Error, Registers};

/// The GPIO block's ARM physical address.
pub const BASE: usize = 0x2020_0000;

/// How many GPIO pins the BCM2835 has (0 to 53).
pub const PIN_COUNT: u32 = 54;

/// The set-up and hold time of the pull-up/down sequence, in cycles (datasheet, GPPUDCLKn).
pub const PULL_SETUP_CYCLES: u32 = 150;

register_bitfields! {u32,
    /// GPIO Function Select n: three bits per pin, ten pins per register.
    GPFSEL [
        /// Function of pin 10n + 0.
        FSEL0 OFFSET(0) NUMBITS(3) [
            /// 000 = GPIO pin is an input.
            Input = 0b000,
            /// 001 = GPIO pin is an output.
            Output = 0b001,
            /// 100 = alternate function 0.
            Alt0 = 0b100,
            /// 101 = alternate function 1.
            Alt1 = 0b101,
            /// 110 = alternate function 2.
            Alt2 = 0b110,
            /// 111 = alternate function 3.
            Alt3 = 0b111,
            /// 011 = alternate function 4.
            Alt4 = 0b011,
            /// 010 = alternate function 5.
            Alt5 = 0b010
        ],
        /// Function of pin 10n + 1.
        FSEL1 OFFSET(3) NUMBITS(3) [],
        /// Function of pin 10n + 2.
        FSEL2 OFFSET(6) NUMBITS(3) [],
        /// Function of pin 10n + 3.
        FSEL3 OFFSET(9) NUMBITS(3) [],
        /// Function of pin 10n + 4.
        FSEL4 OFFSET(12) NUMBITS(3) [],
        /// Function of pin 10n + 5.
        FSEL5 OFFSET(15) NUMBITS(3) [],
        /// Function of pin 10n + 6.
        FSEL6 OFFSET(18) NUMBITS(3) [],
        /// Function of pin 10n + 7.
        FSEL7 OFFSET(21) NUMBITS(3) [],
        /// Function of pin 10n + 8.
        FSEL8 OFFSET(24) NUMBITS(3) [],
        /// Function of pin 10n + 9.
        FSEL9 OFFSET(27) NUMBITS(3) []
    ],
    /// GPIO Pin Pull-up/down Enable.
    GPPUD [
        /// PUD: the control signal latched into the pins whose GPPUDCLKn bit is clocked.
        PUD OFFSET(0) NUMBITS(2) [
            /// 00 = off, disable pull-up/down.
            Off = 0b00,
            /// 01 = enable pull down control.
            Down = 0b01,
            /// 10 = enable pull up control.
            Up = 0b10
        ]
    ]
}

/// The FSELn fields of a GPFSEL register, indexed by pin % 10.
const FSEL: [Field<u32, GPFSEL::Register>; 10] = [
    GPFSEL::FSEL0,
    GPFSEL::FSEL1,
    GPFSEL::FSEL2,
    GPFSEL::FSEL3,
    GPFSEL::FSEL4,
    GPFSEL::FSEL5,
    GPFSEL::FSEL6,
    GPFSEL::FSEL7,
    GPFSEL::FSEL8,
    GPFSEL::FSEL9,
];

/// GPFSEL0; GPFSEL1 to GPFSEL5 follow every 4 bytes.
const GPFSEL0: usize = 0x00;
/// GPSET0 (write 1 to drive high); GPSET1 follows.
const GPSET0: usize = 0x1c;
/// GPCLR0 (write 1 to drive low); GPCLR1 follows.
const GPCLR0: usize = 0x28;
/// GPLEV0 (pin levels); GPLEV1 follows.
const GPLEV0: usize = 0x34;
/// GPEDS0 (event detect status, write 1 to clear); GPEDS1 follows.
const GPEDS0: usize = 0x40;
/// GPREN0 (rising edge detect enable); GPREN1 follows.
const GPREN0: usize = 0x4c;
/// GPFEN0 (falling edge detect enable); GPFEN1 follows.
const GPFEN0: usize = 0x58;
/// GPHEN0 (high level detect enable); GPHEN1 follows.
const GPHEN0: usize = 0x64;
/// GPLEN0 (low level detect enable); GPLEN1 follows.
const GPLEN0: usize = 0x70;
/// GPAREN0 (asynchronous rising edge detect enable); GPAREN1 follows.
const GPAREN0: usize = 0x7c;
/// GPAFEN0 (asynchronous falling edge detect enable); GPAFEN1 follows.
const GPAFEN0: usize = 0x88;
/// GPPUD.
const PULL_CONTROL: Register<GPPUD::Register> = Register::at(0x94);
/// GPPUDCLK0 (clocks the pull control into the pins whose bit is set); GPPUDCLK1 follows.
const GPPUDCLK0: usize = 0x98;

/// A validated GPIO number, 0 to 53.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pin(u8);

impl Pin {
    /// The pin `number`, or [`Error::InvalidPin`] naming it if it is above 53.
    pub const fn new(number: u32) -> Result<Self, Error> {
        if number < PIN_COUNT {
            Ok(Self(number as u8))
        } else {
            Err(Error::InvalidPin(number))
        }
    }

    /// The GPIO number.
    pub const fn number(self) -> u32 {
        self.0 as u32
    }

    /// The offset of this pin's bank in a two-register per-pin set starting at `bank0`.
    const fn bank_offset(self, bank0: usize) -> usize {
        bank0 + 4 * (self.0 as usize / 32)
    }

    /// This pin's bit within its bank.
    const fn bank_bit(self) -> u32 {
        1 << (self.0 % 32)
    }
}

impl TryFrom<u32> for Pin {
    type Error = Error;

    fn try_from(number: u32) -> Result<Self, Error> {
        Self::new(number)
    }
}

/// What a pin is connected to (its 3-bit function select code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// General-purpose input.
    Input,
    /// General-purpose output.
    Output,
    /// Alternate function 0.
    Alt0,
    /// Alternate function 1.
    Alt1,
    /// Alternate function 2.
    Alt2,
    /// Alternate function 3.
    Alt3,
    /// Alternate function 4.
    Alt4,
    /// Alternate function 5.
    Alt5,
}

impl Function {
    /// Alternate function `number` (0 to 5), or [`Error::InvalidAlternateFunction`] naming it.
    pub const fn alternate(number: u32) -> Result<Self, Error> {
        match number {
            0 => Ok(Self::Alt0),
            1 => Ok(Self::Alt1),
            2 => Ok(Self::Alt2),
            3 => Ok(Self::Alt3),
            4 => Ok(Self::Alt4),
            5 => Ok(Self::Alt5),
            _ => Err(Error::InvalidAlternateFunction(number)),
        }
    }

    /// The alternate function's number, `None` for input and output.
    pub const fn alternate_number(self) -> Option<u32> {
        match self {
            Self::Input | Self::Output => None,
            Self::Alt0 => Some(0),
            Self::Alt1 => Some(1),
            Self::Alt2 => Some(2),
            Self::Alt3 => Some(3),
            Self::Alt4 => Some(4),
            Self::Alt5 => Some(5),
        }
    }

    /// The GPFSEL code (note ALT4 = 0b011 and ALT5 = 0b010).
    pub const fn code(self) -> u32 {
        match self {
            Self::Input => 0b000,
            Self::Output => 0b001,
            Self::Alt0 => 0b100,
            Self::Alt1 => 0b101,
            Self::Alt2 => 0b110,
            Self::Alt3 => 0b111,
            Self::Alt4 => 0b011,
            Self::Alt5 => 0b010,
        }
    }

    /// The function of a GPFSEL code (only its low three bits count).
    pub const fn from_code(code: u32) -> Self {
        match code & 0b111 {
            0b000 => Self::Input,
            0b001 => Self::Output,
            0b100 => Self::Alt0,
            0b101 => Self::Alt1,
            0b110 => Self::Alt2,
            0b111 => Self::Alt3,
            0b011 => Self::Alt4,
            _ => Self::Alt5,
        }
    }
}

/// The pull resistor control (GPPUD.PUD).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pull {
    /// Neither pull-up nor pull-down.
    Off,
    /// Pull-down to ground.
    Down,
    /// Pull-up to 3.3 V.
    Up,
}

/// A pin condition that sets the pin's bit in GPEDSn (and raises the GPIO interrupt).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Detect {
    /// A synchronous rising edge (GPRENn: the level was 0 then 1 over three samples).
    RisingEdge,
    /// A synchronous falling edge (GPFENn).
    FallingEdge,
    /// A high level (GPHENn: stays set while the pin is high, even after clearing).
    High,
    /// A low level (GPLENn).
    Low,
    /// An asynchronous rising edge, not sampled by the system clock (GPARENn).
    AsyncRisingEdge,
    /// An asynchronous falling edge (GPAFENn).
    AsyncFallingEdge,
}

impl Detect {
    /// The bank 0 register of this detect enable.
    const fn bank0(self) -> usize {
        match self {
            Self::RisingEdge => GPREN0,
            Self::FallingEdge => GPFEN0,
            Self::High => GPHEN0,
            Self::Low => GPLEN0,
            Self::AsyncRisingEdge => GPAREN0,
            Self::AsyncFallingEdge => GPAFEN0,
        }
    }
}

/// The GPIO controller, over the block at [`BASE`].
pub struct Gpio<B, C> {
    bus: B,
    clock: C,
}

impl<B: Registers, C: Clock> Gpio<B, C> {
    /// The driver; touches no register.
    pub const fn new(bus: B, clock: C) -> Self {
        Self { bus, clock }
    }

    /// Connects `pin` to `function` (one read and one write of its GPFSELn).
    pub fn set_function(&self, pin: Pin, function: Function) {
        let register = Self::function_select(pin);
        let field = FSEL[pin.0 as usize % 10];
        register.modify(&self.bus, field.val(function.code()));
    }

    /// The function `pin` is connected to (one read of its GPFSELn).
    pub fn function(&self, pin: Pin) -> Function {
        let field = FSEL[pin.0 as usize % 10];
        Function::from_code(Self::function_select(pin).read(&self.bus).read(field))
    }

    /// Drives `pin` high if it is an output (one write of GPSETn).
    pub fn set_high(&self, pin: Pin) {
        self.bus.write(pin.bank_offset(GPSET0), pin.bank_bit());
    }

    /// Drives `pin` low if it is an output (one write of GPCLRn).
    pub fn set_low(&self, pin: Pin) {
        self.bus.write(pin.bank_offset(GPCLR0), pin.bank_bit());
    }

    /// Drives `pin` high or low.
    pub fn write(&self, pin: Pin, high: bool) {
        if high {
            self.set_high(pin);
        } else {
            self.set_low(pin);
        }
    }

    /// Whether `pin` reads high (one read of GPLEVn).
    pub fn is_high(&self, pin: Pin) -> bool {
        self.bus.read(pin.bank_offset(GPLEV0)) & pin.bank_bit() != 0
    }

    /// The levels of pins 0..=31 (one read of GPLEV0): bit n is pin n.
    pub fn levels_low_bank(&self) -> u32 {
        self.bus.read(GPLEV0)
    }

    /// The levels of all 54 pins (GPLEV0, then GPLEV1): bit n is pin n.
    pub fn levels(&self) -> u64 {
        let low = u64::from(self.bus.read(GPLEV0));
        let high = u64::from(self.bus.read(GPLEV0 + 4) & 0x003f_ffff);
        low | high << 32
    }

    /// Sets `pin`'s pull resistor with the datasheet's sequence: write GPPUD, wait 150 cycles,
    /// clock the pin's GPPUDCLKn bit, wait 150 cycles, then remove the control (GPPUD = 0)
    /// and the clock (GPPUDCLKn = 0).
    pub fn set_pull(&self, pin: Pin, pull: Pull) {
        let control = match pull {
            Pull::Off => GPPUD::PUD::Off,
            Pull::Down => GPPUD::PUD::Down,
            Pull::Up => GPPUD::PUD::Up,
        };
        let clock_register = Register::<()>::at(pin.bank_offset(GPPUDCLK0));
        PULL_CONTROL.write(&self.bus, control);
        self.clock.delay_cycles(PULL_SETUP_CYCLES);
        clock_register.write_raw(&self.bus, pin.bank_bit());
        self.clock.delay_cycles(PULL_SETUP_CYCLES);
        PULL_CONTROL.write(&self.bus, GPPUD::PUD::Off);
        clock_register.write_raw(&self.bus, 0);
    }

    /// Turns the `detect` condition on or off for `pin` (one read and one write).
    pub fn set_detect(&self, pin: Pin, detect: Detect, enabled: bool) {
        let offset = pin.bank_offset(detect.bank0());
        let current = self.bus.read(offset);
        let value = if enabled {
            current | pin.bank_bit()
        } else {
            current & !pin.bank_bit()
        };
        self.bus.write(offset, value);
    }

    /// Whether an enabled condition has been seen on `pin` (one read of GPEDSn).
    pub fn event_detected(&self, pin: Pin) -> bool {
        self.bus.read(pin.bank_offset(GPEDS0)) & pin.bank_bit() != 0
    }

    /// Clears `pin`'s event (writes 1 to its GPEDSn bit; the other bits are left alone).
    pub fn clear_event(&self, pin: Pin) {
        self.bus.write(pin.bank_offset(GPEDS0), pin.bank_bit());
    }

    /// Every pin's event bit: bit n is GPIO n (reads GPEDS0 then GPEDS1).
    pub fn pending_events(&self) -> u64 {
        let low = self.bus.read(GPEDS0);
        let high = self.bus.read(GPEDS0 + 4);
        u64::from(low) | u64::from(high) << 32
    }

    /// Clears the events of the pins whose bit is set in `pins` (bit n is GPIO n); writes only
    /// the banks that have a bit set.
    pub fn clear_events(&self, pins: u64) {
        let low = pins as u32;
        let high = (pins >> 32) as u32 & ((1 << (PIN_COUNT - 32)) - 1);
        if low != 0 {
            self.bus.write(GPEDS0, low);
        }
        if high != 0 {
            self.bus.write(GPEDS0 + 4, high);
        }
    }

    /// The GPFSELn register holding `pin`'s function.
    const fn function_select(pin: Pin) -> Register<GPFSEL::Register> {
        Register::at(GPFSEL0 + 4 * (pin.0 as usize / 10))
    }
}
