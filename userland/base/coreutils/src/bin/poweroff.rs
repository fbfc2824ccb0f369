//! `poweroff`: see `coreutils::reboot`.

fn main() {
    coreutils::common::main(coreutils::reboot::run_poweroff)
}
