//! `cargo xtask reproduce`: two clean builds in two directories, compared byte for byte.
//!
//! The checkout (tracked and new, not ignored, files as they are now) is copied into two fresh
//! directories whose paths differ in name and length, and each copy builds the whole image with
//! its own target directories, from the same build facts. Then kernel.elf, kernel.img,
//! initfs.cpio and the SD image are compared. On a difference, the first differing ELF section
//! and the symbol that covers the first differing byte are named.
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use object::{Object, ObjectSection, ObjectSymbol};

use crate::{buildinfo::BuildInfo, paths};

/// The artefacts compared, by file name inside each build's output directory.
fn artefacts(version: &str) -> [String; 4] {
    [
        "kernel.elf".to_owned(),
        "kernel.img".to_owned(),
        "initfs.cpio".to_owned(),
        images::image_file_name(version),
    ]
}

/// Runs both builds and the comparison.
pub fn run(profile: &str, frozen_stdlib: bool) -> Result<(), String> {
    let repository = paths::repository();
    let version = env!("CARGO_PKG_VERSION");
    let info = BuildInfo::of(&repository, version)?;
    let scratch = std::env::temp_dir().join("pipyos-reproduce");
    let _ = std::fs::remove_dir_all(&scratch);
    let checkouts = [
        scratch.join("a").join("src"),
        scratch.join("second-build").join("pipyos-checkout"),
    ];
    let files = tracked_files(&repository)?;
    println!(
        "reproduce: revision {}, SOURCE_DATE_EPOCH {}, {} files, profile {profile}",
        info.revision,
        info.source_date_epoch,
        files.len()
    );
    // Both copies first: editing the checkout during the (long) first build must not change
    // what the second one builds.
    for checkout in &checkouts {
        copy_files(&repository, checkout, &files)?;
    }
    for checkout in &checkouts {
        build(checkout, profile, frozen_stdlib, &info)?;
    }
    let outputs: Vec<PathBuf> = checkouts
        .iter()
        .map(|checkout| checkout.join("out"))
        .collect();
    let mut identical = true;
    for name in artefacts(version) {
        let first = read(&outputs[0].join(&name))?;
        let second = read(&outputs[1].join(&name))?;
        let (hash_first, hash_second) = (images::sha256_hex(&first), images::sha256_hex(&second));
        if first == second {
            println!(
                "identical  {name}  sha256 {hash_first}  ({} bytes)",
                first.len()
            );
        } else {
            identical = false;
            println!("DIFFERENT  {name}");
            println!("    build 1: sha256 {hash_first}  ({} bytes)", first.len());
            println!(
                "    build 2: sha256 {hash_second}  ({} bytes)",
                second.len()
            );
            if name == "kernel.elf" {
                println!("    {}", explain_elf_difference(&first, &second));
            } else if let Some(offset) = first_difference(&first, &second) {
                println!("    first difference at byte {offset:#x}");
            }
        }
    }
    if identical {
        println!("reproduce: both builds are bit-identical");
        Ok(())
    } else {
        Err("the two builds differ (see above)".to_owned())
    }
}

/// The files of the checkout that a clone would have, plus new files not ignored.
fn tracked_files(repository: &Path) -> Result<Vec<PathBuf>, String> {
    let output = Command::new("git")
        .current_dir(repository)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .map_err(|error| format!("git ls-files: {error}"))?;
    if !output.status.success() {
        return Err("git ls-files failed: `reproduce` needs a git checkout".to_owned());
    }
    Ok(output
        .stdout
        .split(|&byte| byte == 0)
        .filter(|name| !name.is_empty())
        .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
        .filter(|name| {
            // Files, and symbolic links (kernel/deps/: links to the host crates).
            std::fs::symlink_metadata(repository.join(name))
                .is_ok_and(|metadata| metadata.is_file() || metadata.file_type().is_symlink())
        })
        .collect())
}

fn copy_files(repository: &Path, checkout: &Path, files: &[PathBuf]) -> Result<(), String> {
    for file in files {
        let target = checkout.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("{}: {error}", parent.display()))?;
        }
        let source = repository.join(file);
        let is_link = std::fs::symlink_metadata(&source)
            .map_err(|error| format!("{}: {error}", source.display()))?
            .file_type()
            .is_symlink();
        if is_link {
            // A relative link stays a link: its target is copied on its own.
            let link = std::fs::read_link(&source)
                .map_err(|error| format!("{}: {error}", source.display()))?;
            std::os::unix::fs::symlink(&link, &target)
                .map_err(|error| format!("{}: {error}", target.display()))?;
        } else {
            std::fs::copy(&source, &target)
                .map_err(|error| format!("{}: {error}", target.display()))?;
        }
    }
    Ok(())
}

fn build(
    checkout: &Path,
    profile: &str,
    frozen_stdlib: bool,
    info: &BuildInfo,
) -> Result<(), String> {
    println!("reproduce: building in {}", checkout.display());
    let mut command = Command::new(paths::tool("CARGO", "cargo"));
    command
        .current_dir(checkout)
        .args([
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--",
            "image",
            "--profile",
            profile,
        ])
        .arg("--out-dir")
        .arg(checkout.join("out"))
        .env("PIPYOS_GIT_REVISION", &info.revision)
        .env("SOURCE_DATE_EPOCH", info.source_date_epoch.to_string())
        .env("CARGO_TARGET_DIR", checkout.join("host-target"))
        .env("PIPYOS_KERNEL_TARGET_DIR", checkout.join("kernel-target"));
    if !frozen_stdlib {
        command.arg("--stdlib-in-initfs");
    }
    crate::kernel::run(&mut command, "reproduce build")
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))
}

fn first_difference(first: &[u8], second: &[u8]) -> Option<usize> {
    first
        .iter()
        .zip(second)
        .position(|(a, b)| a != b)
        .or_else(|| (first.len() != second.len()).then(|| first.len().min(second.len())))
}

/// Names the first ELF section whose bytes differ, and the symbol at the first differing byte.
pub fn explain_elf_difference(first: &[u8], second: &[u8]) -> String {
    let (Ok(elf_first), Ok(elf_second)) = (object::File::parse(first), object::File::parse(second))
    else {
        return "not parseable as ELF".to_owned();
    };
    for section in elf_first.sections() {
        let name = section.name().unwrap_or("?");
        let Some(other) = elf_second.section_by_name(name) else {
            return format!("section {name} is missing from build 2");
        };
        let (Ok(data), Ok(other_data)) = (section.data(), other.data()) else {
            continue;
        };
        if section.address() != other.address() || section.size() != other.size() {
            let at = first_difference(data, other_data)
                .or((data.len() != other_data.len()).then_some(data.len().min(other_data.len())))
                .map_or_else(String::new, |offset| {
                    let address = section.address() + offset as u64;
                    format!(
                        ", first differing byte at {address:#x} in {}",
                        symbol_at(&elf_first, address)
                    )
                });
            return format!(
                "first differing section: {name} (build 1: {:#x}+{:#x}, build 2: {:#x}+{:#x}){at}",
                section.address(),
                section.size(),
                other.address(),
                other.size()
            );
        }
        if let Some(offset) = first_difference(data, other_data) {
            let address = section.address() + offset as u64;
            return format!(
                "first differing section: {name}, at {address:#x} in {}",
                symbol_at(&elf_first, address)
            );
        }
    }
    "sections are equal; the difference is in headers or non-allocated data".to_owned()
}

fn symbol_at(file: &object::File<'_>, address: u64) -> String {
    file.symbols()
        .filter(|symbol| {
            symbol.address() <= address && symbol.kind() != object::SymbolKind::Section
        })
        .filter(|symbol| symbol.size() == 0 || address < symbol.address() + symbol.size())
        .max_by_key(|symbol| symbol.address())
        .map_or_else(
            || "no symbol".to_owned(),
            |symbol| {
                format!(
                    "{}+{:#x}",
                    symbol.name().unwrap_or("?"),
                    address - symbol.address()
                )
            },
        )
}
