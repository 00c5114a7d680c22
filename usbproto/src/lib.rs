//! USB descriptor parsing, hub and HID boot-protocol logic for PiPyOS.
//!
//! Everything here is pure: it turns bytes a device sent into values and values into bytes
//! to send, and never touches hardware. The kernel's DWC2 driver performs the transfers.
//!
//! - [`descriptor`], [`configuration`], [`class`], [`string`], [`network`]: descriptors of
//!   USB 2.0 chapter 9, HID 1.11 and CDC 1.2 / ECM, and finding the interfaces a driver wants.
//! - [`request`]: 8-byte SETUP packets for standard, hub, HID and CDC requests.
//! - [`hub`]: the hub descriptor, port status words and the status-change bitmap.
//! - [`enumeration`]: which transfer to do next to bring up one new device.
//! - [`keyboard`], [`mouse`]: boot-protocol reports, key events, repeat, keymaps and the
//!   VT100 bytes a terminal would send.
//!
//! No function panics or loops forever on any input: malformed bytes give a
//! [`DescriptorError`] or a [`ReportError`].
//!
//! ```
//! use usbproto::{Configuration, Keyboard, Layout, SetupPacket};
//!
//! // What QEMU's usb-kbd answers to GET_DESCRIPTOR(configuration 0, 34 bytes).
//! let blob = [
//!     0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32, // configuration
//!     0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00, // boot keyboard interface
//!     0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00, // HID descriptor
//!     0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a, // interrupt IN endpoint 1
//! ];
//! let configuration = Configuration::parse(&blob).unwrap();
//! let interface = configuration.boot_keyboard().unwrap();
//! let endpoint = interface.interrupt_in().unwrap();
//! assert_eq!((endpoint.number(), endpoint.max_packet_size()), (1, 8));
//! let _select = SetupPacket::set_configuration(configuration.value()).to_bytes();
//!
//! let mut keyboard = Keyboard::new(Layout::from_name("de").unwrap_or_default());
//! // The key labelled Z on a German keyboard (usage 0x1c, Y in US positions).
//! let output = keyboard.feed_report(&[0, 0, 0x1c, 0, 0, 0, 0, 0], 0).unwrap();
//! assert_eq!(output.bytes(), b"z");
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod class;
pub mod configuration;
pub mod descriptor;
pub mod enumeration;
mod error;
pub mod hub;
pub mod keyboard;
pub mod mouse;
pub mod network;
pub mod request;
pub mod string;

pub use class::{parse_mac_address, CdcEthernet, ClassDescriptor, HidDescriptor};
pub use configuration::{Configuration, Interface};
pub use descriptor::{
    ConfigurationDescriptor, Descriptors, DeviceDescriptor, DeviceQualifier, Direction,
    EndpointDescriptor, InterfaceDescriptor, RawDescriptor, Speed, TransferType,
};
pub use enumeration::{
    ControlTransfer, EnumeratedDevice, EnumerationError, EnumerationSettings, Enumerator, Step,
    TransferError,
};
pub use error::{DescriptorError, ReportError};
pub use hub::{HubDescriptor, HubFeature, HubStatus, PortFeature, PortStatus, StatusChangeBitmap};
pub use keyboard::{Keyboard, KeyboardOutput, Layout};
pub use mouse::{MouseButtons, MouseReport};
pub use network::{NetworkFunction, NetworkKind};
pub use request::SetupPacket;
pub use string::{parse_language_ids, parse_string, LANGUAGE_ENGLISH_US};
