//! `tail`: see `coreutils::tail`.

fn main() {
    coreutils::common::main(coreutils::tail::run)
}
