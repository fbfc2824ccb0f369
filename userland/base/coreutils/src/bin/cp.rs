//! `cp`: see `coreutils::cp`.

fn main() {
    coreutils::common::main(coreutils::cp::run)
}
