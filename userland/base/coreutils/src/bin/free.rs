//! `free`: see `coreutils::free`.

fn main() {
    coreutils::common::main(coreutils::free::run)
}
