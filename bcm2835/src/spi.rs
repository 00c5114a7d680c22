//! SPI0 master: polled full-duplex transfers, modes 0 to 3, chip select 0/1/none.
//!
//! BCM2835 ARM Peripherals, chapter 10, the polled sequence of section 10.6.1: set CS, CPOL,
//! CPHA and TA; move bytes through the FIFO on TXD (can accept data) and RXD (contains data);
//! wait for DONE; clear TA.
//!
//! Decisions the datasheet leaves open:
//! - The FIFOs are cleared in a write of their own before the one that sets TA.
//! - CDIV: the datasheet says "must be a power of 2", its errata and the hardware's users say
//!   any even value works; this driver uses the smallest even divisor whose clock is not faster
//!   than asked ([`divisor_for`]), finer steps than powers of two.
//! - Bit order: the hardware shifts MSB first only; [`BitOrder::LsbFirst`] reverses each byte's
//!   bits in software, both ways.
//! - No chip select: CS = 2, a select line SPI0 has no pin for, so no pin toggles; the caller
//!   drives its own GPIO.
//! - Active-high select sets both CSPOL and the line's CSPOLn.
use tock_registers::{fields::FieldValue, register_bitfields, LocalRegisterCopy};

use crate::{
    register::{Deadline, Register},
    Clock, Error, Operation, Registers,
};

/// SPI0's ARM physical address.
pub const BASE: usize = 0x2020_4000;

/// Bytes written ahead of those read back, at most: the receive FIFO never overflows.
pub const IN_FLIGHT_LIMIT: usize = 16;

/// The default clock.
pub const DEFAULT_FREQUENCY_HZ: u32 = 1_000_000;

/// The largest divisor (written as CDIV = 0).
pub const MAX_DIVISOR: u32 = 65_536;

/// Added to every transfer's own polling limit (twice the transfer's bit time).
pub const DEFAULT_TIMEOUT_SLACK_MICROS: u32 = 10_000;

register_bitfields! {u32,
    /// SPI Master Control and Status.
    CS [
        /// Enable long data word in LoSSI mode if DMA_LEN is set.
        LEN_LONG OFFSET(25) NUMBITS(1) [],
        /// Enable DMA mode in LoSSI mode.
        DMA_LEN OFFSET(24) NUMBITS(1) [],
        /// Chip select 2 polarity: 1 = active high.
        CSPOL2 OFFSET(23) NUMBITS(1) [],
        /// Chip select 1 polarity: 1 = active high.
        CSPOL1 OFFSET(22) NUMBITS(1) [],
        /// Chip select 0 polarity: 1 = active high.
        CSPOL0 OFFSET(21) NUMBITS(1) [],
        /// RX FIFO full.
        RXF OFFSET(20) NUMBITS(1) [],
        /// RX FIFO needs reading (more than three quarters full).
        RXR OFFSET(19) NUMBITS(1) [],
        /// TX FIFO can accept data.
        TXD OFFSET(18) NUMBITS(1) [],
        /// RX FIFO contains data.
        RXD OFFSET(17) NUMBITS(1) [],
        /// Transfer done.
        DONE OFFSET(16) NUMBITS(1) [],
        /// Unused (LoSSI).
        TE_EN OFFSET(15) NUMBITS(1) [],
        /// Unused (LoSSI).
        LMONO OFFSET(14) NUMBITS(1) [],
        /// LoSSI enable.
        LEN OFFSET(13) NUMBITS(1) [],
        /// Read enable, for the bidirectional (3-wire) mode only.
        REN OFFSET(12) NUMBITS(1) [],
        /// Automatically deassert chip select (DMA mode).
        ADCS OFFSET(11) NUMBITS(1) [],
        /// Interrupt on RXR.
        INTR OFFSET(10) NUMBITS(1) [],
        /// Interrupt on DONE.
        INTD OFFSET(9) NUMBITS(1) [],
        /// DMA enable.
        DMAEN OFFSET(8) NUMBITS(1) [],
        /// Transfer active (asserts the chip select).
        TA OFFSET(7) NUMBITS(1) [],
        /// Chip select polarity: 1 = active high.
        CSPOL OFFSET(6) NUMBITS(1) [],
        /// FIFO clear (one shot).
        CLEAR OFFSET(4) NUMBITS(2) [
            /// No action.
            NoAction = 0b00,
            /// Clear TX FIFO.
            ClearTx = 0b01,
            /// Clear RX FIFO.
            ClearRx = 0b10,
            /// Clear both FIFOs.
            ClearBoth = 0b11
        ],
        /// Clock polarity: 1 = rest state of the clock is high.
        CPOL OFFSET(3) NUMBITS(1) [],
        /// Clock phase: 1 = first SCLK transition at the beginning of the data bit.
        CPHA OFFSET(2) NUMBITS(1) [],
        /// Chip select.
        CS OFFSET(0) NUMBITS(2) [
            /// Chip select 0.
            ChipSelect0 = 0b00,
            /// Chip select 1.
            ChipSelect1 = 0b01,
            /// Chip select 2 (no pin on SPI0).
            ChipSelect2 = 0b10
        ]
    ],
    /// SPI Master TX and RX FIFOs.
    FIFO [
        /// One byte in or out (polled mode).
        DATA OFFSET(0) NUMBITS(8) []
    ],
    /// SPI Master Clock Divider.
    CLK [
        /// SCLK = core clock / CDIV (0 means 65536).
        CDIV OFFSET(0) NUMBITS(16) []
    ]
}

/// CS.
const CONTROL: Register<CS::Register> = Register::at(0x00);
/// FIFO. DLEN (0x0c), LTOH (0x10) and DC (0x14) serve DMA and LoSSI modes, not driven here.
const DATA_FIFO: Register<FIFO::Register> = Register::at(0x04);
/// CLK.
const CLOCK_DIVIDER: Register<CLK::Register> = Register::at(0x08);

/// Clock polarity and phase: mode = CPOL × 2 + CPHA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// CPOL 0, CPHA 0.
    Mode0,
    /// CPOL 0, CPHA 1.
    Mode1,
    /// CPOL 1, CPHA 0.
    Mode2,
    /// CPOL 1, CPHA 1.
    Mode3,
}

impl Mode {
    /// Mode `number` (0 to 3), or [`Error::InvalidSpiMode`] naming it.
    pub const fn from_number(number: u32) -> Result<Self, Error> {
        match number {
            0 => Ok(Self::Mode0),
            1 => Ok(Self::Mode1),
            2 => Ok(Self::Mode2),
            3 => Ok(Self::Mode3),
            _ => Err(Error::InvalidSpiMode(number)),
        }
    }

    /// The mode with MicroPython's `polarity=` and `phase=` (each 0 or 1; anything else is
    /// [`Error::InvalidSpiMode`] naming `polarity × 2 + phase`).
    pub const fn from_polarity_phase(polarity: u32, phase: u32) -> Result<Self, Error> {
        if polarity > 1 || phase > 1 {
            return Err(Error::InvalidSpiMode(
                polarity.saturating_mul(2).saturating_add(phase),
            ));
        }
        Self::from_number(polarity * 2 + phase)
    }

    /// CPOL: the clock idles high.
    pub const fn polarity(self) -> bool {
        matches!(self, Self::Mode2 | Self::Mode3)
    }

    /// CPHA: data changes on the first clock edge and is sampled on the second.
    pub const fn phase(self) -> bool {
        matches!(self, Self::Mode1 | Self::Mode3)
    }
}

/// Which select line the transfer asserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChipSelect {
    /// SPI0_CE0_N (GPIO 8 or 36).
    Ce0,
    /// SPI0_CE1_N (GPIO 7 or 35).
    Ce1,
    /// None: the caller selects its device with a GPIO of its own.
    None,
}

impl ChipSelect {
    /// Line `number` (0 or 1), or [`Error::InvalidChipSelect`] naming it.
    pub const fn from_number(number: u32) -> Result<Self, Error> {
        match number {
            0 => Ok(Self::Ce0),
            1 => Ok(Self::Ce1),
            _ => Err(Error::InvalidChipSelect(number)),
        }
    }
}

/// The select line's active level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChipSelectPolarity {
    /// Low while selected (usual).
    ActiveLow,
    /// High while selected.
    ActiveHigh,
}

/// The order bits go on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitOrder {
    /// Most significant bit first (the hardware's only order).
    MsbFirst,
    /// Least significant bit first (bytes bit-reversed in software).
    LsbFirst,
}

/// How SPI0 is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpiConfig {
    /// SCLK asked for; the one made is never higher ([`divisor_for`]).
    pub frequency_hz: u32,
    /// The core clock that feeds the divider.
    pub core_clock_hz: u32,
    /// Clock polarity and phase.
    pub mode: Mode,
    /// The select line.
    pub chip_select: ChipSelect,
    /// The select line's active level.
    pub chip_select_polarity: ChipSelectPolarity,
    /// Bit order.
    pub bit_order: BitOrder,
    /// Added to each transfer's own limit (twice its bit time).
    pub timeout_slack_micros: u32,
}

impl Default for SpiConfig {
    fn default() -> Self {
        Self {
            frequency_hz: DEFAULT_FREQUENCY_HZ,
            core_clock_hz: crate::DEFAULT_CORE_CLOCK_HZ,
            mode: Mode::Mode0,
            chip_select: ChipSelect::Ce0,
            chip_select_polarity: ChipSelectPolarity::ActiveLow,
            bit_order: BitOrder::MsbFirst,
            timeout_slack_micros: DEFAULT_TIMEOUT_SLACK_MICROS,
        }
    }
}

/// The clock divisor for `hz`: `core_clock_hz / hz` rounded up, then up to even (so SCLK is
/// never faster than asked), 2 to 65536. [`Error::FrequencyOutOfRange`] names a frequency
/// above `core / 2` or below `core / 65536`.
pub fn divisor_for(core_clock_hz: u32, hz: u32) -> Result<u32, Error> {
    let min_hz = core_clock_hz.div_ceil(MAX_DIVISOR).max(1);
    let max_hz = core_clock_hz / 2;
    if hz < min_hz || hz > max_hz {
        return Err(Error::FrequencyOutOfRange { hz, min_hz, max_hz });
    }
    let divisor = core_clock_hz.div_ceil(hz);
    Ok(divisor + (divisor & 1))
}

/// What a transfer sends and where its received bytes go.
enum Transfer<'a> {
    Write(&'a [u8]),
    Read(&'a mut [u8], u8),
    Both(&'a [u8], &'a mut [u8]),
    InPlace(&'a mut [u8]),
}

impl Transfer<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Write(data) | Self::Both(data, _) => data.len(),
            Self::Read(buffer, _) | Self::InPlace(buffer) => buffer.len(),
        }
    }

    fn outgoing(&self, index: usize) -> u8 {
        match self {
            Self::Write(data) | Self::Both(data, _) => data[index],
            Self::Read(_, fill) => *fill,
            Self::InPlace(buffer) => buffer[index],
        }
    }

    fn store(&mut self, index: usize, byte: u8) {
        match self {
            Self::Write(_) => {}
            Self::Read(buffer, _) | Self::Both(_, buffer) | Self::InPlace(buffer) => {
                buffer[index] = byte;
            }
        }
    }
}

/// SPI0 in polled master mode.
pub struct Spi<B, C> {
    bus: B,
    clock: C,
    config: SpiConfig,
    divisor: u32,
}

impl<B: Registers, C: Clock> Spi<B, C> {
    /// Checks the frequency and sets SPI0 up: CS = the mode, select and polarity bits with
    /// CLEAR both FIFOs (TA clear), then CLK = CDIV.
    pub fn init(bus: B, clock: C, config: SpiConfig) -> Result<Self, Error> {
        let divisor = divisor_for(config.core_clock_hz, config.frequency_hz)?;
        let mut driver = Self {
            bus,
            clock,
            config,
            divisor,
        };
        driver.apply();
        Ok(driver)
    }

    /// Changes the setup (the same two writes as [`Spi::init`]); on an error nothing changes.
    pub fn reconfigure(&mut self, config: SpiConfig) -> Result<(), Error> {
        self.divisor = divisor_for(config.core_clock_hz, config.frequency_hz)?;
        self.config = config;
        self.apply();
        Ok(())
    }

    /// The SCLK frequency made: core clock / divisor (rounded down).
    pub const fn frequency_hz(&self) -> u32 {
        self.config.core_clock_hz / self.divisor
    }

    /// The divisor (2 to 65536; CLK holds it, 65536 as 0).
    pub const fn divisor(&self) -> u32 {
        self.divisor
    }

    /// The setup.
    pub const fn config(&self) -> &SpiConfig {
        &self.config
    }

    /// Sends `data`, discarding what comes back.
    pub fn write(&mut self, data: &[u8]) -> Result<(), Error> {
        self.transfer(Transfer::Write(data))
    }

    /// Fills `buffer`, sending `fill` for every byte.
    pub fn read(&mut self, buffer: &mut [u8], fill: u8) -> Result<(), Error> {
        self.transfer(Transfer::Read(buffer, fill))
    }

    /// Sends `data` while filling `buffer` (equal lengths, or [`Error::LengthMismatch`]).
    pub fn write_readinto(&mut self, data: &[u8], buffer: &mut [u8]) -> Result<(), Error> {
        if data.len() != buffer.len() {
            return Err(Error::LengthMismatch {
                write: data.len(),
                read: buffer.len(),
            });
        }
        self.transfer(Transfer::Both(data, buffer))
    }

    /// Sends `buffer`, replacing each byte with the one received.
    pub fn transfer_in_place(&mut self, buffer: &mut [u8]) -> Result<(), Error> {
        self.transfer(Transfer::InPlace(buffer))
    }

    /// The polled sequence: CS = setup | CLEAR both, CS = setup | TA; per read of CS, one byte into the FIFO
    /// on TXD (at most [`IN_FLIGHT_LIMIT`] ahead) and one byte out on RXD; poll DONE;
    /// CS = setup (TA clear). An empty transfer touches nothing. On timeout, CS = setup |
    /// CLEAR both.
    fn transfer(&mut self, mut transfer: Transfer<'_>) -> Result<(), Error> {
        let length = transfer.len();
        if length == 0 {
            return Ok(());
        }
        let deadline = Deadline::start(&self.clock, self.limit_micros(length));
        let setup = self.setup();
        let mut cleared = setup;
        cleared.modify(CS::CLEAR::ClearBoth);
        CONTROL.write_copy(&self.bus, cleared);
        let mut active = setup;
        active.modify(CS::TA::SET);
        CONTROL.write_copy(&self.bus, active);
        let (mut sent, mut received) = (0, 0);
        while received < length {
            let status = CONTROL.read(&self.bus);
            let mut progress = false;
            if sent < length && sent - received < IN_FLIGHT_LIMIT && status.is_set(CS::TXD) {
                let byte = self.to_wire(transfer.outgoing(sent));
                DATA_FIFO.write(&self.bus, FIFO::DATA.val(u32::from(byte)));
                sent += 1;
                progress = true;
            }
            if received < sent && status.is_set(CS::RXD) {
                let byte = DATA_FIFO.read(&self.bus).read(FIFO::DATA) as u8;
                transfer.store(received, self.to_wire(byte));
                received += 1;
                progress = true;
            }
            if !progress && deadline.expired(&self.clock) {
                return Err(self.fail(&deadline));
            }
        }
        while !CONTROL.read(&self.bus).is_set(CS::DONE) {
            if deadline.expired(&self.clock) {
                return Err(self.fail(&deadline));
            }
        }
        CONTROL.write_copy(&self.bus, setup);
        Ok(())
    }

    fn fail(&self, deadline: &Deadline) -> Error {
        let mut idle = self.setup();
        idle.modify(CS::CLEAR::ClearBoth);
        CONTROL.write_copy(&self.bus, idle);
        Error::Timeout {
            operation: Operation::SpiTransfer,
            micros: deadline.limit_micros(),
        }
    }

    /// CS = setup | CLEAR both, CLK = CDIV.
    fn apply(&mut self) {
        let mut idle = self.setup();
        idle.modify(CS::CLEAR::ClearBoth);
        CONTROL.write_copy(&self.bus, idle);
        // 65536 does not fit CDIV's 16 bits and is written as 0, which the hardware reads so.
        CLOCK_DIVIDER.write(&self.bus, CLK::CDIV.val(self.divisor & 0xffff));
    }

    /// The CS value without TA or CLEAR: select line, polarities, CPOL, CPHA.
    fn setup(&self) -> LocalRegisterCopy<u32, CS::Register> {
        let active_high = self.config.chip_select_polarity == ChipSelectPolarity::ActiveHigh;
        let (select, line_polarity): (_, FieldValue<u32, CS::Register>) =
            match self.config.chip_select {
                ChipSelect::Ce0 => (CS::CS::ChipSelect0, CS::CSPOL0.val(active_high.into())),
                ChipSelect::Ce1 => (CS::CS::ChipSelect1, CS::CSPOL1.val(active_high.into())),
                ChipSelect::None => (CS::CS::ChipSelect2, CS::CSPOL2::CLEAR),
            };
        let select_polarity = active_high && self.config.chip_select != ChipSelect::None;
        let mut value = LocalRegisterCopy::new(0);
        value.write(
            select
                + line_polarity
                + CS::CSPOL.val(select_polarity.into())
                + CS::CPOL.val(self.config.mode.polarity().into())
                + CS::CPHA.val(self.config.mode.phase().into()),
        );
        value
    }

    /// A byte as it goes on (or comes off) the wire.
    fn to_wire(&self, byte: u8) -> u8 {
        match self.config.bit_order {
            BitOrder::MsbFirst => byte,
            BitOrder::LsbFirst => byte.reverse_bits(),
        }
    }

    /// Twice the transfer's bit time plus the slack.
    fn limit_micros(&self, bytes: usize) -> u32 {
        let bits = bytes as u64 * 8 * 2;
        let micros = (bits * 1_000_000).div_ceil(u64::from(self.frequency_hz()));
        micros
            .saturating_add(u64::from(self.config.timeout_slack_micros))
            .min(u64::from(u32::MAX)) as u32
    }
}
