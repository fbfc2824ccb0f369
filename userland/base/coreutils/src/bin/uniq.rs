//! `uniq`: see `coreutils::uniq`.

fn main() {
    coreutils::common::main(coreutils::uniq::run)
}
