//! Shared helpers of the image tests: small specs and deterministic contents.
#![allow(dead_code)]

use images::{ImageSpec, MIB};

/// Deterministic pseudo-random bytes (a simple LCG), distinct per `seed`.
pub fn pattern(length: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..length)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        })
        .collect()
}

/// A small spec: 64 MiB image, 40 MiB boot partition, a 70000-byte kernel.
pub fn small_spec() -> ImageSpec {
    let mut spec = ImageSpec::new(pattern(70_000, 1), "1.2.3");
    spec.image_size = 64 * MIB;
    spec.boot_partition_size = 40 * MIB;
    spec.source_date_epoch = 1_700_000_000;
    spec
}

/// Fake GPU firmware files (name, contents).
pub fn firmware() -> Vec<(String, Vec<u8>)> {
    vec![
        ("bootcode.bin".to_string(), pattern(51_000, 2)),
        ("start.elf".to_string(), pattern(2_900_000, 3)),
        ("fixup.dat".to_string(), pattern(7_300, 4)),
        ("LICENCE.broadcom".to_string(), b"licence text\n".to_vec()),
    ]
}

/// A small spec with an initfs and firmware.
pub fn full_spec() -> ImageSpec {
    let mut spec = small_spec();
    spec.initfs = Some(pattern(300_001, 5));
    spec.firmware = firmware();
    spec.git_revision = Some("0123abc-dirty".to_string());
    spec
}
