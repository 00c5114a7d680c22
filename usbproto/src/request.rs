//! Control requests: the 8-byte SETUP packet (USB 2.0 section 9.3) and constructors for the
//! standard, hub, HID and CDC requests a host stack sends.

use crate::descriptor::{descriptor_type, read_u16, Direction};
use crate::error::DescriptorError;
use crate::hub::{HubFeature, PortFeature};

/// `bRequest` codes of the standard requests (USB 2.0 table 9-4), shared by hub requests.
pub mod standard_request {
    /// GET_STATUS.
    pub const GET_STATUS: u8 = 0;
    /// CLEAR_FEATURE.
    pub const CLEAR_FEATURE: u8 = 1;
    /// SET_FEATURE.
    pub const SET_FEATURE: u8 = 3;
    /// SET_ADDRESS.
    pub const SET_ADDRESS: u8 = 5;
    /// GET_DESCRIPTOR.
    pub const GET_DESCRIPTOR: u8 = 6;
    /// SET_DESCRIPTOR.
    pub const SET_DESCRIPTOR: u8 = 7;
    /// GET_CONFIGURATION.
    pub const GET_CONFIGURATION: u8 = 8;
    /// SET_CONFIGURATION.
    pub const SET_CONFIGURATION: u8 = 9;
    /// GET_INTERFACE.
    pub const GET_INTERFACE: u8 = 10;
    /// SET_INTERFACE.
    pub const SET_INTERFACE: u8 = 11;
}

/// `bRequest` codes of the HID class requests (HID 1.11 section 7.2).
pub mod hid_request {
    /// GET_REPORT.
    pub const GET_REPORT: u8 = 0x01;
    /// GET_IDLE.
    pub const GET_IDLE: u8 = 0x02;
    /// GET_PROTOCOL.
    pub const GET_PROTOCOL: u8 = 0x03;
    /// SET_REPORT.
    pub const SET_REPORT: u8 = 0x09;
    /// SET_IDLE.
    pub const SET_IDLE: u8 = 0x0a;
    /// SET_PROTOCOL.
    pub const SET_PROTOCOL: u8 = 0x0b;
}

/// `bRequest` codes of the CDC class requests used by network devices (CDC 1.2, ECM 1.2).
pub mod cdc_request {
    /// SEND_ENCAPSULATED_COMMAND (RNDIS control messages).
    pub const SEND_ENCAPSULATED_COMMAND: u8 = 0x00;
    /// GET_ENCAPSULATED_RESPONSE (RNDIS control replies).
    pub const GET_ENCAPSULATED_RESPONSE: u8 = 0x01;
    /// SET_ETHERNET_MULTICAST_FILTERS.
    pub const SET_ETHERNET_MULTICAST_FILTERS: u8 = 0x40;
    /// SET_ETHERNET_PACKET_FILTER.
    pub const SET_ETHERNET_PACKET_FILTER: u8 = 0x43;
    /// GET_ETHERNET_STATISTIC.
    pub const GET_ETHERNET_STATISTIC: u8 = 0x44;
}

/// Bits of the `wValue` of SET_ETHERNET_PACKET_FILTER (ECM 1.2 table 8).
pub mod packet_filter {
    /// Every frame.
    pub const PROMISCUOUS: u16 = 0x01;
    /// Every multicast frame.
    pub const ALL_MULTICAST: u16 = 0x02;
    /// Frames to the device's own address.
    pub const DIRECTED: u16 = 0x04;
    /// Broadcast frames.
    pub const BROADCAST: u16 = 0x08;
    /// Multicast frames that pass the multicast filters.
    pub const MULTICAST: u16 = 0x10;
}

/// Standard feature selectors (USB 2.0 table 9-6).
pub mod standard_feature {
    /// ENDPOINT_HALT (endpoint recipient).
    pub const ENDPOINT_HALT: u16 = 0;
    /// DEVICE_REMOTE_WAKEUP (device recipient).
    pub const DEVICE_REMOTE_WAKEUP: u16 = 1;
    /// TEST_MODE (device recipient).
    pub const TEST_MODE: u16 = 2;
}

/// `bmRequestType` bits 6..5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// Defined by USB 2.0 chapter 9.
    Standard,
    /// Defined by a class specification.
    Class,
    /// Defined by the vendor.
    Vendor,
    /// Reserved value 3.
    Reserved,
}

/// `bmRequestType` bits 4..0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// The device (or, for hub class requests, the hub).
    Device,
    /// An interface (`wIndex` holds its number).
    Interface,
    /// An endpoint (`wIndex` holds its address).
    Endpoint,
    /// Other (hub class requests: a port, `wIndex` holds its number).
    Other,
    /// A reserved value.
    Reserved(u8),
}

/// A HID report type, the high byte of `wValue` in GET_REPORT / SET_REPORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HidReportType {
    /// Input report.
    Input,
    /// Output report (keyboard LEDs).
    Output,
    /// Feature report.
    Feature,
}

impl HidReportType {
    const fn code(self) -> u16 {
        match self {
            Self::Input => 1,
            Self::Output => 2,
            Self::Feature => 3,
        }
    }
}

/// The HID protocol selected with SET_PROTOCOL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HidProtocol {
    /// Fixed boot-protocol reports (8-byte keyboard, 3 or 4-byte mouse).
    Boot,
    /// Reports as the report descriptor describes them.
    Report,
}

/// An 8-byte SETUP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetupPacket {
    /// `bmRequestType`: direction, kind and recipient.
    pub request_type: u8,
    /// `bRequest`.
    pub request: u8,
    /// `wValue`.
    pub value: u16,
    /// `wIndex`.
    pub index: u16,
    /// `wLength`: bytes in the data stage (0: none).
    pub length: u16,
}

/// `bmRequestType` for a transfer in `direction` of `kind` to `recipient`.
const fn request_type(direction: Direction, kind: RequestKind, recipient: Recipient) -> u8 {
    let direction_bit = match direction {
        Direction::Out => 0x00,
        Direction::In => 0x80,
    };
    let kind_bits = match kind {
        RequestKind::Standard => 0x00,
        RequestKind::Class => 0x20,
        RequestKind::Vendor => 0x40,
        RequestKind::Reserved => 0x60,
    };
    let recipient_bits = match recipient {
        Recipient::Device => 0,
        Recipient::Interface => 1,
        Recipient::Endpoint => 2,
        Recipient::Other => 3,
        Recipient::Reserved(bits) => bits & 0x1f,
    };
    direction_bit | kind_bits | recipient_bits
}

const STANDARD_IN_DEVICE: u8 =
    request_type(Direction::In, RequestKind::Standard, Recipient::Device);
const STANDARD_OUT_DEVICE: u8 =
    request_type(Direction::Out, RequestKind::Standard, Recipient::Device);
const CLASS_IN_DEVICE: u8 = request_type(Direction::In, RequestKind::Class, Recipient::Device);
const CLASS_OUT_DEVICE: u8 = request_type(Direction::Out, RequestKind::Class, Recipient::Device);
const CLASS_IN_OTHER: u8 = request_type(Direction::In, RequestKind::Class, Recipient::Other);
const CLASS_OUT_OTHER: u8 = request_type(Direction::Out, RequestKind::Class, Recipient::Other);
const CLASS_IN_INTERFACE: u8 =
    request_type(Direction::In, RequestKind::Class, Recipient::Interface);
const CLASS_OUT_INTERFACE: u8 =
    request_type(Direction::Out, RequestKind::Class, Recipient::Interface);

impl SetupPacket {
    /// Size of a SETUP packet on the wire.
    pub const LENGTH: usize = 8;

    /// A packet from its five fields.
    pub const fn new(request_type: u8, request: u8, value: u16, index: u16, length: u16) -> Self {
        Self {
            request_type,
            request,
            value,
            index,
            length,
        }
    }

    /// A packet whose `bmRequestType` is built from its three parts.
    pub const fn with_parts(
        direction: Direction,
        kind: RequestKind,
        recipient: Recipient,
        request: u8,
        value: u16,
        index: u16,
        length: u16,
    ) -> Self {
        Self::new(
            request_type(direction, kind, recipient),
            request,
            value,
            index,
            length,
        )
    }

    /// The 8 bytes to send, multi-byte fields little-endian.
    pub const fn to_bytes(&self) -> [u8; 8] {
        let value = self.value.to_le_bytes();
        let index = self.index.to_le_bytes();
        let length = self.length.to_le_bytes();
        [
            self.request_type,
            self.request,
            value[0],
            value[1],
            index[0],
            index[1],
            length[0],
            length[1],
        ]
    }

    /// Decodes 8 bytes (extra bytes are ignored).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DescriptorError> {
        if bytes.len() < Self::LENGTH {
            return Err(DescriptorError::ShortBuffer {
                offset: 0,
                needed: Self::LENGTH,
                available: bytes.len(),
            });
        }
        Ok(Self::new(
            bytes[0],
            bytes[1],
            read_u16(bytes, 2),
            read_u16(bytes, 4),
            read_u16(bytes, 6),
        ))
    }

    /// Direction of the data stage (`bmRequestType` bit 7).
    pub const fn direction(&self) -> Direction {
        if self.request_type & 0x80 != 0 {
            Direction::In
        } else {
            Direction::Out
        }
    }

    /// Request kind (`bmRequestType` bits 6..5).
    pub const fn kind(&self) -> RequestKind {
        match (self.request_type >> 5) & 0x03 {
            0 => RequestKind::Standard,
            1 => RequestKind::Class,
            2 => RequestKind::Vendor,
            _ => RequestKind::Reserved,
        }
    }

    /// Recipient (`bmRequestType` bits 4..0).
    pub const fn recipient(&self) -> Recipient {
        match self.request_type & 0x1f {
            0 => Recipient::Device,
            1 => Recipient::Interface,
            2 => Recipient::Endpoint,
            3 => Recipient::Other,
            bits => Recipient::Reserved(bits),
        }
    }

    /// Whether there is a data stage.
    pub const fn has_data_stage(&self) -> bool {
        self.length != 0
    }

    // Standard requests.

    /// GET_DESCRIPTOR of any standard type and index.
    pub const fn get_descriptor(
        descriptor_type: u8,
        index: u8,
        language: u16,
        length: u16,
    ) -> Self {
        Self::new(
            STANDARD_IN_DEVICE,
            standard_request::GET_DESCRIPTOR,
            (descriptor_type as u16) << 8 | index as u16,
            language,
            length,
        )
    }

    /// GET_DESCRIPTOR(device); `length` 8 for the first read, 18 for the whole descriptor.
    pub const fn get_device_descriptor(length: u16) -> Self {
        Self::get_descriptor(descriptor_type::DEVICE, 0, 0, length)
    }

    /// GET_DESCRIPTOR(configuration `index`); `length` 9 for the header, then `wTotalLength`.
    pub const fn get_configuration_descriptor(index: u8, length: u16) -> Self {
        Self::get_descriptor(descriptor_type::CONFIGURATION, index, 0, length)
    }

    /// GET_DESCRIPTOR(string `index`) in `language` (index 0: the language ID list, language 0).
    pub const fn get_string_descriptor(index: u8, language: u16, length: u16) -> Self {
        Self::get_descriptor(descriptor_type::STRING, index, language, length)
    }

    /// GET_DESCRIPTOR(device qualifier).
    pub const fn get_device_qualifier(length: u16) -> Self {
        Self::get_descriptor(descriptor_type::DEVICE_QUALIFIER, 0, 0, length)
    }

    /// SET_ADDRESS; sent to address 0, takes effect after the status stage.
    pub const fn set_address(address: u8) -> Self {
        Self::new(
            STANDARD_OUT_DEVICE,
            standard_request::SET_ADDRESS,
            address as u16,
            0,
            0,
        )
    }

    /// GET_CONFIGURATION (1 byte: the current `bConfigurationValue`, 0 when unconfigured).
    pub const fn get_configuration() -> Self {
        Self::new(
            STANDARD_IN_DEVICE,
            standard_request::GET_CONFIGURATION,
            0,
            0,
            1,
        )
    }

    /// SET_CONFIGURATION with a `bConfigurationValue` (0 unconfigures).
    pub const fn set_configuration(value: u8) -> Self {
        Self::new(
            STANDARD_OUT_DEVICE,
            standard_request::SET_CONFIGURATION,
            value as u16,
            0,
            0,
        )
    }

    /// GET_INTERFACE (1 byte: the current alternate setting).
    pub const fn get_interface(interface: u8) -> Self {
        Self::with_parts(
            Direction::In,
            RequestKind::Standard,
            Recipient::Interface,
            standard_request::GET_INTERFACE,
            0,
            interface as u16,
            1,
        )
    }

    /// SET_INTERFACE: select an alternate setting.
    pub const fn set_interface(interface: u8, alternate_setting: u8) -> Self {
        Self::with_parts(
            Direction::Out,
            RequestKind::Standard,
            Recipient::Interface,
            standard_request::SET_INTERFACE,
            alternate_setting as u16,
            interface as u16,
            0,
        )
    }

    /// GET_STATUS of the device (2 bytes: bit 0 self-powered, bit 1 remote wakeup).
    pub const fn get_device_status() -> Self {
        Self::new(STANDARD_IN_DEVICE, standard_request::GET_STATUS, 0, 0, 2)
    }

    /// GET_STATUS of an interface (2 reserved bytes).
    pub const fn get_interface_status(interface: u8) -> Self {
        Self::with_parts(
            Direction::In,
            RequestKind::Standard,
            Recipient::Interface,
            standard_request::GET_STATUS,
            0,
            interface as u16,
            2,
        )
    }

    /// GET_STATUS of an endpoint (2 bytes: bit 0 halted).
    pub const fn get_endpoint_status(endpoint_address: u8) -> Self {
        Self::with_parts(
            Direction::In,
            RequestKind::Standard,
            Recipient::Endpoint,
            standard_request::GET_STATUS,
            0,
            endpoint_address as u16,
            2,
        )
    }

    /// CLEAR_FEATURE on the device (see [`standard_feature`]).
    pub const fn clear_device_feature(feature: u16) -> Self {
        Self::new(
            STANDARD_OUT_DEVICE,
            standard_request::CLEAR_FEATURE,
            feature,
            0,
            0,
        )
    }

    /// SET_FEATURE on the device (see [`standard_feature`]).
    pub const fn set_device_feature(feature: u16) -> Self {
        Self::new(
            STANDARD_OUT_DEVICE,
            standard_request::SET_FEATURE,
            feature,
            0,
            0,
        )
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT): un-stall an endpoint (and reset its data toggle).
    pub const fn clear_endpoint_halt(endpoint_address: u8) -> Self {
        Self::with_parts(
            Direction::Out,
            RequestKind::Standard,
            Recipient::Endpoint,
            standard_request::CLEAR_FEATURE,
            standard_feature::ENDPOINT_HALT,
            endpoint_address as u16,
            0,
        )
    }

    /// SET_FEATURE(ENDPOINT_HALT): stall an endpoint.
    pub const fn set_endpoint_halt(endpoint_address: u8) -> Self {
        Self::with_parts(
            Direction::Out,
            RequestKind::Standard,
            Recipient::Endpoint,
            standard_request::SET_FEATURE,
            standard_feature::ENDPOINT_HALT,
            endpoint_address as u16,
            0,
        )
    }

    // Hub class requests (USB 2.0 section 11.24.2).

    /// GET_DESCRIPTOR(hub); ask for [`crate::hub::HubDescriptor::MAX_LENGTH`] or for 7 then
    /// `bLength`.
    pub const fn get_hub_descriptor(length: u16) -> Self {
        Self::new(
            CLASS_IN_DEVICE,
            standard_request::GET_DESCRIPTOR,
            (descriptor_type::HUB as u16) << 8,
            0,
            length,
        )
    }

    /// GET_STATUS of the hub (4 bytes, see [`crate::hub::HubStatus`]).
    pub const fn get_hub_status() -> Self {
        Self::new(CLASS_IN_DEVICE, standard_request::GET_STATUS, 0, 0, 4)
    }

    /// GET_PORT_STATUS (4 bytes, see [`crate::hub::PortStatus`]); ports count from 1.
    pub const fn get_port_status(port: u8) -> Self {
        Self::new(
            CLASS_IN_OTHER,
            standard_request::GET_STATUS,
            0,
            port as u16,
            4,
        )
    }

    /// SET_FEATURE on a port (PORT_POWER, PORT_RESET, PORT_SUSPEND ...).
    pub const fn set_port_feature(port: u8, feature: PortFeature) -> Self {
        Self::new(
            CLASS_OUT_OTHER,
            standard_request::SET_FEATURE,
            feature.selector(),
            port as u16,
            0,
        )
    }

    /// CLEAR_FEATURE on a port (C_PORT_CONNECTION, C_PORT_RESET, C_PORT_ENABLE, PORT_ENABLE ...).
    pub const fn clear_port_feature(port: u8, feature: PortFeature) -> Self {
        Self::new(
            CLASS_OUT_OTHER,
            standard_request::CLEAR_FEATURE,
            feature.selector(),
            port as u16,
            0,
        )
    }

    /// SET_FEATURE on the hub.
    pub const fn set_hub_feature(feature: HubFeature) -> Self {
        Self::new(
            CLASS_OUT_DEVICE,
            standard_request::SET_FEATURE,
            feature.selector(),
            0,
            0,
        )
    }

    /// CLEAR_FEATURE on the hub (C_HUB_LOCAL_POWER, C_HUB_OVER_CURRENT).
    pub const fn clear_hub_feature(feature: HubFeature) -> Self {
        Self::new(
            CLASS_OUT_DEVICE,
            standard_request::CLEAR_FEATURE,
            feature.selector(),
            0,
            0,
        )
    }

    // HID class requests (HID 1.11 section 7.2).

    /// GET_DESCRIPTOR(HID report) of an interface.
    pub const fn get_hid_report_descriptor(interface: u8, length: u16) -> Self {
        Self::with_parts(
            Direction::In,
            RequestKind::Standard,
            Recipient::Interface,
            standard_request::GET_DESCRIPTOR,
            (descriptor_type::HID_REPORT as u16) << 8,
            interface as u16,
            length,
        )
    }

    /// SET_PROTOCOL: boot or report protocol.
    pub const fn set_protocol(interface: u8, protocol: HidProtocol) -> Self {
        let value = match protocol {
            HidProtocol::Boot => 0,
            HidProtocol::Report => 1,
        };
        Self::new(
            CLASS_OUT_INTERFACE,
            hid_request::SET_PROTOCOL,
            value,
            interface as u16,
            0,
        )
    }

    /// GET_PROTOCOL (1 byte: 0 boot, 1 report).
    pub const fn get_protocol(interface: u8) -> Self {
        Self::new(
            CLASS_IN_INTERFACE,
            hid_request::GET_PROTOCOL,
            0,
            interface as u16,
            1,
        )
    }

    /// SET_IDLE: resend an unchanged report every `duration_4ms` × 4 ms (0: only on change)
    /// for `report_id` (0: all reports).
    pub const fn set_idle(interface: u8, duration_4ms: u8, report_id: u8) -> Self {
        Self::new(
            CLASS_OUT_INTERFACE,
            hid_request::SET_IDLE,
            (duration_4ms as u16) << 8 | report_id as u16,
            interface as u16,
            0,
        )
    }

    /// SET_REPORT of `length` bytes sent in the data stage.
    pub const fn set_report(
        interface: u8,
        report_type: HidReportType,
        report_id: u8,
        length: u16,
    ) -> Self {
        Self::new(
            CLASS_OUT_INTERFACE,
            hid_request::SET_REPORT,
            report_type.code() << 8 | report_id as u16,
            interface as u16,
            length,
        )
    }

    /// GET_REPORT of up to `length` bytes.
    pub const fn get_report(
        interface: u8,
        report_type: HidReportType,
        report_id: u8,
        length: u16,
    ) -> Self {
        Self::new(
            CLASS_IN_INTERFACE,
            hid_request::GET_REPORT,
            report_type.code() << 8 | report_id as u16,
            interface as u16,
            length,
        )
    }

    /// SET_REPORT(output, 1 byte): the boot keyboard LED byte goes in the data stage
    /// (see [`crate::keyboard::Leds`]).
    pub const fn set_keyboard_leds(interface: u8) -> Self {
        Self::set_report(interface, HidReportType::Output, 0, 1)
    }

    // CDC class requests.

    /// SET_ETHERNET_PACKET_FILTER with [`packet_filter`] bits.
    pub const fn set_ethernet_packet_filter(interface: u8, filter: u16) -> Self {
        Self::new(
            CLASS_OUT_INTERFACE,
            cdc_request::SET_ETHERNET_PACKET_FILTER,
            filter,
            interface as u16,
            0,
        )
    }

    /// SEND_ENCAPSULATED_COMMAND of `length` bytes (an RNDIS message).
    pub const fn send_encapsulated_command(interface: u8, length: u16) -> Self {
        Self::new(
            CLASS_OUT_INTERFACE,
            cdc_request::SEND_ENCAPSULATED_COMMAND,
            0,
            interface as u16,
            length,
        )
    }

    /// GET_ENCAPSULATED_RESPONSE of up to `length` bytes (an RNDIS reply).
    pub const fn get_encapsulated_response(interface: u8, length: u16) -> Self {
        Self::new(
            CLASS_IN_INTERFACE,
            cdc_request::GET_ENCAPSULATED_RESPONSE,
            0,
            interface as u16,
            length,
        )
    }
}
