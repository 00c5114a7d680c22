//! Standard USB 2.0 descriptors (chapter 9): device, qualifier, configuration header,
//! interface, endpoint, and a bounded walker over a blob of concatenated descriptors.

use alloc::vec::Vec;

use crate::error::DescriptorError;

/// `bDescriptorType` values from USB 2.0 table 9-5 and the class specifications.
pub mod descriptor_type {
    /// Device descriptor.
    pub const DEVICE: u8 = 0x01;
    /// Configuration descriptor.
    pub const CONFIGURATION: u8 = 0x02;
    /// String descriptor.
    pub const STRING: u8 = 0x03;
    /// Interface descriptor.
    pub const INTERFACE: u8 = 0x04;
    /// Endpoint descriptor.
    pub const ENDPOINT: u8 = 0x05;
    /// Device qualifier descriptor (high-speed capable devices).
    pub const DEVICE_QUALIFIER: u8 = 0x06;
    /// Other-speed configuration descriptor.
    pub const OTHER_SPEED_CONFIGURATION: u8 = 0x07;
    /// Interface power descriptor.
    pub const INTERFACE_POWER: u8 = 0x08;
    /// On-The-Go descriptor.
    pub const OTG: u8 = 0x09;
    /// Interface association descriptor (ECN to USB 2.0).
    pub const INTERFACE_ASSOCIATION: u8 = 0x0b;
    /// HID class descriptor (HID 1.11 section 7.1).
    pub const HID: u8 = 0x21;
    /// HID report descriptor.
    pub const HID_REPORT: u8 = 0x22;
    /// HID physical descriptor.
    pub const HID_PHYSICAL: u8 = 0x23;
    /// Class-specific interface descriptor (CDC functional descriptors, among others).
    pub const CLASS_SPECIFIC_INTERFACE: u8 = 0x24;
    /// Class-specific endpoint descriptor.
    pub const CLASS_SPECIFIC_ENDPOINT: u8 = 0x25;
    /// USB 2.0 hub descriptor (chapter 11.23.2.1).
    pub const HUB: u8 = 0x29;
    /// SuperSpeed hub descriptor (USB 3.x), recognised but not decoded.
    pub const SUPERSPEED_HUB: u8 = 0x2a;
}

/// Class codes (`bDeviceClass` / `bInterfaceClass`) assigned by the USB-IF.
pub mod class {
    /// Class given per interface.
    pub const PER_INTERFACE: u8 = 0x00;
    /// Audio.
    pub const AUDIO: u8 = 0x01;
    /// Communications device class, control interface.
    pub const COMMUNICATIONS: u8 = 0x02;
    /// Human interface device.
    pub const HID: u8 = 0x03;
    /// Printer.
    pub const PRINTER: u8 = 0x07;
    /// Mass storage.
    pub const MASS_STORAGE: u8 = 0x08;
    /// Hub.
    pub const HUB: u8 = 0x09;
    /// CDC data interface.
    pub const CDC_DATA: u8 = 0x0a;
    /// Wireless controller (RNDIS uses subclass 1, protocol 3).
    pub const WIRELESS_CONTROLLER: u8 = 0xe0;
    /// Miscellaneous (RNDIS over "misc" uses subclass 4, protocol 1).
    pub const MISCELLANEOUS: u8 = 0xef;
    /// Application specific.
    pub const APPLICATION_SPECIFIC: u8 = 0xfe;
    /// Vendor specific.
    pub const VENDOR_SPECIFIC: u8 = 0xff;
}

/// Size of the fixed part of each standard descriptor.
pub mod descriptor_size {
    /// Device descriptor.
    pub const DEVICE: usize = 18;
    /// Device qualifier descriptor.
    pub const DEVICE_QUALIFIER: usize = 10;
    /// Configuration descriptor header.
    pub const CONFIGURATION: usize = 9;
    /// Interface descriptor.
    pub const INTERFACE: usize = 9;
    /// Endpoint descriptor.
    pub const ENDPOINT: usize = 7;
}

/// Reads a little-endian `u16` at `offset`; 0 when out of range (callers check lengths first).
pub(crate) fn read_u16(bytes: &[u8], offset: usize) -> u16 {
    match (bytes.get(offset), bytes.get(offset.wrapping_add(1))) {
        (Some(&low), Some(&high)) => u16::from_le_bytes([low, high]),
        _ => 0,
    }
}

/// Reads a byte at `offset`; 0 when out of range (callers check lengths first).
pub(crate) fn read_u8(bytes: &[u8], offset: usize) -> u8 {
    bytes.get(offset).copied().unwrap_or(0)
}

/// Checks the descriptor that starts `bytes` and returns exactly its `bLength` bytes.
///
/// `offset` only labels errors. `expected_type` is checked when given; `minimum` is the
/// smallest `bLength` allowed (at least the 2-byte header).
pub(crate) fn checked_descriptor(
    bytes: &[u8],
    offset: usize,
    expected_type: Option<u8>,
    minimum: usize,
) -> Result<&[u8], DescriptorError> {
    if bytes.len() < 2 {
        return Err(DescriptorError::ShortBuffer {
            offset,
            needed: 2,
            available: bytes.len(),
        });
    }
    let length = bytes[0];
    let found = bytes[1];
    if length == 0 {
        return Err(DescriptorError::ZeroLength { offset });
    }
    if let Some(expected) = expected_type {
        if found != expected {
            return Err(DescriptorError::WrongType {
                offset,
                expected,
                found,
            });
        }
    }
    let minimum = minimum.max(2);
    if usize::from(length) < minimum {
        return Err(DescriptorError::LengthTooSmall {
            offset,
            descriptor_type: found,
            length,
            minimum: u8::try_from(minimum).unwrap_or(u8::MAX),
        });
    }
    match bytes.get(..usize::from(length)) {
        Some(descriptor) => Ok(descriptor),
        None => Err(DescriptorError::LengthPastEnd {
            offset,
            length,
            available: bytes.len(),
        }),
    }
}

/// One descriptor inside a larger buffer, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawDescriptorRef<'a> {
    /// Where it starts in the walked buffer.
    pub offset: usize,
    /// Its `bDescriptorType`.
    pub descriptor_type: u8,
    /// All `bLength` bytes, header included.
    pub bytes: &'a [u8],
}

impl RawDescriptorRef<'_> {
    /// The bytes after the 2-byte header.
    pub fn body(&self) -> &[u8] {
        self.bytes.get(2..).unwrap_or(&[])
    }

    /// An owned copy.
    pub fn to_owned(&self) -> RawDescriptor {
        RawDescriptor {
            descriptor_type: self.descriptor_type,
            bytes: self.bytes.to_vec(),
        }
    }
}

/// A descriptor kept as raw bytes because this crate does not decode its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDescriptor {
    /// Its `bDescriptorType`.
    pub descriptor_type: u8,
    /// All `bLength` bytes, header included.
    pub bytes: Vec<u8>,
}

impl RawDescriptor {
    /// The bytes after the 2-byte header.
    pub fn body(&self) -> &[u8] {
        self.bytes.get(2..).unwrap_or(&[])
    }
}

/// Walks concatenated descriptors, checking each `bLength`; stops for good after an error.
///
/// Every step advances by at least 2 bytes, so a walk over `n` bytes ends after at most `n / 2`
/// items.
#[derive(Debug, Clone)]
pub struct Descriptors<'a> {
    bytes: &'a [u8],
    offset: usize,
    base_offset: usize,
    failed: bool,
}

impl<'a> Descriptors<'a> {
    /// Walks all of `bytes`; reported offsets count from its start.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self::with_base_offset(bytes, 0)
    }

    /// Walks `bytes`, reporting offsets as `base_offset` plus the position in `bytes`.
    pub fn with_base_offset(bytes: &'a [u8], base_offset: usize) -> Self {
        Self {
            bytes,
            offset: 0,
            base_offset,
            failed: false,
        }
    }
}

impl<'a> Iterator for Descriptors<'a> {
    type Item = Result<RawDescriptorRef<'a>, DescriptorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.bytes.get(self.offset..)?;
        if rest.is_empty() {
            return None;
        }
        let offset = self.base_offset.saturating_add(self.offset);
        match checked_descriptor(rest, offset, None, 2) {
            Ok(bytes) => {
                self.offset += bytes.len();
                Some(Ok(RawDescriptorRef {
                    offset,
                    descriptor_type: bytes[1],
                    bytes,
                }))
            }
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }
}

/// Bus speed of a device or port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speed {
    /// 1.5 Mbit/s.
    Low,
    /// 12 Mbit/s.
    Full,
    /// 480 Mbit/s.
    High,
}

impl Speed {
    /// The endpoint 0 packet size to use before the device descriptor is known: 8 bytes for
    /// low and full speed (the only size every such device accepts), 64 for high speed.
    pub const fn initial_max_packet_size(self) -> u8 {
        match self {
            Self::Low | Self::Full => 8,
            Self::High => 64,
        }
    }
}

/// The device descriptor (USB 2.0 section 9.6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceDescriptor {
    /// `bcdUSB`: the USB release in binary-coded decimal (0x0200 for USB 2.0).
    pub usb_version: u16,
    /// `bDeviceClass`.
    pub class: u8,
    /// `bDeviceSubClass`.
    pub subclass: u8,
    /// `bDeviceProtocol`.
    pub protocol: u8,
    /// `bMaxPacketSize0`: endpoint 0's packet size.
    pub max_packet_size0: u8,
    /// `idVendor`.
    pub vendor_id: u16,
    /// `idProduct`.
    pub product_id: u16,
    /// `bcdDevice`: the device release.
    pub device_version: u16,
    /// `iManufacturer` string index (0: none).
    pub manufacturer_index: u8,
    /// `iProduct` string index (0: none).
    pub product_index: u8,
    /// `iSerialNumber` string index (0: none).
    pub serial_number_index: u8,
    /// `bNumConfigurations`.
    pub configuration_count: u8,
}

impl DeviceDescriptor {
    /// Length of the prefix that holds `bMaxPacketSize0`, the first read during enumeration.
    pub const PREFIX_LENGTH: usize = 8;

    /// Parses a full 18-byte device descriptor.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        let bytes = checked_descriptor(
            bytes,
            0,
            Some(descriptor_type::DEVICE),
            descriptor_size::DEVICE,
        )?;
        Ok(Self {
            usb_version: read_u16(bytes, 2),
            class: bytes[4],
            subclass: bytes[5],
            protocol: bytes[6],
            max_packet_size0: bytes[7],
            vendor_id: read_u16(bytes, 8),
            product_id: read_u16(bytes, 10),
            device_version: read_u16(bytes, 12),
            manufacturer_index: bytes[14],
            product_index: bytes[15],
            serial_number_index: bytes[16],
            configuration_count: bytes[17],
        })
    }

    /// Reads `bMaxPacketSize0` from the first 8 bytes of a device descriptor.
    ///
    /// Checks the type and that `bLength` covers a whole device descriptor, not that all 18
    /// bytes arrived: the first read during enumeration asks for only 8.
    pub fn parse_max_packet_size0(bytes: &[u8]) -> Result<u8, DescriptorError> {
        if bytes.len() < Self::PREFIX_LENGTH {
            return Err(DescriptorError::ShortBuffer {
                offset: 0,
                needed: Self::PREFIX_LENGTH,
                available: bytes.len(),
            });
        }
        if bytes[0] == 0 {
            return Err(DescriptorError::ZeroLength { offset: 0 });
        }
        if bytes[1] != descriptor_type::DEVICE {
            return Err(DescriptorError::WrongType {
                offset: 0,
                expected: descriptor_type::DEVICE,
                found: bytes[1],
            });
        }
        if usize::from(bytes[0]) < descriptor_size::DEVICE {
            return Err(DescriptorError::LengthTooSmall {
                offset: 0,
                descriptor_type: bytes[1],
                length: bytes[0],
                minimum: descriptor_size::DEVICE as u8,
            });
        }
        Ok(bytes[7])
    }

    /// Whether the device declares itself a hub (class 9).
    pub fn is_hub(&self) -> bool {
        self.class == class::HUB
    }
}

/// The device qualifier descriptor (USB 2.0 section 9.6.2): how a high-speed capable device
/// would look at its other speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceQualifier {
    /// `bcdUSB`.
    pub usb_version: u16,
    /// `bDeviceClass`.
    pub class: u8,
    /// `bDeviceSubClass`.
    pub subclass: u8,
    /// `bDeviceProtocol`.
    pub protocol: u8,
    /// `bMaxPacketSize0` at the other speed.
    pub max_packet_size0: u8,
    /// `bNumConfigurations` at the other speed.
    pub configuration_count: u8,
}

impl DeviceQualifier {
    /// Parses a 10-byte device qualifier descriptor.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        let bytes = checked_descriptor(
            bytes,
            0,
            Some(descriptor_type::DEVICE_QUALIFIER),
            descriptor_size::DEVICE_QUALIFIER,
        )?;
        Ok(Self {
            usb_version: read_u16(bytes, 2),
            class: bytes[4],
            subclass: bytes[5],
            protocol: bytes[6],
            max_packet_size0: bytes[7],
            configuration_count: bytes[8],
        })
    }
}

/// The 9-byte configuration descriptor header (USB 2.0 section 9.6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigurationDescriptor {
    /// `wTotalLength`: bytes of the header plus every descriptor that belongs to it.
    pub total_length: u16,
    /// `bNumInterfaces`.
    pub interface_count: u8,
    /// `bConfigurationValue`: the argument to SET_CONFIGURATION.
    pub value: u8,
    /// `iConfiguration` string index (0: none).
    pub string_index: u8,
    /// `bmAttributes` (bit 6 self-powered, bit 5 remote wakeup).
    pub attributes: u8,
    /// `bMaxPower` in units of 2 mA.
    pub max_power: u8,
}

impl ConfigurationDescriptor {
    /// Parses the header alone, as returned by a 9-byte GET_DESCRIPTOR read.
    ///
    /// Checks `wTotalLength >= 9` but not that the rest is present.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_typed(bytes, descriptor_type::CONFIGURATION)
    }

    /// Parses an other-speed configuration header (type 7), which has the same layout.
    pub fn parse_other_speed(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_typed(bytes, descriptor_type::OTHER_SPEED_CONFIGURATION)
    }

    fn parse_typed(bytes: &[u8], expected_type: u8) -> Result<Self, DescriptorError> {
        let header = checked_descriptor(
            bytes,
            0,
            Some(expected_type),
            descriptor_size::CONFIGURATION,
        )?;
        let total_length = read_u16(header, 2);
        if usize::from(total_length) < descriptor_size::CONFIGURATION {
            return Err(DescriptorError::TotalLengthTooSmall { total_length });
        }
        Ok(Self {
            total_length,
            interface_count: header[4],
            value: header[5],
            string_index: header[6],
            attributes: header[7],
            max_power: header[8],
        })
    }

    /// Whether the device is self-powered in this configuration.
    pub fn self_powered(&self) -> bool {
        self.attributes & 0x40 != 0
    }

    /// Whether the device supports remote wakeup in this configuration.
    pub fn remote_wakeup(&self) -> bool {
        self.attributes & 0x20 != 0
    }

    /// Maximum bus current drawn in this configuration, in milliamperes.
    pub fn max_power_milliamperes(&self) -> u16 {
        u16::from(self.max_power) * 2
    }
}

/// The interface descriptor (USB 2.0 section 9.6.5); one per alternate setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterfaceDescriptor {
    /// `bInterfaceNumber`.
    pub number: u8,
    /// `bAlternateSetting`.
    pub alternate_setting: u8,
    /// `bNumEndpoints`, endpoint 0 not counted.
    pub endpoint_count: u8,
    /// `bInterfaceClass`.
    pub class: u8,
    /// `bInterfaceSubClass`.
    pub subclass: u8,
    /// `bInterfaceProtocol`.
    pub protocol: u8,
    /// `iInterface` string index (0: none).
    pub string_index: u8,
}

impl InterfaceDescriptor {
    /// Parses one interface descriptor at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_at(bytes, 0)
    }

    pub(crate) fn parse_at(bytes: &[u8], offset: usize) -> Result<Self, DescriptorError> {
        let bytes = checked_descriptor(
            bytes,
            offset,
            Some(descriptor_type::INTERFACE),
            descriptor_size::INTERFACE,
        )?;
        Ok(Self {
            number: bytes[2],
            alternate_setting: bytes[3],
            endpoint_count: bytes[4],
            class: bytes[5],
            subclass: bytes[6],
            protocol: bytes[7],
            string_index: bytes[8],
        })
    }

    /// Whether class, subclass and protocol are exactly these.
    pub fn matches(&self, class: u8, subclass: u8, protocol: u8) -> bool {
        self.class == class && self.subclass == subclass && self.protocol == protocol
    }
}

/// Data direction, seen from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Host to device.
    Out,
    /// Device to host.
    In,
}

/// An endpoint's transfer type (`bmAttributes` bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferType {
    /// Control transfers.
    Control,
    /// Isochronous transfers.
    Isochronous,
    /// Bulk transfers.
    Bulk,
    /// Interrupt transfers.
    Interrupt,
}

/// The endpoint descriptor (USB 2.0 section 9.6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointDescriptor {
    /// `bEndpointAddress`: bit 7 direction (1 = IN), bits 3..0 the endpoint number.
    pub address: u8,
    /// `bmAttributes`: bits 1..0 the transfer type.
    pub attributes: u8,
    /// `wMaxPacketSize` as sent: bits 10..0 the size, bits 12..11 extra high-speed transactions.
    pub max_packet_size_field: u16,
    /// `bInterval`: the polling interval, in frames or as a power of two of microframes.
    pub interval: u8,
}

impl EndpointDescriptor {
    /// Parses one endpoint descriptor at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        Self::parse_at(bytes, 0)
    }

    pub(crate) fn parse_at(bytes: &[u8], offset: usize) -> Result<Self, DescriptorError> {
        let bytes = checked_descriptor(
            bytes,
            offset,
            Some(descriptor_type::ENDPOINT),
            descriptor_size::ENDPOINT,
        )?;
        Ok(Self {
            address: bytes[2],
            attributes: bytes[3],
            max_packet_size_field: read_u16(bytes, 4),
            interval: bytes[6],
        })
    }

    /// The endpoint number, 0 to 15.
    pub fn number(&self) -> u8 {
        self.address & 0x0f
    }

    /// The direction of its data.
    pub fn direction(&self) -> Direction {
        if self.address & 0x80 != 0 {
            Direction::In
        } else {
            Direction::Out
        }
    }

    /// Whether it sends data to the host.
    pub fn is_in(&self) -> bool {
        self.direction() == Direction::In
    }

    /// The transfer type.
    pub fn transfer_type(&self) -> TransferType {
        match self.attributes & 0x03 {
            0 => TransferType::Control,
            1 => TransferType::Isochronous,
            2 => TransferType::Bulk,
            _ => TransferType::Interrupt,
        }
    }

    /// The largest packet in bytes (bits 10..0 of `wMaxPacketSize`).
    pub fn max_packet_size(&self) -> u16 {
        self.max_packet_size_field & 0x07ff
    }

    /// Transactions per microframe for high-speed periodic endpoints: 1, 2 or 3.
    pub fn transactions_per_microframe(&self) -> u8 {
        match (self.max_packet_size_field >> 11) & 0x03 {
            0 => 1,
            1 => 2,
            _ => 3,
        }
    }

    /// The polling interval in microseconds for interrupt and isochronous endpoints at
    /// `speed`; `None` for bulk and control endpoints or a `bInterval` of 0 where 0 is invalid.
    ///
    /// Low and full speed interrupt endpoints count `bInterval` in 1 ms frames; high speed
    /// ones, and isochronous ones at any speed, use 2^(bInterval-1) units (125 µs microframes
    /// at high speed, 1 ms frames otherwise), with `bInterval` clamped to 1..=16.
    pub fn polling_interval_microseconds(&self, speed: Speed) -> Option<u32> {
        let exponent_interval = |unit: u32| {
            let exponent = u32::from(self.interval.clamp(1, 16)) - 1;
            unit << exponent
        };
        match (self.transfer_type(), speed) {
            (TransferType::Control | TransferType::Bulk, _) => None,
            (TransferType::Interrupt, Speed::Low | Speed::Full) => {
                if self.interval == 0 {
                    None
                } else {
                    Some(u32::from(self.interval) * 1000)
                }
            }
            (TransferType::Interrupt | TransferType::Isochronous, Speed::High) => {
                Some(exponent_interval(125))
            }
            (TransferType::Isochronous, Speed::Low | Speed::Full) => Some(exponent_interval(1000)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_never_index_out_of_range() {
        assert_eq!(read_u16(&[0x34, 0x12], 0), 0x1234);
        assert_eq!(read_u16(&[0x34], 0), 0);
        assert_eq!(read_u16(&[], usize::MAX), 0);
        assert_eq!(read_u8(&[7], 1), 0);
    }

    #[test]
    fn checked_descriptor_order_of_checks() {
        assert_eq!(
            checked_descriptor(&[3, 9, 0], 5, Some(9), 4),
            Err(DescriptorError::LengthTooSmall {
                offset: 5,
                descriptor_type: 9,
                length: 3,
                minimum: 4
            })
        );
        assert_eq!(
            checked_descriptor(&[3, 8, 0], 0, Some(9), 2),
            Err(DescriptorError::WrongType {
                offset: 0,
                expected: 9,
                found: 8
            })
        );
        assert_eq!(
            checked_descriptor(&[3, 9, 0, 1], 0, None, 2),
            Ok(&[3, 9, 0][..])
        );
    }
}
