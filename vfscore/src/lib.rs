//! File-system traits, mount table, path handling and RAM file system for the PiPyOS VFS.
#![no_std]
#![forbid(unsafe_code)]
