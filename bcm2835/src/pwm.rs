//! PWM: two channels, mark-space or balanced output, polarity, frequency and duty from the
//! PWM clock.
//!
//! BCM2835 ARM Peripherals, chapter 9. Both channels count the one PWM clock (the clock
//! manager's CM_PWMCTL / CM_PWMDIV, see [`crate::clock_manager`]); each has its own range
//! (RNGn, the period in PWM clock ticks) and data (DATn, the ticks high). Outputs, all
//! alternate functions of the GPIO ([`crate::pins`]): PWM0 (channel 1) on GPIO 12 and 40 in
//! ALT0 and GPIO 18 in ALT5; PWM1 (channel 2) on GPIO 13, 41 and 45 in ALT0 and GPIO 19 in ALT5.
//!
//! # How a frequency is made
//!
//! The PWM clock is `source / DIVI` with an integer divisor (MASH off: a fractional divisor
//! would jitter every period), never faster than [`MAX_CLOCK_HZ`]; the output frequency is
//! `source / (DIVI × RNG)`. [`PwmPlan::new`] takes the smallest DIVI (so the largest RNG, the
//! finest duty resolution) whose frequency is within [`TOLERANCE_PPM`] of the request; if no
//! DIVI is, it takes the DIVI with the smallest error (the smallest DIVI among equals). RNG
//! must be at least [`MIN_RANGE`]. While the other channel is enabled the clock is shared,
//! so DIVI stays as it is and only RNG is chosen (a frequency that DIVI cannot reach is
//! refused rather than disturbing the other channel). From PLLD (500 MHz): DIVI ≥ 5, so
//! 1 Hz to 50 MHz, exact to 100 ppm up to 20 kHz with 5000 or more duty steps.
use tock_registers::{register_bitfields, LocalRegisterCopy};

use crate::{
    clock_manager::{ClockId, ClockManager, ClockPlan, ClockSource, MAX_DIVISOR},
    register::Register,
    Clock, Error, Registers,
};

/// The PWM block's ARM physical address.
pub const BASE: usize = 0x2020_c000;

/// The fastest PWM clock this driver sets up (the datasheet gives no limit for the PWM block;
/// this keeps well inside the peripheral clock domain).
pub const MAX_CLOCK_HZ: u32 = 100_000_000;

/// The smallest range: two ticks per period, so 0 %, 50 % or 100 % duty.
pub const MIN_RANGE: u32 = 2;

/// A frequency error small enough to prefer a finer duty resolution over a closer frequency
/// (parts per million; the crystal itself is good to some tens of ppm).
pub const TOLERANCE_PPM: u64 = 100;

register_bitfields! {u32,
    /// PWM Control.
    CTL [
        /// Channel 2 M/S enable: 1 = M/S transmission, 0 = PWM algorithm.
        MSEN2 OFFSET(15) NUMBITS(1) [],
        /// Channel 2 use FIFO.
        USEF2 OFFSET(13) NUMBITS(1) [],
        /// Channel 2 polarity: 1 = inverted.
        POLA2 OFFSET(12) NUMBITS(1) [],
        /// Channel 2 silence bit: the output when not transmitting.
        SBIT2 OFFSET(11) NUMBITS(1) [],
        /// Channel 2 repeat last data when the FIFO is empty.
        RPTL2 OFFSET(10) NUMBITS(1) [],
        /// Channel 2 mode: 0 = PWM mode, 1 = serialiser mode.
        MODE2 OFFSET(9) NUMBITS(1) [],
        /// Channel 2 enable.
        PWEN2 OFFSET(8) NUMBITS(1) [],
        /// Channel 1 M/S enable: 1 = M/S transmission, 0 = PWM algorithm.
        MSEN1 OFFSET(7) NUMBITS(1) [],
        /// Clear FIFO (single shot, reads 0).
        CLRF1 OFFSET(6) NUMBITS(1) [],
        /// Channel 1 use FIFO.
        USEF1 OFFSET(5) NUMBITS(1) [],
        /// Channel 1 polarity: 1 = inverted.
        POLA1 OFFSET(4) NUMBITS(1) [],
        /// Channel 1 silence bit.
        SBIT1 OFFSET(3) NUMBITS(1) [],
        /// Channel 1 repeat last data.
        RPTL1 OFFSET(2) NUMBITS(1) [],
        /// Channel 1 mode: 0 = PWM mode, 1 = serialiser mode.
        MODE1 OFFSET(1) NUMBITS(1) [],
        /// Channel 1 enable.
        PWEN1 OFFSET(0) NUMBITS(1) []
    ],
    /// PWM Status (the error and gap flags are write 1 to clear).
    STA [
        /// Channel 4 state.
        STA4 OFFSET(12) NUMBITS(1) [],
        /// Channel 3 state.
        STA3 OFFSET(11) NUMBITS(1) [],
        /// Channel 2 state.
        STA2 OFFSET(10) NUMBITS(1) [],
        /// Channel 1 state.
        STA1 OFFSET(9) NUMBITS(1) [],
        /// Bus error flag.
        BERR OFFSET(8) NUMBITS(1) [],
        /// Channel 4 gap occurred.
        GAPO4 OFFSET(7) NUMBITS(1) [],
        /// Channel 3 gap occurred.
        GAPO3 OFFSET(6) NUMBITS(1) [],
        /// Channel 2 gap occurred.
        GAPO2 OFFSET(5) NUMBITS(1) [],
        /// Channel 1 gap occurred.
        GAPO1 OFFSET(4) NUMBITS(1) [],
        /// FIFO read error.
        RERR1 OFFSET(3) NUMBITS(1) [],
        /// FIFO write error.
        WERR1 OFFSET(2) NUMBITS(1) [],
        /// FIFO empty.
        EMPT1 OFFSET(1) NUMBITS(1) [],
        /// FIFO full.
        FULL1 OFFSET(0) NUMBITS(1) []
    ]
}

/// CTL.
const CONTROL: Register<CTL::Register> = Register::at(0x00);
/// STA.
const STATUS: Register<STA::Register> = Register::at(0x04);
/// RNG1 (channel 1 range); DMAC (0x08) and FIF1 (0x18) are for FIFO/DMA use, not driven here.
const RNG1: usize = 0x10;
/// DAT1 (channel 1 data).
const DAT1: usize = 0x14;
/// RNG2 (channel 2 range).
const RNG2: usize = 0x20;
/// DAT2 (channel 2 data).
const DAT2: usize = 0x24;

/// A PWM channel, named by its output signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Channel 1 (PWEN1, RNG1, DAT1), output PWM0.
    Pwm0,
    /// Channel 2 (PWEN2, RNG2, DAT2), output PWM1.
    Pwm1,
}

impl Channel {
    /// Channel `index` (0 = PWM0, 1 = PWM1), or [`Error::InvalidPwmChannel`] naming it.
    pub const fn from_index(index: u32) -> Result<Self, Error> {
        match index {
            0 => Ok(Self::Pwm0),
            1 => Ok(Self::Pwm1),
            _ => Err(Error::InvalidPwmChannel(index)),
        }
    }

    /// 0 for PWM0, 1 for PWM1.
    pub const fn index(self) -> usize {
        match self {
            Self::Pwm0 => 0,
            Self::Pwm1 => 1,
        }
    }

    const fn other(self) -> Self {
        match self {
            Self::Pwm0 => Self::Pwm1,
            Self::Pwm1 => Self::Pwm0,
        }
    }

    const fn range_offset(self) -> usize {
        match self {
            Self::Pwm0 => RNG1,
            Self::Pwm1 => RNG2,
        }
    }

    const fn data_offset(self) -> usize {
        match self {
            Self::Pwm0 => DAT1,
            Self::Pwm1 => DAT2,
        }
    }

    fn is_enabled(self, control: LocalRegisterCopy<u32, CTL::Register>) -> bool {
        match self {
            Self::Pwm0 => control.is_set(CTL::PWEN1),
            Self::Pwm1 => control.is_set(CTL::PWEN2),
        }
    }

    /// Sets this channel's fields of `control`: PWM mode, no FIFO, silence low, `settings`.
    fn apply(
        self,
        control: &mut LocalRegisterCopy<u32, CTL::Register>,
        settings: ChannelSettings,
        enabled: bool,
    ) {
        let mark_space = settings.mode == Mode::MarkSpace;
        let inverted = settings.polarity == Polarity::Inverted;
        match self {
            Self::Pwm0 => control.modify(
                CTL::MODE1::CLEAR
                    + CTL::RPTL1::CLEAR
                    + CTL::SBIT1::CLEAR
                    + CTL::USEF1::CLEAR
                    + CTL::MSEN1.val(mark_space.into())
                    + CTL::POLA1.val(inverted.into())
                    + CTL::PWEN1.val(enabled.into()),
            ),
            Self::Pwm1 => control.modify(
                CTL::MODE2::CLEAR
                    + CTL::RPTL2::CLEAR
                    + CTL::SBIT2::CLEAR
                    + CTL::USEF2::CLEAR
                    + CTL::MSEN2.val(mark_space.into())
                    + CTL::POLA2.val(inverted.into())
                    + CTL::PWEN2.val(enabled.into()),
            ),
        }
    }
}

impl TryFrom<u32> for Channel {
    type Error = Error;

    fn try_from(index: u32) -> Result<Self, Error> {
        Self::from_index(index)
    }
}

/// How a channel spreads its DAT high ticks over its RNG ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Mark-space (MSENn = 1): high for DAT ticks, then low for RNG − DAT: a classic PWM
    /// wave at `clock / RNG` (what MicroPython's `PWM` means).
    MarkSpace,
    /// The PWM algorithm (MSENn = 0): the DAT high ticks spread as evenly as possible over the
    /// RNG ticks (same average, higher ripple frequency; good for analogue filtering).
    Balanced,
}

/// The output's sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Polarity {
    /// High for the DAT ticks (POLAn = 0).
    Normal,
    /// Low for the DAT ticks (POLAn = 1).
    Inverted,
}

/// A channel's mode and polarity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelSettings {
    /// Mark-space or balanced.
    pub mode: Mode,
    /// Normal or inverted.
    pub polarity: Polarity,
}

impl Default for ChannelSettings {
    fn default() -> Self {
        Self {
            mode: Mode::MarkSpace,
            polarity: Polarity::Normal,
        }
    }
}

/// A PWM clock divisor and range for one frequency (see the module's rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PwmPlan {
    /// The clock generator's source.
    pub source: ClockSource,
    /// The PWM clock divisor (DIVI, integer).
    pub divisor: u32,
    /// RNGn: PWM clock ticks per period, which is also the number of duty steps.
    pub range: u32,
}

impl PwmPlan {
    /// Chooses divisor and range for `hz` (the module documentation has the rule); with
    /// `fixed_divisor` (1 to 4095), only the range. [`Error::FrequencyOutOfRange`] names an
    /// impossible frequency with the reachable range (0 to 0 for a fixed divisor outside
    /// 1 to 4095).
    pub fn new(source: ClockSource, hz: u32, fixed_divisor: Option<u32>) -> Result<Self, Error> {
        let source_hz = u64::from(source.hz());
        let (low_divisor, high_divisor) = match fixed_divisor {
            Some(divisor) => (divisor, divisor),
            None => (Self::min_divisor(source), MAX_DIVISOR),
        };
        if low_divisor == 0 || high_divisor > MAX_DIVISOR {
            // A divisor the clock generator cannot hold reaches no frequency.
            return Err(Error::FrequencyOutOfRange {
                hz,
                min_hz: 0,
                max_hz: 0,
            });
        }
        let min_hz = source_hz
            .div_ceil(u64::from(high_divisor) * u64::from(u32::MAX))
            .max(1);
        let max_hz = source_hz / (u64::from(low_divisor) * u64::from(MIN_RANGE));
        let out_of_range = Error::FrequencyOutOfRange {
            hz,
            min_hz: min_hz as u32,
            max_hz: max_hz as u32,
        };
        if u64::from(hz) < min_hz || u64::from(hz) > max_hz {
            return Err(out_of_range);
        }
        let hz = u64::from(hz);
        // The best so far: (divisor, range, |source − hz × divisor × range|).
        let mut best: Option<(u32, u32, u64)> = None;
        for divisor in low_divisor..=high_divisor {
            let ticks = u64::from(divisor) * hz;
            let range = (source_hz + ticks / 2) / ticks;
            if range > u64::from(u32::MAX) {
                continue;
            }
            if range < u64::from(MIN_RANGE) {
                break;
            }
            let period = ticks * range;
            let error = source_hz.abs_diff(period);
            // Relative error |source / period − 1| ≤ tolerance, kept in integers.
            if u128::from(error) * 1_000_000 <= u128::from(TOLERANCE_PPM) * u128::from(period) {
                best = Some((divisor, range as u32, error));
                break;
            }
            let better = match best {
                None => true,
                Some((best_divisor, best_range, best_error)) => {
                    let best_period = u64::from(best_divisor) * u64::from(best_range);
                    let this_period = u64::from(divisor) * range;
                    // error / (hz × period) compared without dividing.
                    u128::from(error) * u128::from(best_period)
                        < u128::from(best_error) * u128::from(this_period)
                }
            };
            if better {
                best = Some((divisor, range as u32, error));
            }
        }
        match best {
            Some((divisor, range, _)) => Ok(Self {
                source,
                divisor,
                range,
            }),
            None => Err(out_of_range),
        }
    }

    /// The smallest divisor that keeps the PWM clock at or below [`MAX_CLOCK_HZ`].
    pub const fn min_divisor(source: ClockSource) -> u32 {
        source.hz().div_ceil(MAX_CLOCK_HZ)
    }

    /// The PWM clock in hertz (rounded down).
    pub const fn clock_hz(&self) -> u32 {
        match self.source.hz().checked_div(self.divisor) {
            Some(hz) => hz,
            None => 0,
        }
    }

    /// DIVI × RNG, at least 1 (so a hand-made plan cannot divide by zero).
    fn period(&self) -> u64 {
        (u64::from(self.divisor) * u64::from(self.range)).max(1)
    }

    /// The output frequency in millihertz, rounded.
    pub fn achieved_millihertz(&self) -> u64 {
        let period = self.period();
        (u64::from(self.source.hz()) * 1000 + period / 2) / period
    }

    /// The output frequency in hertz, rounded.
    pub fn achieved_hz(&self) -> u32 {
        let period = self.period();
        ((u64::from(self.source.hz()) + period / 2) / period) as u32
    }

    /// DATn for a duty of `duty_u16 / 65535`, rounded to the nearest tick.
    pub const fn data_for(&self, duty_u16: u16) -> u32 {
        data_for(self.range, duty_u16)
    }
}

/// DAT for `duty_u16 / 65535` of `range` ticks, rounded (65535 gives `range`: always high).
const fn data_for(range: u32, duty_u16: u16) -> u32 {
    ((range as u64 * duty_u16 as u64 + 32_767) / 65_535) as u32
}

/// The PWM controller, over the block at [`BASE`], with the clock manager for its clock.
pub struct Pwm<B, M, C> {
    bus: B,
    clocks: ClockManager<M, C>,
    source: ClockSource,
    divisor: Option<u32>,
    ranges: [Option<u32>; 2],
    settings: [ChannelSettings; 2],
}

impl<B: Registers, M: Registers, C: Clock> Pwm<B, M, C> {
    /// The driver, taking its clock from `source`; touches no register. Channels start in
    /// mark-space mode with normal polarity.
    pub fn new(bus: B, clocks: ClockManager<M, C>, source: ClockSource) -> Self {
        Self {
            bus,
            clocks,
            source,
            divisor: None,
            ranges: [None; 2],
            settings: [ChannelSettings::default(); 2],
        }
    }

    /// Sets `channel` to `hz` with a duty of `duty_u16 / 65535` and enables it.
    ///
    /// Reads CTL once. If the plan needs a different PWM clock divisor: writes CTL with this
    /// channel disabled and reprograms the PWM clock ([`ClockManager::configure`]). Then
    /// writes RNGn, DATn, and CTL with the channel's mode, polarity and PWENn set.
    pub fn set_frequency_and_duty(
        &mut self,
        channel: Channel,
        hz: u32,
        duty_u16: u16,
    ) -> Result<PwmPlan, Error> {
        let mut control = CONTROL.read(&self.bus);
        let fixed_divisor = match self.divisor {
            Some(divisor) if channel.other().is_enabled(control) => Some(divisor),
            _ => None,
        };
        let plan = PwmPlan::new(self.source, hz, fixed_divisor)?;
        if self.divisor != Some(plan.divisor) {
            let settings = self.settings[channel.index()];
            channel.apply(&mut control, settings, false);
            CONTROL.write_copy(&self.bus, control);
            let clock_plan = ClockPlan::integer(self.source, plan.divisor)?;
            self.divisor = None;
            self.clocks.configure(ClockId::Pwm, &clock_plan)?;
            self.divisor = Some(plan.divisor);
        }
        self.bus.write(channel.range_offset(), plan.range);
        self.bus
            .write(channel.data_offset(), plan.data_for(duty_u16));
        self.ranges[channel.index()] = Some(plan.range);
        channel.apply(&mut control, self.settings[channel.index()], true);
        CONTROL.write_copy(&self.bus, control);
        Ok(plan)
    }

    /// Changes only the duty of a channel whose frequency is set (one write of DATn).
    pub fn set_duty(&mut self, channel: Channel, duty_u16: u16) -> Result<(), Error> {
        let range = self.range(channel)?;
        self.bus
            .write(channel.data_offset(), data_for(range, duty_u16));
        Ok(())
    }

    /// The range (duty steps) of a channel whose frequency is set.
    pub fn range(&self, channel: Channel) -> Result<u32, Error> {
        self.ranges[channel.index()].ok_or(Error::PwmNotConfigured(channel))
    }

    /// The PWM clock this driver programmed, in hertz.
    pub fn clock_hz(&self) -> Option<u32> {
        self.divisor.map(|divisor| self.source.hz() / divisor)
    }

    /// Changes a channel's mode and polarity (one read and one write of CTL; the channel's
    /// enable is kept).
    pub fn set_settings(&mut self, channel: Channel, settings: ChannelSettings) {
        self.settings[channel.index()] = settings;
        let mut control = CONTROL.read(&self.bus);
        let enabled = channel.is_enabled(control);
        channel.apply(&mut control, settings, enabled);
        CONTROL.write_copy(&self.bus, control);
    }

    /// A channel's mode and polarity.
    pub fn settings(&self, channel: Channel) -> ChannelSettings {
        self.settings[channel.index()]
    }

    /// Starts a channel whose frequency is set (one read and one write of CTL).
    pub fn enable(&mut self, channel: Channel) -> Result<(), Error> {
        self.range(channel)?;
        self.set_enabled(channel, true);
        Ok(())
    }

    /// Stops a channel: its output goes to the silence level, low (one read and one write).
    pub fn disable(&mut self, channel: Channel) {
        self.set_enabled(channel, false);
    }

    /// Whether a channel is enabled (one read of CTL).
    pub fn is_enabled(&self, channel: Channel) -> bool {
        channel.is_enabled(CONTROL.read(&self.bus))
    }

    /// Clears STA's sticky flags (write 1s: BERR, GAPO1, GAPO2, RERR1, WERR1); returns what
    /// was read before.
    pub fn clear_status(&self) -> u32 {
        let status = STATUS.read(&self.bus).get();
        STATUS.write(
            &self.bus,
            STA::BERR::SET + STA::GAPO1::SET + STA::GAPO2::SET + STA::RERR1::SET + STA::WERR1::SET,
        );
        status
    }

    fn set_enabled(&mut self, channel: Channel, enabled: bool) {
        let mut control = CONTROL.read(&self.bus);
        channel.apply(&mut control, self.settings[channel.index()], enabled);
        CONTROL.write_copy(&self.bus, control);
    }
}
