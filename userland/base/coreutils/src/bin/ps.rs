//! `ps`: see `coreutils::ps`.

fn main() {
    coreutils::common::main(coreutils::ps::run)
}
