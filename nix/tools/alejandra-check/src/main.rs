//! Minimal `alejandra [--check] PATH...` front end over the alejandra library (crates.io has no CLI crate).
use std::path::{Path, PathBuf};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == ".git" || name == "target" || name.starts_with("result") {
            return;
        }
        let mut entries: Vec<_> = std::fs::read_dir(path).unwrap().flatten().map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            collect(&entry, out);
        }
    } else if path.extension().and_then(|e| e.to_str()) == Some("nix") {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut check = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "--check" || arg == "-c" {
            check = true;
        } else {
            collect(Path::new(&arg), &mut files);
        }
    }
    let mut bad = 0;
    for file in &files {
        let name = file.display().to_string();
        match alejandra::format::in_fs(name.clone(), !check) {
            alejandra::format::Status::Changed(true) => {
                bad += 1;
                println!("{} {name}", if check { "Requires formatting:" } else { "Formatted:" });
            }
            alejandra::format::Status::Changed(false) => {}
            alejandra::format::Status::Error(error) => {
                bad += 1;
                println!("Error in {name}: {error}");
            }
        }
    }
    println!("{} files checked, {bad} {}", files.len(), if check { "need formatting" } else { "changed" });
    if check && bad > 0 {
        std::process::exit(2);
    }
}
