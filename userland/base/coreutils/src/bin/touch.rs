//! `touch`: see `coreutils::touch`.

fn main() {
    coreutils::common::main(coreutils::touch::run)
}
