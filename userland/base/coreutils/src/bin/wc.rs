//! `wc`: see `coreutils::wc`.

fn main() {
    coreutils::common::main(coreutils::wc::run)
}
