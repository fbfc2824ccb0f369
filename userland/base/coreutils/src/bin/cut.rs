//! `cut`: see `coreutils::cut`.

fn main() {
    coreutils::common::main(coreutils::cut::run)
}
