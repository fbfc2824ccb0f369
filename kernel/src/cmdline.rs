//! The kernel command line: `log=<level>`, `selftest=all|fault|<name>,<name>...`,
//! `mode=<run|test|bench>`.
//! Words the kernel does not know are left for the root server, which gets
//! the whole line.

use crate::console::Level;

pub struct CommandLine<'a> {
    pub log: Level,
    /// Which self-tests to run: `all`, or a comma-separated list of names.
    pub selftest: Option<&'a str>,
    /// Fault in the kernel on purpose after the self-tests, to show the
    /// crash report (registers and a symbolized backtrace).
    pub deliberate_fault: bool,
    /// Exit QEMU (isa-debug-exit) on a kernel failure instead of halting.
    pub exit_on_failure: bool,
}

impl<'a> CommandLine<'a> {
    pub fn parse(line: &'a str) -> CommandLine<'a> {
        let mut c = CommandLine { log: Level::Info, selftest: None, deliberate_fault: false, exit_on_failure: false };
        for word in line.split_whitespace() {
            match word.split_once('=') {
                Some(("log", v)) => c.log = Level::parse(v).unwrap_or(c.log),
                Some(("selftest", "fault")) => c.deliberate_fault = true,
                Some(("selftest", names)) => c.selftest = Some(names),
                Some(("mode", v)) => c.exit_on_failure = v == "test" || v == "bench",
                _ => {}
            }
        }
        c
    }
}
