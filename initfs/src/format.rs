//! The newc cpio layout and the path rules shared by the reader and the packer.

use crate::error::PathProblem;

/// Magic of plain newc headers (`cpio -o -H newc`); the `check` field is unused.
pub(crate) const MAGIC_NEWC: &[u8; 6] = b"070701";
/// Magic of newc headers whose `check` field holds the data checksum (`cpio -o -H crc`).
pub(crate) const MAGIC_CHECKSUM: &[u8; 6] = b"070702";
/// Size of a header: the magic plus thirteen 8-digit hex fields.
pub(crate) const HEADER_LEN: usize = 6 + 13 * 8;
/// Name of the entry that ends an archive.
pub(crate) const TRAILER_NAME: &str = "TRAILER!!!";
/// The header fields in order, named as cpio documents them.
pub(crate) const FIELD_NAMES: [&str; 13] = [
    "ino",
    "mode",
    "uid",
    "gid",
    "nlink",
    "mtime",
    "filesize",
    "devmajor",
    "devminor",
    "rdevmajor",
    "rdevminor",
    "namesize",
    "check",
];

/// Longest accepted path in bytes, without the terminating NUL.
pub const MAX_PATH_LEN: usize = 1024;
/// Longest accepted path component in bytes.
pub const MAX_COMPONENT_LEN: usize = 255;
/// Mode the packer gives regular files by default: `0100644`.
pub const MODE_FILE: u32 = 0o100_644;
/// Mode of every directory, including the implicit root: `040755`.
pub const MODE_DIRECTORY: u32 = 0o040_755;
/// Modification time written when none is given: 0 (1970-01-01 00:00:00 UTC).
pub const DEFAULT_MTIME: u32 = 0;

/// File-type bits of a mode.
pub(crate) const TYPE_MASK: u32 = 0o170_000;
/// File-type bits of a regular file.
pub(crate) const TYPE_FILE: u32 = 0o100_000;
/// File-type bits of a directory.
pub(crate) const TYPE_DIRECTORY: u32 = 0o040_000;
/// Permission bits of a mode (including setuid, setgid and sticky).
#[cfg(feature = "std")]
pub(crate) const PERMISSION_MASK: u32 = 0o7777;

/// The `070702` checksum: the wrapping 32-bit sum of all data bytes.
pub fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .fold(0u32, |sum, &byte| sum.wrapping_add(u32::from(byte)))
}

/// Rounds `value` up to a multiple of 4, or `None` on overflow.
pub(crate) fn align4(value: usize) -> Option<usize> {
    value.checked_add(3).map(|value| value & !3)
}

/// Parses an 8-digit hexadecimal header field (either letter case).
pub(crate) fn parse_hex(field: &[u8]) -> Option<u32> {
    if field.len() != 8 {
        return None;
    }
    field.iter().try_fold(0u32, |value, &digit| {
        let nibble = char::from(digit).to_digit(16)?;
        Some(value << 4 | nibble)
    })
}

/// Appends `value` as 8 lowercase hexadecimal digits, as GNU cpio writes them.
#[cfg(feature = "std")]
pub(crate) fn push_hex(out: &mut Vec<u8>, value: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..8).rev() {
        out.push(DIGITS[(value >> (shift * 4) & 0xf) as usize]);
    }
}

/// Checks a stored path: relative, no empty, `.` or `..` components, within the length limits.
pub(crate) fn check_path(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    if path.ends_with('/') {
        return Err(PathProblem::TrailingSlash);
    }
    if path.contains('\0') {
        return Err(PathProblem::Nul);
    }
    if path == TRAILER_NAME {
        return Err(PathProblem::Reserved);
    }
    for component in path.split('/') {
        match component {
            "" => return Err(PathProblem::EmptyComponent),
            "." => return Err(PathProblem::CurrentDirectory),
            ".." => return Err(PathProblem::ParentDirectory),
            _ if component.len() > MAX_COMPONENT_LEN => return Err(PathProblem::ComponentTooLong),
            _ => {}
        }
    }
    if path.len() > MAX_PATH_LEN {
        return Err(PathProblem::TooLong);
    }
    Ok(())
}

/// Strips leading and trailing slashes: `/a/b/` -> `a/b`, `/` -> `` (the root).
pub(crate) fn trim_slashes(path: &str) -> &str {
    path.trim_matches('/')
}

/// The parent of a stored path (`a/b` -> `a`, `a` -> `` for the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |slash| &path[..slash])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn hex_writing() {
        let mut out = Vec::new();
        push_hex(&mut out, 0xdead_beef);
        assert_eq!(out, b"deadbeef");
    }

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex(b"DEADbeef"), Some(0xdead_beef));
        assert_eq!(parse_hex(b"0000000g"), None);
        assert_eq!(parse_hex(b"+0000001"), None);
        assert_eq!(parse_hex(b"0001"), None);
    }

    #[test]
    fn path_rules() {
        assert_eq!(check_path("lib/python/json/__init__.py"), Ok(()));
        assert_eq!(check_path(""), Err(PathProblem::Empty));
        assert_eq!(check_path("/a"), Err(PathProblem::Absolute));
        assert_eq!(check_path("a/"), Err(PathProblem::TrailingSlash));
        assert_eq!(check_path("a//b"), Err(PathProblem::EmptyComponent));
        assert_eq!(check_path("./a"), Err(PathProblem::CurrentDirectory));
        assert_eq!(check_path("a/../b"), Err(PathProblem::ParentDirectory));
        assert_eq!(check_path("a\0b"), Err(PathProblem::Nul));
        assert_eq!(check_path("TRAILER!!!"), Err(PathProblem::Reserved));
        assert_eq!(
            check_path(&"x".repeat(256)),
            Err(PathProblem::ComponentTooLong)
        );
        assert_eq!(check_path(&"x".repeat(255)), Ok(()));
        let long = vec!["y".repeat(200); 6].join("/");
        assert_eq!(check_path(&long), Err(PathProblem::TooLong));
    }

    #[test]
    fn parents_and_trimming() {
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(trim_slashes("/a/b/"), "a/b");
        assert_eq!(trim_slashes("/"), "");
    }

    #[test]
    fn checksum_wraps() {
        assert_eq!(checksum(b""), 0);
        assert_eq!(checksum(&[0xff, 0x01]), 0x100);
    }
}
