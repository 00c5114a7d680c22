//! Runs the `pipyos-mkimage` binary: build, list, extract and its error exits.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{firmware, pattern};

/// Runs the tool with `arguments` and the given `SOURCE_DATE_EPOCH` (None: unset).
fn run(arguments: &[&str], epoch: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pipyos-mkimage"));
    command.args(arguments).env_remove("SOURCE_DATE_EPOCH");
    if let Some(epoch) = epoch {
        command.env("SOURCE_DATE_EPOCH", epoch);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Writes a kernel, an initfs and a firmware directory into `directory`.
fn write_inputs(directory: &Path) {
    std::fs::write(directory.join("kernel.bin"), pattern(123_456, 11)).unwrap();
    std::fs::write(directory.join("initfs.cpio"), pattern(4_000, 12)).unwrap();
    let firmware_dir = directory.join("firmware");
    std::fs::create_dir(&firmware_dir).unwrap();
    for (name, contents) in firmware() {
        std::fs::write(firmware_dir.join(name), contents).unwrap();
    }
}

#[test]
fn build_list_extract() {
    let directory = tempfile::tempdir().unwrap();
    let base = directory.path();
    write_inputs(base);
    let out_dir = base.join("out");
    let output = run(
        &[
            "build",
            "--kernel",
            path_text(&base.join("kernel.bin")),
            "--initfs",
            path_text(&base.join("initfs.cpio")),
            "--firmware",
            path_text(&base.join("firmware")),
            "--version",
            "9.8.7",
            "--git-revision",
            "feedbeef",
            "--size-mib",
            "64",
            "--boot-mib",
            "40",
            "--out-dir",
            path_text(&out_dir),
        ],
        Some("1700000000"),
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let image = out_dir.join("pipyos-9.8.7-rpi1.img");
    assert_eq!(text(&output.stdout), format!("{}\n", image.display()));
    let summary = text(&output.stderr);
    assert!(!summary.contains("warning"), "{summary}");
    assert!(
        summary.contains("64 MiB image, 40 MiB FAT32 boot partition"),
        "{summary}"
    );
    assert!(summary.contains("kernel.img"), "{summary}");
    assert_eq!(std::fs::metadata(&image).unwrap().len(), 64 << 20);

    let listing = run(&["list", path_text(&image)], None);
    assert!(listing.status.success(), "{}", text(&listing.stderr));
    let listing = text(&listing.stdout);
    assert!(
        listing.starts_with("partition 1: type 0x0c, bootable, start sector 8192, 81920 sectors"),
        "{listing}"
    );
    assert!(listing.contains("disk signature 0x50695079"), "{listing}");
    assert!(listing.contains("      123456  kernel.img\n"), "{listing}");
    assert!(listing.contains("  start.elf\n"), "{listing}");

    let extracted = base.join("kernel.out");
    let result = run(
        &[
            "extract",
            path_text(&image),
            "kernel.img",
            path_text(&extracted),
        ],
        None,
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert_eq!(std::fs::read(&extracted).unwrap(), pattern(123_456, 11));

    let to_stdout = run(&["extract", path_text(&image), "VERSION", "-"], None);
    let version = text(&to_stdout.stdout);
    assert!(
        version.starts_with(
            "name=pipyos\nversion=9.8.7\ngit_revision=feedbeef\nsource_date_epoch=1700000000\n"
        ),
        "{version}"
    );

    let missing = run(
        &[
            "extract",
            path_text(&image),
            "nothing.bin",
            path_text(&extracted),
        ],
        None,
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("the boot partition has no file nothing.bin"));
}

#[test]
fn build_is_reproducible_and_warns_without_firmware() {
    let directory = tempfile::tempdir().unwrap();
    let base = directory.path();
    write_inputs(base);
    let mut images = Vec::new();
    for name in ["first.img", "second.img"] {
        let out = base.join(name);
        let output = run(
            &[
                "build",
                "--kernel",
                path_text(&base.join("kernel.bin")),
                "--size-mib",
                "64",
                "--boot-mib",
                "33",
                "--out",
                path_text(&out),
            ],
            None,
        );
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(text(&output.stderr).contains(
            "no GPU firmware given: this image boots in QEMU but will NOT boot a real Raspberry Pi"
        ));
        images.push(std::fs::read(&out).unwrap());
    }
    assert!(images[0] == images[1]);
    let version = images::read_boot_file(std::io::Cursor::new(&images[0][..]), "VERSION").unwrap();
    let version = text(&version);
    assert!(
        version.contains(&format!("version={}\n", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(
        version.contains("source_date_epoch=315532800\n"),
        "{version}"
    );
}

#[test]
fn build_errors() {
    let directory = tempfile::tempdir().unwrap();
    let base = directory.path();
    write_inputs(base);
    let kernel = base.join("kernel.bin");
    let out = base.join("x.img");

    let missing_kernel = run(
        &[
            "build",
            "--kernel",
            "/nonexistent/kernel.bin",
            "--out",
            path_text(&out),
        ],
        None,
    );
    assert_eq!(missing_kernel.status.code(), Some(1));
    assert!(
        text(&missing_kernel.stderr).contains("kernel file /nonexistent/kernel.bin does not exist")
    );

    std::fs::remove_file(base.join("firmware/start.elf")).unwrap();
    let missing_start = run(
        &[
            "build",
            "--kernel",
            path_text(&kernel),
            "--firmware",
            path_text(&base.join("firmware")),
            "--out",
            path_text(&out),
        ],
        None,
    );
    assert_eq!(missing_start.status.code(), Some(1));
    assert!(
        text(&missing_start.stderr).contains("lacks the required file start.elf"),
        "{}",
        text(&missing_start.stderr)
    );

    let odd_size = run(
        &[
            "build",
            "--kernel",
            path_text(&kernel),
            "--size-mib",
            "100",
            "--out",
            path_text(&out),
        ],
        None,
    );
    assert_eq!(odd_size.status.code(), Some(1));
    assert!(text(&odd_size.stderr).contains("100 MiB is not a power of two"));

    let bad_version = run(
        &[
            "build",
            "--kernel",
            path_text(&kernel),
            "--version",
            "1 0",
            "--out-dir",
            path_text(base),
        ],
        None,
    );
    assert_eq!(bad_version.status.code(), Some(1));
    assert!(text(&bad_version.stderr).contains("bad version string"));

    let bad_epoch = run(
        &[
            "build",
            "--kernel",
            path_text(&kernel),
            "--out",
            path_text(&out),
        ],
        Some("soon"),
    );
    assert_eq!(bad_epoch.status.code(), Some(1));
    assert!(text(&bad_epoch.stderr).contains("bad SOURCE_DATE_EPOCH \"soon\""));

    assert!(!out.exists(), "no image is left behind by a failed build");
}

#[test]
fn usage_errors() {
    for arguments in [
        &[][..],
        &["frobnicate"][..],
        &["build", "--out", "x.img"][..],
        &["build", "--kernel", "k"][..],
        &["build", "--kernel", "k", "--out", "a", "--out-dir", "b"][..],
        &["build", "--kernel", "k", "--size-mib", "lots", "--out", "a"][..],
        &["list"][..],
        &["extract", "image.img", "kernel.img"][..],
    ] {
        let output = run(arguments, None);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        assert!(text(&output.stderr).contains("usage:"), "{arguments:?}");
    }
    let help = run(&["--help"], None);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("pipyos-mkimage build --kernel FILE"));
}
