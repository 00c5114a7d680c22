//! Fuzz target: every descriptor parser on arbitrary bytes; when a configuration parses,
//! check that what it reports agrees with the bytes and walk every helper.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usbproto::{
    parse_language_ids, parse_string, Configuration, ConfigurationDescriptor, Descriptors,
    DeviceDescriptor, DeviceQualifier, Direction, HubDescriptor, PortStatus, SetupPacket,
    StatusChangeBitmap, TransferType,
};

fuzz_target!(|bytes: &[u8]| {
    let _ = DeviceDescriptor::parse(bytes);
    let _ = DeviceDescriptor::parse_max_packet_size0(bytes);
    let _ = DeviceQualifier::parse(bytes);
    let _ = parse_string(bytes);
    let _ = parse_language_ids(bytes);
    let _ = PortStatus::parse(bytes).map(|status| status.changes_to_clear().count());
    if let Ok(setup) = SetupPacket::from_bytes(bytes) {
        assert_eq!(&setup.to_bytes()[..], &bytes[..8]);
    }
    if let Ok(hub) = HubDescriptor::parse(bytes) {
        let removable = (0..=255).filter(|&port| hub.is_removable(port)).count();
        assert!(removable <= usize::from(hub.port_count));
        let changed = StatusChangeBitmap::new(bytes)
            .changed_ports(hub.port_count)
            .count();
        assert!(changed <= usize::from(hub.port_count));
    }

    let mut walked = 0;
    for descriptor in Descriptors::new(bytes) {
        let Ok(descriptor) = descriptor else { break };
        assert_eq!(descriptor.offset, walked);
        assert!(descriptor.bytes.len() >= 2);
        walked += descriptor.bytes.len();
    }
    assert!(walked <= bytes.len());

    let strict = Configuration::parse(bytes);
    let lenient = Configuration::parse_lenient(bytes);
    if let Ok(configuration) = &strict {
        assert_eq!(lenient.as_ref(), Ok(configuration));
        let header = ConfigurationDescriptor::parse(bytes).expect("the header parsed before");
        assert!(usize::from(header.total_length) <= bytes.len());
        assert_eq!(
            configuration.distinct_interface_count(),
            usize::from(header.interface_count)
        );
        for interface in &configuration.interfaces {
            assert_eq!(
                interface.endpoints.len(),
                usize::from(interface.descriptor.endpoint_count)
            );
        }
    }
    if let Ok(configuration) = &lenient {
        for function in configuration.network_functions() {
            assert_eq!(function.bulk_in.direction(), Direction::In);
            assert_eq!(function.bulk_out.direction(), Direction::Out);
            assert_eq!(function.bulk_in.transfer_type(), TransferType::Bulk);
            assert!(configuration
                .interface(function.data_interface, function.data_alternate_setting)
                .is_some());
        }
        let _ = configuration.boot_keyboard().map(|i| i.hid_descriptor());
        let _ = configuration.boot_mouse().map(|i| i.interrupt_in());
        let _ = configuration.hub();
    }
});
