//! The FAT stack against in-memory disks: the composer's image, fresh volumes, corrupt ones.
use std::cell::RefCell;
use std::io::Cursor;
use std::rc::Rc;

use sdfat::{mbr, FatVolume, MemoryDevice, SharedDevice, BLOCK_SIZE};
use vfscore::{Error, FileSystem, OpenOptions, SeekFrom};

/// A disk of `megabytes` with one FAT32 partition from block 2048 to the end.
fn fresh_disk(megabytes: usize) -> (SharedDevice, u64, u64) {
    let mut bytes = vec![0u8; megabytes << 20];
    let first = 2048u64;
    let count = (bytes.len() / BLOCK_SIZE) as u64 - first;
    // The partition table: one FAT32 LBA entry.
    let entry = 446;
    bytes[entry + 4] = 0x0c;
    bytes[entry + 8..entry + 12].copy_from_slice(&(first as u32).to_le_bytes());
    bytes[entry + 12..entry + 16].copy_from_slice(&(count as u32).to_le_bytes());
    bytes[510] = 0x55;
    bytes[511] = 0xAA;
    let start = first as usize * BLOCK_SIZE;
    let mut partition = Cursor::new(bytes[start..].to_vec());
    fatfs::format_volume(
        &mut partition,
        fatfs::FormatVolumeOptions::new()
            .fat_type(fatfs::FatType::Fat32)
            .volume_label(*b"PIPYDATA   "),
    )
    .unwrap();
    bytes[start..].copy_from_slice(partition.get_ref());
    let device: SharedDevice = Rc::new(RefCell::new(MemoryDevice::new(bytes)));
    (device, first, count)
}

fn mount(device: &SharedDevice, first: u64, count: u64) -> FatVolume {
    FatVolume::mount(Rc::clone(device), first, count, "fat", 1).unwrap()
}

fn write_options() -> OpenOptions {
    OpenOptions::from_flags(vfscore::O_WRONLY | vfscore::O_CREAT | vfscore::O_TRUNC).unwrap()
}

fn write_file(volume: &FatVolume, path: &str, data: &[u8]) {
    let mut file = volume.open(path, &write_options()).unwrap();
    file.write(data).unwrap();
    file.close().unwrap();
}

fn read_file(volume: &FatVolume, path: &str) -> Result<Vec<u8>, Error> {
    let mut file = volume.open(path, &OpenOptions::read_only())?;
    let mut data = Vec::new();
    let mut chunk = [0u8; 3000];
    loop {
        let count = file.read(&mut chunk)?;
        if count == 0 {
            break;
        }
        data.extend_from_slice(&chunk[..count]);
    }
    file.close()?;
    Ok(data)
}

#[test]
fn the_composers_boot_partition_lists_the_kernel() {
    let mut spec = images::ImageSpec::new(b"KERNEL".repeat(1000), "9.9.9");
    spec.image_size = 128 << 20;
    let image = images::compose(&spec).unwrap();
    let device: SharedDevice = Rc::new(RefCell::new(MemoryDevice::new(image)));
    let mut block0 = [0u8; BLOCK_SIZE];
    device.borrow_mut().read_blocks(0, &mut block0).unwrap();
    let count = device.borrow().block_count();
    let partitions = mbr::parse(&block0, count).unwrap();
    let boot = partitions[0];
    assert!(boot.is_fat());
    let volume = FatVolume::mount(device, boot.first_block, boot.block_count, "boot", 1).unwrap();
    assert_eq!(volume.label(), "PIPYOS");
    let names: Vec<String> = volume
        .read_dir("/")
        .unwrap()
        .into_iter()
        .map(|entry| entry.name)
        .collect();
    assert!(names.iter().any(|name| name == "kernel.img"), "{names:?}");
    assert_eq!(
        read_file(&volume, "/kernel.img").unwrap(),
        b"KERNEL".repeat(1000)
    );
    assert_eq!(volume.metadata("/KERNEL.IMG").unwrap().size, 6000);
}

#[test]
fn files_survive_a_remount_and_every_call_works() {
    let (device, first, count) = fresh_disk(40);
    {
        let volume = mount(&device, first, count);
        assert_eq!(volume.label(), "PIPYDATA");
        volume.create_dir("/logs").unwrap();
        assert_eq!(volume.create_dir("/logs"), Err(Error::AlreadyExists));
        let big: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        write_file(&volume, "/logs/A long file name.txt", &big);
        write_file(&volume, "/small", b"hello");
        // Append mode adds at the end.
        let mut file = volume
            .open(
                "/small",
                &OpenOptions::from_flags(vfscore::O_WRONLY | vfscore::O_APPEND).unwrap(),
            )
            .unwrap();
        file.write(b", world").unwrap();
        file.close().unwrap();
        volume.rename("/small", "/greeting").unwrap();
        write_file(&volume, "/other", b"x");
        // Rename over an existing file replaces it.
        volume.rename("/other", "/greeting2").unwrap();
        volume.rename("/greeting2", "/other2").unwrap();
        volume.remove_file("/other2").unwrap();
        assert_eq!(volume.remove_file("/other2"), Err(Error::NotFound));
        assert_eq!(volume.remove_dir("/logs"), Err(Error::DirectoryNotEmpty));
        let stats = volume.statvfs().unwrap();
        assert!(stats.blocks_free < stats.blocks && stats.blocks_free > 0);
        volume.sync().unwrap();
    }
    // A fresh mount over the same blocks sees everything (as after a reboot).
    let volume = mount(&device, first, count);
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert_eq!(
        read_file(&volume, "/logs/A long file name.txt").unwrap(),
        big
    );
    assert_eq!(read_file(&volume, "/greeting").unwrap(), b"hello, world");
    assert_eq!(read_file(&volume, "/small"), Err(Error::NotFound));
    let metadata = volume.metadata("/logs").unwrap();
    assert!(metadata.is_directory());
    // Seek, read, truncate.
    let mut file = volume
        .open(
            "/greeting",
            &OpenOptions::from_flags(vfscore::O_RDWR).unwrap(),
        )
        .unwrap();
    assert_eq!(file.seek(SeekFrom::Start(7)).unwrap(), 7);
    let mut word = [0u8; 5];
    assert_eq!(file.read(&mut word).unwrap(), 5);
    assert_eq!(&word, b"world");
    file.truncate(5).unwrap();
    assert_eq!(file.metadata().unwrap().size, 5);
    file.close().unwrap();
    assert_eq!(read_file(&volume, "/greeting").unwrap(), b"hello");
    assert_eq!(
        volume.open("/logs", &OpenOptions::read_only()).err(),
        Some(Error::IsADirectory)
    );
    assert_eq!(
        volume.open("/missing/file", &write_options()).err(),
        Some(Error::NotFound)
    );
}

#[test]
fn a_write_protected_card_gives_errors_not_panics() {
    let (device, first, count) = fresh_disk(40);
    let volume = mount(&device, first, count);
    write_file(&volume, "/a", b"1");
    // The same device, now refusing writes (downcast by rebuilding it).
    let bytes = {
        let mut copy = vec![0u8; (device.borrow().block_count() as usize) * BLOCK_SIZE];
        device.borrow_mut().read_blocks(0, &mut copy).unwrap();
        copy
    };
    let mut protected = MemoryDevice::new(bytes);
    protected.write_protected = true;
    let device: SharedDevice = Rc::new(RefCell::new(protected));
    let volume = mount(&device, first, count);
    assert_eq!(read_file(&volume, "/a").unwrap(), b"1");
    let mut file = volume.open("/b", &write_options());
    if let Ok(file) = &mut file {
        let _ = file.write(&[0u8; 5000]);
    }
    let result = file.and_then(|file| file.close());
    assert_eq!(result, Err(Error::Io));
}

/// Corrupts a fresh volume with `damage(partition bytes, bytes per cluster, first data
/// byte)` and returns it mounted, or the mount error.
fn corrupt(damage: impl FnOnce(&mut [u8])) -> Result<FatVolume, String> {
    let (device, first, count) = fresh_disk(40);
    {
        let volume = mount(&device, first, count);
        volume.create_dir("/dir").unwrap();
        for index in 0..40 {
            write_file(
                &volume,
                &format!("/dir/file number {index}.txt"),
                &[7u8; 3000],
            );
        }
        volume.sync().unwrap();
    }
    let mut bytes = vec![0u8; count as usize * BLOCK_SIZE];
    device.borrow_mut().read_blocks(first, &mut bytes).unwrap();
    damage(&mut bytes);
    device.borrow_mut().write_blocks(first, &bytes).unwrap();
    FatVolume::mount(device, first, count, "fat", 1)
}

/// (FAT offset, bytes per cluster, first data byte, root cluster) of a FAT32 volume.
fn layout(bytes: &[u8]) -> (usize, usize, usize, u32) {
    let word = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    let long =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let bytes_per_sector = word(11);
    let sectors_per_cluster = bytes[13] as usize;
    let reserved = word(14);
    let fats = bytes[16] as usize;
    let fat_sectors = long(36) as usize;
    let fat = reserved * bytes_per_sector;
    let data = (reserved + fats * fat_sectors) * bytes_per_sector;
    (fat, bytes_per_sector * sectors_per_cluster, data, long(44))
}

#[test]
fn a_bad_boot_sector_fails_the_mount() {
    assert!(corrupt(|bytes| bytes[11..13].copy_from_slice(&[0, 0])).is_err());
    assert!(corrupt(|bytes| bytes[13] = 3).is_err());
}

#[test]
fn a_cluster_chain_loop_is_an_error_not_a_hang() {
    // The root directory's cluster chain points back to itself: listing it would never end.
    let result = corrupt(|bytes| {
        let (fat, _, _, root) = layout(bytes);
        let at = fat + root as usize * 4;
        bytes[at..at + 4].copy_from_slice(&root.to_le_bytes());
    });
    // The root ends at its first free entry before the loop matters: no hang, no panic.
    if let Ok(volume) = result {
        let listed = volume.read_dir("/");
        assert!(listed.is_ok() || listed == Err(Error::Io));
    }
    // A directory whose first (full) cluster points back to itself: listing it never ends
    // without the access budget.
    let volume = corrupt(|bytes| {
        let (fat, _, _, root) = layout(bytes);
        let entry = |cluster: usize| {
            u32::from_le_bytes(
                bytes[fat + cluster * 4..fat + cluster * 4 + 4]
                    .try_into()
                    .unwrap(),
            ) & 0x0FFF_FFFF
        };
        // /dir is the first cluster after the root; it spans several clusters.
        let first = root as usize + 1;
        assert!(
            entry(first) < 0x0FFF_FFF8,
            "the test directory spans several clusters"
        );
        let at = fat + first * 4;
        bytes[at..at + 4].copy_from_slice(&(first as u32).to_le_bytes());
    })
    .unwrap();
    assert_eq!(volume.read_dir("/dir").err(), Some(Error::Io));
    assert_eq!(volume.metadata("/dir/nothing").err(), Some(Error::Io));
}

#[test]
fn a_directory_loop_or_one_outside_the_volume_is_an_error() {
    // Every FAT entry of the data area pointing at the first data cluster after the root:
    // the sub-directory's chain loops.
    let volume = corrupt(|bytes| {
        let (fat, _, _, root) = layout(bytes);
        for cluster in (root as usize + 1)..(root as usize + 200) {
            let at = fat + cluster * 4;
            bytes[at..at + 4].copy_from_slice(&(root + 1).to_le_bytes());
        }
    })
    .unwrap();
    // No hang and no panic; whatever fails is EIO.
    for result in [
        volume.read_dir("/dir").map(drop),
        read_file(&volume, "/dir/file number 3.txt").map(drop),
    ] {
        assert!(result.is_ok() || result == Err(Error::Io), "{result:?}");
    }
    // A directory entry whose first cluster lies past the end of the volume.
    let volume = corrupt(|bytes| {
        let (_, cluster_size, data, root) = layout(bytes);
        let root_dir = data + (root as usize - 2) * cluster_size;
        // Find the "DIR" entry and point it far away.
        for entry in (root_dir..root_dir + cluster_size).step_by(32) {
            if &bytes[entry..entry + 3] == b"DIR" {
                bytes[entry + 20..entry + 22].copy_from_slice(&0x0FFFu16.to_le_bytes());
                bytes[entry + 26..entry + 28].copy_from_slice(&0xFFF0u16.to_le_bytes());
            }
        }
    })
    .unwrap();
    assert_eq!(volume.read_dir("/dir").err(), Some(Error::Io));
}

#[test]
fn the_partition_table_is_checked() {
    let mut block = [0u8; BLOCK_SIZE];
    assert_eq!(mbr::parse(&block, 100), Err(mbr::MbrError::NoSignature));
    block[510] = 0x55;
    block[511] = 0xAA;
    assert_eq!(mbr::parse(&block, 100), Ok(vec![]));
    let entry = |block: &mut [u8; BLOCK_SIZE], slot: usize, first: u32, count: u32| {
        let at = 446 + slot * 16;
        block[at + 4] = 0x0c;
        block[at + 8..at + 12].copy_from_slice(&first.to_le_bytes());
        block[at + 12..at + 16].copy_from_slice(&count.to_le_bytes());
    };
    entry(&mut block, 0, 10, 50);
    entry(&mut block, 1, 60, 40);
    assert_eq!(mbr::parse(&block, 100).unwrap().len(), 2);
    assert_eq!(mbr::parse(&block, 99), Err(mbr::MbrError::PastTheEnd(2)));
    entry(&mut block, 1, 50, 40);
    assert_eq!(mbr::parse(&block, 100), Err(mbr::MbrError::Overlap(1, 2)));
    assert_eq!(mbr::parse(&block[..100], 100), Err(mbr::MbrError::Short));
}

#[test]
fn the_composers_data_partition_is_fat32_and_prefilled() {
    let mut spec = images::ImageSpec::new(b"K".to_vec(), "1.0");
    spec.image_size = 128 << 20;
    spec.data_files = vec![
        ("main.py".to_owned(), b"print('hi')\n".to_vec()),
        ("lib/greet/__init__.py".to_owned(), b"NAME = 'x'\n".to_vec()),
    ];
    let image = images::compose(&spec).unwrap();
    let device: SharedDevice = Rc::new(RefCell::new(MemoryDevice::new(image)));
    let mut block0 = [0u8; BLOCK_SIZE];
    device.borrow_mut().read_blocks(0, &mut block0).unwrap();
    let count = device.borrow().block_count();
    let partitions = mbr::parse(&block0, count).unwrap();
    assert_eq!(partitions.len(), 2);
    let data = partitions[1];
    assert_eq!(data.first_block + data.block_count, count, "fills the disk");
    let volume = FatVolume::mount(device, data.first_block, data.block_count, "data", 2).unwrap();
    assert_eq!(volume.label(), "PIPYDATA");
    assert_eq!(read_file(&volume, "/main.py").unwrap(), b"print('hi')\n");
    assert_eq!(
        read_file(&volume, "/lib/greet/__init__.py").unwrap(),
        b"NAME = 'x'\n"
    );
    write_file(&volume, "/log.txt", b"written on the board\n");
}

/// Writes the fuzz target's seed (a small FAT12 volume with a directory and files) when
/// `SDFAT_WRITE_FUZZ_SEED=1`; otherwise checks that the committed seed still mounts.
#[test]
fn the_fuzz_seed_mounts() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/fat12.bin");
    if std::env::var_os("SDFAT_WRITE_FUZZ_SEED").is_some() {
        let mut volume = Cursor::new(vec![0u8; 96 * BLOCK_SIZE]);
        fatfs::format_volume(
            &mut volume,
            fatfs::FormatVolumeOptions::new()
                .fat_type(fatfs::FatType::Fat12)
                .bytes_per_cluster(512)
                .volume_label(*b"SEED       "),
        )
        .unwrap();
        let bytes = volume.into_inner();
        let device: SharedDevice = Rc::new(RefCell::new(MemoryDevice::new(bytes)));
        let mounted = FatVolume::mount(Rc::clone(&device), 0, 96, "seed", 1).unwrap();
        mounted.create_dir("/sub").unwrap();
        write_file(&mounted, "/sub/a long name.txt", b"seed data");
        write_file(&mounted, "/top", &[1u8; 1500]);
        mounted.sync().unwrap();
        let mut bytes = vec![0u8; 96 * BLOCK_SIZE];
        device.borrow_mut().read_blocks(0, &mut bytes).unwrap();
        std::fs::write(seed, bytes).unwrap();
    }
    let bytes = std::fs::read(seed).unwrap();
    let blocks = (bytes.len() / BLOCK_SIZE) as u64;
    let device: SharedDevice = Rc::new(RefCell::new(MemoryDevice::new(bytes)));
    let volume = FatVolume::mount(device, 0, blocks, "seed", 1).unwrap();
    assert_eq!(
        read_file(&volume, "/sub/a long name.txt").unwrap(),
        b"seed data"
    );
}
