//! ARMv6 core support: boot code, CPU control, exceptions, MMU and thread-local storage.
pub mod boot;
pub mod cpu;
pub mod exceptions;
pub mod mmu;
pub mod probe;
pub mod tls;
