//! The boot module that becomes init: mm0 starts it as the first POSIX
//! process (pid 1); it executes /sbin/init from the root file system with
//! its own arguments, so init keeps pid 1. If that fails there is nothing
//! to run: it says why and powers off.

use std::os::unix::process::CommandExt;
use std::process::Command;

const INIT: &str = "/sbin/init";

fn main() {
    let error = Command::new(INIT).arg0("init").args(std::env::args().skip(1)).exec();
    eprintln!("boot: cannot run {INIT}: {error}");
    // SAFETY: reboot takes no pointers.
    unsafe { libc::reboot(libc::RB_POWER_OFF) };
    std::process::exit(1);
}
