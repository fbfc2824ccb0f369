//! `echo`: see `coreutils::echo`.

fn main() {
    coreutils::common::main(coreutils::echo::run)
}
