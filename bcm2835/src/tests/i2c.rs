//! I2C (BSC): divisor rounding, init, and every transfer's sequence including its failures.
use super::{assert_events, message, read, write};
use crate::{
    i2c::{divisor_for, AddressSet, Controller, I2c, I2cConfig},
    testing::{Event, RecordingBus},
    Error, Operation,
};

const C: usize = 0x00;
const S: usize = 0x04;
const DLEN: usize = 0x08;
const A: usize = 0x0c;
const FIFO: usize = 0x10;

const I2CEN: u32 = 1 << 15;
const ST: u32 = 1 << 7;
const CLEAR: u32 = 1 << 4;
const READ: u32 = 1;

const CLKT: u32 = 1 << 9;
const ERR: u32 = 1 << 8;
const RXD: u32 = 1 << 5;
const TXD: u32 = 1 << 4;
const DONE: u32 = 1 << 1;
const TA: u32 = 1;

/// A driver at 100 kHz whose init writes are already forgotten.
fn driver(bus: &RecordingBus) -> I2c<&RecordingBus, &RecordingBus> {
    let i2c = I2c::init(bus, bus, I2cConfig::default()).unwrap();
    bus.clear_events();
    i2c
}

/// The error path's writes: status flags, then the FIFO.
fn cleanup() -> [Event; 2] {
    [write(S, CLKT | ERR | DONE), write(C, I2CEN | CLEAR)]
}

#[test]
fn divisor_is_the_smallest_even_one_not_faster_than_asked() {
    assert_eq!(divisor_for(250_000_000, 100_000), Ok(2_500));
    // 625 is odd: the hardware would round it down (faster), so 626.
    assert_eq!(divisor_for(250_000_000, 400_000), Ok(626));
    assert_eq!(divisor_for(250_000_000, 1_000_000), Ok(250));
    // The datasheet's reset value 0x5dc at its nominal 150 MHz gives 100 kHz.
    assert_eq!(divisor_for(150_000_000, 100_000), Ok(0x5dc));
    assert_eq!(divisor_for(250_000_000, 125_000_000), Ok(2));
    assert_eq!(divisor_for(250_000_000, 3_815), Ok(65_532));
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
fn init_clears_then_writes_div_del_clkt_and_enables() {
    let bus = RecordingBus::new();
    let i2c = I2c::init(&bus, &bus, I2cConfig::default()).unwrap();
    assert_eq!(i2c.frequency_hz(), 100_000);
    assert_eq!(i2c.divisor(), 2_500);
    assert_events(
        &bus,
        &[
            write(C, CLEAR),
            write(S, CLKT | ERR | DONE),
            write(0x14, 2_500),
            write(0x18, 0x0030_0030),
            write(0x1c, 0x40),
            write(C, I2CEN),
        ],
    );
}

#[test]
fn fast_clocks_shrink_the_edge_delays() {
    let bus = RecordingBus::new();
    let config = I2cConfig {
        frequency_hz: 25_000_000,
        clock_stretch_cycles: 0,
        ..I2cConfig::default()
    };
    let i2c = I2c::init(&bus, &bus, config).unwrap();
    assert_eq!(i2c.divisor(), 10);
    assert_eq!(bus.writes()[3], (0x18, 0x0002_0002));
    assert_eq!(bus.writes()[4], (0x1c, 0));
}

#[test]
fn an_impossible_frequency_is_refused_before_any_write() {
    let bus = RecordingBus::new();
    let config = I2cConfig {
        frequency_hz: 200_000_000,
        ..I2cConfig::default()
    };
    assert!(matches!(
        I2c::init(&bus, &bus, config),
        Err(Error::FrequencyOutOfRange {
            hz: 200_000_000,
            ..
        })
    ));
    assert!(bus.events().is_empty());
}

#[test]
fn controllers_are_numbered_0_and_1() {
    assert_eq!(Controller::from_index(0).unwrap().base(), 0x2020_5000);
    assert_eq!(Controller::from_index(1).unwrap().base(), 0x2080_4000);
    assert_eq!(Controller::from_index(2), Err(Error::InvalidI2cBus(2)));
    assert_eq!(
        message(Error::InvalidI2cBus(2)),
        "invalid I2C bus 2 (0 or 1)"
    );
}

#[test]
fn a_short_write_preloads_the_fifo_and_waits_for_done() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[TA | TXD, DONE | TXD]);
    i2c.write(0x48, &[0x01, 0x60, 0xa0]).unwrap();
    assert_events(
        &bus,
        &[
            write(A, 0x48),
            write(C, I2CEN | CLEAR),
            write(S, CLKT | ERR | DONE),
            write(DLEN, 3),
            write(FIFO, 0x01),
            write(FIFO, 0x60),
            write(FIFO, 0xa0),
            write(C, I2CEN | ST),
            read(S, TA | TXD),
            read(S, DONE | TXD),
            write(S, DONE),
        ],
    );
}

#[test]
fn a_long_write_refills_the_fifo_on_txd() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    let data: std::vec::Vec<u8> = (0..20).collect();
    bus.script(
        S,
        &[
            TA,
            TA | TXD,
            TA | TXD,
            TA,
            TA | TXD,
            TA | TXD,
            TA | TXD,
            DONE,
        ],
    );
    i2c.write(0x50, &data).unwrap();
    let fifo: std::vec::Vec<u32> = super::writes_to(&bus, FIFO);
    assert_eq!(fifo, (0..20).collect::<std::vec::Vec<u32>>());
    let events = bus.events();
    // 16 preloaded before ST, then one byte after each TXD poll.
    assert_eq!(events[4 + 16], write(C, I2CEN | ST));
    assert_eq!(
        events[21..],
        [
            read(S, TA),
            read(S, TA | TXD),
            write(FIFO, 16),
            read(S, TA | TXD),
            write(FIFO, 17),
            read(S, TA),
            read(S, TA | TXD),
            write(FIFO, 18),
            read(S, TA | TXD),
            write(FIFO, 19),
            read(S, TA | TXD),
            read(S, DONE),
            write(S, DONE),
        ]
    );
}

#[test]
fn a_nack_is_reported_and_status_and_fifo_are_cleared() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[TA, ERR | DONE]);
    let error = i2c.write(0x48, &[0x00]).unwrap_err();
    assert_eq!(error, Error::Nack { address: 0x48 });
    assert_eq!(message(error), "I2C device 0x48: no ACK");
    assert!(!error.is_invalid_argument());
    let events = bus.events();
    assert_eq!(
        events[events.len() - 4..],
        [read(S, TA), read(S, ERR | DONE), cleanup()[0], cleanup()[1]]
    );
}

#[test]
fn a_clock_stretch_timeout_is_reported_and_cleared() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[TA | CLKT]);
    let mut buffer = [0; 2];
    assert_eq!(
        i2c.read(0x40, &mut buffer),
        Err(Error::ClockStretchTimeout { address: 0x40 })
    );
    assert_events(
        &bus,
        &[
            write(A, 0x40),
            write(S, CLKT | ERR | DONE),
            write(DLEN, 2),
            write(C, I2CEN | ST | CLEAR | READ),
            read(S, TA | CLKT),
            cleanup()[0],
            cleanup()[1],
        ],
    );
    assert_eq!(
        message(Error::ClockStretchTimeout { address: 0x40 }),
        "I2C device 0x40: clock stretch timeout"
    );
}

#[test]
fn our_own_timeout_counts_on_the_clock() {
    let bus = RecordingBus::new();
    let config = I2cConfig {
        clock_stretch_cycles: 0,
        timeout_slack_micros: 0,
        ..I2cConfig::default()
    };
    let mut i2c = I2c::init(&bus, &bus, config).unwrap();
    bus.clear_events();
    bus.set_default(S, TA);
    // One data byte + address + start/stop: 27 bits of 2 SCL periods of 10 µs.
    let error = i2c.write(0x10, &[0xff]).unwrap_err();
    assert_eq!(
        error,
        Error::Timeout {
            operation: Operation::I2cTransfer,
            micros: 540
        }
    );
    assert_eq!(message(error), "I2C transfer timed out after 540 µs");
    assert_eq!(bus.read_count(S), 540);
    let events = bus.events();
    assert_eq!(events[events.len() - 2..], cleanup());
}

#[test]
fn a_read_drains_the_fifo_on_rxd_until_done() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[TA, TA | RXD, RXD | DONE, DONE])
        .script(FIFO, &[0xab, 0xcd]);
    let mut buffer = [0; 2];
    i2c.read(0x68, &mut buffer).unwrap();
    assert_eq!(buffer, [0xab, 0xcd]);
    assert_events(
        &bus,
        &[
            write(A, 0x68),
            write(S, CLKT | ERR | DONE),
            write(DLEN, 2),
            write(C, I2CEN | ST | CLEAR | READ),
            read(S, TA),
            read(S, TA | RXD),
            read(FIFO, 0xab),
            read(S, RXD | DONE),
            read(FIFO, 0xcd),
            read(S, DONE),
            write(S, DONE),
        ],
    );
}

#[test]
fn done_before_every_byte_is_incomplete() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[RXD, DONE]).script(FIFO, &[0x11]);
    let mut buffer = [0; 2];
    let error = i2c.read(0x68, &mut buffer).unwrap_err();
    assert_eq!(
        error,
        Error::Incomplete {
            expected: 2,
            transferred: 1
        }
    );
    let events = bus.events();
    assert_eq!(
        events[events.len() - 3..],
        [write(S, DONE), cleanup()[0], cleanup()[1]]
    );
}

#[test]
fn write_read_queues_the_read_once_the_write_is_active() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[TXD, TA | TXD, TA, TA | RXD, DONE | RXD, DONE])
        .script(FIFO, &[0x12, 0x34]);
    let mut buffer = [0; 2];
    i2c.write_read(0x68, &[0x75], &mut buffer).unwrap();
    assert_eq!(buffer, [0x12, 0x34]);
    assert_events(
        &bus,
        &[
            write(A, 0x68),
            write(C, I2CEN | CLEAR),
            write(S, CLKT | ERR | DONE),
            write(DLEN, 1),
            write(FIFO, 0x75),
            write(C, I2CEN | ST),
            read(S, TXD),
            read(S, TA | TXD),
            // Repeated start: no CLEAR, the write's byte may still be in the FIFO.
            write(DLEN, 2),
            write(C, I2CEN | ST | READ),
            read(S, TA),
            read(S, TA | RXD),
            read(FIFO, 0x12),
            read(S, DONE | RXD),
            read(FIFO, 0x34),
            read(S, DONE),
            write(S, DONE),
        ],
    );
}

#[test]
fn write_read_after_a_finished_write_clears_done_and_starts_the_read() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[DONE, RXD | DONE, DONE])
        .script(FIFO, &[0x99]);
    let mut buffer = [0; 1];
    i2c.write_read(0x68, &[0x75], &mut buffer).unwrap();
    assert_eq!(buffer, [0x99]);
    let events = bus.events();
    assert_eq!(
        events[6..],
        [
            read(S, DONE),
            write(S, DONE),
            write(DLEN, 1),
            write(C, I2CEN | ST | READ),
            read(S, RXD | DONE),
            read(FIFO, 0x99),
            read(S, DONE),
            write(S, DONE),
        ]
    );
}

#[test]
fn write_read_nack_on_the_address_stops_before_the_read() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    bus.script(S, &[ERR | DONE]);
    let mut buffer = [0; 1];
    assert_eq!(
        i2c.write_read(0x21, &[0x00], &mut buffer),
        Err(Error::Nack { address: 0x21 })
    );
    let events = bus.events();
    assert_eq!(
        events[6..],
        [read(S, ERR | DONE), cleanup()[0], cleanup()[1]]
    );
    assert!(!events.contains(&write(C, I2CEN | ST | READ)));
}

#[test]
fn lengths_and_addresses_are_checked_before_any_access() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    let mut buffer = [0; 1];
    assert_eq!(i2c.write(0x80, &[1]), Err(Error::InvalidAddress(0x80)));
    assert_eq!(
        message(Error::InvalidAddress(0x80)),
        "invalid I2C address 0x80 (0x00 to 0x7f)"
    );
    assert_eq!(
        i2c.write(0x10, &[]),
        Err(Error::InvalidLength {
            length: 0,
            min: 1,
            max: 65_535
        })
    );
    assert_eq!(
        i2c.write_read(0x10, &[0; 17], &mut buffer),
        Err(Error::InvalidLength {
            length: 17,
            min: 1,
            max: 16
        })
    );
    assert_eq!(
        i2c.write_read(0x10, &[0], &mut []),
        Err(Error::InvalidLength {
            length: 0,
            min: 1,
            max: 65_535
        })
    );
    let mut long = std::vec![0; 65_536];
    assert!(i2c.read(0x10, &mut long).is_err());
    assert_eq!(
        message(Error::InvalidLength {
            length: 17,
            min: 1,
            max: 16
        }),
        "invalid transfer length 17 (1 to 16 bytes)"
    );
    assert!(bus.events().is_empty());
}

/// Answers S and FIFO like a bus with devices at `present`.
fn devices(bus: &RecordingBus, present: &'static [u32]) {
    bus.respond_with(move |offset, log| {
        let address = log.iter().rev().find_map(|event| match *event {
            Event::Write { offset: A, value } => Some(value),
            _ => None,
        })?;
        if offset != S {
            return None;
        }
        if !present.contains(&address) {
            return Some(ERR | DONE);
        }
        let fifo_read = log
            .iter()
            .rev()
            .take_while(|event| **event != write(A, address))
            .any(|event| matches!(event, Event::Read { offset: FIFO, .. }));
        Some(if fifo_read { DONE } else { TA | RXD })
    });
}

#[test]
fn probe_is_a_one_byte_read() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    devices(&bus, &[0x3c]);
    assert_eq!(i2c.probe(0x3c), Ok(true));
    assert_events(
        &bus,
        &[
            write(A, 0x3c),
            write(S, CLKT | ERR | DONE),
            write(DLEN, 1),
            write(C, I2CEN | ST | CLEAR | READ),
            read(S, TA | RXD),
            read(FIFO, 0),
            read(S, DONE),
            write(S, DONE),
        ],
    );
    bus.clear_events();
    assert_eq!(i2c.probe(0x3d), Ok(false));
    assert_eq!(i2c.probe(0x100), Err(Error::InvalidAddress(0x100)));
}

#[test]
fn scan_probes_0x08_to_0x77() {
    let bus = RecordingBus::new();
    let mut i2c = driver(&bus);
    devices(&bus, &[0x03, 0x3c, 0x68, 0x77, 0x78]);
    let found = i2c.scan().unwrap();
    assert_eq!(
        found.iter().collect::<std::vec::Vec<u8>>(),
        [0x3c, 0x68, 0x77]
    );
    assert_eq!(found.len(), 3);
    assert!(found.contains(0x68) && !found.contains(0x03) && !found.contains(0xff));
    assert_eq!(super::writes_to(&bus, A).len(), 0x77 - 0x08 + 1);
    assert!(AddressSet::default().is_empty());
    assert_eq!(found.bits(), (1 << 0x3c) | (1 << 0x68) | (1 << 0x77));
}

#[test]
fn write_read_times_out_if_the_write_never_starts() {
    let bus = RecordingBus::new();
    let config = I2cConfig {
        clock_stretch_cycles: 0,
        timeout_slack_micros: 0,
        ..I2cConfig::default()
    };
    let mut i2c = I2c::init(&bus, &bus, config).unwrap();
    bus.clear_events();
    bus.set_time_step(100);
    let mut buffer = [0; 1];
    // Two bytes + address + start/stop: 36 bits of 2 SCL periods of 10 µs.
    assert_eq!(
        i2c.write_read(0x68, &[0x75], &mut buffer),
        Err(Error::Timeout {
            operation: Operation::I2cTransfer,
            micros: 720
        })
    );
    assert_eq!(bus.read_count(S), 8);
    let events = bus.events();
    assert_eq!(events[events.len() - 2..], cleanup());
    assert!(!events.contains(&write(C, I2CEN | ST | READ)));
}
