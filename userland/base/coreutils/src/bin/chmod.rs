//! `chmod`: see `coreutils::chmod`.

fn main() {
    coreutils::common::main(coreutils::chmod::run)
}
