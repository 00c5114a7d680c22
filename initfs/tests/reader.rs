//! Reader tests on hand-crafted archives: lookups, directory listings and every error.

mod common;

use common::{archive, entry, header, sample, trailer, Fields, CRC, DIRECTORY, FILE, NEWC};
use initfs::{archive_len, Archive, EntryKind, Error, PathProblem};

fn names(archive: &Archive<'_>, path: &str) -> Vec<String> {
    archive
        .read_dir(path)
        .unwrap_or_else(|| panic!("{path:?} is not a directory"))
        .map(|entry| entry.name().to_string())
        .collect()
}

#[test]
fn parses_entries_and_looks_them_up() {
    let bytes = sample();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.entry_count(), 4);
    assert_eq!(archive.len_bytes(), bytes.len());

    for path in ["/app/main.py", "app/main.py", "/app/main.py/"] {
        let main = archive.lookup(path).unwrap();
        assert_eq!(main.path(), "app/main.py");
        assert_eq!(main.name(), "main.py");
        assert_eq!(main.kind(), EntryKind::File);
        assert_eq!(main.mode(), 0o100644);
        assert_eq!(main.mtime(), 1_700_000_000);
        assert_eq!(main.size(), 15);
        assert_eq!(main.inode(), 7);
        assert_eq!(main.data(), b"print('hello')\n");
        main.verify().unwrap();
    }
    let data = archive.lookup("lib/data.bin").unwrap();
    assert_eq!(data.data(), [0xff, 0x00, 0x80, 0x7f, 0x01]);
    data.verify().unwrap();

    let app = archive.lookup("/app/").unwrap();
    assert_eq!(app.kind(), EntryKind::Directory);
    assert_eq!(app.mode(), 0o040755);
    assert!(app.data().is_empty());

    for root in ["", "/", "//"] {
        let entry = archive.lookup(root).unwrap();
        assert_eq!(entry.kind(), EntryKind::Directory);
        assert_eq!(entry.path(), "");
        assert_eq!(entry.name(), "");
    }
    assert!(archive.lookup("missing").is_none());
    assert!(archive.lookup("app/missing.py").is_none());
    assert!(archive.lookup("app//main.py").is_none());
    assert!(archive.lookup("app/./main.py").is_none());
    archive.verify().unwrap();
}

#[test]
fn read_dir_lists_direct_children_sorted() {
    // Stored out of order, with names that sort between "a" and "a/...".
    let bytes = archive(&[
        ("a0", FILE, b"0"),
        ("a/y", FILE, b"y"),
        ("a", DIRECTORY, b""),
        ("a/x/deep/er", FILE, b"e"),
        ("a/x", DIRECTORY, b""),
        ("a-b", DIRECTORY, b""),
        ("a-b/c", FILE, b"c"),
        ("a/x/deep", DIRECTORY, b""),
        ("a.b", FILE, b"."),
        ("a/x/z", FILE, b"z"),
        ("a/xx", FILE, b"xx"),
        ("a/x-", FILE, b"-"),
    ]);
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(names(&archive, ""), ["a", "a-b", "a.b", "a0"]);
    assert_eq!(names(&archive, "/"), ["a", "a-b", "a.b", "a0"]);
    assert_eq!(names(&archive, "a"), ["x", "x-", "xx", "y"]);
    assert_eq!(names(&archive, "/a/x/"), ["deep", "z"]);
    assert_eq!(names(&archive, "a/x/deep"), ["er"]);
    assert_eq!(names(&archive, "a-b"), ["c"]);
    assert!(
        archive.read_dir("a/y").is_none(),
        "a file is not a directory"
    );
    assert!(archive.read_dir("nope").is_none());

    let paths: Vec<_> = archive.entries().map(|entry| entry.path()).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
}

#[test]
fn empty_archive_has_only_the_root() {
    let bytes = trailer(CRC);
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.entry_count(), 0);
    assert_eq!(archive.len_bytes(), 124);
    assert_eq!(archive.read_dir("/").unwrap().count(), 0);
}

#[test]
fn bytes_after_the_trailer_are_ignored() {
    let clean = sample();
    for tail in [
        vec![0u8; 4096],
        b"garbage that is not a header".to_vec(),
        vec![0xff; 3],
    ] {
        let mut bytes = clean.clone();
        bytes.extend(&tail);
        let archive = Archive::parse(&bytes).unwrap();
        assert_eq!(archive.len_bytes(), clean.len());
        assert_eq!(archive.entry_count(), 4);
        archive.verify().unwrap();
    }
}

#[test]
fn archive_len_matches_parse_and_ignores_what_follows() {
    let clean = sample();
    let mut bytes = clean.clone();
    bytes.extend([0u8; 100]);
    assert_eq!(archive_len(&bytes).unwrap(), clean.len());
    assert_eq!(
        archive_len(&bytes).unwrap(),
        Archive::parse(&bytes).unwrap().len_bytes()
    );
    for cut in 0..clean.len() {
        let error = archive_len(&clean[..cut]).unwrap_err();
        assert!(
            matches!(
                error,
                Error::TruncatedHeader { .. }
                    | Error::TruncatedName { .. }
                    | Error::TruncatedEntry { .. }
                    | Error::MissingTrailer { .. }
            ),
            "cut at {cut}: {error}"
        );
    }
    assert!(matches!(
        archive_len(&[0u8; 512]),
        Err(Error::BadMagic { .. })
    ));
}

#[test]
fn truncation_is_always_an_error() {
    let bytes = sample();
    for cut in 0..bytes.len() {
        let error = Archive::parse(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(
                error,
                Error::TruncatedHeader { .. }
                    | Error::TruncatedName { .. }
                    | Error::TruncatedData { .. }
                    | Error::MissingTrailer { .. }
            ),
            "cut at {cut}: {error}"
        );
    }
}

#[test]
fn truncation_reports_where() {
    let bytes = sample();
    let first = entry(CRC, b"app", DIRECTORY, b"").len();
    let second = entry(CRC, b"app/main.py", FILE, b"print('hello')\n").len();

    let error = Archive::parse(&bytes[..0]).unwrap_err();
    assert!(
        matches!(error, Error::MissingTrailer { offset: 0 }),
        "{error}"
    );
    let error = Archive::parse(&bytes[..60]).unwrap_err();
    assert!(
        matches!(error, Error::TruncatedHeader { offset: 0 }),
        "{error}"
    );
    assert_eq!(error.to_string(), "initfs: truncated header at offset 0");
    let error = Archive::parse(&bytes[..112]).unwrap_err();
    assert!(
        matches!(error, Error::TruncatedName { offset: 0 }),
        "{error}"
    );
    let error = Archive::parse(&bytes[..first]).unwrap_err();
    assert!(
        matches!(error, Error::MissingTrailer { offset } if offset == first),
        "{error}"
    );
    let error = Archive::parse(&bytes[..first + second - 8]).unwrap_err();
    match error {
        Error::TruncatedData { offset, ref path } => {
            assert_eq!(offset, first);
            assert_eq!(path, "app/main.py");
        }
        _ => panic!("unexpected {error}"),
    }
    assert!(error.to_string().contains("truncated data"), "{error}");
}

#[test]
fn missing_trailer() {
    let mut bytes = sample();
    bytes.truncate(bytes.len() - trailer(CRC).len());
    let end = bytes.len();
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(error, Error::MissingTrailer { offset } if offset == end),
        "{error}"
    );
    assert!(
        error.to_string().contains("without a TRAILER!!!"),
        "{error}"
    );

    // Zeros where the trailer should be: not a header.
    bytes.extend([0; 512]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(matches!(error, Error::BadMagic { offset, found } if offset == end && found == [0; 6]));
}

#[test]
fn bad_magic() {
    let mut bytes = sample();
    bytes[..6].copy_from_slice(b"070707");
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(matches!(error, Error::BadMagic { offset: 0, found } if &found == b"070707"));
    assert_eq!(
        error.to_string(),
        "initfs: bad magic \"070707\" at offset 0 (expected \"070701\" or \"070702\", \
         a newc cpio header)"
    );
}

#[test]
fn non_hex_header_fields() {
    let base = sample();
    for (index, field) in ["ino", "mode", "nlink", "filesize", "namesize", "check"]
        .into_iter()
        .enumerate()
    {
        let position = [0, 1, 4, 6, 11, 12][index];
        let mut bytes = base.clone();
        bytes[6 + position * 8 + 3] = b'g';
        let error = Archive::parse(&bytes).unwrap_err();
        assert!(
            matches!(error, Error::BadHexField { offset: 0, field: found } if found == field),
            "{field}: {error}"
        );
    }
    let mut bytes = base;
    bytes[6 + 6 * 8] = b' ';
    let error = Archive::parse(&bytes).unwrap_err();
    assert_eq!(
        error.to_string(),
        "initfs: header field `filesize` is not 8 hex digits (header at offset 0)"
    );
}

#[test]
fn overlong_names() {
    let long_path = vec!["d".repeat(200); 6].join("/");
    let mut bytes = entry(CRC, long_path.as_bytes(), FILE, b"");
    bytes.extend(trailer(CRC));
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(
            error,
            Error::NameTooLong {
                offset: 0,
                length: 1205
            }
        ),
        "{error}"
    );

    let long_component = "c".repeat(256);
    let bytes = archive(&[(&long_component, FILE, b"")]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidPath {
                problem: PathProblem::ComponentTooLong,
                offset: Some(0),
                ..
            }
        ),
        "{error}"
    );

    // The limits themselves are fine.
    let component = "c".repeat(255);
    let bytes = archive(&[(&component, FILE, b"ok")]);
    assert_eq!(Archive::parse(&bytes).unwrap().entry_count(), 1);
}

#[test]
fn bad_paths() {
    let cases = [
        ("../etc/passwd", PathProblem::ParentDirectory),
        ("a/../b", PathProblem::ParentDirectory),
        ("..", PathProblem::ParentDirectory),
        ("/etc/passwd", PathProblem::Absolute),
        ("./a", PathProblem::CurrentDirectory),
        (".", PathProblem::CurrentDirectory),
        ("a//b", PathProblem::EmptyComponent),
        ("a/", PathProblem::TrailingSlash),
        ("", PathProblem::Empty),
    ];
    for (path, problem) in cases {
        let bytes = archive(&[("a", DIRECTORY, b""), (path, FILE, b"x")]);
        let error = Archive::parse(&bytes).unwrap_err();
        match &error {
            Error::InvalidPath {
                offset,
                path: found,
                problem: found_problem,
            } => {
                assert_eq!(*offset, Some(entry(CRC, b"a", DIRECTORY, b"").len()));
                assert_eq!(found, path);
                assert_eq!(*found_problem, problem, "{path}");
            }
            _ => panic!("{path}: unexpected {error}"),
        }
    }
    let bytes = archive(&[("../x", FILE, b"")]);
    assert_eq!(
        Archive::parse(&bytes).unwrap_err().to_string(),
        "initfs: invalid path \"../x\": '..' components (path traversal) are not allowed \
         (header at offset 0)"
    );
}

#[test]
fn bad_names() {
    // Not NUL-terminated.
    let mut bytes = entry(CRC, b"abc", FILE, b"");
    bytes[110 + 3] = b'd';
    bytes.extend(trailer(CRC));
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(error, Error::NameNotTerminated { offset: 0 }),
        "{error}"
    );

    // Interior NUL.
    let bytes = archive(&[("a\0b", FILE, b"")]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidPath {
                problem: PathProblem::Nul,
                ..
            }
        ),
        "{error}"
    );

    // Not UTF-8.
    let mut bytes = entry(CRC, b"caf\xe9", FILE, b"");
    bytes.extend(trailer(CRC));
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(matches!(error, Error::NonUtf8Name { offset: 0 }), "{error}");

    // Name size 0.
    let fields = Fields {
        inode: 1,
        mode: FILE,
        nlink: 1,
        mtime: 0,
        file_size: 0,
        name_size: 0,
        check: 0,
    };
    let mut bytes = header(CRC, fields);
    bytes.extend([0; 64]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(matches!(error, Error::BadNameSize { offset: 0 }), "{error}");

    // Name size far beyond the input.
    let mut bytes = header(
        CRC,
        Fields {
            name_size: 1000,
            ..fields
        },
    );
    bytes.extend([0; 64]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(error, Error::TruncatedName { offset: 0 }),
        "{error}"
    );

    // File size far beyond the input.
    let mut bytes = header(
        CRC,
        Fields {
            name_size: 2,
            file_size: u32::MAX,
            ..fields
        },
    );
    bytes.extend(b"a\0\0\0");
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(error, Error::TruncatedData { offset: 0, .. }),
        "{error}"
    );
}

#[test]
fn duplicate_paths() {
    let first = entry(CRC, b"a", FILE, b"1").len();
    let bytes = archive(&[("a", FILE, b"1"), ("b", FILE, b"2"), ("a", FILE, b"3")]);
    let error = Archive::parse(&bytes).unwrap_err();
    let second = first + entry(CRC, b"b", FILE, b"2").len();
    assert!(
        matches!(&error, Error::DuplicatePath { offset: Some(offset), path }
            if *offset == second && path == "a"),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        format!("initfs: duplicate path \"a\" (second header at offset {second})")
    );
    let bytes = archive(&[("d", DIRECTORY, b""), ("d", FILE, b"")]);
    assert!(matches!(
        Archive::parse(&bytes),
        Err(Error::DuplicatePath { .. })
    ));
}

#[test]
fn parents_must_be_directories() {
    let bytes = archive(&[("a/b", FILE, b"")]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(&error, Error::MissingParent { path, parent } if path == "a/b" && parent == "a"),
        "{error}"
    );
    let bytes = archive(&[("a", FILE, b""), ("a/b", FILE, b"")]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(matches!(error, Error::ParentNotDirectory { .. }), "{error}");
    // Children before their parent are fine (`find -depth` order).
    let bytes = archive(&[
        ("a/b/c", FILE, b""),
        ("a/b", DIRECTORY, b""),
        ("a", DIRECTORY, b""),
    ]);
    assert_eq!(Archive::parse(&bytes).unwrap().entry_count(), 3);
}

#[test]
fn unsupported_entries() {
    let bytes = archive(&[("link", 0o120777, b"target")]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(&error, Error::UnsupportedKind { mode: 0o120777, path, .. } if path == "link"),
        "{error}"
    );
    assert!(error
        .to_string()
        .contains("only regular files and directories"));
    let bytes = archive(&[("dev", 0o020644, b"")]);
    assert!(matches!(
        Archive::parse(&bytes),
        Err(Error::UnsupportedKind { .. })
    ));

    let bytes = archive(&[("d", DIRECTORY, b"data")]);
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(
        matches!(error, Error::DirectoryWithData { size: 4, .. }),
        "{error}"
    );

    let fields = Fields {
        inode: 1,
        mode: FILE,
        nlink: 2,
        mtime: 0,
        file_size: 0,
        name_size: 2,
        check: 0,
    };
    let mut bytes = header(NEWC, fields);
    bytes.extend(b"h\0\0\0");
    bytes.extend(trailer(NEWC));
    let error = Archive::parse(&bytes).unwrap_err();
    assert!(matches!(error, Error::HardLink { nlink: 2, .. }), "{error}");
}

#[test]
fn checksum_mismatch_is_found_by_verify() {
    let mut bytes = sample();
    let position = bytes
        .windows(5)
        .position(|window| window == b"print")
        .unwrap();
    bytes[position] = b'P';
    let archive = Archive::parse(&bytes).unwrap();
    let main = archive.lookup("app/main.py").unwrap();
    let error = main.verify().unwrap_err();
    match &error {
        Error::ChecksumMismatch {
            path,
            expected,
            actual,
        } => {
            assert_eq!(path, "app/main.py");
            assert_eq!(expected - actual, u32::from(b'p' - b'P'));
        }
        _ => panic!("unexpected {error}"),
    }
    assert!(error
        .to_string()
        .starts_with("initfs: checksum mismatch in \"app/main.py\""));
    assert!(matches!(
        archive.verify(),
        Err(Error::ChecksumMismatch { .. })
    ));
    archive.lookup("lib/data.bin").unwrap().verify().unwrap();
}

#[test]
fn plain_newc_has_no_checksum() {
    let mut bytes = entry(NEWC, b"f", FILE, b"content");
    bytes.extend(trailer(NEWC));
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.lookup("f").unwrap().data(), b"content");
    archive.verify().unwrap();
}

#[test]
fn corrupted_bytes_never_panic() {
    let bytes = sample();
    for position in 0..bytes.len() {
        for value in [0u8, b'0', b'f', b'/', b'.', 0xff] {
            let mut corrupt = bytes.clone();
            corrupt[position] = value;
            if let Ok(archive) = Archive::parse(&corrupt) {
                for entry in archive.entries() {
                    assert_eq!(archive.lookup(entry.path()), Some(entry));
                    let _ = entry.verify();
                    if entry.kind() == EntryKind::Directory {
                        assert!(archive.read_dir(entry.path()).is_some());
                    }
                }
            }
        }
    }
}
