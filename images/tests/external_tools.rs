//! Cross-checks a composed image with sfdisk, mtools and fsck.fat; each check is
//! skipped with a message when its tool is not installed
//! (`apt-get install -y fdisk mtools dosfstools`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::full_spec;
use images::{write_image_file, BOOT_PARTITION_START, MIB};

/// Finds `tool` on PATH or in the sbin directories, where root tools live.
fn find_tool(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|directory| directory.join(tool))
        .find(|candidate| candidate.is_file())
}

/// Runs `tool` with `arguments`, or says why the check is skipped and returns None.
fn run_tool(tool: &str, arguments: &[&str]) -> Option<Output> {
    let Some(program) = find_tool(tool) else {
        eprintln!("skipping the {tool} cross-check: {tool} is not installed");
        return None;
    };
    Some(Command::new(program).args(arguments).output().unwrap())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes the full test image into `directory` and returns its path.
fn make_image(directory: &Path) -> PathBuf {
    let path = directory.join("test.img");
    write_image_file(&full_spec(), &path).unwrap();
    path
}

#[test]
fn sfdisk_reads_the_partition_table() {
    let directory = tempfile::tempdir().unwrap();
    let image = make_image(directory.path());
    let Some(output) = run_tool("sfdisk", &["--dump", image.to_str().unwrap()]) else {
        return;
    };
    assert!(output.status.success(), "{}", text(&output.stderr));
    let dump = text(&output.stdout);
    assert!(dump.contains("label: dos"), "{dump}");
    assert!(dump.contains("label-id: 0x50695079"), "{dump}");
    assert!(
        dump.contains("start=        8192, size=       81920, type=c, bootable"),
        "{dump}"
    );
}

#[test]
fn mtools_reads_the_boot_partition() {
    let directory = tempfile::tempdir().unwrap();
    let image = make_image(directory.path());
    let drive = format!("{}@@{}", image.display(), BOOT_PARTITION_START);
    let Some(info) = run_tool("minfo", &["-i", &drive, "::"]) else {
        return;
    };
    assert!(info.status.success(), "{}", text(&info.stderr));
    let info = text(&info.stdout);
    assert!(info.contains("disk type=\"FAT32   \""), "{info}");
    assert!(info.contains("disk label=\"PIPYOS     \""), "{info}");
    assert!(info.contains("serial number: 50594F53"), "{info}");
    assert!(info.contains("hidden sectors: 8192"), "{info}");

    let listing = run_tool("mdir", &["-i", &drive, "::"]).unwrap();
    assert!(listing.status.success(), "{}", text(&listing.stderr));
    let listing = text(&listing.stdout);
    for name in [
        "kernel.img",
        "initfs.cpio",
        "start.elf",
        "config.txt",
        "VERSION",
    ] {
        assert!(listing.contains(name), "{name} missing from {listing}");
    }
    // 1700000000 = 2023-11-14 22:13:20 UTC.
    assert!(listing.contains("2023-11-14  22:13"), "{listing}");

    let spec = full_spec();
    for (name, expected) in [
        ("kernel.img", spec.kernel.clone()),
        ("initfs.cpio", spec.initfs.clone().unwrap()),
        ("LICENCE.broadcom", spec.firmware[3].1.clone()),
    ] {
        let copy = directory.path().join(format!("copy-{name}"));
        let source = format!("::{name}");
        let output = run_tool("mcopy", &["-i", &drive, &source, copy.to_str().unwrap()]).unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(std::fs::read(&copy).unwrap() == expected, "{name} differs");
    }
}

#[test]
fn fsck_fat_finds_no_errors() {
    let directory = tempfile::tempdir().unwrap();
    let image = std::fs::read(make_image(directory.path())).unwrap();
    let start = BOOT_PARTITION_START as usize;
    let partition = directory.path().join("partition.img");
    std::fs::write(&partition, &image[start..start + (40 * MIB) as usize]).unwrap();
    let Some(output) = run_tool("fsck.fat", &["-n", "-v", partition.to_str().unwrap()]) else {
        return;
    };
    let report = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{report}");
    assert!(report.contains("8192 hidden sectors"), "{report}");
    assert!(report.contains("512 bytes per cluster"), "{report}");
    assert!(report.contains("9 files"), "{report}");
}
