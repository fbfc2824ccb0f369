//! Debugging a boot with gdb: the command `cargo tern run --gdb` prints,
//! and the test that it works (QEMU waits, gdb attaches with the kernel's
//! symbols and stops in the kernel).
//!
//! The kernel file keeps its symbols and debug information (the boot media
//! get copies without them). mm0, fs0 and the drivers are all linked at the
//! same address, each in its own address space, so gdb starts with the
//! kernel's symbols and the user adds those of the one task they debug.

use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::artifacts::Artifacts;
use crate::boot::{self, Boot};
use crate::cmd;
use crate::paths::Paths;
use crate::plan::Plan;
use crate::qemu::{self, Accel, Console, GDB_PORT, Machine};
use crate::report::Group;

/// A function early in the kernel's 64-bit code: a hardware breakpoint on
/// it holds before the kernel's page tables exist.
const FIRST_STOP: &str = "tern_kernel::kmain";

/// gdb's arguments to attach to the waiting machine with `kernel`'s symbols.
fn attach_args(kernel: &Path) -> Vec<String> {
    vec!["-q".into(), kernel.display().to_string(), "-ex".into(), format!("target remote localhost:{GDB_PORT}")]
}

/// What `run --gdb` prints before it starts the machine.
pub fn print_help(artifacts: &Artifacts) -> Result<()> {
    let attach: Vec<String> = attach_args(&artifacts.kernel).iter().map(|arg| shell_word(arg)).collect();
    println!("gdb: QEMU starts stopped and waits for gdb on localhost:{GDB_PORT}. In another terminal:");
    println!("  gdb {}", attach.join(" "));
    println!("  (gdb) hbreak {FIRST_STOP}     a first stop, then `continue`");
    println!("  to debug a server, a driver or libposix (each at the same address in its own address space):");
    for name in ["mm0", "fs0", "ide", "libposix"] {
        println!("  (gdb) add-symbol-file {}", artifacts.module(name)?.display());
    }
    Ok(())
}

fn shell_word(arg: &str) -> String {
    if arg.contains(' ') { format!("'{arg}'") } else { arg.to_string() }
}

/// How long gdb may take to attach, stop in the kernel and quit.
const GDB_TIMEOUT_SECONDS: &str = "60";
/// Attempts to attach while QEMU may still be opening its gdb port.
const ATTACH_ATTEMPTS: usize = 20;

/// `run --gdb` as a person uses it: a machine waiting for gdb, gdb
/// attaching with the command [`print_help`] shows, stopping at
/// [`FIRST_STOP`] and showing where it is.
pub fn tests(paths: &Paths, artifacts: &Artifacts, accel: Accel) -> Result<Group> {
    println!("== gdb (cargo tern run --gdb)");
    let plan = Plan::new("log=warn mode=test", &[])?;
    let media = boot::media(&plan, Boot::Direct, artifacts, paths, "gdb", None)?;
    let machine = Machine { media, accel, console: Console::Captured, disk: None, monitor: None, wait_for_gdb: true };
    let mut qemu = machine.command();
    qemu.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = qemu.spawn().with_context(|| format!("cannot start {}", qemu::QEMU))?;
    let mut printed = String::new();
    for _ in 0..ATTACH_ATTEMPTS {
        let mut gdb = Command::new("timeout");
        gdb.args([GDB_TIMEOUT_SECONDS, "gdb", "-batch", "-nx"]).args(attach_args(&artifacts.kernel));
        gdb.args(["-ex", &format!("hbreak {FIRST_STOP}"), "-ex", "continue", "-ex", "bt 1"]);
        let output = cmd::output(&mut gdb)?;
        printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        if !printed.contains("Connection refused") {
            break;
        }
        thread::sleep(Duration::from_millis(250));
    }
    // The machine has nothing more to do once gdb has looked.
    let _ = child.kill();
    let _ = child.wait();

    let mut group = Group::new("gdb");
    let stop = format!("Breakpoint 1, {FIRST_STOP} (");
    let outcome = if printed.contains(&stop) && printed.contains("kernel/src/main.rs") {
        Ok(())
    } else {
        Err(format!("gdb did not stop in {FIRST_STOP}: {}", printed.trim()))
    };
    let test = format!("gdb: attached, stopped in {FIRST_STOP} with its source line");
    match &outcome {
        Ok(()) => println!("   ok     {test}"),
        Err(reason) => println!("   FAILED {test}: {reason}"),
    }
    group.record(test, outcome);
    Ok(group)
}
