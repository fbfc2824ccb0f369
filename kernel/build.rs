//! Link the kernel with its own script: one RWX load segment at 1 MiB
//! physical / -2 GiB virtual, so the multiboot a.out-kludge fields describe
//! the file exactly.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    println!("cargo:rustc-link-arg-bins=-T{dir}/linker.ld");
    println!("cargo:rerun-if-changed=linker.ld");
}
