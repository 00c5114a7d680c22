//! Composes the PiPyOS SD-card image: an MBR disk with one FAT32 boot partition for the Raspberry Pi 1.
//!
//! The image is reproducible: identical inputs give a byte-identical image. Every
//! timestamp comes from `SOURCE_DATE_EPOCH`, the disk signature and the FAT volume
//! id are fixed, files are written in sorted order into a zero-filled buffer.
//!
//! Layout (see README.md):
//!
//! * a power-of-two sized disk (default 256 MiB; QEMU refuses other SD card sizes),
//! * an MBR with disk signature [`DISK_SIGNATURE`],
//! * partition 1: FAT32 LBA (type `0x0c`), bootable, from 4 MiB (sector 8192),
//!   [`DEFAULT_BOOT_PARTITION_SIZE`] long unless configured, volume label `PIPYOS`,
//! * partition 2: FAT32 LBA, label `PIPYDATA`, from the end of the boot partition to the end
//!   of the disk (when at least 33 MiB remain), pre-filled with [`ImageSpec::data_files`].
//!
//! Entry points: [`ImageSpec`] describes the inputs, [`compose`] builds the image in
//! memory, [`write_image_file`] writes it as a sparse file, and [`read_boot_file`],
//! [`list_boot_files`], [`read_partition_table`] read an image back.
#![forbid(unsafe_code)]

mod compose;
mod config;
mod error;
mod manifest;
mod reader;
mod spec;
mod timestamp;

pub use compose::{check_layout, compose, compose_into, data_partition, write_image_file};
pub use config::{render_config_txt, ConfigOptions};
pub use error::Error;
pub use manifest::{sha256_hex, ManifestEntry, VersionManifest};
pub use reader::{
    inspect_boot_volume, list_boot_files, read_boot_file, read_partition_table, BootVolumeInfo,
    PartitionInfo,
};
pub use spec::{
    image_file_name, load_firmware_dir, read_input_file, validate_git_revision, validate_version,
    BootFile, ImageSpec,
};
pub use timestamp::{parse_source_date_epoch, MAX_SOURCE_DATE_EPOCH};

/// One mebibyte in bytes.
pub const MIB: u64 = 1024 * 1024;

/// Bytes per disk sector; the MBR and the FAT both use 512-byte sectors.
pub const SECTOR_SIZE: u64 = 512;

/// Fixed MBR disk signature (bytes 440..444 of the image, little-endian): "yPiP" on disk.
pub const DISK_SIGNATURE: u32 = 0x5069_5079;

/// Fixed FAT volume serial number ("volume id") of the boot partition.
pub const VOLUME_ID: u32 = 0x5059_4F53;

/// FAT volume label of the data partition (partition 2, the rest of the disk).
pub const DATA_VOLUME_LABEL: &str = "PIPYDATA";

/// Fixed FAT volume serial number of the data partition.
pub const DATA_VOLUME_ID: u32 = 0x5059_4441;

/// FAT volume label of the boot partition.
pub const VOLUME_LABEL: &str = "PIPYOS";

/// MBR partition type of the boot partition: FAT32 with LBA addressing.
pub const BOOT_PARTITION_TYPE: u8 = 0x0c;

/// Byte offset where the boot partition starts: 4 MiB, that is sector 8192.
pub const BOOT_PARTITION_START: u64 = 4 * MIB;

/// Default size of the whole disk image: 256 MiB.
pub const DEFAULT_IMAGE_SIZE: u64 = 256 * MIB;

/// Default size of the boot partition: 64 MiB.
pub const DEFAULT_BOOT_PARTITION_SIZE: u64 = 64 * MIB;

/// Smallest boot partition that holds a FAT32 file system (65525 clusters of 512 bytes
/// plus the two FATs and the reserved sectors): 33 MiB.
pub const MIN_BOOT_PARTITION_SIZE: u64 = 33 * MIB;

/// `SOURCE_DATE_EPOCH` used when none is given: 315532800 = 1980-01-01 00:00:00 UTC,
/// the first date a FAT file system can store.
pub const DEFAULT_SOURCE_DATE_EPOCH: u64 = 315_532_800;

/// Address where the GPU firmware loads the kernel (config.txt `kernel_address`).
pub const KERNEL_ADDRESS: u32 = 0x8000;

/// Address where the GPU firmware loads the initfs archive (config.txt `initramfs`).
pub const INITFS_ADDRESS: u32 = 0x0200_0000;

/// Name of the kernel binary in the boot partition.
pub const KERNEL_FILE_NAME: &str = "kernel.img";

/// Name of the optional initfs cpio archive in the boot partition.
pub const INITFS_FILE_NAME: &str = "initfs.cpio";

/// Name of the GPU firmware configuration file in the boot partition.
pub const CONFIG_FILE_NAME: &str = "config.txt";

/// Name of the version manifest in the boot partition.
pub const VERSION_FILE_NAME: &str = "VERSION";

/// GPU firmware files a firmware directory must hold.
pub const REQUIRED_FIRMWARE_FILES: [&str; 3] = ["bootcode.bin", "start.elf", "fixup.dat"];

/// GPU firmware files copied from a firmware directory when present.
pub const OPTIONAL_FIRMWARE_FILES: [&str; 1] = ["LICENCE.broadcom"];

/// Warning printed when an image is made without GPU firmware.
pub const NO_FIRMWARE_WARNING: &str =
    "no GPU firmware given: this image boots in QEMU but will NOT boot a real Raspberry Pi";
