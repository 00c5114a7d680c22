//! Empty stand-in for the host-only crate `gethostname` (see kernel/placeholders/README.md).
#![no_std]
