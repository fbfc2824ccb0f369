//! What the integration tests share: running a built tool and scratch
//! directories. Each test file uses part of it.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The path of a built tool.
#[macro_export]
macro_rules! tool {
    ($name:literal) => {
        env!(concat!("CARGO_BIN_EXE_", $name))
    };
}

/// What a tool did.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program` with `args` in `dir`, with `input` on standard input.
pub fn run_in(dir: &Path, program: &str, args: &[&str], input: &str) -> Run {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {program}: {err}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    // A tool that exits without reading its input closes the pipe early.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let output = child.wait_with_output().expect("wait for the tool");
    Run {
        status: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `program` in the test's working directory.
pub fn run(program: &str, args: &[&str], input: &str) -> Run {
    run_in(Path::new("."), program, args, input)
}

/// A directory of its own for one test, removed when dropped.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let unique = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("coreutils-{}-{unique}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the scratch directory");
        Scratch { path }
    }

    /// Writes a file under the scratch directory, making its parents.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create parents");
        std::fs::write(&path, contents).expect("write a scratch file");
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path.join(name)).expect("read a scratch file")
    }

    pub fn run(&self, program: &str, args: &[&str], input: &str) -> Run {
        run_in(&self.path, program, args, input)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
