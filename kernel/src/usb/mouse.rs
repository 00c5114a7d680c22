//! The HID boot-mouse driver: polls the mouse and keeps its position, buttons and wheel for
//! `usb.mouse()`.
use usbproto::{request::HidProtocol, MouseReport, SetupPacket, TransferError};

use super::{
    attached,
    executor::sleep_ms,
    host::{self, Endpoint},
    log, Attached,
};
use crate::sync::IrqLock;

/// The pointer: position (summed motion, from 0, 0 at boot), buttons down, wheel detents, and
/// the reports seen.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pointer {
    /// Summed motion to the right.
    pub x: i32,
    /// Summed motion downwards.
    pub y: i32,
    /// Buttons down (bit 0 left, 1 right, 2 middle).
    pub buttons: u8,
    /// Summed wheel detents (positive away from the user).
    pub wheel: i32,
    /// Reports received.
    pub reports: u32,
}

static POINTER: IrqLock<Pointer> = IrqLock::new(Pointer {
    x: 0,
    y: 0,
    buttons: 0,
    wheel: 0,
    reports: 0,
});

/// The pointer's state.
pub fn pointer() -> Pointer {
    POINTER.lock(|pointer| *pointer)
}

/// Runs one mouse until it goes away.
pub async fn run(mouse: Attached) {
    let Attached { id, route, device } = mouse;
    let max_packet = device.device.max_packet_size0;
    let Some(interface) = device.configuration().and_then(|c| c.boot_mouse()) else {
        return;
    };
    let number = interface.descriptor.number;
    let Some(report_endpoint) = interface.interrupt_in() else {
        log(format!("mouse {}: no interrupt endpoint", route.address));
        return;
    };
    let interval_ms = host::poll_interval_ms(report_endpoint, route.speed, 10, 4, 20);
    let mut endpoint = Endpoint::new(report_endpoint, 3);
    let setup = SetupPacket::set_protocol(number, HidProtocol::Boot);
    let _ = host::control(route, max_packet, setup, &mut []).await;
    let setup = SetupPacket::set_idle(number, 0, 0);
    let _ = host::control(route, max_packet, setup, &mut []).await;
    let mut report = [0u8; 8];
    let mut errors = 0;
    while attached(id) {
        match host::transfer_in(route, &mut endpoint, &mut report).await {
            Ok(Some(count)) => {
                errors = 0;
                if let Ok(report) = MouseReport::parse(&report[..count]) {
                    POINTER.lock(|pointer| {
                        pointer.x = pointer.x.saturating_add(i32::from(report.dx));
                        pointer.y = pointer.y.saturating_add(i32::from(report.dy));
                        pointer.wheel = pointer.wheel.saturating_add(i32::from(report.wheel));
                        pointer.buttons = report.buttons.0;
                        pointer.reports = pointer.reports.wrapping_add(1);
                    });
                }
            }
            Ok(None) => errors = 0,
            Err(TransferError::Stall) => {
                let address = 0x80 | endpoint.number;
                host::clear_halt(route, max_packet, &mut endpoint, address).await;
            }
            Err(error) => {
                errors += 1;
                if errors >= host::GIVE_UP_AFTER {
                    log(format!(
                        "mouse {}: not answering ({error:?})",
                        route.address
                    ));
                    return;
                }
            }
        }
        sleep_ms(interval_ms).await;
    }
    POINTER.lock(|pointer| pointer.buttons = 0);
}
