//! Transfers: control and interrupt/bulk transfers as `async` functions over the DWC2 channels.
//!
//! A transfer takes a free channel (waiting for one), copies its data through the channel's
//! cache-line aligned DMA buffer, starts the channel and waits for the halt the interrupt
//! latches, or for its timeout (then the channel is stopped). Transaction errors are retried,
//! STALL, babble and timeouts are reported as [`TransferError`]s, a NAK from a periodic
//! endpoint is "no data yet". Split transactions are used for full- and low-speed devices
//! behind a high-speed hub (never the case in QEMU, whose hubs are full speed).
use core::sync::atomic::{AtomicU32, Ordering};

use usbproto::{SetupPacket, Speed, TransferError};

use super::executor::{poll_until, sleep_until};
use crate::{
    arch::arm::mmu,
    bsp::rpi1::{memory::RAM_BUS_ALIAS, USB},
    drivers::bcm2835_usb::{halt, ChannelSetup, CHANNELS},
    sync::IrqLock,
    time::now_micros,
};

/// Bytes one transfer moves at most (a configuration descriptor, a network frame).
pub const BUFFER_SIZE: usize = 2048;

/// One channel's DMA buffer, on whole cache lines.
#[repr(C, align(32))]
struct DmaBuffer([u8; BUFFER_SIZE]);

static BUFFERS: [IrqLock<DmaBuffer>; CHANNELS] =
    [const { IrqLock::new(DmaBuffer([0; BUFFER_SIZE])) }; CHANNELS];

/// Channels in use, one bit each.
static IN_USE: AtomicU32 = AtomicU32::new(0);

/// Attempts for a transaction error before giving up.
const ATTEMPTS: usize = 3;
/// How long one stage of a control transfer may take.
const CONTROL_TIMEOUT_US: u64 = 500_000;
/// How long an interrupt or bulk poll may take.
const PERIODIC_TIMEOUT_US: u64 = 100_000;
/// Complete splits tried before a split transaction fails.
const COMPLETE_SPLIT_ATTEMPTS: usize = 64;

/// Counters for `usb.stats()`.
pub struct Counters {
    /// Transfers finished (any outcome).
    pub transfers: AtomicU32,
    /// NAKs from periodic endpoints (polls without data).
    pub naks: AtomicU32,
    /// STALL answers.
    pub stalls: AtomicU32,
    /// Transfers that timed out.
    pub timeouts: AtomicU32,
    /// Transaction errors (each attempt).
    pub transaction_errors: AtomicU32,
    /// Babble.
    pub babble: AtomicU32,
}

/// The transfer counters.
pub static COUNTERS: Counters = Counters {
    transfers: AtomicU32::new(0),
    naks: AtomicU32::new(0),
    stalls: AtomicU32::new(0),
    timeouts: AtomicU32::new(0),
    transaction_errors: AtomicU32::new(0),
    babble: AtomicU32::new(0),
};

/// Where a device is: its address, speed and, behind a high-speed hub, the translator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The device's address (0 while it is being enumerated).
    pub address: u8,
    /// Its speed.
    pub speed: Speed,
    /// `(hub address, port)` of the high-speed hub translating for a full/low-speed device.
    pub translator: Option<(u8, u8)>,
}

/// An endpoint other than endpoint 0, with its data toggle (its direction is the transfer's).
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// The endpoint number.
    pub number: u8,
    /// 2 bulk or 3 interrupt.
    pub kind: u8,
    /// Its maximum packet size.
    pub max_packet: u16,
    /// The next data PID is DATA1.
    pub toggle: bool,
}

impl Endpoint {
    /// The endpoint a descriptor describes, with its toggle at DATA0.
    pub fn new(descriptor: &usbproto::EndpointDescriptor, kind: u8) -> Self {
        Self {
            number: descriptor.number(),
            kind,
            max_packet: descriptor.max_packet_size(),
            toggle: false,
        }
    }
}

/// Errors in a row after which a class driver considers its device gone.
pub const GIVE_UP_AFTER: u32 = 8;

/// How often to poll an interrupt endpoint, in ms: its interval at `speed`, within
/// `minimum..=maximum` (`fallback` when the descriptor gives none).
pub fn poll_interval_ms(
    descriptor: &usbproto::EndpointDescriptor,
    speed: Speed,
    fallback: u64,
    minimum: u64,
    maximum: u64,
) -> u64 {
    descriptor
        .polling_interval_microseconds(speed)
        .map_or(fallback, |us| u64::from(us / 1_000).clamp(minimum, maximum))
}

/// A channel held for one transfer; released when dropped.
struct Channel(usize);

impl Drop for Channel {
    fn drop(&mut self) {
        IN_USE.fetch_and(!(1 << self.0), Ordering::AcqRel);
    }
}

/// Takes a free channel, waiting for one.
async fn channel() -> Channel {
    let take = || {
        let mut taken = None;
        let _ = IN_USE.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
            let free = (!used).trailing_zeros() as usize;
            if free < CHANNELS {
                taken = Some(free);
                Some(used | (1 << free))
            } else {
                None
            }
        });
        taken.map(Channel)
    };
    loop {
        if let Some(channel) = poll_until(take, now_micros() + 1_000_000).await {
            return channel;
        }
    }
}

/// How one channel operation ended.
enum Outcome {
    /// Bytes moved, packets moved.
    Done(usize, u32),
    /// A periodic endpoint had nothing.
    Nak,
}

/// What one channel operation is.
struct Operation<'a> {
    route: Route,
    endpoint: u8,
    kind: u8,
    direction_in: bool,
    max_packet: u16,
    pid: u8,
    /// OUT: the bytes to send. IN: `None`.
    out: Option<&'a [u8]>,
    /// IN: bytes to ask for.
    length: usize,
    timeout_us: u64,
}

/// Runs one operation on `channel`, retrying transaction errors; IN data lands in `into`.
async fn operate(
    channel: &Channel,
    operation: &Operation<'_>,
    into: &mut [u8],
) -> Result<Outcome, TransferError> {
    let index = channel.0;
    let length = operation
        .out
        .map_or(operation.length, <[u8]>::len)
        .min(BUFFER_SIZE);
    let dma_address = BUFFERS[index].lock(|buffer| {
        if let Some(out) = operation.out {
            buffer.0[..length].copy_from_slice(&out[..length]);
        }
        let start = buffer.0.as_ptr() as usize;
        // Write back what the CPU wrote, and leave no dirty line to be evicted over the data
        // the device writes.
        mmu::clean_data_cache_range(start, BUFFER_SIZE);
        start as u32 | RAM_BUS_ALIAS
    });
    let split = operation
        .route
        .translator
        .filter(|_| operation.route.speed != Speed::High);
    let mut errors = 0;
    let mut complete_split = false;
    let mut complete_attempts = 0;
    loop {
        let setup = ChannelSetup {
            device_address: operation.route.address,
            endpoint: operation.endpoint,
            direction_in: operation.direction_in,
            endpoint_type: operation.kind,
            max_packet: operation.max_packet,
            low_speed: operation.route.speed == Speed::Low,
            pid: operation.pid,
            length: length as u32,
            dma_address,
            split: split.map(|(hub, port)| (hub, port, complete_split)),
        };
        USB.start(index, &setup);
        let deadline = now_micros() + operation.timeout_us;
        let Some(bits) = poll_until(|| USB.take_halt(index), deadline).await else {
            USB.abort(index);
            let _ = poll_until(|| USB.take_halt(index), now_micros() + 10_000).await;
            COUNTERS.timeouts.fetch_add(1, Ordering::Relaxed);
            return Err(TransferError::Timeout);
        };
        if bits & halt::STALL != 0 {
            COUNTERS.stalls.fetch_add(1, Ordering::Relaxed);
            return Err(TransferError::Stall);
        }
        if bits & halt::BABBLE != 0 {
            COUNTERS.babble.fetch_add(1, Ordering::Relaxed);
            return Err(TransferError::Babble);
        }
        if bits
            & (halt::TRANSACTION_ERROR | halt::TOGGLE_ERROR | halt::FRAME_OVERRUN | halt::AHB_ERROR)
            != 0
        {
            COUNTERS.transaction_errors.fetch_add(1, Ordering::Relaxed);
            errors += 1;
            if errors >= ATTEMPTS {
                return Err(TransferError::Transaction);
            }
            complete_split = false;
            continue;
        }
        let moved_in = length.saturating_sub(USB.remaining(index) as usize);
        // A NAK after some packets of an IN transfer ends it with what did arrive.
        let partial = operation.direction_in && bits & halt::NAK != 0 && moved_in > 0;
        if bits & halt::COMPLETE != 0 || partial {
            let moved = if operation.direction_in {
                moved_in
            } else {
                length
            };
            if operation.direction_in && moved > 0 {
                BUFFERS[index].lock(|buffer| {
                    let start = buffer.0.as_ptr() as usize;
                    mmu::invalidate_data_cache_range(start, BUFFER_SIZE);
                    let count = moved.min(into.len());
                    into[..count].copy_from_slice(&buffer.0[..count]);
                });
            }
            let max_packet = usize::from(operation.max_packet.max(1));
            let packets = moved.div_ceil(max_packet).max(1) as u32;
            return Ok(Outcome::Done(moved, packets));
        }
        if split.is_some() && bits & halt::ACK != 0 && !complete_split {
            complete_split = true;
            continue;
        }
        if split.is_some() && bits & halt::NYET != 0 && complete_split {
            complete_attempts += 1;
            if complete_attempts >= COMPLETE_SPLIT_ATTEMPTS {
                return Err(TransferError::Timeout);
            }
            // Ask again in the next microframe.
            sleep_until(now_micros() + 125).await;
            continue;
        }
        if bits & halt::NAK != 0 {
            if operation.kind == 0 || operation.kind == 2 {
                // Control and bulk: ask again shortly (the core retries by itself on most
                // cores; a split transaction hands the NAK back).
                complete_split = false;
                sleep_until(now_micros() + 1_000).await;
                if now_micros() >= deadline {
                    COUNTERS.timeouts.fetch_add(1, Ordering::Relaxed);
                    return Err(TransferError::Timeout);
                }
                continue;
            }
            COUNTERS.naks.fetch_add(1, Ordering::Relaxed);
            return Ok(Outcome::Nak);
        }
        // Halted for no reason we know: treat as a transaction error.
        COUNTERS.transaction_errors.fetch_add(1, Ordering::Relaxed);
        errors += 1;
        if errors >= ATTEMPTS {
            return Err(TransferError::Transaction);
        }
    }
}

/// PIDs as HCTSIZ encodes them.
const PID_DATA0: u8 = 0;
const PID_DATA1: u8 = 2;
const PID_SETUP: u8 = 3;

/// A control transfer to endpoint 0: SETUP, the data stage (IN into `data`, or OUT from it),
/// the status stage. Returns the data stage's byte count.
pub async fn control(
    route: Route,
    max_packet: u8,
    setup: SetupPacket,
    data: &mut [u8],
) -> Result<usize, TransferError> {
    let channel = channel().await;
    let result = control_on(&channel, route, max_packet, setup.to_bytes(), data).await;
    COUNTERS.transfers.fetch_add(1, Ordering::Relaxed);
    result
}

async fn control_on(
    channel: &Channel,
    route: Route,
    max_packet: u8,
    setup: [u8; 8],
    data: &mut [u8],
) -> Result<usize, TransferError> {
    let max_packet = u16::from(max_packet.max(8));
    let device_to_host = setup[0] & 0x80 != 0;
    let requested = usize::from(u16::from_le_bytes([setup[6], setup[7]]))
        .min(data.len())
        .min(BUFFER_SIZE);
    let stage = |direction_in: bool, pid: u8, out: Option<&'static [u8]>, length: usize| {
        control_stage(route, max_packet, direction_in, pid, out, length)
    };
    let mut nothing = [0u8; 0];
    operate(
        channel,
        &control_stage(route, max_packet, false, PID_SETUP, Some(&setup), 8),
        &mut nothing,
    )
    .await?;
    let mut moved = 0;
    if requested > 0 {
        if device_to_host {
            if let Outcome::Done(count, _) = operate(
                channel,
                &stage(true, PID_DATA1, None, requested),
                &mut data[..requested],
            )
            .await?
            {
                moved = count;
            }
        } else {
            let out: &[u8] = &data[..requested];
            let operation =
                control_stage(route, max_packet, false, PID_DATA1, Some(out), requested);
            if let Outcome::Done(count, _) = operate(channel, &operation, &mut nothing).await? {
                moved = count;
            }
        }
    }
    // The status stage goes the other way (IN after an OUT or no data stage).
    let status_in = !(device_to_host && requested > 0);
    operate(
        channel,
        &stage(
            status_in,
            PID_DATA1,
            if status_in { None } else { Some(&[][..]) },
            0,
        ),
        &mut nothing,
    )
    .await?;
    Ok(moved)
}

/// Clears a stalled endpoint (`endpoint_address` with bit 7 for IN) after a STALL, and
/// resets its data toggle.
pub async fn clear_halt(
    route: Route,
    max_packet: u8,
    endpoint: &mut Endpoint,
    endpoint_address: u8,
) {
    endpoint.toggle = false;
    let setup = SetupPacket::clear_endpoint_halt(endpoint_address);
    let _ = control(route, max_packet, setup, &mut []).await;
}

/// One stage of a control transfer on endpoint 0.
fn control_stage(
    route: Route,
    max_packet: u16,
    direction_in: bool,
    pid: u8,
    out: Option<&[u8]>,
    length: usize,
) -> Operation<'_> {
    Operation {
        route,
        endpoint: 0,
        kind: 0,
        direction_in,
        max_packet,
        pid,
        out,
        length,
        timeout_us: CONTROL_TIMEOUT_US,
    }
}

/// One IN transfer on an interrupt or bulk endpoint into `into`: `Ok(None)` when the device
/// had nothing (NAK), `Ok(Some(bytes))` otherwise. Keeps the endpoint's data toggle.
pub async fn transfer_in(
    route: Route,
    endpoint: &mut Endpoint,
    into: &mut [u8],
) -> Result<Option<usize>, TransferError> {
    let channel = channel().await;
    let operation = Operation {
        route,
        endpoint: endpoint.number,
        kind: endpoint.kind,
        direction_in: true,
        max_packet: endpoint.max_packet,
        pid: if endpoint.toggle {
            PID_DATA1
        } else {
            PID_DATA0
        },
        out: None,
        // One packet per poll on an interrupt endpoint: a report never spans two.
        length: if endpoint.kind == 3 {
            into.len().min(usize::from(endpoint.max_packet))
        } else {
            into.len().min(BUFFER_SIZE)
        },
        timeout_us: PERIODIC_TIMEOUT_US,
    };
    let result = operate(&channel, &operation, into).await;
    COUNTERS.transfers.fetch_add(1, Ordering::Relaxed);
    match result? {
        Outcome::Nak => Ok(None),
        Outcome::Done(count, packets) => {
            endpoint.toggle ^= packets & 1 == 1;
            Ok(Some(count))
        }
    }
}

/// One OUT transfer on a bulk endpoint, followed by a zero-length packet when the data ends on
/// a packet boundary (so that the device sees where a frame ends). Keeps the data toggle.
pub async fn transfer_out(
    route: Route,
    endpoint: &mut Endpoint,
    bytes: &[u8],
) -> Result<usize, TransferError> {
    let channel = channel().await;
    let mut nothing = [0u8; 0];
    let max_packet = usize::from(endpoint.max_packet.max(1));
    let mut sent = 0;
    let parts: [&[u8]; 2] = [bytes, &[]];
    let count = if !bytes.is_empty() && bytes.len().is_multiple_of(max_packet) {
        2
    } else {
        1
    };
    for part in &parts[..count] {
        let operation = Operation {
            route,
            endpoint: endpoint.number,
            kind: endpoint.kind,
            direction_in: false,
            max_packet: endpoint.max_packet,
            pid: if endpoint.toggle {
                PID_DATA1
            } else {
                PID_DATA0
            },
            out: Some(*part),
            length: part.len(),
            timeout_us: CONTROL_TIMEOUT_US,
        };
        let result = operate(&channel, &operation, &mut nothing).await;
        COUNTERS.transfers.fetch_add(1, Ordering::Relaxed);
        match result? {
            Outcome::Nak => return Err(TransferError::Timeout),
            Outcome::Done(moved, packets) => {
                endpoint.toggle ^= packets & 1 == 1;
                sent += moved;
            }
        }
    }
    Ok(sent)
}
