//! What the Rust test programs report with: one line per check,
//! `test: <suite>/<name> ... ok` or `... FAILED <reason>`, each written
//! with a single `write` so that other output cannot land inside it (the
//! same contract as the C programs' check.h).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

static FAILURES: AtomicUsize = AtomicUsize::new(0);

/// Reports check `name` of `suite`: passed when `outcome` is `Ok`.
pub fn report(suite: &str, name: &str, outcome: Result<(), String>) {
    let line = match outcome {
        Ok(()) => format!("test: {suite}/{name} ... ok\n"),
        Err(reason) => {
            FAILURES.fetch_add(1, Ordering::Relaxed);
            format!("test: {suite}/{name} ... FAILED {reason}\n")
        }
    };
    let _ = std::io::stdout().lock().write_all(line.as_bytes());
}

/// The exit status for the checks so far: 0 when all passed.
pub fn status() -> i32 {
    i32::from(FAILURES.load(Ordering::Relaxed) != 0)
}

/// `Err(reason)` unless `condition`.
pub fn ensure(condition: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(reason()) }
}
