//! `kill`: see `coreutils::kill`.

fn main() {
    coreutils::common::main(coreutils::kill::run)
}
