//! A FAT volume (through `fatfs`) as a `vfscore` file system.
use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;
use std::sync::OnceLock;

use vfscore::{
    DirEntry, Error, FileKind, FileSystem, Metadata, OpenFile, OpenOptions, SeekFrom as VfsSeek,
    StatVfs,
};

use crate::stream::{BlockStream, Flusher};
use crate::{SharedDevice, BLOCK_SIZE};

type Fs = fatfs::FileSystem<BlockStream>;
type FatFileHandle = fatfs::File<'static, BlockStream>;

/// Permission bits shown for FAT files and directories (FAT has none).
const FILE_MODE: u32 = 0o666;
const DIRECTORY_MODE: u32 = 0o777;

/// The clock for timestamps: seconds since the Unix epoch (set once by the kernel).
static CLOCK: OnceLock<fn() -> i64> = OnceLock::new();

/// Sets the clock new and changed files are stamped with (the default is 1980-01-01).
pub fn set_clock(clock: fn() -> i64) {
    let _ = CLOCK.set(clock);
}

/// fatfs's time provider over [`CLOCK`].
#[derive(Debug)]
struct Clock;

static CLOCK_PROVIDER: Clock = Clock;

impl fatfs::TimeProvider for Clock {
    fn get_current_date(&self) -> fatfs::Date {
        self.get_current_date_time().date
    }

    fn get_current_date_time(&self) -> fatfs::DateTime {
        let seconds = CLOCK.get().map_or(315_532_800, |clock| clock());
        to_fat_time(seconds)
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Unix seconds as a FAT timestamp, clamped to FAT's 1980..=2107.
fn to_fat_time(seconds: i64) -> fatfs::DateTime {
    let seconds = seconds.clamp(315_532_800, 4_354_819_199);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let in_day = seconds.rem_euclid(86_400);
    fatfs::DateTime {
        date: fatfs::Date {
            year: year as u16,
            month: month as u16,
            day: day as u16,
        },
        time: fatfs::Time {
            hour: (in_day / 3600) as u16,
            min: (in_day / 60 % 60) as u16,
            sec: (in_day % 60) as u16,
            millis: 0,
        },
    }
}

/// A FAT timestamp as Unix seconds.
fn from_fat_time(time: fatfs::DateTime) -> i64 {
    let days = days_from_civil(
        i64::from(time.date.year),
        i64::from(time.date.month),
        i64::from(time.date.day),
    );
    days * 86_400
        + i64::from(time.time.hour) * 3600
        + i64::from(time.time.min) * 60
        + i64::from(time.time.sec)
}

/// An io error from fatfs or the card as a VFS error.
fn vfs_error(error: &io::Error) -> Error {
    match error.kind() {
        io::ErrorKind::NotFound => Error::NotFound,
        io::ErrorKind::AlreadyExists => Error::AlreadyExists,
        io::ErrorKind::InvalidInput => Error::InvalidArgument,
        _ => match error.to_string().as_str() {
            "Directory not empty" => Error::DirectoryNotEmpty,
            "No space left on device" => Error::NoSpace,
            "Is a directory" => Error::IsADirectory,
            "Not a directory" => Error::NotADirectory,
            "File name too long" => Error::NameTooLong,
            "File name is empty" | "File name contains unsupported characters" => {
                Error::InvalidArgument
            }
            _ => Error::Io,
        },
    }
}

/// A path of the VFS (`/a/b`, `/` for the root) as fatfs wants it (`a/b`, empty for the root).
fn relative(path: &str) -> &str {
    path.trim_matches('/')
}

/// (parent, name) of a non-root path.
fn split(path: &str) -> Result<(&str, &str), Error> {
    let path = relative(path);
    if path.is_empty() {
        return Err(Error::InvalidArgument);
    }
    Ok(match path.rfind('/') {
        Some(at) => (&path[..at], &path[at + 1..]),
        None => ("", path),
    })
}

/// A mounted FAT volume.
///
/// fatfs's files borrow their file system, and VFS files must own theirs: the file system is
/// leaked at mount and lives for the rest of the boot (a volume is mounted once per boot).
pub struct FatVolume {
    fs: &'static Fs,
    flusher: Rc<Flusher>,
    budget: Rc<Cell<u64>>,
    limit: u64,
    name: String,
    read_only: bool,
    device_id: u64,
}

impl FatVolume {
    /// Mounts the FAT volume on blocks `[first_block, first_block + block_count)` of `device`.
    pub fn mount(
        device: SharedDevice,
        first_block: u64,
        block_count: u64,
        name: &str,
        device_id: u64,
    ) -> Result<FatVolume, String> {
        let stream = BlockStream::new(device, first_block, block_count);
        let budget = stream.budget();
        let flusher = Rc::new(stream.flusher());
        // Every legitimate call reads each block of the volume at most a few times.
        let limit = block_count.saturating_mul(4).saturating_add(4096);
        budget.set(limit);
        let options = fatfs::FsOptions::new()
            .update_accessed_date(false)
            .time_provider(&CLOCK_PROVIDER);
        let fs = Fs::new(stream, options).map_err(|error| error.to_string())?;
        // A directory walk of the root finds a broken root chain now rather than later.
        budget.set(limit);
        for entry in fs.root_dir().iter() {
            entry.map_err(|error| error.to_string())?;
        }
        Ok(FatVolume {
            fs: Box::leak(Box::new(fs)),
            flusher,
            budget,
            limit,
            name: name.to_owned(),
            read_only: false,
            device_id,
        })
    }

    /// Mounts read-only (writes give `EROFS`).
    pub fn read_only(mut self) -> FatVolume {
        self.read_only = true;
        self
    }

    /// The volume label (from the boot sector).
    pub fn label(&self) -> String {
        self.fs.volume_label().trim_end().to_owned()
    }

    /// Starts a file-system call with a full access budget.
    fn call(&self) {
        self.budget.set(self.limit);
    }

    fn writable(&self) -> Result<(), Error> {
        if self.read_only {
            Err(Error::ReadOnly)
        } else {
            Ok(())
        }
    }

    fn directory(&self, path: &str) -> Result<fatfs::Dir<'static, BlockStream>, Error> {
        let path = relative(path);
        if path.is_empty() {
            Ok(self.fs.root_dir())
        } else {
            self.fs
                .root_dir()
                .open_dir(path)
                .map_err(|error| vfs_error(&error))
        }
    }

    /// The directory entry of a non-root path.
    fn entry(&self, path: &str) -> Result<fatfs::DirEntry<'static, BlockStream>, Error> {
        let (parent, name) = split(path)?;
        for entry in self.directory(parent)?.iter() {
            let entry = entry.map_err(|error| vfs_error(&error))?;
            if entry.file_name().eq_ignore_ascii_case(name) {
                return Ok(entry);
            }
        }
        Err(Error::NotFound)
    }

    fn entry_metadata(&self, entry: &fatfs::DirEntry<'static, BlockStream>) -> Metadata {
        let kind = if entry.is_dir() {
            FileKind::Directory
        } else {
            FileKind::File
        };
        Metadata {
            kind,
            size: if entry.is_dir() { 0 } else { entry.len() },
            mode: if entry.is_dir() {
                DIRECTORY_MODE
            } else {
                FILE_MODE
            },
            modified: from_fat_time(entry.modified()),
            inode: 0,
            device: self.device_id,
        }
    }

    /// Writes every cached change to the card.
    fn flush_all(&self) -> Result<(), Error> {
        self.flusher.flush().map_err(|error| vfs_error(&error))
    }
}

impl FileSystem for FatVolume {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn OpenFile>, Error> {
        self.call();
        if !options.read && !options.write {
            return Err(Error::InvalidArgument);
        }
        if options.write || options.truncate || options.create || options.create_new {
            self.writable()?;
        }
        let existing = match self.entry(path) {
            Ok(entry) => Some(entry),
            Err(Error::NotFound) => None,
            Err(Error::InvalidArgument) if relative(path).is_empty() => {
                return Err(Error::IsADirectory)
            }
            Err(error) => return Err(error),
        };
        let mut file = match existing {
            Some(entry) => {
                if options.create_new {
                    return Err(Error::AlreadyExists);
                }
                if entry.is_dir() {
                    return Err(Error::IsADirectory);
                }
                if options.directory {
                    return Err(Error::NotADirectory);
                }
                let mut file = entry.to_file();
                if options.truncate && options.write {
                    file.truncate().map_err(|error| vfs_error(&error))?;
                }
                file
            }
            None if options.create || options.create_new => {
                if options.directory {
                    return Err(Error::InvalidArgument);
                }
                self.fs
                    .root_dir()
                    .create_file(relative(path))
                    .map_err(|error| vfs_error(&error))?
            }
            None => return Err(Error::NotFound),
        };
        file.seek(SeekFrom::Start(0))
            .map_err(|error| vfs_error(&error))?;
        Ok(Box::new(FatFile {
            file: Some(file),
            flusher: Rc::clone(&self.flusher),
            budget: Rc::clone(&self.budget),
            limit: self.limit,
            readable: options.read,
            writable: options.write,
            append: options.append,
            device_id: self.device_id,
        }))
    }

    fn metadata(&self, path: &str) -> Result<Metadata, Error> {
        self.call();
        if relative(path).is_empty() {
            return Ok(Metadata {
                kind: FileKind::Directory,
                size: 0,
                mode: DIRECTORY_MODE,
                modified: 0,
                inode: 0,
                device: self.device_id,
            });
        }
        let entry = self.entry(path)?;
        Ok(self.entry_metadata(&entry))
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, Error> {
        self.call();
        let directory = self.directory(path)?;
        let mut entries = Vec::new();
        for entry in directory.iter() {
            let entry = entry.map_err(|error| vfs_error(&error))?;
            let name = entry.file_name();
            if name == "." || name == ".." {
                continue;
            }
            entries.push(DirEntry {
                name,
                kind: if entry.is_dir() {
                    FileKind::Directory
                } else {
                    FileKind::File
                },
                inode: 0,
            });
        }
        Ok(entries)
    }

    fn create_dir(&self, path: &str) -> Result<(), Error> {
        self.call();
        self.writable()?;
        if self.entry(path).is_ok() {
            return Err(Error::AlreadyExists);
        }
        self.fs
            .root_dir()
            .create_dir(relative(path))
            .map_err(|error| vfs_error(&error))?;
        self.flush_all()
    }

    fn remove_dir(&self, path: &str) -> Result<(), Error> {
        self.call();
        self.writable()?;
        if !self.entry(path)?.is_dir() {
            return Err(Error::NotADirectory);
        }
        self.fs
            .root_dir()
            .remove(relative(path))
            .map_err(|error| vfs_error(&error))?;
        self.flush_all()
    }

    fn remove_file(&self, path: &str) -> Result<(), Error> {
        self.call();
        self.writable()?;
        if self.entry(path)?.is_dir() {
            return Err(Error::IsADirectory);
        }
        self.fs
            .root_dir()
            .remove(relative(path))
            .map_err(|error| vfs_error(&error))?;
        self.flush_all()
    }

    fn rename(&self, from: &str, to: &str) -> Result<(), Error> {
        self.call();
        self.writable()?;
        let source = self.entry(from)?;
        // POSIX rename replaces an existing file (not a directory).
        match self.entry(to) {
            Ok(target) if target.is_dir() => return Err(Error::AlreadyExists),
            Ok(_) if relative(from).eq_ignore_ascii_case(relative(to)) => {}
            Ok(_) => {
                if source.is_dir() {
                    return Err(Error::NotADirectory);
                }
                self.fs
                    .root_dir()
                    .remove(relative(to))
                    .map_err(|error| vfs_error(&error))?;
            }
            Err(Error::NotFound) => {}
            Err(error) => return Err(error),
        }
        let root = self.fs.root_dir();
        root.rename(relative(from), &root, relative(to))
            .map_err(|error| vfs_error(&error))?;
        self.flush_all()
    }

    fn statvfs(&self) -> Result<StatVfs, Error> {
        self.call();
        let stats = self.fs.stats().map_err(|error| vfs_error(&error))?;
        let cluster = u64::from(stats.cluster_size());
        Ok(StatVfs {
            block_size: cluster,
            fragment_size: cluster,
            blocks: u64::from(stats.total_clusters()),
            blocks_free: u64::from(stats.free_clusters()),
            blocks_available: u64::from(stats.free_clusters()),
            files: 0,
            files_free: 0,
            name_max: 255,
            read_only: self.read_only,
        })
    }

    fn sync(&self) -> Result<(), Error> {
        self.call();
        self.flush_all()
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// An open file of a FAT volume.
struct FatFile {
    file: Option<FatFileHandle>,
    flusher: Rc<Flusher>,
    budget: Rc<Cell<u64>>,
    limit: u64,
    readable: bool,
    writable: bool,
    append: bool,
    device_id: u64,
}

impl FatFile {
    fn handle(&mut self) -> Result<&mut FatFileHandle, Error> {
        self.budget.set(self.limit);
        self.file.as_mut().ok_or(Error::BadDescriptor)
    }
}

impl OpenFile for FatFile {
    fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        if !self.readable {
            return Err(Error::BadDescriptor);
        }
        let file = self.handle()?;
        let mut total = 0;
        // fatfs reads at most one cluster per call: fill the buffer.
        while total < buffer.len() {
            match file.read(&mut buffer[total..]) {
                Ok(0) => break,
                Ok(count) => total += count,
                Err(error) => return Err(vfs_error(&error)),
            }
        }
        Ok(total)
    }

    fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        if !self.writable {
            return Err(Error::BadDescriptor);
        }
        let append = self.append;
        let file = self.handle()?;
        if append {
            file.seek(SeekFrom::End(0))
                .map_err(|error| vfs_error(&error))?;
        }
        file.write_all(data).map_err(|error| vfs_error(&error))?;
        Ok(data.len())
    }

    fn seek(&mut self, position: VfsSeek) -> Result<u64, Error> {
        let file = self.handle()?;
        let position = match position {
            VfsSeek::Start(offset) => SeekFrom::Start(offset),
            VfsSeek::Current(delta) => SeekFrom::Current(delta),
            VfsSeek::End(delta) => SeekFrom::End(delta),
        };
        file.seek(position).map_err(|error| vfs_error(&error))
    }

    fn metadata(&self) -> Result<Metadata, Error> {
        // fatfs files do not expose their length: seek a clone to the end.
        let mut file = self.file.clone().ok_or(Error::BadDescriptor)?;
        self.budget.set(self.limit);
        let size = file
            .seek(SeekFrom::End(0))
            .map_err(|error| vfs_error(&error))?;
        Ok(Metadata {
            kind: FileKind::File,
            size,
            mode: FILE_MODE,
            modified: 0,
            inode: 0,
            device: self.device_id,
        })
    }

    fn truncate(&mut self, size: u64) -> Result<(), Error> {
        if !self.writable {
            return Err(Error::BadDescriptor);
        }
        let file = self.handle()?;
        let position = file.stream_position().map_err(|error| vfs_error(&error))?;
        let length = file
            .seek(SeekFrom::End(0))
            .map_err(|error| vfs_error(&error))?;
        if size < length {
            file.seek(SeekFrom::Start(size))
                .map_err(|error| vfs_error(&error))?;
            file.truncate().map_err(|error| vfs_error(&error))?;
        } else if size > length {
            // Extend with zeros, as POSIX ftruncate does.
            let zeros = [0u8; BLOCK_SIZE];
            let mut missing = size - length;
            while missing > 0 {
                let count = missing.min(BLOCK_SIZE as u64) as usize;
                file.write_all(&zeros[..count])
                    .map_err(|error| vfs_error(&error))?;
                missing -= count as u64;
            }
        }
        file.seek(SeekFrom::Start(position))
            .map_err(|error| vfs_error(&error))?;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        let file = self.handle()?;
        // The file's directory entry (size, time), then the cached block, then the card.
        file.flush().map_err(|error| vfs_error(&error))?;
        self.flusher.flush().map_err(|error| vfs_error(&error))
    }

    fn close(mut self: Box<Self>) -> Result<(), Error> {
        let result = if self.writable { self.flush() } else { Ok(()) };
        self.file = None;
        result
    }
}
