//! The SD card: the EMMC driver as a block device, its MBR, and its FAT partitions mounted
//! at `/boot` (partition 1, the firmware's) and `/data` (partition 2, the user's).
use std::cell::RefCell;
use std::rc::Rc;

use sdfat::{check_range, mbr, BlockDevice, BlockError, FatVolume, SharedDevice, BLOCK_SIZE};

use crate::{
    bsp::rpi1::{self, memory, EMMC, GPIO},
    drivers::{
        bcm2835_emmc::{CardError, CardInfo},
        bcm2835_gpio::{Function, Pin},
    },
};

/// The controller's clock when the firmware does not say (QEMU's model ignores it).
const DEFAULT_EMMC_CLOCK_HZ: u32 = 100_000_000;

/// The card behind the EMMC controller.
struct SdCard {
    info: CardInfo,
}

fn block_error(error: CardError) -> BlockError {
    match error {
        CardError::NoCard => BlockError::NoCard,
        CardError::Timeout => BlockError::Timeout,
        CardError::Crc => BlockError::Crc,
        CardError::Failed(what) => BlockError::Device(what),
    }
}

impl BlockDevice for SdCard {
    fn block_count(&self) -> u64 {
        self.info.blocks
    }

    fn read_blocks(&mut self, first: u64, buffer: &mut [u8]) -> Result<(), BlockError> {
        check_range(self.info.blocks, first, buffer.len())?;
        EMMC.read(&self.info, first, buffer).map_err(block_error)
    }

    fn write_blocks(&mut self, first: u64, data: &[u8]) -> Result<(), BlockError> {
        check_range(self.info.blocks, first, data.len())?;
        EMMC.write(&self.info, first, data).map_err(block_error)
    }
}

/// Where each partition is mounted.
const MOUNTS: [(u8, &str); 2] = [(1, "/boot"), (2, "/data")];

/// How long [`mount`] took, in µs (instructions / 1000 under QEMU's `-icount shift=0`).
static MOUNT_MICROS: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// The time the card took to initialise and mount at boot, in µs.
pub fn mount_micros() -> u64 {
    MOUNT_MICROS.load(core::sync::atomic::Ordering::Relaxed)
}

/// Finds the card and mounts its FAT partitions; returns a line for the boot log.
pub fn mount() -> String {
    let started = crate::time::now_micros();
    let report = match try_mount() {
        Ok(report) => report,
        Err(reason) => format!("SD card: {reason}"),
    };
    MOUNT_MICROS.store(
        crate::time::now_micros() - started,
        core::sync::atomic::Ordering::Relaxed,
    );
    report
}

fn try_mount() -> Result<String, String> {
    for number in memory::pins::SD_CARD {
        if let Ok(pin) = Pin::new(number) {
            GPIO.set_function(pin, Function::Alt3);
        }
    }
    let clock = match rpi1::board().emmc_clock_hz {
        0 => DEFAULT_EMMC_CLOCK_HZ,
        hz => hz,
    };
    let info = EMMC.init(clock).map_err(|error| match error {
        CardError::NoCard => "no card".to_owned(),
        other => format!("the card does not answer ({other:?})"),
    })?;
    let device: SharedDevice = Rc::new(RefCell::new(SdCard { info }));
    let mut block0 = [0u8; BLOCK_SIZE];
    device
        .borrow_mut()
        .read_blocks(0, &mut block0)
        .map_err(|error| format!("reading block 0: {error}"))?;
    let partitions =
        mbr::parse(&block0, info.blocks).map_err(|error| format!("partition table: {error}"))?;
    sdfat::set_clock(|| (crate::time::unix_micros() / 1_000_000) as i64);
    let mut mounted = Vec::new();
    for (number, point) in MOUNTS {
        let Some(partition) = partitions.iter().find(|p| p.number == number) else {
            continue;
        };
        if !partition.is_fat() {
            mounted.push(format!(
                "partition {number} is not FAT (type {:#04x})",
                partition.kind
            ));
            continue;
        }
        match FatVolume::mount(
            Rc::clone(&device),
            partition.first_block,
            partition.block_count,
            &format!("fat:{}", &point[1..]),
            u64::from(number) + 0x100,
        ) {
            Ok(volume) => {
                let label = volume.label();
                match super::mount(point, Box::new(volume)) {
                    Ok(()) => mounted.push(format!("{point} ({label})")),
                    Err(errno) => mounted.push(format!("{point}: mount failed (errno {errno})")),
                }
            }
            Err(reason) => mounted.push(format!("{point}: {reason}")),
        }
    }
    let megabytes = (info.blocks * BLOCK_SIZE as u64) >> 20;
    Ok(format!("SD card, {megabytes} MiB: {}", mounted.join(", ")))
}
