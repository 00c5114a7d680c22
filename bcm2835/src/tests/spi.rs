//! SPI0: divisor rounding, mode and select bits, the polled transfer and its limits.
use super::{assert_events, message, read, write};
use crate::{
    spi::{
        divisor_for, BitOrder, ChipSelect, ChipSelectPolarity, Mode, Spi, SpiConfig,
        IN_FLIGHT_LIMIT,
    },
    testing::RecordingBus,
    Error, Operation,
};

const CS: usize = 0x00;
const FIFO: usize = 0x04;
const CLK: usize = 0x08;

const TA: u32 = 1 << 7;
const CLEAR_BOTH: u32 = 0b11 << 4;
const DONE: u32 = 1 << 16;
const RXD: u32 = 1 << 17;
const TXD: u32 = 1 << 18;

fn driver(bus: &RecordingBus, config: SpiConfig) -> Spi<&RecordingBus, &RecordingBus> {
    let spi = Spi::init(bus, bus, config).unwrap();
    bus.clear_events();
    spi
}

#[test]
fn divisor_is_the_smallest_even_one_not_faster_than_asked() {
    assert_eq!(divisor_for(250_000_000, 1_000_000), Ok(250));
    // 83.3 rounds up to 84 (2.976 MHz), not down to the power of two 64 (3.9 MHz).
    assert_eq!(divisor_for(250_000_000, 3_000_000), Ok(84));
    assert_eq!(divisor_for(250_000_000, 125_000_000), Ok(2));
    assert_eq!(divisor_for(250_000_000, 3_815), Ok(65_532));
    assert_eq!(divisor_for(65_536, 1), Ok(65_536));
    assert_eq!(
        divisor_for(250_000_000, 3_814),
        Err(Error::FrequencyOutOfRange {
            hz: 3_814,
            min_hz: 3_815,
            max_hz: 125_000_000
        })
    );
    assert!(divisor_for(250_000_000, 125_000_001).is_err());
    assert!(divisor_for(250_000_000, 0).is_err());
}

#[test]
fn modes_and_chip_selects_are_validated_by_number() {
    assert_eq!(Mode::from_number(3), Ok(Mode::Mode3));
    assert_eq!(Mode::from_number(4), Err(Error::InvalidSpiMode(4)));
    assert_eq!(
        message(Error::InvalidSpiMode(4)),
        "invalid SPI mode 4 (0 to 3)"
    );
    assert_eq!(Mode::from_polarity_phase(1, 0), Ok(Mode::Mode2));
    assert_eq!(
        Mode::from_polarity_phase(2, 0),
        Err(Error::InvalidSpiMode(4))
    );
    assert!(Mode::Mode1.phase() && !Mode::Mode1.polarity());
    assert_eq!(ChipSelect::from_number(1), Ok(ChipSelect::Ce1));
    assert_eq!(ChipSelect::from_number(2), Err(Error::InvalidChipSelect(2)));
    assert_eq!(
        message(Error::InvalidChipSelect(2)),
        "invalid SPI chip select 2 (0 or 1)"
    );
}

#[test]
fn init_writes_cs_with_clear_then_clk() {
    let bus = RecordingBus::new();
    let spi = Spi::init(&bus, &bus, SpiConfig::default()).unwrap();
    assert_eq!(spi.frequency_hz(), 1_000_000);
    assert_events(&bus, &[write(CS, CLEAR_BOTH), write(CLK, 250)]);
}

#[test]
fn mode_select_and_polarity_bits() {
    let bus = RecordingBus::new();
    let config = SpiConfig {
        mode: Mode::Mode3,
        chip_select: ChipSelect::Ce1,
        chip_select_polarity: ChipSelectPolarity::ActiveHigh,
        ..SpiConfig::default()
    };
    Spi::init(&bus, &bus, config).unwrap();
    // CS = 1, CPHA, CPOL, CSPOL, CSPOL1.
    let setup = 0b01 | 1 << 2 | 1 << 3 | 1 << 6 | 1 << 22;
    assert_eq!(bus.writes()[0], (CS, setup | CLEAR_BOTH));
    bus.clear_events();
    let config = SpiConfig {
        chip_select: ChipSelect::None,
        chip_select_polarity: ChipSelectPolarity::ActiveHigh,
        mode: Mode::Mode1,
        ..SpiConfig::default()
    };
    Spi::init(&bus, &bus, config).unwrap();
    // No select: CS = 2 (no pin), no polarity bits.
    assert_eq!(bus.writes()[0], (CS, 0b10 | 1 << 2 | CLEAR_BOTH));
}

#[test]
fn a_transfer_follows_the_polled_sequence() {
    let bus = RecordingBus::new();
    let mut spi = driver(&bus, SpiConfig::default());
    bus.script(CS, &[TXD, TXD | RXD, RXD, DONE])
        .script(FIFO, &[0xab, 0xcd]);
    let mut buffer = [0; 2];
    spi.write_readinto(&[0x12, 0x34], &mut buffer).unwrap();
    assert_eq!(buffer, [0xab, 0xcd]);
    assert_events(
        &bus,
        &[
            write(CS, CLEAR_BOTH),
            write(CS, TA),
            read(CS, TXD),
            write(FIFO, 0x12),
            read(CS, TXD | RXD),
            write(FIFO, 0x34),
            read(FIFO, 0xab),
            read(CS, RXD),
            read(FIFO, 0xcd),
            read(CS, DONE),
            write(CS, 0),
        ],
    );
}

#[test]
fn done_is_polled_until_set() {
    let bus = RecordingBus::new();
    let mut spi = driver(&bus, SpiConfig::default());
    bus.script(CS, &[TXD | RXD, 0, TA, DONE])
        .script(FIFO, &[0x5a]);
    spi.write(&[0xa5]).unwrap();
    assert_eq!(bus.read_count(CS), 4);
    assert_eq!(bus.writes().last(), Some(&(CS, 0)));
}

#[test]
fn lsb_first_reverses_bits_both_ways() {
    let bus = RecordingBus::new();
    let config = SpiConfig {
        bit_order: BitOrder::LsbFirst,
        ..SpiConfig::default()
    };
    let mut spi = driver(&bus, config);
    bus.script(CS, &[TXD | RXD, DONE]).script(FIFO, &[0x80]);
    let mut buffer = [0x01];
    spi.transfer_in_place(&mut buffer).unwrap();
    assert_eq!(buffer, [0x01]);
    assert!(bus.writes().contains(&(FIFO, 0x80)));
}

#[test]
fn read_sends_the_fill_byte() {
    let bus = RecordingBus::new();
    let mut spi = driver(&bus, SpiConfig::default());
    bus.set_default(CS, TXD | RXD | DONE)
        .script(FIFO, &[1, 2, 3]);
    let mut buffer = [0; 3];
    spi.read(&mut buffer, 0xff).unwrap();
    assert_eq!(buffer, [1, 2, 3]);
    assert_eq!(super::writes_to(&bus, FIFO), [0xff, 0xff, 0xff]);
}

#[test]
fn at_most_16_bytes_go_ahead_and_a_stuck_controller_times_out() {
    let bus = RecordingBus::new();
    let config = SpiConfig {
        timeout_slack_micros: 0,
        ..SpiConfig::default()
    };
    let mut spi = driver(&bus, config);
    bus.set_default(CS, TXD);
    let error = spi.write(&[0; 20]).unwrap_err();
    // 20 bytes × 8 bits × 2 at 1 MHz.
    assert_eq!(
        error,
        Error::Timeout {
            operation: Operation::SpiTransfer,
            micros: 320
        }
    );
    assert_eq!(super::writes_to(&bus, FIFO).len(), IN_FLIGHT_LIMIT);
    assert_eq!(bus.writes().last(), Some(&(CS, CLEAR_BOTH)));
    assert_eq!(message(error), "SPI transfer timed out after 320 µs");
}

#[test]
fn mismatched_and_empty_transfers_touch_nothing() {
    let bus = RecordingBus::new();
    let mut spi = driver(&bus, SpiConfig::default());
    let mut buffer = [0; 3];
    assert_eq!(
        spi.write_readinto(&[1, 2], &mut buffer),
        Err(Error::LengthMismatch { write: 2, read: 3 })
    );
    assert_eq!(
        message(Error::LengthMismatch { write: 2, read: 3 }),
        "write buffer has 2 bytes but read buffer has 3"
    );
    spi.write(&[]).unwrap();
    assert!(bus.events().is_empty());
}

#[test]
fn reconfigure_rewrites_cs_and_clk_or_changes_nothing() {
    let bus = RecordingBus::new();
    let mut spi = driver(&bus, SpiConfig::default());
    let bad = SpiConfig {
        frequency_hz: 1,
        ..SpiConfig::default()
    };
    assert!(spi.reconfigure(bad).is_err());
    assert_eq!(spi.frequency_hz(), 1_000_000);
    let good = SpiConfig {
        frequency_hz: 10_000_000,
        mode: Mode::Mode2,
        ..SpiConfig::default()
    };
    spi.reconfigure(good).unwrap();
    assert_eq!(spi.divisor(), 26);
    assert_eq!(spi.frequency_hz(), 9_615_384);
    assert_events(&bus, &[write(CS, 1 << 3 | CLEAR_BOTH), write(CLK, 26)]);
    assert_eq!(spi.config().mode, Mode::Mode2);
    let _ = read(0, 0);
}
