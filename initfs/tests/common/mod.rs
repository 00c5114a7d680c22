//! Test helpers: a hand-written newc writer, independent of the crate's packer, for crafting
//! valid and broken archives byte by byte.
#![allow(dead_code)]

/// Magic of plain newc headers.
pub const NEWC: &[u8; 6] = b"070701";
/// Magic of newc headers with a checksum.
pub const CRC: &[u8; 6] = b"070702";
/// Mode of a regular file.
pub const FILE: u32 = 0o100644;
/// Mode of a directory.
pub const DIRECTORY: u32 = 0o040755;

/// The thirteen header fields in order.
#[derive(Clone, Copy)]
pub struct Fields {
    pub inode: u32,
    pub mode: u32,
    pub nlink: u32,
    pub mtime: u32,
    pub file_size: u32,
    pub name_size: u32,
    pub check: u32,
}

/// Encodes a header with the given magic and fields.
pub fn header(magic: &[u8], fields: Fields) -> Vec<u8> {
    let mut out = magic.to_vec();
    let values = [
        fields.inode,
        fields.mode,
        0,
        0,
        fields.nlink,
        fields.mtime,
        fields.file_size,
        0,
        0,
        0,
        0,
        fields.name_size,
        fields.check,
    ];
    for value in values {
        out.extend_from_slice(format!("{value:08X}").as_bytes());
    }
    out
}

/// Pads `out` with zeros to a multiple of 4 bytes.
pub fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// One complete entry: header, NUL-terminated name, data, with padding.
pub fn entry(magic: &[u8], name: &[u8], mode: u32, data: &[u8]) -> Vec<u8> {
    let is_file = mode & 0o170000 == 0o100000;
    let check = if magic == CRC && is_file {
        data.iter().map(|&byte| u32::from(byte)).sum()
    } else {
        0
    };
    let fields = Fields {
        inode: 7,
        mode,
        nlink: if is_file { 1 } else { 2 },
        mtime: 1_700_000_000,
        file_size: data.len() as u32,
        name_size: name.len() as u32 + 1,
        check,
    };
    let mut out = header(magic, fields);
    out.extend_from_slice(name);
    out.push(0);
    pad(&mut out);
    out.extend_from_slice(data);
    pad(&mut out);
    out
}

/// The end-of-archive entry.
pub fn trailer(magic: &[u8]) -> Vec<u8> {
    entry(magic, b"TRAILER!!!", 0, b"")
}

/// A `070702` archive of `(path, mode, data)` entries, in the given order, with a trailer.
pub fn archive(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, mode, data) in entries {
        out.extend(entry(CRC, path.as_bytes(), *mode, data));
    }
    out.extend(trailer(CRC));
    out
}

/// A small valid archive: `app/`, `app/main.py`, `lib/`, `lib/data.bin`.
pub fn sample() -> Vec<u8> {
    archive(&[
        ("app", DIRECTORY, b""),
        ("app/main.py", FILE, b"print('hello')\n"),
        ("lib", DIRECTORY, b""),
        ("lib/data.bin", FILE, &[0xff, 0x00, 0x80, 0x7f, 0x01]),
    ])
}
