//! BCM2835 "EMMC": the Arasan SDHCI host controller and the SD card behind it, as a block device.
//!
//! Polled PIO: card identification at 400 kHz (CMD0, CMD8, ACMD41, CMD2, CMD3, CMD9, CMD7,
//! CMD16, ACMD6), then 25 MHz on a 4-bit bus; single-block reads and writes (CMD17/CMD24) and
//! multi-block ones (CMD18/CMD25 with auto-CMD12). Every wait has a timeout; a failed command
//! or transfer resets the controller's command and data lines and is retried.
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_bitfields, register_structs,
    registers::ReadWrite,
};

use super::Mmio;
use crate::time::now_micros;

register_bitfields! {u32,
    /// CMDTM: the transfer mode (low half) and command (high half), written together.
    CMDTM [
        BLOCK_COUNT_ENABLE OFFSET(1) NUMBITS(1) [],
        AUTO_CMD12 OFFSET(2) NUMBITS(2) [],
        READ OFFSET(4) NUMBITS(1) [],
        MULTI_BLOCK OFFSET(5) NUMBITS(1) [],
        RESPONSE OFFSET(16) NUMBITS(2) [None = 0, Bits136 = 1, Bits48 = 2, Bits48Busy = 3],
        CRC_CHECK OFFSET(19) NUMBITS(1) [],
        INDEX_CHECK OFFSET(20) NUMBITS(1) [],
        DATA OFFSET(21) NUMBITS(1) [],
        INDEX OFFSET(24) NUMBITS(6) []
    ],
    /// STATUS (present state).
    STATUS [
        COMMAND_INHIBIT OFFSET(0) NUMBITS(1) [],
        DATA_INHIBIT OFFSET(1) NUMBITS(1) [],
        CARD_INSERTED OFFSET(16) NUMBITS(1) []
    ],
    /// CONTROL1: clock, data timeout and resets.
    CONTROL1 [
        CLOCK_INTERNAL OFFSET(0) NUMBITS(1) [],
        CLOCK_STABLE OFFSET(1) NUMBITS(1) [],
        CLOCK_ENABLE OFFSET(2) NUMBITS(1) [],
        DIVIDER_HIGH OFFSET(6) NUMBITS(2) [],
        DIVIDER_LOW OFFSET(8) NUMBITS(8) [],
        DATA_TIMEOUT OFFSET(16) NUMBITS(4) [],
        RESET_ALL OFFSET(24) NUMBITS(1) [],
        RESET_COMMAND OFFSET(25) NUMBITS(1) [],
        RESET_DATA OFFSET(26) NUMBITS(1) []
    ],
    /// INTERRUPT (flags, write 1 to clear) and its mask/enable registers.
    INTERRUPT [
        COMMAND_DONE OFFSET(0) NUMBITS(1) [],
        DATA_DONE OFFSET(1) NUMBITS(1) [],
        WRITE_READY OFFSET(4) NUMBITS(1) [],
        READ_READY OFFSET(5) NUMBITS(1) [],
        ERROR OFFSET(15) NUMBITS(1) [],
        COMMAND_TIMEOUT OFFSET(16) NUMBITS(1) [],
        COMMAND_CRC OFFSET(17) NUMBITS(1) [],
        DATA_TIMEOUT OFFSET(20) NUMBITS(1) [],
        DATA_CRC OFFSET(21) NUMBITS(1) []
    ]
}

register_structs! {
    /// The SDHCI registers (BCM2835 ARM Peripherals §5, standard SDHCI offsets).
    pub RegisterBlock {
        (0x00 => argument2: ReadWrite<u32>),
        (0x04 => block_size_count: ReadWrite<u32>),
        (0x08 => argument1: ReadWrite<u32>),
        (0x0c => command: ReadWrite<u32, CMDTM::Register>),
        (0x10 => response: [ReadWrite<u32>; 4]),
        (0x20 => data: ReadWrite<u32>),
        (0x24 => status: ReadWrite<u32, STATUS::Register>),
        (0x28 => control0: ReadWrite<u32>),
        (0x2c => control1: ReadWrite<u32, CONTROL1::Register>),
        (0x30 => interrupt: ReadWrite<u32, INTERRUPT::Register>),
        (0x34 => interrupt_mask: ReadWrite<u32>),
        (0x38 => interrupt_enable: ReadWrite<u32>),
        (0x3c => control2: ReadWrite<u32>),
        (0x40 => capabilities: ReadWrite<u32>),
        (0x44 => _reserved),
        (0xfc => slot_status_version: ReadWrite<u32>),
        (0x100 => @END),
    }
}

/// CONTROL0: 4-bit data bus.
const CONTROL0_4BIT: u32 = 1 << 1;
/// CONTROL0 (power control byte): bus power on at 3.3 V.
const CONTROL0_POWER_3V3: u32 = 0x0f << 8;
/// Every error flag of INTERRUPT (bits 16..=24).
const ERROR_FLAGS: u32 = 0x01ff_0000;
/// Bytes per block.
const BLOCK: usize = 512;
/// The most blocks one multi-block command moves.
const MAX_BLOCKS_PER_COMMAND: usize = 128;
/// Identification clock and transfer clock.
const IDENTIFICATION_HZ: u32 = 400_000;
const TRANSFER_HZ: u32 = 25_000_000;
/// Waits: a command, a block of data, the card's power-up (ACMD41 loop).
const COMMAND_TIMEOUT_US: u64 = 100_000;
const DATA_TIMEOUT_US: u64 = 500_000;
const POWER_UP_TIMEOUT_US: u64 = 1_000_000;
/// Attempts per transfer.
const ATTEMPTS: usize = 3;

/// Why the card did not answer as expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardError {
    /// No card in the slot (or none answers CMD0/CMD8/ACMD41).
    NoCard,
    /// A command or a transfer did not finish in time.
    Timeout,
    /// A response or data block failed its CRC.
    Crc,
    /// The card answered with an error, or something else went wrong (named).
    Failed(&'static str),
}

/// What identification learnt about the card.
#[derive(Clone, Copy, Debug)]
pub struct CardInfo {
    /// Block-addressed (SDHC/SDXC) rather than byte-addressed (SDSC).
    pub high_capacity: bool,
    /// 512-byte blocks on the card.
    pub blocks: u64,
}

/// The SD host controller.
pub struct Emmc {
    registers: Mmio<RegisterBlock>,
}

/// A response.
type Response = [u32; 4];

impl Emmc {
    /// Creates the driver for the controller at `base`.
    ///
    /// # Safety
    /// `base` must be the EMMC register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Waits until `done` or `timeout_us` passes.
    fn wait(timeout_us: u64, mut done: impl FnMut() -> bool) -> bool {
        let deadline = now_micros() + timeout_us;
        loop {
            if done() {
                return true;
            }
            if now_micros() > deadline {
                return false;
            }
        }
    }

    /// Sets the SD clock from `base_hz` to at most `target_hz`.
    fn set_clock(&self, base_hz: u32, target_hz: u32) -> Result<(), CardError> {
        let registers = &self.registers;
        Self::wait(COMMAND_TIMEOUT_US, || {
            !registers
                .status
                .any_matching_bits_set(STATUS::COMMAND_INHIBIT::SET + STATUS::DATA_INHIBIT::SET)
        });
        registers.control1.modify_clock(false);
        // SDHCI 3.0 10-bit divided clock: base / (2 * divider), divider 0 meaning 1:1.
        let divider = base_hz.div_ceil(2 * target_hz).min(0x3ff);
        registers.control1.write(
            CONTROL1::CLOCK_INTERNAL::SET
                + CONTROL1::DIVIDER_LOW.val(divider & 0xff)
                + CONTROL1::DIVIDER_HIGH.val(divider >> 8)
                + CONTROL1::DATA_TIMEOUT.val(0xe),
        );
        if !Self::wait(COMMAND_TIMEOUT_US, || {
            registers.control1.is_set(CONTROL1::CLOCK_STABLE)
        }) {
            return Err(CardError::Failed("the SD clock does not become stable"));
        }
        registers.control1.modify_clock(true);
        Ok(())
    }

    /// Resets the controller and identifies the card; `base_hz` is the controller's clock.
    pub fn init(&self, base_hz: u32) -> Result<CardInfo, CardError> {
        let registers = &self.registers;
        registers.control1.write(CONTROL1::RESET_ALL::SET);
        if !Self::wait(COMMAND_TIMEOUT_US, || {
            !registers.control1.is_set(CONTROL1::RESET_ALL)
        }) {
            return Err(CardError::Failed("the controller does not leave reset"));
        }
        registers.control0.set(CONTROL0_POWER_3V3);
        registers.control2.set(0);
        // Flags are polled: all of them visible, none raised as an interrupt.
        registers.interrupt_mask.set(u32::MAX);
        registers.interrupt_enable.set(0);
        registers.interrupt.set(u32::MAX);
        if !registers.status.is_set(STATUS::CARD_INSERTED) {
            return Err(CardError::NoCard);
        }
        self.set_clock(base_hz, IDENTIFICATION_HZ)?;
        self.command(0, 0, CMDTM::RESPONSE::None)?;
        // CMD8: 2.7-3.6 V and a check pattern; no answer means a version 1 card.
        let version2 = match self.command(8, 0x1aa, CMDTM::RESPONSE::Bits48) {
            Ok(response) if response[0] & 0xfff == 0x1aa => true,
            Ok(_) => return Err(CardError::Failed("CMD8 echoed a wrong pattern")),
            Err(CardError::Timeout) => {
                self.reset_lines();
                false
            }
            Err(error) => return Err(error),
        };
        // ACMD41 until the card leaves its power-up (bit 31); HCS asked for version 2 cards.
        let request = 0x00ff_8000 | if version2 { 1 << 30 } else { 0 };
        let mut ocr = 0;
        let powered = Self::wait(POWER_UP_TIMEOUT_US, || {
            match self.app_command(41, request, 0, CMDTM::RESPONSE::Bits48) {
                Ok(response) => {
                    ocr = response[0];
                    ocr & (1 << 31) != 0
                }
                Err(_) => false,
            }
        });
        if !powered {
            return Err(CardError::NoCard);
        }
        let high_capacity = ocr & (1 << 30) != 0;
        self.command(2, 0, CMDTM::RESPONSE::Bits136)?;
        let rca = self.command(3, 0, CMDTM::RESPONSE::Bits48)?[0] & 0xffff_0000;
        let csd = self.command(9, rca, CMDTM::RESPONSE::Bits136)?;
        let blocks = csd_blocks(&csd);
        self.command(7, rca, CMDTM::RESPONSE::Bits48Busy)?;
        if !high_capacity {
            self.command(16, BLOCK as u32, CMDTM::RESPONSE::Bits48)?;
        }
        // A 4-bit bus if the card takes it (ACMD6); else stay on one bit.
        if self.app_command(6, 2, rca, CMDTM::RESPONSE::Bits48).is_ok() {
            registers
                .control0
                .set(registers.control0.get() | CONTROL0_4BIT);
        }
        self.set_clock(base_hz, TRANSFER_HZ)?;
        Ok(CardInfo {
            high_capacity,
            blocks,
        })
    }

    /// Resets the command and data lines after an error.
    fn reset_lines(&self) {
        let registers = &self.registers;
        registers.control1.set(
            registers.control1.get()
                | (CONTROL1::RESET_COMMAND::SET + CONTROL1::RESET_DATA::SET).value,
        );
        Self::wait(COMMAND_TIMEOUT_US, || {
            !registers
                .control1
                .any_matching_bits_set(CONTROL1::RESET_COMMAND::SET + CONTROL1::RESET_DATA::SET)
        });
        registers.interrupt.set(u32::MAX);
    }

    /// Issues CMD55 then application command `index`.
    fn app_command(
        &self,
        index: u32,
        argument: u32,
        rca: u32,
        response: tock_registers::fields::FieldValue<u32, CMDTM::Register>,
    ) -> Result<Response, CardError> {
        self.command(55, rca, CMDTM::RESPONSE::Bits48)?;
        self.command(index, argument, response)
    }

    /// Issues a command without data and returns its response.
    fn command(
        &self,
        index: u32,
        argument: u32,
        response: tock_registers::fields::FieldValue<u32, CMDTM::Register>,
    ) -> Result<Response, CardError> {
        self.issue(index, argument, response, None)
    }

    /// Issues a command; `data` is `(blocks, read)` for a data transfer.
    fn issue(
        &self,
        index: u32,
        argument: u32,
        response: tock_registers::fields::FieldValue<u32, CMDTM::Register>,
        data: Option<(usize, bool)>,
    ) -> Result<Response, CardError> {
        let registers = &self.registers;
        if !Self::wait(COMMAND_TIMEOUT_US, || {
            !registers.status.is_set(STATUS::COMMAND_INHIBIT)
        }) {
            return Err(CardError::Timeout);
        }
        registers.interrupt.set(u32::MAX);
        let mut value = CMDTM::INDEX.val(index) + response;
        let kind = response.value >> 16 & 3;
        // R3 (ACMD41's OCR) has neither a CRC nor an index.
        if index != 41 && kind >= 2 {
            value += CMDTM::CRC_CHECK::SET + CMDTM::INDEX_CHECK::SET;
        } else if index != 41 && kind == 1 {
            value += CMDTM::CRC_CHECK::SET;
        }
        if let Some((blocks, read)) = data {
            registers
                .block_size_count
                .set(((blocks as u32) << 16) | BLOCK as u32);
            value += CMDTM::DATA::SET;
            if read {
                value += CMDTM::READ::SET;
            }
            if blocks > 1 {
                value += CMDTM::MULTI_BLOCK::SET
                    + CMDTM::BLOCK_COUNT_ENABLE::SET
                    + CMDTM::AUTO_CMD12.val(1);
            }
        }
        registers.argument1.set(argument);
        registers.command.write(value);
        let mut flags = 0;
        let finished = Self::wait(COMMAND_TIMEOUT_US, || {
            flags = registers.interrupt.get();
            flags & (INTERRUPT::COMMAND_DONE::SET.value | INTERRUPT::ERROR::SET.value | ERROR_FLAGS)
                != 0
        });
        registers.interrupt.set(
            flags
                & (INTERRUPT::COMMAND_DONE::SET.value | ERROR_FLAGS | INTERRUPT::ERROR::SET.value),
        );
        check_flags(flags, finished)?;
        Ok([
            registers.response[0].get(),
            registers.response[1].get(),
            registers.response[2].get(),
            registers.response[3].get(),
        ])
    }

    /// Waits for `ready` (read or write buffer) or an error.
    fn wait_flag(&self, ready: u32, timeout_us: u64) -> Result<(), CardError> {
        let registers = &self.registers;
        let mut flags = 0;
        let finished = Self::wait(timeout_us, || {
            flags = registers.interrupt.get();
            flags & (ready | INTERRUPT::ERROR::SET.value | ERROR_FLAGS) != 0
        });
        check_flags(flags, finished)?;
        registers.interrupt.set(ready);
        Ok(())
    }

    /// Moves `blocks` blocks at block `first` in one command; `word(index, value)` is called
    /// for each 32-bit word: it stores the word read, or replaces it with the word to write.
    fn transfer_once(
        &self,
        card: &CardInfo,
        first: u64,
        blocks: usize,
        read: bool,
        word: &mut dyn FnMut(usize, &mut u32),
    ) -> Result<(), CardError> {
        let address = if card.high_capacity {
            first as u32
        } else {
            (first as u32).wrapping_mul(BLOCK as u32)
        };
        let index = match (read, blocks > 1) {
            (true, false) => 17,
            (true, true) => 18,
            (false, false) => 24,
            (false, true) => 25,
        };
        self.issue(
            index,
            address,
            CMDTM::RESPONSE::Bits48,
            Some((blocks, read)),
        )?;
        let registers = &self.registers;
        let ready = if read {
            INTERRUPT::READ_READY::SET.value
        } else {
            INTERRUPT::WRITE_READY::SET.value
        };
        for block in 0..blocks {
            self.wait_flag(ready, DATA_TIMEOUT_US)?;
            for offset in 0..BLOCK / 4 {
                let index = block * BLOCK / 4 + offset;
                if read {
                    let mut value = registers.data.get();
                    word(index, &mut value);
                } else {
                    let mut value = 0;
                    word(index, &mut value);
                    registers.data.set(value);
                }
            }
        }
        self.wait_flag(INTERRUPT::DATA_DONE::SET.value, DATA_TIMEOUT_US)
    }

    /// Runs `transfer_once` over `blocks` blocks in commands of up to 128 blocks, each
    /// retried after a line reset.
    fn transfer(
        &self,
        card: &CardInfo,
        first: u64,
        blocks: usize,
        read: bool,
        word: &mut dyn FnMut(usize, &mut u32),
    ) -> Result<(), CardError> {
        let mut done = 0;
        while done < blocks {
            let count = (blocks - done).min(MAX_BLOCKS_PER_COMMAND);
            let base = done * BLOCK / 4;
            let mut result = Err(CardError::Timeout);
            for _ in 0..ATTEMPTS {
                result = self.transfer_once(
                    card,
                    first + done as u64,
                    count,
                    read,
                    &mut |index, value| word(base + index, value),
                );
                if result.is_ok() {
                    break;
                }
                self.reset_lines();
            }
            result?;
            done += count;
        }
        Ok(())
    }

    /// Reads whole blocks from block `first` into `buffer`.
    pub fn read(&self, card: &CardInfo, first: u64, buffer: &mut [u8]) -> Result<(), CardError> {
        self.transfer(
            card,
            first,
            buffer.len() / BLOCK,
            true,
            &mut |index, value| {
                buffer[index * 4..index * 4 + 4].copy_from_slice(&value.to_le_bytes());
            },
        )
    }

    /// Writes whole blocks from `data` at block `first`.
    pub fn write(&self, card: &CardInfo, first: u64, data: &[u8]) -> Result<(), CardError> {
        self.transfer(
            card,
            first,
            data.len() / BLOCK,
            false,
            &mut |index, value| {
                let bytes = &data[index * 4..index * 4 + 4];
                *value = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            },
        )
    }
}

/// Turns the flags seen when a wait ended into a result.
fn check_flags(flags: u32, finished: bool) -> Result<(), CardError> {
    if !finished {
        return Err(CardError::Timeout);
    }
    if flags & (INTERRUPT::COMMAND_TIMEOUT::SET.value | INTERRUPT::DATA_TIMEOUT::SET.value) != 0 {
        return Err(CardError::Timeout);
    }
    if flags & (INTERRUPT::COMMAND_CRC::SET.value | INTERRUPT::DATA_CRC::SET.value) != 0 {
        return Err(CardError::Crc);
    }
    if flags & (ERROR_FLAGS | INTERRUPT::ERROR::SET.value) != 0 {
        return Err(CardError::Failed("the controller flagged an error"));
    }
    Ok(())
}

/// The card's size in 512-byte blocks from its CSD (as the controller stores an R2 response:
/// without the CRC byte, so CSD bit `n` is response bit `n - 8`).
fn csd_blocks(csd: &Response) -> u64 {
    let bits = |high: u32, low: u32| -> u64 {
        // Bits [high:low] of the 128-bit CSD.
        let mut value = 0u64;
        for bit in (low..=high).rev() {
            let position = bit - 8;
            let word = csd[(position / 32) as usize];
            value = (value << 1) | u64::from(word >> (position % 32) & 1);
        }
        value
    };
    match bits(127, 126) {
        // CSD 2.0 (SDHC/SDXC): (C_SIZE + 1) * 512 KiB.
        1 => (bits(69, 48) + 1) * 1024,
        // CSD 1.0: (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) blocks of 2^READ_BL_LEN bytes.
        _ => {
            let c_size = bits(73, 62);
            let multiplier = bits(49, 47);
            let block_length = bits(83, 80);
            ((c_size + 1) << (multiplier + 2)) << block_length.saturating_sub(9)
        }
    }
}

/// `modify` for the clock-enable bit alone.
trait ClockBit {
    fn modify_clock(&self, enabled: bool);
}

impl ClockBit for ReadWrite<u32, CONTROL1::Register> {
    fn modify_clock(&self, enabled: bool) {
        let value = self.get();
        let bit = CONTROL1::CLOCK_ENABLE::SET.value;
        self.set(if enabled { value | bit } else { value & !bit });
    }
}
