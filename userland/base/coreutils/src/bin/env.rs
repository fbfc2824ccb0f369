//! `env`: see `coreutils::env`.

fn main() {
    coreutils::common::main(coreutils::env::run)
}
