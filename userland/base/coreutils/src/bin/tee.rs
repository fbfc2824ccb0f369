//! `tee`: see `coreutils::tee`.

fn main() {
    coreutils::common::main(coreutils::tee::run)
}
