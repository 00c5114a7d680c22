//! I2C masters BSC0 and BSC1: polled write, read, write-then-read with repeated start, scan.
//!
//! BCM2835 ARM Peripherals, chapter 3. The controller moves bytes through a 16-byte FIFO:
//! a write pre-loads up to 16 bytes before START and refills on TXD (FIFO can accept data);
//! a read drains on RXD (FIFO contains data). Every error path writes 1s to S's CLKT, ERR and
//! DONE and clears the FIFO, so the next transfer starts clean.
use tock_registers::{fields::FieldValue, register_bitfields};

use crate::{
    register::{Deadline, Register},
    Clock, Error, Operation, Registers,
};

/// The FIFO's depth in bytes.
pub const FIFO_DEPTH: usize = 16;

/// The longest transfer DLEN counts.
pub const MAX_LENGTH: usize = 0xffff;

/// Standard mode.
pub const DEFAULT_FREQUENCY_HZ: u32 = 100_000;

/// CLKT.TOUT's reset value: SCL cycles a device may stretch the clock.
pub const DEFAULT_CLOCK_STRETCH_CYCLES: u16 = 0x40;

/// DEL.FEDL and DEL.REDL's reset value, in core clock cycles.
pub const DEFAULT_EDGE_DELAY: u32 = 0x30;

/// Added to every transfer's own polling limit (see [`I2cConfig::timeout_slack_micros`]).
pub const DEFAULT_TIMEOUT_SLACK_MICROS: u32 = 10_000;

/// The largest even CDIV (16 bits, rounded down to even by the hardware).
pub const MAX_DIVISOR: u32 = 0xfffe;

register_bitfields! {u32,
    /// Control.
    C [
        /// I2C enable.
        I2CEN OFFSET(15) NUMBITS(1) [],
        /// Interrupt on RX.
        INTR OFFSET(10) NUMBITS(1) [],
        /// Interrupt on TX.
        INTT OFFSET(9) NUMBITS(1) [],
        /// Interrupt on DONE.
        INTD OFFSET(8) NUMBITS(1) [],
        /// Start transfer (one shot).
        ST OFFSET(7) NUMBITS(1) [],
        /// FIFO clear (one shot; set with ST, the FIFO is cleared before the new frame).
        CLEAR OFFSET(4) NUMBITS(2) [
            /// No action.
            NoAction = 0b00,
            /// Clear FIFO.
            ClearFifo = 0b01
        ],
        /// Read transfer (1) or write packet transfer (0).
        READ OFFSET(0) NUMBITS(1) []
    ],
    /// Status (CLKT, ERR and DONE are write 1 to clear).
    S [
        /// Slave clock hold timeout.
        CLKT OFFSET(9) NUMBITS(1) [],
        /// ACK error: the slave has not acknowledged its address or a data byte.
        ERR OFFSET(8) NUMBITS(1) [],
        /// FIFO full.
        RXF OFFSET(7) NUMBITS(1) [],
        /// FIFO empty.
        TXE OFFSET(6) NUMBITS(1) [],
        /// FIFO contains data.
        RXD OFFSET(5) NUMBITS(1) [],
        /// FIFO can accept data.
        TXD OFFSET(4) NUMBITS(1) [],
        /// FIFO needs reading: full (or more) while a read is under way.
        RXR OFFSET(3) NUMBITS(1) [],
        /// FIFO needs writing: less than full while a write is under way.
        TXW OFFSET(2) NUMBITS(1) [],
        /// Transfer done.
        DONE OFFSET(1) NUMBITS(1) [],
        /// Transfer active.
        TA OFFSET(0) NUMBITS(1) []
    ],
    /// Data Length.
    DLEN [
        /// Bytes to transfer (read back: bytes remaining).
        DLEN OFFSET(0) NUMBITS(16) []
    ],
    /// Slave Address.
    A [
        /// The 7-bit slave address.
        ADDR OFFSET(0) NUMBITS(7) []
    ],
    /// Data FIFO.
    FIFO [
        /// One byte in or out.
        DATA OFFSET(0) NUMBITS(8) []
    ],
    /// Clock Divider.
    DIV [
        /// SCL = core clock / CDIV (rounded down to even; 0 means 32768).
        CDIV OFFSET(0) NUMBITS(16) []
    ],
    /// Data Delay.
    DEL [
        /// Falling edge delay, in core clock cycles.
        FEDL OFFSET(16) NUMBITS(16) [],
        /// Rising edge delay, in core clock cycles.
        REDL OFFSET(0) NUMBITS(16) []
    ],
    /// Clock Stretch Timeout.
    CLKT [
        /// SCL cycles to wait after the rising edge for a stretching slave (0 disables).
        TOUT OFFSET(0) NUMBITS(16) []
    ]
}

/// C.
const CONTROL: Register<C::Register> = Register::at(0x00);
/// S.
const STATUS: Register<S::Register> = Register::at(0x04);
/// DLEN.
const DATA_LENGTH: Register<DLEN::Register> = Register::at(0x08);
/// A.
const ADDRESS: Register<A::Register> = Register::at(0x0c);
/// FIFO.
const DATA_FIFO: Register<FIFO::Register> = Register::at(0x10);
/// DIV.
const DIVIDER: Register<DIV::Register> = Register::at(0x14);
/// DEL.
const DELAY: Register<DEL::Register> = Register::at(0x18);
/// CLKT.
const STRETCH_TIMEOUT: Register<CLKT::Register> = Register::at(0x1c);

/// An I2C master (the third, BSC2, belongs to the HDMI block and is not offered).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Controller {
    /// BSC0 at 0x2020_5000 (`I2C(0)`).
    Bsc0,
    /// BSC1 at 0x2080_4000 (`I2C(1)`, the header's I2C).
    Bsc1,
}

impl Controller {
    /// `I2C(index)`: 0 or 1, or [`Error::InvalidI2cBus`] naming it.
    pub const fn from_index(index: u32) -> Result<Self, Error> {
        match index {
            0 => Ok(Self::Bsc0),
            1 => Ok(Self::Bsc1),
            _ => Err(Error::InvalidI2cBus(index)),
        }
    }

    /// The controller's ARM physical address.
    pub const fn base(self) -> usize {
        match self {
            Self::Bsc0 => 0x2020_5000,
            Self::Bsc1 => 0x2080_4000,
        }
    }
}

/// How a controller is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I2cConfig {
    /// The SCL frequency asked for; the one made is never higher ([`divisor_for`]).
    pub frequency_hz: u32,
    /// The core clock that feeds the divider.
    pub core_clock_hz: u32,
    /// CLKT.TOUT: SCL cycles a device may hold SCL low (0 turns the check off).
    pub clock_stretch_cycles: u16,
    /// Added to each transfer's own limit, which is otherwise the time of every bit stretched
    /// to the CLKT limit (so the hardware's timeout always fires first).
    pub timeout_slack_micros: u32,
}

impl Default for I2cConfig {
    fn default() -> Self {
        Self {
            frequency_hz: DEFAULT_FREQUENCY_HZ,
            core_clock_hz: crate::DEFAULT_CORE_CLOCK_HZ,
            clock_stretch_cycles: DEFAULT_CLOCK_STRETCH_CYCLES,
            timeout_slack_micros: DEFAULT_TIMEOUT_SLACK_MICROS,
        }
    }
}

/// CDIV for `hz`: the smallest even divisor whose SCL is not faster than asked
/// (`core_clock_hz / hz` rounded up, then up to even; the hardware ignores CDIV's low bit).
/// [`Error::FrequencyOutOfRange`] names a frequency above `core / 2` or below `core / 65534`.
pub fn divisor_for(core_clock_hz: u32, hz: u32) -> Result<u32, Error> {
    let min_hz = core_clock_hz.div_ceil(MAX_DIVISOR);
    let max_hz = core_clock_hz / 2;
    if hz < min_hz.max(1) || hz > max_hz {
        return Err(Error::FrequencyOutOfRange { hz, min_hz, max_hz });
    }
    let divisor = core_clock_hz.div_ceil(hz);
    Ok(divisor + (divisor & 1))
}

/// A set of 7-bit addresses (what [`I2c::scan`] found).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddressSet(u128);

impl AddressSet {
    /// Bit n set: address n is in the set.
    pub const fn bits(self) -> u128 {
        self.0
    }

    /// Whether `address` is in the set.
    pub const fn contains(self, address: u8) -> bool {
        address < 0x80 && self.0 & (1 << address) != 0
    }

    /// How many addresses are in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The addresses, ascending.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..0x80u8).filter(move |address| self.contains(*address))
    }

    fn insert(&mut self, address: u8) {
        self.0 |= 1 << address;
    }
}

/// Addresses [`I2c::scan`] probes: 0x08 to 0x77 (0x00 to 0x07 and 0x78 to 0x7f are reserved).
pub const SCAN_ADDRESSES: core::ops::RangeInclusive<u8> = 0x08..=0x77;

/// A BSC controller in master mode (`T` is the clock: `C` names the control register here).
pub struct I2c<B, T> {
    bus: B,
    clock: T,
    config: I2cConfig,
    divisor: u32,
}

impl<B: Registers, T: Clock> I2c<B, T> {
    /// Checks the frequency and sets the controller up: C = CLEAR (disabled, FIFO cleared),
    /// S = CLKT | ERR | DONE (stale flags cleared), DIV, DEL (the reset delays, kept below a
    /// quarter of CDIV), CLKT, then C = I2CEN.
    pub fn init(bus: B, clock: T, config: I2cConfig) -> Result<Self, Error> {
        let divisor = divisor_for(config.core_clock_hz, config.frequency_hz)?;
        let driver = Self {
            bus,
            clock,
            config,
            divisor,
        };
        CONTROL.write(&driver.bus, C::CLEAR::ClearFifo);
        driver.clear_status();
        DIVIDER.write(&driver.bus, DIV::CDIV.val(divisor));
        let edge_delay = DEFAULT_EDGE_DELAY.min(divisor / 4);
        DELAY.write(
            &driver.bus,
            DEL::FEDL.val(edge_delay) + DEL::REDL.val(edge_delay),
        );
        STRETCH_TIMEOUT.write(
            &driver.bus,
            CLKT::TOUT.val(u32::from(config.clock_stretch_cycles)),
        );
        CONTROL.write(&driver.bus, C::I2CEN::SET);
        Ok(driver)
    }

    /// The SCL frequency made: core clock / CDIV (rounded down).
    pub const fn frequency_hz(&self) -> u32 {
        self.config.core_clock_hz / self.divisor
    }

    /// The CDIV written.
    pub const fn divisor(&self) -> u32 {
        self.divisor
    }

    /// The setup.
    pub const fn config(&self) -> &I2cConfig {
        &self.config
    }

    /// Sends `data` (1 to 65535 bytes) to `address` with START ... STOP.
    ///
    /// A = address, C = I2CEN | CLEAR, S = CLKT | ERR | DONE, DLEN, up to 16 bytes into the
    /// FIFO, C = I2CEN | ST; then poll S: ERR is [`Error::Nack`], CLKT is
    /// [`Error::ClockStretchTimeout`], DONE ends, TXD takes the next byte; at the end
    /// S = DONE.
    pub fn write(&mut self, address: u32, data: &[u8]) -> Result<(), Error> {
        let address = Self::check_address(address)?;
        Self::check_length(data.len(), MAX_LENGTH)?;
        let deadline = Deadline::start(&self.clock, self.limit_micros(data.len()));
        let sent = self.start_write(address, data);
        self.finish_write(address, data, sent, &deadline)
    }

    /// Fills `buffer` (1 to 65535 bytes) from `address` with START ... STOP.
    ///
    /// A = address, S = CLKT | ERR | DONE, DLEN, C = I2CEN | ST | CLEAR | READ (the FIFO is
    /// cleared before the frame); then poll S: ERR, CLKT as for a write, RXD gives the next
    /// byte, DONE ends; at the end S = DONE.
    pub fn read(&mut self, address: u32, buffer: &mut [u8]) -> Result<(), Error> {
        let address = Self::check_address(address)?;
        Self::check_length(buffer.len(), MAX_LENGTH)?;
        let deadline = Deadline::start(&self.clock, self.limit_micros(buffer.len()));
        ADDRESS.write(&self.bus, A::ADDR.val(u32::from(address)));
        self.clear_status();
        DATA_LENGTH.write(&self.bus, DLEN::DLEN.val(buffer.len() as u32));
        CONTROL.write(
            &self.bus,
            C::I2CEN::SET + C::ST::SET + C::CLEAR::ClearFifo + C::READ::SET,
        );
        self.finish_read(address, buffer, &deadline)
    }

    /// Sends `data` (1 to 16 bytes: it must fit the FIFO) then reads `buffer` (1 to 65535
    /// bytes) with a repeated START between them, as register-pointer reads need.
    ///
    /// The write starts as in [`I2c::write`] with every byte in the FIFO; S is polled until TA
    /// (transfer active); then DLEN = read length and C = I2CEN | ST | READ (without CLEAR)
    /// queue the read, which the controller starts with a repeated START once the write's
    /// bytes are out. If DONE shows before TA (the write already ended with a STOP), S = DONE
    /// and the read starts as a new transfer. The read then goes on as in [`I2c::read`].
    pub fn write_read(
        &mut self,
        address: u32,
        data: &[u8],
        buffer: &mut [u8],
    ) -> Result<(), Error> {
        let address = Self::check_address(address)?;
        Self::check_length(data.len(), FIFO_DEPTH)?;
        Self::check_length(buffer.len(), MAX_LENGTH)?;
        let deadline = Deadline::start(&self.clock, self.limit_micros(data.len() + buffer.len()));
        self.start_write(address, data);
        loop {
            let status = STATUS.read(&self.bus);
            if let Some(error) = Self::bus_error(status, address) {
                return Err(self.fail(error));
            }
            if status.is_set(S::TA) {
                break;
            }
            if status.is_set(S::DONE) {
                STATUS.write(&self.bus, S::DONE::SET);
                break;
            }
            if deadline.expired(&self.clock) {
                return Err(self.fail(Self::timeout(&deadline)));
            }
        }
        DATA_LENGTH.write(&self.bus, DLEN::DLEN.val(buffer.len() as u32));
        CONTROL.write(&self.bus, C::I2CEN::SET + C::ST::SET + C::READ::SET);
        self.finish_read(address, buffer, &deadline)
    }

    /// Whether a device answers at `address`: a one-byte read that is acknowledged (a NACK is
    /// `false`; other errors are returned).
    pub fn probe(&mut self, address: u32) -> Result<bool, Error> {
        let mut byte = [0];
        match self.read(address, &mut byte) {
            Ok(()) => Ok(true),
            Err(Error::Nack { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Probes every address of [`SCAN_ADDRESSES`] in order.
    pub fn scan(&mut self) -> Result<AddressSet, Error> {
        let mut found = AddressSet::default();
        for address in SCAN_ADDRESSES {
            if self.probe(u32::from(address))? {
                found.insert(address);
            }
        }
        Ok(found)
    }

    /// A = address, C = I2CEN | CLEAR, clear S, DLEN, pre-fill the FIFO, C = I2CEN | ST;
    /// returns how many bytes went into the FIFO.
    fn start_write(&mut self, address: u8, data: &[u8]) -> usize {
        ADDRESS.write(&self.bus, A::ADDR.val(u32::from(address)));
        CONTROL.write(&self.bus, C::I2CEN::SET + C::CLEAR::ClearFifo);
        self.clear_status();
        DATA_LENGTH.write(&self.bus, DLEN::DLEN.val(data.len() as u32));
        let preloaded = data.len().min(FIFO_DEPTH);
        for byte in &data[..preloaded] {
            DATA_FIFO.write(&self.bus, FIFO::DATA.val(u32::from(*byte)));
        }
        CONTROL.write(&self.bus, C::I2CEN::SET + C::ST::SET);
        preloaded
    }

    fn finish_write(
        &mut self,
        address: u8,
        data: &[u8],
        mut sent: usize,
        deadline: &Deadline,
    ) -> Result<(), Error> {
        loop {
            let status = STATUS.read(&self.bus);
            if let Some(error) = Self::bus_error(status, address) {
                return Err(self.fail(error));
            }
            if status.is_set(S::DONE) {
                break;
            }
            if status.is_set(S::TXD) && sent < data.len() {
                DATA_FIFO.write(&self.bus, FIFO::DATA.val(u32::from(data[sent])));
                sent += 1;
            } else if deadline.expired(&self.clock) {
                return Err(self.fail(Self::timeout(deadline)));
            }
        }
        STATUS.write(&self.bus, S::DONE::SET);
        if sent < data.len() {
            return Err(self.fail(Error::Incomplete {
                expected: data.len(),
                transferred: sent,
            }));
        }
        Ok(())
    }

    fn finish_read(
        &mut self,
        address: u8,
        buffer: &mut [u8],
        deadline: &Deadline,
    ) -> Result<(), Error> {
        let mut received = 0;
        loop {
            let status = STATUS.read(&self.bus);
            if let Some(error) = Self::bus_error(status, address) {
                return Err(self.fail(error));
            }
            if status.is_set(S::RXD) && received < buffer.len() {
                buffer[received] = DATA_FIFO.read(&self.bus).read(FIFO::DATA) as u8;
                received += 1;
            } else if status.is_set(S::DONE) {
                break;
            } else if deadline.expired(&self.clock) {
                return Err(self.fail(Self::timeout(deadline)));
            }
        }
        STATUS.write(&self.bus, S::DONE::SET);
        if received < buffer.len() {
            return Err(self.fail(Error::Incomplete {
                expected: buffer.len(),
                transferred: received,
            }));
        }
        Ok(())
    }

    /// S = CLKT | ERR | DONE (write 1 to clear).
    fn clear_status(&self) {
        STATUS.write(&self.bus, Self::sticky_flags());
    }

    fn sticky_flags() -> FieldValue<u32, S::Register> {
        S::CLKT::SET + S::ERR::SET + S::DONE::SET
    }

    /// The error path: clear S's flags, then the FIFO (which also aborts a transfer).
    fn fail(&self, error: Error) -> Error {
        self.clear_status();
        CONTROL.write(&self.bus, C::I2CEN::SET + C::CLEAR::ClearFifo);
        error
    }

    fn bus_error(
        status: tock_registers::LocalRegisterCopy<u32, S::Register>,
        address: u8,
    ) -> Option<Error> {
        if status.is_set(S::ERR) {
            Some(Error::Nack { address })
        } else if status.is_set(S::CLKT) {
            Some(Error::ClockStretchTimeout { address })
        } else {
            None
        }
    }

    fn timeout(deadline: &Deadline) -> Error {
        Error::Timeout {
            operation: Operation::I2cTransfer,
            micros: deadline.limit_micros(),
        }
    }

    /// The polling limit for `bytes` data bytes: address and data bytes of 9 bits each (plus
    /// START and STOP), every bit stretched to the CLKT limit, plus the slack.
    fn limit_micros(&self, bytes: usize) -> u32 {
        let bits = (bytes as u64 + 2) * 9;
        let cycles_per_bit = 2 + u64::from(self.config.clock_stretch_cycles);
        let micros = (bits * cycles_per_bit * 1_000_000).div_ceil(u64::from(self.frequency_hz()));
        micros
            .saturating_add(u64::from(self.config.timeout_slack_micros))
            .min(u64::from(u32::MAX)) as u32
    }

    fn check_address(address: u32) -> Result<u8, Error> {
        if address <= 0x7f {
            Ok(address as u8)
        } else {
            Err(Error::InvalidAddress(address))
        }
    }

    fn check_length(length: usize, max: usize) -> Result<(), Error> {
        if (1..=max).contains(&length) {
            Ok(())
        } else {
            Err(Error::InvalidLength {
                length,
                min: 1,
                max,
            })
        }
    }
}
