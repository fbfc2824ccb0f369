//! `mount`: see `coreutils::mount`.

fn main() {
    coreutils::common::main(coreutils::mount::run)
}
