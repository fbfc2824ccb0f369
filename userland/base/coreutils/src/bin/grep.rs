//! `grep`: see `coreutils::grep`.

fn main() {
    coreutils::common::main(coreutils::grep::run)
}
