//! A whole configuration (the `wTotalLength` blob) parsed into interfaces, alternate settings,
//! endpoints and the class-specific descriptors attached to each interface.

use alloc::vec::Vec;

use crate::class::{ClassDescriptor, HidDescriptor};
use crate::descriptor::{
    class, descriptor_type, ConfigurationDescriptor, Descriptors, Direction, EndpointDescriptor,
    InterfaceDescriptor, RawDescriptor, TransferType,
};
use crate::error::DescriptorError;

/// HID subclass for boot-protocol devices.
pub const HID_SUBCLASS_BOOT: u8 = 0x01;
/// HID boot protocol: keyboard.
pub const HID_PROTOCOL_KEYBOARD: u8 = 0x01;
/// HID boot protocol: mouse.
pub const HID_PROTOCOL_MOUSE: u8 = 0x02;

/// One alternate setting of an interface, with what follows its descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// The interface descriptor itself.
    pub descriptor: InterfaceDescriptor,
    /// Class-specific and unknown descriptors, in the order they came, until the next
    /// interface descriptor (those after an endpoint included).
    pub class_descriptors: Vec<ClassDescriptor>,
    /// The endpoint descriptors of this alternate setting.
    pub endpoints: Vec<EndpointDescriptor>,
}

impl Interface {
    /// `bInterfaceNumber`.
    pub fn number(&self) -> u8 {
        self.descriptor.number
    }

    /// `bAlternateSetting`.
    pub fn alternate_setting(&self) -> u8 {
        self.descriptor.alternate_setting
    }

    /// Whether class, subclass and protocol are exactly these.
    pub fn matches(&self, class: u8, subclass: u8, protocol: u8) -> bool {
        self.descriptor.matches(class, subclass, protocol)
    }

    /// Whether this is a HID boot keyboard (3/1/1).
    pub fn is_boot_keyboard(&self) -> bool {
        self.matches(class::HID, HID_SUBCLASS_BOOT, HID_PROTOCOL_KEYBOARD)
    }

    /// Whether this is a HID boot mouse (3/1/2).
    pub fn is_boot_mouse(&self) -> bool {
        self.matches(class::HID, HID_SUBCLASS_BOOT, HID_PROTOCOL_MOUSE)
    }

    /// Whether this is a hub interface (class 9).
    pub fn is_hub(&self) -> bool {
        self.descriptor.class == class::HUB
    }

    /// The HID descriptor, if one follows this interface.
    pub fn hid_descriptor(&self) -> Option<&HidDescriptor> {
        self.class_descriptors
            .iter()
            .find_map(|descriptor| match descriptor {
                ClassDescriptor::Hid(hid) => Some(hid),
                _ => None,
            })
    }

    /// The first endpoint with this direction and transfer type.
    pub fn find_endpoint(
        &self,
        direction: Direction,
        transfer_type: TransferType,
    ) -> Option<&EndpointDescriptor> {
        self.endpoints.iter().find(|endpoint| {
            endpoint.direction() == direction && endpoint.transfer_type() == transfer_type
        })
    }

    /// The first interrupt IN endpoint (HID reports, hub status changes, CDC notifications).
    pub fn interrupt_in(&self) -> Option<&EndpointDescriptor> {
        self.find_endpoint(Direction::In, TransferType::Interrupt)
    }

    /// The first bulk IN endpoint.
    pub fn bulk_in(&self) -> Option<&EndpointDescriptor> {
        self.find_endpoint(Direction::In, TransferType::Bulk)
    }

    /// The first bulk OUT endpoint.
    pub fn bulk_out(&self) -> Option<&EndpointDescriptor> {
        self.find_endpoint(Direction::Out, TransferType::Bulk)
    }
}

/// A parsed configuration: the header plus every interface alternate setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configuration {
    /// The 9-byte header.
    pub descriptor: ConfigurationDescriptor,
    /// Every interface descriptor (one entry per alternate setting), in order.
    pub interfaces: Vec<Interface>,
    /// Descriptors before the first interface (interface associations, OTG, vendor ones).
    pub extra: Vec<RawDescriptor>,
}

/// How strictly [`Configuration`] checks the counts a device declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// Every count must match.
    Strict,
    /// Counts are not checked; stray endpoints and malformed class descriptors are kept raw.
    Lenient,
}

impl Configuration {
    /// Parses a full configuration blob, as returned by GET_DESCRIPTOR(configuration) with
    /// `wLength` = `wTotalLength`.
    ///
    /// Checks that `wTotalLength` fits the data, that every `bLength` is sane, that each
    /// interface's `bNumEndpoints` matches the endpoint descriptors that follow it, and that
    /// `bNumInterfaces` matches the distinct interface numbers. Bytes after `wTotalLength` are
    /// ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_with(bytes, Strictness::Strict)
    }

    /// Like [`Configuration::parse`] but without the interface and endpoint count checks, with
    /// endpoints before the first interface kept in `extra`, and with class-specific
    /// descriptors too short for their type kept as [`ClassDescriptor::Unknown`]: for devices
    /// whose counts or class descriptors are wrong but whose structure is sound.
    pub fn parse_lenient(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_with(bytes, Strictness::Lenient)
    }

    fn parse_with(bytes: &[u8], strictness: Strictness) -> Result<Self, DescriptorError> {
        let descriptor = ConfigurationDescriptor::parse(bytes)?;
        let total_length = usize::from(descriptor.total_length);
        let blob = bytes
            .get(..total_length)
            .ok_or(DescriptorError::TotalLengthPastEnd {
                total_length: descriptor.total_length,
                available: bytes.len(),
            })?;
        let header_length = usize::from(blob[0]);
        let rest = blob
            .get(header_length..)
            .ok_or(DescriptorError::LengthPastEnd {
                offset: 0,
                length: blob[0],
                available: blob.len(),
            })?;

        let mut configuration = Configuration {
            descriptor,
            interfaces: Vec::new(),
            extra: Vec::new(),
        };
        let mut current: Option<Interface> = None;
        for raw in Descriptors::with_base_offset(rest, header_length) {
            let raw = raw?;
            match raw.descriptor_type {
                descriptor_type::INTERFACE => {
                    let interface = InterfaceDescriptor::parse_at(raw.bytes, raw.offset)?;
                    if let Some(finished) = current.take() {
                        configuration.finish_interface(finished, strictness)?;
                    }
                    current = Some(Interface {
                        descriptor: interface,
                        class_descriptors: Vec::new(),
                        endpoints: Vec::new(),
                    });
                }
                descriptor_type::ENDPOINT => {
                    let endpoint = EndpointDescriptor::parse_at(raw.bytes, raw.offset)?;
                    match (current.as_mut(), strictness) {
                        (Some(interface), _) => interface.endpoints.push(endpoint),
                        (None, Strictness::Strict) => {
                            return Err(DescriptorError::EndpointOutsideInterface {
                                offset: raw.offset,
                            })
                        }
                        (None, Strictness::Lenient) => configuration.extra.push(raw.to_owned()),
                    }
                }
                _ => match current.as_mut() {
                    Some(interface) => {
                        let parsed = match ClassDescriptor::parse(raw, interface.descriptor.class) {
                            Ok(parsed) => parsed,
                            Err(_) if strictness == Strictness::Lenient => {
                                ClassDescriptor::Unknown(raw.to_owned())
                            }
                            Err(error) => return Err(error),
                        };
                        interface.class_descriptors.push(parsed);
                    }
                    None => configuration.extra.push(raw.to_owned()),
                },
            }
        }
        if let Some(finished) = current.take() {
            configuration.finish_interface(finished, strictness)?;
        }
        if strictness == Strictness::Strict {
            let found = configuration.distinct_interface_count();
            if found != usize::from(configuration.descriptor.interface_count) {
                return Err(DescriptorError::InterfaceCountMismatch {
                    declared: configuration.descriptor.interface_count,
                    found,
                });
            }
        }
        Ok(configuration)
    }

    fn finish_interface(
        &mut self,
        interface: Interface,
        strictness: Strictness,
    ) -> Result<(), DescriptorError> {
        let declared = interface.descriptor.endpoint_count;
        if strictness == Strictness::Strict && interface.endpoints.len() != usize::from(declared) {
            return Err(DescriptorError::EndpointCountMismatch {
                interface: interface.descriptor.number,
                alternate_setting: interface.descriptor.alternate_setting,
                declared,
                found: interface.endpoints.len(),
            });
        }
        self.interfaces.push(interface);
        Ok(())
    }

    /// How many distinct `bInterfaceNumber` values are present.
    pub fn distinct_interface_count(&self) -> usize {
        let mut seen = [false; 256];
        let mut count = 0;
        for interface in &self.interfaces {
            let slot = &mut seen[usize::from(interface.number())];
            if !*slot {
                *slot = true;
                count += 1;
            }
        }
        count
    }

    /// `bConfigurationValue`: the argument to SET_CONFIGURATION.
    pub fn value(&self) -> u8 {
        self.descriptor.value
    }

    /// The interface with this number and alternate setting.
    pub fn interface(&self, number: u8, alternate_setting: u8) -> Option<&Interface> {
        self.interfaces.iter().find(|interface| {
            interface.number() == number && interface.alternate_setting() == alternate_setting
        })
    }

    /// Every alternate setting of interface `number`.
    pub fn alternate_settings(&self, number: u8) -> impl Iterator<Item = &Interface> {
        self.interfaces
            .iter()
            .filter(move |interface| interface.number() == number)
    }

    /// Interfaces whose class matches, and whose subclass and protocol match when given.
    pub fn find_interfaces(
        &self,
        class: u8,
        subclass: Option<u8>,
        protocol: Option<u8>,
    ) -> impl Iterator<Item = &Interface> {
        self.interfaces.iter().filter(move |interface| {
            let descriptor = &interface.descriptor;
            descriptor.class == class
                && subclass.is_none_or(|wanted| descriptor.subclass == wanted)
                && protocol.is_none_or(|wanted| descriptor.protocol == wanted)
        })
    }

    /// The first HID boot keyboard interface (3/1/1).
    pub fn boot_keyboard(&self) -> Option<&Interface> {
        self.interfaces
            .iter()
            .find(|interface| interface.is_boot_keyboard())
    }

    /// The first HID boot mouse interface (3/1/2).
    pub fn boot_mouse(&self) -> Option<&Interface> {
        self.interfaces
            .iter()
            .find(|interface| interface.is_boot_mouse())
    }

    /// The first hub interface (class 9).
    pub fn hub(&self) -> Option<&Interface> {
        self.interfaces.iter().find(|interface| interface.is_hub())
    }
}
