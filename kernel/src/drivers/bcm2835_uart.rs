//! PL011 UART (BCM2835 "UART0"): 115200 8N1, polled transmit, interrupt-driven receive.
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_bitfields, register_structs,
    registers::{ReadOnly, ReadWrite, WriteOnly},
};

use super::{interface::SerialPort, Mmio};

register_bitfields! {u32,
    /// Data Register.
    DR [
        /// Received or transmitted character.
        DATA OFFSET(0) NUMBITS(8) []
    ],
    /// Flag Register.
    FR [
        /// Transmit FIFO empty.
        TXFE OFFSET(7) NUMBITS(1) [],
        /// Transmit FIFO full.
        TXFF OFFSET(5) NUMBITS(1) [],
        /// Receive FIFO empty.
        RXFE OFFSET(4) NUMBITS(1) [],
        /// UART busy transmitting.
        BUSY OFFSET(3) NUMBITS(1) []
    ],
    /// Integer Baud Rate Divisor.
    IBRD [
        /// Integer part of the divisor.
        BAUD_DIVINT OFFSET(0) NUMBITS(16) []
    ],
    /// Fractional Baud Rate Divisor.
    FBRD [
        /// Fractional part of the divisor, in 64ths.
        BAUD_DIVFRAC OFFSET(0) NUMBITS(6) []
    ],
    /// Line Control Register.
    LCRH [
        /// Word length.
        WLEN OFFSET(5) NUMBITS(2) [
            EightBit = 0b11
        ],
        /// FIFO enable.
        FEN OFFSET(4) NUMBITS(1) []
    ],
    /// Control Register.
    CR [
        /// Receive enable.
        RXE OFFSET(9) NUMBITS(1) [],
        /// Transmit enable.
        TXE OFFSET(8) NUMBITS(1) [],
        /// UART enable.
        UARTEN OFFSET(0) NUMBITS(1) []
    ],
    /// Interrupt FIFO Level Select.
    IFLS [
        /// Receive interrupt FIFO level: 0b000 = 1/8 full.
        RXIFLSEL OFFSET(3) NUMBITS(3) []
    ],
    /// Interrupt Mask Set/Clear (and the raw/masked status and clear registers share the bits).
    INT [
        /// Overrun error.
        OE OFFSET(10) NUMBITS(1) [],
        /// Receive timeout (FIFO not empty and quiet for 32 bit periods).
        RT OFFSET(6) NUMBITS(1) [],
        /// Receive (FIFO reached its level).
        RX OFFSET(4) NUMBITS(1) []
    ]
}

register_structs! {
    /// PL011 register block (BCM2835 ARM Peripherals, chapter 13).
    pub RegisterBlock {
        (0x00 => dr: ReadWrite<u32, DR::Register>),
        (0x04 => rsrecr: ReadWrite<u32>),
        (0x08 => _reserved0),
        (0x18 => fr: ReadOnly<u32, FR::Register>),
        (0x1c => _reserved1),
        (0x24 => ibrd: WriteOnly<u32, IBRD::Register>),
        (0x28 => fbrd: WriteOnly<u32, FBRD::Register>),
        (0x2c => lcrh: WriteOnly<u32, LCRH::Register>),
        (0x30 => cr: ReadWrite<u32, CR::Register>),
        (0x34 => ifls: WriteOnly<u32, IFLS::Register>),
        (0x38 => imsc: ReadWrite<u32, INT::Register>),
        (0x3c => ris: ReadOnly<u32, INT::Register>),
        (0x40 => mis: ReadOnly<u32, INT::Register>),
        (0x44 => icr: WriteOnly<u32, INT::Register>),
        (0x48 => @END),
    }
}

/// The serial line speed.
pub const BAUD_RATE: u32 = 115_200;

/// The PL011 UART.
pub struct Pl011Uart {
    registers: Mmio<RegisterBlock>,
}

impl Pl011Uart {
    /// Creates the driver for the UART at `base`.
    ///
    /// # Safety
    /// `base` must be the PL011's register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
        }
    }

    /// Programs 8N1 at [`BAUD_RATE`] for a UART clock of `clock_hz`, enables the FIFOs and the
    /// receive interrupts.
    ///
    /// The divisor is `clock / (16 * baud)`: integer part in IBRD, fraction in 64ths in FBRD
    /// (e.g. 48 MHz: 26.0417 → 26 and 3; the firmware's old 3 MHz default: 1.6276 → 1 and 40).
    pub fn init(&self, clock_hz: u32) {
        let registers = &self.registers;
        registers.cr.set(0);
        while registers.fr.is_set(FR::BUSY) {}
        // Divisor in 64ths, rounded: 64 * clock / (16 * baud) = 4 * clock / baud.
        let divisor_64ths =
            (4 * u64::from(clock_hz) + u64::from(BAUD_RATE) / 2) / u64::from(BAUD_RATE);
        registers
            .ibrd
            .write(IBRD::BAUD_DIVINT.val((divisor_64ths >> 6) as u32));
        registers
            .fbrd
            .write(FBRD::BAUD_DIVFRAC.val((divisor_64ths & 0x3f) as u32));
        registers.lcrh.write(LCRH::WLEN::EightBit + LCRH::FEN::SET);
        registers.ifls.write(IFLS::RXIFLSEL.val(0));
        registers.icr.set(0x7ff);
        registers.imsc.write(INT::RX::SET + INT::RT::SET);
        registers
            .cr
            .write(CR::UARTEN::SET + CR::TXE::SET + CR::RXE::SET);
    }

    /// Acknowledges the receive interrupt, then drains the FIFO, handing each byte to `sink`.
    ///
    /// Acknowledging first matters: a byte that arrives after the last FIFO read raises the
    /// interrupt again, whereas clearing it after the drain could lose that byte's interrupt
    /// (and with it every later one, since the FIFO would never drain).
    pub fn drain_receive_fifo(&self, mut sink: impl FnMut(u8)) {
        let registers = &self.registers;
        registers
            .icr
            .write(INT::RX::SET + INT::RT::SET + INT::OE::SET);
        while !registers.fr.is_set(FR::RXFE) {
            sink(registers.dr.read(DR::DATA) as u8);
        }
    }

    /// True if the UART raised a receive interrupt.
    pub fn receive_interrupt_pending(&self) -> bool {
        let status = self.registers.mis.extract();
        status.is_set(INT::RX) || status.is_set(INT::RT)
    }
}

impl SerialPort for Pl011Uart {
    fn write_byte(&self, byte: u8) {
        while self.registers.fr.is_set(FR::TXFF) {}
        self.registers.dr.write(DR::DATA.val(u32::from(byte)));
    }

    fn flush(&self) {
        while !self.registers.fr.is_set(FR::TXFE) || self.registers.fr.is_set(FR::BUSY) {}
    }
}
