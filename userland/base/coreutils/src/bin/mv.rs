//! `mv`: see `coreutils::mv`.

fn main() {
    coreutils::common::main(coreutils::mv::run)
}
