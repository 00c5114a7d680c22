//! The network stack: smoltcp over the USB Ethernet driver's frame queues, with DHCP.
//!
//! A link driver (`usb/net.rs`) calls [`link_up`] with its MAC address, pushes received frames
//! with [`frame_received`] and sends what [`take_frame_to_send`] gives it. The stack itself is
//! one task of the USB executor: it polls smoltcp whenever a frame arrived or smoltcp's own
//! next deadline passed, and applies DHCP leases. The TCP sockets Python uses are in [`tcp`].
pub mod tcp;

use std::collections::VecDeque;

use core::sync::atomic::{AtomicU32, Ordering};

use smoltcp::{
    iface::{Config, Interface, SocketSet},
    phy::{self, DeviceCapabilities, Medium},
    socket::dhcpv4,
    time::Instant,
    wire::{EthernetAddress, HardwareAddress, IpCidr, Ipv4Address},
};

use crate::{
    sync::IrqLock,
    time::now_micros,
    usb::{
        executor::{poll_until, spawn},
        log,
    },
};

/// Frames waiting in each direction at most (more are dropped and counted).
const QUEUE_FRAMES: usize = 32;

static RECEIVED: IrqLock<VecDeque<Vec<u8>>> = IrqLock::new(VecDeque::new());
static TO_SEND: IrqLock<VecDeque<Vec<u8>>> = IrqLock::new(VecDeque::new());

/// The current link: a number that changes with every `link_up`/`link_down` (0: none).
static LINK: AtomicU32 = AtomicU32::new(0);
static NEXT_LINK: AtomicU32 = AtomicU32::new(1);

/// What the interface is configured with (for `network.LAN().ifconfig()`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Addresses {
    /// The MAC address.
    pub mac: [u8; 6],
    /// Address and prefix length, once configured.
    pub address: Option<([u8; 4], u8)>,
    /// The default gateway.
    pub gateway: Option<[u8; 4]>,
    /// The first DNS server.
    pub dns: Option<[u8; 4]>,
    /// Configured by DHCP (rather than statically).
    pub dhcp: bool,
}

static ADDRESSES: IrqLock<Option<Addresses>> = IrqLock::new(None);

/// Counters: frames in and out, frames dropped, send errors.
pub struct Counters {
    /// Frames received.
    pub received: AtomicU32,
    /// Frames sent.
    pub sent: AtomicU32,
    /// Frames dropped because a queue was full.
    pub dropped: AtomicU32,
    /// Frames the link failed to send.
    pub send_errors: AtomicU32,
}

/// The stack's counters.
pub static COUNTERS: Counters = Counters {
    received: AtomicU32::new(0),
    sent: AtomicU32::new(0),
    dropped: AtomicU32::new(0),
    send_errors: AtomicU32::new(0),
};

/// `aa:bb:cc:dd:ee:ff`.
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|byte| format!("{byte:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A link came up with `mac`: starts the stack on it. Returns the link's number.
pub fn link_up(mac: [u8; 6]) -> u32 {
    let link = NEXT_LINK.fetch_add(1, Ordering::Relaxed);
    LINK.store(link, Ordering::Release);
    RECEIVED.lock(VecDeque::clear);
    TO_SEND.lock(VecDeque::clear);
    ADDRESSES.lock(|addresses| {
        *addresses = Some(Addresses {
            mac,
            ..Addresses::default()
        })
    });
    spawn(stack(link, mac));
    link
}

/// The link went away.
pub fn link_down(link: u32) {
    if LINK
        .compare_exchange(link, 0, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        ADDRESSES.lock(|addresses| *addresses = None);
        log("network: link down".to_owned());
    }
}

/// Whether `link` is still the current link.
pub fn link_is(link: u32) -> bool {
    LINK.load(Ordering::Acquire) == link
}

/// The interface's addresses, if a link is up.
pub fn addresses() -> Option<Addresses> {
    ADDRESSES.lock(|addresses| *addresses)
}

/// A frame from the link.
pub fn frame_received(frame: &[u8]) {
    COUNTERS.received.fetch_add(1, Ordering::Relaxed);
    RECEIVED.lock(|queue| {
        if queue.len() >= QUEUE_FRAMES {
            COUNTERS.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            queue.push_back(frame.to_vec());
        }
    });
}

/// The next frame the stack wants sent.
pub fn take_frame_to_send() -> Option<Vec<u8>> {
    TO_SEND.lock(VecDeque::pop_front)
}

/// Counts a frame the link could not send.
pub fn count_send_error() {
    COUNTERS.send_errors.fetch_add(1, Ordering::Relaxed);
}

/// smoltcp's view of the link: the two queues.
struct QueueDevice;

/// A received frame.
struct Received(Vec<u8>);

/// Room for a frame to send.
struct Send;

impl phy::RxToken for Received {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Send {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, length: usize, f: F) -> R {
        let mut frame = vec![0u8; length];
        let result = f(&mut frame);
        TO_SEND.lock(|queue| {
            if queue.len() >= QUEUE_FRAMES {
                COUNTERS.dropped.fetch_add(1, Ordering::Relaxed);
            } else {
                queue.push_back(frame);
                COUNTERS.sent.fetch_add(1, Ordering::Relaxed);
            }
        });
        result
    }
}

impl phy::Device for QueueDevice {
    type RxToken<'a> = Received;
    type TxToken<'a> = Send;

    fn receive(&mut self, _timestamp: Instant) -> Option<(Received, Send)> {
        RECEIVED
            .lock(VecDeque::pop_front)
            .map(|frame| (Received(frame), Send))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<Send> {
        Some(Send)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut capabilities = DeviceCapabilities::default();
        capabilities.medium = Medium::Ethernet;
        capabilities.max_transmission_unit = 1514;
        capabilities
    }
}

fn now() -> Instant {
    Instant::from_micros(now_micros() as i64)
}

/// The interface and its sockets, shared by the stack task and the Python context.
pub struct Stack {
    /// The smoltcp interface.
    pub interface: Interface,
    /// Every socket (DHCP and the TCP table's).
    pub sockets: SocketSet<'static>,
    /// The TCP sockets Python holds.
    pub tcp: tcp::Table,
    /// The link it runs on.
    link: u32,
}

static STACK: IrqLock<Option<Stack>> = IrqLock::new(None);

/// Runs `f` on the stack, if a link is up, then lets the stack task act on what changed.
pub fn with_stack<R>(f: impl FnOnce(&mut Stack) -> R) -> Option<R> {
    let result = STACK.lock(|stack| stack.as_mut().map(f));
    crate::usb::executor::run();
    result
}

/// The stack on one link: polls smoltcp and keeps the DHCP lease until the link goes.
async fn stack(link: u32, mac: [u8; 6]) {
    let mut device = QueueDevice;
    let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
    let mut seed = [0u8; 8];
    crate::drivers::interface::EntropySource::fill(&crate::bsp::rpi1::RNG, &mut seed);
    config.random_seed = u64::from_le_bytes(seed);
    let interface = Interface::new(config, &mut device, now());
    let mut sockets = SocketSet::new(Vec::new());
    let dhcp = sockets.add(dhcpv4::Socket::new());
    STACK.lock(|stack| {
        *stack = Some(Stack {
            interface,
            sockets,
            tcp: tcp::Table::default(),
            link,
        })
    });
    while link_is(link) {
        let delay = STACK.lock(|stack| {
            let stack = stack.as_mut().filter(|stack| stack.link == link)?;
            stack.interface.poll(now(), &mut device, &mut stack.sockets);
            if let Some(event) = stack.sockets.get_mut::<dhcpv4::Socket>(dhcp).poll() {
                apply_dhcp(&mut stack.interface, event);
            }
            stack.tcp.refill_listeners(&mut stack.sockets);
            // Until smoltcp's next deadline (at most a second), or a frame arrives.
            Some(
                stack
                    .interface
                    .poll_delay(now(), &stack.sockets)
                    .map_or(1_000_000, |delay| delay.total_micros().min(1_000_000)),
            )
        });
        let Some(delay) = delay else { break };
        let _ = poll_until(
            || (RECEIVED.lock(|queue| !queue.is_empty()) || !link_is(link)).then_some(()),
            now_micros() + delay,
        )
        .await;
    }
    STACK.lock(|stack| {
        if stack.as_ref().is_some_and(|stack| stack.link == link) {
            *stack = None;
        }
    });
}

/// Applies a DHCP lease (or its loss) to the interface and the address record.
fn apply_dhcp(interface: &mut Interface, event: dhcpv4::Event<'_>) {
    match event {
        dhcpv4::Event::Configured(lease) => {
            let address = lease.address;
            interface.update_ip_addrs(|addresses| {
                addresses.clear();
                let _ = addresses.push(IpCidr::Ipv4(address));
            });
            interface.routes_mut().remove_default_ipv4_route();
            if let Some(router) = lease.router {
                let _ = interface.routes_mut().add_default_ipv4_route(router);
            }
            let octets = |ip: Ipv4Address| ip.octets();
            ADDRESSES.lock(|addresses| {
                if let Some(addresses) = addresses {
                    addresses.address = Some((octets(address.address()), address.prefix_len()));
                    addresses.gateway = lease.router.map(octets);
                    addresses.dns = lease.dns_servers.first().copied().map(octets);
                    addresses.dhcp = true;
                }
            });
            log(format!(
                "network: DHCP lease {address}{}",
                lease
                    .router
                    .map_or(String::new(), |router| format!(", gateway {router}"))
            ));
        }
        dhcpv4::Event::Deconfigured => {
            interface.update_ip_addrs(|addresses| addresses.clear());
            interface.routes_mut().remove_default_ipv4_route();
            ADDRESSES.lock(|addresses| {
                if let Some(addresses) = addresses {
                    addresses.address = None;
                    addresses.gateway = None;
                    addresses.dhcp = false;
                }
            });
            log("network: DHCP lease lost".to_owned());
        }
    }
}

/// The netmask of a prefix length.
pub fn netmask(prefix: u8) -> [u8; 4] {
    let bits = u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0);
    bits.to_be_bytes()
}
