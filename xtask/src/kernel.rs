//! Building the kernel (ELF) and turning it into `kernel.img`, the raw image the firmware loads.
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use object::{elf, read::elf::ElfFile32, read::elf::ProgramHeader, Endianness};

use crate::{buildinfo::BuildInfo, paths};

/// The kernel's build profiles (kernel/Cargo.toml).
pub const PROFILES: [&str; 3] = ["release", "quick", "dev"];

/// The kernel's target specification.
const TARGET: &str = "armv6-pipy";

/// Flags for the C compiler of the ARM objects (`psm`'s assembly): the kernel's ABI, no hosted
/// headers; `PIPYOS_EXTRA_CFLAGS` is appended (Nix passes clang's resource directory).
fn c_flags() -> String {
    let mut flags =
        String::from("--target=armv6-none-eabihf -mfloat-abi=hard -mfpu=vfp -ffreestanding");
    if let Ok(extra) = std::env::var("PIPYOS_EXTRA_CFLAGS") {
        if !extra.trim().is_empty() {
            flags.push(' ');
            flags.push_str(extra.trim());
        }
    }
    flags
}

/// The target directory of kernel builds: `PIPYOS_KERNEL_TARGET_DIR`, else `kernel/target`.
pub fn target_directory() -> PathBuf {
    std::env::var_os("PIPYOS_KERNEL_TARGET_DIR").map_or_else(
        || paths::repository().join("kernel").join("target"),
        PathBuf::from,
    )
}

/// The source directory of Rust's standard library that `-Zbuild-std` compiles.
fn rust_source_directory(rustc: &str) -> Option<PathBuf> {
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(output.stdout).ok()?;
    let source = Path::new(sysroot.trim()).join("lib/rustlib/src/rust");
    source.is_dir().then_some(source)
}

/// Cargo's home (where the registry's sources are unpacked).
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
}

/// `--remap-path-prefix` flags that take every absolute build path out of the binary (panic
/// locations name source files): the checkout, cargo's home, std's sources and the target
/// directory each become a fixed name, so builds in different directories give the same bytes.
fn path_remapping(rustc: &str, target_directory: &Path) -> Vec<String> {
    let mut prefixes: Vec<(PathBuf, &str)> = vec![
        (target_directory.to_path_buf(), "/pipyos/target"),
        (paths::repository(), "/pipyos"),
    ];
    if let Some(home) = cargo_home() {
        prefixes.push((home, "/cargo"));
    }
    if let Some(source) = rust_source_directory(rustc) {
        prefixes.push((source, "/rustc/src"));
    }
    // Extra prefixes, `FROM=TO` separated by `;` (the Nix build's vendored crates).
    let extra = std::env::var("PIPYOS_REMAP_PATH_PREFIXES").unwrap_or_default();
    let mut flags: Vec<String> = Vec::new();
    for (from, to) in prefixes {
        // Also the canonical form, in case a path reaches rustc through a symlink.
        let canonical = std::fs::canonicalize(&from).unwrap_or_else(|_| from.clone());
        for path in [from, canonical] {
            let flag = format!("--remap-path-prefix={}={to}", path.display());
            if !flags.contains(&flag) {
                flags.push(flag);
            }
        }
    }
    for pair in extra.split(';').filter(|pair| pair.contains('=')) {
        flags.push(format!("--remap-path-prefix={pair}"));
    }
    flags
}

/// Writes the stand-in `git` (see [`crate::buildinfo::stand_in_git_script`]) into a directory
/// of the target directory and returns that directory, to be put first on the build's PATH.
fn stand_in_git(info: &BuildInfo, target_directory: &Path) -> Result<PathBuf, String> {
    let directory = target_directory.join("pipyos-build-tools");
    std::fs::create_dir_all(&directory)
        .map_err(|error| format!("{}: {error}", directory.display()))?;
    let script = directory.join("git");
    std::fs::write(&script, crate::buildinfo::stand_in_git_script(info))
        .map_err(|error| format!("{}: {error}", script.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .map_err(|error| format!("{}: {error}", script.display()))?;
    }
    Ok(directory)
}

/// Builds the kernel with `profile` (and the standard library frozen in, if asked); returns the
/// ELF path.
pub fn build(profile: &str, frozen_stdlib: bool, info: &BuildInfo) -> Result<PathBuf, String> {
    cargo_on_kernel("build", &[], profile, frozen_stdlib, info)
}

/// Runs clippy over the kernel with every warning an error (`cargo xtask lint`), with the same
/// target, std build and flags as [`build`]. Needs Debian's `rust-web-clippy`.
pub fn clippy(profile: &str, info: &BuildInfo) -> Result<(), String> {
    cargo_on_kernel("clippy", &["--", "-D", "warnings"], profile, true, info).map(|_| ())
}

fn cargo_on_kernel(
    subcommand: &str,
    trailing: &[&str],
    profile: &str,
    frozen_stdlib: bool,
    info: &BuildInfo,
) -> Result<PathBuf, String> {
    if !PROFILES.contains(&profile) {
        return Err(format!(
            "unknown profile `{profile}` (expected one of {PROFILES:?})"
        ));
    }
    let kernel_directory = paths::repository().join("kernel");
    let (cargo, rustc) = paths::kernel_cargo();
    let target_var = TARGET.replace('-', "_");
    let mut command = if subcommand == "clippy" {
        // The toolchain's own cargo-clippy (the first one on PATH may be another
        // toolchain's); it runs the `cargo` named by CARGO.
        let mut command = Command::new(Path::new(&cargo).with_file_name("cargo-clippy"));
        command.arg("clippy").env("CARGO", &cargo);
        command
    } else {
        let mut command = Command::new(&cargo);
        command.arg(subcommand);
        command
    };
    command
        .current_dir(&kernel_directory)
        .args(["--profile", profile, "--target"])
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
        .env(format!("CFLAGS_{target_var}"), c_flags())
        .env(
            format!("AR_{target_var}"),
            paths::tool("PIPYOS_LLVM_AR", default_llvm_ar()),
        );
    if frozen_stdlib {
        command.args(["--features", "frozen-stdlib"]);
    }
    // A separate target directory keeps differently configured builds from rebuilding each other.
    let target_directory = target_directory();
    command.arg("--target-dir").arg(&target_directory);
    // Reproducibility: the build facts instead of the clock, UTC for every date a build script
    // formats, a stand-in git first on PATH, and no absolute paths in the binary.
    for (name, value) in info.environment() {
        command.env(name, value);
    }
    command.env("TZ", "UTC").env("LC_ALL", "C");
    let tools = stand_in_git(info, &target_directory)?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut search_path = vec![tools];
    search_path.extend(std::env::split_paths(&path));
    command.env(
        "PATH",
        std::env::join_paths(search_path).map_err(|error| format!("PATH: {error}"))?,
    );
    command.env(
        "CARGO_ENCODED_RUSTFLAGS",
        path_remapping(&rustc, &target_directory).join("\u{1f}"),
    );
    if std::env::var_os("PIPYOS_OFFLINE").is_some() {
        command.arg("--offline");
    }
    command.args(trailing);
    run(&mut command, &format!("kernel {subcommand}"))?;
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
    info: &BuildInfo,
    out_directory: &Path,
) -> Result<(PathBuf, PathBuf), String> {
    let elf_path = build(profile, frozen_stdlib, info)?;
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
