//! `xargs`: see `coreutils::xargs`.

fn main() {
    coreutils::common::main(coreutils::xargs::run)
}
