//! `sort`: see `coreutils::sort`.

fn main() {
    coreutils::common::main(coreutils::sort::run)
}
