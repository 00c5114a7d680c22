//! Empty stand-in for the host-only crate `dns-lookup` (see kernel/placeholders/README.md).
#![no_std]
