//! The CDC-ECM (USB Ethernet) driver: brings the data interface up, learns the MAC address,
//! then moves frames between the bulk endpoints and the network stack's queues (`crate::net`).
//!
//! QEMU's `usb-net` offers CDC-ECM; real boards' adapters mostly do too. One task receives
//! (a bulk IN transfer always waiting), one sends what the stack queued.
use usbproto::{
    parse_mac_address, parse_string, request::packet_filter, SetupPacket, TransferError,
};

use super::{
    attached,
    executor::{poll_until, sleep_ms},
    host::{self, Endpoint, Route},
    log, Attached,
};
use crate::time::now_micros;

/// Runs one adapter until it goes away.
pub async fn run(adapter: Attached) {
    let Attached { id, route, device } = adapter;
    let max_packet = device.device.max_packet_size0;
    let Some(function) = device.configuration().and_then(|c| c.ecm()) else {
        return;
    };
    let setup =
        SetupPacket::set_interface(function.data_interface, function.data_alternate_setting);
    if let Err(error) = host::control(route, max_packet, setup, &mut []).await {
        log(format!(
            "network {}: SET_INTERFACE failed ({error:?})",
            route.address
        ));
        return;
    }
    let language = device
        .languages
        .first()
        .copied()
        .unwrap_or(usbproto::LANGUAGE_ENGLISH_US);
    let mut text = [0u8; 64];
    let mac = match function.ethernet {
        Some(ethernet) if ethernet.mac_address_index != 0 => {
            let setup =
                SetupPacket::get_string_descriptor(ethernet.mac_address_index, language, 64);
            match host::control(route, max_packet, setup, &mut text).await {
                Ok(count) => parse_string(&text[..count])
                    .ok()
                    .and_then(|string| parse_mac_address(&string)),
                Err(_) => None,
            }
        }
        _ => None,
    }
    // A locally administered address if the adapter names none.
    .unwrap_or([0x02, 0x50, 0x49, 0x50, 0x59, route.address]);
    let filter = packet_filter::DIRECTED | packet_filter::BROADCAST | packet_filter::ALL_MULTICAST;
    let setup = SetupPacket::set_ethernet_packet_filter(function.control_interface, filter);
    // Optional for ECM devices: a STALL here is not an error.
    let _ = host::control(route, max_packet, setup, &mut []).await;
    let frame_limit = usize::from(function.max_segment_size()).min(host::BUFFER_SIZE);
    log(format!(
        "network {}: CDC-ECM, MAC {}",
        route.address,
        crate::net::format_mac(&mac)
    ));
    let link = crate::net::link_up(mac);
    let receive_endpoint = Endpoint::new(&function.bulk_in, 2);
    let send_endpoint = Endpoint::new(&function.bulk_out, 2);
    super::executor::spawn(send_frames(id, route, max_packet, send_endpoint, link));
    receive_frames(id, route, max_packet, receive_endpoint, frame_limit, link).await;
    crate::net::link_down(link);
}

/// Receives frames into the stack's queue until the adapter goes away.
async fn receive_frames(
    id: u32,
    route: Route,
    max_packet0: u8,
    mut endpoint: Endpoint,
    frame_limit: usize,
    link: u32,
) {
    // Whole packets: round the frame size up to the packet size.
    let max_packet = usize::from(endpoint.max_packet.max(1));
    let length = frame_limit.div_ceil(max_packet) * max_packet;
    let mut frame = std::vec![0u8; length.min(host::BUFFER_SIZE)];
    let mut errors = 0;
    while attached(id) && crate::net::link_is(link) {
        match host::transfer_in(route, &mut endpoint, &mut frame).await {
            Ok(Some(count)) if count > 0 => {
                errors = 0;
                crate::net::frame_received(&frame[..count]);
            }
            Ok(_) | Err(TransferError::Timeout) => errors = 0,
            Err(TransferError::Stall) => {
                let address = 0x80 | endpoint.number;
                host::clear_halt(route, max_packet0, &mut endpoint, address).await;
            }
            Err(error) => {
                errors += 1;
                if errors >= host::GIVE_UP_AFTER {
                    log(format!(
                        "network {}: not answering ({error:?})",
                        route.address
                    ));
                    return;
                }
                sleep_ms(10).await;
            }
        }
    }
}

/// Sends the frames the stack queued until the adapter goes away.
async fn send_frames(id: u32, route: Route, max_packet0: u8, mut endpoint: Endpoint, link: u32) {
    while attached(id) && crate::net::link_is(link) {
        let frame = poll_until(crate::net::take_frame_to_send, now_micros() + 1_000_000).await;
        let Some(frame) = frame else { continue };
        if let Err(error) = host::transfer_out(route, &mut endpoint, &frame).await {
            crate::net::count_send_error();
            if error == TransferError::Stall {
                let address = endpoint.number;
                host::clear_halt(route, max_packet0, &mut endpoint, address).await;
            }
        }
    }
}
