//! `find`: see `coreutils::find`.

fn main() {
    coreutils::common::main(coreutils::find::run)
}
