//! `du`: see `coreutils::du`.

fn main() {
    coreutils::common::main(coreutils::du::run)
}
