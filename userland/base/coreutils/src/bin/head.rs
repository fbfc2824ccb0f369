//! `head`: see `coreutils::head`.

fn main() {
    coreutils::common::main(coreutils::head::run)
}
