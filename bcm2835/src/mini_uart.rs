//! Mini UART (UART1, in the AUX block): 8N1 at a baud rate from the core clock, polled
//! transmit and receive, interrupt enables.
//!
//! BCM2835 ARM Peripherals, chapter 2, with its errata: IER's bits 0 and 1 are swapped in the
//! datasheet's table (bit 0 enables the receive interrupt, bit 1 the transmit one), bits 3:2
//! must be set to get receive interrupts, and LCR's data size needs both bits 1:0 set for
//! 8 bits. baud = core clock / (8 × (BAUD + 1)), so the rate follows the core clock: a
//! `config.txt` that changes `core_freq` changes it.
//!
//! Pins (ALT5, [`crate::pins::uart1_pins`]): TXD1/RXD1 on GPIO 14/15, 32/33 or 40/41. 14/15
//! are also the PL011's (ALT0) that the console uses, so with the console there the kernel
//! routes the mini UART to 32/33 or 40/41 or moves the console. Neither other pair reaches
//! the 40-pin header (GPIO 0 to 27), and boards with analogue audio use GPIO 40 and up for
//! it: check the board before routing there.
use tock_registers::register_bitfields;

use crate::{
    register::{Deadline, Register},
    Clock, Error, Operation, Registers,
};

/// The AUX block's ARM physical address (the mini UART's registers sit at 0x40 to 0x68 in it).
pub const BASE: usize = 0x2021_5000;

/// The transmit and receive FIFOs' depth.
pub const FIFO_DEPTH: u32 = 8;

/// The largest baud rate error accepted, in percent.
pub const TOLERANCE_PERCENT: u32 = 3;

/// Added to the transmit and flush polling limits (otherwise twice a full FIFO's time).
pub const DEFAULT_TIMEOUT_SLACK_MICROS: u32 = 10_000;

register_bitfields! {u32,
    /// Auxiliary Interrupt status.
    AUX_IRQ [
        /// The mini UART has an interrupt pending.
        MINI_UART_IRQ OFFSET(0) NUMBITS(1) [],
        /// SPI1 has an interrupt pending.
        SPI1_IRQ OFFSET(1) NUMBITS(1) [],
        /// SPI2 has an interrupt pending.
        SPI2_IRQ OFFSET(2) NUMBITS(1) []
    ],
    /// Auxiliary enables.
    AUX_ENABLES [
        /// Mini UART enable (its registers are inaccessible while clear).
        MINI_UART_ENABLE OFFSET(0) NUMBITS(1) [],
        /// SPI1 enable.
        SPI1_ENABLE OFFSET(1) NUMBITS(1) [],
        /// SPI2 enable.
        SPI2_ENABLE OFFSET(2) NUMBITS(1) []
    ],
    /// Mini UART I/O Data.
    AUX_MU_IO [
        /// Transmit (write) or receive (read) data.
        DATA OFFSET(0) NUMBITS(8) []
    ],
    /// Mini UART Interrupt Enable (bit order as the errata corrects it).
    AUX_MU_IER [
        /// Enable receive interrupt.
        ENABLE_RECEIVE_INTERRUPT OFFSET(0) NUMBITS(1) [],
        /// Enable transmit interrupt.
        ENABLE_TRANSMIT_INTERRUPT OFFSET(1) NUMBITS(1) [],
        /// Marked "don't care", but needed for receive interrupts (errata).
        RECEIVE_INTERRUPT_REQUIRED OFFSET(2) NUMBITS(2) []
    ],
    /// Mini UART Interrupt Identify.
    AUX_MU_IIR [
        /// FIFO enables (always read 1).
        FIFO_ENABLES OFFSET(6) NUMBITS(2) [],
        /// On read: interrupt ID. On write: FIFO clear bits.
        INTERRUPT_ID OFFSET(1) NUMBITS(2) [
            /// No interrupts (read), or nothing cleared (write).
            None = 0b00,
            /// Transmit holding register empty (read), or clear the receive FIFO (write).
            TransmitEmpty = 0b01,
            /// Receiver holds a valid byte (read), or clear the transmit FIFO (write).
            ReceiveValid = 0b10,
            /// Clear both FIFOs (write).
            ClearBoth = 0b11
        ],
        /// Interrupt pending: clear whenever an interrupt is pending.
        INTERRUPT_PENDING OFFSET(0) NUMBITS(1) []
    ],
    /// Mini UART Line Control.
    AUX_MU_LCR [
        /// DLAB access (gives BAUD through IO/IER; not used here).
        DLAB_ACCESS OFFSET(7) NUMBITS(1) [],
        /// Break: pull TX low.
        BREAK OFFSET(6) NUMBITS(1) [],
        /// Data size (both bits for 8 bits, errata).
        DATA_SIZE OFFSET(0) NUMBITS(2) [
            /// 7-bit mode.
            SevenBit = 0b00,
            /// 8-bit mode.
            EightBit = 0b11
        ]
    ],
    /// Mini UART Modem Control.
    AUX_MU_MCR [
        /// RTS: 1 = the RTS line is low.
        RTS OFFSET(1) NUMBITS(1) []
    ],
    /// Mini UART Line Status.
    AUX_MU_LSR [
        /// Transmitter idle: FIFO empty and the last bit sent.
        TRANSMITTER_IDLE OFFSET(6) NUMBITS(1) [],
        /// Transmitter empty: the FIFO can accept at least one byte.
        TRANSMITTER_EMPTY OFFSET(5) NUMBITS(1) [],
        /// Receiver overrun (cleared by reading this register).
        RECEIVER_OVERRUN OFFSET(1) NUMBITS(1) [],
        /// Data ready: the receive FIFO holds at least one byte.
        DATA_READY OFFSET(0) NUMBITS(1) []
    ],
    /// Mini UART Extra Control.
    AUX_MU_CNTL [
        /// CTS assert level.
        CTS_ASSERT_LEVEL OFFSET(7) NUMBITS(1) [],
        /// RTS assert level.
        RTS_ASSERT_LEVEL OFFSET(6) NUMBITS(1) [],
        /// RTS auto flow level.
        RTS_AUTO_FLOW_LEVEL OFFSET(4) NUMBITS(2) [],
        /// Enable transmit auto flow control using CTS.
        TRANSMIT_AUTO_FLOW OFFSET(3) NUMBITS(1) [],
        /// Enable receive auto flow control using RTS.
        RECEIVE_AUTO_FLOW OFFSET(2) NUMBITS(1) [],
        /// Transmitter enable.
        TRANSMITTER_ENABLE OFFSET(1) NUMBITS(1) [],
        /// Receiver enable.
        RECEIVER_ENABLE OFFSET(0) NUMBITS(1) []
    ],
    /// Mini UART Baudrate.
    AUX_MU_BAUD [
        /// Baudrate counter: baud = core clock / (8 × (BAUDRATE + 1)).
        BAUDRATE OFFSET(0) NUMBITS(16) []
    ]
}

/// AUX_IRQ.
const INTERRUPT_STATUS: Register<AUX_IRQ::Register> = Register::at(0x00);
/// AUX_ENABLES.
const ENABLES: Register<AUX_ENABLES::Register> = Register::at(0x04);
/// AUX_MU_IO_REG.
const DATA: Register<AUX_MU_IO::Register> = Register::at(0x40);
/// AUX_MU_IER_REG.
const INTERRUPT_ENABLE: Register<AUX_MU_IER::Register> = Register::at(0x44);
/// AUX_MU_IIR_REG.
const INTERRUPT_IDENTIFY: Register<AUX_MU_IIR::Register> = Register::at(0x48);
/// AUX_MU_LCR_REG.
const LINE_CONTROL: Register<AUX_MU_LCR::Register> = Register::at(0x4c);
/// AUX_MU_MCR_REG. AUX_MU_MSR_REG (0x58), AUX_MU_SCRATCH (0x5c) and AUX_MU_STAT_REG (0x64)
/// are not needed here.
const MODEM_CONTROL: Register<AUX_MU_MCR::Register> = Register::at(0x50);
/// AUX_MU_LSR_REG.
const LINE_STATUS: Register<AUX_MU_LSR::Register> = Register::at(0x54);
/// AUX_MU_CNTL_REG.
const EXTRA_CONTROL: Register<AUX_MU_CNTL::Register> = Register::at(0x60);
/// AUX_MU_BAUD_REG.
const BAUD_RATE: Register<AUX_MU_BAUD::Register> = Register::at(0x68);

/// How the mini UART is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UartConfig {
    /// The baud rate asked for.
    pub baud: u32,
    /// The core clock that feeds the baud counter.
    pub core_clock_hz: u32,
    /// Added to the transmit and flush polling limits.
    pub timeout_slack_micros: u32,
}

impl Default for UartConfig {
    fn default() -> Self {
        Self {
            baud: 115_200,
            core_clock_hz: crate::DEFAULT_CORE_CLOCK_HZ,
            timeout_slack_micros: DEFAULT_TIMEOUT_SLACK_MICROS,
        }
    }
}

/// The BAUD register value for `baud` and the rate it makes (rounded to the nearest): BAUD =
/// core / (8 × baud) rounded to the nearest, minus 1, within 0 to 65535. [`Error::BaudRateUnreachable`] names a rate the
/// nearest divisor misses by more than [`TOLERANCE_PERCENT`].
pub fn baud_divisor(core_clock_hz: u32, baud: u32) -> Result<(u32, u32), Error> {
    let core = u64::from(core_clock_hz);
    let counts = if baud == 0 {
        u64::MAX
    } else {
        (core + 4 * u64::from(baud)) / (8 * u64::from(baud))
    };
    let divisor = counts.clamp(1, 65_536) - 1;
    let achieved = ((core + 4 * (divisor + 1)) / (8 * (divisor + 1))) as u32;
    let error = u64::from(achieved.abs_diff(baud));
    if baud == 0 || error * 100 > u64::from(TOLERANCE_PERCENT) * u64::from(baud) {
        return Err(Error::BaudRateUnreachable {
            baud,
            nearest: achieved,
        });
    }
    Ok((divisor as u32, achieved))
}

/// Which condition the mini UART's interrupt is for (AUX_MU_IIR_REG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interrupt {
    /// The transmit FIFO has room.
    TransmitEmpty,
    /// The receive FIFO holds a byte.
    ReceiveValid,
}

/// The mini UART, over the AUX block at [`BASE`].
pub struct MiniUart<B, C> {
    bus: B,
    clock: C,
    config: UartConfig,
    divisor: u32,
    baud: u32,
}

impl<B: Registers, C: Clock> MiniUart<B, C> {
    /// Checks the baud rate and sets the mini UART up for 8N1, no flow control, interrupts
    /// off: AUX_ENABLES |= mini UART (read, write: the SPI enables are kept), CNTL = 0,
    /// IER = 0, LCR = 8 bit, MCR = 0, IIR = clear both FIFOs, BAUD, CNTL = receiver and
    /// transmitter enable.
    pub fn init(bus: B, clock: C, config: UartConfig) -> Result<Self, Error> {
        let (divisor, baud) = baud_divisor(config.core_clock_hz, config.baud)?;
        let driver = Self {
            bus,
            clock,
            config,
            divisor,
            baud,
        };
        ENABLES.modify(&driver.bus, AUX_ENABLES::MINI_UART_ENABLE::SET);
        EXTRA_CONTROL.write_raw(&driver.bus, 0);
        INTERRUPT_ENABLE.write_raw(&driver.bus, 0);
        LINE_CONTROL.write(&driver.bus, AUX_MU_LCR::DATA_SIZE::EightBit);
        MODEM_CONTROL.write_raw(&driver.bus, 0);
        INTERRUPT_IDENTIFY.write(&driver.bus, AUX_MU_IIR::INTERRUPT_ID::ClearBoth);
        BAUD_RATE.write(&driver.bus, AUX_MU_BAUD::BAUDRATE.val(divisor));
        EXTRA_CONTROL.write(
            &driver.bus,
            AUX_MU_CNTL::RECEIVER_ENABLE::SET + AUX_MU_CNTL::TRANSMITTER_ENABLE::SET,
        );
        Ok(driver)
    }

    /// The baud rate made.
    pub const fn baud(&self) -> u32 {
        self.baud
    }

    /// The BAUD register value.
    pub const fn divisor(&self) -> u32 {
        self.divisor
    }

    /// Sends one byte: polls LSR until the transmitter can take it, then writes IO.
    pub fn write_byte(&self, byte: u8) -> Result<(), Error> {
        self.wait_line(
            AUX_MU_LSR::TRANSMITTER_EMPTY,
            Operation::UartTransmit,
            self.fifo_limit_micros(),
        )?;
        DATA.write(&self.bus, AUX_MU_IO::DATA.val(u32::from(byte)));
        Ok(())
    }

    /// Sends every byte of `data` in order (each as [`MiniUart::write_byte`]).
    pub fn write(&self, data: &[u8]) -> Result<(), Error> {
        data.iter().try_for_each(|byte| self.write_byte(*byte))
    }

    /// A received byte if there is one (one read of LSR, then one of IO if data is ready).
    pub fn try_read_byte(&self) -> Option<u8> {
        if LINE_STATUS.read(&self.bus).is_set(AUX_MU_LSR::DATA_READY) {
            Some(DATA.read(&self.bus).read(AUX_MU_IO::DATA) as u8)
        } else {
            None
        }
    }

    /// Waits up to `timeout_micros` for a byte.
    pub fn read_byte(&self, timeout_micros: u32) -> Result<u8, Error> {
        self.wait_line(
            AUX_MU_LSR::DATA_READY,
            Operation::UartReceive,
            timeout_micros,
        )?;
        Ok(DATA.read(&self.bus).read(AUX_MU_IO::DATA) as u8)
    }

    /// Waits until every byte has left the transmitter (LSR transmitter idle).
    pub fn flush(&self) -> Result<(), Error> {
        self.wait_line(
            AUX_MU_LSR::TRANSMITTER_IDLE,
            Operation::UartFlush,
            self.fifo_limit_micros(),
        )
    }

    /// Writes IER: the receive interrupt (bit 0, with bits 3:2 as the errata requires) and
    /// the transmit interrupt (bit 1). The interrupt reaches the ARM as the AUX interrupt
    /// (GPU interrupt 29). QEMU's model reads IER the datasheet's uncorrected way round (bit 0
    /// transmit), so there a receive request enables its transmit interrupt.
    pub fn set_interrupts(&self, receive: bool, transmit: bool) {
        let receive_bits = if receive { 0b11 } else { 0 };
        INTERRUPT_ENABLE.write(
            &self.bus,
            AUX_MU_IER::ENABLE_RECEIVE_INTERRUPT.val(receive.into())
                + AUX_MU_IER::RECEIVE_INTERRUPT_REQUIRED.val(receive_bits)
                + AUX_MU_IER::ENABLE_TRANSMIT_INTERRUPT.val(transmit.into()),
        );
    }

    /// The pending interrupt, if any (one read of IIR).
    pub fn pending_interrupt(&self) -> Option<Interrupt> {
        let identify = INTERRUPT_IDENTIFY.read(&self.bus);
        if identify.is_set(AUX_MU_IIR::INTERRUPT_PENDING) {
            return None;
        }
        match identify.read_as_enum(AUX_MU_IIR::INTERRUPT_ID) {
            Some(AUX_MU_IIR::INTERRUPT_ID::Value::TransmitEmpty) => Some(Interrupt::TransmitEmpty),
            Some(AUX_MU_IIR::INTERRUPT_ID::Value::ReceiveValid) => Some(Interrupt::ReceiveValid),
            _ => None,
        }
    }

    /// Whether the AUX block says the mini UART is interrupting (one read of AUX_IRQ).
    pub fn is_interrupting(&self) -> bool {
        INTERRUPT_STATUS
            .read(&self.bus)
            .is_set(AUX_IRQ::MINI_UART_IRQ)
    }

    /// Turns the mini UART off: CNTL = 0, IER = 0, AUX_ENABLES without it (read, write).
    pub fn disable(&self) {
        EXTRA_CONTROL.write_raw(&self.bus, 0);
        INTERRUPT_ENABLE.write_raw(&self.bus, 0);
        ENABLES.modify(&self.bus, AUX_ENABLES::MINI_UART_ENABLE::CLEAR);
    }

    fn wait_line(
        &self,
        flag: tock_registers::fields::Field<u32, AUX_MU_LSR::Register>,
        operation: Operation,
        limit_micros: u32,
    ) -> Result<(), Error> {
        let deadline = Deadline::start(&self.clock, limit_micros);
        loop {
            if LINE_STATUS.read(&self.bus).is_set(flag) {
                return Ok(());
            }
            if deadline.expired(&self.clock) {
                return Err(Error::Timeout {
                    operation,
                    micros: limit_micros,
                });
            }
        }
    }

    /// Twice the time to send a full FIFO of 10-bit frames, plus the slack.
    fn fifo_limit_micros(&self) -> u32 {
        let bits = u64::from(FIFO_DEPTH) * 10 * 2;
        let micros = (bits * 1_000_000).div_ceil(u64::from(self.baud));
        micros
            .saturating_add(u64::from(self.config.timeout_slack_micros))
            .min(u64::from(u32::MAX)) as u32
    }
}
