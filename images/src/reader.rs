//! Reads a composed image back: the partition table and the files of the boot partition.

use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};

use fatfs::{FatType, FileSystem, FsOptions};
use fscommon::StreamSlice;
use mbrman::MBR;

use crate::{Error, SECTOR_SIZE};

/// Partition 1 of an image's MBR, as the composer's reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionInfo {
    /// MBR disk signature (little-endian u32 at byte 440).
    pub disk_signature: u32,
    /// MBR partition type (`0x0c` for the boot partition).
    pub partition_type: u8,
    /// True when the partition carries the active (bootable) flag.
    pub bootable: bool,
    /// First sector of the partition.
    pub start_sector: u32,
    /// Length of the partition in sectors.
    pub sector_count: u32,
}

impl PartitionInfo {
    /// Byte offset of the partition in the image.
    pub fn start_offset(&self) -> u64 {
        u64::from(self.start_sector) * SECTOR_SIZE
    }

    /// Length of the partition in bytes.
    pub fn size(&self) -> u64 {
        u64::from(self.sector_count) * SECTOR_SIZE
    }
}

/// Facts about the FAT file system of the boot partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootVolumeInfo {
    /// True when the file system is FAT32.
    pub is_fat32: bool,
    /// Volume label from the boot sector, trailing spaces removed.
    pub label: String,
    /// Volume serial number.
    pub volume_id: u32,
    /// Cluster size in bytes.
    pub cluster_size: u32,
    /// Number of data clusters.
    pub total_clusters: u32,
    /// Number of free data clusters.
    pub free_clusters: u32,
}

/// A `Read + Seek` stream that refuses writes, so fatfs can open a read-only image.
struct ReadOnly<R> {
    /// The wrapped stream.
    inner: R,
}

impl<R: Read> Read for ReadOnly<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buffer)
    }
}

impl<R: Seek> Seek for ReadOnly<R> {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        self.inner.seek(position)
    }
}

impl<R> Write for ReadOnly<R> {
    fn write(&mut self, _buffer: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            ErrorKind::PermissionDenied,
            "the image is opened read-only",
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads partition 1 from the image's MBR.
pub fn read_partition_table<R: Read + Seek>(mut image: R) -> Result<PartitionInfo, Error> {
    let mbr = MBR::read_from(&mut image, SECTOR_SIZE as u32).map_err(|error| match error {
        mbrman::Error::Io(source) if source.kind() != ErrorKind::UnexpectedEof => Error::Io {
            context: "reading the partition table".into(),
            source,
        },
        other => Error::BadImage {
            reason: format!("no valid MBR partition table ({other})"),
        },
    })?;
    let entry = &mbr.header.partition_1;
    if entry.is_unused() || entry.sectors == 0 {
        return Err(Error::BadImage {
            reason: "partition 1 is empty".into(),
        });
    }
    Ok(PartitionInfo {
        disk_signature: u32::from_le_bytes(mbr.header.disk_signature),
        partition_type: entry.sys,
        bootable: entry.is_active(),
        start_sector: entry.starting_lba,
        sector_count: entry.sectors,
    })
}

/// Opens the FAT file system of partition 1 and runs `action` on it.
fn with_boot_volume<R: Read + Seek, Output>(
    mut image: R,
    action: impl FnOnce(&FileSystem<&mut StreamSlice<ReadOnly<R>>>) -> Result<Output, Error>,
) -> Result<Output, Error> {
    let partition = read_partition_table(&mut image)?;
    let image_length = image
        .seek(SeekFrom::End(0))
        .map_err(Error::io("measuring the image"))?;
    let end = partition.start_offset() + partition.size();
    if end > image_length {
        return Err(Error::BadImage {
            reason: format!(
                "partition 1 ends at byte {end} but the image has only {image_length} bytes"
            ),
        });
    }
    let mut slice = StreamSlice::new(ReadOnly { inner: image }, partition.start_offset(), end)
        .map_err(Error::io("opening the boot partition"))?;
    let file_system =
        FileSystem::new(&mut slice, FsOptions::new()).map_err(|source| Error::BadImage {
            reason: format!("partition 1 holds no readable FAT file system ({source})"),
        })?;
    action(&file_system)
}

/// Reads one file of the boot partition (names are case-insensitive, as in FAT).
pub fn read_boot_file<R: Read + Seek>(image: R, name: &str) -> Result<Vec<u8>, Error> {
    with_boot_volume(image, |file_system| {
        let mut file =
            file_system
                .root_dir()
                .open_file(name)
                .map_err(|source| match source.kind() {
                    ErrorKind::NotFound => Error::FileNotFound {
                        name: name.to_string(),
                    },
                    _ => Error::Io {
                        context: format!("opening {name} in the boot partition"),
                        source,
                    },
                })?;
        let mut contents = Vec::new();
        file.read_to_end(&mut contents)
            .map_err(Error::io(format!("reading {name} from the boot partition")))?;
        Ok(contents)
    })
}

/// Lists the files (not directories) in the root of the boot partition as
/// (name, size in bytes), sorted by name.
pub fn list_boot_files<R: Read + Seek>(image: R) -> Result<Vec<(String, u64)>, Error> {
    with_boot_volume(image, |file_system| {
        let mut files = Vec::new();
        for entry in file_system.root_dir().iter() {
            let entry = entry.map_err(Error::io("listing the boot partition"))?;
            if entry.is_file() {
                files.push((entry.file_name(), entry.len()));
            }
        }
        files.sort();
        Ok(files)
    })
}

/// Reads the FAT type, label, volume id and cluster counts of the boot partition.
pub fn inspect_boot_volume<R: Read + Seek>(image: R) -> Result<BootVolumeInfo, Error> {
    with_boot_volume(image, |file_system| {
        let stats = file_system
            .stats()
            .map_err(Error::io("reading the boot partition's free space"))?;
        Ok(BootVolumeInfo {
            is_fat32: file_system.fat_type() == FatType::Fat32,
            label: file_system.volume_label().trim_end().to_string(),
            volume_id: file_system.volume_id(),
            cluster_size: stats.cluster_size(),
            total_clusters: stats.total_clusters(),
            free_clusters: stats.free_clusters(),
        })
    })
}
