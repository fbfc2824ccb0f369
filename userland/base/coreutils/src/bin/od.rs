//! `od`: see `coreutils::od`.

fn main() {
    coreutils::common::main(coreutils::od::run)
}
