//! BCM2835 USB: the Synopsys DWC2 OTG core in host mode, its root port and its DMA channels.
//!
//! The driver knows registers, not protocols: core reset and host set-up, the root port
//! (power, reset, speed, change bits), and one transfer per channel at a time in buffer-DMA mode
//! (the mode QEMU emulates and the Pi's firmware leaves selected). Completion is reported by the
//! core's interrupt: [`Dwc2::take_interrupts`] (called by the board's interrupt handler) latches
//! each halted channel's status and the port's change bits for the USB core (`crate::usb`) to
//! collect. Register facts: the DWC2 programming guide as used by every open host driver.
use core::sync::atomic::{AtomicU32, Ordering};

use tock_registers::{
    interfaces::{ReadWriteable, Readable, Writeable},
    register_bitfields, register_structs,
    registers::ReadWrite,
};

use super::Mmio;

register_bitfields! {u32,
    /// GAHBCFG: AHB (bus master) configuration.
    GAHBCFG [
        GLOBAL_INTERRUPT OFFSET(0) NUMBITS(1) [],
        DMA_ENABLE OFFSET(5) NUMBITS(1) []
    ],
    /// GUSBCFG: USB configuration.
    GUSBCFG [
        SRP_CAPABLE OFFSET(8) NUMBITS(1) [],
        HNP_CAPABLE OFFSET(9) NUMBITS(1) [],
        FORCE_HOST OFFSET(29) NUMBITS(1) [],
        FORCE_DEVICE OFFSET(30) NUMBITS(1) []
    ],
    /// GRSTCTL: resets and FIFO flushes.
    GRSTCTL [
        CORE_SOFT_RESET OFFSET(0) NUMBITS(1) [],
        RX_FIFO_FLUSH OFFSET(4) NUMBITS(1) [],
        TX_FIFO_FLUSH OFFSET(5) NUMBITS(1) [],
        TX_FIFO_NUMBER OFFSET(6) NUMBITS(5) [],
        AHB_IDLE OFFSET(31) NUMBITS(1) []
    ],
    /// GINTSTS / GINTMSK: the core's interrupt sources.
    GINTSTS [
        CURRENT_MODE_HOST OFFSET(0) NUMBITS(1) [],
        PORT OFFSET(24) NUMBITS(1) [],
        HOST_CHANNELS OFFSET(25) NUMBITS(1) [],
        DISCONNECT OFFSET(29) NUMBITS(1) []
    ],
    /// GHWCFG2: hardware configuration (host channels).
    GHWCFG2 [
        HOST_CHANNELS_MINUS_ONE OFFSET(14) NUMBITS(4) []
    ],
    /// HCFG: host configuration.
    HCFG [
        FS_LS_CLOCK OFFSET(0) NUMBITS(2) [Clock30Or60MHz = 0, Clock48MHz = 1, Clock6MHz = 2]
    ],
    /// HPRT0: the root port. CONNECT_DETECTED, ENABLED, ENABLE_CHANGED and
    /// OVERCURRENT_CHANGED are write-1-to-clear: every write masks them unless meant.
    HPRT [
        CONNECTED OFFSET(0) NUMBITS(1) [],
        CONNECT_DETECTED OFFSET(1) NUMBITS(1) [],
        ENABLED OFFSET(2) NUMBITS(1) [],
        ENABLE_CHANGED OFFSET(3) NUMBITS(1) [],
        OVERCURRENT OFFSET(4) NUMBITS(1) [],
        OVERCURRENT_CHANGED OFFSET(5) NUMBITS(1) [],
        RESET OFFSET(8) NUMBITS(1) [],
        POWER OFFSET(12) NUMBITS(1) [],
        SPEED OFFSET(17) NUMBITS(2) [High = 0, Full = 1, Low = 2]
    ],
    /// HCCHARn: what a channel talks to.
    HCCHAR [
        MAX_PACKET OFFSET(0) NUMBITS(11) [],
        ENDPOINT OFFSET(11) NUMBITS(4) [],
        DIRECTION_IN OFFSET(15) NUMBITS(1) [],
        LOW_SPEED OFFSET(17) NUMBITS(1) [],
        TYPE OFFSET(18) NUMBITS(2) [Control = 0, Isochronous = 1, Bulk = 2, Interrupt = 3],
        PER_FRAME OFFSET(20) NUMBITS(2) [],
        DEVICE_ADDRESS OFFSET(22) NUMBITS(7) [],
        ODD_FRAME OFFSET(29) NUMBITS(1) [],
        DISABLE OFFSET(30) NUMBITS(1) [],
        ENABLE OFFSET(31) NUMBITS(1) []
    ],
    /// HCSPLTn: split transactions through a high-speed hub's transaction translator.
    HCSPLT [
        PORT OFFSET(0) NUMBITS(7) [],
        HUB_ADDRESS OFFSET(7) NUMBITS(7) [],
        POSITION OFFSET(14) NUMBITS(2) [All = 3],
        COMPLETE OFFSET(16) NUMBITS(1) [],
        ENABLE OFFSET(31) NUMBITS(1) []
    ],
    /// HCTSIZn: the transfer's size, packet count and first data PID.
    HCTSIZ [
        BYTES OFFSET(0) NUMBITS(19) [],
        PACKETS OFFSET(19) NUMBITS(10) [],
        PID OFFSET(29) NUMBITS(2) [Data0 = 0, Data2 = 1, Data1 = 2, Setup = 3]
    ]
}

/// HCINTn bits: how a channel's transfer ended.
pub mod halt {
    /// The transfer completed.
    pub const COMPLETE: u32 = 1 << 0;
    /// The channel halted (always set with the others).
    pub const HALTED: u32 = 1 << 1;
    /// The DMA engine hit a bus error.
    pub const AHB_ERROR: u32 = 1 << 2;
    /// The device stalled.
    pub const STALL: u32 = 1 << 3;
    /// The device had nothing (periodic endpoints halt on it).
    pub const NAK: u32 = 1 << 4;
    /// The device acknowledged (a start split was accepted).
    pub const ACK: u32 = 1 << 5;
    /// The hub's translator is not done yet (complete split: ask again).
    pub const NYET: u32 = 1 << 6;
    /// CRC, bit-stuffing, timeout or PID error on the wire.
    pub const TRANSACTION_ERROR: u32 = 1 << 7;
    /// The device sent more than asked.
    pub const BABBLE: u32 = 1 << 8;
    /// A periodic transfer missed its frame.
    pub const FRAME_OVERRUN: u32 = 1 << 9;
    /// Wrong data toggle.
    pub const TOGGLE_ERROR: u32 = 1 << 10;
}

register_structs! {
    /// One host channel's registers.
    pub ChannelRegisters {
        (0x00 => characteristics: ReadWrite<u32, HCCHAR::Register>),
        (0x04 => split: ReadWrite<u32, HCSPLT::Register>),
        (0x08 => interrupt: ReadWrite<u32>),
        (0x0c => interrupt_mask: ReadWrite<u32>),
        (0x10 => transfer_size: ReadWrite<u32, HCTSIZ::Register>),
        (0x14 => dma_address: ReadWrite<u32>),
        (0x18 => _reserved),
        (0x20 => @END),
    }
}

register_structs! {
    /// The DWC2 core's global, host and power registers.
    pub RegisterBlock {
        (0x000 => otg_control: ReadWrite<u32>),
        (0x004 => otg_interrupt: ReadWrite<u32>),
        (0x008 => ahb_config: ReadWrite<u32, GAHBCFG::Register>),
        (0x00c => usb_config: ReadWrite<u32, GUSBCFG::Register>),
        (0x010 => reset: ReadWrite<u32, GRSTCTL::Register>),
        (0x014 => interrupt_status: ReadWrite<u32, GINTSTS::Register>),
        (0x018 => interrupt_mask: ReadWrite<u32, GINTSTS::Register>),
        (0x01c => _reserved0),
        (0x024 => rx_fifo_size: ReadWrite<u32>),
        (0x028 => nonperiodic_tx_fifo_size: ReadWrite<u32>),
        (0x02c => _reserved1),
        (0x040 => synopsys_id: ReadWrite<u32>),
        (0x044 => hardware_config1: ReadWrite<u32>),
        (0x048 => hardware_config2: ReadWrite<u32, GHWCFG2::Register>),
        (0x04c => _reserved2),
        (0x100 => periodic_tx_fifo_size: ReadWrite<u32>),
        (0x104 => _reserved3),
        (0x400 => host_config: ReadWrite<u32, HCFG::Register>),
        (0x404 => frame_interval: ReadWrite<u32>),
        (0x408 => frame_number: ReadWrite<u32>),
        (0x40c => _reserved4),
        (0x414 => channel_interrupts: ReadWrite<u32>),
        (0x418 => channel_interrupt_mask: ReadWrite<u32>),
        (0x41c => _reserved5),
        (0x440 => port: ReadWrite<u32, HPRT::Register>),
        (0x444 => _reserved6),
        (0x500 => channels: [ChannelRegisters; CHANNELS]),
        (0x600 => _reserved7),
        (0xe00 => power_clock: ReadWrite<u32>),
        (0xe04 => @END),
    }
}

/// Host channels the driver uses (every DWC2 on a BCM2835 has 8; QEMU has 16).
pub const CHANNELS: usize = 8;

/// FIFO sizes in 32-bit words: receive, non-periodic transmit, periodic transmit (together
/// within the BCM2835 core's 4080 words).
const RX_FIFO_WORDS: u32 = 1024;
const NONPERIODIC_TX_WORDS: u32 = 1024;
const PERIODIC_TX_WORDS: u32 = 1024;

/// Waits for the core's resets, in microseconds.
const RESET_TIMEOUT_US: u64 = 100_000;

/// The SYNOPSYS id's top half: "OT" (an OTG core).
const SYNOPSYS_OTG: u32 = 0x4f54_0000;

/// Why the controller did not come up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dwc2Error {
    /// The id register does not read as a DWC2 OTG core.
    NotPresent(u32),
    /// A reset did not finish in time.
    ResetTimeout,
}

/// The root port's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortState {
    /// A device is attached.
    pub connected: bool,
    /// The port is enabled (after a reset).
    pub enabled: bool,
    /// The attached device's speed: 0 high, 1 full, 2 low.
    pub speed: u32,
    /// The port reports an over-current condition.
    pub overcurrent: bool,
}

/// What one channel's transfer is.
#[derive(Clone, Copy, Debug)]
pub struct ChannelSetup {
    /// The device's address.
    pub device_address: u8,
    /// The endpoint number.
    pub endpoint: u8,
    /// Device to host.
    pub direction_in: bool,
    /// 0 control, 2 bulk, 3 interrupt.
    pub endpoint_type: u8,
    /// The endpoint's maximum packet size.
    pub max_packet: u16,
    /// The device is low speed.
    pub low_speed: bool,
    /// The first packet's PID: 0 DATA0, 2 DATA1, 3 SETUP.
    pub pid: u8,
    /// Bytes to move.
    pub length: u32,
    /// The buffer's bus address.
    pub dma_address: u32,
    /// `Some((hub address, port))`: split transactions through that high-speed hub, and
    /// whether this is the complete split.
    pub split: Option<(u8, u8, bool)>,
}

/// The DWC2 controller.
pub struct Dwc2 {
    registers: Mmio<RegisterBlock>,
    /// Each channel's HCINT bits since it was started (set by the interrupt handler).
    latched: [AtomicU32; CHANNELS],
    /// Interrupts taken (for statistics).
    interrupts: AtomicU32,
}

impl Dwc2 {
    /// Creates the driver for the core at `base`.
    ///
    /// # Safety
    /// `base` must be the USB core's register block (see [`Mmio::new`]).
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: forwarded from the caller.
            registers: unsafe { Mmio::new(base) },
            latched: [const { AtomicU32::new(0) }; CHANNELS],
            interrupts: AtomicU32::new(0),
        }
    }

    /// Resets the core and sets it up as a host in buffer-DMA mode: FIFOs sized, every
    /// channel halted, the port powered, the port and channel interrupts unmasked (the global
    /// interrupt enable is left to [`Dwc2::enable_interrupts`]).
    pub fn init(&self, now_micros: impl Fn() -> u64) -> Result<(), Dwc2Error> {
        let registers = &self.registers;
        let id = registers.synopsys_id.get();
        if id & 0xffff_0000 != SYNOPSYS_OTG {
            return Err(Dwc2Error::NotPresent(id));
        }
        registers.ahb_config.set(0);
        registers.interrupt_mask.set(0);
        let wait = |done: &dyn Fn() -> bool| {
            let start = now_micros();
            while !done() {
                if now_micros() - start > RESET_TIMEOUT_US {
                    return Err(Dwc2Error::ResetTimeout);
                }
            }
            Ok(())
        };
        wait(&|| registers.reset.is_set(GRSTCTL::AHB_IDLE))?;
        registers.reset.write(GRSTCTL::CORE_SOFT_RESET::SET);
        wait(&|| !registers.reset.is_set(GRSTCTL::CORE_SOFT_RESET))?;
        wait(&|| registers.reset.is_set(GRSTCTL::AHB_IDLE))?;
        registers.power_clock.set(0);
        registers.usb_config.modify(
            GUSBCFG::SRP_CAPABLE::CLEAR
                + GUSBCFG::HNP_CAPABLE::CLEAR
                + GUSBCFG::FORCE_DEVICE::CLEAR
                + GUSBCFG::FORCE_HOST::SET,
        );
        registers.rx_fifo_size.set(RX_FIFO_WORDS);
        registers
            .nonperiodic_tx_fifo_size
            .set((NONPERIODIC_TX_WORDS << 16) | RX_FIFO_WORDS);
        registers
            .periodic_tx_fifo_size
            .set((PERIODIC_TX_WORDS << 16) | (RX_FIFO_WORDS + NONPERIODIC_TX_WORDS));
        // Flush every transmit FIFO and the receive FIFO.
        registers
            .reset
            .write(GRSTCTL::TX_FIFO_FLUSH::SET + GRSTCTL::TX_FIFO_NUMBER.val(0x10));
        wait(&|| !registers.reset.is_set(GRSTCTL::TX_FIFO_FLUSH))?;
        registers.reset.write(GRSTCTL::RX_FIFO_FLUSH::SET);
        wait(&|| !registers.reset.is_set(GRSTCTL::RX_FIFO_FLUSH))?;
        registers
            .host_config
            .write(HCFG::FS_LS_CLOCK::Clock30Or60MHz);
        for channel in registers.channels.iter() {
            channel.interrupt_mask.set(0);
            channel.interrupt.set(u32::MAX);
            if channel.characteristics.is_set(HCCHAR::ENABLE) {
                // Both bits together halt a running channel.
                channel
                    .characteristics
                    .modify(HCCHAR::DISABLE::SET + HCCHAR::ENABLE::SET);
            }
        }
        registers.ahb_config.write(GAHBCFG::DMA_ENABLE::SET);
        self.modify_port(HPRT::POWER::SET);
        registers.channel_interrupt_mask.set((1 << CHANNELS) - 1);
        registers.interrupt_status.set(u32::MAX);
        registers
            .interrupt_mask
            .write(GINTSTS::PORT::SET + GINTSTS::HOST_CHANNELS::SET);
        Ok(())
    }

    /// Lets the core raise its interrupt line.
    pub fn enable_interrupts(&self) {
        self.registers
            .ahb_config
            .modify(GAHBCFG::GLOBAL_INTERRUPT::SET);
    }

    /// Changes HPRT0 without touching its write-1-to-clear bits.
    fn modify_port(&self, change: tock_registers::fields::FieldValue<u32, HPRT::Register>) {
        let keep = self.registers.port.get()
            & !(HPRT::CONNECT_DETECTED::SET.mask()
                | HPRT::ENABLED::SET.mask()
                | HPRT::ENABLE_CHANGED::SET.mask()
                | HPRT::OVERCURRENT_CHANGED::SET.mask());
        self.registers.port.set(change.modify(keep));
    }

    /// The root port's state.
    pub fn port(&self) -> PortState {
        let port = self.registers.port.extract();
        PortState {
            connected: port.is_set(HPRT::CONNECTED),
            enabled: port.is_set(HPRT::ENABLED),
            speed: port.read(HPRT::SPEED),
            overcurrent: port.is_set(HPRT::OVERCURRENT),
        }
    }

    /// Drives reset on the root port (`true`) or ends it (`false`; the port then enables).
    pub fn set_port_reset(&self, resetting: bool) {
        if resetting {
            self.modify_port(HPRT::RESET::SET);
        } else {
            self.modify_port(HPRT::RESET::CLEAR);
        }
    }

    /// The interrupt handler's half: acknowledges the port's change bits and every halted
    /// channel, latching what happened for [`Dwc2::take_halt`]. Returns whether anything
    /// was pending.
    pub fn take_interrupts(&self) -> bool {
        let registers = &self.registers;
        let status = registers.interrupt_status.extract();
        let mut any = false;
        if status.is_set(GINTSTS::PORT) {
            let port = registers.port.get();
            let changes = port
                & (HPRT::CONNECT_DETECTED::SET.mask()
                    | HPRT::ENABLE_CHANGED::SET.mask()
                    | HPRT::OVERCURRENT_CHANGED::SET.mask());
            // Write back only the change bits (ENABLED would disable the port).
            let keep = port
                & !(HPRT::CONNECT_DETECTED::SET.mask()
                    | HPRT::ENABLED::SET.mask()
                    | HPRT::ENABLE_CHANGED::SET.mask()
                    | HPRT::OVERCURRENT_CHANGED::SET.mask());
            registers.port.set(keep | changes);
            any = true;
        }
        if status.is_set(GINTSTS::HOST_CHANNELS) {
            let pending = registers.channel_interrupts.get();
            for (index, channel) in registers.channels.iter().enumerate() {
                if pending & (1 << index) != 0 {
                    let bits = channel.interrupt.get();
                    channel.interrupt.set(bits);
                    self.latched[index].fetch_or(bits, Ordering::AcqRel);
                }
            }
            any = true;
        }
        // Other sources are masked; clear whatever else is set so nothing can storm.
        registers
            .interrupt_status
            .set(status.get() & !(GINTSTS::PORT::SET.mask() | GINTSTS::HOST_CHANNELS::SET.mask()));
        if any {
            self.interrupts.fetch_add(1, Ordering::Relaxed);
        }
        any
    }

    /// Interrupts taken since boot.
    pub fn interrupt_count(&self) -> u32 {
        self.interrupts.load(Ordering::Relaxed)
    }

    /// Starts a transfer on `channel` (which must be idle). Completion arrives through the
    /// interrupt as a latched halt ([`Dwc2::take_halt`]).
    pub fn start(&self, channel: usize, setup: &ChannelSetup) {
        let Some(registers) = self.registers.channels.get(channel) else {
            return;
        };
        self.latched[channel].store(0, Ordering::Release);
        let max_packet = u32::from(setup.max_packet.max(1));
        let packets = setup.length.div_ceil(max_packet).max(1);
        registers.interrupt.set(u32::MAX);
        registers.interrupt_mask.set(halt::HALTED);
        registers.split.set(match setup.split {
            Some((hub, port, complete)) => {
                (HCSPLT::ENABLE::SET
                    + HCSPLT::POSITION::All
                    + HCSPLT::HUB_ADDRESS.val(u32::from(hub))
                    + HCSPLT::PORT.val(u32::from(port))
                    + HCSPLT::COMPLETE.val(u32::from(complete)))
                .value
            }
            None => 0,
        });
        registers.transfer_size.write(
            HCTSIZ::BYTES.val(setup.length)
                + HCTSIZ::PACKETS.val(packets)
                + HCTSIZ::PID.val(u32::from(setup.pid)),
        );
        registers.dma_address.set(setup.dma_address);
        let odd_frame = self.registers.frame_number.get() & 1 == 0;
        let characteristics = HCCHAR::MAX_PACKET.val(max_packet)
            + HCCHAR::ENDPOINT.val(u32::from(setup.endpoint))
            + HCCHAR::DIRECTION_IN.val(u32::from(setup.direction_in))
            + HCCHAR::LOW_SPEED.val(u32::from(setup.low_speed))
            + HCCHAR::TYPE.val(u32::from(setup.endpoint_type))
            + HCCHAR::PER_FRAME.val(1)
            + HCCHAR::DEVICE_ADDRESS.val(u32::from(setup.device_address))
            + HCCHAR::ODD_FRAME.val(u32::from(odd_frame));
        registers.characteristics.write(characteristics);
        registers
            .characteristics
            .write(characteristics + HCCHAR::ENABLE::SET);
    }

    /// The HCINT bits of `channel` once it halted (taken: the next call returns `None`).
    pub fn take_halt(&self, channel: usize) -> Option<u32> {
        let latched = self.latched.get(channel)?;
        let bits = latched.load(Ordering::Acquire);
        if bits & halt::HALTED == 0 {
            // Interrupts may be off (early boot): look at the channel itself.
            let registers = self.registers.channels.get(channel)?;
            let bits = registers.interrupt.get();
            if bits & halt::HALTED == 0 {
                return None;
            }
            registers.interrupt.set(bits);
            latched.store(0, Ordering::Release);
            return Some(bits);
        }
        latched.store(0, Ordering::Release);
        Some(bits)
    }

    /// Bytes the channel's last transfer did not move (of the length it was started with).
    pub fn remaining(&self, channel: usize) -> u32 {
        self.registers
            .channels
            .get(channel)
            .map_or(0, |registers| registers.transfer_size.read(HCTSIZ::BYTES))
    }

    /// Stops a channel that did not halt by itself (a timeout); it halts shortly after.
    pub fn abort(&self, channel: usize) {
        if let Some(registers) = self.registers.channels.get(channel) {
            if registers.characteristics.is_set(HCCHAR::ENABLE) {
                // Both bits together halt a running channel.
                registers
                    .characteristics
                    .modify(HCCHAR::DISABLE::SET + HCCHAR::ENABLE::SET);
            }
        }
    }
}
