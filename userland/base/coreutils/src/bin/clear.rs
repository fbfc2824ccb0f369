//! `clear`: see `coreutils::clear`.

fn main() {
    coreutils::common::main(coreutils::clear::run)
}
