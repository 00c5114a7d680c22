//! Class-specific descriptors that follow an interface: the HID descriptor (HID 1.11 section
//! 6.2.1) and CDC functional descriptors (CDC 1.2 section 5.2.3, ECM 1.2 section 5.4, NCM 1.0).

use alloc::vec::Vec;

use crate::descriptor::{
    checked_descriptor, class, descriptor_type, read_u16, read_u8, RawDescriptor, RawDescriptorRef,
};
use crate::error::DescriptorError;

/// `bDescriptorSubtype` values of CDC functional descriptors.
pub mod cdc_subtype {
    /// Header functional descriptor.
    pub const HEADER: u8 = 0x00;
    /// Call management functional descriptor.
    pub const CALL_MANAGEMENT: u8 = 0x01;
    /// Abstract control management functional descriptor.
    pub const ABSTRACT_CONTROL_MANAGEMENT: u8 = 0x02;
    /// Union functional descriptor.
    pub const UNION: u8 = 0x06;
    /// Ethernet networking functional descriptor.
    pub const ETHERNET_NETWORKING: u8 = 0x0f;
    /// NCM functional descriptor.
    pub const NCM: u8 = 0x1a;
}

/// One entry of a HID descriptor's list of class descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HidClassDescriptor {
    /// Its type: 0x22 report, 0x23 physical.
    pub descriptor_type: u8,
    /// Its length in bytes (`wDescriptorLength`).
    pub length: u16,
}

/// The HID descriptor (HID 1.11 section 6.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidDescriptor {
    /// `bcdHID`: the HID release (0x0111 for 1.11).
    pub hid_version: u16,
    /// `bCountryCode`: 0 when the hardware is not localised.
    pub country_code: u8,
    /// The report and physical descriptors the device offers.
    pub descriptors: Vec<HidClassDescriptor>,
}

impl HidDescriptor {
    /// Smallest valid `bLength`: the fixed part plus one class descriptor entry.
    pub const MINIMUM_LENGTH: u8 = 9;

    /// Parses a HID descriptor at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_at(bytes, 0)
    }

    fn parse_at(bytes: &[u8], offset: usize) -> Result<Self, DescriptorError> {
        let bytes = checked_descriptor(
            bytes,
            offset,
            Some(descriptor_type::HID),
            usize::from(Self::MINIMUM_LENGTH),
        )?;
        let count = usize::from(bytes[5]);
        let needed = 6 + 3 * count;
        if bytes.len() < needed {
            return Err(DescriptorError::LengthTooSmall {
                offset,
                descriptor_type: descriptor_type::HID,
                length: bytes[0],
                minimum: u8::try_from(needed).unwrap_or(u8::MAX),
            });
        }
        let descriptors = (0..count)
            .map(|entry| HidClassDescriptor {
                descriptor_type: read_u8(bytes, 6 + 3 * entry),
                length: read_u16(bytes, 7 + 3 * entry),
            })
            .collect();
        Ok(Self {
            hid_version: read_u16(bytes, 2),
            country_code: bytes[4],
            descriptors,
        })
    }

    /// Length of the report descriptor, to size GET_DESCRIPTOR(HID report).
    pub fn report_descriptor_length(&self) -> Option<u16> {
        self.descriptors
            .iter()
            .find(|entry| entry.descriptor_type == descriptor_type::HID_REPORT)
            .map(|entry| entry.length)
    }
}

/// The CDC Ethernet networking functional descriptor (ECM 1.2 section 5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CdcEthernet {
    /// `iMACAddress`: index of the string holding the MAC address as 12 hex digits.
    pub mac_address_index: u8,
    /// `bmEthernetStatistics`: which statistics the device counts.
    pub statistics: u32,
    /// `wMaxSegmentSize`: the largest Ethernet frame, usually 1514.
    pub max_segment_size: u16,
    /// `wNumberMCFilters`: multicast filters (bit 15: imperfect filtering).
    pub multicast_filters: u16,
    /// `bNumberPowerFilters`: wake-up pattern filters.
    pub power_filters: u8,
}

/// A class-specific descriptor attached to the interface it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassDescriptor {
    /// HID descriptor (type 0x21 after a HID interface).
    Hid(HidDescriptor),
    /// CDC header functional descriptor.
    CdcHeader {
        /// `bcdCDC`: the CDC release (0x0110 for 1.1).
        cdc_version: u16,
    },
    /// CDC call management functional descriptor.
    CdcCallManagement {
        /// `bmCapabilities`.
        capabilities: u8,
        /// `bDataInterface`.
        data_interface: u8,
    },
    /// CDC abstract control management functional descriptor.
    CdcAbstractControl {
        /// `bmCapabilities`.
        capabilities: u8,
    },
    /// CDC union functional descriptor: which interfaces form one function.
    CdcUnion {
        /// `bControlInterface` (called master interface in CDC 1.1).
        control_interface: u8,
        /// `bSubordinateInterface0..`: the data interfaces.
        subordinate_interfaces: Vec<u8>,
    },
    /// CDC Ethernet networking functional descriptor.
    CdcEthernet(CdcEthernet),
    /// CDC NCM functional descriptor.
    CdcNcm {
        /// `bcdNcmVersion`.
        ncm_version: u16,
        /// `bmNetworkCapabilities`.
        network_capabilities: u8,
    },
    /// A CDC functional descriptor of a subtype not decoded here.
    CdcOther {
        /// `bDescriptorSubtype`.
        subtype: u8,
        /// All `bLength` bytes, header included.
        bytes: Vec<u8>,
    },
    /// Anything else, kept as it came.
    Unknown(RawDescriptor),
}

impl ClassDescriptor {
    /// Decodes a descriptor that follows an interface of class `interface_class`.
    ///
    /// The meaning of class-specific types depends on the class, so 0x21 is read as a HID
    /// descriptor only after a HID interface and 0x24 as a CDC functional descriptor only after
    /// a communications (or wireless-controller / miscellaneous RNDIS) interface.
    pub fn parse(
        raw: RawDescriptorRef<'_>,
        interface_class: u8,
    ) -> Result<ClassDescriptor, DescriptorError> {
        match (raw.descriptor_type, interface_class) {
            (descriptor_type::HID, class::HID) => {
                HidDescriptor::parse_at(raw.bytes, raw.offset).map(ClassDescriptor::Hid)
            }
            (
                descriptor_type::CLASS_SPECIFIC_INTERFACE,
                class::COMMUNICATIONS | class::WIRELESS_CONTROLLER | class::MISCELLANEOUS,
            ) => parse_cdc(raw),
            _ => Ok(ClassDescriptor::Unknown(raw.to_owned())),
        }
    }
}

/// Fails unless a CDC functional descriptor has at least `minimum` bytes.
fn require_length(raw: &RawDescriptorRef<'_>, minimum: usize) -> Result<(), DescriptorError> {
    if raw.bytes.len() < minimum {
        Err(DescriptorError::LengthTooSmall {
            offset: raw.offset,
            descriptor_type: raw.descriptor_type,
            length: read_u8(raw.bytes, 0),
            minimum: u8::try_from(minimum).unwrap_or(u8::MAX),
        })
    } else {
        Ok(())
    }
}

fn parse_cdc(raw: RawDescriptorRef<'_>) -> Result<ClassDescriptor, DescriptorError> {
    require_length(&raw, 3)?;
    let bytes = raw.bytes;
    let subtype = bytes[2];
    let descriptor = match subtype {
        cdc_subtype::HEADER => {
            require_length(&raw, 5)?;
            ClassDescriptor::CdcHeader {
                cdc_version: read_u16(bytes, 3),
            }
        }
        cdc_subtype::CALL_MANAGEMENT => {
            require_length(&raw, 5)?;
            ClassDescriptor::CdcCallManagement {
                capabilities: bytes[3],
                data_interface: bytes[4],
            }
        }
        cdc_subtype::ABSTRACT_CONTROL_MANAGEMENT => {
            require_length(&raw, 4)?;
            ClassDescriptor::CdcAbstractControl {
                capabilities: bytes[3],
            }
        }
        cdc_subtype::UNION => {
            require_length(&raw, 5)?;
            ClassDescriptor::CdcUnion {
                control_interface: bytes[3],
                subordinate_interfaces: bytes[4..].to_vec(),
            }
        }
        cdc_subtype::ETHERNET_NETWORKING => {
            require_length(&raw, 13)?;
            ClassDescriptor::CdcEthernet(CdcEthernet {
                mac_address_index: bytes[3],
                statistics: u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
                max_segment_size: read_u16(bytes, 8),
                multicast_filters: read_u16(bytes, 10),
                power_filters: bytes[12],
            })
        }
        cdc_subtype::NCM => {
            require_length(&raw, 6)?;
            ClassDescriptor::CdcNcm {
                ncm_version: read_u16(bytes, 3),
                network_capabilities: bytes[5],
            }
        }
        _ => ClassDescriptor::CdcOther {
            subtype,
            bytes: bytes.to_vec(),
        },
    };
    Ok(descriptor)
}

/// Parses the MAC address string that `iMACAddress` points to: 12 hex digits, most
/// significant first (for example `"400102030405"`).
pub fn parse_mac_address(text: &str) -> Option<[u8; 6]> {
    let digits = text.trim().as_bytes();
    if digits.len() != 12 {
        return None;
    }
    let mut address = [0u8; 6];
    for (byte, pair) in address.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(address)
}
