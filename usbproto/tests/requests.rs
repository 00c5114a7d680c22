//! SETUP packets byte for byte, and hub port status / status-change decoding.

use usbproto::hub::{HubFeature, PortFeature};
use usbproto::request::{
    packet_filter, standard_feature, HidProtocol, HidReportType, Recipient, RequestKind,
};
use usbproto::*;

fn bytes(setup: SetupPacket) -> [u8; 8] {
    setup.to_bytes()
}

#[test]
fn standard_requests() {
    assert_eq!(
        bytes(SetupPacket::get_device_descriptor(8)),
        [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_device_descriptor(18)),
        [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_configuration_descriptor(1, 0x0150)),
        [0x80, 0x06, 0x01, 0x02, 0x00, 0x00, 0x50, 0x01]
    );
    assert_eq!(
        bytes(SetupPacket::get_string_descriptor(2, 0x0409, 255)),
        [0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xff, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_device_qualifier(10)),
        [0x80, 0x06, 0x00, 0x06, 0x00, 0x00, 0x0a, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_address(5)),
        [0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_configuration(1)),
        [0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_configuration()),
        [0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_interface(1, 1)),
        [0x01, 0x0b, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_interface(1)),
        [0x81, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_device_status()),
        [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_interface_status(2)),
        [0x81, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_endpoint_status(0x81)),
        [0x82, 0x00, 0x00, 0x00, 0x81, 0x00, 0x02, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_endpoint_halt(0x82)),
        [0x02, 0x01, 0x00, 0x00, 0x82, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_endpoint_halt(0x02)),
        [0x02, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_device_feature(
            standard_feature::DEVICE_REMOTE_WAKEUP
        )),
        [0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_device_feature(
            standard_feature::DEVICE_REMOTE_WAKEUP
        )),
        [0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
}

#[test]
fn hub_requests() {
    assert_eq!(
        bytes(SetupPacket::get_hub_descriptor(HubDescriptor::MAX_LENGTH)),
        [0xa0, 0x06, 0x00, 0x29, 0x00, 0x00, 0x47, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_hub_status()),
        [0xa0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_port_status(3)),
        [0xa3, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_port_feature(1, PortFeature::Power)),
        [0x23, 0x03, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_port_feature(2, PortFeature::Reset)),
        [0x23, 0x03, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_port_feature(
            2,
            PortFeature::ConnectionChange
        )),
        [0x23, 0x01, 0x10, 0x00, 0x02, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_port_feature(2, PortFeature::ResetChange)),
        [0x23, 0x01, 0x14, 0x00, 0x02, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_port_feature(
            8,
            PortFeature::EnableChange
        )),
        [0x23, 0x01, 0x11, 0x00, 0x08, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_port_feature(1, PortFeature::Enable)),
        [0x23, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::clear_hub_feature(
            HubFeature::OverCurrentChange
        )),
        [0x20, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_hub_feature(HubFeature::LocalPowerChange)),
        [0x20, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    let selectors: Vec<u16> = [
        PortFeature::Connection,
        PortFeature::Enable,
        PortFeature::Suspend,
        PortFeature::OverCurrent,
        PortFeature::Reset,
        PortFeature::Power,
        PortFeature::LowSpeed,
        PortFeature::ConnectionChange,
        PortFeature::EnableChange,
        PortFeature::SuspendChange,
        PortFeature::OverCurrentChange,
        PortFeature::ResetChange,
        PortFeature::Test,
        PortFeature::Indicator,
    ]
    .into_iter()
    .map(PortFeature::selector)
    .collect();
    assert_eq!(
        selectors,
        vec![0, 1, 2, 3, 4, 8, 9, 16, 17, 18, 19, 20, 21, 22]
    );
}

#[test]
fn hid_requests() {
    assert_eq!(
        bytes(SetupPacket::set_protocol(0, HidProtocol::Boot)),
        [0x21, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_protocol(1, HidProtocol::Report)),
        [0x21, 0x0b, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_protocol(0)),
        [0xa1, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_idle(0, 0, 0)),
        [0x21, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_idle(0, 125, 0)),
        [0x21, 0x0a, 0x00, 0x7d, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_keyboard_leds(0)),
        [0x21, 0x09, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::set_report(2, HidReportType::Feature, 4, 3)),
        [0x21, 0x09, 0x04, 0x03, 0x02, 0x00, 0x03, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_report(0, HidReportType::Input, 0, 8)),
        [0xa1, 0x01, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_hid_report_descriptor(0, 63)),
        [0x81, 0x06, 0x00, 0x22, 0x00, 0x00, 0x3f, 0x00]
    );
}

#[test]
fn cdc_requests() {
    let filter = packet_filter::DIRECTED | packet_filter::BROADCAST | packet_filter::ALL_MULTICAST;
    assert_eq!(filter, 0x0e);
    assert_eq!(
        bytes(SetupPacket::set_ethernet_packet_filter(0, filter)),
        [0x21, 0x43, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::send_encapsulated_command(0, 24)),
        [0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00]
    );
    assert_eq!(
        bytes(SetupPacket::get_encapsulated_response(0, 1025)),
        [0xa1, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04]
    );
}

#[test]
fn setup_packet_fields_round_trip() {
    let setup = SetupPacket::get_port_status(4);
    assert_eq!(setup.direction(), Direction::In);
    assert_eq!(setup.kind(), RequestKind::Class);
    assert_eq!(setup.recipient(), Recipient::Other);
    assert!(setup.has_data_stage());
    assert_eq!(SetupPacket::from_bytes(&setup.to_bytes()), Ok(setup));

    let setup = SetupPacket::set_address(7);
    assert_eq!(setup.direction(), Direction::Out);
    assert_eq!(setup.kind(), RequestKind::Standard);
    assert_eq!(setup.recipient(), Recipient::Device);
    assert!(!setup.has_data_stage());

    let vendor = SetupPacket::with_parts(
        Direction::In,
        RequestKind::Vendor,
        Recipient::Interface,
        0x42,
        0x1234,
        0x5678,
        0x9abc,
    );
    assert_eq!(
        vendor.to_bytes(),
        [0xc1, 0x42, 0x34, 0x12, 0x78, 0x56, 0xbc, 0x9a]
    );
    assert_eq!(SetupPacket::from_bytes(&vendor.to_bytes()), Ok(vendor));
    assert_eq!(
        SetupPacket::new(0x7f, 0, 0, 0, 0).recipient(),
        Recipient::Reserved(0x1f)
    );
    assert_eq!(
        SetupPacket::new(0x7f, 0, 0, 0, 0).kind(),
        RequestKind::Reserved
    );
}

#[test]
fn port_status_after_connect_and_reset() {
    // QEMU's hub after attach: powered and connected, connection changed.
    let status = PortStatus::parse(&[0x01, 0x01, 0x01, 0x00]).unwrap();
    assert!(status.connected());
    assert!(status.powered());
    assert!(!status.enabled());
    assert!(status.connection_changed());
    assert!(!status.reset_changed());
    assert_eq!(status.speed(), Speed::Full);
    assert_eq!(
        status.changes_to_clear().collect::<Vec<_>>(),
        vec![PortFeature::ConnectionChange]
    );

    // After PORT_RESET: enabled, low speed, reset finished.
    let status = PortStatus::parse(&[0x03, 0x03, 0x10, 0x00]).unwrap();
    assert!(status.enabled());
    assert!(status.low_speed());
    assert_eq!(status.speed(), Speed::Low);
    assert!(status.reset_changed());
    assert!(!status.resetting());

    // Every status and change bit.
    let status = PortStatus {
        status: 0x1f1f,
        change: 0x001f,
    };
    assert!(status.suspended());
    assert!(status.over_current());
    assert!(status.resetting());
    assert!(status.high_speed());
    assert!(status.test_mode());
    assert!(status.indicator_control());
    assert!(status.enable_changed());
    assert!(status.suspend_changed());
    assert!(status.over_current_changed());
    assert_eq!(status.changes_to_clear().count(), 5);
    let high = PortStatus {
        status: 0x0503,
        change: 0,
    };
    assert_eq!(high.speed(), Speed::High);
    assert_eq!(high.changes_to_clear().count(), 0);
}

#[test]
fn hub_status() {
    let status = HubStatus::parse(&[0x02, 0x00, 0x03, 0x00]).unwrap();
    assert!(!status.local_power_lost());
    assert!(status.over_current());
    assert!(status.local_power_changed());
    assert!(status.over_current_changed());
    assert!(HubStatus::parse(&[0; 2]).is_err());
}

#[test]
fn status_change_bitmap() {
    // Ports 1 and 3 changed (bits 1 and 3), as QEMU's hub reports in 2 bytes for 8 ports.
    let bitmap = StatusChangeBitmap::new(&[0b0000_1010, 0x00]);
    assert!(!bitmap.hub_changed());
    assert_eq!(bitmap.changed_ports(8).collect::<Vec<_>>(), vec![1, 3]);
    assert!(bitmap.port_changed(3));
    assert!(!bitmap.port_changed(0));

    // The hub itself and port 8 (bit 8: the second byte).
    let bitmap = StatusChangeBitmap::new(&[0x01, 0x01]);
    assert!(bitmap.hub_changed());
    assert_eq!(bitmap.changed_ports(8).collect::<Vec<_>>(), vec![8]);
    // Bits past the hub's ports are ignored.
    assert_eq!(bitmap.changed_ports(7).count(), 0);
    // A short (1-byte) report cannot mention port 8.
    let bitmap = StatusChangeBitmap::new(&[0xfe]);
    assert_eq!(
        bitmap.changed_ports(8).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(StatusChangeBitmap::new(&[]).changed_ports(255).count(), 0);
    assert_eq!(
        StatusChangeBitmap::new(&[0xff; 32])
            .changed_ports(255)
            .count(),
        255
    );
}
