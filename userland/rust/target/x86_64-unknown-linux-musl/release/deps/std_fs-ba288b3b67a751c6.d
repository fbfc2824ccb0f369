/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/std_fs-ba288b3b67a751c6.d: src/bin/std_fs.rs

/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/std_fs-ba288b3b67a751c6: src/bin/std_fs.rs

src/bin/std_fs.rs:
