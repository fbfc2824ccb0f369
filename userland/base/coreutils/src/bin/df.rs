//! `df`: see `coreutils::df`.

fn main() {
    coreutils::common::main(coreutils::df::run)
}
