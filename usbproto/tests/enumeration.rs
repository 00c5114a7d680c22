//! Driving the enumeration state machine against simulated QEMU devices.

mod fixtures;

use fixtures::*;
use usbproto::enumeration::{default_configuration_choice, Stage};
use usbproto::request::standard_request;
use usbproto::*;

/// A device that answers standard requests from its descriptors.
struct FakeDevice {
    device: Vec<u8>,
    configurations: Vec<Vec<u8>>,
    strings: Vec<(u8, String)>,
    address: u8,
    configured: Option<u8>,
    /// Per request, how many times to fail before answering.
    failures: Vec<(u8, u16, TransferError, u32)>,
    log: Vec<(u8, SetupPacket)>,
}

impl FakeDevice {
    fn new(device: &[u8], configurations: &[&[u8]], strings: &[(u8, &str)]) -> Self {
        Self {
            device: device.to_vec(),
            configurations: configurations.iter().map(|c| c.to_vec()).collect(),
            strings: strings
                .iter()
                .map(|(index, text)| (*index, text.to_string()))
                .collect(),
            address: 0,
            configured: None,
            failures: Vec::new(),
            log: Vec::new(),
        }
    }

    fn fail(&mut self, request: u8, value: u16, error: TransferError, times: u32) {
        self.failures.push((request, value, error, times));
    }

    fn perform(&mut self, transfer: &ControlTransfer) -> Result<Vec<u8>, TransferError> {
        let setup = transfer.setup;
        self.log.push((transfer.address, setup));
        if transfer.address != self.address {
            return Err(TransferError::Timeout);
        }
        for failure in &mut self.failures {
            if failure.0 == setup.request && failure.1 == setup.value && failure.3 > 0 {
                failure.3 -= 1;
                return Err(failure.2);
            }
        }
        let length = usize::from(setup.length);
        let reply = match setup.request {
            standard_request::GET_DESCRIPTOR => {
                let [index, kind] = setup.value.to_le_bytes();
                match kind {
                    1 => self.device.clone(),
                    2 => self
                        .configurations
                        .get(usize::from(index))
                        .cloned()
                        .ok_or(TransferError::Stall)?,
                    3 if index == 0 => {
                        if self.strings.is_empty() {
                            return Err(TransferError::Stall);
                        }
                        LANGUAGES.to_vec()
                    }
                    3 => {
                        let text = self
                            .strings
                            .iter()
                            .find(|(i, _)| *i == index)
                            .map(|(_, text)| text.clone())
                            .ok_or(TransferError::Stall)?;
                        string_descriptor(&text)
                    }
                    _ => return Err(TransferError::Stall),
                }
            }
            standard_request::SET_ADDRESS => {
                self.address = setup.value as u8;
                Vec::new()
            }
            standard_request::SET_CONFIGURATION => {
                self.configured = Some(setup.value as u8);
                Vec::new()
            }
            _ => return Err(TransferError::Stall),
        };
        Ok(reply[..reply.len().min(length)].to_vec())
    }
}

/// The borrowed form `transfer_complete` takes.
fn borrow(result: &Result<Vec<u8>, TransferError>) -> Result<&[u8], TransferError> {
    match result {
        Ok(bytes) => Ok(bytes),
        Err(error) => Err(*error),
    }
}

/// Runs an enumeration to its end; returns the final step and the clock.
fn run(device: &mut FakeDevice, settings: EnumerationSettings, speed: Speed) -> Step {
    let mut enumerator = Enumerator::new(5, speed, settings);
    let mut now = 1000;
    let mut step = enumerator.start(now);
    for _ in 0..100 {
        match step {
            Step::Control(transfer) => {
                now += 1 + u64::from(transfer.delay_before_ms);
                let result = device.perform(&transfer);
                step = enumerator.transfer_complete(borrow(&result), now);
            }
            Step::ResetPort => {
                device.address = 0;
                now += 50;
                step = enumerator.reset_complete(now);
            }
            Step::Done(_) | Step::Failed(_) => {
                assert_eq!(enumerator.stage(), Stage::Finished);
                return step;
            }
        }
    }
    panic!("enumeration did not end");
}

fn done(step: Step) -> EnumeratedDevice {
    match step {
        Step::Done(device) => device,
        other => panic!("expected Done, got {other:?}"),
    }
}

#[test]
fn keyboard_enumerates_in_order() {
    let mut device = FakeDevice::new(
        &KEYBOARD_DEVICE,
        &[&KEYBOARD_CONFIGURATION],
        &[(1, "QEMU"), (4, "QEMU USB Keyboard"), (5, "42")],
    );
    let enumerated = done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));
    assert_eq!(enumerated.address, 5);
    assert_eq!(enumerated.speed, Speed::Full);
    assert_eq!(enumerated.device.vendor_id, 0x0627);
    assert_eq!(enumerated.languages, vec![0x0409]);
    assert_eq!(enumerated.manufacturer.as_deref(), Some("QEMU"));
    assert_eq!(enumerated.product.as_deref(), Some("QEMU USB Keyboard"));
    assert_eq!(enumerated.serial_number.as_deref(), Some("42"));
    assert_eq!(enumerated.configurations.len(), 1);
    let configuration = enumerated.configuration().unwrap();
    assert!(configuration.boot_keyboard().is_some());
    assert_eq!(device.configured, Some(1));

    let expected: Vec<(u8, SetupPacket)> = vec![
        (0, SetupPacket::get_device_descriptor(8)),
        (0, SetupPacket::set_address(5)),
        (5, SetupPacket::get_device_descriptor(18)),
        (5, SetupPacket::get_string_descriptor(0, 0, 255)),
        (5, SetupPacket::get_string_descriptor(1, 0x0409, 255)),
        (5, SetupPacket::get_string_descriptor(4, 0x0409, 255)),
        (5, SetupPacket::get_string_descriptor(5, 0x0409, 255)),
        (5, SetupPacket::get_configuration_descriptor(0, 9)),
        (5, SetupPacket::get_configuration_descriptor(0, 34)),
        (5, SetupPacket::set_configuration(1)),
    ];
    assert_eq!(device.log, expected);
}

#[test]
fn first_transfer_uses_speed_packet_size_and_address_recovery_delay() {
    let mut enumerator = Enumerator::new(9, Speed::High, EnumerationSettings::default());
    let Step::Control(first) = enumerator.start(0) else {
        panic!("expected a transfer");
    };
    assert_eq!(first.address, 0);
    assert_eq!(first.max_packet_size, 64);
    assert_eq!(first.setup, SetupPacket::get_device_descriptor(8));
    let Step::Control(set_address) = enumerator.transfer_complete(Ok(&NET_DEVICE[..8]), 1) else {
        panic!("expected SET_ADDRESS");
    };
    assert_eq!(set_address.setup, SetupPacket::set_address(9));
    assert_eq!(set_address.address, 0);
    assert_eq!(set_address.max_packet_size, 64);
    let Step::Control(device) = enumerator.transfer_complete(Ok(&[]), 2) else {
        panic!("expected GET_DESCRIPTOR");
    };
    assert_eq!(device.address, 9);
    assert_eq!(device.delay_before_ms, 10);
    assert_eq!(enumerator.stage(), Stage::Device);

    let mut low = Enumerator::new(2, Speed::Low, EnumerationSettings::default());
    let Step::Control(first) = low.start(0) else {
        panic!("expected a transfer");
    };
    assert_eq!(first.max_packet_size, 8);
}

#[test]
fn usb_net_gets_the_ecm_configuration() {
    let mut device = FakeDevice::new(
        &NET_DEVICE,
        &[&NET_RNDIS_CONFIGURATION, &NET_ECM_CONFIGURATION],
        &[
            (1, "QEMU"),
            (2, "RNDIS/QEMU USB Network Device"),
            (3, "400102030405"),
            (10, "1"),
        ],
    );
    let enumerated = done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));
    assert_eq!(enumerated.configurations.len(), 2);
    assert_eq!(enumerated.active_configuration, 1);
    assert_eq!(
        device.configured,
        Some(1),
        "bConfigurationValue of the ECM one"
    );
    let ecm = enumerated.configuration().unwrap().ecm().unwrap();
    assert_eq!(ecm.data_alternate_setting, 1);
    assert_eq!(ecm.ethernet.unwrap().mac_address_index, 3);
    // EP0 is 64 bytes after the first read.
    assert!(device
        .log
        .iter()
        .any(|(_, setup)| *setup == SetupPacket::get_configuration_descriptor(1, 80)));
}

#[test]
fn hub_without_strings_skips_them() {
    let mut device = FakeDevice::new(&HUB_DEVICE, &[&HUB_CONFIGURATION], &[]);
    let enumerated = done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));
    assert!(enumerated.languages.is_empty());
    assert_eq!(enumerated.manufacturer, None);
    assert!(enumerated.configuration().unwrap().hub().is_some());
    assert!(enumerated.device.is_hub());
}

#[test]
fn strings_can_be_turned_off() {
    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&KEYBOARD_CONFIGURATION], &[(1, "Q")]);
    let settings = EnumerationSettings {
        fetch_strings: false,
        ..EnumerationSettings::default()
    };
    let enumerated = done(run(&mut device, settings, Speed::Full));
    assert_eq!(enumerated.manufacturer, None);
    assert_eq!(device.log.len(), 6);
}

#[test]
fn a_stalled_string_is_skipped() {
    // Manufacturer (1) exists, product (4) stalls, serial (5) exists.
    let mut device = FakeDevice::new(
        &KEYBOARD_DEVICE,
        &[&KEYBOARD_CONFIGURATION],
        &[(1, "QEMU"), (5, "42")],
    );
    let enumerated = done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));
    assert_eq!(enumerated.manufacturer.as_deref(), Some("QEMU"));
    assert_eq!(enumerated.product, None);
    assert_eq!(enumerated.serial_number.as_deref(), Some("42"));
}

#[test]
fn timeouts_are_retried_then_reported() {
    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&KEYBOARD_CONFIGURATION], &[]);
    device.fail(standard_request::SET_ADDRESS, 5, TransferError::Timeout, 2);
    done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));

    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&KEYBOARD_CONFIGURATION], &[]);
    device.fail(standard_request::SET_ADDRESS, 5, TransferError::Timeout, 3);
    assert_eq!(
        run(&mut device, EnumerationSettings::default(), Speed::Full),
        Step::Failed(EnumerationError::Transfer {
            stage: Stage::SetAddress,
            error: TransferError::Timeout
        })
    );
}

#[test]
fn disconnect_is_never_retried() {
    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&KEYBOARD_CONFIGURATION], &[]);
    device.fail(
        standard_request::GET_DESCRIPTOR,
        0x0200,
        TransferError::Disconnected,
        1,
    );
    assert_eq!(
        run(&mut device, EnumerationSettings::default(), Speed::Full),
        Step::Failed(EnumerationError::Transfer {
            stage: Stage::ConfigurationHeader(0),
            error: TransferError::Disconnected
        })
    );
}

#[test]
fn bad_descriptors_fail_with_the_parse_error() {
    let mut broken = KEYBOARD_CONFIGURATION;
    broken[27] = 0; // endpoint bLength 0
    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&broken], &[]);
    assert_eq!(
        run(&mut device, EnumerationSettings::default(), Speed::Full),
        Step::Failed(EnumerationError::Descriptor {
            stage: Stage::Configuration(0),
            error: DescriptorError::ZeroLength { offset: 27 }
        })
    );

    let mut bad_size = KEYBOARD_DEVICE;
    bad_size[7] = 9;
    let mut device = FakeDevice::new(&bad_size, &[&KEYBOARD_CONFIGURATION], &[]);
    assert_eq!(
        run(&mut device, EnumerationSettings::default(), Speed::Full),
        Step::Failed(EnumerationError::InvalidMaxPacketSize(9))
    );

    let mut no_configurations = KEYBOARD_DEVICE;
    no_configurations[17] = 0;
    let mut device = FakeDevice::new(&no_configurations, &[], &[]);
    assert_eq!(
        run(&mut device, EnumerationSettings::default(), Speed::Full),
        Step::Failed(EnumerationError::NoConfigurations)
    );
}

#[test]
fn wrong_counts_are_tolerated_unless_strict() {
    let mut miscounted = KEYBOARD_CONFIGURATION;
    miscounted[4] = 2; // bNumInterfaces
    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&miscounted], &[]);
    done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));

    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&miscounted], &[]);
    let strict = EnumerationSettings {
        lenient_counts: false,
        ..EnumerationSettings::default()
    };
    assert!(matches!(
        run(&mut device, strict, Speed::Full),
        Step::Failed(EnumerationError::Descriptor {
            error: DescriptorError::InterfaceCountMismatch { .. },
            ..
        })
    ));
}

#[test]
fn second_port_reset_when_asked() {
    let mut device = FakeDevice::new(&KEYBOARD_DEVICE, &[&KEYBOARD_CONFIGURATION], &[]);
    let settings = EnumerationSettings {
        reset_after_first_descriptor: true,
        ..EnumerationSettings::default()
    };
    done(run(&mut device, settings, Speed::Full));

    let mut enumerator = Enumerator::new(3, Speed::Full, settings);
    enumerator.start(0);
    assert_eq!(
        enumerator.transfer_complete(Ok(&KEYBOARD_DEVICE[..8]), 1),
        Step::ResetPort
    );
    assert_eq!(enumerator.stage(), Stage::PortReset);
    // A transfer result while waiting for the reset is a protocol error.
    assert_eq!(
        enumerator.transfer_complete(Ok(&[]), 2),
        Step::Failed(EnumerationError::NotWaiting)
    );
}

#[test]
fn deadline_ends_a_slow_enumeration() {
    let mut enumerator = Enumerator::new(3, Speed::Full, EnumerationSettings::default());
    enumerator.start(100);
    assert_eq!(enumerator.check_deadline(5100), None);
    assert_eq!(
        enumerator.check_deadline(5101),
        Some(Step::Failed(EnumerationError::DeadlineExceeded {
            stage: Stage::DevicePrefix
        }))
    );
    assert_eq!(enumerator.check_deadline(9999), None, "already finished");

    let mut enumerator = Enumerator::new(3, Speed::Full, EnumerationSettings::default());
    enumerator.start(0);
    assert!(matches!(
        enumerator.transfer_complete(Ok(&KEYBOARD_DEVICE[..8]), 6000),
        Step::Failed(EnumerationError::DeadlineExceeded { .. })
    ));

    let unlimited = EnumerationSettings {
        deadline_ms: 0,
        ..EnumerationSettings::default()
    };
    let mut enumerator = Enumerator::new(3, Speed::Full, unlimited);
    enumerator.start(0);
    assert_eq!(enumerator.check_deadline(u64::MAX), None);
}

#[test]
fn results_after_the_end_are_refused() {
    let mut device = FakeDevice::new(&HUB_DEVICE, &[&HUB_CONFIGURATION], &[]);
    let mut enumerator = Enumerator::new(4, Speed::Full, EnumerationSettings::default());
    let mut step = enumerator.start(0);
    while let Step::Control(transfer) = step {
        let result = device.perform(&transfer);
        step = enumerator.transfer_complete(borrow(&result), 1);
    }
    assert!(matches!(step, Step::Done(_)));
    assert_eq!(
        enumerator.transfer_complete(Ok(&[]), 2),
        Step::Failed(EnumerationError::NotWaiting)
    );
    assert_eq!(
        enumerator.reset_complete(2),
        Step::Failed(EnumerationError::NotWaiting)
    );
}

#[test]
fn custom_chooser() {
    fn rndis_please(_: &DeviceDescriptor, configurations: &[Configuration]) -> Option<usize> {
        configurations
            .iter()
            .position(|c| c.network_function(NetworkKind::Rndis).is_some())
    }
    fn none(_: &DeviceDescriptor, _: &[Configuration]) -> Option<usize> {
        None
    }
    let mut device = FakeDevice::new(
        &NET_DEVICE,
        &[&NET_RNDIS_CONFIGURATION, &NET_ECM_CONFIGURATION],
        &[],
    );
    let settings = EnumerationSettings {
        choose_configuration: rndis_please,
        ..EnumerationSettings::default()
    };
    let enumerated = done(run(&mut device, settings, Speed::Full));
    assert_eq!(enumerated.active_configuration, 0);
    assert_eq!(device.configured, Some(2));

    let mut device = FakeDevice::new(&NET_DEVICE, &[&NET_RNDIS_CONFIGURATION], &[]);
    let settings = EnumerationSettings {
        choose_configuration: none,
        ..EnumerationSettings::default()
    };
    assert_eq!(
        run(&mut device, settings, Speed::Full),
        Step::Failed(EnumerationError::NoConfigurationChosen)
    );
}

#[test]
fn default_choice_prefers_known_classes() {
    let device = DeviceDescriptor::parse(&NET_DEVICE).unwrap();
    let rndis = Configuration::parse(&NET_RNDIS_CONFIGURATION).unwrap();
    let ecm = Configuration::parse(&NET_ECM_CONFIGURATION).unwrap();
    let keyboard = Configuration::parse(&KEYBOARD_CONFIGURATION).unwrap();
    assert_eq!(default_configuration_choice(&device, &[]), None);
    assert_eq!(
        default_configuration_choice(&device, std::slice::from_ref(&rndis)),
        Some(0)
    );
    assert_eq!(
        default_configuration_choice(&device, &[rndis.clone(), ecm.clone()]),
        Some(1)
    );
    assert_eq!(
        default_configuration_choice(&device, &[ecm, keyboard]),
        Some(0),
        "first on ties"
    );
}

#[test]
fn an_unreadable_later_configuration_is_left_out() {
    // The device claims two configurations but stalls the second.
    let mut device = FakeDevice::new(&NET_DEVICE, &[&NET_ECM_CONFIGURATION], &[]);
    let enumerated = done(run(
        &mut device,
        EnumerationSettings::default(),
        Speed::Full,
    ));
    assert_eq!(enumerated.configurations.len(), 1);
    assert_eq!(device.configured, Some(1));
    // But the first one must be readable.
    let mut device = FakeDevice::new(&NET_DEVICE, &[], &[]);
    assert_eq!(
        run(&mut device, EnumerationSettings::default(), Speed::Full),
        Step::Failed(EnumerationError::Transfer {
            stage: Stage::ConfigurationHeader(0),
            error: TransferError::Stall
        })
    );
}

#[test]
fn max_configurations_bounds_the_reads() {
    let mut device = FakeDevice::new(
        &NET_DEVICE,
        &[&NET_RNDIS_CONFIGURATION, &NET_ECM_CONFIGURATION],
        &[],
    );
    let settings = EnumerationSettings {
        max_configurations: 1,
        ..EnumerationSettings::default()
    };
    let enumerated = done(run(&mut device, settings, Speed::Full));
    assert_eq!(enumerated.configurations.len(), 1);
    assert_eq!(device.configured, Some(2));
}

#[test]
fn errors_display() {
    let text = EnumerationError::Transfer {
        stage: Stage::SetAddress,
        error: TransferError::Stall,
    }
    .to_string();
    assert!(text.contains("SetAddress") && text.contains("Stall"));
}
