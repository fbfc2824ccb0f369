//! Publishes the native-task linker script (`native.ld`) to dependents.
//!
//! A binary that runs as a native Tern task reads `DEP_TERN_LINKER_SCRIPT` in
//! its own build script and passes it with
//! `cargo:rustc-link-arg-bins=-T<path>`; see `native.ld` for the layout.

use std::env;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let script = dir.join("native.ld");
    println!("cargo::rerun-if-changed={}", script.display());
    println!("cargo::metadata=linker_script={}", script.display());
}
