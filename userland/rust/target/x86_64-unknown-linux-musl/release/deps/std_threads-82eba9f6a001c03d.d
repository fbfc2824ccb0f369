/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/std_threads-82eba9f6a001c03d.d: src/bin/std_threads.rs

/work/main/userland/rust/target/x86_64-unknown-linux-musl/release/deps/std_threads-82eba9f6a001c03d: src/bin/std_threads.rs

src/bin/std_threads.rs:
