//! The serial-console contract with the test runner: one line per test,
//! `test: <name> ... ok` or `test: <name> ... FAILED <reason>`, and one per
//! benchmark figure, `bench: <name> <value> <unit>`.

use alloc::string::String;

use libtern::println;

/// A test's verdict: `Err` holds the reason it failed.
pub type Outcome = Result<(), String>;

/// Counts the verdicts of a run.
#[derive(Default)]
pub struct Report {
    pub passed: usize,
    pub failed: usize,
}

impl Report {
    /// Runs `test` and prints its line.
    pub fn run(&mut self, name: &str, test: impl FnOnce() -> Outcome) {
        match test() {
            Ok(()) => {
                self.passed += 1;
                println!("test: {name} ... ok");
            }
            Err(reason) => {
                self.failed += 1;
                println!("test: {name} ... FAILED {reason}");
            }
        }
    }
}

/// Prints one benchmark figure.
pub fn bench(name: &str, value: u64, unit: &str) {
    println!("bench: {name} {value} {unit}");
}

/// `Err(format!(...))` unless `cond`.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            return Err(alloc::format!($($arg)*));
        }
    };
}
