//! Empty stand-in for the host-only crate `socket2` (see kernel/placeholders/README.md).
#![no_std]
