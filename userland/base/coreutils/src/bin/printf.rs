//! `printf`: see `coreutils::printf`.

fn main() {
    coreutils::common::main(coreutils::printf::run)
}
