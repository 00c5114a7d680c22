//! Zero-copy reader: walks the headers once and indexes the entries by path.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::error::Error;
use crate::format::{
    align4, check_path, checksum, parent, parse_hex, trim_slashes, FIELD_NAMES, HEADER_LEN,
    MAGIC_CHECKSUM, MAGIC_NEWC, MAX_PATH_LEN, MODE_DIRECTORY, TRAILER_NAME, TYPE_DIRECTORY,
    TYPE_FILE, TYPE_MASK,
};

/// What an entry is. Other cpio entry kinds (symlinks, devices, FIFOs) are rejected by
/// [`Archive::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
}

/// One file or directory of an [`Archive`]; cheap to copy, borrows the archive bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    path: &'a str,
    kind: EntryKind,
    mode: u32,
    mtime: u32,
    size: u32,
    inode: u32,
    /// The header's checksum, for files of `070702` archives.
    expected_checksum: Option<u32>,
    data: &'a [u8],
}

/// The root directory, which every archive has without storing it.
const ROOT: Entry<'static> = Entry {
    path: "",
    kind: EntryKind::Directory,
    mode: MODE_DIRECTORY,
    mtime: 0,
    size: 0,
    inode: 0,
    expected_checksum: None,
    data: &[],
};

impl<'a> Entry<'a> {
    /// The full stored path without a leading slash (`lib/python/json/__init__.py`);
    /// empty for the root directory.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The last path component (`__init__.py`); empty for the root directory.
    pub fn name(&self) -> &'a str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// Whether this is a file or a directory.
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// The full mode including the file-type bits (`0o100644`, `0o040755`).
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Modification time in seconds since the Unix epoch (0 for the root directory).
    pub fn mtime(&self) -> u32 {
        self.mtime
    }

    /// Size of the data in bytes (0 for directories).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The inode number stored in the header (0 for the root directory).
    pub fn inode(&self) -> u32 {
        self.inode
    }

    /// The file's contents, borrowed from the archive bytes (empty for directories).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Checks the data against the header's checksum.
    ///
    /// Succeeds without checking for directories and for files of plain newc (`070701`)
    /// archives, which carry no checksum.
    pub fn verify(&self) -> Result<(), Error> {
        match self.expected_checksum {
            Some(expected) => {
                let actual = checksum(self.data);
                if actual == expected {
                    Ok(())
                } else {
                    Err(Error::ChecksumMismatch {
                        path: self.path.to_string(),
                        expected,
                        actual,
                    })
                }
            }
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Entry<'_> {
    /// Shows the metadata, not the (possibly large) contents.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Entry")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("mode", &format_args!("{:#o}", self.mode))
            .field("mtime", &self.mtime)
            .field("size", &self.size)
            .field("inode", &self.inode)
            .finish_non_exhaustive()
    }
}

/// A parsed archive: an index of its entries sorted by path, borrowing the archive bytes.
#[derive(Clone)]
pub struct Archive<'a> {
    /// Every stored entry (not the root, not the trailer), sorted by path bytes.
    entries: Vec<Entry<'a>>,
    len_bytes: usize,
}

impl fmt::Debug for Archive<'_> {
    /// Shows the size and entry count, not the entries.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Archive")
            .field("len_bytes", &self.len_bytes)
            .field("entry_count", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// The fields of one header, already converted from hex.
struct Header {
    checksummed: bool,
    inode: u32,
    mode: u32,
    nlink: u32,
    mtime: u32,
    file_size: u32,
    name_size: u32,
    check: u32,
}

/// Decodes the header at `offset`, which must have `HEADER_LEN` bytes available.
fn decode_header(header: &[u8], offset: usize) -> Result<Header, Error> {
    let magic = &header[..6];
    let checksummed = if magic == MAGIC_CHECKSUM {
        true
    } else if magic == MAGIC_NEWC {
        false
    } else {
        let mut found = [0; 6];
        found.copy_from_slice(magic);
        return Err(Error::BadMagic { offset, found });
    };
    let mut fields = [0u32; 13];
    for (index, (field, name)) in fields.iter_mut().zip(FIELD_NAMES).enumerate() {
        let start = 6 + index * 8;
        *field = parse_hex(&header[start..start + 8]).ok_or(Error::BadHexField {
            offset,
            field: name,
        })?;
    }
    let [inode, mode, _uid, _gid, nlink, mtime, file_size, _, _, _, _, name_size, check] = fields;
    Ok(Header {
        checksummed,
        inode,
        mode,
        nlink,
        mtime,
        file_size,
        name_size,
        check,
    })
}

/// One entry located in the archive: its decoded header, the bytes of its name (with the
/// terminating NUL) and where its data would start.
struct RawEntry {
    header: Header,
    name_start: usize,
    name_end: usize,
    data_start: usize,
}

impl RawEntry {
    /// Locates the entry whose header is at `offset`; checks the header and the name's bounds.
    fn at(bytes: &[u8], offset: usize) -> Result<Self, Error> {
        if offset == bytes.len() {
            return Err(Error::MissingTrailer { offset });
        }
        let header = offset
            .checked_add(HEADER_LEN)
            .and_then(|end| bytes.get(offset..end))
            .ok_or(Error::TruncatedHeader { offset })?;
        let header = decode_header(header, offset)?;
        let name_size = header.name_size as usize;
        if name_size == 0 {
            return Err(Error::BadNameSize { offset });
        }
        if name_size - 1 > MAX_PATH_LEN {
            return Err(Error::NameTooLong {
                offset,
                length: name_size - 1,
            });
        }
        let name_start = offset + HEADER_LEN;
        let name_end = name_start + name_size;
        let data_start = align4(name_end)
            .filter(|&start| start <= bytes.len())
            .ok_or(Error::TruncatedName { offset })?;
        Ok(Self {
            header,
            name_start,
            name_end,
            data_start,
        })
    }

    /// The end of the entry's data, if the data lies within `bytes`.
    fn data_end(&self, bytes: &[u8]) -> Option<usize> {
        self.data_start
            .checked_add(self.header.file_size as usize)
            .filter(|&end| end <= bytes.len())
    }

    /// True for the `TRAILER!!!` entry.
    fn is_trailer(&self, bytes: &[u8]) -> bool {
        bytes[self.name_start..self.name_end].strip_suffix(b"\0") == Some(TRAILER_NAME.as_bytes())
    }
}

/// Length of the archive at the start of `bytes`, up to and including its `TRAILER!!!` entry.
///
/// Walks the headers only: no allocation and no path checks, so the kernel can size the
/// archive at boot before its heap exists. [`Archive::parse`] does the full validation.
pub fn archive_len(bytes: &[u8]) -> Result<usize, Error> {
    let mut offset = 0usize;
    loop {
        let entry = RawEntry::at(bytes, offset)?;
        let next = entry
            .data_end(bytes)
            .and_then(align4)
            .ok_or(Error::TruncatedEntry { offset })?;
        if entry.is_trailer(bytes) {
            return Ok(next.min(bytes.len()));
        }
        offset = next;
    }
}

impl<'a> Archive<'a> {
    /// Parses the archive at the start of `bytes`, stopping at the `TRAILER!!!` entry.
    ///
    /// Anything after the trailer is ignored, so `bytes` may be a larger memory region that
    /// starts with the archive. Checks the structure (magic, hex fields, names, bounds, path
    /// rules, entry kinds, duplicates, parents) but not the data checksums: see
    /// [`Entry::verify`] and [`Archive::verify`].
    ///
    /// Every parent directory of an entry must have its own directory entry (the root is
    /// implicit); the order of the entries in the archive does not matter.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let mut entries = Vec::new();
        let mut offset = 0usize;
        let len_bytes = loop {
            let RawEntry {
                header,
                name_start,
                name_end,
                data_start,
            } = RawEntry::at(bytes, offset)?;
            let (terminator, name) = bytes[name_start..name_end]
                .split_last()
                .ok_or(Error::BadNameSize { offset })?;
            if *terminator != 0 {
                return Err(Error::NameNotTerminated { offset });
            }
            let path = core::str::from_utf8(name).map_err(|_| Error::NonUtf8Name { offset })?;

            let data_end = data_start
                .checked_add(header.file_size as usize)
                .filter(|&end| end <= bytes.len())
                .ok_or_else(|| Error::TruncatedData {
                    offset,
                    path: path.to_string(),
                })?;
            let data = &bytes[data_start..data_end];
            let next = align4(data_end).ok_or(Error::TruncatedHeader { offset: data_end })?;
            if path == TRAILER_NAME {
                break next.min(bytes.len());
            }

            check_path(path).map_err(|problem| Error::InvalidPath {
                offset: Some(offset),
                path: path.to_string(),
                problem,
            })?;
            let kind = match header.mode & TYPE_MASK {
                TYPE_FILE => EntryKind::File,
                TYPE_DIRECTORY => EntryKind::Directory,
                _ => {
                    return Err(Error::UnsupportedKind {
                        offset,
                        path: path.to_string(),
                        mode: header.mode,
                    })
                }
            };
            if kind == EntryKind::Directory && header.file_size != 0 {
                return Err(Error::DirectoryWithData {
                    offset,
                    path: path.to_string(),
                    size: header.file_size,
                });
            }
            if kind == EntryKind::File && header.nlink > 1 {
                return Err(Error::HardLink {
                    offset,
                    path: path.to_string(),
                    nlink: header.nlink,
                });
            }
            let expected_checksum =
                (header.checksummed && kind == EntryKind::File).then_some(header.check);
            entries.push((
                offset,
                Entry {
                    path,
                    kind,
                    mode: header.mode,
                    mtime: header.mtime,
                    size: header.file_size,
                    inode: header.inode,
                    expected_checksum,
                    data,
                },
            ));
            offset = next;
        };

        entries.sort_unstable_by(|(_, left), (_, right)| left.path.cmp(right.path));
        for pair in entries.windows(2) {
            let [(first_offset, first), (second_offset, second)] = pair else {
                continue;
            };
            if first.path == second.path {
                return Err(Error::DuplicatePath {
                    offset: Some(*first_offset.max(second_offset)),
                    path: second.path.to_string(),
                });
            }
        }
        let archive = Archive {
            entries: entries.into_iter().map(|(_, entry)| entry).collect(),
            len_bytes,
        };
        for entry in &archive.entries {
            let parent_path = parent(entry.path);
            match archive.lookup(parent_path) {
                None => {
                    return Err(Error::MissingParent {
                        path: entry.path.to_string(),
                        parent: String::from(parent_path),
                    })
                }
                Some(parent_entry) if parent_entry.kind != EntryKind::Directory => {
                    return Err(Error::ParentNotDirectory {
                        path: entry.path.to_string(),
                        parent: String::from(parent_path),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(archive)
    }

    /// Size of the archive in bytes, up to and including the trailer entry.
    pub fn len_bytes(&self) -> usize {
        self.len_bytes
    }

    /// Number of stored entries, not counting the implicit root and the trailer.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// All stored entries (not the root), sorted by path bytes, so parents come first.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + '_ {
        self.entries.iter().copied()
    }

    /// Finds an entry by path; leading and trailing slashes are ignored, and `/` or the
    /// empty string name the root directory, which is always present.
    pub fn lookup(&self, path: &str) -> Option<Entry<'a>> {
        let path = trim_slashes(path);
        if path.is_empty() {
            return Some(ROOT);
        }
        self.entries
            .binary_search_by(|entry| entry.path.cmp(path))
            .ok()
            .map(|index| self.entries[index])
    }

    /// The direct children of a directory, sorted by name; `None` if `path` does not exist
    /// or is not a directory. Paths are interpreted as in [`Archive::lookup`].
    pub fn read_dir(&self, path: &str) -> Option<ReadDir<'_, 'a>> {
        let directory = self.lookup(path)?;
        if directory.kind != EntryKind::Directory {
            return None;
        }
        let directory = directory.path;
        if directory.is_empty() {
            return Some(ReadDir {
                remaining: &self.entries,
                prefix_len: 0,
            });
        }
        // The descendants of `directory` are exactly the entries starting with
        // `directory/`, a contiguous run of the sorted index.
        let is_descendant = |entry: &Entry<'_>| {
            entry
                .path
                .strip_prefix(directory)
                .is_some_and(|rest| rest.starts_with('/'))
        };
        let sorts_before_descendants = |entry: &Entry<'_>| match entry.path.strip_prefix(directory)
        {
            Some(rest) => rest.bytes().next().is_none_or(|byte| byte < b'/'),
            None => entry.path < directory,
        };
        let start = self.entries.partition_point(sorts_before_descendants);
        let after_start = &self.entries[start..];
        let count = after_start.partition_point(is_descendant);
        Some(ReadDir {
            remaining: &after_start[..count],
            prefix_len: directory.len() + 1,
        })
    }

    /// Verifies the checksum of every file (see [`Entry::verify`]), stopping at the first
    /// mismatch.
    pub fn verify(&self) -> Result<(), Error> {
        self.entries.iter().try_for_each(Entry::verify)
    }
}

/// Iterator over the direct children of a directory, returned by [`Archive::read_dir`].
#[derive(Clone, Debug)]
pub struct ReadDir<'s, 'a> {
    /// The not yet visited descendants of the directory, sorted by path.
    remaining: &'s [Entry<'a>],
    /// Length of `directory/`, which every remaining path starts with.
    prefix_len: usize,
}

impl<'a> Iterator for ReadDir<'_, 'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        loop {
            let (first, rest) = self.remaining.split_first()?;
            let relative = &first.path[self.prefix_len..];
            match relative.find('/') {
                None => {
                    self.remaining = rest;
                    return Some(*first);
                }
                Some(slash) => {
                    // A deeper descendant: skip the whole subtree of that child at once.
                    let subtree = &first.path[..self.prefix_len + slash + 1];
                    let skip = self
                        .remaining
                        .partition_point(|entry| entry.path.starts_with(subtree));
                    self.remaining = &self.remaining[skip..];
                }
            }
        }
    }
}
