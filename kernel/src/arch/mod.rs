//! Architecture support: the ARM1176JZF-S (ARMv6K) core of the BCM2835.
pub mod arm;
