//! Interoperability with GNU cpio and bsdtar; each test is skipped when its tool is absent.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use initfs::{Archive, EntryKind, Packer};

/// Whether `tool` can be run; prints a skip message when it cannot.
fn available(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        eprintln!("skipped: `{tool}` is not installed (apt-get install cpio libarchive-tools)");
    }
    found
}

/// Runs `tool` with `arguments` in `directory`, feeding `input`, and returns its stdout.
fn run(tool: &str, arguments: &[&str], directory: &Path, input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .args(arguments)
        .current_dir(directory)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "{tool} {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A packed sample with nested directories and binary data.
fn sample() -> Vec<u8> {
    let mut packer = Packer::new();
    packer.mtime(1_700_000_000);
    packer
        .add_file("lib/python/json/__init__.py", b"# json\n".to_vec(), 0o644)
        .unwrap();
    packer
        .add_file(
            "lib/python/os.py",
            (0..=255u8).cycle().take(1000).collect(),
            0o644,
        )
        .unwrap();
    packer
        .add_file("app/main.py", b"print('hi')\n".to_vec(), 0o644)
        .unwrap();
    packer.add_directory("empty").unwrap();
    packer.finish().unwrap()
}

fn listing(bytes: &[u8]) -> String {
    let archive = Archive::parse(bytes).unwrap();
    archive
        .entries()
        .map(|entry| format!("{}\n", entry.path()))
        .collect()
}

#[test]
fn gnu_cpio_lists_and_extracts_our_archive() {
    if !available("cpio") {
        return;
    }
    let bytes = sample();
    let directory = tempfile::tempdir().unwrap();
    let listed = run("cpio", &["-it", "--quiet"], directory.path(), &bytes);
    assert_eq!(String::from_utf8(listed).unwrap(), listing(&bytes));

    // GNU cpio checks 070702 checksums while extracting and complains on a mismatch.
    let extracted = run("cpio", &["-id", "--quiet"], directory.path(), &bytes);
    assert!(extracted.is_empty());
    let archive = Archive::parse(&bytes).unwrap();
    for entry in archive.entries() {
        let path = directory.path().join(entry.path());
        match entry.kind() {
            EntryKind::File => assert_eq!(fs::read(&path).unwrap(), entry.data()),
            EntryKind::Directory => assert!(path.is_dir()),
        }
    }
}

#[test]
fn bsdtar_lists_our_archive() {
    if !available("bsdtar") {
        return;
    }
    let bytes = sample();
    let directory = tempfile::tempdir().unwrap();
    fs::write(directory.path().join("initfs.cpio"), &bytes).unwrap();
    let listed = run("bsdtar", &["-tf", "initfs.cpio"], directory.path(), b"");
    assert_eq!(String::from_utf8(listed).unwrap(), listing(&bytes));
}

#[test]
fn we_read_archives_made_by_gnu_cpio() {
    if !available("cpio") {
        return;
    }
    let source = tempfile::tempdir().unwrap();
    let files: &[(&str, &[u8])] = &[
        ("app/main.py", b"print('made by cpio')\n"),
        ("app/pkg/__init__.py", b""),
        ("lib/blob.bin", &[0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]),
    ];
    for (path, contents) in files {
        let path = source.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
    // Paths relative to the tree without "./", as `find . -mindepth 1 -printf '%P\n'` gives.
    let names = "app\napp/main.py\napp/pkg\napp/pkg/__init__.py\nlib\nlib/blob.bin\n";
    for format in ["newc", "crc"] {
        let bytes = run(
            "cpio",
            &["-o", "--quiet", "-H", format],
            source.path(),
            names.as_bytes(),
        );
        // GNU cpio pads the output to 512-byte blocks: zeros after the trailer.
        assert_eq!(bytes.len() % 512, 0);
        let archive = Archive::parse(&bytes).unwrap();
        assert!(archive.len_bytes() <= bytes.len());
        assert_eq!(archive.entry_count(), 6);
        archive.verify().unwrap();
        for (path, contents) in files {
            assert_eq!(
                archive.lookup(path).unwrap().data(),
                *contents,
                "{format}: {path}"
            );
        }
        let children: Vec<_> = archive.read_dir("app").unwrap().map(|e| e.name()).collect();
        assert_eq!(children, ["main.py", "pkg"]);
    }
}
