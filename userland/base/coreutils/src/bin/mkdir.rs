//! `mkdir`: see `coreutils::mkdir`.

fn main() {
    coreutils::common::main(coreutils::mkdir::run)
}
