//! Real-time scheduler bookkeeping, SPSC channels and latency statistics for PiPyOS.
#![no_std]
#![forbid(unsafe_code)]
