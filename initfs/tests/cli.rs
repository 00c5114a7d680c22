//! End-to-end tests of the `pipyos-initfs` command-line tool.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use initfs::Archive;

/// Runs the tool in `directory` with `SOURCE_DATE_EPOCH` set to `epoch` (or removed).
fn tool(directory: &Path, epoch: Option<&str>, arguments: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pipyos-initfs"));
    command.args(arguments).current_dir(directory);
    match epoch {
        Some(epoch) => command.env("SOURCE_DATE_EPOCH", epoch),
        None => command.env_remove("SOURCE_DATE_EPOCH"),
    };
    command.output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A work directory with `stdlib/json/__init__.py`, `myapp/main.py` and `extra.txt`.
fn workspace() -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path();
    fs::create_dir_all(root.join("stdlib/json/__pycache__")).unwrap();
    fs::write(root.join("stdlib/json/__init__.py"), b"# json\n").unwrap();
    fs::write(root.join("stdlib/json/__pycache__/x.pyc"), b"junk").unwrap();
    fs::create_dir(root.join("myapp")).unwrap();
    fs::write(root.join("myapp/main.py"), b"print('hi')\n").unwrap();
    fs::write(root.join("extra.txt"), b"extra").unwrap();
    directory
}

const PACK: &[&str] = &[
    "pack",
    "--out",
    "initfs.cpio",
    "lib/python=stdlib",
    "app=./myapp",
    "--file",
    "etc/extra.txt=extra.txt",
];

#[test]
fn pack_list_verify_extract() {
    let work = workspace();
    let root = work.path();
    let output = tool(root, None, PACK);
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = fs::read(root.join("initfs.cpio")).unwrap();
    assert_eq!(
        stdout(&output),
        format!(
            "pipyos-initfs: wrote initfs.cpio (8 entries, {} bytes)\n",
            bytes.len()
        )
    );
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(
        archive.lookup("/app/main.py").unwrap().data(),
        b"print('hi')\n"
    );
    assert_eq!(archive.lookup("etc/extra.txt").unwrap().data(), b"extra");
    assert!(archive.lookup("lib/python/json/__pycache__").is_none());
    assert!(archive.entries().all(|entry| entry.mtime() == 0));

    let output = tool(root, None, &["list", "initfs.cpio"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = stdout(&output);
    assert!(
        listing.starts_with("dir           0  app\nfile         12  app/main.py\n"),
        "{listing}"
    );
    assert_eq!(listing.lines().count(), 8);

    let output = tool(root, None, &["verify", "initfs.cpio"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("initfs.cpio is valid (8 entries"));

    let output = tool(root, None, &["extract", "initfs.cpio", "out"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        fs::read(root.join("out/lib/python/json/__init__.py")).unwrap(),
        b"# json\n"
    );
    assert_eq!(fs::read(root.join("out/etc/extra.txt")).unwrap(), b"extra");
}

#[test]
fn mtime_comes_from_the_flag_or_source_date_epoch() {
    let work = workspace();
    let root = work.path();
    let mtimes = |root: &Path| {
        let bytes = fs::read(root.join("initfs.cpio")).unwrap();
        let archive = Archive::parse(&bytes).unwrap();
        let mut mtimes: Vec<_> = archive.entries().map(|entry| entry.mtime()).collect();
        mtimes.dedup();
        mtimes
    };
    assert!(tool(root, Some("1700000000"), PACK).status.success());
    assert_eq!(mtimes(root), [1_700_000_000]);
    let first = fs::read(root.join("initfs.cpio")).unwrap();
    assert!(tool(root, Some("1700000000"), PACK).status.success());
    assert_eq!(
        fs::read(root.join("initfs.cpio")).unwrap(),
        first,
        "not reproducible"
    );

    let with_flag = [PACK, &["--mtime", "77"]].concat();
    assert!(tool(root, Some("1700000000"), &with_flag).status.success());
    assert_eq!(mtimes(root), [77]);
    assert!(tool(root, Some(""), PACK).status.success());
    assert_eq!(mtimes(root), [0]);

    for bad in ["yesterday", "-1", "4294967296", "1.5"] {
        let output = tool(root, Some(bad), PACK);
        assert_eq!(output.status.code(), Some(1), "{bad}");
        assert!(
            stderr(&output).contains(&format!("SOURCE_DATE_EPOCH={bad:?} is not a whole number")),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn errors_are_reported() {
    let work = workspace();
    let root = work.path();
    assert!(tool(root, None, PACK).status.success());
    let mut bytes = fs::read(root.join("initfs.cpio")).unwrap();
    let position = bytes
        .windows(6)
        .position(|window| window == b"# json")
        .unwrap();
    bytes[position] = b'!';
    fs::write(root.join("bad.cpio"), &bytes).unwrap();
    let output = tool(root, None, &["verify", "bad.cpio"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with(
            "pipyos-initfs: initfs: checksum mismatch in \"lib/python/json/__init__.py\""
        ),
        "{}",
        stderr(&output)
    );

    fs::write(root.join("short.cpio"), &bytes[..50]).unwrap();
    let output = tool(root, None, &["list", "short.cpio"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "pipyos-initfs: initfs: truncated header at offset 0\n"
    );

    // Two trees in the same place.
    let output = tool(
        root,
        None,
        &["pack", "--out", "x.cpio", "app=myapp", "app=stdlib"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("duplicate path \"app\""),
        "{}",
        stderr(&output)
    );

    for arguments in [
        &[][..],
        &["frobnicate"],
        &["pack", "app=myapp"],
        &["pack", "--out", "x.cpio"],
        &["pack", "--out", "x.cpio", "myapp"],
        &["list"],
        &["list", "a", "b"],
        &["pack", "--out", "x.cpio", "--bogus", "app=myapp"],
    ] {
        let output = tool(root, None, arguments);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        assert!(
            stderr(&output).contains("usage: pipyos-initfs"),
            "{arguments:?}"
        );
    }
    let output = tool(root, None, &["--help"]);
    assert!(output.status.success());
    assert!(stdout(&output).starts_with("usage: pipyos-initfs pack"));
}
