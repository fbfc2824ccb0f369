//! Helpers for the integration tests: run the built shell on a script and
//! look at its output and exit status.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const SH: &str = env!("CARGO_BIN_EXE_sh");

#[derive(Debug)]
pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A new empty directory for one test.
pub fn tempdir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tern-sh-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// PATH for the tests: this shell first (as `sh`), then the system's.
pub fn path() -> String {
    let dir = Path::new(SH).parent().unwrap();
    format!("{}:/bin:/usr/bin:/sbin:/usr/sbin", dir.display())
}

/// Runs the shell with `args` in `dir`, feeding `stdin`; kills it after
/// 30 seconds.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Out {
    let mut cmd = Command::new(SH);
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path())
        .env("HOME", dir)
        .env("PWD", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("spawn sh");
    let writer = stdin.map(|s| {
        let mut w = child.stdin.take().unwrap();
        let s = s.to_string();
        std::thread::spawn(move || {
            let _ = w.write_all(s.as_bytes());
        })
    });
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = so.read_to_end(&mut s);
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = se.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sh {args:?} timed out");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = String::from_utf8_lossy(&t1.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t2.join().unwrap()).into_owned();
    use std::os::unix::process::ExitStatusExt;
    let status = status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Out { stdout, stderr, status }
}

/// `sh -c script` in a fresh directory.
pub fn run(script: &str) -> Out {
    run_in(&tempdir(), &["-c", script], None)
}

/// Checks the standard output and exit status of `sh -c script`.
#[track_caller]
pub fn check(script: &str, stdout: &str, status: i32) {
    let out = run(script);
    assert_eq!(out.stdout, stdout, "stdout of {script:?} (stderr: {:?})", out.stderr);
    assert_eq!(out.status, status, "status of {script:?} (stderr: {:?})", out.stderr);
}

/// Checks standard output, standard error and exit status.
#[track_caller]
pub fn check_all(script: &str, stdout: &str, stderr: &str, status: i32) {
    let out = run(script);
    assert_eq!(out.stdout, stdout, "stdout of {script:?}");
    assert_eq!(out.stderr, stderr, "stderr of {script:?}");
    assert_eq!(out.status, status, "status of {script:?}");
}
