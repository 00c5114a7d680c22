//! Empty stand-in for the host-only crate `which` (see kernel/placeholders/README.md).
#![no_std]
