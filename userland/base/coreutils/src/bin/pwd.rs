//! `pwd`: see `coreutils::pwd`.

fn main() {
    coreutils::common::main(coreutils::pwd::run)
}
