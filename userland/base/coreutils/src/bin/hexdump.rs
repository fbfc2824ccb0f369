//! `hexdump`: see `coreutils::hexdump`.

fn main() {
    coreutils::common::main(coreutils::hexdump::run)
}
