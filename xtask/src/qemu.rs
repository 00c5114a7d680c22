//! The QEMU command line for booting a PiPyOS SD image on the emulated Raspberry Pi Zero.
//!
//! The firmware's job is done by QEMU: `-bios kernel.img` loads the kernel at 0x8000 (where the
//! GPU firmware puts it) and `-device loader` puts `initfs.cpio` at 0x2000000 (where config.txt's
//! `initramfs` line puts it). Both files are taken out of the image's FAT partition, so what boots
//! is what is on the card. The test driver (tests/emulated) builds the same command.
use std::path::{Path, PathBuf};

use crate::paths;

/// Files taken out of an image for QEMU.
pub struct BootFiles {
    /// The raw kernel.
    pub kernel: PathBuf,
    /// The initfs archive, if the image has one.
    pub initfs: Option<PathBuf>,
}

/// Extracts `kernel.img` and `initfs.cpio` from `image` into `directory`.
pub fn extract_boot_files(image: &Path, directory: &Path) -> Result<BootFiles, String> {
    std::fs::create_dir_all(directory)
        .map_err(|error| format!("{}: {error}", directory.display()))?;
    let open =
        || std::fs::File::open(image).map_err(|error| format!("{}: {error}", image.display()));
    let kernel_bytes = images::read_boot_file(open()?, "kernel.img")
        .map_err(|error| format!("{}: {error}", image.display()))?;
    let kernel = directory.join("kernel.img");
    std::fs::write(&kernel, kernel_bytes)
        .map_err(|error| format!("{}: {error}", kernel.display()))?;
    let initfs = match images::read_boot_file(open()?, "initfs.cpio") {
        Ok(bytes) => {
            let path = directory.join("initfs.cpio");
            std::fs::write(&path, bytes).map_err(|error| format!("{}: {error}", path.display()))?;
            Some(path)
        }
        Err(_) => None,
    };
    Ok(BootFiles { kernel, initfs })
}

/// The address where the initfs is loaded (bsp/rpi1/memory.rs, config.txt).
pub const INITFS_ADDRESS: &str = "0x2000000";

/// Arguments that boot `files` with `image` as the SD card (read-only: `snapshot=on`).
pub fn boot_arguments(files: &BootFiles, image: &Path) -> Vec<String> {
    let mut arguments = vec![
        "-M".to_owned(),
        "raspi0".to_owned(),
        "-bios".to_owned(),
        files.kernel.display().to_string(),
    ];
    if let Some(initfs) = &files.initfs {
        arguments.push("-device".to_owned());
        arguments.push(format!(
            "loader,file={},addr={INITFS_ADDRESS},force-raw=on",
            initfs.display()
        ));
    }
    arguments.push("-drive".to_owned());
    arguments.push(format!(
        "if=sd,format=raw,snapshot=on,file={}",
        image.display()
    ));
    arguments
}

/// The QEMU binary.
pub fn qemu_binary() -> String {
    paths::tool("PIPYOS_QEMU", "qemu-system-arm")
}
