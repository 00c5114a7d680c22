//! A writable in-memory file system with a byte limit.
//!
//! Accounting: every node except the root costs [`RAMFS_NODE_COST`] bytes plus the length of
//! its name, and a file also costs its length in bytes. [`RamFs::used`] is the sum; a change
//! that would take it above the limit fails with [`Error::NoSpace`] (a write writes what fits).
//! Removing a node gives back exactly what it cost. The count is of logical bytes: the heap
//! holds somewhat more (allocation slack, map nodes), so pick the limit with a margin.
//!
//! Removing a file that is still open follows POSIX: the name goes at once, the data lives on
//! for the open handles, and the node's cost is given back when the last handle is dropped.
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::{
    path, DirEntry, Error, FileKind, FileSystem, Metadata, OpenFile, OpenOptions, SeekFrom, StatVfs,
};

/// Bytes charged for every file or directory (besides its name and contents).
pub const RAMFS_NODE_COST: u64 = 128;
/// Block size and fragment size reported by [`RamFs`]'s `statvfs`.
pub const RAMFS_BLOCK_SIZE: u64 = 512;
/// Permission bits of every file.
pub const RAMFS_FILE_MODE: u32 = 0o644;
/// Permission bits of every directory.
pub const RAMFS_DIRECTORY_MODE: u32 = 0o755;
/// Inode number of the root directory (others count up from 2 and are never reused).
pub const RAMFS_ROOT_INODE: u64 = 1;

/// A writable in-memory file system.
///
/// Cloning gives another handle on the same file system (e.g. to read [`RamFs::used`] while
/// the original is mounted).
#[derive(Clone)]
pub struct RamFs {
    state: Rc<RefCell<State>>,
    clock: fn() -> i64,
}

struct State {
    nodes: BTreeMap<u64, Node>,
    limit: u64,
    used: u64,
    next_inode: u64,
}

struct Node {
    content: Content,
    mode: u32,
    modified: i64,
    /// The length of the name this node's cost was charged with (0 for the root).
    name_length: u64,
    /// False once the node's directory entry is gone (an unlinked file still open).
    linked: bool,
    /// Open handles on this file.
    open_handles: usize,
}

enum Content {
    File(Vec<u8>),
    Directory(BTreeMap<String, u64>),
}

impl Node {
    fn kind(&self) -> FileKind {
        match self.content {
            Content::File(_) => FileKind::File,
            Content::Directory(_) => FileKind::Directory,
        }
    }

    fn cost(&self) -> u64 {
        let content = match &self.content {
            Content::File(data) => data.len() as u64,
            Content::Directory(_) => 0,
        };
        RAMFS_NODE_COST
            .saturating_add(self.name_length)
            .saturating_add(content)
    }

    fn metadata(&self, inode: u64) -> Metadata {
        Metadata {
            kind: self.kind(),
            size: match &self.content {
                Content::File(data) => data.len() as u64,
                Content::Directory(_) => 0,
            },
            mode: self.mode,
            modified: self.modified,
            inode,
            device: 0,
        }
    }
}

impl State {
    fn node(&self, inode: u64) -> Result<&Node, Error> {
        self.nodes.get(&inode).ok_or(Error::Io)
    }

    fn node_mut(&mut self, inode: u64) -> Result<&mut Node, Error> {
        self.nodes.get_mut(&inode).ok_or(Error::Io)
    }

    fn children(&self, inode: u64) -> Result<&BTreeMap<String, u64>, Error> {
        match &self.node(inode)?.content {
            Content::Directory(children) => Ok(children),
            Content::File(_) => Err(Error::NotADirectory),
        }
    }

    fn children_mut(&mut self, inode: u64) -> Result<&mut BTreeMap<String, u64>, Error> {
        match &mut self.node_mut(inode)?.content {
            Content::Directory(children) => Ok(children),
            Content::File(_) => Err(Error::NotADirectory),
        }
    }

    /// The inode at normalised `path`.
    fn lookup(&self, path: &str) -> Result<u64, Error> {
        path::check(path)?;
        path::components(path).try_fold(RAMFS_ROOT_INODE, |inode, name| {
            self.children(inode)?
                .get(name)
                .copied()
                .ok_or(Error::NotFound)
        })
    }

    /// The parent directory's inode and the name of normalised `path`, which must not be `/`.
    fn lookup_parent<'p>(&self, path: &'p str) -> Result<(u64, &'p str), Error> {
        path::check(path)?;
        let (parent, name) = path::split_parent(path).ok_or(Error::InvalidArgument)?;
        let inode = self.lookup(parent)?;
        self.children(inode)?;
        Ok((inode, name))
    }

    fn free(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    /// Charges `amount` bytes, or fails with `NoSpace` if they do not fit.
    fn charge(&mut self, amount: u64) -> Result<(), Error> {
        if amount > self.free() {
            return Err(Error::NoSpace);
        }
        self.used += amount;
        Ok(())
    }

    fn touch(&mut self, inode: u64, now: i64) {
        if let Some(node) = self.nodes.get_mut(&inode) {
            node.modified = now;
        }
    }

    /// Creates a node named `name` in directory `parent`.
    fn insert(
        &mut self,
        parent: u64,
        name: &str,
        content: Content,
        now: i64,
    ) -> Result<u64, Error> {
        path::validate_name(name)?;
        let mode = match content {
            Content::File(_) => RAMFS_FILE_MODE,
            Content::Directory(_) => RAMFS_DIRECTORY_MODE,
        };
        let inode = self.next_inode;
        let next_inode = inode.checked_add(1).ok_or(Error::NoSpace)?;
        if self.children(parent)?.contains_key(name) {
            return Err(Error::AlreadyExists);
        }
        let node = Node {
            content,
            mode,
            modified: now,
            name_length: name.len() as u64,
            linked: true,
            open_handles: 0,
        };
        self.charge(node.cost())?;
        self.children_mut(parent)?.insert(String::from(name), inode);
        self.nodes.insert(inode, node);
        self.next_inode = next_inode;
        self.touch(parent, now);
        Ok(inode)
    }

    /// Removes the entry `name` of directory `parent`; frees its node unless it is open.
    fn unlink(&mut self, parent: u64, name: &str, now: i64) -> Result<(), Error> {
        let inode = self
            .children_mut(parent)?
            .remove(name)
            .ok_or(Error::NotFound)?;
        self.touch(parent, now);
        let node = self.node_mut(inode)?;
        node.linked = false;
        if node.open_handles == 0 {
            self.release(inode);
        }
        Ok(())
    }

    /// Drops a node that has no entry and no handle, and gives back its cost.
    fn release(&mut self, inode: u64) {
        if let Some(node) = self.nodes.remove(&inode) {
            self.used = self.used.saturating_sub(node.cost());
        }
    }

    /// Sets the length of file `inode`, zero-filling growth.
    fn set_length(&mut self, inode: u64, length: u64, now: i64) -> Result<(), Error> {
        let current = match &self.node(inode)?.content {
            Content::File(data) => data.len() as u64,
            Content::Directory(_) => return Err(Error::IsADirectory),
        };
        if length > current {
            let growth = length - current;
            if growth > self.free() {
                return Err(Error::NoSpace);
            }
            let new_length = usize::try_from(length).map_err(|_| Error::NoSpace)?;
            let data = self.file_mut(inode)?;
            reserve(data, new_length)?;
            data.resize(new_length, 0);
            self.used += growth;
        } else {
            let new_length = usize::try_from(length).map_err(|_| Error::Io)?;
            let data = self.file_mut(inode)?;
            data.truncate(new_length);
            if data.capacity() > 2 * new_length.max(64) {
                data.shrink_to_fit();
            }
            self.used = self.used.saturating_sub(current - length);
        }
        self.touch(inode, now);
        Ok(())
    }

    fn file_mut(&mut self, inode: u64) -> Result<&mut Vec<u8>, Error> {
        match &mut self.node_mut(inode)?.content {
            Content::File(data) => Ok(data),
            Content::Directory(_) => Err(Error::IsADirectory),
        }
    }
}

/// Makes room for `length` bytes in `data` without aborting on allocation failure.
fn reserve(data: &mut Vec<u8>, length: usize) -> Result<(), Error> {
    let additional = length.saturating_sub(data.len());
    if data.try_reserve(additional).is_ok() || data.try_reserve_exact(additional).is_ok() {
        Ok(())
    } else {
        Err(Error::NoSpace)
    }
}

impl RamFs {
    /// An empty file system (just the root directory) that holds at most `limit` bytes as
    /// counted in the module documentation. `clock` gives the time stamps (Unix seconds).
    pub fn new(limit: u64, clock: fn() -> i64) -> RamFs {
        let root = Node {
            content: Content::Directory(BTreeMap::new()),
            mode: RAMFS_DIRECTORY_MODE,
            modified: clock(),
            name_length: 0,
            linked: true,
            open_handles: 0,
        };
        let mut nodes = BTreeMap::new();
        nodes.insert(RAMFS_ROOT_INODE, root);
        RamFs {
            state: Rc::new(RefCell::new(State {
                nodes,
                limit,
                used: 0,
                next_inode: RAMFS_ROOT_INODE + 1,
            })),
            clock,
        }
    }

    /// Bytes in use, as counted in the module documentation (0 when empty).
    pub fn used(&self) -> u64 {
        self.state.try_borrow().map_or(0, |state| state.used)
    }

    /// The byte limit given at creation.
    pub fn limit(&self) -> u64 {
        self.state.try_borrow().map_or(0, |state| state.limit)
    }

    /// Nodes alive, the root and removed-but-open files included (1 when empty).
    pub fn node_count(&self) -> usize {
        self.state.try_borrow().map_or(0, |state| state.nodes.len())
    }

    fn state(&self) -> Result<core::cell::RefMut<'_, State>, Error> {
        self.state.try_borrow_mut().map_err(|_| Error::Busy)
    }
}

impl FileSystem for RamFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn OpenFile>, Error> {
        if !options.read && !options.write {
            return Err(Error::InvalidArgument);
        }
        let now = (self.clock)();
        let mut state = self.state()?;
        let inode = match state.lookup(path) {
            Ok(inode) => {
                if options.create_new {
                    return Err(Error::AlreadyExists);
                }
                match state.node(inode)?.kind() {
                    FileKind::Directory => return Err(Error::IsADirectory),
                    FileKind::File if options.directory => return Err(Error::NotADirectory),
                    FileKind::File => {}
                }
                if options.truncate {
                    state.set_length(inode, 0, now)?;
                }
                inode
            }
            Err(Error::NotFound) if options.create || options.create_new => {
                if options.directory {
                    return Err(Error::InvalidArgument);
                }
                let (parent, name) = state.lookup_parent(path)?;
                state.insert(parent, name, Content::File(Vec::new()), now)?
            }
            Err(error) => return Err(error),
        };
        let node = state.node_mut(inode)?;
        node.open_handles = node.open_handles.saturating_add(1);
        Ok(Box::new(RamFile {
            state: Rc::clone(&self.state),
            clock: self.clock,
            inode,
            position: 0,
            readable: options.read,
            writable: options.write,
            append: options.append,
        }))
    }

    fn metadata(&self, path: &str) -> Result<Metadata, Error> {
        let state = self.state()?;
        let inode = state.lookup(path)?;
        Ok(state.node(inode)?.metadata(inode))
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, Error> {
        let state = self.state()?;
        let inode = state.lookup(path)?;
        let children = state.children(inode)?;
        children
            .iter()
            .map(|(name, &child)| {
                Ok(DirEntry {
                    name: name.clone(),
                    kind: state.node(child)?.kind(),
                    inode: child,
                })
            })
            .collect()
    }

    fn create_dir(&self, path: &str) -> Result<(), Error> {
        let now = (self.clock)();
        let mut state = self.state()?;
        match state.lookup(path) {
            Ok(_) => Err(Error::AlreadyExists),
            Err(Error::NotFound) => {
                let (parent, name) = state.lookup_parent(path)?;
                state.insert(parent, name, Content::Directory(BTreeMap::new()), now)?;
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    fn remove_dir(&self, path: &str) -> Result<(), Error> {
        let now = (self.clock)();
        let mut state = self.state()?;
        path::check(path)?;
        if path == "/" {
            return Err(Error::Busy);
        }
        let (parent, name) = state.lookup_parent(path)?;
        let inode = *state.children(parent)?.get(name).ok_or(Error::NotFound)?;
        if !state.children(inode)?.is_empty() {
            return Err(Error::DirectoryNotEmpty);
        }
        state.unlink(parent, name, now)
    }

    fn remove_file(&self, path: &str) -> Result<(), Error> {
        let now = (self.clock)();
        let mut state = self.state()?;
        path::check(path)?;
        if path == "/" {
            return Err(Error::IsADirectory);
        }
        let (parent, name) = state.lookup_parent(path)?;
        let inode = *state.children(parent)?.get(name).ok_or(Error::NotFound)?;
        if state.node(inode)?.kind() == FileKind::Directory {
            return Err(Error::IsADirectory);
        }
        state.unlink(parent, name, now)
    }

    fn rename(&self, from: &str, to: &str) -> Result<(), Error> {
        let now = (self.clock)();
        let mut state = self.state()?;
        path::check(from)?;
        path::check(to)?;
        if from == "/" || to == "/" {
            return Err(Error::Busy);
        }
        let (source_parent, source_name) = state.lookup_parent(from)?;
        let inode = *state
            .children(source_parent)?
            .get(source_name)
            .ok_or(Error::NotFound)?;
        let (target_parent, target_name) = state.lookup_parent(to)?;
        if from == to {
            return Ok(());
        }
        let kind = state.node(inode)?.kind();
        if kind == FileKind::Directory && path::is_strictly_within(to, from) {
            return Err(Error::InvalidArgument);
        }
        let replaced = state.children(target_parent)?.get(target_name).copied();
        let mut freed = 0;
        if let Some(target) = replaced {
            let node = state.node(target)?;
            match (kind, node.kind()) {
                (FileKind::File, FileKind::Directory) => return Err(Error::IsADirectory),
                (FileKind::Directory, FileKind::File) => return Err(Error::NotADirectory),
                (FileKind::Directory, FileKind::Directory) => {
                    if !state.children(target)?.is_empty() {
                        return Err(Error::DirectoryNotEmpty);
                    }
                }
                (FileKind::File, FileKind::File) => {}
            }
            if node.open_handles == 0 {
                freed = node.cost();
            }
        }
        let old_name_length = state.node(inode)?.name_length;
        let new_name_length = target_name.len() as u64;
        let after = state
            .used
            .saturating_sub(freed)
            .saturating_sub(old_name_length)
            .saturating_add(new_name_length);
        if after > state.limit && after > state.used {
            return Err(Error::NoSpace);
        }
        if replaced.is_some() {
            state.unlink(target_parent, target_name, now)?;
        }
        state.children_mut(source_parent)?.remove(source_name);
        state
            .children_mut(target_parent)?
            .insert(String::from(target_name), inode);
        state.node_mut(inode)?.name_length = new_name_length;
        state.used = state
            .used
            .saturating_sub(old_name_length)
            .saturating_add(new_name_length);
        state.touch(source_parent, now);
        state.touch(target_parent, now);
        Ok(())
    }

    fn statvfs(&self) -> Result<StatVfs, Error> {
        let state = self.state()?;
        let free = state.free();
        Ok(StatVfs {
            block_size: RAMFS_BLOCK_SIZE,
            fragment_size: RAMFS_BLOCK_SIZE,
            blocks: state.limit / RAMFS_BLOCK_SIZE,
            blocks_free: free / RAMFS_BLOCK_SIZE,
            blocks_available: free / RAMFS_BLOCK_SIZE,
            files: state.limit / RAMFS_NODE_COST,
            files_free: free / RAMFS_NODE_COST,
            name_max: path::MAX_NAME as u64,
            read_only: false,
        })
    }

    fn name(&self) -> &str {
        "ramfs"
    }
}

/// An open file of a [`RamFs`].
struct RamFile {
    state: Rc<RefCell<State>>,
    clock: fn() -> i64,
    inode: u64,
    position: u64,
    readable: bool,
    writable: bool,
    append: bool,
}

impl RamFile {
    fn state(&self) -> Result<core::cell::RefMut<'_, State>, Error> {
        self.state.try_borrow_mut().map_err(|_| Error::Busy)
    }
}

impl OpenFile for RamFile {
    fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        if !self.readable {
            return Err(Error::BadDescriptor);
        }
        let state = self.state()?;
        let Content::File(data) = &state.node(self.inode)?.content else {
            return Err(Error::IsADirectory);
        };
        let start = usize::try_from(self.position).unwrap_or(usize::MAX);
        let available = data.get(start..).unwrap_or(&[]);
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        drop(state);
        self.position += count as u64;
        Ok(count)
    }

    fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        if !self.writable {
            return Err(Error::BadDescriptor);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let now = (self.clock)();
        let inode = self.inode;
        let mut state = self.state.try_borrow_mut().map_err(|_| Error::Busy)?;
        let size = match &state.node(inode)?.content {
            Content::File(contents) => contents.len() as u64,
            Content::Directory(_) => return Err(Error::IsADirectory),
        };
        let start = if self.append { size } else { self.position };
        let gap = start.saturating_sub(size);
        let free = state.free();
        if gap > free {
            return Err(Error::NoSpace);
        }
        let in_place = size.saturating_sub(start);
        let allowed = in_place.saturating_add(free - gap);
        let count = (data.len() as u64).min(allowed);
        let end = start.checked_add(count).ok_or(Error::NoSpace)?;
        if count == 0 || i64::try_from(end).is_err() {
            return Err(Error::NoSpace);
        }
        let start_index = usize::try_from(start).map_err(|_| Error::NoSpace)?;
        let end_index = usize::try_from(end).map_err(|_| Error::NoSpace)?;
        let count_index = end_index - start_index;
        let contents = state.file_mut(inode)?;
        if end_index > contents.len() {
            reserve(contents, end_index)?;
            contents.resize(end_index, 0);
        }
        contents[start_index..end_index].copy_from_slice(&data[..count_index]);
        let growth = end.saturating_sub(size);
        state.used += growth;
        state.touch(inode, now);
        drop(state);
        self.position = end;
        Ok(count_index)
    }

    fn seek(&mut self, position: SeekFrom) -> Result<u64, Error> {
        let size = self.metadata()?.size;
        self.position = position.resolve(self.position, size)?;
        Ok(self.position)
    }

    fn metadata(&self) -> Result<Metadata, Error> {
        let state = self.state.try_borrow().map_err(|_| Error::Busy)?;
        Ok(state.node(self.inode)?.metadata(self.inode))
    }

    fn truncate(&mut self, size: u64) -> Result<(), Error> {
        if !self.writable {
            return Err(Error::InvalidArgument);
        }
        if i64::try_from(size).is_err() {
            return Err(Error::InvalidArgument);
        }
        let now = (self.clock)();
        let inode = self.inode;
        self.state()?.set_length(inode, size, now)
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }

    fn close(self: Box<Self>) -> Result<(), Error> {
        drop(self);
        Ok(())
    }
}

impl Drop for RamFile {
    fn drop(&mut self) {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return;
        };
        let Some(node) = state.nodes.get_mut(&self.inode) else {
            return;
        };
        node.open_handles = node.open_handles.saturating_sub(1);
        if node.open_handles == 0 && !node.linked {
            state.release(self.inode);
        }
    }
}
