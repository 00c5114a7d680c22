//! Build script: links the kernel with its linker script, names the entry symbol, and passes the
//! build facts (version, git revision, source date) that `cargo xtask` sets on to the code.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rerun-if-changed=kernel.ld");
    println!("cargo:rustc-link-arg-bins=--script={dir}/kernel.ld");
    // Without a named entry, section garbage collection would throw the whole program away.
    println!("cargo:rustc-link-arg-bins=--entry=_start");
    // No page-aligned segments and no loaded ELF headers: the firmware loads a flat image.
    println!("cargo:rustc-link-arg-bins=--nmagic");
    // The frozen Python modules of src/python/lib: name each file in an unused `include_bytes!`
    // so that editing one rebuilds the kernel (the freezing macro does not tell cargo).
    let library = std::path::Path::new(&dir).join("src/python/lib");
    println!("cargo:rerun-if-changed={}", library.display());
    let mut names: Vec<_> = std::fs::read_dir(&library)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    names.sort();
    let mut listing = String::new();
    for path in names
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
    {
        println!("cargo:rerun-if-changed={}", path.display());
        listing.push_str(&format!(
            "const _: &[u8] = include_bytes!({:?});\n",
            path.display().to_string()
        ));
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(
        std::path::Path::new(&out).join("python_lib_files.rs"),
        listing,
    )
    .expect("OUT_DIR is writable");
    // Version strings come from the source (xtask/src/buildinfo.rs), never from the clock; a
    // plain `cargo build` without xtask gets placeholders.
    for (name, fallback) in [
        ("PIPYOS_GIT_REVISION", "unknown"),
        ("PIPYOS_BUILD_DATE", "Jan  1 1970"),
        ("PIPYOS_BUILD_TIME", "00:00:00"),
        ("PIPYOS_BUILD_ISO_DATE", "1970-01-01"),
    ] {
        println!("cargo:rerun-if-env-changed={name}");
        let value = std::env::var(name).unwrap_or_else(|_| fallback.to_owned());
        println!("cargo:rustc-env={name}={value}");
    }
}
