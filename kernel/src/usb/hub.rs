//! The hub class driver: powers the ports, watches the status-change endpoint, and resets and
//! enumerates what is plugged in (and detaches what is pulled out).
use usbproto::{
    HubDescriptor, PortFeature, PortStatus, SetupPacket, Speed, StatusChangeBitmap, TransferError,
};

use super::{
    attach, attached, detach,
    executor::sleep_ms,
    host::{self, Endpoint, Route},
    log, Attached,
};
use crate::time::now_micros;

/// Polls of the status endpoint are at least this far apart (ms), and at most this far,
/// whatever the hub's interval says (QEMU's hub asks for 255 ms: a device plugged in would
/// wait that long to be noticed; a poll costs about a thousand instructions).
const MIN_POLL_MS: u64 = 16;
const MAX_POLL_MS: u64 = 32;

/// Runs one hub until it goes away.
pub async fn run(hub: Attached) {
    let Attached { id, route, device } = hub;
    let max_packet = device.device.max_packet_size0;
    let Some(interface) = device.configuration().and_then(|c| c.hub()) else {
        return;
    };
    let Some(status_endpoint) = interface.interrupt_in() else {
        log(format!("hub {}: no status endpoint", route.address));
        return;
    };
    let interval_ms = host::poll_interval_ms(
        status_endpoint,
        route.speed,
        MIN_POLL_MS,
        MIN_POLL_MS,
        MAX_POLL_MS,
    );
    let mut endpoint = Endpoint::new(status_endpoint, 3);
    let mut buffer = [0u8; HubDescriptor::MAX_LENGTH as usize];
    let descriptor = match host::control(
        route,
        max_packet,
        SetupPacket::get_hub_descriptor(HubDescriptor::MAX_LENGTH),
        &mut buffer,
    )
    .await
    .map_err(|error| format!("{error:?}"))
    .and_then(|count| HubDescriptor::parse(&buffer[..count]).map_err(|error| error.to_string()))
    {
        Ok(descriptor) => descriptor,
        Err(error) => {
            log(format!(
                "hub {}: no hub descriptor ({error})",
                route.address
            ));
            return;
        }
    };
    let ports = descriptor.port_count;
    for port in 1..=ports {
        let _ = host::control(
            route,
            max_packet,
            SetupPacket::set_port_feature(port, PortFeature::Power),
            &mut [],
        )
        .await;
    }
    sleep_ms(u64::from(descriptor.power_on_to_good_milliseconds()).max(20)).await;
    log(format!("hub {}: {ports} ports", route.address));
    let mut children: Vec<Option<u32>> = std::vec![None; usize::from(ports) + 1];
    let mut errors = 0;
    let length = descriptor.status_change_length().min(buffer.len());
    while attached(id) {
        match host::transfer_in(route, &mut endpoint, &mut buffer[..length]).await {
            Ok(Some(count)) => {
                errors = 0;
                let changed: Vec<u8> = StatusChangeBitmap::new(&buffer[..count])
                    .changed_ports(ports)
                    .collect();
                for port in changed {
                    port_changed(route, max_packet, id, port, &mut children).await;
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
                        "hub {}: not answering ({error:?}), ignored",
                        route.address
                    ));
                    return;
                }
            }
        }
        sleep_ms(interval_ms).await;
    }
}

/// Reads a port's status and clears its change bits.
async fn port_status(route: Route, max_packet: u8, port: u8) -> Option<PortStatus> {
    let mut bytes = [0u8; 4];
    let count = host::control(
        route,
        max_packet,
        SetupPacket::get_port_status(port),
        &mut bytes,
    )
    .await
    .ok()?;
    let status = PortStatus::parse(&bytes[..count]).ok()?;
    for feature in status.changes_to_clear() {
        let _ = host::control(
            route,
            max_packet,
            SetupPacket::clear_port_feature(port, feature),
            &mut [],
        )
        .await;
    }
    Some(status)
}

/// Handles a change on `port`: a device left and/or a device arrived.
async fn port_changed(
    route: Route,
    max_packet: u8,
    hub_id: u32,
    port: u8,
    children: &mut [Option<u32>],
) {
    let Some(status) = port_status(route, max_packet, port).await else {
        return;
    };
    if !status.connection_changed() {
        return;
    }
    let slot = usize::from(port);
    if let Some(child) = children.get_mut(slot).and_then(Option::take) {
        detach(child);
    }
    if !status.connected() {
        log(format!("hub {} port {port}: disconnected", route.address));
        return;
    }
    // Debounce, then reset the port and wait for the reset to end.
    sleep_ms(100).await;
    let reset = SetupPacket::set_port_feature(port, PortFeature::Reset);
    if host::control(route, max_packet, reset, &mut [])
        .await
        .is_err()
    {
        return;
    }
    let deadline = now_micros() + 500_000;
    let status = loop {
        sleep_ms(10).await;
        match port_status(route, max_packet, port).await {
            Some(status) if status.reset_changed() || (!status.resetting() && status.enabled()) => {
                break Some(status)
            }
            _ if now_micros() > deadline => break None,
            _ => {}
        }
    };
    let Some(status) = status.filter(PortStatus::enabled) else {
        log(format!("hub {} port {port}: reset failed", route.address));
        return;
    };
    sleep_ms(10).await;
    let speed = status.speed();
    // A full/low-speed device behind a high-speed hub talks through its translator.
    let translator = if route.speed == Speed::High && speed != Speed::High {
        Some((route.address, port))
    } else {
        route.translator
    };
    if let Some(child) = children.get_mut(slot) {
        *child = attach(speed, translator, Some((hub_id, port))).await;
    }
}
