//! Path handling: normalisation against a current directory, checks, splitting and prefixes.
//!
//! A *normalised* path is absolute and canonical: it starts with `/`, has no empty, `.` or `..`
//! components and no trailing `/` (except the root `/` itself), contains no NUL byte, no
//! component is longer than [`MAX_NAME`] bytes and the whole is at most [`MAX_PATH`] bytes.
//! Resolution is lexical (there are no symbolic links): `/a/..` is `/` whatever `/a` is.
use alloc::string::String;
use alloc::vec::Vec;

use crate::Error;

/// Longest name (one path component), in bytes.
pub const MAX_NAME: usize = 255;
/// Longest path, in bytes.
pub const MAX_PATH: usize = 4096;

/// Joins `path` with `current_directory` (unless `path` is absolute) and normalises the result:
/// collapses repeated `/`, drops `.`, and lets `..` remove the previous component (`..` at the
/// root stays at the root).
///
/// Errors: an empty `path` is [`Error::NotFound`] (as `open("")` is `ENOENT`), a NUL byte is
/// [`Error::InvalidArgument`], a component longer than [`MAX_NAME`] or a `path` or result
/// longer than [`MAX_PATH`] is [`Error::NameTooLong`]. `current_directory` is taken as absolute
/// whether or not it starts with `/`.
pub fn normalize(current_directory: &str, path: &str) -> Result<String, Error> {
    if path.is_empty() {
        return Err(Error::NotFound);
    }
    if path.len() > MAX_PATH {
        return Err(Error::NameTooLong);
    }
    if path.contains('\0') || current_directory.contains('\0') {
        return Err(Error::InvalidArgument);
    }
    let mut parts: Vec<&str> = Vec::new();
    if !path.starts_with('/') {
        push_components(&mut parts, current_directory)?;
    }
    push_components(&mut parts, path)?;
    let length = parts.iter().map(|part| part.len() + 1).sum::<usize>();
    if length > MAX_PATH {
        return Err(Error::NameTooLong);
    }
    let mut normalized = String::with_capacity(length.max(1));
    for part in &parts {
        normalized.push('/');
        normalized.push_str(part);
    }
    if normalized.is_empty() {
        normalized.push('/');
    }
    Ok(normalized)
}

fn push_components<'a>(parts: &mut Vec<&'a str>, path: &'a str) -> Result<(), Error> {
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            name if name.len() > MAX_NAME => return Err(Error::NameTooLong),
            name => parts.push(name),
        }
    }
    Ok(())
}

/// Checks that `path` is normalised (see the module documentation). A path that is not is
/// [`Error::InvalidArgument`], except that over-long names or paths are
/// [`Error::NameTooLong`].
pub fn check(path: &str) -> Result<(), Error> {
    if path.len() > MAX_PATH {
        return Err(Error::NameTooLong);
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(Error::InvalidArgument);
    };
    if rest.is_empty() {
        return Ok(());
    }
    rest.split('/').try_for_each(validate_name)
}

/// True if `path` is normalised (see the module documentation).
pub fn is_normalized(path: &str) -> bool {
    check(path).is_ok()
}

/// Checks one name (a single path component): empty, `.`, `..`, or containing `/` or NUL is
/// [`Error::InvalidArgument`]; longer than [`MAX_NAME`] bytes is [`Error::NameTooLong`].
pub fn validate_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(Error::InvalidArgument);
    }
    if name.len() > MAX_NAME {
        return Err(Error::NameTooLong);
    }
    Ok(())
}

/// Splits a normalised path into its parent directory and its last name:
/// `/a/b` gives `("/a", "b")`, `/a` gives `("/", "a")`, and the root `/` gives `None`.
pub fn split_parent(path: &str) -> Option<(&str, &str)> {
    let index = path.rfind('/')?;
    let name = &path[index + 1..];
    if name.is_empty() {
        return None;
    }
    let parent = if index == 0 { "/" } else { &path[..index] };
    Some((parent, name))
}

/// The names of a path, in order (`/a/b` gives `a`, `b`; `/` gives nothing).
pub fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|part| !part.is_empty())
}

/// `directory` (a normalised path) with `name` appended.
pub fn join(directory: &str, name: &str) -> String {
    let mut joined = String::with_capacity(directory.len() + name.len() + 1);
    joined.push_str(directory.trim_end_matches('/'));
    joined.push('/');
    joined.push_str(name);
    joined
}

/// The part of normalised `path` below normalised `prefix`, compared component by component,
/// as a normalised path: `("/data/x", "/data")` gives `"/x"`, `("/data", "/data")` gives `"/"`,
/// `("/database", "/data")` gives `None`, and every path is below `/`.
pub fn strip_prefix<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    if prefix == "/" {
        return Some(path);
    }
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some("/")
    } else if rest.starts_with('/') {
        Some(rest)
    } else {
        None
    }
}

/// True if normalised `path` is `ancestor` or lies below it (component-wise).
pub fn is_within(path: &str, ancestor: &str) -> bool {
    strip_prefix(path, ancestor).is_some()
}

/// True if normalised `path` lies strictly below `ancestor` (component-wise).
pub fn is_strictly_within(path: &str, ancestor: &str) -> bool {
    path != ancestor && is_within(path, ancestor)
}
