//! `sleep`: see `coreutils::sleep`.

fn main() {
    coreutils::common::main(coreutils::sleep::run)
}
