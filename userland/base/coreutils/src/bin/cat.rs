//! `cat`: see `coreutils::cat`.

fn main() {
    coreutils::common::main(coreutils::cat::run)
}
