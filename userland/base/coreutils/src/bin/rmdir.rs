//! `rmdir`: see `coreutils::rmdir`.

fn main() {
    coreutils::common::main(coreutils::rmdir::run)
}
