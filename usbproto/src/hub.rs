//! Hub class logic (USB 2.0 chapter 11): the hub descriptor, port and hub status words, feature
//! selectors, and the status-change bitmap the hub's interrupt endpoint sends.

use crate::descriptor::{checked_descriptor, descriptor_type, read_u16, Speed};
use crate::error::DescriptorError;

/// Port feature selectors (USB 2.0 table 11-17), for SET_FEATURE / CLEAR_FEATURE on a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortFeature {
    /// PORT_CONNECTION (status only).
    Connection,
    /// PORT_ENABLE: clearing it disables the port.
    Enable,
    /// PORT_SUSPEND.
    Suspend,
    /// PORT_OVER_CURRENT (status only).
    OverCurrent,
    /// PORT_RESET: setting it starts a reset, after which the port is enabled.
    Reset,
    /// PORT_POWER.
    Power,
    /// PORT_LOW_SPEED (status only).
    LowSpeed,
    /// C_PORT_CONNECTION: acknowledge a connection change.
    ConnectionChange,
    /// C_PORT_ENABLE: acknowledge an enable change.
    EnableChange,
    /// C_PORT_SUSPEND: acknowledge a suspend change.
    SuspendChange,
    /// C_PORT_OVER_CURRENT: acknowledge an over-current change.
    OverCurrentChange,
    /// C_PORT_RESET: acknowledge the end of a reset.
    ResetChange,
    /// PORT_TEST.
    Test,
    /// PORT_INDICATOR.
    Indicator,
}

impl PortFeature {
    /// The feature selector sent in `wValue`.
    pub const fn selector(self) -> u16 {
        match self {
            Self::Connection => 0,
            Self::Enable => 1,
            Self::Suspend => 2,
            Self::OverCurrent => 3,
            Self::Reset => 4,
            Self::Power => 8,
            Self::LowSpeed => 9,
            Self::ConnectionChange => 16,
            Self::EnableChange => 17,
            Self::SuspendChange => 18,
            Self::OverCurrentChange => 19,
            Self::ResetChange => 20,
            Self::Test => 21,
            Self::Indicator => 22,
        }
    }
}

/// Hub feature selectors (USB 2.0 table 11-17), for SET_FEATURE / CLEAR_FEATURE on the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HubFeature {
    /// C_HUB_LOCAL_POWER: acknowledge a local power change.
    LocalPowerChange,
    /// C_HUB_OVER_CURRENT: acknowledge a hub over-current change.
    OverCurrentChange,
}

impl HubFeature {
    /// The feature selector sent in `wValue`.
    pub const fn selector(self) -> u16 {
        match self {
            Self::LocalPowerChange => 0,
            Self::OverCurrentChange => 1,
        }
    }
}

/// How a hub switches port power (`wHubCharacteristics` bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerSwitching {
    /// All ports at once.
    Ganged,
    /// Each port on its own.
    Individual,
    /// Ports are always powered (USB 1.0 compatible hubs).
    None,
}

/// How a hub reports over-current (`wHubCharacteristics` bits 4..3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverCurrentProtection {
    /// For the hub as a whole.
    Global,
    /// For each port.
    Individual,
    /// Not at all.
    None,
}

/// `wHubCharacteristics` (USB 2.0 table 11-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubCharacteristics(pub u16);

impl HubCharacteristics {
    /// Port power switching mode.
    pub fn power_switching(self) -> PowerSwitching {
        match self.0 & 0x03 {
            0 => PowerSwitching::Ganged,
            1 => PowerSwitching::Individual,
            _ => PowerSwitching::None,
        }
    }

    /// Whether the hub is part of a compound device.
    pub fn compound_device(self) -> bool {
        self.0 & 0x04 != 0
    }

    /// Over-current protection mode.
    pub fn over_current_protection(self) -> OverCurrentProtection {
        match (self.0 >> 3) & 0x03 {
            0 => OverCurrentProtection::Global,
            1 => OverCurrentProtection::Individual,
            _ => OverCurrentProtection::None,
        }
    }

    /// Transaction translator think time, in full-speed bit times (8, 16, 24 or 32).
    pub fn think_time_bit_times(self) -> u8 {
        8 * (((self.0 >> 5) & 0x03) as u8 + 1)
    }

    /// Whether the ports have indicator lights.
    pub fn port_indicators(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// The USB 2.0 hub descriptor (section 11.23.2.1), type 0x29.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubDescriptor {
    /// `bNbrPorts`: downstream ports, numbered from 1.
    pub port_count: u8,
    /// `wHubCharacteristics`.
    pub characteristics: HubCharacteristics,
    /// `bPwrOn2PwrGood` in units of 2 ms.
    pub power_on_to_good: u8,
    /// `bHubContrCurrent`: the controller's own current, in mA.
    pub controller_current_milliamperes: u8,
    /// `DeviceRemovable`: bit n set means the device on port n is not removable (bit 0 is
    /// reserved). Bytes past the descriptor's bitmap are 0.
    pub device_removable: [u8; 32],
}

impl HubDescriptor {
    /// The `wLength` to ask for: large enough for the descriptor of a hub with 255 ports.
    pub const MAX_LENGTH: u16 = 71;

    /// Bytes of the `DeviceRemovable` bitmap for `port_count` ports (ports and the reserved
    /// bit 0, rounded up to whole bytes).
    pub const fn removable_bitmap_length(port_count: u8) -> usize {
        (port_count as usize + 1).div_ceil(8)
    }

    /// Parses a hub descriptor; `bLength` must cover the fixed part and the removable bitmap
    /// (the legacy `PortPwrCtrlMask` that may follow is ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        let header = checked_descriptor(bytes, 0, Some(descriptor_type::HUB), 7)?;
        let port_count = header[2];
        let bitmap_length = Self::removable_bitmap_length(port_count);
        let descriptor = checked_descriptor(bytes, 0, None, 7 + bitmap_length)?;
        let mut device_removable = [0u8; 32];
        if let Some(bitmap) = descriptor.get(7..7 + bitmap_length) {
            device_removable[..bitmap_length].copy_from_slice(bitmap);
        }
        Ok(Self {
            port_count,
            characteristics: HubCharacteristics(read_u16(descriptor, 3)),
            power_on_to_good: descriptor[5],
            controller_current_milliamperes: descriptor[6],
            device_removable,
        })
    }

    /// Time from powering a port until its power is good, in milliseconds.
    pub fn power_on_to_good_milliseconds(&self) -> u16 {
        u16::from(self.power_on_to_good) * 2
    }

    /// Whether the device on `port` (1-based) can be unplugged; `false` for ports the hub
    /// does not have.
    pub fn is_removable(&self, port: u8) -> bool {
        if port == 0 || port > self.port_count {
            return false;
        }
        let byte = self.device_removable[usize::from(port / 8)];
        byte & (1 << (port % 8)) == 0
    }

    /// Bytes in one status-change report from the hub's interrupt endpoint.
    pub fn status_change_length(&self) -> usize {
        Self::removable_bitmap_length(self.port_count)
    }
}

/// `wPortStatus` and `wPortChange`, as GET_PORT_STATUS returns them (USB 2.0 section 11.24.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PortStatus {
    /// `wPortStatus`.
    pub status: u16,
    /// `wPortChange`.
    pub change: u16,
}

impl PortStatus {
    /// Decodes the 4 bytes of a GET_PORT_STATUS reply.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        if bytes.len() < 4 {
            return Err(DescriptorError::ShortBuffer {
                offset: 0,
                needed: 4,
                available: bytes.len(),
            });
        }
        Ok(Self {
            status: read_u16(bytes, 0),
            change: read_u16(bytes, 2),
        })
    }

    fn status_bit(&self, bit: u8) -> bool {
        self.status & (1 << bit) != 0
    }

    fn change_bit(&self, bit: u8) -> bool {
        self.change & (1 << bit) != 0
    }

    /// A device is attached.
    pub fn connected(&self) -> bool {
        self.status_bit(0)
    }

    /// The port is enabled (after a successful reset).
    pub fn enabled(&self) -> bool {
        self.status_bit(1)
    }

    /// The port is suspended.
    pub fn suspended(&self) -> bool {
        self.status_bit(2)
    }

    /// The port draws too much current.
    pub fn over_current(&self) -> bool {
        self.status_bit(3)
    }

    /// A reset is in progress.
    pub fn resetting(&self) -> bool {
        self.status_bit(4)
    }

    /// The port is powered.
    pub fn powered(&self) -> bool {
        self.status_bit(8)
    }

    /// A low-speed device is attached.
    pub fn low_speed(&self) -> bool {
        self.status_bit(9)
    }

    /// A high-speed device is attached.
    pub fn high_speed(&self) -> bool {
        self.status_bit(10)
    }

    /// The port is in test mode.
    pub fn test_mode(&self) -> bool {
        self.status_bit(11)
    }

    /// The port indicator is under software control.
    pub fn indicator_control(&self) -> bool {
        self.status_bit(12)
    }

    /// The attached device's speed (meaningful while connected).
    pub fn speed(&self) -> Speed {
        if self.low_speed() {
            Speed::Low
        } else if self.high_speed() {
            Speed::High
        } else {
            Speed::Full
        }
    }

    /// C_PORT_CONNECTION: a device came or went.
    pub fn connection_changed(&self) -> bool {
        self.change_bit(0)
    }

    /// C_PORT_ENABLE: the port was disabled by an error.
    pub fn enable_changed(&self) -> bool {
        self.change_bit(1)
    }

    /// C_PORT_SUSPEND: resume finished.
    pub fn suspend_changed(&self) -> bool {
        self.change_bit(2)
    }

    /// C_PORT_OVER_CURRENT: the over-current state changed.
    pub fn over_current_changed(&self) -> bool {
        self.change_bit(3)
    }

    /// C_PORT_RESET: a reset finished.
    pub fn reset_changed(&self) -> bool {
        self.change_bit(4)
    }

    /// The change features to clear (CLEAR_FEATURE) to acknowledge every change bit set.
    pub fn changes_to_clear(&self) -> impl Iterator<Item = PortFeature> {
        [
            (self.connection_changed(), PortFeature::ConnectionChange),
            (self.enable_changed(), PortFeature::EnableChange),
            (self.suspend_changed(), PortFeature::SuspendChange),
            (self.over_current_changed(), PortFeature::OverCurrentChange),
            (self.reset_changed(), PortFeature::ResetChange),
        ]
        .into_iter()
        .filter_map(|(set, feature)| set.then_some(feature))
    }
}

/// `wHubStatus` and `wHubChange`, as GET_STATUS to the hub returns them (section 11.24.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HubStatus {
    /// `wHubStatus`.
    pub status: u16,
    /// `wHubChange`.
    pub change: u16,
}

impl HubStatus {
    /// Decodes the 4 bytes of a hub GET_STATUS reply.
    pub fn parse(bytes: &[u8]) -> Result<Self, DescriptorError> {
        let port = PortStatus::parse(bytes)?;
        Ok(Self {
            status: port.status,
            change: port.change,
        })
    }

    /// The local power supply is lost (the hub runs from the bus).
    pub fn local_power_lost(&self) -> bool {
        self.status & 0x01 != 0
    }

    /// The hub as a whole is over current.
    pub fn over_current(&self) -> bool {
        self.status & 0x02 != 0
    }

    /// C_HUB_LOCAL_POWER.
    pub fn local_power_changed(&self) -> bool {
        self.change & 0x01 != 0
    }

    /// C_HUB_OVER_CURRENT.
    pub fn over_current_changed(&self) -> bool {
        self.change & 0x02 != 0
    }
}

/// The status-change bitmap from a hub's interrupt IN endpoint (section 11.12.4): bit 0 is
/// the hub itself, bit n is port n.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChangeBitmap<'a> {
    bytes: &'a [u8],
}

impl<'a> StatusChangeBitmap<'a> {
    /// Wraps the bytes the endpoint returned.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn bit(&self, index: usize) -> bool {
        self.bytes
            .get(index / 8)
            .is_some_and(|byte| byte & (1 << (index % 8)) != 0)
    }

    /// Whether the hub's own status changed (GET_STATUS to the hub to learn how).
    pub fn hub_changed(&self) -> bool {
        self.bit(0)
    }

    /// Whether `port` (1-based) changed.
    pub fn port_changed(&self, port: u8) -> bool {
        port != 0 && self.bit(usize::from(port))
    }

    /// The changed ports among 1..=`port_count`, in increasing order; bits past the hub's
    /// ports are ignored.
    pub fn changed_ports(&self, port_count: u8) -> impl Iterator<Item = u8> + 'a {
        let bitmap = *self;
        (1..=port_count).filter(move |&port| bitmap.port_changed(port))
    }
}
