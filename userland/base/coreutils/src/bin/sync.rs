//! `sync`: see `coreutils::sync`.

fn main() {
    coreutils::common::main(coreutils::sync::run)
}
