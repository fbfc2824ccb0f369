//! `ls`: see `coreutils::ls`.

fn main() {
    coreutils::common::main(coreutils::ls::run)
}
