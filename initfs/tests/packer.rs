//! Packer tests: round trips through the reader, determinism and every packing error.

use std::fs;
use std::path::Path;

use initfs::{Archive, EntryKind, Error, Packer, PathProblem};

/// Writes `files` (path, contents) below `root`, creating parents, in the given order.
fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
    for (path, contents) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
}

const TREE: &[(&str, &[u8])] = &[
    ("json/__init__.py", b"from .decoder import *\n"),
    ("json/decoder.py", b"def decode(): pass\n"),
    ("json/__pycache__/decoder.cpython-312.pyc", b"\x00bytecode"),
    ("os.py", b"import sys\n"),
    ("stale.pyc", b"\x00bytecode"),
    ("binary.dat", &[0, 1, 2, 0xfe, 0xff, 0x80]),
    ("empty.txt", b""),
    ("deep/er/and/deeper/leaf.txt", b"leaf"),
];

#[test]
fn round_trip_of_a_tree() {
    let source = tempfile::tempdir().unwrap();
    write_tree(source.path(), TREE);
    fs::create_dir(source.path().join("empty-dir")).unwrap();
    std::os::unix::fs::symlink("os.py", source.path().join("linked.py")).unwrap();
    std::os::unix::fs::symlink(source.path().join("deep/er"), source.path().join("er-link"))
        .unwrap();

    let mut packer = Packer::new();
    packer.mtime(1_234_567_890);
    packer.add_tree("/lib/python/", source.path()).unwrap();
    packer
        .add_file("app/main.py", b"import json\n".to_vec(), 0o644)
        .unwrap();
    let bytes = packer.finish().unwrap();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.len_bytes(), bytes.len());
    assert_eq!(archive.entry_count(), packer.entry_count());
    archive.verify().unwrap();

    for (path, contents) in TREE {
        let found = archive.lookup(&format!("lib/python/{path}"));
        if path.contains("__pycache__") || path.ends_with(".pyc") {
            assert!(found.is_none(), "{path} should be skipped");
        } else {
            assert_eq!(found.unwrap().data(), *contents, "{path}");
        }
    }
    assert!(archive.lookup("lib/python/json/__pycache__").is_none());
    assert_eq!(
        archive.lookup("lib/python/linked.py").unwrap().data(),
        b"import sys\n"
    );
    let linked_dir = archive
        .lookup("lib/python/er-link/and/deeper/leaf.txt")
        .unwrap();
    assert_eq!(linked_dir.data(), b"leaf");
    let empty_dir = archive.lookup("lib/python/empty-dir").unwrap();
    assert_eq!(empty_dir.kind(), EntryKind::Directory);
    assert_eq!(archive.read_dir("lib/python/empty-dir").unwrap().count(), 0);
    assert_eq!(
        archive.lookup("app/main.py").unwrap().data(),
        b"import json\n"
    );

    let top: Vec<_> = archive
        .read_dir("/")
        .unwrap()
        .map(|entry| entry.name())
        .collect();
    assert_eq!(top, ["app", "lib"]);
    let python: Vec<_> = archive
        .read_dir("lib/python")
        .unwrap()
        .map(|e| e.name())
        .collect();
    assert_eq!(
        python,
        [
            "binary.dat",
            "deep",
            "empty-dir",
            "empty.txt",
            "er-link",
            "json",
            "linked.py",
            "os.py"
        ]
    );

    for (index, entry) in archive.entries().enumerate() {
        assert_eq!(entry.inode() as usize, index + 1, "{}", entry.path());
        assert_eq!(entry.mtime(), 1_234_567_890);
        match entry.kind() {
            EntryKind::File => assert_eq!(entry.mode(), 0o100644),
            EntryKind::Directory => assert_eq!(entry.mode(), 0o040755),
        }
    }
}

#[test]
fn output_is_deterministic() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    write_tree(first.path(), TREE);
    let reversed: Vec<_> = TREE.iter().rev().copied().collect();
    write_tree(second.path(), &reversed);
    // Host metadata must not leak in.
    fs::set_permissions(
        second.path().join("os.py"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();

    let pack = |source: &Path| {
        let mut packer = Packer::new();
        packer.mtime(42).add_tree("lib", source).unwrap();
        packer.add_file("z/one", b"1".to_vec(), 0o644).unwrap();
        packer.add_file("a/two", b"2".to_vec(), 0o644).unwrap();
        packer.finish().unwrap()
    };
    let bytes = pack(first.path());
    assert_eq!(bytes, pack(first.path()));
    assert_eq!(bytes, pack(second.path()));

    // Insertion order does not matter either.
    let mut forward = Packer::new();
    let mut backward = Packer::new();
    for (path, contents) in TREE {
        forward.add_file(path, contents.to_vec(), 0o644).unwrap();
    }
    for (path, contents) in TREE.iter().rev() {
        backward.add_file(path, contents.to_vec(), 0o644).unwrap();
    }
    assert_eq!(forward.finish().unwrap(), backward.finish().unwrap());
}

#[test]
fn layout_matches_the_format() {
    let mut packer = Packer::new();
    packer.mtime(0x5f5e_1000);
    packer.add_file("a/b.txt", b"hi!".to_vec(), 0o644).unwrap();
    let bytes = packer.finish().unwrap();
    let header = |fields: [&str; 13]| format!("070702{}", fields.concat());
    let zero = "00000000";
    let expected = [
        header([
            "00000001", "000041ed", zero, zero, "00000002", "5f5e1000", zero, zero, zero, zero,
            zero, "00000002", zero,
        ]),
        "a\0".to_string(),
        header([
            "00000002", "000081a4", zero, zero, "00000001", "5f5e1000", "00000003", zero, zero,
            zero, zero, "00000008", "000000f2",
        ]),
        "a/b.txt\0\0\0hi!\0".to_string(),
        header([
            zero, zero, zero, zero, "00000001", zero, zero, zero, zero, zero, zero, "0000000b",
            zero,
        ]),
        "TRAILER!!!\0\0\0\0".to_string(),
    ]
    .concat();
    assert_eq!(String::from_utf8_lossy(&bytes), expected);
}

#[test]
fn parents_are_created_and_paths_normalised() {
    let mut packer = Packer::new();
    packer.add_file("/a/b/c.txt", b"c".to_vec(), 0o755).unwrap();
    packer.add_file("x", b"x".to_vec(), 0o120777).unwrap();
    packer.add_directory("a/b").unwrap(); // implicit so far: may be added explicitly
    packer.add_directory("/").unwrap();
    packer.add_directory("empty/").unwrap();
    let bytes = packer.finish().unwrap();
    let archive = Archive::parse(&bytes).unwrap();
    let paths: Vec<_> = archive.entries().map(|entry| entry.path()).collect();
    assert_eq!(paths, ["a", "a/b", "a/b/c.txt", "empty", "x"]);
    assert_eq!(archive.lookup("a/b/c.txt").unwrap().mode(), 0o100755);
    assert_eq!(archive.lookup("x").unwrap().mode(), 0o100777);
}

#[test]
fn duplicate_paths_are_rejected() {
    let source = tempfile::tempdir().unwrap();
    write_tree(source.path(), &[("main.py", b"1"), ("pkg/mod.py", b"2")]);

    let mut packer = Packer::new();
    packer.add_file("a.txt", b"1".to_vec(), 0o644).unwrap();
    let error = packer.add_file("/a.txt", b"2".to_vec(), 0o644).unwrap_err();
    assert!(matches!(&error, Error::DuplicatePath { path, offset: None } if path == "a.txt"));
    assert_eq!(error.to_string(), "initfs: duplicate path \"a.txt\"");
    assert!(matches!(
        packer.add_directory("a.txt"),
        Err(Error::DuplicatePath { .. })
    ));

    packer.add_directory("d").unwrap();
    assert!(matches!(
        packer.add_directory("d/"),
        Err(Error::DuplicatePath { .. })
    ));

    // Two trees mapped to the same place.
    packer.add_tree("app", source.path()).unwrap();
    let before = packer.finish().unwrap();
    let error = packer.add_tree("app", source.path()).unwrap_err();
    assert!(
        matches!(&error, Error::DuplicatePath { path, .. } if path == "app"),
        "{error}"
    );
    // A tree over a file added before, and the reverse.
    let error = packer
        .add_file("app/pkg/mod.py", vec![], 0o644)
        .unwrap_err();
    assert!(matches!(error, Error::DuplicatePath { .. }), "{error}");
    let mut other = Packer::new();
    other.add_file("lib/pkg/mod.py", vec![], 0o644).unwrap();
    let error = other.add_tree("lib", source.path()).unwrap_err();
    assert!(matches!(&error, Error::DuplicatePath { path, .. } if path == "lib/pkg/mod.py"));
    // A file where a directory is needed.
    let error = packer.add_file("a.txt/inner", vec![], 0o644).unwrap_err();
    assert!(
        matches!(&error, Error::ParentNotDirectory { parent, .. } if parent == "a.txt"),
        "{error}"
    );
    let error = packer.add_file("app", vec![], 0o644).unwrap_err();
    assert!(matches!(error, Error::DuplicatePath { .. }), "{error}");

    // Failed calls change nothing.
    assert_eq!(packer.finish().unwrap(), before);
    // A tree may be added below the root next to other entries, sharing implicit parents.
    other.add_tree("lib/other", source.path()).unwrap();
}

#[test]
fn bad_paths_are_rejected() {
    let mut packer = Packer::new();
    let cases = [
        ("../etc/passwd", PathProblem::ParentDirectory),
        ("a/../../b", PathProblem::ParentDirectory),
        ("a/./b", PathProblem::CurrentDirectory),
        ("a//b", PathProblem::EmptyComponent),
        ("", PathProblem::Empty),
        ("/", PathProblem::Empty),
        ("TRAILER!!!", PathProblem::Reserved),
        ("a\0b", PathProblem::Nul),
    ];
    for (path, problem) in cases {
        match packer.add_file(path, vec![], 0o644) {
            Err(Error::InvalidPath {
                problem: found,
                offset: None,
                ..
            }) => {
                assert_eq!(found, problem, "{path:?}")
            }
            other => panic!("{path:?}: unexpected {other:?}"),
        }
    }
    let error = packer.add_directory("x/..").unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidPath {
            problem: PathProblem::ParentDirectory,
            ..
        }
    ));
    let source = tempfile::tempdir().unwrap();
    let error = packer.add_tree("../outside", source.path()).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidPath {
            problem: PathProblem::ParentDirectory,
            ..
        }
    ));

    let long_component = "n".repeat(256);
    let error = packer.add_file(&long_component, vec![], 0o644).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidPath {
            problem: PathProblem::ComponentTooLong,
            ..
        }
    ));
    let long_path = vec!["n".repeat(250); 5].join("/");
    let error = packer.add_file(&long_path, vec![], 0o644).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidPath {
            problem: PathProblem::TooLong,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        format!("initfs: invalid path {long_path:?}: the path is longer than 1024 bytes")
    );
    assert_eq!(packer.entry_count(), 0);
}

#[test]
fn tree_errors() {
    use std::os::unix::ffi::OsStrExt;

    let source = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("nowhere", source.path().join("dangling")).unwrap();
    let error = Packer::new().add_tree("x", source.path()).unwrap_err();
    assert!(matches!(&error, Error::DanglingSymlink { path } if path.ends_with("dangling")));
    assert!(
        error.to_string().contains("dangling symbolic link"),
        "{error}"
    );

    let source = tempfile::tempdir().unwrap();
    fs::create_dir(source.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", source.path().join("sub/up")).unwrap();
    let error = Packer::new().add_tree("x", source.path()).unwrap_err();
    assert!(matches!(&error, Error::SymlinkLoop { path } if path.ends_with("sub/up")));

    let source = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    fs::write(source.path().join(name), b"").unwrap();
    let error = Packer::new().add_tree("x", source.path()).unwrap_err();
    assert!(matches!(error, Error::NonUtf8Path { .. }), "{error}");

    let source = tempfile::tempdir().unwrap();
    let deep = source.path().join(vec!["n".repeat(250); 5].join("/"));
    fs::create_dir_all(&deep).unwrap();
    let error = Packer::new().add_tree("lib", source.path()).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidPath {
            problem: PathProblem::TooLong,
            ..
        }
    ));

    let file = source.path().join("file");
    fs::write(&file, b"").unwrap();
    let error = Packer::new().add_tree("x", &file).unwrap_err();
    assert!(matches!(error, Error::NotADirectory { .. }), "{error}");
    let error = Packer::new()
        .add_tree("x", &source.path().join("missing"))
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error}");
}
