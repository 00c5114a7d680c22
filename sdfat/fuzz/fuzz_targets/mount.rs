//! Fuzz target: arbitrary bytes as a disk partition; mount it as FAT and, when that works,
//! walk its directories and read its files. Nothing may panic or hang.
//!
//! A mounted volume is leaked by design (the kernel mounts once per boot), so every run
//! reuses one device and only the small file-system state is leaked: run with
//! `-detect_leaks=0`.
#![no_main]

use std::cell::RefCell;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use sdfat::{FatVolume, MemoryDevice, SharedDevice, BLOCK_SIZE};
use vfscore::{FileKind, FileSystem, OpenOptions};

thread_local! {
    static DEVICE: Rc<RefCell<MemoryDevice>> = Rc::new(RefCell::new(MemoryDevice::new(Vec::new())));
}

fuzz_target!(|bytes: &[u8]| {
    let mut disk = bytes.to_vec();
    disk.resize(disk.len().div_ceil(BLOCK_SIZE).max(1) * BLOCK_SIZE, 0);
    let blocks = (disk.len() / BLOCK_SIZE) as u64;
    let device = DEVICE.with(|device| {
        device.borrow_mut().bytes = disk;
        Rc::clone(device)
    });
    let device: SharedDevice = device;
    let Ok(volume) = FatVolume::mount(device, 0, blocks, "fuzz", 1) else {
        return;
    };
    let mut pending = vec![("/".to_owned(), 0)];
    let mut visited = 0;
    while let Some((path, depth)) = pending.pop() {
        let Ok(entries) = volume.read_dir(&path) else {
            continue;
        };
        for entry in entries.into_iter().take(64) {
            visited += 1;
            if visited > 512 {
                return;
            }
            let child = format!("{}/{}", path.trim_end_matches('/'), entry.name);
            let _ = volume.metadata(&child);
            match entry.kind {
                FileKind::Directory if depth < 4 => pending.push((child, depth + 1)),
                FileKind::Directory => {}
                FileKind::File => {
                    if let Ok(mut file) = volume.open(&child, &OpenOptions::read_only()) {
                        let mut buffer = [0u8; 4096];
                        let _ = file.read(&mut buffer);
                        let _ = file.close();
                    }
                }
            }
        }
    }
    let _ = volume.statvfs();
});
