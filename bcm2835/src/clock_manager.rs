//! Clock manager: the general-purpose and PWM clock generators (source, divisor, MASH).
//!
//! BCM2835 ARM Peripherals, section 6.3 (general-purpose clocks); the PWM clock's CM_PWMCTL /
//! CM_PWMDIV pair at 0xa0 / 0xa4 has the same layout (the datasheet does not list it; its
//! errata and every PWM user do). Every write carries the password 0x5a in bits 31:24, or the
//! hardware ignores it. The datasheet asks not to change the divisor or the source while BUSY
//! is set, and not to change them in the same write that sets ENAB; [`ClockManager::configure`]
//! follows that.
use tock_registers::{register_bitfields, LocalRegisterCopy};

use crate::{
    register::{Deadline, Register},
    Clock, Error, Registers,
};

/// The clock manager block's ARM physical address.
pub const BASE: usize = 0x2010_1000;

/// The password in bits 31:24 of every clock manager write.
pub const PASSWORD: u32 = 0x5a;

/// The crystal oscillator's frequency.
pub const OSCILLATOR_HZ: u32 = 19_200_000;

/// PLLD's frequency on a Pi 1 / Zero (set up by the firmware, not changed by it afterwards).
pub const PLLD_HZ: u32 = 500_000_000;

/// The largest integer divisor (DIVI is 12 bits).
pub const MAX_DIVISOR: u32 = 4095;

/// How long [`ClockManager::stop`] waits for BUSY to clear, before and after KILL.
pub const DEFAULT_BUSY_TIMEOUT_MICROS: u32 = 1_000;

register_bitfields! {u32,
    /// Clock Manager General Purpose (and PWM) Clocks Control.
    CM_CTL [
        /// Clock Manager password "5a".
        PASSWD OFFSET(24) NUMBITS(8) [
            /// The only value that makes a write count.
            Password = 0x5a
        ],
        /// MASH control: the order of the noise shaper on the fractional divisor.
        MASH OFFSET(9) NUMBITS(2) [
            /// Integer division.
            Integer = 0,
            /// 1-stage MASH.
            Stage1 = 1,
            /// 2-stage MASH.
            Stage2 = 2,
            /// 3-stage MASH.
            Stage3 = 3
        ],
        /// Invert the clock generator output (test only).
        FLIP OFFSET(8) NUMBITS(1) [],
        /// Clock generator is running.
        BUSY OFFSET(7) NUMBITS(1) [],
        /// Kill the clock generator: stop and reset it (may glitch the output).
        KILL OFFSET(5) NUMBITS(1) [],
        /// Enable the clock generator (requests a glitch-free start or stop).
        ENAB OFFSET(4) NUMBITS(1) [],
        /// Clock source.
        SRC OFFSET(0) NUMBITS(4) [
            /// 0 Hz.
            Gnd = 0,
            /// Oscillator, 19.2 MHz.
            Oscillator = 1,
            /// Test debug 0.
            Testdebug0 = 2,
            /// Test debug 1.
            Testdebug1 = 3,
            /// PLLA per.
            PllA = 4,
            /// PLLC per.
            PllC = 5,
            /// PLLD per, 500 MHz.
            PllD = 6,
            /// HDMI auxiliary.
            HdmiAuxiliary = 7
        ]
    ],
    /// Clock Manager General Purpose (and PWM) Clock Divisors.
    CM_DIV [
        /// Clock Manager password "5a".
        PASSWD OFFSET(24) NUMBITS(8) [
            /// The only value that makes a write count.
            Password = 0x5a
        ],
        /// Integer part of divisor.
        DIVI OFFSET(12) NUMBITS(12) [],
        /// Fractional part of divisor, in 4096ths.
        DIVF OFFSET(0) NUMBITS(12) []
    ]
}

/// A clock generator of the clock manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockId {
    /// General-purpose clock 0 (CM_GP0CTL 0x70 / CM_GP0DIV 0x74), output on GPCLK0.
    Gp0,
    /// General-purpose clock 1 (0x78 / 0x7c); the firmware may use it.
    Gp1,
    /// General-purpose clock 2 (0x80 / 0x84).
    Gp2,
    /// The PWM block's clock (CM_PWMCTL 0xa0 / CM_PWMDIV 0xa4).
    Pwm,
}

impl ClockId {
    /// The name for messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Gp0 => "GP0",
            Self::Gp1 => "GP1",
            Self::Gp2 => "GP2",
            Self::Pwm => "PWM",
        }
    }

    /// The control register's offset in the clock manager block.
    pub const fn control_offset(self) -> usize {
        match self {
            Self::Gp0 => 0x70,
            Self::Gp1 => 0x78,
            Self::Gp2 => 0x80,
            Self::Pwm => 0xa0,
        }
    }

    /// The divisor register's offset (right after the control register).
    pub const fn divisor_offset(self) -> usize {
        self.control_offset() + 4
    }

    const fn control(self) -> Register<CM_CTL::Register> {
        Register::at(self.control_offset())
    }

    const fn divisor(self) -> Register<CM_DIV::Register> {
        Register::at(self.divisor_offset())
    }
}

/// Where a clock generator takes its input from (the two sources with a known, fixed rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockSource {
    /// The 19.2 MHz crystal oscillator.
    Oscillator,
    /// PLLD, 500 MHz.
    PllD,
}

impl ClockSource {
    /// The source's frequency.
    pub const fn hz(self) -> u32 {
        match self {
            Self::Oscillator => OSCILLATOR_HZ,
            Self::PllD => PLLD_HZ,
        }
    }

    const fn field(self) -> tock_registers::fields::FieldValue<u32, CM_CTL::Register> {
        match self {
            Self::Oscillator => CM_CTL::SRC::Oscillator,
            Self::PllD => CM_CTL::SRC::PllD,
        }
    }
}

/// The divisor's noise shaping: integer division, or MASH of order 1 to 3 for a fractional
/// divisor (the output then jitters between neighbouring periods around the average).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mash {
    /// Integer division; the fraction is ignored.
    Integer,
    /// 1-stage MASH.
    Stage1,
    /// 2-stage MASH.
    Stage2,
    /// 3-stage MASH.
    Stage3,
}

impl Mash {
    /// The smallest integer divisor allowed with this filter (datasheet table 6-32).
    pub const fn min_divisor(self) -> u32 {
        match self {
            Self::Integer => 1,
            Self::Stage1 => 2,
            Self::Stage2 => 3,
            Self::Stage3 => 5,
        }
    }

    const fn field(self) -> tock_registers::fields::FieldValue<u32, CM_CTL::Register> {
        match self {
            Self::Integer => CM_CTL::MASH::Integer,
            Self::Stage1 => CM_CTL::MASH::Stage1,
            Self::Stage2 => CM_CTL::MASH::Stage2,
            Self::Stage3 => CM_CTL::MASH::Stage3,
        }
    }
}

/// A clock generator setting: source, filter and divisor, with the frequency it gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockPlan {
    /// The input.
    pub source: ClockSource,
    /// The filter.
    pub mash: Mash,
    /// Integer part of the divisor (DIVI).
    pub integer: u32,
    /// Fractional part of the divisor in 4096ths (DIVF); 0 with [`Mash::Integer`].
    pub fraction: u32,
}

impl ClockPlan {
    /// The setting nearest to `hz`: with [`Mash::Integer`] the divisor is `source / hz`
    /// rounded to the nearest integer, otherwise `source × 4096 / hz` rounded to the nearest
    /// 4096th. A frequency that needs a divisor outside `mash.min_divisor()` to 4095 (and
    /// 4095 + 4095/4096 with MASH) is refused with [`Error::FrequencyOutOfRange`] naming it.
    pub fn for_frequency(source: ClockSource, hz: u32, mash: Mash) -> Result<Self, Error> {
        let source_hz = u64::from(source.hz());
        let (min_hz, max_hz) = Self::frequency_range(source, mash);
        if hz < min_hz || hz > max_hz {
            return Err(Error::FrequencyOutOfRange { hz, min_hz, max_hz });
        }
        let hz = u64::from(hz);
        let (integer, fraction) = match mash {
            Mash::Integer => ((source_hz + hz / 2) / hz, 0),
            _ => {
                let divisor = (source_hz * 4096 + hz / 2) / hz;
                (divisor >> 12, divisor & 0xfff)
            }
        };
        Ok(Self {
            source,
            mash,
            integer: integer as u32,
            fraction: fraction as u32,
        })
    }

    /// An integer divisor setting, or [`Error::FrequencyOutOfRange`] (naming the frequency it
    /// would give) if `divisor` is 0 or above 4095.
    pub fn integer(source: ClockSource, divisor: u32) -> Result<Self, Error> {
        if (1..=MAX_DIVISOR).contains(&divisor) {
            Ok(Self {
                source,
                mash: Mash::Integer,
                integer: divisor,
                fraction: 0,
            })
        } else {
            let (min_hz, max_hz) = Self::frequency_range(source, Mash::Integer);
            Err(Error::FrequencyOutOfRange {
                hz: source.hz().checked_div(divisor).unwrap_or(u32::MAX),
                min_hz,
                max_hz,
            })
        }
    }

    /// The lowest and highest frequency (in whole hertz) `source` gives through `mash`.
    pub fn frequency_range(source: ClockSource, mash: Mash) -> (u32, u32) {
        let source_hz = u64::from(source.hz());
        let max_hz = source_hz / u64::from(mash.min_divisor());
        let largest_divisor = match mash {
            Mash::Integer => u64::from(MAX_DIVISOR),
            _ => u64::from(MAX_DIVISOR) * 4096 + 4095,
        };
        let scale = if mash == Mash::Integer { 1 } else { 4096 };
        let min_hz = (source_hz * scale).div_ceil(largest_divisor);
        (min_hz as u32, max_hz as u32)
    }

    /// The average output frequency in millihertz: source / (DIVI + DIVF / 4096), rounded.
    pub fn achieved_millihertz(&self) -> u64 {
        let divisor = self.divisor_4096ths();
        (u64::from(self.source.hz()) * 4096 * 1000 + divisor / 2) / divisor
    }

    /// The average output frequency in hertz, rounded.
    pub fn achieved_hz(&self) -> u32 {
        let divisor = self.divisor_4096ths();
        ((u64::from(self.source.hz()) * 4096 + divisor / 2) / divisor) as u32
    }

    /// The divisor in 4096ths, as the hardware divides (the fraction ignored without MASH;
    /// at least 1, so a hand-made plan cannot divide by zero).
    fn divisor_4096ths(&self) -> u64 {
        let fraction = if self.mash == Mash::Integer {
            0
        } else {
            self.fraction
        };
        ((u64::from(self.integer) << 12) | u64::from(fraction)).max(1)
    }
}

/// The clock manager, over the block at [`BASE`].
pub struct ClockManager<B, C> {
    bus: B,
    clock: C,
    busy_timeout_micros: u32,
}

impl<B: Registers, C: Clock> ClockManager<B, C> {
    /// The driver; touches no register.
    pub const fn new(bus: B, clock: C) -> Self {
        Self {
            bus,
            clock,
            busy_timeout_micros: DEFAULT_BUSY_TIMEOUT_MICROS,
        }
    }

    /// Changes how long [`ClockManager::stop`] waits for BUSY to clear (each time).
    pub const fn with_busy_timeout(mut self, micros: u32) -> Self {
        self.busy_timeout_micros = micros;
        self
    }

    /// Whether the generator is running (one read of its control register, BUSY).
    pub fn is_busy(&self, id: ClockId) -> bool {
        id.control().read(&self.bus).is_set(CM_CTL::BUSY)
    }

    /// Stops the generator: clears ENAB (keeping the source and MASH; the read-only BUSY is
    /// written as 0), then polls BUSY; if it
    /// is still set after the timeout, sets KILL and polls again. [`Error::ClockBusy`] if
    /// even KILL leaves it running.
    pub fn stop(&self, id: ClockId) -> Result<(), Error> {
        let control = id.control();
        let mut value = control.read(&self.bus);
        value.modify(
            CM_CTL::PASSWD::Password
                + CM_CTL::ENAB::CLEAR
                + CM_CTL::KILL::CLEAR
                + CM_CTL::BUSY::CLEAR,
        );
        control.write_copy(&self.bus, value);
        if self.wait_not_busy(id) {
            return Ok(());
        }
        value.modify(CM_CTL::KILL::SET);
        control.write_copy(&self.bus, value);
        if self.wait_not_busy(id) {
            Ok(())
        } else {
            Err(Error::ClockBusy(id))
        }
    }

    /// Sets the generator to `plan` and starts it: [`ClockManager::stop`], write the divisor,
    /// write source and MASH with ENAB clear, then the same with ENAB set.
    pub fn configure(&self, id: ClockId, plan: &ClockPlan) -> Result<(), Error> {
        self.stop(id)?;
        id.divisor().write(
            &self.bus,
            CM_DIV::PASSWD::Password
                + CM_DIV::DIVI.val(plan.integer)
                + CM_DIV::DIVF.val(plan.fraction),
        );
        let mut control = LocalRegisterCopy::<u32, CM_CTL::Register>::new(0);
        control.write(CM_CTL::PASSWD::Password + plan.source.field() + plan.mash.field());
        id.control().write_copy(&self.bus, control);
        control.modify(CM_CTL::ENAB::SET);
        id.control().write_copy(&self.bus, control);
        Ok(())
    }

    /// Plans `hz` from `source` through `mash` ([`ClockPlan::for_frequency`]), configures the
    /// generator, and returns the plan (its `achieved_hz` is the frequency actually made).
    pub fn set_frequency(
        &self,
        id: ClockId,
        source: ClockSource,
        hz: u32,
        mash: Mash,
    ) -> Result<ClockPlan, Error> {
        let plan = ClockPlan::for_frequency(source, hz, mash)?;
        self.configure(id, &plan)?;
        Ok(plan)
    }

    /// Polls BUSY until clear (true) or the timeout (false).
    fn wait_not_busy(&self, id: ClockId) -> bool {
        let deadline = Deadline::start(&self.clock, self.busy_timeout_micros);
        loop {
            if !self.is_busy(id) {
                return true;
            }
            if deadline.expired(&self.clock) {
                return false;
            }
        }
    }
}
