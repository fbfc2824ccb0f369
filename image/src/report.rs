//! Reading results: the serial protocol spoken by the guest, cargo test's
//! output, and the tally of passed and failed tests.
//!
//! Serial lines that matter (the marker may appear anywhere in a line, after
//! a log prefix for example):
//! - `test: <name> ... ok` and `test: <name> ... FAILED <reason>`: one test.
//! - `tests: done`: the guest finished. It then writes 0x10 (all passed) or
//!   0x11 (something failed) to isa-debug-exit, so QEMU exits with 33 or 35.
//! - `bench: <name> <value> <unit>`: one benchmark result.
//! - `PANIC` or `kernel fault`: the kernel died.

use std::fmt;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use crate::qemu::End;

/// QEMU's exit status when the guest wrote 0x10 to isa-debug-exit: every test passed.
pub const EXIT_ALL_PASSED: i32 = (0x10 << 1) | 1;
/// QEMU's exit status when the guest wrote 0x11 to isa-debug-exit: some test failed.
pub const EXIT_SOME_FAILED: i32 = (0x11 << 1) | 1;
/// QEMU's exit status after the kernel writes its failure value 0x12.
pub const EXIT_KERNEL_FAILURE: i32 = (0x12 << 1) | 1;

const TEST_MARKER: &str = "test: ";
const DONE_MARKER: &str = "tests: done";
const BENCH_MARKER: &str = "bench: ";
const FATAL_MARKERS: &[&str] = &["PANIC", "kernel fault"];

/// How many lines of a failed run's log to show.
const TAIL_LINES: usize = 40;

/// `Err` holds the reason a test failed.
pub type Outcome = Result<(), String>;

#[derive(Debug, PartialEq)]
pub struct TestLine {
    pub name: String,
    pub outcome: Outcome,
}

#[derive(Debug, PartialEq)]
pub struct Bench {
    pub name: String,
    pub value: String,
    pub unit: String,
}

impl fmt::Display for Bench {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} {} {}", self.name, self.value, self.unit)
    }
}

/// Everything of interest in a run's serial output.
#[derive(Debug, Default)]
pub struct Serial {
    pub tests: Vec<TestLine>,
    pub done: bool,
    /// The first fatal line.
    pub fatal: Option<String>,
    pub benches: Vec<Bench>,
}

pub fn scan(lines: &[String]) -> Serial {
    let mut serial = Serial::default();
    for line in lines {
        if let Some(test) = test_line(line) {
            serial.tests.push(test);
        }
        if let Some(bench) = bench_line(line) {
            serial.benches.push(bench);
        }
        serial.done |= after_marker(line, DONE_MARKER).is_some();
        if serial.fatal.is_none() && is_fatal(line) {
            serial.fatal = Some(line.trim().to_string());
        }
    }
    serial
}

/// Whether `line` says the kernel died.
pub fn is_fatal(line: &str) -> bool {
    FATAL_MARKERS.iter().any(|marker| line.contains(marker))
}

/// Parses `test: <name> ... ok` or `test: <name> ... FAILED <reason>`.
pub fn test_line(line: &str) -> Option<TestLine> {
    let (name, result) = after_marker(line, TEST_MARKER)?.rsplit_once(" ... ")?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let result = result.trim();
    let outcome = if result.split_whitespace().next() == Some("ok") {
        Ok(())
    } else {
        let reason = result.strip_prefix("FAILED")?.trim();
        Err(if reason.is_empty() { "FAILED".to_string() } else { reason.to_string() })
    };
    Some(TestLine { name: name.to_string(), outcome })
}

/// Parses `bench: <name> <value> <unit>`; the value must be a number.
pub fn bench_line(line: &str) -> Option<Bench> {
    let mut words = after_marker(line, BENCH_MARKER)?.split_whitespace();
    let (name, value) = (words.next()?, words.next()?);
    value.parse::<f64>().ok()?;
    let unit = words.collect::<Vec<_>>().join(" ");
    if unit.is_empty() {
        return None;
    }
    Some(Bench { name: name.to_string(), value: value.to_string(), unit })
}

/// The text after the first `marker` in `line` that does not continue a word
/// (so `latest: x` is no `test: ` line).
fn after_marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(found) = line[from..].find(marker) {
        let at = from + found;
        let starts_word = line[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '_');
        if starts_word {
            return Some(&line[at + marker.len()..]);
        }
        from = at + marker.len();
    }
    None
}

/// Why a captured run did not end as the guest ending on its own, if it did
/// not: the kernel died, the run hung, or QEMU exited without the guest
/// writing to isa-debug-exit.
pub fn run_failure(end: &End, serial: &Serial) -> Option<String> {
    if let Some(line) = &serial.fatal {
        return Some(format!("kernel died: {line}"));
    }
    match end {
        End::Exited(EXIT_ALL_PASSED | EXIT_SOME_FAILED) => None,
        End::Exited(status) => {
            let hint = match status {
                0 => "a triple fault or reset ends QEMU with 0 under -no-reboot".to_string(),
                1 => "QEMU could not start the machine: see its error in the log".to_string(),
                odd if odd % 2 == 1 => format!("the guest wrote {:#x} to isa-debug-exit", odd >> 1),
                _ => "unexpected".to_string(),
            };
            Some(format!("QEMU exited with status {status}, not {EXIT_ALL_PASSED} or {EXIT_SOME_FAILED} ({hint})"))
        }
        End::Signalled => Some("QEMU was killed by a signal".to_string()),
        End::TimedOut(limit) => Some(format!("timed out after {} s", limit.as_secs())),
        End::StoppedAfterFatal => Some("stopped after a fatal line".to_string()),
    }
}

/// Why a bench run failed, if it did.
pub fn bench_failure(end: &End, serial: &Serial) -> Option<String> {
    run_failure(end, serial).or_else(|| serial.benches.is_empty().then(|| "no `bench:` lines".to_string()))
}

/// Counts from `cargo test`'s output.
#[derive(Debug, Default, PartialEq)]
pub struct CargoTest {
    pub passed: usize,
    pub failed: usize,
    /// Names from `test <name> ... FAILED` lines.
    pub failing: Vec<String>,
    /// How many `test result:` lines there were (one per test binary).
    pub results: usize,
}

/// Sums the `test result: ... N passed; M failed; ...` lines of `cargo test`.
pub fn cargo_test(stdout: &str) -> CargoTest {
    let mut counts = CargoTest::default();
    for line in stdout.lines() {
        if let Some(result) = line.trim().strip_prefix("test result: ") {
            counts.results += 1;
            for part in result.split(';') {
                let words: Vec<&str> = part.split_whitespace().collect();
                if let [.., count, what] = words[..] {
                    let count = count.parse().unwrap_or(0);
                    match what {
                        "passed" => counts.passed += count,
                        "failed" => counts.failed += count,
                        _ => {}
                    }
                }
            }
        } else if let Some(name) = line.strip_prefix("test ").and_then(|rest| rest.strip_suffix(" ... FAILED")) {
            counts.failing.push(name.to_string());
        }
    }
    counts
}

impl CargoTest {
    /// The results as a group; `success` is cargo's exit status.
    pub fn into_group(self, name: &str, success: bool) -> Group {
        let mut group = Group::new(name);
        group.passed = self.passed;
        for test in &self.failing {
            group.record(format!("{name}: {test}"), Err("failed".to_string()));
        }
        for _ in self.failing.len()..self.failed {
            group.record(format!("{name}: (unnamed test)"), Err("failed".to_string()));
        }
        if !success && group.failures.is_empty() {
            let reason = if self.results == 0 { "did not run (build error?)" } else { "exited with an error" };
            group.record(format!("{name}: cargo test"), Err(reason.to_string()));
        }
        group
    }
}

/// A failed test and why.
#[derive(Debug, PartialEq)]
pub struct Failure {
    pub test: String,
    pub reason: String,
}

/// The results of one step: host tests, or one scenario.
#[derive(Debug, PartialEq)]
pub struct Group {
    pub name: String,
    pub passed: usize,
    pub failures: Vec<Failure>,
}

impl Group {
    pub fn new(name: &str) -> Group {
        Group { name: name.to_string(), passed: 0, failures: Vec::new() }
    }

    /// A group of one test named like the group.
    pub fn single(name: &str, outcome: Outcome) -> Group {
        let mut group = Group::new(name);
        group.record(name.to_string(), outcome);
        group
    }

    pub fn record(&mut self, test: String, outcome: Outcome) {
        match outcome {
            Ok(()) => self.passed += 1,
            Err(reason) => self.failures.push(Failure { test, reason }),
        }
    }
}

/// All results of a `cargo tern test`.
#[derive(Default)]
pub struct Tally {
    groups: Vec<Group>,
}

impl Tally {
    pub fn push(&mut self, group: Group) {
        self.groups.push(group);
    }

    pub fn passed(&self) -> usize {
        self.groups.iter().map(|group| group.passed).sum()
    }

    pub fn failed(&self) -> usize {
        self.groups.iter().map(|group| group.failures.len()).sum()
    }

    /// Per-group counts, the failed tests, then the final `N passed, N failed` line.
    pub fn print_summary(&self) {
        println!("== summary");
        for group in &self.groups {
            println!("  {:<20} {}", group.name, counts_line(group.passed, group.failures.len()));
        }
        let failures: Vec<&Failure> = self.groups.iter().flat_map(|group| &group.failures).collect();
        if !failures.is_empty() {
            println!("failed:");
            for failure in failures {
                let reason = failure.reason.lines().next().unwrap_or_default();
                println!("  {}: {reason}", failure.test);
            }
        }
        println!("{}", counts_line(self.passed(), self.failed()));
    }
}

fn counts_line(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed")
}

/// Prints the last lines of a run's log.
pub fn print_tail(log: &Path) -> Result<()> {
    let text = fs::read_to_string(log).with_context(|| format!("reading {}", log.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(TAIL_LINES)..];
    println!("---- last {} lines of {} ----", tail.len(), log.display());
    for line in tail {
        println!("{line}");
    }
    println!("----");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn parses_test_lines() {
        assert_eq!(
            test_line("test: frame_alloc ... ok"),
            Some(TestLine { name: "frame_alloc".into(), outcome: Ok(()) })
        );
        assert_eq!(
            test_line("[kernel] test: ipc round trip ... FAILED expected 3, got 4"),
            Some(TestLine { name: "ipc round trip".into(), outcome: Err("expected 3, got 4".into()) })
        );
        assert_eq!(test_line("test: x ... FAILED"), Some(TestLine { name: "x".into(), outcome: Err("FAILED".into()) }));
        assert_eq!(test_line("test: a ... b ... ok").unwrap().name, "a ... b");
        assert_eq!(test_line("test: slow ... "), None);
        assert_eq!(test_line("test: slow ... running"), None);
        assert_eq!(test_line("latest: x ... ok"), None);
        assert_eq!(test_line("tests: done"), None);
        assert_eq!(test_line("test:  ... ok"), None);
    }

    #[test]
    fn parses_bench_lines() {
        assert_eq!(
            bench_line("bench: ipc_round_trip 1234 cycles"),
            Some(Bench { name: "ipc_round_trip".into(), value: "1234".into(), unit: "cycles".into() })
        );
        let bench = bench_line("[ktest] bench: getpid 812.5 ns/op").unwrap();
        assert_eq!(bench.to_string(), "getpid 812.5 ns/op");
        assert_eq!(bench_line("bench: x fast ns"), None);
        assert_eq!(bench_line("bench: x 3"), None);
        assert_eq!(bench_line("workbench: x 3 ns"), None);
    }

    #[test]
    fn scans_serial_output() {
        let serial = scan(&lines(
            "SeaBIOS\n\
             test: a ... ok\n\
             test: b ... FAILED boom\n\
             bench: x 1 ns\n\
             tests: done\n",
        ));
        assert_eq!(serial.tests.len(), 2);
        assert!(serial.done);
        assert_eq!(serial.fatal, None);
        assert_eq!(serial.benches.len(), 1);

        let serial = scan(&lines("ok\nkernel PANIC at mm.rs:3: oops\nkernel fault: #PF\n"));
        assert!(!serial.done);
        assert_eq!(serial.fatal.as_deref(), Some("kernel PANIC at mm.rs:3: oops"));
    }

    #[test]
    fn judges_how_a_run_ended() {
        let clean = Serial::default();
        assert_eq!(run_failure(&End::Exited(33), &clean), None);
        assert_eq!(run_failure(&End::Exited(35), &clean), None);
        assert!(run_failure(&End::Exited(0), &clean).unwrap().contains("status 0"));
        assert_eq!(
            run_failure(&End::TimedOut(Duration::from_secs(60)), &clean).as_deref(),
            Some("timed out after 60 s")
        );
        let died = scan(&lines("PANIC: x"));
        assert_eq!(run_failure(&End::Exited(33), &died).as_deref(), Some("kernel died: PANIC: x"));
        assert_eq!(bench_failure(&End::Exited(33), &clean).as_deref(), Some("no `bench:` lines"));
        assert_eq!(bench_failure(&End::Exited(33), &scan(&lines("bench: a 1 ns"))), None);
    }

    const CARGO_OK: &str = "\
running 3 tests
test a ... ok
test b ... ok
test c ... ok

test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";

    const CARGO_FAILED: &str = "\
running 2 tests
test plan::tests::x ... ok
test report::tests::y ... FAILED

failures:

---- report::tests::y stdout ----
assertion failed

failures:
    report::tests::y

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
";

    #[test]
    fn counts_cargo_test_results() {
        let ok = cargo_test(CARGO_OK);
        assert_eq!(ok, CargoTest { passed: 3, failed: 0, failing: vec![], results: 2 });
        let group = ok.into_group("host tests", true);
        assert_eq!((group.passed, group.failures.len()), (3, 0));

        let failed = cargo_test(CARGO_FAILED);
        assert_eq!(failed, CargoTest { passed: 1, failed: 1, failing: vec!["report::tests::y".into()], results: 1 });
        let group = failed.into_group("host tests", false);
        assert_eq!(group.passed, 1);
        assert_eq!(group.failures, [Failure { test: "host tests: report::tests::y".into(), reason: "failed".into() }]);
    }

    #[test]
    fn a_cargo_test_that_did_not_run_is_one_failure() {
        let group = cargo_test("").into_group("host tests", false);
        assert_eq!(group.passed, 0);
        assert_eq!(group.failures[0].reason, "did not run (build error?)");
    }

    #[test]
    fn tallies_groups() {
        let mut tally = Tally::default();
        let mut direct = Group::new("direct");
        direct.record("direct: a".into(), Ok(()));
        direct.record("direct: b".into(), Err("boom".into()));
        tally.push(direct);
        tally.push(Group::single("build", Ok(())));
        assert_eq!((tally.passed(), tally.failed()), (2, 1));
        assert_eq!(counts_line(tally.passed(), tally.failed()), "2 passed, 1 failed");
    }
}
