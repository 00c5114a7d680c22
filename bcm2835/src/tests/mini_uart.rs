//! Mini UART: baud divisor, init sequence, polled transmit/receive, interrupts.
use super::{assert_events, message, read, write};
use crate::{
    mini_uart::{baud_divisor, Interrupt, MiniUart, UartConfig},
    testing::RecordingBus,
    Error, Operation,
};

const AUX_IRQ: usize = 0x00;
const AUX_ENABLES: usize = 0x04;
const IO: usize = 0x40;
const IER: usize = 0x44;
const IIR: usize = 0x48;
const LSR: usize = 0x54;
const CNTL: usize = 0x60;

fn driver(bus: &RecordingBus, slack: u32) -> MiniUart<&RecordingBus, &RecordingBus> {
    let config = UartConfig {
        timeout_slack_micros: slack,
        ..UartConfig::default()
    };
    let uart = MiniUart::init(bus, bus, config).unwrap();
    bus.clear_events();
    uart
}

#[test]
fn baud_divisor_rounds_and_reports_the_rate_made() {
    // 250 MHz / (8 × 271) = 115313.6.
    assert_eq!(baud_divisor(250_000_000, 115_200), Ok((270, 115_314)));
    assert_eq!(baud_divisor(250_000_000, 9_600), Ok((3_254, 9_601)));
    assert_eq!(baud_divisor(250_000_000, 31_250_000), Ok((0, 31_250_000)));
    // The slowest: 250 MHz / (8 × 65514) = 476.99.
    assert_eq!(baud_divisor(250_000_000, 477), Ok((65_513, 477)));
    assert_eq!(baud_divisor(250_000_000, 1_000_000), Ok((30, 1_008_065)));
}

#[test]
fn unreachable_baud_rates_name_the_nearest() {
    assert_eq!(
        baud_divisor(250_000_000, 20_000_000),
        Err(Error::BaudRateUnreachable {
            baud: 20_000_000,
            nearest: 15_625_000
        })
    );
    assert_eq!(
        baud_divisor(250_000_000, 300),
        Err(Error::BaudRateUnreachable {
            baud: 300,
            nearest: 477
        })
    );
    assert!(baud_divisor(250_000_000, 0).is_err());
    assert_eq!(
        message(Error::BaudRateUnreachable {
            baud: 300,
            nearest: 477
        }),
        "baud rate 300 unreachable within 3% (nearest 477)"
    );
}

#[test]
fn init_enables_the_block_then_configures_8n1() {
    let bus = RecordingBus::new();
    // SPI1 already enabled by someone else.
    bus.script(AUX_ENABLES, &[0b010]);
    let uart = MiniUart::init(&bus, &bus, UartConfig::default()).unwrap();
    assert_eq!((uart.baud(), uart.divisor()), (115_314, 270));
    assert_events(
        &bus,
        &[
            read(AUX_ENABLES, 0b010),
            write(AUX_ENABLES, 0b011),
            write(CNTL, 0),
            write(IER, 0),
            write(0x4c, 0b11),
            write(0x50, 0),
            write(IIR, 0b110),
            write(0x68, 270),
            write(CNTL, 0b11),
        ],
    );
}

#[test]
fn write_byte_waits_for_transmitter_empty() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 10_000);
    bus.script(LSR, &[0x00, 0x20, 0x60]);
    uart.write(b"hi").unwrap();
    assert_events(
        &bus,
        &[
            read(LSR, 0x00),
            read(LSR, 0x20),
            write(IO, u32::from(b'h')),
            read(LSR, 0x60),
            write(IO, u32::from(b'i')),
        ],
    );
}

#[test]
fn a_full_transmitter_times_out_on_the_clock() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 0);
    // 8 frames of 10 bits, twice, at 115314 baud: 1388 µs.
    let error = uart.write_byte(0).unwrap_err();
    assert_eq!(
        error,
        Error::Timeout {
            operation: Operation::UartTransmit,
            micros: 1_388
        }
    );
    assert_eq!(bus.read_count(LSR), 1_388);
    assert!(bus.writes().is_empty());
}

#[test]
fn receive_polls_data_ready() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 0);
    bus.script(LSR, &[0x00, 0x01, 0x00, 0x00, 0x01])
        .script(IO, &[0x41, 0x42]);
    assert_eq!(uart.try_read_byte(), None);
    assert_eq!(uart.try_read_byte(), Some(0x41));
    assert_eq!(uart.read_byte(100), Ok(0x42));
    assert_events(
        &bus,
        &[
            read(LSR, 0),
            read(LSR, 1),
            read(IO, 0x41),
            read(LSR, 0),
            read(LSR, 0),
            read(LSR, 1),
            read(IO, 0x42),
        ],
    );
    assert_eq!(
        uart.read_byte(10),
        Err(Error::Timeout {
            operation: Operation::UartReceive,
            micros: 10
        })
    );
}

#[test]
fn flush_waits_for_transmitter_idle() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 0);
    bus.script(LSR, &[0x20, 0x60]);
    uart.flush().unwrap();
    assert_eq!(bus.read_count(LSR), 2);
    bus.set_default(LSR, 0x20);
    assert!(matches!(
        uart.flush(),
        Err(Error::Timeout {
            operation: Operation::UartFlush,
            ..
        })
    ));
}

#[test]
fn interrupt_enables_follow_the_errata() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 0);
    uart.set_interrupts(true, false);
    uart.set_interrupts(false, true);
    uart.set_interrupts(true, true);
    uart.set_interrupts(false, false);
    assert_events(
        &bus,
        &[
            write(IER, 0b1101),
            write(IER, 0b0010),
            write(IER, 0b1111),
            write(IER, 0),
        ],
    );
}

#[test]
fn pending_interrupts_are_identified() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 0);
    bus.script(IIR, &[0xc1, 0xc4, 0xc2, 0xc0])
        .script(AUX_IRQ, &[1]);
    assert_eq!(uart.pending_interrupt(), None);
    assert_eq!(uart.pending_interrupt(), Some(Interrupt::ReceiveValid));
    assert_eq!(uart.pending_interrupt(), Some(Interrupt::TransmitEmpty));
    assert_eq!(uart.pending_interrupt(), None);
    assert!(uart.is_interrupting());
}

#[test]
fn disable_turns_off_then_releases_the_enable_bit() {
    let bus = RecordingBus::new();
    let uart = driver(&bus, 0);
    bus.script(AUX_ENABLES, &[0b111]);
    uart.disable();
    assert_events(
        &bus,
        &[
            write(CNTL, 0),
            write(IER, 0),
            read(AUX_ENABLES, 0b111),
            write(AUX_ENABLES, 0b110),
        ],
    );
}
