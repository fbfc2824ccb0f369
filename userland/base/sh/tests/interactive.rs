//! The interactive shell on a pseudo-terminal, driven as a person types:
//! prompt, line editing, history, Ctrl-C, Ctrl-Z and fg/bg, job reports.

mod common;
use common::*;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Term {
    master: File,
    child: Child,
    /// Everything the shell wrote.
    out: String,
    /// How much of `out` was looked at by `expect`.
    seen: usize,
}

fn open_pty() -> (File, File) {
    // SAFETY: plain libc calls on descriptors this function owns.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(m >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        assert!(s >= 0, "open slave");
        let ws = libc::winsize { ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0 };
        libc::ioctl(m, libc::TIOCSWINSZ, &ws);
        (File::from_raw_fd(m), File::from_raw_fd(s))
    }
}

impl Term {
    fn start(dir: &Path, ps1: Option<&str>) -> Term {
        let (master, slave) = open_pty();
        let mut cmd = Command::new(SH);
        cmd.current_dir(dir)
            .env_clear()
            .env("PATH", path())
            .env("HOME", "/nonexistent-home")
            .env("TERM", "vt100")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        if let Some(p) = ps1 {
            cmd.env("PS1", p);
        }
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn sh on a pty");
        // SAFETY: setting O_NONBLOCK on our own descriptor.
        unsafe {
            let fd = master.as_raw_fd();
            libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK);
        }
        Term { master, child, out: String::new(), seen: 0 }
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 4096];
        while let Ok(n) = self.master.read(&mut buf) {
            if n == 0 {
                break;
            }
            self.out.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }

    /// Waits until `needle` appears after what was seen before.
    #[track_caller]
    fn expect(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.found(needle) {
            if Instant::now() > deadline {
                self.give_up(&format!("timed out waiting for {needle:?}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether `needle` came after what was seen before; if so, it is
    /// seen now.
    fn found(&mut self, needle: &str) -> bool {
        self.pump();
        let Some(i) = self.out[self.seen..].find(needle) else { return false };
        self.seen += i + needle.len();
        true
    }

    #[track_caller]
    fn give_up(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        panic!("{why}; output after the last match:\n{:?}", &self.out[self.seen..]);
    }

    fn send(&mut self, s: &str) {
        self.master.write_all(s.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    /// Types a line and waits for the next prompt.
    fn line(&mut self, s: &str) {
        self.send(s);
        self.send("\r");
    }

    /// Presses Enter until `needle` appears: the shell reports a job that
    /// changed state at its next prompt, however long the job took.
    #[track_caller]
    fn enter_until(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.line("");
            std::thread::sleep(Duration::from_millis(200));
            if self.found(needle) {
                return;
            }
            if Instant::now() > deadline {
                self.give_up(&format!("no {needle:?} after pressing Enter"));
            }
        }
    }

    fn pause(&mut self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
        self.pump();
    }

    fn finish(mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump();
            if let Some(st) = self.child.try_wait().unwrap() {
                return st.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the shell did not exit; output:\n{:?}", self.out);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn prompt_shows_the_working_directory() {
    let dir = tempdir();
    let mut t = Term::start(&dir, None);
    let d = dir.display().to_string();
    t.expect(&format!("{d} "));
    t.line("cd /");
    t.expect("\n/ ");
    t.line("PS1='[$PWD]> '");
    t.line("cd /tmp");
    t.expect("[/tmp]> ");
    t.line("PS1='\\w % '");
    t.expect("/tmp % ");
    t.line("exit 3");
    assert_eq!(t.finish(), 3);
}

#[test]
fn line_editing_and_history() {
    let dir = tempdir();
    let mut t = Term::start(&dir, Some("$ "));
    t.expect("$ ");
    // Left twice, insert; Ctrl-E, append.
    t.line("echo helo\x1b[D\x1b[Dl\x05!");
    t.expect("hello!\r\n");
    // Ctrl-A Ctrl-K kills the line; Ctrl-U too.
    t.line("echo abc\x01\x0bxyz\x15echo killed");
    t.expect("killed\r\n");
    // Ctrl-W erases the word before the cursor.
    t.line("echo one two\x17three");
    t.expect("one three\r\n");
    // Backspace.
    t.line("echo abcd\x7f\x7fX");
    t.expect("abX\r\n");
    // Up twice brings back the command before last.
    t.line("echo first");
    t.expect("first\r\n");
    t.line("echo second");
    t.expect("second\r\n");
    t.line("\x1b[A\x1b[A");
    t.expect("first\r\n");
    // Down after Up returns to what was being typed.
    t.line("echo draft\x1b[A\x1b[B");
    t.expect("draft\r\n");
    // Home and Delete keys.
    t.line("Xecho del\x1b[H\x1b[3~");
    t.expect("del\r\n");
    t.send("\x04");
    assert_eq!(t.finish(), 0);
}

#[test]
fn ctrl_c_clears_the_line_and_interrupts_jobs() {
    let dir = tempdir();
    let mut t = Term::start(&dir, Some("$ "));
    t.expect("$ ");
    t.send("echo partial\x03");
    t.expect("^C");
    t.line("echo after $?");
    t.expect("after 130\r\n");
    // A program in the foreground.
    t.line("sleep 30");
    t.pause(300);
    t.send("\x03");
    t.expect("$ ");
    t.line("echo status $?");
    t.expect("status 130\r\n");
    // A loop of programs stops as a whole.
    t.line("while true; do sleep 1; done; echo not-after-loop");
    t.pause(300);
    t.send("\x03");
    t.expect("$ ");
    t.line("echo loop-done");
    t.expect("loop-done\r\n");
    assert!(!t.out.contains("not-after-loop\r\n"));
    // A loop of builtins too.
    t.line("while :; do :; done");
    t.pause(300);
    t.send("\x03");
    t.expect("$ ");
    t.line("echo builtin-loop-done $?");
    t.expect("builtin-loop-done 130\r\n");
    // cat reading the terminal.
    t.line("cat");
    t.pause(200);
    t.send("typed\r");
    t.expect("typed\r\n");
    t.send("\x03");
    t.expect("$ ");
    t.line("exit");
    assert_eq!(t.finish(), 130);
}

#[test]
fn ctrl_z_stops_and_fg_bg_continue() {
    let dir = tempdir();
    let mut t = Term::start(&dir, Some("$ "));
    t.expect("$ ");
    t.line("sleep 30");
    t.pause(300);
    t.send("\x1a");
    t.expect("[1]+  Stopped");
    t.expect("sleep 30");
    t.expect("$ ");
    t.line("echo st=$?");
    t.expect("st=148");
    t.line("jobs");
    t.expect("[1]+  Stopped");
    t.line("fg");
    t.expect("sleep 30\r\n");
    t.pause(300);
    t.send("\x03");
    t.expect("$ ");
    t.line("jobs; echo no-jobs");
    t.expect("no-jobs");
    // bg: the stopped job runs on in the background.
    t.line("sleep 0.5; echo finished-first");
    t.pause(200);
    t.send("\x1a");
    t.expect("Stopped");
    t.expect("finished-first");
    t.line("bg");
    t.expect("[1]+ sleep 0.5 &");
    t.enter_until("[1]+  Done");
    t.line("exit");
    assert_eq!(t.finish(), 0);
}

#[test]
fn background_jobs_are_reported() {
    let dir = tempdir();
    let mut t = Term::start(&dir, Some("$ "));
    t.expect("$ ");
    t.line("sleep 0.2 &");
    t.expect("[1] ");
    t.enter_until("[1]+  Done                    sleep 0.2");
    t.line("sleep 30 &");
    t.expect("[1] ");
    t.line("kill %1");
    t.enter_until("Terminated");
    t.line("false &");
    t.enter_until("Exit 1");
    t.line("sleep 0.1 & wait $!; echo waited $?");
    t.expect("waited 0");
    t.line("exit");
    assert_eq!(t.finish(), 0);
}

#[test]
fn continuation_lines_and_errors() {
    let dir = tempdir();
    let mut t = Term::start(&dir, Some("$ "));
    t.expect("$ ");
    t.line("if true");
    t.expect("> ");
    t.line("then echo cont");
    t.expect("> ");
    t.line("fi");
    t.expect("cont\r\n");
    // A syntax error does not end an interactive shell.
    t.line("fi");
    t.expect("syntax error: unexpected \"fi\"");
    t.line("nosuch");
    t.expect("sh: nosuch: not found");
    t.line("echo ${x:?oops}; echo not-run");
    t.expect("x: oops");
    t.line("echo alive $?");
    t.expect("alive 2");
    // Ctrl-C at a continuation prompt abandons the command.
    t.line("for i in 1 2");
    t.expect("> ");
    t.send("\x03");
    t.expect("$ ");
    t.line("echo fresh");
    t.expect("fresh\r\n");
    t.send("\x04");
    assert_eq!(t.finish(), 0);
}
