//! Links libposix with its own linker script, generated here so that the
//! load address comes from the one definition in `mm0_proto::LIBPOSIX_BASE`.
//! The script makes three page-aligned segments: read-only data, text (the
//! "gate": the only place whose `syscall` instructions reach the kernel) and
//! writable data.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let template = include_str!("libposix.ld.in");
    let script = template.replace("@LIBPOSIX_BASE@", &format!("{:#x}", mm0_proto::LIBPOSIX_BASE));
    let path = out.join("libposix.ld");
    std::fs::write(&path, script).expect("write the linker script");
    println!("cargo:rustc-link-arg-bins=-T{}", path.display());
    // Position-independent code, but a plain executable: every address is
    // resolved at link time, since nothing applies relocations at load.
    println!("cargo:rustc-link-arg-bins=--no-pie");
    println!("cargo:rerun-if-changed=libposix.ld.in");
}
