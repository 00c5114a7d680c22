//! Composes images and reads them back through the library's own reader and fatfs.

mod common;

use std::io::Cursor;

use common::{firmware, full_spec, small_spec};
use images::{
    compose, inspect_boot_volume, list_boot_files, load_firmware_dir, read_boot_file,
    read_input_file, read_partition_table, render_config_txt, sha256_hex, write_image_file,
    ConfigOptions, Error, ImageSpec, VersionManifest, BOOT_PARTITION_START, DISK_SIGNATURE, MIB,
    VOLUME_ID,
};

fn read(image: &[u8], name: &str) -> Vec<u8> {
    read_boot_file(Cursor::new(image), name).unwrap()
}

fn read_text(image: &[u8], name: &str) -> String {
    String::from_utf8(read(image, name)).unwrap()
}

#[test]
fn partition_table_fields() {
    let image = compose(&small_spec()).unwrap();
    assert_eq!(image.len() as u64, 64 * MIB);
    let partition = read_partition_table(Cursor::new(&image[..])).unwrap();
    assert_eq!(partition.partition_type, 0x0c);
    assert!(partition.bootable);
    assert_eq!(partition.start_sector, 8192);
    assert_eq!(partition.sector_count, (40 * MIB / 512) as u32);
    assert_eq!(partition.disk_signature, DISK_SIGNATURE);

    // The raw MBR bytes, as the firmware and QEMU see them.
    assert_eq!(&image[440..444], &[0x79, 0x50, 0x69, 0x50]);
    assert_eq!(&image[510..512], &[0x55, 0xaa]);
    assert_eq!(image[446], 0x80, "bootable flag");
    assert_eq!(image[446 + 4], 0x0c, "partition type");
    assert_eq!(&image[446 + 8..446 + 12], &8192u32.to_le_bytes());
    assert_eq!(&image[446 + 12..446 + 16], &81920u32.to_le_bytes());
    assert!(
        image[462..510].iter().all(|&byte| byte == 0),
        "partitions 2-4 are empty"
    );
}

#[test]
fn unused_space_is_zero() {
    let image = compose(&small_spec()).unwrap();
    let start = BOOT_PARTITION_START as usize;
    let end = start + 40 * MIB as usize;
    assert!(
        image[512..start].iter().all(|&byte| byte == 0),
        "gap before the partition"
    );
    assert!(
        image[end..].iter().all(|&byte| byte == 0),
        "space after the partition"
    );
    // The FAT boot sector records the partition offset as hidden sectors.
    assert_eq!(&image[start + 0x1c..start + 0x20], &8192u32.to_le_bytes());
    assert_eq!(&image[start + 510..start + 512], &[0x55, 0xaa]);
}

#[test]
fn boot_volume_is_fat32_with_fixed_label_and_id() {
    let image = compose(&small_spec()).unwrap();
    let info = inspect_boot_volume(Cursor::new(&image[..])).unwrap();
    assert!(info.is_fat32);
    assert_eq!(info.label, "PIPYOS");
    assert_eq!(info.volume_id, VOLUME_ID);
    assert_eq!(info.cluster_size, 512);
    assert!(info.total_clusters >= 65_525);
}

#[test]
fn every_file_equals_its_input() {
    let spec = full_spec();
    let image = compose(&spec).unwrap();
    assert_eq!(read(&image, "kernel.img"), spec.kernel);
    assert_eq!(read(&image, "initfs.cpio"), spec.initfs.clone().unwrap());
    for (name, contents) in &spec.firmware {
        assert_eq!(&read(&image, name), contents, "{name}");
    }
    // FAT names are case-insensitive.
    assert_eq!(read(&image, "KERNEL.IMG"), spec.kernel);

    let listed = list_boot_files(Cursor::new(&image[..])).unwrap();
    let names: Vec<&str> = listed.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "LICENCE.broadcom",
            "VERSION",
            "bootcode.bin",
            "config.txt",
            "fixup.dat",
            "initfs.cpio",
            "kernel.img",
            "start.elf"
        ]
    );
    for (name, size) in &listed {
        assert_eq!(read(&image, name).len() as u64, *size, "{name}");
    }
}

#[test]
fn default_config_without_initfs() {
    let image = compose(&small_spec()).unwrap();
    let config = read_text(&image, "config.txt");
    assert_eq!(config, render_config_txt(&ConfigOptions::for_image(false)));
    assert!(!config.contains("initramfs"));
    assert!(config
        .starts_with("# PiPyOS boot configuration (Raspberry Pi 1 / Zero)\nkernel=kernel.img\n"));
}

#[test]
fn default_config_with_initfs() {
    let mut spec = small_spec();
    spec.initfs = Some(b"070701".to_vec());
    let image = compose(&spec).unwrap();
    let config = read_text(&image, "config.txt");
    assert_eq!(config, render_config_txt(&ConfigOptions::for_image(true)));
    assert!(config.contains("\nkernel_address=0x8000\ninitramfs initfs.cpio 0x2000000\n"));
}

#[test]
fn given_config_is_used_verbatim() {
    let mut spec = small_spec();
    spec.config_txt = Some("arm_freq=700\r\nno newline at end".to_string());
    let image = compose(&spec).unwrap();
    assert_eq!(
        read_text(&image, "config.txt"),
        "arm_freq=700\r\nno newline at end"
    );
}

#[test]
fn version_manifest_lists_every_other_file() {
    let spec = full_spec();
    let image = compose(&spec).unwrap();
    let text = read_text(&image, "VERSION");
    assert!(text.starts_with(
        "name=pipyos\nversion=1.2.3\ngit_revision=0123abc-dirty\nsource_date_epoch=1700000000\nsha256 "
    ));
    let manifest = VersionManifest::parse(&text).unwrap();
    assert_eq!(manifest.version, "1.2.3");
    assert_eq!(manifest.git_revision.as_deref(), Some("0123abc-dirty"));
    assert_eq!(manifest.source_date_epoch, 1_700_000_000);
    assert_eq!(
        manifest.render(),
        text,
        "the manifest renders back identically"
    );

    let listed: Vec<String> = list_boot_files(Cursor::new(&image[..]))
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name != "VERSION")
        .collect();
    let named: Vec<String> = manifest
        .files
        .iter()
        .map(|entry| entry.name.clone())
        .collect();
    assert_eq!(named, listed, "one line per other file, sorted");
    for entry in &manifest.files {
        let contents = read(&image, &entry.name);
        assert_eq!(entry.size, contents.len() as u64, "{}", entry.name);
        assert_eq!(entry.sha256, sha256_hex(&contents), "{}", entry.name);
    }
    let kernel_line = format!("sha256 {}  kernel.img  70000\n", sha256_hex(&spec.kernel));
    assert!(text.contains(&kernel_line), "{text}");
}

#[test]
fn version_manifest_without_revision_says_unknown() {
    let image = compose(&small_spec()).unwrap();
    assert!(read_text(&image, "VERSION").contains("\ngit_revision=unknown\n"));
}

#[test]
fn composing_is_deterministic() {
    let first = compose(&full_spec()).unwrap();
    let second = compose(&full_spec()).unwrap();
    assert!(first == second, "two composes differ");

    let mut reordered = full_spec();
    reordered.firmware.reverse();
    assert!(
        compose(&reordered).unwrap() == first,
        "firmware order changed the image"
    );

    let mut later = full_spec();
    later.source_date_epoch += 86_400;
    assert!(
        compose(&later).unwrap() != first,
        "the epoch must show in the image"
    );
}

#[test]
fn file_output_equals_memory_output() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("out.img");
    let spec = full_spec();
    write_image_file(&spec, &path).unwrap();
    let written = std::fs::read(&path).unwrap();
    assert!(written == compose(&spec).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(directory.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

/// A FAT timestamp as (year, month, day, hour, minute, second).
type Stamp = (u16, u16, u16, u16, u16, u16);

/// (year, month, day, hour, minute, second) of the created, modified and accessed
/// stamps of every file in the root of the boot partition, read with fatfs directly.
fn file_timestamps(image: Vec<u8>, partition_size: u64) -> Vec<[Stamp; 3]> {
    use std::io::Seek;

    use fatfs::{FileSystem, FsOptions};
    use fscommon::StreamSlice;

    let start = BOOT_PARTITION_START;
    let mut slice = StreamSlice::new(Cursor::new(image), start, start + partition_size).unwrap();
    slice.rewind().unwrap();
    let file_system = FileSystem::new(&mut slice, FsOptions::new()).unwrap();
    let stamp = |moment: fatfs::DateTime| {
        let (date, time) = (moment.date, moment.time);
        (
            date.year, date.month, date.day, time.hour, time.min, time.sec,
        )
    };
    let stamps = file_system
        .root_dir()
        .iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.is_file())
        .map(|entry| {
            let accessed = entry.accessed();
            [
                stamp(entry.created()),
                stamp(entry.modified()),
                (accessed.year, accessed.month, accessed.day, 0, 0, 0),
            ]
        })
        .collect();
    stamps
}

#[test]
fn timestamps_come_from_source_date_epoch() {
    let stamps = file_timestamps(compose(&small_spec()).unwrap(), 40 * MIB);
    assert_eq!(stamps.len(), 3);
    // 1700000000 = 2023-11-14 22:13:20 UTC.
    for stamp in stamps {
        assert_eq!(
            stamp,
            [
                (2023, 11, 14, 22, 13, 20),
                (2023, 11, 14, 22, 13, 20),
                (2023, 11, 14, 0, 0, 0)
            ]
        );
    }
}

#[test]
fn epochs_before_1980_are_clamped() {
    let mut spec = small_spec();
    spec.source_date_epoch = 0;
    let image = compose(&spec).unwrap();
    assert!(read_text(&image, "VERSION").contains("\nsource_date_epoch=0\n"));
    for stamp in file_timestamps(image, 40 * MIB) {
        assert_eq!(
            stamp,
            [
                (1980, 1, 1, 0, 0, 0),
                (1980, 1, 1, 0, 0, 0),
                (1980, 1, 1, 0, 0, 0)
            ]
        );
    }
}

#[test]
fn default_spec_gives_a_256_mib_image_with_a_64_mib_partition() {
    let image = compose(&ImageSpec::new(b"k".to_vec(), "0.1.0")).unwrap();
    assert_eq!(image.len() as u64, 256 * MIB);
    let partition = read_partition_table(Cursor::new(&image[..])).unwrap();
    assert_eq!(partition.size(), 64 * MIB);
    assert_eq!(partition.start_offset(), 4 * MIB);
}

#[test]
fn error_missing_kernel_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("no-kernel.img");
    let error = read_input_file(&path, "kernel file").unwrap_err();
    assert!(matches!(error, Error::MissingInput { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("kernel file") && message.contains("no-kernel.img"),
        "{message}"
    );
}

#[test]
fn error_empty_kernel() {
    let mut spec = small_spec();
    spec.kernel.clear();
    let error = compose(&spec).unwrap_err();
    assert!(matches!(error, Error::EmptyKernel));
    assert_eq!(error.to_string(), "the kernel image is empty");
}

#[test]
fn error_size_not_power_of_two() {
    let mut spec = small_spec();
    spec.image_size = 96 * MIB;
    let error = compose(&spec).unwrap_err();
    assert!(
        matches!(error, Error::ImageSizeNotPowerOfTwo { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("96 MiB is not a power of two"),
        "{error}"
    );
}

#[test]
fn error_image_too_small_for_partition() {
    let mut spec = small_spec();
    spec.boot_partition_size = 62 * MIB;
    let error = compose(&spec).unwrap_err();
    assert!(matches!(error, Error::ImageTooSmall { .. }), "{error}");
    assert!(error.to_string().contains("at least 66 MiB"), "{error}");
}

#[test]
fn error_partition_too_small_for_fat32() {
    let mut spec = small_spec();
    spec.boot_partition_size = 32 * MIB;
    let error = compose(&spec).unwrap_err();
    assert!(
        matches!(error, Error::PartitionTooSmallForFat32 { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("at least 33 MiB"), "{error}");
}

#[test]
fn error_files_do_not_fit() {
    let mut spec = small_spec();
    spec.kernel = vec![0x5a; 30 * MIB as usize];
    spec.initfs = Some(vec![0xa5; 10 * MIB as usize]);
    let error = compose(&spec).unwrap_err();
    let Error::FilesDoNotFit { total, .. } = &error else {
        panic!("unexpected error {error}");
    };
    assert!(*total > 40 * MIB);
    let message = error.to_string();
    assert!(
        message.contains(&format!("total {total} bytes")),
        "{message}"
    );
    assert!(message.contains("40 MiB boot partition"), "{message}");
}

#[test]
fn files_that_just_fit_are_written() {
    let mut spec = small_spec();
    spec.kernel = vec![0x5a; 38 * MIB as usize];
    let image = compose(&spec).unwrap();
    assert!(read(&image, "kernel.img") == spec.kernel);
}

#[test]
fn error_firmware_dir_missing_start_elf() {
    let directory = tempfile::tempdir().unwrap();
    for (name, contents) in firmware() {
        if name != "start.elf" {
            std::fs::write(directory.path().join(name), contents).unwrap();
        }
    }
    let error = load_firmware_dir(directory.path()).unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingFirmwareFile {
                name: "start.elf",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("start.elf"), "{error}");

    std::fs::write(directory.path().join("start.elf"), b"elf").unwrap();
    std::fs::write(directory.path().join("start_x.elf"), b"not taken").unwrap();
    let loaded = load_firmware_dir(directory.path()).unwrap();
    let names: Vec<&str> = loaded.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["bootcode.bin", "start.elf", "fixup.dat", "LICENCE.broadcom"]
    );
}

#[test]
fn error_firmware_dir_absent() {
    let directory = tempfile::tempdir().unwrap();
    let error = load_firmware_dir(&directory.path().join("nowhere")).unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingInput {
                what: "firmware directory",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn error_bad_version() {
    for version in ["", "1.0 beta", "1/2", "vé"] {
        let mut spec = small_spec();
        spec.version = version.to_string();
        let error = compose(&spec).unwrap_err();
        assert!(
            matches!(error, Error::BadVersion { .. }),
            "{version:?}: {error}"
        );
        assert!(
            error.to_string().contains("[A-Za-z0-9._+-]")
                || error.to_string().contains("A-Z a-z 0-9")
        );
    }
}

#[test]
fn error_bad_git_revision() {
    let mut spec = small_spec();
    spec.git_revision = Some("abc def".to_string());
    assert!(matches!(compose(&spec), Err(Error::BadGitRevision { .. })));
}

#[test]
fn error_bad_source_date_epoch() {
    let mut spec = small_spec();
    spec.source_date_epoch = images::MAX_SOURCE_DATE_EPOCH + 1;
    let error = compose(&spec).unwrap_err();
    assert!(matches!(error, Error::BadSourceDateEpoch { .. }), "{error}");
    assert!(matches!(
        images::parse_source_date_epoch("yesterday"),
        Err(Error::BadSourceDateEpoch { .. })
    ));
}

#[test]
fn reader_errors() {
    let image = compose(&small_spec()).unwrap();
    let error = read_boot_file(Cursor::new(&image[..]), "start.elf").unwrap_err();
    assert!(matches!(error, Error::FileNotFound { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "the boot partition has no file start.elf"
    );

    let garbage = vec![0u8; 4096];
    let error = list_boot_files(Cursor::new(&garbage[..])).unwrap_err();
    assert!(matches!(error, Error::BadImage { .. }), "{error}");

    let mut truncated = image.clone();
    truncated.truncate(8 * MIB as usize);
    let error = list_boot_files(Cursor::new(&truncated[..])).unwrap_err();
    assert!(matches!(error, Error::BadImage { .. }), "{error}");

    let mut wiped = image;
    let start = BOOT_PARTITION_START as usize;
    wiped[start..start + 512].fill(0);
    let error = list_boot_files(Cursor::new(&wiped[..])).unwrap_err();
    assert!(matches!(error, Error::BadImage { .. }), "{error}");
}
