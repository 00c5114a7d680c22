//! Parsing descriptors shaped like QEMU's usb-kbd, usb-mouse, usb-hub and usb-net ones.

mod fixtures;

use fixtures::*;
use usbproto::class::cdc_subtype;
use usbproto::descriptor::{class, descriptor_type};
use usbproto::hub::{OverCurrentProtection, PowerSwitching};
use usbproto::*;

#[test]
fn keyboard_device_descriptor() {
    let device = DeviceDescriptor::parse(&KEYBOARD_DEVICE).unwrap();
    assert_eq!(device.usb_version, 0x0100);
    assert_eq!(device.class, class::PER_INTERFACE);
    assert_eq!(device.max_packet_size0, 8);
    assert_eq!(device.vendor_id, 0x0627);
    assert_eq!(device.product_id, 0x0001);
    assert_eq!(device.manufacturer_index, 1);
    assert_eq!(device.product_index, 4);
    assert_eq!(device.serial_number_index, 5);
    assert_eq!(device.configuration_count, 1);
    assert!(!device.is_hub());
    assert_eq!(
        DeviceDescriptor::parse_max_packet_size0(&KEYBOARD_DEVICE[..8]),
        Ok(8)
    );
}

#[test]
fn keyboard_configuration() {
    let configuration = Configuration::parse(&KEYBOARD_CONFIGURATION).unwrap();
    let header = configuration.descriptor;
    assert_eq!(header.total_length, 34);
    assert_eq!(header.interface_count, 1);
    assert_eq!(configuration.value(), 1);
    assert_eq!(header.string_index, 8);
    assert!(header.remote_wakeup());
    assert!(!header.self_powered());
    assert_eq!(header.max_power_milliamperes(), 100);
    assert!(configuration.extra.is_empty());
    assert_eq!(configuration.interfaces.len(), 1);

    let keyboard = configuration.boot_keyboard().expect("a boot keyboard");
    assert!(keyboard.is_boot_keyboard());
    assert!(!keyboard.is_boot_mouse());
    assert!(configuration.boot_mouse().is_none());
    assert!(configuration.hub().is_none());
    let hid = keyboard.hid_descriptor().expect("a HID descriptor");
    assert_eq!(hid.hid_version, 0x0111);
    assert_eq!(hid.country_code, 0);
    assert_eq!(hid.report_descriptor_length(), Some(63));

    let endpoint = keyboard.interrupt_in().expect("an interrupt IN endpoint");
    assert_eq!(endpoint.address, 0x81);
    assert_eq!(endpoint.number(), 1);
    assert_eq!(endpoint.direction(), Direction::In);
    assert!(endpoint.is_in());
    assert_eq!(endpoint.transfer_type(), TransferType::Interrupt);
    assert_eq!(endpoint.max_packet_size(), 8);
    assert_eq!(endpoint.interval, 10);
    assert_eq!(
        endpoint.polling_interval_microseconds(Speed::Full),
        Some(10_000)
    );
    assert_eq!(
        endpoint.polling_interval_microseconds(Speed::High),
        Some(125 << 9)
    );
    assert!(keyboard.bulk_in().is_none());
}

#[test]
fn mouse_configuration() {
    let device = DeviceDescriptor::parse(&MOUSE_DEVICE).unwrap();
    assert_eq!(device.product_index, 2);
    let configuration = Configuration::parse(&MOUSE_CONFIGURATION).unwrap();
    let mouse = configuration.boot_mouse().expect("a boot mouse");
    assert!(configuration.boot_keyboard().is_none());
    assert_eq!(mouse.hid_descriptor().unwrap().hid_version, 0x0001);
    assert_eq!(
        mouse.hid_descriptor().unwrap().report_descriptor_length(),
        Some(52)
    );
    assert_eq!(mouse.interrupt_in().unwrap().max_packet_size(), 4);
    let found: Vec<_> = configuration
        .find_interfaces(class::HID, Some(1), Some(2))
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(
        configuration
            .find_interfaces(class::HID, None, Some(1))
            .count(),
        0
    );
    assert_eq!(
        configuration
            .find_interfaces(class::HID, None, None)
            .count(),
        1
    );
}

#[test]
fn hub_device_configuration_and_class_descriptor() {
    let device = DeviceDescriptor::parse(&HUB_DEVICE).unwrap();
    assert!(device.is_hub());
    assert_eq!(device.usb_version, 0x0110);
    assert_eq!((device.vendor_id, device.product_id), (0x0409, 0x55aa));
    assert_eq!(device.device_version, 0x0101);

    let configuration = Configuration::parse(&HUB_CONFIGURATION).unwrap();
    assert!(configuration.descriptor.self_powered());
    assert!(configuration.descriptor.remote_wakeup());
    let hub = configuration.hub().expect("a hub interface");
    let status = hub.interrupt_in().unwrap();
    assert_eq!(status.max_packet_size(), 2);
    assert_eq!(status.interval, 255);

    let descriptor = HubDescriptor::parse(&HUB_DESCRIPTOR).unwrap();
    assert_eq!(descriptor.port_count, 8);
    assert_eq!(
        descriptor.characteristics.power_switching(),
        PowerSwitching::None
    );
    assert_eq!(
        descriptor.characteristics.over_current_protection(),
        OverCurrentProtection::Individual
    );
    assert!(!descriptor.characteristics.compound_device());
    assert!(!descriptor.characteristics.port_indicators());
    assert_eq!(descriptor.characteristics.think_time_bit_times(), 8);
    assert_eq!(descriptor.power_on_to_good_milliseconds(), 2);
    assert_eq!(descriptor.controller_current_milliamperes, 0);
    assert!((1..=8).all(|port| descriptor.is_removable(port)));
    assert!(!descriptor.is_removable(0));
    assert!(!descriptor.is_removable(9));
    assert_eq!(descriptor.status_change_length(), 2);
}

#[test]
fn hub_descriptor_removable_bitmap_and_characteristics() {
    // 4 ports, individual power switching, compound, global over-current, 32 bit times,
    // indicators; ports 2 and 4 hold built-in devices.
    let bytes = [0x09, 0x29, 0x04, 0xe5, 0x00, 0x32, 0x64, 0b0001_0100, 0xff];
    let descriptor = HubDescriptor::parse(&bytes).unwrap();
    let characteristics = descriptor.characteristics;
    assert_eq!(
        characteristics.power_switching(),
        PowerSwitching::Individual
    );
    assert!(characteristics.compound_device());
    assert_eq!(
        characteristics.over_current_protection(),
        OverCurrentProtection::Global
    );
    assert_eq!(characteristics.think_time_bit_times(), 32);
    assert!(characteristics.port_indicators());
    assert_eq!(descriptor.power_on_to_good_milliseconds(), 100);
    assert_eq!(descriptor.controller_current_milliamperes, 100);
    assert!(descriptor.is_removable(1));
    assert!(!descriptor.is_removable(2));
    assert!(descriptor.is_removable(3));
    assert!(!descriptor.is_removable(4));
    assert_eq!(descriptor.status_change_length(), 1);
}

#[test]
fn net_device_and_rndis_configuration() {
    let device = DeviceDescriptor::parse(&NET_DEVICE).unwrap();
    assert_eq!(device.class, class::COMMUNICATIONS);
    assert_eq!(device.max_packet_size0, 64);
    assert_eq!(device.configuration_count, 2);
    assert_eq!(device.serial_number_index, 10);

    let configuration = Configuration::parse(&NET_RNDIS_CONFIGURATION).unwrap();
    assert_eq!(configuration.value(), 2);
    let control = configuration.interface(0, 0).unwrap();
    assert_eq!(
        control.class_descriptors,
        vec![
            ClassDescriptor::CdcHeader {
                cdc_version: 0x0110
            },
            ClassDescriptor::CdcCallManagement {
                capabilities: 0,
                data_interface: 1
            },
            ClassDescriptor::CdcAbstractControl { capabilities: 0 },
            ClassDescriptor::CdcUnion {
                control_interface: 0,
                subordinate_interfaces: vec![1]
            },
        ]
    );
    assert!(configuration.ecm().is_none());
    let rndis = configuration.network_function(NetworkKind::Rndis).unwrap();
    assert_eq!(rndis.control_interface, 0);
    assert_eq!(rndis.data_interface, 1);
    assert_eq!(rndis.data_alternate_setting, 0);
    assert_eq!(rndis.bulk_in.address, 0x82);
    assert_eq!(rndis.bulk_out.address, 0x02);
    assert_eq!(rndis.notification_endpoint.unwrap().interval, 32);
    assert!(rndis.ethernet.is_none());
    assert_eq!(rndis.max_segment_size(), 1514);
}

#[test]
fn net_ecm_configuration() {
    let configuration = Configuration::parse(&NET_ECM_CONFIGURATION).unwrap();
    assert_eq!(configuration.value(), 1);
    assert_eq!(configuration.interfaces.len(), 3);
    assert_eq!(configuration.distinct_interface_count(), 2);
    assert_eq!(configuration.alternate_settings(1).count(), 2);
    assert!(configuration.interface(1, 0).unwrap().endpoints.is_empty());

    let control = configuration.interface(0, 0).unwrap();
    assert_eq!(control.class_descriptors.len(), 3);
    let ethernet = match &control.class_descriptors[2] {
        ClassDescriptor::CdcEthernet(ethernet) => *ethernet,
        other => panic!("expected an Ethernet descriptor, got {other:?}"),
    };
    assert_eq!(ethernet.mac_address_index, 3);
    assert_eq!(ethernet.statistics, 0);
    assert_eq!(ethernet.max_segment_size, 1514);
    assert_eq!(ethernet.multicast_filters, 0);
    assert_eq!(ethernet.power_filters, 0);

    let ecm = configuration.ecm().expect("an ECM function");
    assert_eq!(ecm.kind, NetworkKind::Ecm);
    assert_eq!(ecm.control_interface, 0);
    assert_eq!(ecm.data_interface, 1);
    assert_eq!(ecm.data_alternate_setting, 1);
    assert_eq!(ecm.bulk_in.address, 0x82);
    assert_eq!(ecm.bulk_in.transfer_type(), TransferType::Bulk);
    assert_eq!(ecm.bulk_in.max_packet_size(), 64);
    assert_eq!(ecm.bulk_out.address, 0x02);
    assert_eq!(ecm.bulk_out.direction(), Direction::Out);
    assert_eq!(
        ecm.bulk_out.polling_interval_microseconds(Speed::Full),
        None
    );
    assert_eq!(ecm.notification_endpoint.unwrap().address, 0x81);
    assert_eq!(ecm.ethernet, Some(ethernet));
    assert_eq!(ecm.max_segment_size(), 1514);
    assert_eq!(configuration.network_functions().count(), 1);
}

#[test]
fn ncm_configuration_with_interface_association() {
    let configuration = Configuration::parse(&NCM_CONFIGURATION).unwrap();
    assert_eq!(configuration.extra.len(), 1);
    assert_eq!(
        configuration.extra[0].descriptor_type,
        descriptor_type::INTERFACE_ASSOCIATION
    );
    assert_eq!(
        configuration.extra[0].body(),
        &[0x00, 0x02, 0x02, 0x0d, 0x00, 0x00]
    );
    let control = configuration.interface(0, 0).unwrap();
    assert!(control
        .class_descriptors
        .contains(&ClassDescriptor::CdcNcm {
            ncm_version: 0x0100,
            network_capabilities: 0
        }));
    let ncm = configuration.network_function(NetworkKind::Ncm).unwrap();
    assert_eq!(ncm.data_alternate_setting, 1);
    assert_eq!(ncm.bulk_in.max_packet_size(), 512);
    assert_eq!(ncm.bulk_out.address, 0x03);
    assert_eq!(ncm.ethernet.unwrap().mac_address_index, 4);
    assert!(configuration.ecm().is_none());
    let notification = ncm.notification_endpoint.unwrap();
    assert_eq!(
        notification.polling_interval_microseconds(Speed::High),
        Some(125 << 8)
    );
}

#[test]
fn rndis_recognised_by_every_known_triple() {
    let make = |class, subclass, protocol| InterfaceDescriptor {
        number: 0,
        alternate_setting: 0,
        endpoint_count: 1,
        class,
        subclass,
        protocol,
        string_index: 0,
    };
    assert_eq!(
        NetworkKind::of_interface(&make(0x02, 0x02, 0xff)),
        Some(NetworkKind::Rndis)
    );
    assert_eq!(
        NetworkKind::of_interface(&make(0xe0, 0x01, 0x03)),
        Some(NetworkKind::Rndis)
    );
    assert_eq!(
        NetworkKind::of_interface(&make(0xef, 0x04, 0x01)),
        Some(NetworkKind::Rndis)
    );
    assert_eq!(
        NetworkKind::of_interface(&make(0x02, 0x06, 0x00)),
        Some(NetworkKind::Ecm)
    );
    assert_eq!(
        NetworkKind::of_interface(&make(0x02, 0x0d, 0x00)),
        Some(NetworkKind::Ncm)
    );
    // A CDC-ACM serial port is not a network function.
    assert_eq!(NetworkKind::of_interface(&make(0x02, 0x02, 0x01)), None);
}

#[test]
fn unknown_class_descriptors_are_kept_raw() {
    // A vendor interface followed by a vendor descriptor, an endpoint, and a CS_ENDPOINT
    // descriptor after the endpoint; 0x21 after a non-HID interface is not a HID descriptor.
    let bytes = [
        0x09, 0x02, 0x25, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32, // configuration
        0x09, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00, // vendor interface
        0x04, 0x41, 0xaa, 0xbb, // vendor descriptor
        0x05, 0x21, 0x01, 0x02, 0x03, // 0x21 after a vendor interface
        0x07, 0x05, 0x01, 0x01, 0xc0, 0x10, 0x04, // isochronous OUT, 3 x 192 bytes
        0x03, 0x25, 0x01, // class-specific endpoint descriptor
    ];
    let configuration = Configuration::parse(&bytes).unwrap();
    let interface = &configuration.interfaces[0];
    assert_eq!(
        interface.class_descriptors,
        vec![
            ClassDescriptor::Unknown(RawDescriptor {
                descriptor_type: 0x41,
                bytes: vec![0x04, 0x41, 0xaa, 0xbb]
            }),
            ClassDescriptor::Unknown(RawDescriptor {
                descriptor_type: 0x21,
                bytes: vec![0x05, 0x21, 0x01, 0x02, 0x03]
            }),
            ClassDescriptor::Unknown(RawDescriptor {
                descriptor_type: descriptor_type::CLASS_SPECIFIC_ENDPOINT,
                bytes: vec![0x03, 0x25, 0x01]
            }),
        ]
    );
    let endpoint = interface.endpoints[0];
    assert_eq!(endpoint.transfer_type(), TransferType::Isochronous);
    assert_eq!(endpoint.max_packet_size(), 192);
    assert_eq!(endpoint.transactions_per_microframe(), 3);
    assert_eq!(
        endpoint.polling_interval_microseconds(Speed::High),
        Some(1000)
    );
    assert_eq!(
        endpoint.polling_interval_microseconds(Speed::Full),
        Some(8000)
    );
}

#[test]
fn unknown_cdc_subtype_and_long_union() {
    let bytes = [
        0x09, 0x02, 0x1f, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32, // configuration
        0x09, 0x04, 0x00, 0x00, 0x00, 0x02, 0x06, 0x00, 0x00, // ECM control, no endpoints
        0x06, 0x24, 0x06, 0x00, 0x01, 0x02, // union 0 -> 1, 2
        0x07, 0x24, 0x12, 0x00, 0x01, 0x02, 0x03, // subtype 0x12 (not decoded)
    ];
    let configuration = Configuration::parse(&bytes).unwrap();
    let descriptors = &configuration.interfaces[0].class_descriptors;
    assert_eq!(
        descriptors[0],
        ClassDescriptor::CdcUnion {
            control_interface: 0,
            subordinate_interfaces: vec![1, 2]
        }
    );
    assert_eq!(
        descriptors[1],
        ClassDescriptor::CdcOther {
            subtype: 0x12,
            bytes: vec![0x07, 0x24, 0x12, 0x00, 0x01, 0x02, 0x03]
        }
    );
    assert_eq!(cdc_subtype::UNION, 0x06);
    // No data interface, so no network function.
    assert!(configuration.ecm().is_none());
}

#[test]
fn strings_and_languages() {
    assert_eq!(
        parse_language_ids(&LANGUAGES),
        Ok(vec![LANGUAGE_ENGLISH_US])
    );
    assert_eq!(
        parse_language_ids(&[0x06, 0x03, 0x09, 0x04, 0x07, 0x04]),
        Ok(vec![0x0409, 0x0407])
    );
    assert_eq!(parse_string(&string_descriptor("QEMU")).unwrap(), "QEMU");
    assert_eq!(
        parse_string(&[0x0a, 0x03, b'Q', 0, b'E', 0, b'M', 0, b'U', 0]).unwrap(),
        "QEMU"
    );
    assert_eq!(
        parse_string(&string_descriptor("QEMU USB Keyboard")).unwrap(),
        "QEMU USB Keyboard"
    );
    assert_eq!(
        parse_string(&string_descriptor("Grüße €")).unwrap(),
        "Grüße €"
    );
    // A supplementary-plane character as a surrogate pair.
    assert_eq!(parse_string(&string_descriptor("🐍")).unwrap(), "🐍");
    // An unpaired surrogate becomes U+FFFD; trailing NULs are dropped; an odd byte ignored.
    assert_eq!(
        parse_string(&[0x06, 0x03, 0x00, 0xd8, b'a', 0]).unwrap(),
        "\u{fffd}a"
    );
    assert_eq!(
        parse_string(&[0x08, 0x03, b'a', 0, 0, 0, 0, 0]).unwrap(),
        "a"
    );
    assert_eq!(parse_string(&[0x05, 0x03, b'a', 0, b'b']).unwrap(), "a");
    assert_eq!(parse_string(&[0x02, 0x03]).unwrap(), "");
    // Bytes past bLength are ignored.
    assert_eq!(parse_string(&[0x04, 0x03, b'a', 0, b'b', 0]).unwrap(), "a");
}

#[test]
fn mac_address_string() {
    let text = parse_string(&string_descriptor("400102030405")).unwrap();
    assert_eq!(
        parse_mac_address(&text),
        Some([0x40, 0x01, 0x02, 0x03, 0x04, 0x05])
    );
    assert_eq!(
        parse_mac_address("52:54:00:12:34:56"),
        None,
        "only the 12-digit CDC form"
    );
    assert_eq!(
        parse_mac_address("aAbBcCdDeEfF"),
        Some([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
    );
    assert_eq!(parse_mac_address("40010203040"), None);
    assert_eq!(parse_mac_address("4001020304g5"), None);
    assert_eq!(parse_mac_address("40010203040５"), None);
}

#[test]
fn device_qualifier() {
    let qualifier = DeviceQualifier::parse(&DEVICE_QUALIFIER).unwrap();
    assert_eq!(qualifier.usb_version, 0x0200);
    assert_eq!(qualifier.max_packet_size0, 64);
    assert_eq!(qualifier.configuration_count, 1);
    assert_eq!(qualifier.class, 0);
}

#[test]
fn other_speed_configuration_header() {
    let mut bytes = KEYBOARD_CONFIGURATION;
    bytes[1] = descriptor_type::OTHER_SPEED_CONFIGURATION;
    let header = ConfigurationDescriptor::parse_other_speed(&bytes).unwrap();
    assert_eq!(header.total_length, 34);
    assert!(ConfigurationDescriptor::parse(&bytes).is_err());
}

#[test]
fn raw_walker_visits_every_descriptor() {
    let kinds: Vec<u8> = Descriptors::new(&NET_ECM_CONFIGURATION)
        .map(|descriptor| descriptor.unwrap().descriptor_type)
        .collect();
    assert_eq!(
        kinds,
        vec![0x02, 0x04, 0x24, 0x24, 0x24, 0x05, 0x04, 0x04, 0x05, 0x05]
    );
    let offsets: Vec<usize> = Descriptors::new(&KEYBOARD_CONFIGURATION)
        .map(|descriptor| descriptor.unwrap().offset)
        .collect();
    assert_eq!(offsets, vec![0, 9, 18, 27]);
    let hid = Descriptors::new(&KEYBOARD_CONFIGURATION)
        .nth(2)
        .unwrap()
        .unwrap();
    assert_eq!(hid.body()[0..2], [0x11, 0x01]);
    assert_eq!(hid.to_owned().bytes.len(), 9);
}

#[test]
fn bytes_past_total_length_are_ignored() {
    let mut bytes = KEYBOARD_CONFIGURATION.to_vec();
    bytes.extend_from_slice(&[0x00, 0x00, 0x07]);
    let configuration = Configuration::parse(&bytes).unwrap();
    assert_eq!(
        configuration,
        Configuration::parse(&KEYBOARD_CONFIGURATION).unwrap()
    );
}

#[test]
fn lenient_parse_accepts_wrong_counts() {
    let mut bytes = NET_ECM_CONFIGURATION;
    bytes[4] = 3; // bNumInterfaces
    bytes[13] = 2; // interface 0 claims two endpoints
    assert!(Configuration::parse(&bytes).is_err());
    let configuration = Configuration::parse_lenient(&bytes).unwrap();
    assert_eq!(configuration.interfaces.len(), 3);
    assert!(configuration.ecm().is_some());
}
