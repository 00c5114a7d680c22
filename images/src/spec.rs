//! The inputs of an image and the set of files they put into the boot partition.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use crate::manifest::{ManifestEntry, VersionManifest};
use crate::timestamp::check_source_date_epoch;
use crate::{
    check_layout, render_config_txt, ConfigOptions, Error, CONFIG_FILE_NAME,
    DEFAULT_BOOT_PARTITION_SIZE, DEFAULT_IMAGE_SIZE, DEFAULT_SOURCE_DATE_EPOCH, INITFS_FILE_NAME,
    KERNEL_FILE_NAME, OPTIONAL_FIRMWARE_FILES, REQUIRED_FIRMWARE_FILES, VERSION_FILE_NAME,
};

/// Everything that goes into one disk image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    /// The raw kernel binary, stored as `kernel.img`; must not be empty.
    pub kernel: Vec<u8>,
    /// The initfs cpio archive, stored as `initfs.cpio` when given.
    pub initfs: Option<Vec<u8>>,
    /// GPU firmware files as (name, contents), in any order (see [`load_firmware_dir`]).
    pub firmware: Vec<(String, Vec<u8>)>,
    /// `config.txt` used verbatim; `None` renders the default with [`render_config_txt`].
    pub config_txt: Option<String>,
    /// Release version, `[A-Za-z0-9._+-]+`.
    pub version: String,
    /// Git revision, `[A-Za-z0-9._+-]+`; written as `unknown` when `None`.
    pub git_revision: Option<String>,
    /// Seconds since 1970-01-01 UTC that every FAT timestamp shows (clamped to 1980).
    pub source_date_epoch: u64,
    /// Size of the whole disk image in bytes, a power of two.
    pub image_size: u64,
    /// Size of the FAT32 boot partition in bytes, a whole number of MiB, at least 33 MiB.
    pub boot_partition_size: u64,
    /// Files pre-filled into the data partition, as (path with `/` separators, contents);
    /// directories are created as needed.
    pub data_files: Vec<(String, Vec<u8>)>,
}

impl ImageSpec {
    /// A spec with the given kernel and version and defaults for the rest: no initfs,
    /// no firmware, default config.txt, unknown git revision, epoch 1980-01-01,
    /// a 256 MiB image with a 64 MiB boot partition.
    pub fn new(kernel: Vec<u8>, version: impl Into<String>) -> Self {
        ImageSpec {
            kernel,
            initfs: None,
            firmware: Vec::new(),
            config_txt: None,
            version: version.into(),
            git_revision: None,
            source_date_epoch: DEFAULT_SOURCE_DATE_EPOCH,
            image_size: DEFAULT_IMAGE_SIZE,
            boot_partition_size: DEFAULT_BOOT_PARTITION_SIZE,
            data_files: Vec::new(),
        }
    }

    /// Checks the whole spec: version, git revision, epoch, kernel, file names
    /// (no duplicates) and the disk layout (see [`crate::check_layout`]).
    pub fn validate(&self) -> Result<(), Error> {
        validate_version(&self.version)?;
        if let Some(revision) = &self.git_revision {
            validate_git_revision(revision)?;
        }
        check_source_date_epoch(self.source_date_epoch)?;
        if self.kernel.is_empty() {
            return Err(Error::EmptyKernel);
        }
        let mut seen: Vec<String> = [VERSION_FILE_NAME, KERNEL_FILE_NAME, CONFIG_FILE_NAME]
            .iter()
            .map(|name| name.to_ascii_lowercase())
            .collect();
        if self.initfs.is_some() {
            seen.push(INITFS_FILE_NAME.to_string());
        }
        for (name, _) in &self.firmware {
            validate_file_name(name)?;
            let folded = name.to_ascii_lowercase();
            if seen.contains(&folded) {
                return Err(Error::DuplicateFile { name: name.clone() });
            }
            seen.push(folded);
        }
        check_layout(self.image_size, self.boot_partition_size)?;
        Ok(())
    }

    /// Every file of the boot partition, sorted by name: the kernel, the initfs, the
    /// firmware, `config.txt` and the `VERSION` manifest. Checks the spec first.
    pub fn boot_files(&self) -> Result<Vec<BootFile>, Error> {
        self.validate()?;
        let mut files = self.payload_files();
        let manifest = self.version_manifest(&files, true);
        files.push(BootFile::new(
            VERSION_FILE_NAME,
            manifest.render().into_bytes(),
        ));
        files.sort_by(|left, right| left.name.cmp(&right.name));
        Ok(files)
    }

    /// The boot files but `VERSION`, sorted by name; assumes a validated spec.
    pub(crate) fn payload_files(&self) -> Vec<BootFile> {
        let config_txt = match &self.config_txt {
            Some(text) => text.clone(),
            None => render_config_txt(&ConfigOptions::for_image(self.initfs.is_some())),
        };
        let mut files = vec![
            BootFile::new(KERNEL_FILE_NAME, self.kernel.clone()),
            BootFile::new(CONFIG_FILE_NAME, config_txt.into_bytes()),
        ];
        if let Some(initfs) = &self.initfs {
            files.push(BootFile::new(INITFS_FILE_NAME, initfs.clone()));
        }
        for (name, contents) in &self.firmware {
            files.push(BootFile::new(name, contents.clone()));
        }
        files.sort_by(|left, right| left.name.cmp(&right.name));
        files
    }

    /// The manifest describing `files`; without `hashed` every hash is zeros, which
    /// gives the right length cheaply.
    pub(crate) fn version_manifest(&self, files: &[BootFile], hashed: bool) -> VersionManifest {
        VersionManifest {
            version: self.version.clone(),
            git_revision: self.git_revision.clone(),
            source_date_epoch: self.source_date_epoch,
            files: files
                .iter()
                .map(|file| match hashed {
                    true => ManifestEntry::for_contents(&file.name, &file.contents),
                    false => ManifestEntry {
                        name: file.name.clone(),
                        size: file.contents.len() as u64,
                        sha256: "0".repeat(64),
                    },
                })
                .collect(),
        }
    }
}

/// One file of the boot partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootFile {
    /// File name in the FAT root directory.
    pub name: String,
    /// File contents.
    pub contents: Vec<u8>,
}

impl BootFile {
    /// A boot file with the given name and contents.
    pub fn new(name: impl Into<String>, contents: Vec<u8>) -> Self {
        BootFile {
            name: name.into(),
            contents,
        }
    }
}

/// The conventional image file name: `pipyos-<version>-rpi1.img`.
pub fn image_file_name(version: &str) -> String {
    format!("pipyos-{version}-rpi1.img")
}

/// True for the characters allowed in versions, revisions and file names.
fn is_name_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '.' | '_' | '+' | '-')
}

/// Checks a version string: non-empty, only `[A-Za-z0-9._+-]`.
pub fn validate_version(version: &str) -> Result<(), Error> {
    if version.is_empty() || !version.chars().all(is_name_character) {
        return Err(Error::BadVersion {
            version: version.to_string(),
        });
    }
    Ok(())
}

/// Checks a git revision: non-empty, only `[A-Za-z0-9._+-]` (e.g. `1a2b3c4-dirty`).
pub fn validate_git_revision(revision: &str) -> Result<(), Error> {
    if revision.is_empty() || !revision.chars().all(is_name_character) {
        return Err(Error::BadGitRevision {
            revision: revision.to_string(),
        });
    }
    Ok(())
}

/// Checks a boot file name: `[A-Za-z0-9._+-]`, 1 to 255 characters, not starting with a dot.
fn validate_file_name(name: &str) -> Result<(), Error> {
    if name.is_empty()
        || name.len() > 255
        || name.starts_with('.')
        || !name.chars().all(is_name_character)
    {
        return Err(Error::BadFileName {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Reads an input file; `what` names it in errors (e.g. "kernel file"), and a
/// missing file gives [`Error::MissingInput`].
pub fn read_input_file(path: &Path, what: &'static str) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|source| match source.kind() {
        ErrorKind::NotFound => Error::MissingInput {
            what,
            path: path.to_path_buf(),
        },
        _ => Error::ReadInput {
            what,
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Loads the GPU firmware from a directory: the required `bootcode.bin`, `start.elf`
/// and `fixup.dat`, plus `LICENCE.broadcom` when present. Nothing else is taken.
pub fn load_firmware_dir(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Error> {
    if !dir.is_dir() {
        return Err(Error::MissingInput {
            what: "firmware directory",
            path: dir.to_path_buf(),
        });
    }
    let mut firmware = Vec::new();
    for name in REQUIRED_FIRMWARE_FILES {
        let path = dir.join(name);
        if !path.exists() {
            return Err(Error::MissingFirmwareFile {
                dir: dir.to_path_buf(),
                name,
            });
        }
        firmware.push((name.to_string(), read_input_file(&path, "firmware file")?));
    }
    for name in OPTIONAL_FIRMWARE_FILES {
        let path = dir.join(name);
        if path.exists() {
            firmware.push((name.to_string(), read_input_file(&path, "firmware file")?));
        }
    }
    Ok(firmware)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(image_file_name("0.1.0"), "pipyos-0.1.0-rpi1.img");
        assert!(validate_version("0.1.0+git.5_a-b").is_ok());
        for bad in ["", "1 2", "1/2", "ü", "1\n"] {
            assert!(matches!(
                validate_version(bad),
                Err(Error::BadVersion { .. })
            ));
        }
        assert!(validate_git_revision("1a2b3c4-dirty").is_ok());
        assert!(validate_git_revision("a b").is_err());
        assert!(validate_file_name("LICENCE.broadcom").is_ok());
        for bad in ["", ".hidden", "a/b", "a b", "a:b"] {
            assert!(validate_file_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn boot_files_are_sorted_and_checked() {
        let mut spec = ImageSpec::new(b"kernel".to_vec(), "1");
        spec.firmware = vec![("start.elf".into(), b"s".to_vec())];
        let names: Vec<String> = spec
            .boot_files()
            .unwrap()
            .into_iter()
            .map(|file| file.name)
            .collect();
        assert_eq!(names, ["VERSION", "config.txt", "kernel.img", "start.elf"]);

        spec.firmware.push(("Kernel.IMG".into(), b"x".to_vec()));
        assert!(matches!(
            spec.boot_files(),
            Err(Error::DuplicateFile { .. })
        ));
        spec.firmware = vec![("version".into(), b"x".to_vec())];
        assert!(matches!(
            spec.boot_files(),
            Err(Error::DuplicateFile { .. })
        ));
        spec.firmware = vec![("sub/dir".into(), b"x".to_vec())];
        assert!(matches!(spec.boot_files(), Err(Error::BadFileName { .. })));
    }
}
