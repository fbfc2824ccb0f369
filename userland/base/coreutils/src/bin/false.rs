//! `false`: see `coreutils::true_false`.

fn main() {
    coreutils::common::main(coreutils::true_false::run_false)
}
