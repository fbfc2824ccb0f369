//! `uname`: see `coreutils::uname`.

fn main() {
    coreutils::common::main(coreutils::uname::run)
}
