/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/tern_rust_tests-85973995778aa763.d: src/lib.rs

/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/libtern_rust_tests-85973995778aa763.rlib: src/lib.rs

/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/libtern_rust_tests-85973995778aa763.rmeta: src/lib.rs

src/lib.rs:
