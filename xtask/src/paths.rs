//! Where things are: the repository, the output directory, the tools.
use std::path::{Path, PathBuf};

/// The repository root (the parent of this crate's directory).
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the repository")
        .to_path_buf()
}

/// `target/pipyos/`, where every artefact lands.
pub fn output_directory() -> PathBuf {
    repository().join("target").join("pipyos")
}

/// The host workspace's cargo target directory: `CARGO_TARGET_DIR`, else `target/`.
pub fn host_target_directory() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repository().join("target"), PathBuf::from)
}

/// A tool named by an environment variable override, else a default.
pub fn tool(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_owned())
}

/// The rustdoc of the same toolchain as `rustc` (doctests must be compiled by the compiler that
/// built their dependencies; the `rustdoc` first on `PATH` may be another toolchain's).
/// `PIPYOS_RUSTDOC` overrides; a bare `rustc` gives the `rustdoc` on `PATH`.
pub fn rustdoc_beside(rustc: &str) -> String {
    if let Ok(rustdoc) = std::env::var("PIPYOS_RUSTDOC") {
        return rustdoc;
    }
    let rustc = Path::new(rustc);
    match rustc.parent() {
        Some(directory) if !directory.as_os_str().is_empty() => {
            let name = rustc
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("rustc")
                .replacen("rustc", "rustdoc", 1);
            directory.join(name).to_string_lossy().into_owned()
        }
        _ => "rustdoc".to_owned(),
    }
}

/// The cargo that builds the ARM kernel: Debian's rustc-web toolchain has `rust-src` for
/// `-Zbuild-std`; `PIPYOS_CARGO`/`PIPYOS_RUSTC` override (the Nix build sets them).
pub fn kernel_cargo() -> (String, String) {
    let default_cargo = if Path::new("/usr/bin/cargo").exists() {
        "/usr/bin/cargo"
    } else {
        "cargo"
    };
    let default_rustc = if Path::new("/usr/bin/rustc").exists() {
        "/usr/bin/rustc"
    } else {
        "rustc"
    };
    (
        tool("PIPYOS_CARGO", default_cargo),
        tool("PIPYOS_RUSTC", default_rustc),
    )
}
