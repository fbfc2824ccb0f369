//! `rm`: see `coreutils::rm`.

fn main() {
    coreutils::common::main(coreutils::rm::run)
}
