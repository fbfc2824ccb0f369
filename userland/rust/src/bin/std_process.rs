//! Rust std's process API on Tern: Command with arguments, environment,
//! piped stdin/stdout/stderr, exit codes and signals, a missing program.
//! Run with `child MODE` it is the child those checks start. Prints
//! `test: rust_process/<name> ...` lines and exits with 0 when all passed.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use tern_rust_tests::{ensure, report, status};

const SUITE: &str = "rust_process";
const SELF: &str = "/bin/std_process";

/// The child side: `echo` prints its arguments and an environment
/// variable and exits with 5; `upper` copies stdin to stdout in upper
/// case; `abort` aborts.
fn child(mode: &str, rest: &[String]) -> i32 {
    match mode {
        "echo" => {
            let var = std::env::var("TERN_VALUE").unwrap_or_default();
            println!("{} {var}", rest.join(","));
            eprintln!("to stderr");
            5
        }
        "upper" => {
            let mut input = String::new();
            let _ = std::io::stdin().read_to_string(&mut input);
            print!("{}", input.to_uppercase());
            0
        }
        "abort" => std::process::abort(),
        _ => 100,
    }
}

fn output_and_status() -> Result<(), String> {
    let out = Command::new(SELF)
        .args(["child", "echo", "a b", "c"])
        .env("TERN_VALUE", "42")
        .output()
        .map_err(|e| format!("spawn failed: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure(out.status.code() == Some(5), || format!("status {:?}", out.status))?;
    ensure(stdout == "a b,c 42\n", || format!("stdout {stdout:?}"))?;
    ensure(stderr == "to stderr\n", || format!("stderr {stderr:?}"))
}

fn piped_stdin() -> Result<(), String> {
    let mut child = Command::new(SELF)
        .args(["child", "upper"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn failed: {e}"))?;
    child.stdin.take().ok_or("no stdin")?.write_all(b"through a pipe").map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure(out.status.success() && text == "THROUGH A PIPE", || format!("{:?}: {text:?}", out.status))
}

fn other_program() -> Result<(), String> {
    let out = Command::new("/bin/hello").output().map_err(|e| format!("spawn failed: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure(out.status.code() == Some(3) && text == "hello from musl\n", || format!("{:?}: {text:?}", out.status))
}

fn signal_status() -> Result<(), String> {
    let status = Command::new(SELF).args(["child", "abort"]).status().map_err(|e| e.to_string())?;
    ensure(status.signal() == Some(6), || format!("status {status:?}, expected SIGABRT"))
}

fn missing_program() -> Result<(), String> {
    match Command::new("/bin/no-such-program").status() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => Err(format!("spawning a missing program gave {other:?}")),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() > 2 && args[1] == "child" {
        std::process::exit(child(&args[2], &args[3..]));
    }
    report(SUITE, "output_and_status", output_and_status());
    report(SUITE, "piped_stdin", piped_stdin());
    report(SUITE, "other_program", other_program());
    report(SUITE, "signal_status", signal_status());
    report(SUITE, "missing_program", missing_program());
    std::process::exit(status());
}
