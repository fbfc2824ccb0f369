//! /sbin/init: see the library's documentation.

use std::ffi::CString;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::Instant;

use init::{MOUNTS, Mode, PATH, Respawn, mode, status_line};

const SHELL: &str = "/bin/sh";
const RC: &str = "/etc/rc";
/// The message of the day, shown before each login shell (as login does).
const MOTD: &str = "/etc/motd";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // SAFETY: getpid has no preconditions.
    if unsafe { libc::getpid() } != 1 {
        eprintln!("init: not the first process (pid 1); orphans will not come here");
    }
    for dir in MOUNTS {
        if !Path::new(dir).is_dir() {
            eprintln!("init: {dir} is missing (the file server mounts it at boot)");
        }
    }
    ignore_terminal_signals();
    if Path::new(RC).is_file() {
        run_and_reap(Command::new(SHELL).arg(RC).env("PATH", PATH));
    }
    match mode(&args) {
        Mode::Batch(script) => {
            let status = run_and_reap(Command::new(SHELL).arg(&script).env("PATH", PATH));
            println!("{}", status_line(status));
            power_off();
        }
        Mode::Interactive => keep_a_shell(),
    }
}

/// init itself must not be stopped or interrupted from the keyboard.
fn ignore_terminal_signals() {
    for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU, libc::SIGHUP] {
        // SAFETY: SIG_IGN is a valid disposition for these signals.
        unsafe { libc::signal(signal, libc::SIG_IGN) };
    }
}

/// Starts `command` and waits for it, reaping whatever else ends
/// meanwhile; its exit status (128 + signal if killed, 127 if it did
/// not start).
fn run_and_reap(command: &mut Command) -> i32 {
    let child = match command.spawn() {
        Ok(child) => child.id() as libc::pid_t,
        Err(e) => {
            eprintln!("init: cannot run {:?}: {e}", command.get_program());
            return 127;
        }
    };
    reap_until(child)
}

/// Waits for any child until `pid` ends; its status.
fn reap_until(pid: libc::pid_t) -> i32 {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid place for waitpid to write.
        let ended = unsafe { libc::waitpid(-1, &mut status, 0) };
        if ended == pid {
            return if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
        }
        if ended < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 127;
        }
    }
}

/// A login shell on the console, again and again.
fn keep_a_shell() -> ! {
    let mut respawn = Respawn::new();
    loop {
        show_motd();
        let started = Instant::now();
        let shell = CString::new(SHELL).expect("no NUL in the path");
        // SAFETY: fork in a single-threaded process; the child only calls
        // async-signal-safe functions before exec.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: the child: its own session and process group, the
            // console's foreground, default signal handling, then the
            // shell (argv[0] "-sh": a login shell).
            unsafe {
                libc::setsid();
                libc::tcsetpgrp(0, libc::getpid());
                for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU, libc::SIGHUP] {
                    libc::signal(signal, libc::SIG_DFL);
                }
                let argv0 = CString::new("-sh").expect("no NUL");
                let argv = [argv0.as_ptr(), std::ptr::null()];
                libc::execv(shell.as_ptr(), argv.as_ptr());
                libc::_exit(127);
            }
        }
        if pid < 0 {
            eprintln!("init: cannot start {SHELL}: {}", std::io::Error::last_os_error());
        } else {
            let status = reap_until(pid);
            if status == 127 {
                eprintln!("init: {SHELL} did not start");
            }
        }
        sleep(respawn.after(started.elapsed()));
    }
}

/// Copies /etc/motd, if there is one, to the console.
fn show_motd() {
    if let Ok(text) = std::fs::read(MOTD) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&text).and_then(|()| out.flush());
    }
}

/// Writes everything back and powers the machine off.
fn power_off() -> ! {
    // SAFETY: sync and reboot take no pointers.
    unsafe {
        libc::sync();
        libc::reboot(libc::RB_POWER_OFF);
    }
    eprintln!("init: power off failed: {}", std::io::Error::last_os_error());
    loop {
        sleep(std::time::Duration::from_secs(3600));
    }
}
