//! Malformed descriptors: each error variant, and no panic or hang on truncated or corrupted
//! versions of every fixture.

mod fixtures;

use fixtures::*;
use usbproto::descriptor::descriptor_type;
use usbproto::*;

#[test]
fn short_buffers() {
    assert_eq!(
        DeviceDescriptor::parse(&[]),
        Err(DescriptorError::ShortBuffer {
            offset: 0,
            needed: 2,
            available: 0
        })
    );
    assert_eq!(
        DeviceDescriptor::parse_max_packet_size0(&KEYBOARD_DEVICE[..7]),
        Err(DescriptorError::ShortBuffer {
            offset: 0,
            needed: 8,
            available: 7
        })
    );
    assert_eq!(
        PortStatus::parse(&[1, 0, 1]),
        Err(DescriptorError::ShortBuffer {
            offset: 0,
            needed: 4,
            available: 3
        })
    );
    assert!(matches!(
        SetupPacket::from_bytes(&[0; 7]),
        Err(DescriptorError::ShortBuffer { needed: 8, .. })
    ));
    assert!(matches!(
        Configuration::parse(&[0x09]),
        Err(DescriptorError::ShortBuffer { .. })
    ));
    // A lone trailing byte after the last descriptor.
    let mut bytes = KEYBOARD_CONFIGURATION.to_vec();
    bytes.push(0x05);
    bytes[2] += 1;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::ShortBuffer {
            offset: 34,
            needed: 2,
            available: 1
        })
    );
}

#[test]
fn zero_length_descriptor_stops_the_walk() {
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[18] = 0; // the HID descriptor's bLength
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::ZeroLength { offset: 18 })
    );
    let walked: Vec<_> = Descriptors::new(&bytes).collect();
    assert_eq!(
        walked.len(),
        3,
        "two good descriptors, then the error, then nothing"
    );
    assert_eq!(walked[2], Err(DescriptorError::ZeroLength { offset: 18 }));
    assert_eq!(
        DeviceDescriptor::parse(&[0, 1, 0, 0]),
        Err(DescriptorError::ZeroLength { offset: 0 })
    );
    assert_eq!(
        parse_string(&[0, 3]),
        Err(DescriptorError::ZeroLength { offset: 0 })
    );
}

#[test]
fn length_smaller_than_header_or_fixed_part() {
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[18] = 1;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthTooSmall {
            offset: 18,
            descriptor_type: descriptor_type::HID,
            length: 1,
            minimum: 2
        })
    );
    // An interface descriptor of 8 bytes.
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[9] = 8;
    assert!(matches!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthTooSmall {
            offset: 9,
            descriptor_type: descriptor_type::INTERFACE,
            length: 8,
            minimum: 9
        })
    ));
    // An endpoint descriptor of 6 bytes (the configuration shrinks to match).
    let mut bytes = KEYBOARD_CONFIGURATION.to_vec();
    bytes[27] = 6;
    bytes.pop();
    bytes[2] -= 1;
    assert!(matches!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthTooSmall {
            offset: 27,
            minimum: 7,
            ..
        })
    ));
    // A device descriptor claiming 17 bytes.
    let mut device = KEYBOARD_DEVICE;
    device[0] = 17;
    assert!(matches!(
        DeviceDescriptor::parse(&device),
        Err(DescriptorError::LengthTooSmall { minimum: 18, .. })
    ));
    assert!(matches!(
        DeviceDescriptor::parse_max_packet_size0(&device[..8]),
        Err(DescriptorError::LengthTooSmall { minimum: 18, .. })
    ));
    // A HID descriptor announcing two class descriptors but holding one.
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[23] = 2;
    assert!(matches!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthTooSmall {
            offset: 18,
            minimum: 12,
            ..
        })
    ));
    // A CDC Ethernet descriptor of 12 bytes: an error, or kept raw by the lenient parser.
    let mut bytes = NET_ECM_CONFIGURATION.to_vec();
    bytes[28] = 12;
    bytes.remove(40);
    bytes[2] -= 1;
    assert!(matches!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthTooSmall {
            offset: 28,
            minimum: 13,
            ..
        })
    ));
    let lenient = Configuration::parse_lenient(&bytes).unwrap();
    assert!(matches!(
        &lenient.interfaces[0].class_descriptors[2],
        ClassDescriptor::Unknown(raw) if raw.bytes.len() == 12
    ));
    assert!(lenient.ecm().unwrap().ethernet.is_none());
    // A hub descriptor whose bLength leaves no room for the removable bitmap.
    let mut hub = HUB_DESCRIPTOR;
    hub[0] = 8;
    assert!(matches!(
        HubDescriptor::parse(&hub),
        Err(DescriptorError::LengthTooSmall { minimum: 9, .. })
    ));
}

#[test]
fn length_past_the_end() {
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[27] = 8; // the endpoint claims one byte more than is left
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthPastEnd {
            offset: 27,
            length: 8,
            available: 7
        })
    );
    assert_eq!(
        DeviceDescriptor::parse(&KEYBOARD_DEVICE[..17]),
        Err(DescriptorError::LengthPastEnd {
            offset: 0,
            length: 18,
            available: 17
        })
    );
    assert!(matches!(
        parse_string(&string_descriptor("QEMU")[..9]),
        Err(DescriptorError::LengthPastEnd { length: 10, .. })
    ));
    // The configuration header's own bLength beyond wTotalLength.
    let bytes = [0x0a, 0x02, 0x09, 0x00, 0x00, 0x01, 0x00, 0x80, 0x32, 0x00];
    assert!(matches!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthPastEnd { offset: 0, .. })
    ));
}

#[test]
fn wrong_descriptor_type() {
    assert_eq!(
        DeviceDescriptor::parse(&KEYBOARD_CONFIGURATION),
        Err(DescriptorError::WrongType {
            offset: 0,
            expected: descriptor_type::DEVICE,
            found: descriptor_type::CONFIGURATION
        })
    );
    assert!(matches!(
        Configuration::parse(&KEYBOARD_DEVICE),
        Err(DescriptorError::WrongType {
            expected: 0x02,
            found: 0x01,
            ..
        })
    ));
    assert!(matches!(
        HubDescriptor::parse(&KEYBOARD_DEVICE),
        Err(DescriptorError::WrongType { expected: 0x29, .. })
    ));
    assert!(matches!(
        parse_string(&[0x04, 0x02, 0, 0]),
        Err(DescriptorError::WrongType { expected: 0x03, .. })
    ));
    assert!(matches!(
        DeviceQualifier::parse(&KEYBOARD_DEVICE),
        Err(DescriptorError::WrongType { expected: 0x06, .. })
    ));
    assert!(matches!(
        DeviceDescriptor::parse_max_packet_size0(&KEYBOARD_CONFIGURATION[..8]),
        Err(DescriptorError::WrongType { .. })
    ));
    assert!(matches!(
        InterfaceDescriptor::parse(&KEYBOARD_CONFIGURATION[27..]),
        Err(DescriptorError::WrongType { expected: 0x04, .. })
    ));
    assert!(matches!(
        EndpointDescriptor::parse(&KEYBOARD_CONFIGURATION[9..]),
        Err(DescriptorError::WrongType { expected: 0x05, .. })
    ));
    assert!(matches!(
        HidDescriptor::parse(&KEYBOARD_CONFIGURATION[9..]),
        Err(DescriptorError::WrongType { expected: 0x21, .. })
    ));
}

#[test]
fn total_length_checks() {
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[2] = 35;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::TotalLengthPastEnd {
            total_length: 35,
            available: 34
        })
    );
    bytes[2] = 8;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::TotalLengthTooSmall { total_length: 8 })
    );
    assert_eq!(
        ConfigurationDescriptor::parse(&bytes[..9]),
        Err(DescriptorError::TotalLengthTooSmall { total_length: 8 })
    );
    // Only the header arrived (a 9-byte read): the header parses, the whole does not.
    assert_eq!(
        ConfigurationDescriptor::parse(&KEYBOARD_CONFIGURATION[..9])
            .unwrap()
            .total_length,
        34
    );
    assert!(matches!(
        Configuration::parse(&KEYBOARD_CONFIGURATION[..9]),
        Err(DescriptorError::TotalLengthPastEnd { .. })
    ));
    // A wTotalLength that cuts a descriptor in half.
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[2] = 30;
    assert!(matches!(
        Configuration::parse(&bytes),
        Err(DescriptorError::LengthPastEnd { offset: 27, .. })
    ));
}

#[test]
fn interface_and_endpoint_counts() {
    let mut bytes = NET_ECM_CONFIGURATION;
    bytes[4] = 3;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::InterfaceCountMismatch {
            declared: 3,
            found: 2
        })
    );
    let mut bytes = NET_ECM_CONFIGURATION;
    bytes[4] = 1;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::InterfaceCountMismatch {
            declared: 1,
            found: 2
        })
    );
    let mut bytes = NET_ECM_CONFIGURATION;
    bytes[61] = 1; // interface 1 alternate 1 claims one endpoint, has two
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::EndpointCountMismatch {
            interface: 1,
            alternate_setting: 1,
            declared: 1,
            found: 2
        })
    );
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[13] = 2;
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::EndpointCountMismatch {
            interface: 0,
            alternate_setting: 0,
            declared: 2,
            found: 1
        })
    );
}

#[test]
fn endpoint_before_any_interface() {
    let bytes = [
        0x09, 0x02, 0x10, 0x00, 0x00, 0x01, 0x00, 0x80, 0x32, // configuration, no interfaces
        0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a, // stray endpoint
    ];
    assert_eq!(
        Configuration::parse(&bytes),
        Err(DescriptorError::EndpointOutsideInterface { offset: 9 })
    );
    let lenient = Configuration::parse_lenient(&bytes).unwrap();
    assert_eq!(lenient.extra.len(), 1);
    assert!(lenient.interfaces.is_empty());
}

#[test]
fn errors_display_their_facts() {
    let message = DescriptorError::LengthPastEnd {
        offset: 27,
        length: 8,
        available: 7,
    }
    .to_string();
    assert!(message.contains("27") && message.contains('8') && message.contains('7'));
    assert!(DescriptorError::ZeroLength { offset: 3 }
        .to_string()
        .contains("bLength 0"));
    assert!(ReportError::Rollover.to_string().contains("roll-over"));
}

/// Every parser on `bytes`; results are ignored, only panics and hangs matter.
fn parse_everything(bytes: &[u8]) {
    let _ = DeviceDescriptor::parse(bytes);
    let _ = DeviceDescriptor::parse_max_packet_size0(bytes);
    let _ = DeviceQualifier::parse(bytes);
    let _ = ConfigurationDescriptor::parse(bytes);
    let _ =
        HubDescriptor::parse(bytes).map(|hub| (1..=255).filter(|&p| hub.is_removable(p)).count());
    let _ = parse_string(bytes);
    let _ = parse_language_ids(bytes);
    let _ = PortStatus::parse(bytes);
    let _ = SetupPacket::from_bytes(bytes);
    let _ = Descriptors::new(bytes).count();
    for configuration in [
        Configuration::parse(bytes),
        Configuration::parse_lenient(bytes),
    ]
    .into_iter()
    .flatten()
    {
        let _ = configuration.network_functions().count();
        let _ = configuration.boot_keyboard();
        let _ = configuration.hub();
    }
}

#[test]
fn no_panic_on_any_prefix_or_single_byte_corruption() {
    let fixtures: [&[u8]; 12] = [
        &KEYBOARD_DEVICE,
        &KEYBOARD_CONFIGURATION,
        &MOUSE_CONFIGURATION,
        &HUB_DEVICE,
        &HUB_CONFIGURATION,
        &HUB_DESCRIPTOR,
        &NET_DEVICE,
        &NET_RNDIS_CONFIGURATION,
        &NET_ECM_CONFIGURATION,
        &NCM_CONFIGURATION,
        &LANGUAGES,
        &DEVICE_QUALIFIER,
    ];
    for fixture in fixtures {
        for end in 0..=fixture.len() {
            parse_everything(&fixture[..end]);
        }
        for position in 0..fixture.len() {
            for value in [0x00, 0x01, 0x02, 0x09, 0x24, 0x7f, 0x80, 0xfe, 0xff] {
                let mut corrupted = fixture.to_vec();
                corrupted[position] = value;
                parse_everything(&corrupted);
            }
        }
    }
}

#[test]
fn no_panic_on_pseudo_random_bytes() {
    // A small xorshift generator: deterministic, no dependency.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let length = (next() % 300) as usize;
        let mut bytes: Vec<u8> = (0..length).map(|_| next() as u8).collect();
        // Bias toward plausible headers so the walker gets deep.
        if bytes.len() >= 9 {
            bytes[0] = 9;
            bytes[1] = 2;
            bytes[2] = bytes.len() as u8;
            bytes[3] = (bytes.len() >> 8) as u8;
        }
        parse_everything(&bytes);
    }
}
