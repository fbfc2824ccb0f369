//! `date`: see `coreutils::date`.

fn main() {
    coreutils::common::main(coreutils::date::run)
}
