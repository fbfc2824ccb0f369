//! `stat`: see `coreutils::stat`.

fn main() {
    coreutils::common::main(coreutils::stat::run)
}
