//! Enumerating one newly attached device as a pure state machine: it says which control
//! transfer to perform next, the kernel performs it and reports back, until the device is
//! configured or enumeration fails with a reason.
//!
//! Order: GET_DESCRIPTOR(device, 8 bytes) at address 0 to learn `bMaxPacketSize0`, optionally
//! a second port reset, SET_ADDRESS, GET_DESCRIPTOR(device, 18) at the new address, optionally
//! the language list and the manufacturer / product / serial strings, then for each
//! configuration its 9-byte header and its full `wTotalLength` blob, a choice of
//! configuration, and SET_CONFIGURATION.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::configuration::Configuration;
use crate::descriptor::{class, DeviceDescriptor, Speed};
use crate::error::DescriptorError;
use crate::network::NetworkKind;
use crate::request::SetupPacket;
use crate::string::{parse_language_ids, parse_string};

/// How a transfer the kernel performed went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferError {
    /// The device answered STALL.
    Stall,
    /// No answer, or NAK, for longer than the kernel's transfer timeout.
    Timeout,
    /// CRC, bit-stuffing or data toggle errors persisted.
    Transaction,
    /// The device sent more than asked for.
    Babble,
    /// The device went away (the port reported a disconnect); never retried.
    Disconnected,
}

/// Which step of enumeration was running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading the first 8 bytes of the device descriptor at address 0.
    DevicePrefix,
    /// Waiting for the kernel to reset the port a second time.
    PortReset,
    /// SET_ADDRESS.
    SetAddress,
    /// Reading the whole device descriptor at the new address.
    Device,
    /// Reading string descriptor 0 (language IDs).
    Languages,
    /// Reading the manufacturer string.
    Manufacturer,
    /// Reading the product string.
    Product,
    /// Reading the serial number string.
    SerialNumber,
    /// Reading the 9-byte header of configuration `index`.
    ConfigurationHeader(u8),
    /// Reading all of configuration `index`.
    Configuration(u8),
    /// SET_CONFIGURATION.
    SetConfiguration,
    /// Enumeration ended (done or failed).
    Finished,
}

/// Why enumeration gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumerationError {
    /// A transfer kept failing after every retry.
    Transfer {
        /// The stage it belonged to.
        stage: Stage,
        /// The last error.
        error: TransferError,
    },
    /// The device kept sending a descriptor that does not parse.
    Descriptor {
        /// The stage it belonged to.
        stage: Stage,
        /// The last parse error.
        error: DescriptorError,
    },
    /// `bMaxPacketSize0` is not 8, 16, 32 or 64.
    InvalidMaxPacketSize(u8),
    /// `bNumConfigurations` is 0.
    NoConfigurations,
    /// The configuration chooser picked none.
    NoConfigurationChosen,
    /// The whole enumeration took longer than its deadline.
    DeadlineExceeded {
        /// The stage running when time ran out.
        stage: Stage,
    },
    /// A result arrived when no transfer or reset was outstanding.
    NotWaiting,
}

impl fmt::Display for EnumerationError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transfer { stage, error } => {
                write!(formatter, "transfer failed during {stage:?}: {error:?}")
            }
            Self::Descriptor { stage, error } => {
                write!(formatter, "bad descriptor during {stage:?}: {error}")
            }
            Self::InvalidMaxPacketSize(size) => {
                write!(formatter, "invalid endpoint 0 packet size {size}")
            }
            Self::NoConfigurations => formatter.write_str("device has no configurations"),
            Self::NoConfigurationChosen => formatter.write_str("no usable configuration"),
            Self::DeadlineExceeded { stage } => {
                write!(formatter, "enumeration timed out during {stage:?}")
            }
            Self::NotWaiting => formatter.write_str("result reported while nothing was pending"),
        }
    }
}

/// A control transfer for the kernel to perform on endpoint 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlTransfer {
    /// Device address to send it to.
    pub address: u8,
    /// Endpoint 0's packet size to use.
    pub max_packet_size: u8,
    /// The SETUP packet; its `length` is the data stage size (IN: read up to that many).
    pub setup: SetupPacket,
    /// Milliseconds to wait before sending it (the SET_ADDRESS recovery interval).
    pub delay_before_ms: u32,
}

/// What the kernel should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Perform this transfer, then call [`Enumerator::transfer_complete`].
    Control(ControlTransfer),
    /// Reset the device's port again (the device falls back to address 0), then call
    /// [`Enumerator::reset_complete`].
    ResetPort,
    /// The device is configured.
    Done(EnumeratedDevice),
    /// Enumeration gave up; disable the port.
    Failed(EnumerationError),
}

/// Everything learned about an enumerated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumeratedDevice {
    /// Its address.
    pub address: u8,
    /// Its speed.
    pub speed: Speed,
    /// Its device descriptor.
    pub device: DeviceDescriptor,
    /// Language IDs of its strings (empty when it has none or they were not read).
    pub languages: Vec<u16>,
    /// Manufacturer string, if it has one and it was read.
    pub manufacturer: Option<String>,
    /// Product string, if it has one and it was read.
    pub product: Option<String>,
    /// Serial number string, if it has one and it was read.
    pub serial_number: Option<String>,
    /// The configurations read, in descriptor index order.
    pub configurations: Vec<Configuration>,
    /// Index into `configurations` of the one selected with SET_CONFIGURATION.
    pub active_configuration: usize,
}

impl EnumeratedDevice {
    /// The configuration selected with SET_CONFIGURATION.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.configurations.get(self.active_configuration)
    }
}

/// Picks which configuration to select: an index into the configurations read, or `None`.
pub type ConfigurationChooser = fn(&DeviceDescriptor, &[Configuration]) -> Option<usize>;

/// How enumeration behaves.
#[derive(Debug, Clone, Copy)]
pub struct EnumerationSettings {
    /// Extra attempts for a failing transfer before giving up (strings are never retried).
    pub retries: u8,
    /// Wait after SET_ADDRESS before talking to the new address (USB 2.0 asks for 2 ms).
    pub set_address_recovery_ms: u32,
    /// Time allowed for the whole enumeration, in milliseconds; 0 for no limit.
    pub deadline_ms: u32,
    /// Reset the port again after the first descriptor read, as some hosts do for devices
    /// that misbehave otherwise.
    pub reset_after_first_descriptor: bool,
    /// Read the language list and the manufacturer, product and serial number strings.
    pub fetch_strings: bool,
    /// Most configurations read (descriptor indices 0 up to this, exclusive).
    pub max_configurations: u8,
    /// Accept configurations whose interface or endpoint counts are wrong.
    pub lenient_counts: bool,
    /// Picks the configuration to select.
    pub choose_configuration: ConfigurationChooser,
}

impl Default for EnumerationSettings {
    fn default() -> Self {
        Self {
            retries: 2,
            set_address_recovery_ms: 10,
            deadline_ms: 5000,
            reset_after_first_descriptor: false,
            fetch_strings: true,
            max_configurations: 4,
            lenient_counts: true,
            choose_configuration: default_configuration_choice,
        }
    }
}

/// How much a configuration offers this kernel: CDC-ECM/NCM, boot keyboard, boot mouse or
/// hub 3; another standard class 2; RNDIS 1; vendor-specific or nothing 0.
fn configuration_score(configuration: &Configuration) -> u8 {
    configuration
        .interfaces
        .iter()
        .map(|interface| {
            let descriptor = &interface.descriptor;
            match NetworkKind::of_interface(descriptor) {
                Some(NetworkKind::Ecm | NetworkKind::Ncm) => return 3,
                Some(NetworkKind::Rndis) => return 1,
                None => {}
            }
            if interface.is_boot_keyboard() || interface.is_boot_mouse() || interface.is_hub() {
                3
            } else if descriptor.class == class::VENDOR_SPECIFIC {
                0
            } else {
                2
            }
        })
        .max()
        .unwrap_or(0)
}

/// The default chooser: the highest-scoring configuration, the first on ties, so that a
/// device offering RNDIS and CDC-ECM (like QEMU's usb-net) gets ECM.
pub fn default_configuration_choice(
    _device: &DeviceDescriptor,
    configurations: &[Configuration],
) -> Option<usize> {
    let mut best: Option<(usize, u8)> = None;
    for (index, configuration) in configurations.iter().enumerate() {
        let score = configuration_score(configuration);
        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((index, score));
        }
    }
    best.map(|(index, _)| index)
}

/// Enumerates one device; see the module documentation for the order of steps.
#[derive(Debug, Clone)]
pub struct Enumerator {
    settings: EnumerationSettings,
    address: u8,
    speed: Speed,
    stage: Stage,
    started_ms: u64,
    attempts: u8,
    pending: Option<ControlTransfer>,
    max_packet_size0: u8,
    device: Option<DeviceDescriptor>,
    languages: Vec<u16>,
    manufacturer: Option<String>,
    product: Option<String>,
    serial_number: Option<String>,
    configurations: Vec<Configuration>,
    chosen: usize,
}

impl Enumerator {
    /// Prepares to give the device at address 0 the address `address` (1 to 127). `speed` is
    /// what the port reported after its reset.
    pub fn new(address: u8, speed: Speed, settings: EnumerationSettings) -> Self {
        Self {
            settings,
            address,
            speed,
            stage: Stage::DevicePrefix,
            started_ms: 0,
            attempts: 0,
            pending: None,
            max_packet_size0: speed.initial_max_packet_size(),
            device: None,
            languages: Vec::new(),
            manufacturer: None,
            product: None,
            serial_number: None,
            configurations: Vec::new(),
            chosen: 0,
        }
    }

    /// The stage running now.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The address being assigned.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Starts at `now_ms`: the first transfer.
    pub fn start(&mut self, now_ms: u64) -> Step {
        self.started_ms = now_ms;
        self.stage = Stage::DevicePrefix;
        self.attempts = 0;
        self.request(
            0,
            SetupPacket::get_device_descriptor(DeviceDescriptor::PREFIX_LENGTH as u16),
            0,
        )
    }

    /// `Some(Step::Failed)` when the deadline passed at `now_ms`; call it while a transfer is
    /// outstanding if the kernel's own timeouts might be long.
    pub fn check_deadline(&mut self, now_ms: u64) -> Option<Step> {
        let deadline = u64::from(self.settings.deadline_ms);
        if self.stage == Stage::Finished || deadline == 0 {
            return None;
        }
        if now_ms.saturating_sub(self.started_ms) > deadline {
            let stage = self.stage;
            return Some(self.fail(EnumerationError::DeadlineExceeded { stage }));
        }
        None
    }

    /// The kernel finished the port reset that [`Step::ResetPort`] asked for.
    pub fn reset_complete(&mut self, now_ms: u64) -> Step {
        if let Some(step) = self.check_deadline(now_ms) {
            return step;
        }
        if self.stage != Stage::PortReset {
            return self.fail(EnumerationError::NotWaiting);
        }
        self.begin_set_address()
    }

    /// The kernel finished the transfer of the last [`Step::Control`]: `Ok` with the bytes
    /// received (empty for transfers without an IN data stage), or how it failed.
    pub fn transfer_complete(&mut self, result: Result<&[u8], TransferError>, now_ms: u64) -> Step {
        if let Some(step) = self.check_deadline(now_ms) {
            return step;
        }
        if self.pending.is_none() {
            return self.fail(EnumerationError::NotWaiting);
        }
        let data = match result {
            Ok(data) => data,
            Err(error) => return self.transfer_failed(error),
        };
        match self.stage {
            Stage::DevicePrefix => match DeviceDescriptor::parse_max_packet_size0(data) {
                Ok(size @ (8 | 16 | 32 | 64)) => {
                    self.max_packet_size0 = size;
                    if self.settings.reset_after_first_descriptor {
                        self.stage = Stage::PortReset;
                        self.pending = None;
                        Step::ResetPort
                    } else {
                        self.begin_set_address()
                    }
                }
                Ok(size) => self.fail(EnumerationError::InvalidMaxPacketSize(size)),
                Err(error) => self.descriptor_failed(error),
            },
            Stage::SetAddress => {
                self.enter(Stage::Device);
                let recovery = self.settings.set_address_recovery_ms;
                self.request(
                    self.address,
                    SetupPacket::get_device_descriptor(18),
                    recovery,
                )
            }
            Stage::Device => match DeviceDescriptor::parse(data) {
                Ok(device) if device.configuration_count == 0 => {
                    self.fail(EnumerationError::NoConfigurations)
                }
                Ok(device) => {
                    self.max_packet_size0 = match device.max_packet_size0 {
                        size @ (8 | 16 | 32 | 64) => size,
                        _ => self.max_packet_size0,
                    };
                    self.device = Some(device);
                    let has_strings = device.manufacturer_index != 0
                        || device.product_index != 0
                        || device.serial_number_index != 0;
                    if self.settings.fetch_strings && has_strings {
                        self.enter(Stage::Languages);
                        self.request(
                            self.address,
                            SetupPacket::get_string_descriptor(0, 0, 255),
                            0,
                        )
                    } else {
                        self.begin_configuration(0)
                    }
                }
                Err(error) => self.descriptor_failed(error),
            },
            Stage::Languages => {
                self.languages = parse_language_ids(data).unwrap_or_default();
                self.next_string(Stage::Languages)
            }
            Stage::Manufacturer | Stage::Product | Stage::SerialNumber => {
                let text = parse_string(data).ok();
                let stage = self.stage;
                match stage {
                    Stage::Manufacturer => self.manufacturer = text,
                    Stage::Product => self.product = text,
                    _ => self.serial_number = text,
                }
                self.next_string(stage)
            }
            Stage::ConfigurationHeader(index) => {
                match crate::descriptor::ConfigurationDescriptor::parse(data) {
                    Ok(header) => {
                        self.enter(Stage::Configuration(index));
                        self.request(
                            self.address,
                            SetupPacket::get_configuration_descriptor(index, header.total_length),
                            0,
                        )
                    }
                    Err(error) => self.descriptor_failed(error),
                }
            }
            Stage::Configuration(index) => {
                let parsed = match Configuration::parse(data) {
                    Err(_) if self.settings.lenient_counts => Configuration::parse_lenient(data),
                    other => other,
                };
                match parsed {
                    Ok(configuration) => {
                        self.configurations.push(configuration);
                        let count = self.device.map_or(0, |device| device.configuration_count);
                        let limit = count.min(self.settings.max_configurations);
                        match index.checked_add(1) {
                            Some(next) if next < limit => self.begin_configuration(next),
                            _ => self.choose(),
                        }
                    }
                    Err(error) => self.descriptor_failed(error),
                }
            }
            Stage::SetConfiguration => self.finish(),
            Stage::PortReset | Stage::Finished => self.fail(EnumerationError::NotWaiting),
        }
    }

    fn enter(&mut self, stage: Stage) {
        self.stage = stage;
        self.attempts = 0;
    }

    fn request(&mut self, address: u8, setup: SetupPacket, delay_before_ms: u32) -> Step {
        let transfer = ControlTransfer {
            address,
            max_packet_size: self.max_packet_size0,
            setup,
            delay_before_ms,
        };
        self.pending = Some(transfer);
        Step::Control(transfer)
    }

    fn fail(&mut self, error: EnumerationError) -> Step {
        self.stage = Stage::Finished;
        self.pending = None;
        Step::Failed(error)
    }

    fn begin_set_address(&mut self) -> Step {
        self.enter(Stage::SetAddress);
        self.request(0, SetupPacket::set_address(self.address), 0)
    }

    fn begin_configuration(&mut self, index: u8) -> Step {
        self.enter(Stage::ConfigurationHeader(index));
        self.request(
            self.address,
            SetupPacket::get_configuration_descriptor(index, 9),
            0,
        )
    }

    /// The string stage after `done`, skipping strings the device does not have.
    fn next_string(&mut self, done: Stage) -> Step {
        let Some(device) = self.device else {
            return self.begin_configuration(0);
        };
        let language = self.languages.first().copied();
        let order = [
            (Stage::Manufacturer, device.manufacturer_index),
            (Stage::Product, device.product_index),
            (Stage::SerialNumber, device.serial_number_index),
        ];
        let start = order
            .iter()
            .position(|(stage, _)| *stage == done)
            .map_or(0, |position| position + 1);
        if let Some(language) = language {
            for &(stage, index) in order.iter().skip(start) {
                if index != 0 {
                    self.enter(stage);
                    return self.request(
                        self.address,
                        SetupPacket::get_string_descriptor(index, language, 255),
                        0,
                    );
                }
            }
        }
        self.begin_configuration(0)
    }

    fn choose(&mut self) -> Step {
        let Some(device) = self.device else {
            return self.fail(EnumerationError::NotWaiting);
        };
        let chosen = (self.settings.choose_configuration)(&device, &self.configurations);
        match chosen.and_then(|index| Some((index, self.configurations.get(index)?.value()))) {
            Some((index, value)) => {
                self.chosen = index;
                self.enter(Stage::SetConfiguration);
                self.request(self.address, SetupPacket::set_configuration(value), 0)
            }
            None => self.fail(EnumerationError::NoConfigurationChosen),
        }
    }

    fn finish(&mut self) -> Step {
        let Some(device) = self.device else {
            return self.fail(EnumerationError::NotWaiting);
        };
        self.stage = Stage::Finished;
        self.pending = None;
        Step::Done(EnumeratedDevice {
            address: self.address,
            speed: self.speed,
            device,
            languages: core::mem::take(&mut self.languages),
            manufacturer: self.manufacturer.take(),
            product: self.product.take(),
            serial_number: self.serial_number.take(),
            configurations: core::mem::take(&mut self.configurations),
            active_configuration: self.chosen,
        })
    }

    /// Retries the pending transfer; once the retries are spent, gives up, except that a
    /// configuration after the first one that cannot be read is left out of the choice.
    fn retry_or(&mut self, error: EnumerationError) -> Step {
        match (self.pending, self.stage) {
            (Some(transfer), _) if self.attempts < self.settings.retries => {
                self.attempts += 1;
                Step::Control(transfer)
            }
            (_, Stage::ConfigurationHeader(index) | Stage::Configuration(index)) if index > 0 => {
                self.choose()
            }
            _ => self.fail(error),
        }
    }

    fn transfer_failed(&mut self, error: TransferError) -> Step {
        let stage = self.stage;
        match stage {
            // Strings are optional: a device that stalls them simply has none to give.
            Stage::Languages | Stage::Manufacturer | Stage::Product | Stage::SerialNumber
                if error != TransferError::Disconnected =>
            {
                if stage == Stage::Languages {
                    self.languages.clear();
                }
                self.next_string(if stage == Stage::Languages {
                    Stage::SerialNumber
                } else {
                    stage
                })
            }
            _ if error == TransferError::Disconnected => {
                self.fail(EnumerationError::Transfer { stage, error })
            }
            _ => self.retry_or(EnumerationError::Transfer { stage, error }),
        }
    }

    fn descriptor_failed(&mut self, error: DescriptorError) -> Step {
        let stage = self.stage;
        self.retry_or(EnumerationError::Descriptor { stage, error })
    }
}
