//! The `VERSION` manifest: a line-based text file naming the release and hashing every boot file.
//!
//! Format (every line ends in `\n`):
//!
//! ```text
//! name=pipyos
//! version=<version>
//! git_revision=<revision or "unknown">
//! source_date_epoch=<seconds>
//! sha256 <64 lowercase hex digits>  <file name>  <size in bytes>
//! ```
//!
//! with one `sha256` line per other file of the boot partition, sorted by file name.

use sha2::{Digest, Sha256};

use crate::Error;

/// The value of the `name=` line.
const PRODUCT_NAME: &str = "pipyos";

/// The `git_revision=` value written when no revision is known.
const UNKNOWN_REVISION: &str = "unknown";

/// One `sha256` line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// File name in the boot partition.
    pub name: String,
    /// File size in bytes.
    pub size: u64,
    /// SHA-256 of the file contents, 64 lowercase hex digits.
    pub sha256: String,
}

impl ManifestEntry {
    /// The entry describing a file with the given name and contents.
    pub fn for_contents(name: &str, contents: &[u8]) -> Self {
        ManifestEntry {
            name: name.to_string(),
            size: contents.len() as u64,
            sha256: sha256_hex(contents),
        }
    }
}

/// The contents of the `VERSION` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionManifest {
    /// Release version, e.g. `0.1.0`.
    pub version: String,
    /// Git revision the image was built from, if known.
    pub git_revision: Option<String>,
    /// The `SOURCE_DATE_EPOCH` all timestamps of the image come from.
    pub source_date_epoch: u64,
    /// One entry per other boot file; [`VersionManifest::render`] sorts them by name.
    pub files: Vec<ManifestEntry>,
}

impl VersionManifest {
    /// Renders the manifest text, file lines sorted by name.
    pub fn render(&self) -> String {
        let mut text = format!(
            "name={PRODUCT_NAME}\nversion={}\ngit_revision={}\nsource_date_epoch={}\n",
            self.version,
            self.git_revision.as_deref().unwrap_or(UNKNOWN_REVISION),
            self.source_date_epoch
        );
        let mut files: Vec<&ManifestEntry> = self.files.iter().collect();
        files.sort_by(|left, right| left.name.cmp(&right.name));
        for entry in files {
            text.push_str(&format!(
                "sha256 {}  {}  {}\n",
                entry.sha256, entry.name, entry.size
            ));
        }
        text
    }

    /// Parses manifest text as written by [`VersionManifest::render`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(index, line)| (index + 1, line));
        let mut header = |key: &str| -> Result<(usize, String), Error> {
            let (number, line) = lines.next().ok_or_else(|| Error::BadManifest {
                line: 0,
                reason: format!("missing the {key}= line"),
            })?;
            let value = line
                .strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
                .ok_or_else(|| Error::BadManifest {
                    line: number,
                    reason: format!("expected {key}=..., found {line:?}"),
                })?;
            Ok((number, value.to_string()))
        };
        let (number, name) = header("name")?;
        if name != PRODUCT_NAME {
            return Err(Error::BadManifest {
                line: number,
                reason: format!("expected name={PRODUCT_NAME}, found name={name}"),
            });
        }
        let (_, version) = header("version")?;
        let (_, git_revision) = header("git_revision")?;
        let (number, epoch_text) = header("source_date_epoch")?;
        let source_date_epoch = epoch_text.parse().map_err(|_| Error::BadManifest {
            line: number,
            reason: format!("source_date_epoch {epoch_text:?} is not a number"),
        })?;
        let mut files = Vec::new();
        for (number, line) in lines {
            files.push(parse_file_line(number, line)?);
        }
        Ok(VersionManifest {
            version,
            git_revision: (git_revision != UNKNOWN_REVISION).then_some(git_revision),
            source_date_epoch,
            files,
        })
    }
}

/// Parses one `sha256 <hex>  <name>  <size>` line.
fn parse_file_line(number: usize, line: &str) -> Result<ManifestEntry, Error> {
    let bad = |reason: &str| Error::BadManifest {
        line: number,
        reason: format!("{reason} in {line:?}"),
    };
    let rest = line
        .strip_prefix("sha256 ")
        .ok_or_else(|| bad("expected a line starting with \"sha256 \""))?;
    let fields: Vec<&str> = rest.split("  ").collect();
    let [sha256, name, size] = fields[..] else {
        return Err(bad("expected \"sha256 <hex>  <name>  <size>\""));
    };
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    {
        return Err(bad("the sha256 is not 64 lowercase hex digits"));
    }
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(bad("bad file name"));
    }
    let size = size.parse().map_err(|_| bad("the size is not a number"))?;
    Ok(ManifestEntry {
        name: name.to_string(),
        size,
        sha256: sha256.to_string(),
    })
}

/// SHA-256 of `data` as 64 lowercase hex digits.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn render_and_parse_round_trip() {
        let manifest = VersionManifest {
            version: "1.2.3".into(),
            git_revision: None,
            source_date_epoch: 42,
            files: vec![
                ManifestEntry::for_contents("kernel.img", b"kernel"),
                ManifestEntry::for_contents("config.txt", b"config"),
            ],
        };
        let text = manifest.render();
        assert_eq!(
            text,
            format!(
                "name=pipyos\nversion=1.2.3\ngit_revision=unknown\nsource_date_epoch=42\n\
                 sha256 {}  config.txt  6\nsha256 {}  kernel.img  6\n",
                sha256_hex(b"config"),
                sha256_hex(b"kernel")
            )
        );
        let parsed = VersionManifest::parse(&text).unwrap();
        assert_eq!(parsed.version, "1.2.3");
        assert_eq!(parsed.git_revision, None);
        assert_eq!(parsed.source_date_epoch, 42);
        assert_eq!(parsed.files[0].name, "config.txt");
        assert_eq!(
            parsed.files[1],
            ManifestEntry::for_contents("kernel.img", b"kernel")
        );
    }

    #[test]
    fn parse_rejects_bad_lines() {
        let header = "name=pipyos\nversion=1\ngit_revision=abc\nsource_date_epoch=1\n";
        assert!(VersionManifest::parse(&format!("{header}sha256 xyz  a  1\n")).is_err());
        assert!(VersionManifest::parse(&format!("{header}md5 00  a  1\n")).is_err());
        assert!(VersionManifest::parse("name=other\n").is_err());
        assert!(VersionManifest::parse("name=pipyos\nversion=1\n").is_err());
        let error = VersionManifest::parse(&format!("{header}sha256 {}  a  x\n", "0".repeat(64)))
            .unwrap_err();
        assert!(error.to_string().contains("line 5"), "{error}");
    }
}
