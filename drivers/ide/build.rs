//! Links the IDE driver with libtern's native-task linker script.

fn main() {
    let script = std::env::var("DEP_TERN_LINKER_SCRIPT").expect("libtern publishes its linker script");
    println!("cargo::rerun-if-changed={script}");
    println!("cargo::rustc-link-arg-bins=-T{script}");
}
