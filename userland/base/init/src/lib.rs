//! Tern's init, the first process (pid 1), as a library so that its
//! decisions are tested on the host.
//!
//! What init does (`src/bin/init.rs`):
//! - checks that the file server mounted /dev, /proc, /tmp and /dev/shm
//!   (fs0 mounts them itself at boot; init says so if one is missing);
//! - runs `/etc/rc` with `/bin/sh` if it exists;
//! - gives `/etc/rc` and a batch run's script the default [`PATH`] (the
//!   login shell sets its own from `/etc/profile`: the same);
//! - in batch mode (`exec=SCRIPT` among its arguments, which the
//!   `cargo tern run --exec` image passes), runs `/bin/sh SCRIPT`, prints
//!   `tern: exit status N` and powers off;
//! - otherwise shows `/etc/motd` (as login does) and starts a login shell
//!   on the console in a session of its own with the terminal's
//!   foreground group set to it, and does both again when it exits,
//!   pausing when it keeps dying at once;
//! - reaps every process that ends while it waits (orphans come to init).
//!
//! `src/bin/boot.rs` is the boot module that becomes init: mm0 starts it
//! as the first POSIX process (pid 1) and it executes `/sbin/init` from
//! the root file system, keeping the pid.

use std::time::Duration;

/// What init was asked to do, from its arguments.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// Keep a shell on the console.
    Interactive,
    /// Run this script, report its status, power off.
    Batch(String),
}

/// The mode the arguments (after argv[0]) ask for.
pub fn mode(args: &[String]) -> Mode {
    args.iter()
        .find_map(|a| a.strip_prefix("exec="))
        .map_or(Mode::Interactive, |script| Mode::Batch(script.to_string()))
}

/// The line a batch run ends with, which `cargo tern run --exec` reads.
pub fn status_line(status: i32) -> String {
    format!("tern: exit status {status}")
}

/// How long to wait before starting the shell again: nothing the first
/// times, then a pause when it keeps ending within a second of starting
/// (a broken shell must not make init spin).
pub struct Respawn {
    quick_exits: u32,
}

impl Respawn {
    pub fn new() -> Respawn {
        Respawn { quick_exits: 0 }
    }

    /// The shell ran for `lived`; the pause before the next one.
    pub fn after(&mut self, lived: Duration) -> Duration {
        if lived < Duration::from_secs(1) {
            self.quick_exits += 1;
        } else {
            self.quick_exits = 0;
        }
        if self.quick_exits >= 3 { Duration::from_secs(5) } else { Duration::ZERO }
    }
}

impl Default for Respawn {
    fn default() -> Respawn {
        Respawn::new()
    }
}

/// The default `PATH`, as `/etc/profile` sets it: the system's programs
/// and busybox (`/opt/busybox/bin`).
pub const PATH: &str = "/bin:/sbin:/opt/busybox/bin";

/// The directories fs0 mounts at boot that init expects.
pub const MOUNTS: [&str; 4] = ["/dev", "/proc", "/tmp", "/dev/shm"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_pick_the_mode() {
        assert_eq!(mode(&[]), Mode::Interactive);
        let args = vec!["quiet".to_string(), "exec=/etc/batch.sh".to_string()];
        assert_eq!(mode(&args), Mode::Batch("/etc/batch.sh".into()));
        assert_eq!(status_line(3), "tern: exit status 3");
    }

    #[test]
    fn the_default_path_is_the_profiles() {
        let profile = include_str!("../../../../rootfs/etc/profile");
        assert!(profile.lines().any(|line| line == format!("PATH={PATH}")), "{profile}");
    }

    #[test]
    fn a_shell_that_keeps_dying_is_restarted_slowly() {
        let mut respawn = Respawn::new();
        assert_eq!(respawn.after(Duration::from_millis(10)), Duration::ZERO);
        assert_eq!(respawn.after(Duration::from_millis(10)), Duration::ZERO);
        assert_eq!(respawn.after(Duration::from_millis(10)), Duration::from_secs(5));
        assert_eq!(respawn.after(Duration::from_secs(60)), Duration::ZERO, "a shell that lived resets the count");
    }
}
