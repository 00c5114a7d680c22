//! Building the kernel (ELF) and turning it into `kernel.img`, the raw image the firmware loads.
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use object::{elf, read::elf::ElfFile32, read::elf::ProgramHeader, Endianness};

use crate::paths;

/// The kernel's build profiles (kernel/Cargo.toml).
pub const PROFILES: [&str; 3] = ["release", "quick", "dev"];

/// The kernel's target specification.
const TARGET: &str = "armv6-pipy";

/// Builds the kernel with `profile` (and the standard library frozen in, if asked); returns the
/// ELF path.
pub fn build(profile: &str, frozen_stdlib: bool) -> Result<PathBuf, String> {
    if !PROFILES.contains(&profile) {
        return Err(format!(
            "unknown profile `{profile}` (expected one of {PROFILES:?})"
        ));
    }
    let kernel_directory = paths::repository().join("kernel");
    let (cargo, rustc) = paths::kernel_cargo();
    let target_var = TARGET.replace('-', "_");
    let mut command = Command::new(&cargo);
    command
        .current_dir(&kernel_directory)
        .args(["build", "--profile", profile, "--target"])
        .arg(kernel_directory.join(format!("{TARGET}.json")))
        .args([
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=compiler-builtins-mem",
            "-Zjson-target-spec",
        ])
        // Settings from the host cargo that ran xtask must not leak into the ARM build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env("RUSTC", &rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback")
        // C code in the native stdlib modules is compiled by clang for the same ABI.
        .env(
            format!("CC_{target_var}"),
            paths::tool("PIPYOS_CC", "clang"),
        )
        .env(
            format!("CFLAGS_{target_var}"),
            "--target=armv6-none-eabihf -mfloat-abi=hard -mfpu=vfp",
        )
        .env(
            format!("AR_{target_var}"),
            paths::tool("PIPYOS_LLVM_AR", default_llvm_ar()),
        );
    if frozen_stdlib {
        command.args(["--features", "frozen-stdlib"]);
    }
    // A separate target directory keeps differently configured builds from rebuilding each other.
    let target_directory = std::env::var_os("PIPYOS_KERNEL_TARGET_DIR")
        .map_or_else(|| kernel_directory.join("target"), PathBuf::from);
    command.arg("--target-dir").arg(&target_directory);
    if std::env::var_os("PIPYOS_OFFLINE").is_some() {
        command.arg("--offline");
    }
    run(&mut command, "kernel build")?;
    Ok(target_directory
        .join(TARGET)
        .join(if profile == "dev" { "debug" } else { profile })
        .join("pipyos-kernel"))
}

fn default_llvm_ar() -> &'static str {
    if Path::new("/usr/bin/llvm-ar-14").exists() {
        "llvm-ar-14"
    } else {
        "llvm-ar"
    }
}

/// Runs `command`, turning a failure into a message naming `what`.
pub fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|error| format!("{what}: cannot start {:?}: {error}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The kernel's load address on the Pi (and for QEMU's `-bios`).
pub const LOAD_ADDRESS: u64 = 0x8000;

/// Converts the kernel ELF into the flat image the firmware loads at [`LOAD_ADDRESS`]: every
/// loadable segment's file bytes at `physical address - LOAD_ADDRESS`, gaps zero-filled, BSS
/// left out (the kernel clears it).
pub fn elf_to_image(elf_bytes: &[u8]) -> Result<Vec<u8>, String> {
    let file = ElfFile32::<Endianness>::parse(elf_bytes)
        .map_err(|error| format!("kernel ELF: {error}"))?;
    let endian = file.endian();
    let mut image = Vec::new();
    for header in file.elf_program_headers() {
        if header.p_type(endian) != elf::PT_LOAD || header.p_filesz(endian) == 0 {
            continue;
        }
        let address = u64::from(header.p_paddr(endian));
        let offset = address
            .checked_sub(LOAD_ADDRESS)
            .ok_or_else(|| format!("kernel segment at {address:#x} lies below the load address"))?
            as usize;
        let data = header
            .data(endian, elf_bytes)
            .map_err(|()| "kernel ELF: segment data out of bounds".to_owned())?;
        if image.len() < offset + data.len() {
            image.resize(offset + data.len(), 0);
        }
        image[offset..offset + data.len()].copy_from_slice(data);
    }
    if image.is_empty() {
        return Err("kernel ELF has no loadable data".to_owned());
    }
    Ok(image)
}

/// Builds the kernel and writes `kernel.elf` and `kernel.img` into `out_directory`.
pub fn build_images(
    profile: &str,
    frozen_stdlib: bool,
    out_directory: &Path,
) -> Result<(PathBuf, PathBuf), String> {
    let elf_path = build(profile, frozen_stdlib)?;
    let elf_bytes =
        std::fs::read(&elf_path).map_err(|error| format!("{}: {error}", elf_path.display()))?;
    let image = elf_to_image(&elf_bytes)?;
    std::fs::create_dir_all(out_directory)
        .map_err(|error| format!("{}: {error}", out_directory.display()))?;
    let elf_out = out_directory.join("kernel.elf");
    let image_out = out_directory.join("kernel.img");
    std::fs::write(&elf_out, &elf_bytes)
        .map_err(|error| format!("{}: {error}", elf_out.display()))?;
    std::fs::write(&image_out, &image)
        .map_err(|error| format!("{}: {error}", image_out.display()))?;
    println!(
        "kernel: {} ({} bytes), {}",
        image_out.display(),
        image.len(),
        elf_out.display()
    );
    Ok((elf_out, image_out))
}

/// The directory of RustPython's pure-Python standard library (`Lib/` of the `rustpython-pylib`
/// crate the kernel depends on), found through `cargo metadata` so vendored sources work too.
pub fn python_stdlib_directory() -> Result<PathBuf, String> {
    let kernel_directory = paths::repository().join("kernel");
    let (cargo, rustc) = paths::kernel_cargo();
    let mut command = Command::new(&cargo);
    command
        .current_dir(&kernel_directory)
        .args(["metadata", "--format-version", "1"])
        .env("RUSTC", rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback");
    if std::env::var_os("PIPYOS_OFFLINE").is_some() {
        command.arg("--offline");
    }
    let output = command
        .output()
        .map_err(|error| format!("cargo metadata: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("cargo metadata: {error}"))?;
    let manifest = metadata["packages"]
        .as_array()
        .and_then(|packages| {
            packages
                .iter()
                .find(|package| package["name"] == "rustpython-pylib")
        })
        .and_then(|package| package["manifest_path"].as_str())
        .ok_or("cargo metadata: the kernel does not depend on rustpython-pylib")?;
    let library = Path::new(manifest)
        .parent()
        .ok_or("rustpython-pylib manifest has no directory")?
        .join("Lib");
    if library.is_dir() {
        Ok(library)
    } else {
        Err(format!("{} is missing", library.display()))
    }
}
