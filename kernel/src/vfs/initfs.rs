//! The initfs archive as a read-only [`FileSystem`]: zero-copy reads out of the archive in RAM.
use vfscore::{
    DirEntry, Error, FileKind, FileSystem, Metadata, OpenFile, OpenOptions, StatVfs, StaticFile,
};

use initfs::{Archive, EntryKind};

/// The initfs, mounted read-only (at `/`).
pub struct InitFs {
    archive: &'static Archive<'static>,
}

impl InitFs {
    /// Serves `archive`.
    pub fn new(archive: &'static Archive<'static>) -> Self {
        Self { archive }
    }

    fn entry_metadata(entry: &initfs::Entry<'_>) -> Metadata {
        Metadata {
            kind: match entry.kind() {
                EntryKind::File => FileKind::File,
                EntryKind::Directory => FileKind::Directory,
            },
            mode: entry.mode() & 0o7777,
            size: u64::from(entry.size()),
            modified: i64::from(entry.mtime()),
            inode: u64::from(entry.inode()),
            device: 0,
        }
    }

    fn root_metadata() -> Metadata {
        Metadata {
            kind: FileKind::Directory,
            mode: 0o755,
            size: 0,
            modified: 0,
            inode: 1,
            device: 0,
        }
    }
}

impl FileSystem for InitFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn OpenFile>, Error> {
        if options.wants_change() {
            return Err(Error::ReadOnly);
        }
        if path == "/" {
            return Err(Error::IsADirectory);
        }
        let entry = self.archive.lookup(path).ok_or(Error::NotFound)?;
        let metadata = Self::entry_metadata(&entry);
        if metadata.kind == FileKind::Directory {
            return Err(Error::IsADirectory);
        }
        // The 070702 checksum is checked once per open: a damaged file is an I/O error.
        entry.verify().map_err(|_| Error::Io)?;
        Ok(Box::new(StaticFile::new(entry.data(), metadata)))
    }

    fn metadata(&self, path: &str) -> Result<Metadata, Error> {
        if path == "/" {
            return Ok(Self::root_metadata());
        }
        self.archive
            .lookup(path)
            .map(|entry| Self::entry_metadata(&entry))
            .ok_or(Error::NotFound)
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, Error> {
        if path != "/" && self.metadata(path)?.kind != FileKind::Directory {
            return Err(Error::NotADirectory);
        }
        let entries = self.archive.read_dir(path).ok_or(Error::NotADirectory)?;
        let mut listing: Vec<DirEntry> = entries
            .map(|entry| {
                let metadata = Self::entry_metadata(&entry);
                DirEntry {
                    name: entry.name().to_owned(),
                    kind: metadata.kind,
                    inode: metadata.inode,
                }
            })
            .collect();
        listing.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listing)
    }

    fn create_dir(&self, _path: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn remove_dir(&self, _path: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn remove_file(&self, _path: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn rename(&self, _from: &str, _to: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn statvfs(&self) -> Result<StatVfs, Error> {
        let bytes = self.archive.len_bytes() as u64;
        Ok(StatVfs {
            block_size: 512,
            fragment_size: 512,
            blocks: bytes.div_ceil(512),
            blocks_free: 0,
            blocks_available: 0,
            files: self.archive.entry_count() as u64,
            files_free: 0,
            name_max: 255,
            read_only: true,
        })
    }

    fn is_read_only(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "initfs"
    }
}
