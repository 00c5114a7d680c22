//! Empty stand-in for the host-only crate `mac_address` (see kernel/placeholders/README.md).
#![no_std]
