//! Memory management: the kernel heap behind Rust std's allocator calls.
pub mod heap;
