//! Finding a USB Ethernet function in a configuration: CDC-ECM, CDC-NCM or RNDIS control
//! interface, its data interface, and the alternate setting that carries the bulk endpoints.

use crate::class::{CdcEthernet, ClassDescriptor};
use crate::configuration::{Configuration, Interface};
use crate::descriptor::{class, EndpointDescriptor, InterfaceDescriptor};

/// CDC communications subclass: abstract control model (RNDIS reuses it with protocol 0xff).
pub const CDC_SUBCLASS_ABSTRACT_CONTROL: u8 = 0x02;
/// CDC communications subclass: Ethernet control model.
pub const CDC_SUBCLASS_ETHERNET: u8 = 0x06;
/// CDC communications subclass: network control model.
pub const CDC_SUBCLASS_NCM: u8 = 0x0d;
/// Protocol of RNDIS control interfaces that use the CDC ACM subclass.
pub const CDC_PROTOCOL_VENDOR: u8 = 0xff;

/// Which USB Ethernet protocol a control interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkKind {
    /// CDC Ethernet control model (2/6/0).
    Ecm,
    /// CDC network control model (2/13/0).
    Ncm,
    /// Microsoft RNDIS (2/2/0xff, 0xe0/1/3 or 0xef/4/1).
    Rndis,
}

impl NetworkKind {
    /// Recognises a network control interface by class, subclass and protocol.
    pub fn of_interface(descriptor: &InterfaceDescriptor) -> Option<Self> {
        match (descriptor.class, descriptor.subclass, descriptor.protocol) {
            (class::COMMUNICATIONS, CDC_SUBCLASS_ETHERNET, _) => Some(Self::Ecm),
            (class::COMMUNICATIONS, CDC_SUBCLASS_NCM, _) => Some(Self::Ncm),
            (class::COMMUNICATIONS, CDC_SUBCLASS_ABSTRACT_CONTROL, CDC_PROTOCOL_VENDOR)
            | (class::WIRELESS_CONTROLLER, 0x01, 0x03)
            | (class::MISCELLANEOUS, 0x04, 0x01) => Some(Self::Rndis),
            _ => None,
        }
    }
}

/// A USB Ethernet function: what a driver needs to bring the link up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkFunction {
    /// The protocol.
    pub kind: NetworkKind,
    /// `bInterfaceNumber` of the control (communications) interface.
    pub control_interface: u8,
    /// The control interface's interrupt IN endpoint for notifications, if any.
    pub notification_endpoint: Option<EndpointDescriptor>,
    /// `bInterfaceNumber` of the data interface.
    pub data_interface: u8,
    /// The data interface's alternate setting that has the bulk endpoints: select it with
    /// SET_INTERFACE (ECM and NCM devices keep alternate setting 0 empty).
    pub data_alternate_setting: u8,
    /// Bulk IN endpoint (frames from the device).
    pub bulk_in: EndpointDescriptor,
    /// Bulk OUT endpoint (frames to the device).
    pub bulk_out: EndpointDescriptor,
    /// The Ethernet networking functional descriptor (ECM and NCM), with `iMACAddress` and
    /// `wMaxSegmentSize`.
    pub ethernet: Option<CdcEthernet>,
}

impl NetworkFunction {
    /// Builds the function whose control interface is `control`, or `None` when it is not a
    /// network control interface or its data interface has no bulk IN/OUT pair.
    pub fn from_control_interface(
        configuration: &Configuration,
        control: &Interface,
    ) -> Option<Self> {
        let kind = NetworkKind::of_interface(&control.descriptor)?;
        let mut ethernet = None;
        let mut union_data = None;
        for descriptor in &control.class_descriptors {
            match descriptor {
                ClassDescriptor::CdcEthernet(found) => ethernet = Some(*found),
                ClassDescriptor::CdcUnion {
                    control_interface,
                    subordinate_interfaces,
                } if *control_interface == control.number() => {
                    union_data = subordinate_interfaces.first().copied();
                }
                _ => {}
            }
        }
        let data_interface = union_data.unwrap_or_else(|| control.number().wrapping_add(1));
        let data = configuration
            .alternate_settings(data_interface)
            .filter(|setting| setting.descriptor.class == class::CDC_DATA)
            .find(|setting| setting.bulk_in().is_some() && setting.bulk_out().is_some())?;
        Some(Self {
            kind,
            control_interface: control.number(),
            notification_endpoint: control.interrupt_in().copied(),
            data_interface,
            data_alternate_setting: data.alternate_setting(),
            bulk_in: *data.bulk_in()?,
            bulk_out: *data.bulk_out()?,
            ethernet,
        })
    }

    /// The maximum Ethernet frame size the device declares, or 1514 when it declares none.
    pub fn max_segment_size(&self) -> u16 {
        self.ethernet
            .map(|ethernet| ethernet.max_segment_size)
            .filter(|&size| size != 0)
            .unwrap_or(1514)
    }
}

impl Configuration {
    /// Every USB Ethernet function in this configuration, in interface order.
    pub fn network_functions(&self) -> impl Iterator<Item = NetworkFunction> + '_ {
        self.interfaces
            .iter()
            .filter(|interface| interface.alternate_setting() == 0)
            .filter_map(|interface| NetworkFunction::from_control_interface(self, interface))
    }

    /// The first network function of this kind.
    pub fn network_function(&self, kind: NetworkKind) -> Option<NetworkFunction> {
        self.network_functions()
            .find(|function| function.kind == kind)
    }

    /// The first CDC-ECM function.
    pub fn ecm(&self) -> Option<NetworkFunction> {
        self.network_function(NetworkKind::Ecm)
    }
}
