//! Builds the disk image: MBR partition table, FAT32 format, boot files.

use std::fs::{self, File};
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::Path;

use fatfs::{FatType, FileSystem, FormatVolumeOptions, FsOptions};
use fscommon::StreamSlice;
use mbrman::{MBRPartitionEntry, BOOT_ACTIVE, CHS, MBR};

use crate::spec::BootFile;
use crate::timestamp::{fixed_clock, FixedClock};
use crate::{
    Error, ImageSpec, BOOT_PARTITION_START, BOOT_PARTITION_TYPE, DATA_VOLUME_ID, DATA_VOLUME_LABEL,
    DISK_SIGNATURE, MIB, MIN_BOOT_PARTITION_SIZE, SECTOR_SIZE, VERSION_FILE_NAME, VOLUME_ID,
    VOLUME_LABEL,
};

/// A volume with fewer clusters than this is FAT12 or FAT16, never FAT32 (FAT specification).
const FAT32_MIN_CLUSTERS: u64 = 65_525;

/// Cluster sizes the composer picks from, largest first: the largest that still gives
/// a FAT32 cluster count wins (512 bytes for 33..=64 MiB, 2 KiB for 256 MiB).
const CLUSTER_SIZES: [u64; 4] = [4096, 2048, 1024, 512];

/// Byte offset of the BPB "hidden sectors" field (sectors before the partition).
const BPB_HIDDEN_SECTORS_OFFSET: u64 = 0x1c;

/// Byte offset of the FAT32 BPB field naming the sector of the backup boot sector.
const BPB_BACKUP_BOOT_SECTOR_OFFSET: u64 = 0x32;

/// Heads of the nominal disk geometry used for CHS addresses (MBR and BPB).
const CHS_HEADS: u8 = 255;

/// Sectors per track of the nominal disk geometry used for CHS addresses.
const CHS_SECTORS_PER_TRACK: u8 = 63;

/// Bytes per FAT directory entry.
const DIRECTORY_ENTRY_SIZE: u64 = 32;

/// Characters of a long file name held by one directory entry.
const LONG_NAME_CHARACTERS_PER_ENTRY: u64 = 13;

/// A lower bound of the cluster count of a FAT32 volume of `partition_sectors` with
/// `sectors_per_cluster`: assumes 32 reserved sectors (fatfs uses 8) and two FATs.
fn fat32_cluster_estimate(partition_sectors: u64, sectors_per_cluster: u64) -> u64 {
    const RESERVED_SECTORS: u64 = 32;
    const ENTRIES_PER_FAT_SECTOR: u64 = SECTOR_SIZE / 4;
    let available = partition_sectors.saturating_sub(RESERVED_SECTORS);
    let fat_sectors = (available / sectors_per_cluster + 2).div_ceil(ENTRIES_PER_FAT_SECTOR);
    available.saturating_sub(2 * fat_sectors) / sectors_per_cluster
}

/// Checks the disk layout and returns the FAT cluster size in bytes the composer uses.
///
/// The image size must be a power of two no larger than 1 TiB, the boot partition a
/// whole number of MiB, at least [`MIN_BOOT_PARTITION_SIZE`], and end inside the image.
pub fn check_layout(image_size: u64, boot_partition_size: u64) -> Result<u32, Error> {
    if !image_size.is_power_of_two() {
        return Err(Error::ImageSizeNotPowerOfTwo { size: image_size });
    }
    if image_size / SECTOR_SIZE > u64::from(u32::MAX) {
        return Err(Error::ImageTooLarge { size: image_size });
    }
    if !boot_partition_size.is_multiple_of(MIB) {
        return Err(Error::PartitionSizeNotMib {
            size: boot_partition_size,
        });
    }
    let too_small = Error::PartitionTooSmallForFat32 {
        size: boot_partition_size,
        minimum: MIN_BOOT_PARTITION_SIZE,
    };
    if boot_partition_size < MIN_BOOT_PARTITION_SIZE {
        return Err(too_small);
    }
    let required = BOOT_PARTITION_START + boot_partition_size;
    if image_size < required {
        return Err(Error::ImageTooSmall {
            image_size,
            partition_size: boot_partition_size,
            required,
        });
    }
    fat32_cluster_size(boot_partition_size).ok_or(too_small)
}

/// The largest cluster size (4 KiB down to 512 bytes) that still gives a partition of
/// `partition_size` bytes the clusters FAT32 needs; `None` if none does.
fn fat32_cluster_size(partition_size: u64) -> Option<u32> {
    let partition_sectors = partition_size / SECTOR_SIZE;
    CLUSTER_SIZES
        .iter()
        .find(|&&size| {
            fat32_cluster_estimate(partition_sectors, size / SECTOR_SIZE) >= FAT32_MIN_CLUSTERS
        })
        .map(|&size| size as u32)
}

/// Composes the image in memory: `spec.image_size` bytes (use [`write_image_file`]
/// to build large images without holding them in memory).
pub fn compose(spec: &ImageSpec) -> Result<Vec<u8>, Error> {
    spec.validate()?;
    let length = usize::try_from(spec.image_size).map_err(|_| Error::ImageTooLarge {
        size: spec.image_size,
    })?;
    let mut cursor = io::Cursor::new(vec![0u8; length]);
    compose_into(spec, &mut cursor)?;
    Ok(cursor.into_inner())
}

/// Composes the image into `target`, which must be exactly `spec.image_size` bytes
/// long and all zeros (for instance a fresh file extended with `set_len`).
pub fn compose_into<T: Read + Write + Seek>(spec: &ImageSpec, target: &mut T) -> Result<(), Error> {
    spec.validate()?;
    let cluster_size = check_layout(spec.image_size, spec.boot_partition_size)?;
    let clock = fixed_clock(spec.source_date_epoch)?;
    let length = target
        .seek(SeekFrom::End(0))
        .map_err(Error::io("measuring the image target"))?;
    if length != spec.image_size {
        return Err(Error::Io {
            context: "preparing the image target".into(),
            source: io::Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "it holds {length} bytes, not the image size {}",
                    spec.image_size
                ),
            ),
        });
    }

    let data = data_partition(spec);
    if data.is_none() && !spec.data_files.is_empty() {
        return Err(Error::Internal(format!(
            "no room for a data partition of at least {} MiB after the boot partition",
            MIN_BOOT_PARTITION_SIZE / MIB
        )));
    }
    write_partition_table(target, spec.boot_partition_size, data.clone())?;

    let start = BOOT_PARTITION_START;
    let end = start + spec.boot_partition_size;
    {
        let mut partition = StreamSlice::new(&mut *target, start, end)
            .map_err(Error::io("opening the boot partition"))?;
        format_boot_partition(&mut partition, cluster_size)?;
        write_boot_files(&mut partition, spec, clock)?;
    }
    if let Some(range) = data {
        let mut partition = StreamSlice::new(&mut *target, range.start, range.end)
            .map_err(Error::io("opening the data partition"))?;
        let cluster_size = fat32_cluster_size(range.end - range.start).unwrap_or(512);
        format_data_partition(&mut partition, range.start, cluster_size)?;
        write_data_files(&mut partition, spec, clock)?;
    }
    target.flush().map_err(Error::io("flushing the image"))
}

/// The data partition's byte range: after the boot partition (on a MiB boundary) to the end
/// of the disk, if at least the FAT32 minimum remains.
pub fn data_partition(spec: &ImageSpec) -> Option<std::ops::Range<u64>> {
    let start = BOOT_PARTITION_START + spec.boot_partition_size;
    let end = spec.image_size;
    (end.saturating_sub(start) >= MIN_BOOT_PARTITION_SIZE).then_some(start..end)
}

/// Formats the data partition as FAT32 (label `PIPYDATA`, fixed volume id, the largest
/// cluster FAT32 allows there: fewer FAT updates per byte written) and records its offset in
/// the boot sectors.
fn format_data_partition<T: Read + Write + Seek>(
    partition: &mut T,
    offset: u64,
    cluster_size: u32,
) -> Result<(), Error> {
    let mut label = [b' '; 11];
    label[..DATA_VOLUME_LABEL.len()].copy_from_slice(DATA_VOLUME_LABEL.as_bytes());
    let options = FormatVolumeOptions::new()
        .bytes_per_cluster(cluster_size)
        .fat_type(FatType::Fat32)
        .sectors_per_track(CHS_SECTORS_PER_TRACK.into())
        .heads(CHS_HEADS.into())
        .volume_id(DATA_VOLUME_ID)
        .volume_label(label);
    partition
        .seek(SeekFrom::Start(0))
        .and_then(|_| fatfs::format_volume(&mut *partition, options))
        .map_err(Error::io("formatting the data partition as FAT32"))?;
    patch_hidden_sectors(partition, offset).map_err(Error::io("writing the data boot sector"))
}

/// Writes `spec.data_files` into the data partition, creating directories on the way.
fn write_data_files<T: Read + Write + Seek>(
    partition: &mut T,
    spec: &ImageSpec,
    clock: &'static FixedClock,
) -> Result<(), Error> {
    let file_system = FileSystem::new(&mut *partition, FsOptions::new().time_provider(clock))
        .map_err(Error::io("opening the new data file system"))?;
    {
        let root = file_system.root_dir();
        let mut files: Vec<&(String, Vec<u8>)> = spec.data_files.iter().collect();
        files.sort_by(|left, right| left.0.cmp(&right.0));
        for (path, contents) in files {
            let context = format!("writing {path} into the data partition");
            let parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
            let Some((name, directories)) = parts.split_last() else {
                continue;
            };
            let mut directory = root.clone();
            for part in directories {
                directory = match directory.open_dir(part) {
                    Ok(existing) => existing,
                    Err(_) => directory
                        .create_dir(part)
                        .map_err(Error::io(context.clone()))?,
                };
            }
            let mut handle = directory
                .create_file(name)
                .map_err(Error::io(context.clone()))?;
            handle
                .write_all(contents)
                .and_then(|()| handle.flush())
                .map_err(Error::io(context))?;
        }
    }
    file_system
        .unmount()
        .map_err(Error::io("closing the data partition"))
}

/// Composes the image straight into a sparse file at `path`: the file is extended
/// to the image size without writing (so the free space stays holes) and only the
/// partition table, the FAT structures and the files are written. The file appears
/// under its name only once complete.
pub fn write_image_file(spec: &ImageSpec, path: &Path) -> Result<(), Error> {
    spec.validate()?;
    let file_name = path.file_name().ok_or_else(|| Error::Io {
        context: format!("writing {}", path.display()),
        source: io::Error::new(ErrorKind::InvalidInput, "the path names no file"),
    })?;
    let temporary = path.with_file_name(format!(".{}.partial", file_name.to_string_lossy()));
    let context = format!("writing {}", path.display());
    let result = write_to_new_file(spec, &temporary, &context)
        .and_then(|()| fs::rename(&temporary, path).map_err(Error::io(context)));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Creates `path`, sizes it to the image and composes into it.
fn write_to_new_file(spec: &ImageSpec, path: &Path, context: &str) -> Result<(), Error> {
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(Error::io(context))?;
    file.set_len(spec.image_size).map_err(Error::io(context))?;
    compose_into(spec, &mut file)?;
    file.sync_all().map_err(Error::io(context))
}

/// Turns an mbrman error into ours.
fn mbr_error(context: &str, error: mbrman::Error) -> Error {
    match error {
        mbrman::Error::Io(source) => Error::Io {
            context: context.to_string(),
            source,
        },
        other => Error::Internal(format!("{context}: {other}")),
    }
}

/// The CHS address of `lba` for the usual 255-head, 63-sector geometry, or the
/// largest CHS address when `lba` is past what CHS can express.
fn chs_address(lba: u32) -> CHS {
    CHS::from_lba_exact(lba, 1023, CHS_HEADS, CHS_SECTORS_PER_TRACK).unwrap_or(CHS::new(
        1023,
        CHS_HEADS - 1,
        CHS_SECTORS_PER_TRACK,
    ))
}

/// Writes the MBR: disk signature, partition 1 = bootable FAT32 LBA at 4 MiB.
fn write_partition_table<T: Write + Seek>(
    target: &mut T,
    boot_partition_size: u64,
    data: Option<std::ops::Range<u64>>,
) -> Result<(), Error> {
    let context = "writing the partition table";
    let mut mbr = MBR::new_from(target, SECTOR_SIZE as u32, DISK_SIGNATURE.to_le_bytes())
        .map_err(|error| mbr_error(context, error))?;
    let starting_lba = (BOOT_PARTITION_START / SECTOR_SIZE) as u32;
    let sectors = (boot_partition_size / SECTOR_SIZE) as u32;
    mbr[1] = MBRPartitionEntry {
        boot: BOOT_ACTIVE,
        first_chs: chs_address(starting_lba),
        sys: BOOT_PARTITION_TYPE,
        last_chs: chs_address(starting_lba + sectors - 1),
        starting_lba,
        sectors,
    };
    if let Some(range) = data {
        let starting_lba = (range.start / SECTOR_SIZE) as u32;
        let sectors = ((range.end - range.start) / SECTOR_SIZE) as u32;
        mbr[2] = MBRPartitionEntry {
            boot: 0,
            first_chs: chs_address(starting_lba),
            sys: BOOT_PARTITION_TYPE,
            last_chs: chs_address(starting_lba + sectors - 1),
            starting_lba,
            sectors,
        };
    }
    mbr.write_into(target)
        .map_err(|error| mbr_error(context, error))
}

/// Formats the partition as FAT32 with the fixed label and volume id, and records
/// the partition offset in the BPB "hidden sectors" field of both boot sectors.
fn format_boot_partition<T: Read + Write + Seek>(
    partition: &mut T,
    cluster_size: u32,
) -> Result<(), Error> {
    let mut label = [b' '; 11];
    label[..VOLUME_LABEL.len()].copy_from_slice(VOLUME_LABEL.as_bytes());
    let options = FormatVolumeOptions::new()
        .bytes_per_cluster(cluster_size)
        .fat_type(FatType::Fat32)
        .sectors_per_track(CHS_SECTORS_PER_TRACK.into())
        .heads(CHS_HEADS.into())
        .volume_id(VOLUME_ID)
        .volume_label(label);
    partition
        .seek(SeekFrom::Start(0))
        .and_then(|_| fatfs::format_volume(&mut *partition, options))
        .map_err(Error::io("formatting the boot partition as FAT32"))?;

    patch_hidden_sectors(partition, BOOT_PARTITION_START)
        .map_err(Error::io("writing the boot sector"))
}

/// Records a partition's offset (`offset` bytes into the disk) in the BPB "hidden sectors"
/// field of its boot sector and of the backup boot sector.
fn patch_hidden_sectors<T: Read + Write + Seek>(partition: &mut T, offset: u64) -> io::Result<()> {
    let hidden_sectors = ((offset / SECTOR_SIZE) as u32).to_le_bytes();
    partition.seek(SeekFrom::Start(BPB_BACKUP_BOOT_SECTOR_OFFSET))?;
    let mut backup = [0u8; 2];
    partition.read_exact(&mut backup)?;
    let backup_sector = u64::from(u16::from_le_bytes(backup));
    partition.seek(SeekFrom::Start(BPB_HIDDEN_SECTORS_OFFSET))?;
    partition.write_all(&hidden_sectors)?;
    if backup_sector != 0 {
        partition.seek(SeekFrom::Start(
            backup_sector * SECTOR_SIZE + BPB_HIDDEN_SECTORS_OFFSET,
        ))?;
        partition.write_all(&hidden_sectors)?;
    }
    partition.seek(SeekFrom::Start(0)).map(|_| ())
}

/// Space the files take in the root directory, in directory entries: the volume
/// label, and per file one short entry plus the long-name entries.
fn directory_entries(files: &[BootFile]) -> u64 {
    1 + files
        .iter()
        .map(|file| 1 + (file.name.len() as u64).div_ceil(LONG_NAME_CHARACTERS_PER_ENTRY))
        .sum::<u64>()
}

/// Checks that `files` fit into the free clusters of the new file system.
fn check_fit(
    files: &[BootFile],
    cluster_size: u32,
    free_clusters: u32,
    partition_size: u64,
) -> Result<(), Error> {
    let cluster_bytes = u64::from(cluster_size);
    let total: u64 = files.iter().map(|file| file.contents.len() as u64).sum();
    let data_clusters: u64 = files
        .iter()
        .map(|file| (file.contents.len() as u64).div_ceil(cluster_bytes))
        .sum();
    let directory_clusters =
        (directory_entries(files) * DIRECTORY_ENTRY_SIZE).div_ceil(cluster_bytes);
    // The root directory already owns its first cluster.
    let needed_clusters = data_clusters + directory_clusters.saturating_sub(1);
    let free_clusters = u64::from(free_clusters);
    if needed_clusters > free_clusters {
        return Err(Error::FilesDoNotFit {
            total,
            needed: needed_clusters * cluster_bytes,
            available: free_clusters * cluster_bytes,
            cluster_size,
            partition_size,
        });
    }
    Ok(())
}

/// Writes the boot files of `spec`, in sorted order, into the root directory.
///
/// The fit check runs before the `VERSION` manifest hashes anything, so an
/// oversized input fails fast.
fn write_boot_files<T: Read + Write + Seek>(
    partition: &mut T,
    spec: &ImageSpec,
    clock: &'static FixedClock,
) -> Result<(), Error> {
    let file_system = FileSystem::new(&mut *partition, FsOptions::new().time_provider(clock))
        .map_err(Error::io("opening the new FAT32 file system"))?;
    if file_system.fat_type() != FatType::Fat32 {
        return Err(Error::Internal(format!(
            "the boot partition was formatted as {:?}, not FAT32",
            file_system.fat_type()
        )));
    }
    let stats = file_system
        .stats()
        .map_err(Error::io("reading the free space of the boot partition"))?;

    let mut files = spec.payload_files();
    let placeholder = spec.version_manifest(&files, false).render();
    files.push(BootFile::new(VERSION_FILE_NAME, placeholder.into_bytes()));
    check_fit(
        &files,
        stats.cluster_size(),
        stats.free_clusters(),
        spec.boot_partition_size,
    )?;
    files.pop();
    let manifest = spec.version_manifest(&files, true).render();
    files.push(BootFile::new(VERSION_FILE_NAME, manifest.into_bytes()));
    files.sort_by(|left, right| left.name.cmp(&right.name));

    {
        let root = file_system.root_dir();
        for file in &files {
            let context = format!("writing {} into the boot partition", file.name);
            let mut handle = root
                .create_file(&file.name)
                .map_err(Error::io(context.clone()))?;
            handle
                .write_all(&file.contents)
                .and_then(|()| handle.flush())
                .map_err(Error::io(context))?;
        }
    }
    file_system
        .unmount()
        .map_err(Error::io("closing the boot partition"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_size_choice() {
        assert_eq!(check_layout(256 * MIB, 64 * MIB).unwrap(), 512);
        assert_eq!(check_layout(64 * MIB, 40 * MIB).unwrap(), 512);
        assert_eq!(check_layout(64 * MIB, 33 * MIB).unwrap(), 512);
        assert_eq!(check_layout(512 * MIB, 256 * MIB).unwrap(), 2048);
        assert_eq!(check_layout(1024 * MIB, 512 * MIB).unwrap(), 4096);
    }

    #[test]
    fn minimum_partition_is_33_mib() {
        assert!(check_layout(64 * MIB, MIN_BOOT_PARTITION_SIZE).is_ok());
        assert!(matches!(
            check_layout(64 * MIB, MIN_BOOT_PARTITION_SIZE - MIB),
            Err(Error::PartitionTooSmallForFat32 { .. })
        ));
        assert!(fat32_cluster_estimate(32 * MIB / SECTOR_SIZE, 1) < FAT32_MIN_CLUSTERS);
    }

    #[test]
    fn layout_errors() {
        assert!(matches!(
            check_layout(100 * MIB, 64 * MIB),
            Err(Error::ImageSizeNotPowerOfTwo { .. })
        ));
        assert!(matches!(
            check_layout(0, 64 * MIB),
            Err(Error::ImageSizeNotPowerOfTwo { .. })
        ));
        assert!(matches!(
            check_layout(64 * MIB, 64 * MIB),
            Err(Error::ImageTooSmall { .. })
        ));
        assert!(matches!(
            check_layout(4 << 40, 64 * MIB),
            Err(Error::ImageTooLarge { .. })
        ));
        assert!(matches!(
            check_layout(256 * MIB, 64 * MIB + 512),
            Err(Error::PartitionSizeNotMib { .. })
        ));
    }

    #[test]
    fn chs_addresses() {
        let start = chs_address(8192);
        assert_eq!((start.cylinder, start.head, start.sector), (0, 130, 3));
        let far = chs_address(u32::MAX);
        assert_eq!((far.cylinder, far.head, far.sector), (1023, 254, 63));
    }
}
