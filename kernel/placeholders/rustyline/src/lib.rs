//! Empty stand-in for the host-only crate `rustyline` (see kernel/placeholders/README.md).
#![no_std]
