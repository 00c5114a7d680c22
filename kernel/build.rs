//! Build script: links the kernel with its linker script and names the entry symbol.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rerun-if-changed=kernel.ld");
    println!("cargo:rustc-link-arg-bins=--script={dir}/kernel.ld");
    // Without a named entry, section garbage collection would throw the whole program away.
    println!("cargo:rustc-link-arg-bins=--entry=_start");
    // No page-aligned segments and no loaded ELF headers: the firmware loads a flat image.
    println!("cargo:rustc-link-arg-bins=--nmagic");
}
