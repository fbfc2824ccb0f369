//! `tr`: see `coreutils::tr`.

fn main() {
    coreutils::common::main(coreutils::tr::run)
}
