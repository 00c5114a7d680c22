//! Deterministic archive writer: collects files and directories, then emits them sorted.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::format::{
    align4, check_path, checksum, push_hex, trim_slashes, DEFAULT_MTIME, HEADER_LEN,
    MAGIC_CHECKSUM, MODE_DIRECTORY, MODE_FILE, PERMISSION_MASK, TRAILER_NAME, TYPE_FILE,
};

/// A packed entry.
#[derive(Clone)]
enum Node {
    /// A directory; `explicit` unless it was only created as the parent of another entry.
    Directory { explicit: bool },
    /// A regular file with its full mode.
    File { data: Vec<u8>, mode: u32 },
}

/// Builds an archive in memory; the output depends only on what was added and the mtime.
///
/// Entries are written sorted by path bytes (so parents precede children), inodes are
/// numbered 1, 2, ... in that order, uid/gid/device numbers are 0, every entry gets the same
/// mtime, files have one link and directories two. Missing parent directories are created.
///
/// Adding a path that was already added (as a file, a directory, or part of a tree) is a
/// [`Error::DuplicatePath`]; only a directory that exists merely as the parent of other
/// entries may be added again explicitly. Paths are given with or without a leading slash;
/// they must not contain `.`, `..` or empty components, a component may have at most
/// [`MAX_COMPONENT_LEN`](crate::MAX_COMPONENT_LEN) bytes and a path at most
/// [`MAX_PATH_LEN`](crate::MAX_PATH_LEN). A failed call leaves the packer unchanged.
#[derive(Clone)]
pub struct Packer {
    mtime: u32,
    nodes: BTreeMap<String, Node>,
}

impl std::fmt::Debug for Packer {
    /// Shows the settings and the entry count, not the (possibly huge) file contents.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Packer")
            .field("mtime", &self.mtime)
            .field("entries", &self.nodes.len())
            .finish()
    }
}

impl Default for Packer {
    fn default() -> Self {
        Self::new()
    }
}

/// Normalises a caller's archive path: strips slashes at both ends (`""` is the root), then
/// applies the path rules.
fn normalize(path: &str) -> Result<&str, Error> {
    let trimmed = trim_slashes(path);
    if trimmed.is_empty() {
        return Ok(trimmed);
    }
    check_path(trimmed).map_err(|problem| Error::InvalidPath {
        offset: None,
        path: path.to_string(),
        problem,
    })?;
    Ok(trimmed)
}

/// Joins an archive directory (possibly the root `""`) and a name.
fn join(directory: &str, name: &str) -> String {
    if directory.is_empty() {
        name.to_string()
    } else {
        format!("{directory}/{name}")
    }
}

/// Fails if `size` does not fit the 32-bit size field.
fn check_size(path: &str, size: u64) -> Result<(), Error> {
    if size > u64::from(u32::MAX) {
        return Err(Error::FileTooLarge {
            path: path.to_string(),
            size,
        });
    }
    Ok(())
}

/// Wraps an I/O error with the host path it concerns.
fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Appends one header (`fields` = inode, mode, nlink, mtime, check), its name and its
/// data, each padded to 4 bytes.
fn write_entry(out: &mut Vec<u8>, path: &str, fields: [u32; 5], data: &[u8]) {
    let [inode, mode, nlink, mtime, check] = fields;
    let name_size = path.len() + 1;
    out.extend_from_slice(MAGIC_CHECKSUM);
    // Sizes were checked when the entry was added, so they fit in u32.
    let file_size = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let name_size = u32::try_from(name_size).unwrap_or(u32::MAX);
    for value in [
        inode, mode, 0, 0, nlink, mtime, file_size, 0, 0, 0, 0, name_size, check,
    ] {
        push_hex(out, value);
    }
    out.extend_from_slice(path.as_bytes());
    out.push(0);
    out.resize(align4(out.len()).unwrap_or(out.len()), 0);
    out.extend_from_slice(data);
    out.resize(align4(out.len()).unwrap_or(out.len()), 0);
}

impl Packer {
    /// An empty packer whose entries get mtime [`DEFAULT_MTIME`](crate::DEFAULT_MTIME).
    pub fn new() -> Self {
        Self {
            mtime: DEFAULT_MTIME,
            nodes: BTreeMap::new(),
        }
    }

    /// Sets the modification time (seconds since the Unix epoch) of every entry.
    pub fn mtime(&mut self, mtime: u32) -> &mut Self {
        self.mtime = mtime;
        self
    }

    /// Number of entries added so far, including automatically created parents.
    pub fn entry_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds a regular file; `mode` gives the permission bits (`0o644`), any file-type bits
    /// in it are replaced by those of a regular file.
    pub fn add_file(&mut self, path: &str, data: Vec<u8>, mode: u32) -> Result<&mut Self, Error> {
        let path = normalize(path)?;
        if path.is_empty() {
            return Err(Error::InvalidPath {
                offset: None,
                path: path.to_string(),
                problem: crate::PathProblem::Empty,
            });
        }
        check_size(path, data.len() as u64)?;
        self.check_insert(path, false)?;
        let mode = TYPE_FILE | (mode & PERMISSION_MASK);
        self.insert(path.to_string(), Node::File { data, mode });
        Ok(self)
    }

    /// Adds a directory (mode `040755`). Adding the root (`""` or `/`) does nothing.
    pub fn add_directory(&mut self, path: &str) -> Result<&mut Self, Error> {
        let path = normalize(path)?;
        if !path.is_empty() {
            self.check_insert(path, true)?;
            self.insert(path.to_string(), Node::Directory { explicit: true });
        }
        Ok(self)
    }

    /// Adds the directory `source_directory` and everything below it as
    /// `destination_prefix` (`""` or `/` for the root).
    ///
    /// Files get mode `0100644` whatever their host permissions. `__pycache__` directories
    /// and `*.pyc` files are skipped. Symbolic links are followed (to files and to
    /// directories); a dangling link or one leading back to an ancestor directory is an
    /// error, as is anything that is not a file or a directory.
    pub fn add_tree(
        &mut self,
        destination_prefix: &str,
        source_directory: &Path,
    ) -> Result<&mut Self, Error> {
        let prefix = normalize(destination_prefix)?;
        let metadata = fs::metadata(source_directory).map_err(io_error(source_directory))?;
        if !metadata.is_dir() {
            return Err(Error::NotADirectory {
                path: source_directory.to_path_buf(),
            });
        }
        let mut batch = Vec::new();
        if !prefix.is_empty() {
            batch.push((prefix.to_string(), Node::Directory { explicit: true }));
        }
        let canonical = fs::canonicalize(source_directory).map_err(io_error(source_directory))?;
        collect_tree(source_directory, prefix, &mut vec![canonical], &mut batch)?;
        for (path, node) in &batch {
            self.check_insert(path, matches!(node, Node::Directory { .. }))?;
        }
        for (path, node) in batch {
            self.insert(path, node);
        }
        Ok(self)
    }

    /// Writes the archive: every entry in path order, then the `TRAILER!!!` entry.
    pub fn finish(&self) -> Result<Vec<u8>, Error> {
        let capacity = self
            .nodes
            .iter()
            .fold(HEADER_LEN + 16, |total, (path, node)| {
                let data_len = match node {
                    Node::File { data, .. } => data.len(),
                    Node::Directory { .. } => 0,
                };
                total + HEADER_LEN + path.len() + data_len + 8
            });
        let mut out = Vec::with_capacity(capacity);
        for (index, (path, node)) in self.nodes.iter().enumerate() {
            let inode = u32::try_from(index + 1).unwrap_or(u32::MAX);
            match node {
                Node::File { data, mode } => {
                    check_size(path, data.len() as u64)?;
                    let fields = [inode, *mode, 1, self.mtime, checksum(data)];
                    write_entry(&mut out, path, fields, data);
                }
                Node::Directory { .. } => {
                    let fields = [inode, MODE_DIRECTORY, 2, self.mtime, 0];
                    write_entry(&mut out, path, fields, &[]);
                }
            }
        }
        write_entry(&mut out, TRAILER_NAME, [0, 0, 1, 0, 0], &[]);
        Ok(out)
    }

    /// Fails if `path` cannot be added: an ancestor is a file, or the path exists already
    /// (except an implicit directory that is now added explicitly).
    fn check_insert(&self, path: &str, is_directory: bool) -> Result<(), Error> {
        for (slash, _) in path.match_indices('/') {
            let ancestor = &path[..slash];
            if let Some(Node::File { .. }) = self.nodes.get(ancestor) {
                return Err(Error::ParentNotDirectory {
                    path: path.to_string(),
                    parent: ancestor.to_string(),
                });
            }
        }
        match self.nodes.get(path) {
            None => Ok(()),
            Some(Node::Directory { explicit: false }) if is_directory => Ok(()),
            Some(_) => Err(Error::DuplicatePath {
                offset: None,
                path: path.to_string(),
            }),
        }
    }

    /// Inserts a checked entry, creating its missing ancestors.
    fn insert(&mut self, path: String, node: Node) {
        for (slash, _) in path.match_indices('/') {
            self.nodes
                .entry(path[..slash].to_string())
                .or_insert(Node::Directory { explicit: false });
        }
        self.nodes.insert(path, node);
    }
}

/// Reads the host directory `directory` (archive path `archive_directory`) recursively into
/// `batch`. `ancestors` holds the canonical paths of the directories being read, to detect
/// symlink loops.
fn collect_tree(
    directory: &Path,
    archive_directory: &str,
    ancestors: &mut Vec<PathBuf>,
    batch: &mut Vec<(String, Node)>,
) -> Result<(), Error> {
    let mut children = fs::read_dir(directory)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .map_err(io_error(directory))?;
    // The output is sorted anyway; sorting here makes the first error reported stable.
    children.sort_by_key(fs::DirEntry::file_name);
    for child in children {
        let source = child.path();
        let name = child.file_name();
        let Some(name) = name.to_str() else {
            return Err(Error::NonUtf8Path { path: source });
        };
        let archive_path = join(archive_directory, name);
        check_path(&archive_path).map_err(|problem| Error::InvalidPath {
            offset: None,
            path: archive_path.clone(),
            problem,
        })?;
        let metadata = match fs::metadata(&source) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let is_link = fs::symlink_metadata(&source)
                    .is_ok_and(|metadata| metadata.file_type().is_symlink());
                return Err(if is_link {
                    Error::DanglingSymlink { path: source }
                } else {
                    Error::Io {
                        path: source,
                        source: error,
                    }
                });
            }
            Err(error) => {
                return Err(Error::Io {
                    path: source,
                    source: error,
                })
            }
        };
        if metadata.is_dir() {
            if name == "__pycache__" {
                continue;
            }
            let canonical = fs::canonicalize(&source).map_err(io_error(&source))?;
            if ancestors.contains(&canonical) {
                return Err(Error::SymlinkLoop { path: source });
            }
            batch.push((archive_path.clone(), Node::Directory { explicit: true }));
            ancestors.push(canonical);
            collect_tree(&source, &archive_path, ancestors, batch)?;
            ancestors.pop();
        } else if metadata.is_file() {
            if name.ends_with(".pyc") {
                continue;
            }
            check_size(&archive_path, metadata.len())?;
            let data = fs::read(&source).map_err(io_error(&source))?;
            check_size(&archive_path, data.len() as u64)?;
            batch.push((
                archive_path,
                Node::File {
                    data,
                    mode: MODE_FILE,
                },
            ));
        } else {
            return Err(Error::UnsupportedFileType { path: source });
        }
    }
    Ok(())
}
