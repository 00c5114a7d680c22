//! The error type of the image composer and reader.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while composing or reading an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input file (kernel, initfs, config, firmware directory) does not exist.
    #[error("{what} {} does not exist", path.display())]
    MissingInput {
        /// What the file is, e.g. "kernel file".
        what: &'static str,
        /// The path that was tried.
        path: PathBuf,
    },
    /// An input file exists but cannot be read.
    #[error("cannot read {what} {}: {source}", path.display())]
    ReadInput {
        /// What the file is, e.g. "kernel file".
        what: &'static str,
        /// The path that was tried.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The kernel image has zero bytes.
    #[error("the kernel image is empty")]
    EmptyKernel,
    /// The image size is not a power of two.
    #[error("image size {} is not a power of two (QEMU only accepts SD card images sized to a power of two)", show_size(*size))]
    ImageSizeNotPowerOfTwo {
        /// The requested image size in bytes.
        size: u64,
    },
    /// The image cannot hold the boot partition.
    #[error("image size {} is too small for a {} boot partition starting at 4 MiB: it needs at least {}", show_size(*image_size), show_size(*partition_size), show_size(*required))]
    ImageTooSmall {
        /// The requested image size in bytes.
        image_size: u64,
        /// The requested boot partition size in bytes.
        partition_size: u64,
        /// The smallest image size that holds the partition.
        required: u64,
    },
    /// The image is larger than an MBR partition table can address (2 TiB).
    #[error("image size {} is larger than the 2 TiB an MBR partition table can address", show_size(*size))]
    ImageTooLarge {
        /// The requested image size in bytes.
        size: u64,
    },
    /// The boot partition size is not a whole number of MiB.
    #[error("boot partition size {size} bytes is not a whole number of MiB")]
    PartitionSizeNotMib {
        /// The requested partition size in bytes.
        size: u64,
    },
    /// The boot partition is too small to be formatted as FAT32.
    #[error("boot partition size {} is too small for FAT32: it needs at least {}", show_size(*size), show_size(*minimum))]
    PartitionTooSmallForFat32 {
        /// The requested partition size in bytes.
        size: u64,
        /// The smallest size FAT32 accepts.
        minimum: u64,
    },
    /// The boot files do not fit into the boot partition.
    #[error("the boot files total {total} bytes ({needed} bytes in {cluster_size}-byte clusters, directory included) but the {} boot partition has only {available} bytes free", show_size(*partition_size))]
    FilesDoNotFit {
        /// Sum of the file sizes in bytes.
        total: u64,
        /// Space the files take on disk, rounded up to whole clusters.
        needed: u64,
        /// Free space of the freshly formatted partition in bytes.
        available: u64,
        /// The FAT cluster size in bytes.
        cluster_size: u32,
        /// The boot partition size in bytes.
        partition_size: u64,
    },
    /// A firmware directory lacks one of [`crate::REQUIRED_FIRMWARE_FILES`].
    #[error("firmware directory {} lacks the required file {name}", dir.display())]
    MissingFirmwareFile {
        /// The firmware directory.
        dir: PathBuf,
        /// The missing file name.
        name: &'static str,
    },
    /// The version string is empty or has characters outside `[A-Za-z0-9._+-]`.
    #[error(
        "bad version string {version:?}: it must be non-empty and use only A-Z a-z 0-9 . _ + -"
    )]
    BadVersion {
        /// The rejected version string.
        version: String,
    },
    /// The git revision is empty or has characters outside `[A-Za-z0-9._+-]`.
    #[error(
        "bad git revision {revision:?}: it must be non-empty and use only A-Z a-z 0-9 . _ + -"
    )]
    BadGitRevision {
        /// The rejected revision.
        revision: String,
    },
    /// `SOURCE_DATE_EPOCH` is not a number or lies beyond what FAT can store.
    #[error("bad SOURCE_DATE_EPOCH {value:?}: {reason}")]
    BadSourceDateEpoch {
        /// The rejected value as given.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A boot file name is not a plain `[A-Za-z0-9._+-]` name.
    #[error("bad boot file name {name:?}: it must be a plain name of A-Z a-z 0-9 . _ + - not starting with a dot")]
    BadFileName {
        /// The rejected name.
        name: String,
    },
    /// Two boot files have the same name (FAT names are case-insensitive).
    #[error("boot file {name} is given twice (FAT file names are case-insensitive)")]
    DuplicateFile {
        /// The name given twice.
        name: String,
    },
    /// The disk image is not what the composer makes (no MBR, no FAT partition 1, ...).
    #[error("not a PiPyOS disk image: {reason}")]
    BadImage {
        /// What is wrong with it.
        reason: String,
    },
    /// The boot partition has no file of the asked name.
    #[error("the boot partition has no file {name}")]
    FileNotFound {
        /// The name asked for.
        name: String,
    },
    /// A VERSION manifest line does not follow the format.
    #[error("bad VERSION manifest line {line}: {reason}")]
    BadManifest {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// An I/O error while writing or reading the image.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// An invariant of the composer does not hold (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Wraps an I/O error with a description of what was being done.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}

/// Shows a byte count as "N MiB" when it is a whole number of MiB, else as "N bytes".
fn show_size(bytes: u64) -> String {
    if bytes != 0 && bytes.is_multiple_of(crate::MIB) {
        format!("{} MiB", bytes / crate::MIB)
    } else {
        format!("{bytes} bytes")
    }
}
