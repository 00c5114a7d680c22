//! The mount table: which file system serves which part of the namespace.
//!
//! Mount points are normalised paths. A path belongs to the mount with the longest mount point
//! that contains it component by component (`/data` contains `/data/x` but not `/database`).
//! The table also defines the *view directories* that exist without any file system: the root
//! `/`, every mount point and every ancestor of a mount point.
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{path, Error};

/// A set of mount points, each holding a `T` (a `Box<dyn FileSystem>`, an index, …).
#[derive(Debug, Clone)]
pub struct MountTable<T> {
    mounts: BTreeMap<String, T>,
}

/// Where a path leads: the mount that serves it and the path inside that mount.
#[derive(Debug)]
pub struct Resolution<'table, 'path, T> {
    /// The mount point (a normalised path).
    pub mount_point: &'table str,
    /// What is mounted there.
    pub target: &'table T,
    /// The path relative to the mounted file system's root (normalised, `/` for the mount
    /// point itself).
    pub relative: &'path str,
}

impl<T> Default for MountTable<T> {
    fn default() -> Self {
        MountTable::new()
    }
}

impl<T> MountTable<T> {
    /// An empty table.
    pub const fn new() -> Self {
        MountTable {
            mounts: BTreeMap::new(),
        }
    }

    /// Mounts `target` at `mount_point`, which must be normalised ([`Error::InvalidArgument`] or
    /// [`Error::NameTooLong`] otherwise). A mount point that is already in use is
    /// [`Error::Busy`]. Mounting below or above another mount point is fine. On error `target`
    /// is dropped; check [`MountTable::is_mount_point`] first to keep it.
    pub fn mount(&mut self, mount_point: &str, target: T) -> Result<(), Error> {
        path::check(mount_point)?;
        if self.mounts.contains_key(mount_point) {
            return Err(Error::Busy);
        }
        self.mounts.insert(String::from(mount_point), target);
        Ok(())
    }

    /// Removes the mount at `mount_point` and returns what was mounted. Not a mount point:
    /// [`Error::InvalidArgument`] (as `umount(2)`); another mount point below it:
    /// [`Error::Busy`].
    pub fn umount(&mut self, mount_point: &str) -> Result<T, Error> {
        if !self.mounts.contains_key(mount_point) {
            return Err(Error::InvalidArgument);
        }
        if self.has_mounts_below(mount_point) {
            return Err(Error::Busy);
        }
        self.mounts
            .remove(mount_point)
            .ok_or(Error::InvalidArgument)
    }

    /// The mount serving normalised `path` (longest component-wise prefix), or `None` if no
    /// mount point contains it or `path` is not normalised.
    pub fn resolve<'path>(&self, path: &'path str) -> Option<Resolution<'_, 'path, T>> {
        if !path::is_normalized(path) {
            return None;
        }
        let mut candidate = path;
        loop {
            if let Some((mount_point, target)) = self.mounts.get_key_value(candidate) {
                let relative = path::strip_prefix(path, mount_point)?;
                return Some(Resolution {
                    mount_point,
                    target,
                    relative,
                });
            }
            candidate = path::split_parent(candidate)?.0;
        }
    }

    /// What is mounted exactly at `mount_point`.
    pub fn get(&self, mount_point: &str) -> Option<&T> {
        self.mounts.get(mount_point)
    }

    /// What is mounted exactly at `mount_point`, mutably.
    pub fn get_mut(&mut self, mount_point: &str) -> Option<&mut T> {
        self.mounts.get_mut(mount_point)
    }

    /// True if something is mounted exactly at `path`.
    pub fn is_mount_point(&self, path: &str) -> bool {
        self.mounts.contains_key(path)
    }

    /// True if some mount point lies strictly below `path`.
    pub fn has_mounts_below(&self, path: &str) -> bool {
        self.mounts
            .keys()
            .any(|mount_point| path::is_strictly_within(mount_point, path))
    }

    /// True if `path` is a view directory: the root `/`, a mount point, or an ancestor of a
    /// mount point. These exist as directories whatever the file systems contain.
    pub fn is_view_directory(&self, path: &str) -> bool {
        path == "/" || self.is_mount_point(path) || self.has_mounts_below(path)
    }

    /// The names directly below `path` that lead to mount points (the mount points themselves,
    /// or their ancestors), sorted and without duplicates: with `/mnt/sd` and `/mnt/usb`
    /// mounted, `/` gives `["mnt"]` and `/mnt` gives `["sd", "usb"]`.
    pub fn child_names(&self, path: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .mounts
            .keys()
            .filter(|mount_point| mount_point.as_str() != path)
            .filter_map(|mount_point| path::strip_prefix(mount_point, path))
            .filter_map(|rest| path::components(rest).next())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The mount points, sorted.
    pub fn mount_points(&self) -> impl Iterator<Item = &str> {
        self.mounts.keys().map(String::as_str)
    }

    /// The mount points and what is mounted there, sorted by mount point.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.mounts
            .iter()
            .map(|(mount_point, target)| (mount_point.as_str(), target))
    }

    /// The mount points and what is mounted there, mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut T)> {
        self.mounts
            .iter_mut()
            .map(|(mount_point, target)| (mount_point.as_str(), target))
    }

    /// How many mounts there are.
    pub fn len(&self) -> usize {
        self.mounts.len()
    }

    /// True if nothing is mounted.
    pub fn is_empty(&self) -> bool {
        self.mounts.is_empty()
    }
}
