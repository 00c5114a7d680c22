//! GPIO: function select, set/clear/level, the pull sequence with its waits, detection, events.
use super::{assert_events, message, read, write};
use crate::{
    gpio::{Detect, Function, Gpio, Pin, Pull},
    testing::{Event, RecordingBus},
    Error,
};

fn pin(number: u32) -> Pin {
    Pin::new(number).unwrap()
}

#[test]
fn pins_above_53_are_refused_by_number() {
    assert_eq!(Pin::new(53).unwrap().number(), 53);
    assert_eq!(Pin::new(54), Err(Error::InvalidPin(54)));
    assert_eq!(Pin::try_from(1000), Err(Error::InvalidPin(1000)));
    assert_eq!(
        message(Error::InvalidPin(54)),
        "invalid pin 54 (GPIO 0 to 53)"
    );
    assert!(Error::InvalidPin(54).is_invalid_argument());
}

#[test]
fn function_codes_match_the_datasheet() {
    let codes = [
        (Function::Input, 0b000),
        (Function::Output, 0b001),
        (Function::Alt0, 0b100),
        (Function::Alt1, 0b101),
        (Function::Alt2, 0b110),
        (Function::Alt3, 0b111),
        (Function::Alt4, 0b011),
        (Function::Alt5, 0b010),
    ];
    for (function, code) in codes {
        assert_eq!(function.code(), code);
        assert_eq!(Function::from_code(code), function);
    }
    for number in 0..6 {
        let function = Function::alternate(number).unwrap();
        assert_eq!(function.alternate_number(), Some(number));
    }
    assert_eq!(Function::Output.alternate_number(), None);
    assert_eq!(
        Function::alternate(6),
        Err(Error::InvalidAlternateFunction(6))
    );
    assert_eq!(
        message(Error::InvalidAlternateFunction(6)),
        "invalid alternate function 6 (ALT0 to ALT5)"
    );
}

#[test]
fn set_function_rewrites_only_the_pins_three_bits() {
    let bus = RecordingBus::new();
    bus.script(0x04, &[0]).script(0x14, &[0xffff_ffff]);
    let gpio = Gpio::new(&bus, &bus);
    // GPIO 17: GPFSEL1, bits 23:21.
    gpio.set_function(pin(17), Function::Output);
    // GPIO 53: GPFSEL5, bits 11:9, ALT5 = 010.
    gpio.set_function(pin(53), Function::Alt5);
    assert_events(
        &bus,
        &[
            read(0x04, 0),
            write(0x04, 0b001 << 21),
            read(0x14, 0xffff_ffff),
            write(0x14, 0xffff_f5ff),
        ],
    );
}

#[test]
fn function_reads_the_pins_field() {
    let bus = RecordingBus::new();
    // GPIO 14 in GPFSEL1 bits 14:12 = ALT5 (010), GPIO 15 bits 17:15 = ALT0 (100).
    bus.set_default(0x04, (0b010 << 12) | (0b100 << 15));
    let gpio = Gpio::new(&bus, &bus);
    assert_eq!(gpio.function(pin(14)), Function::Alt5);
    assert_eq!(gpio.function(pin(15)), Function::Alt0);
    assert_eq!(gpio.function(pin(16)), Function::Input);
    assert_eq!(bus.read_count(0x04), 3);
}

#[test]
fn set_and_clear_write_the_pins_bit_in_its_bank() {
    let bus = RecordingBus::new();
    let gpio = Gpio::new(&bus, &bus);
    gpio.set_high(pin(5));
    gpio.set_high(pin(40));
    gpio.set_low(pin(31));
    gpio.set_low(pin(53));
    gpio.write(pin(0), true);
    gpio.write(pin(32), false);
    assert_events(
        &bus,
        &[
            write(0x1c, 1 << 5),
            write(0x20, 1 << 8),
            write(0x28, 1 << 31),
            write(0x2c, 1 << 21),
            write(0x1c, 1),
            write(0x2c, 1),
        ],
    );
}

#[test]
fn level_reads_gplev() {
    let bus = RecordingBus::new();
    bus.script(0x34, &[1 << 7, 0]).script(0x38, &[0b10]);
    let gpio = Gpio::new(&bus, &bus);
    assert!(gpio.is_high(pin(7)));
    assert!(!gpio.is_high(pin(7)));
    assert!(gpio.is_high(pin(33)));
    assert_eq!(bus.accesses().len(), 3);
}

#[test]
fn all_levels_read_both_gplev_registers() {
    let bus = RecordingBus::new();
    bus.script(0x34, &[0x8000_0001, 0x5])
        .script(0x38, &[0xffff_ffff]);
    let gpio = Gpio::new(&bus, &bus);
    // Pins 54..63 do not exist: their bits stay clear.
    assert_eq!(gpio.levels(), 0x003f_ffff_8000_0001);
    assert_eq!(gpio.levels_low_bank(), 0x5);
    assert_eq!(bus.accesses().len(), 3);
}

#[test]
fn pull_up_follows_the_datasheet_sequence_with_its_waits() {
    let bus = RecordingBus::new();
    let gpio = Gpio::new(&bus, &bus);
    gpio.set_pull(pin(4), Pull::Up);
    assert_events(
        &bus,
        &[
            write(0x94, 0b10),
            Event::DelayCycles(150),
            write(0x98, 1 << 4),
            Event::DelayCycles(150),
            write(0x94, 0),
            write(0x98, 0),
        ],
    );
}

#[test]
fn pull_down_and_off_on_bank_1_use_gppudclk1() {
    let bus = RecordingBus::new();
    let gpio = Gpio::new(&bus, &bus);
    gpio.set_pull(pin(45), Pull::Down);
    gpio.set_pull(pin(32), Pull::Off);
    assert_events(
        &bus,
        &[
            write(0x94, 0b01),
            Event::DelayCycles(150),
            write(0x9c, 1 << 13),
            Event::DelayCycles(150),
            write(0x94, 0),
            write(0x9c, 0),
            write(0x94, 0b00),
            Event::DelayCycles(150),
            write(0x9c, 1),
            Event::DelayCycles(150),
            write(0x94, 0),
            write(0x9c, 0),
        ],
    );
}

#[test]
fn each_detect_condition_has_its_enable_register() {
    let registers = [
        (Detect::RisingEdge, 0x4c),
        (Detect::FallingEdge, 0x58),
        (Detect::High, 0x64),
        (Detect::Low, 0x70),
        (Detect::AsyncRisingEdge, 0x7c),
        (Detect::AsyncFallingEdge, 0x88),
    ];
    for (detect, offset) in registers {
        let bus = RecordingBus::new();
        bus.script(offset, &[0b1])
            .script(offset + 4, &[0xffff_ffff]);
        let gpio = Gpio::new(&bus, &bus);
        gpio.set_detect(pin(3), detect, true);
        gpio.set_detect(pin(35), detect, false);
        assert_events(
            &bus,
            &[
                read(offset, 0b1),
                write(offset, 0b1001),
                read(offset + 4, 0xffff_ffff),
                write(offset + 4, !(1 << 3)),
            ],
        );
    }
}

#[test]
fn events_are_read_from_gpeds_and_cleared_by_writing_ones() {
    let bus = RecordingBus::new();
    bus.script(0x40, &[1 << 2, 0x8000_0001])
        .script(0x44, &[0x0020_0001]);
    let gpio = Gpio::new(&bus, &bus);
    assert!(gpio.event_detected(pin(2)));
    assert_eq!(gpio.pending_events(), (0x0020_0001 << 32) | 0x8000_0001);
    gpio.clear_event(pin(50));
    gpio.clear_event(pin(2));
    assert_events(
        &bus,
        &[
            read(0x40, 1 << 2),
            read(0x40, 0x8000_0001),
            read(0x44, 0x0020_0001),
            write(0x44, 1 << 18),
            write(0x40, 1 << 2),
        ],
    );
}

#[test]
fn clear_events_writes_only_banks_with_bits_and_ignores_bits_above_53() {
    let bus = RecordingBus::new();
    let gpio = Gpio::new(&bus, &bus);
    gpio.clear_events(1 << 9);
    gpio.clear_events(1 << 40);
    gpio.clear_events(u64::MAX);
    gpio.clear_events(1 << 60);
    assert_events(
        &bus,
        &[
            write(0x40, 1 << 9),
            write(0x44, 1 << 8),
            write(0x40, 0xffff_ffff),
            write(0x44, 0x003f_ffff),
        ],
    );
}
