//! The USB host stack: the DWC2 root port, enumeration, the device table and the class drivers.
//!
//! Layers: `drivers/bcm2835_usb.rs` (registers, channels) → [`host`] (control, interrupt and
//! bulk transfers as `async` functions) → this module (addresses, enumeration with
//! `usbproto::Enumerator`, the device table, hot-plug) → one file per class driver ([`hub`],
//! [`keyboard`], [`mouse`], [`net`]). Everything runs as tasks of [`executor`], polled from the USB interrupt and
//! the deadline queue: nothing here ever makes the Python context wait. A class driver is an
//! `async fn(Attached)` added to [`driver_for`]; a misbehaving device is logged and left alone.
pub mod executor;
pub mod host;
pub mod hub;
pub mod keyboard;
pub mod mouse;
pub mod net;

use std::collections::VecDeque;

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use usbproto::{EnumeratedDevice, EnumerationSettings, Enumerator, Speed, Step};

use self::{
    executor::{poll_until, sleep_ms},
    host::Route,
};
use crate::{bsp::rpi1::USB, sync::IrqLock, time::now_micros};

/// What the device table keeps of an attached device (for `usb.devices()`).
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    /// Unique for this boot (addresses are reused).
    pub id: u32,
    /// The device's address.
    pub address: u8,
    /// Its speed.
    pub speed: Speed,
    /// `(hub device id, port)`, or `None` on the root port.
    pub parent: Option<(u32, u8)>,
    /// `idVendor`, `idProduct`.
    pub vendor_id: u16,
    /// See `vendor_id`.
    pub product_id: u16,
    /// Device class, subclass and protocol (or the first interface's, for class 0).
    pub class: (u8, u8, u8),
    /// Strings the device gave.
    pub manufacturer: Option<String>,
    /// See `manufacturer`.
    pub product: Option<String>,
    /// The driver bound to it (`hub`, `keyboard`, `mouse`, `net` or `none`).
    pub driver: &'static str,
    /// Enumeration took this long (µs).
    pub enumeration_us: u64,
    /// Attached at (µs since boot).
    pub attached_at_us: u64,
}

static DEVICES: IrqLock<Vec<DeviceInfo>> = IrqLock::new(Vec::new());
/// Addresses 1..=127 in use (bit n: address n).
static ADDRESSES: IrqLock<u128> = IrqLock::new(1);
static NEXT_ID: AtomicU32 = AtomicU32::new(1);
/// When the stack started (µs since boot); 0 if it did not.
static STARTED_US: AtomicU64 = AtomicU64::new(0);

/// Lines `usb.log()` returns: attach, detach, errors.
const LOG_LINES: usize = 64;
static LOG: IrqLock<VecDeque<String>> = IrqLock::new(VecDeque::new());

/// Adds a line to the USB log (the oldest goes when it is full).
pub fn log(line: String) {
    let stamped = format!("{:>10.3} {line}", now_micros() as f64 / 1e6);
    LOG.lock(|log| {
        if log.len() == LOG_LINES {
            log.pop_front();
        }
        log.push_back(stamped);
    });
}

/// The USB log.
pub fn log_lines() -> Vec<String> {
    LOG.lock(|log| log.iter().cloned().collect())
}

/// The attached devices.
pub fn devices() -> Vec<DeviceInfo> {
    DEVICES.lock(|devices| devices.clone())
}

/// Whether device `id` is still attached.
pub fn attached(id: u32) -> bool {
    DEVICES.lock(|devices| devices.iter().any(|device| device.id == id))
}

/// When the stack started, if it did.
pub fn started_us() -> Option<u64> {
    Some(STARTED_US.load(Ordering::Relaxed)).filter(|&at| at != 0)
}

/// Milliseconds since boot (the clock `usbproto` counts in).
pub fn now_ms() -> u64 {
    now_micros() / 1_000
}

fn allocate_address() -> Option<u8> {
    ADDRESSES.lock(|used| {
        let free = (!*used).trailing_zeros();
        (free < 128).then(|| {
            *used |= 1 << free;
            free as u8
        })
    })
}

fn release_address(address: u8) {
    ADDRESSES.lock(|used| *used &= !(1u128 << address));
}

/// Removes device `id` and everything behind it from the table; their tasks notice and end.
pub fn detach(id: u32) {
    let mut removed = Vec::new();
    DEVICES.lock(|devices| {
        let mut gone = std::vec![id];
        while let Some(next) = gone.pop() {
            devices.retain(|device| {
                let behind = device.parent.is_some_and(|(hub, _)| hub == next);
                if device.id == next || behind {
                    if behind {
                        gone.push(device.id);
                    }
                    removed.push((device.address, device.driver, device.product.clone()));
                    false
                } else {
                    true
                }
            });
        }
    });
    for (address, driver, product) in removed {
        release_address(address);
        log(format!(
            "device {address} ({}, {driver}) detached",
            product.as_deref().unwrap_or("?")
        ));
    }
}

/// An enumerated device handed to its class driver.
pub struct Attached {
    /// Its table id.
    pub id: u32,
    /// How to reach it.
    pub route: Route,
    /// What enumeration learnt.
    pub device: EnumeratedDevice,
}

/// Enumerates a device that was just reset on a port, enters it in the table and starts its
/// driver. Returns its id, or `None` (logged) if it did not enumerate.
pub async fn attach(
    speed: Speed,
    translator: Option<(u8, u8)>,
    parent: Option<(u32, u8)>,
) -> Option<u32> {
    let started = now_micros();
    let Some(address) = allocate_address() else {
        log("no free USB address: device ignored".to_string());
        return None;
    };
    let settings = EnumerationSettings::default();
    let mut enumerator = Enumerator::new(address, speed, settings);
    let mut step = enumerator.start(now_ms());
    let mut buffer = std::vec![0u8; host::BUFFER_SIZE];
    let device = loop {
        step = match step {
            Step::Control(transfer) => {
                if transfer.delay_before_ms > 0 {
                    sleep_ms(u64::from(transfer.delay_before_ms)).await;
                }
                let route = Route {
                    address: transfer.address,
                    speed,
                    translator,
                };
                let mut setup = transfer.setup;
                setup.length = setup.length.min(host::BUFFER_SIZE as u16);
                let result =
                    host::control(route, transfer.max_packet_size, setup, &mut buffer).await;
                enumerator.transfer_complete(result.map(|count| &buffer[..count]), now_ms())
            }
            // Not asked for with the default settings; the port was reset just before.
            Step::ResetPort => enumerator.reset_complete(now_ms()),
            Step::Done(device) => break device,
            Step::Failed(error) => {
                release_address(address);
                log(format!(
                    "a {speed:?}-speed device did not enumerate: {error:?}"
                ));
                return None;
            }
        };
    };
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let route = Route {
        address,
        speed,
        translator,
    };
    let configuration = device.configuration();
    let (driver, task) = driver_for(&device);
    let class = if device.device.class != 0 {
        (
            device.device.class,
            device.device.subclass,
            device.device.protocol,
        )
    } else {
        configuration
            .and_then(|configuration| configuration.interfaces.first())
            .map_or((0, 0, 0), |interface| {
                (
                    interface.descriptor.class,
                    interface.descriptor.subclass,
                    interface.descriptor.protocol,
                )
            })
    };
    let info = DeviceInfo {
        id,
        address,
        speed,
        parent,
        vendor_id: device.device.vendor_id,
        product_id: device.device.product_id,
        class,
        manufacturer: device.manufacturer.clone(),
        product: device.product.clone(),
        driver,
        enumeration_us: now_micros() - started,
        attached_at_us: now_micros(),
    };
    log(format!(
        "device {address}: {:04x}:{:04x} {} ({speed:?} speed, {driver})",
        info.vendor_id,
        info.product_id,
        info.product.as_deref().unwrap_or("?"),
    ));
    DEVICES.lock(|devices| devices.push(info));
    if let Some(task) = task {
        task(Attached { id, route, device });
    }
    Some(id)
}

/// A class driver's start function: spawns its task.
type DriverStart = fn(Attached);

/// Picks the class driver for a device: hub, boot keyboard, CDC-ECM, boot mouse, or none.
fn driver_for(device: &EnumeratedDevice) -> (&'static str, Option<DriverStart>) {
    let Some(configuration) = device.configuration() else {
        return ("none", None);
    };
    if configuration.hub().is_some() {
        ("hub", Some(|attached| executor::spawn(hub::run(attached))))
    } else if configuration.boot_keyboard().is_some() {
        (
            "keyboard",
            Some(|attached| executor::spawn(keyboard::run(attached))),
        )
    } else if configuration.ecm().is_some() {
        ("net", Some(|attached| executor::spawn(net::run(attached))))
    } else if configuration.boot_mouse().is_some() {
        (
            "mouse",
            Some(|attached| executor::spawn(mouse::run(attached))),
        )
    } else {
        ("none", None)
    }
}

/// The speed the root port reports.
fn root_speed(code: u32) -> Speed {
    match code {
        0 => Speed::High,
        2 => Speed::Low,
        _ => Speed::Full,
    }
}

/// The root port: waits for a device, resets the port, enumerates it, and waits for it to go.
async fn root_port() {
    loop {
        while poll_until(
            || USB.port().connected.then_some(()),
            now_micros() + 1_000_000,
        )
        .await
        .is_none()
        {}
        // Let the connection settle, then reset (USB 2.0: at least 10 ms, 50 ms for a root port).
        sleep_ms(100).await;
        USB.set_port_reset(true);
        sleep_ms(50).await;
        USB.set_port_reset(false);
        sleep_ms(20).await;
        let port = USB.port();
        if port.overcurrent {
            log("root port: over-current".to_string());
        }
        let device = if port.enabled {
            attach(root_speed(port.speed), None, None).await
        } else {
            log("root port did not enable after reset".to_string());
            None
        };
        while poll_until(
            || (!USB.port().connected).then_some(()),
            now_micros() + 1_000_000,
        )
        .await
        .is_none()
        {
            // A device that failed to enumerate stays ignored until it is unplugged.
        }
        log("root port: disconnected".to_string());
        if let Some(id) = device {
            detach(id);
        }
    }
}

/// Why USB did not start.
pub type StartError = crate::drivers::bcm2835_usb::Dwc2Error;

/// Starts the USB stack: the controller (powered on by the caller), its interrupt and the root
/// port's task. Devices are then found in the background.
pub fn start() -> Result<(), StartError> {
    USB.init(now_micros)?;
    STARTED_US.store(now_micros().max(1), Ordering::Relaxed);
    executor::spawn(root_port());
    USB.enable_interrupts();
    executor::run();
    Ok(())
}

/// Repeat settings from a delay and a rate per second (0: no repeat).
pub fn repeat_settings(delay_ms: u32, rate: u32) -> usbproto::keyboard::RepeatSettings {
    usbproto::keyboard::RepeatSettings {
        delay_ms,
        interval_ms: 1000u32
            .checked_div(rate)
            .map_or(0, |interval| interval.max(1)),
    }
}

/// Starts USB as the configuration says (`usb`, `keyboard_*` keys), reporting on the console
/// if it cannot.
pub fn start_from_config() {
    let config = crate::config::get();
    keyboard::set_settings(keyboard::Settings {
        layout: config.keyboard_layout,
        repeat: repeat_settings(config.keyboard_repeat_delay_ms, config.keyboard_repeat_rate),
    });
    if !config.usb {
        return;
    }
    if let Err(reason) = crate::bsp::rpi1::start_usb() {
        log(format!("not started: {reason}"));
        crate::console::write(format!("PiPyOS: no USB ({reason})\n").as_bytes());
    }
}

/// The USB interrupt: latch what the controller reports, then let the tasks look.
pub fn on_interrupt() {
    if USB.take_interrupts() {
        executor::run();
    }
}
