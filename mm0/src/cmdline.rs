//! Reading command lines: the kernel's (`mode=...`, `log=...`) and each module's
//! (`<path> <kind> [args...]`).

use alloc::vec::Vec;

/// What the system is booted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Keep running.
    Run,
    /// Exit QEMU with the tests' verdict when every task has ended.
    Test,
    /// Exit QEMU when every task (the benchmarks) has ended.
    Bench,
}

impl Mode {
    /// The `mode=` word of the kernel command line (`run` when absent or
    /// unknown).
    pub fn from_cmdline(cmdline: &str) -> Mode {
        let mut mode = Mode::Run;
        for word in cmdline.split_whitespace() {
            match word {
                "mode=test" => mode = Mode::Test,
                "mode=bench" => mode = Mode::Bench,
                "mode=run" => mode = Mode::Run,
                _ => {}
            }
        }
        mode
    }
}

/// Whether informational lines are wanted: not when the kernel command
/// line asks for `log=warn` or `log=error`.
pub fn verbose(cmdline: &str) -> bool {
    !cmdline.split_whitespace().any(|w| w == "log=warn" || w == "log=error")
}

/// How a boot module is to be treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    /// A no_std Tern task (libtern).
    Native,
    /// A static Linux program, run under libposix.
    Posix,
    /// A file for the tasks (libposix's image, kernel symbols): not run.
    Data,
}

/// A module command line, split.
#[derive(Debug, PartialEq, Eq)]
pub struct ModuleLine<'a> {
    /// `None` when the kind word is missing or unknown.
    pub kind: Option<ModuleKind>,
    pub args: Vec<&'a str>,
}

impl<'a> ModuleLine<'a> {
    pub fn parse(cmdline: &'a str) -> ModuleLine<'a> {
        let mut words = cmdline.split_whitespace();
        words.next();
        let kind = match words.next() {
            Some("native") => Some(ModuleKind::Native),
            Some("posix") => Some(ModuleKind::Posix),
            Some("data") => Some(ModuleKind::Data),
            _ => None,
        };
        ModuleLine { kind, args: words.collect() }
    }

    /// The exit status the test run expects: `expect=N` among the args, else
    /// `default`.
    pub fn expected_status(&self, default: Option<i64>) -> Option<i64> {
        self.args.iter().find_map(|a| a.strip_prefix("expect=")?.parse().ok()).or(default)
    }

    /// Whether the program is init (`role=init` among the args): the
    /// process orphans go to.
    pub fn is_init(&self) -> bool {
        self.args.contains(&"role=init")
    }

    /// The arguments meant for the program (without mm0's `expect=` and
    /// `role=` words).
    pub fn program_args(&self) -> Vec<&'a str> {
        self.args.iter().copied().filter(|a| !a.starts_with("expect=") && !a.starts_with("role=")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(Mode::from_cmdline("log=info mode=test"), Mode::Test);
        assert_eq!(Mode::from_cmdline("mode=bench log=warn"), Mode::Bench);
        assert_eq!(Mode::from_cmdline("log=info"), Mode::Run);
        assert_eq!(Mode::from_cmdline("mode=whatever"), Mode::Run);
        assert_eq!(Mode::from_cmdline("xmode=test"), Mode::Run);
    }

    #[test]
    fn log_levels() {
        assert!(verbose("log=info mode=test"));
        assert!(verbose(""));
        assert!(!verbose("log=warn mode=bench"));
        assert!(!verbose("mode=run log=error"));
    }

    #[test]
    fn module_lines() {
        let l = ModuleLine::parse("build/mods/ktest native bench  fast");
        assert_eq!(l.kind, Some(ModuleKind::Native));
        assert_eq!(l.args, ["bench", "fast"]);
        assert_eq!(ModuleLine::parse("libposix data").kind, Some(ModuleKind::Data));
        assert_eq!(ModuleLine::parse("hello posix").kind, Some(ModuleKind::Posix));
        assert_eq!(ModuleLine::parse("hello").kind, None);
        assert_eq!(ModuleLine::parse("hello elf").kind, None);
        assert!(ModuleLine::parse("").args.is_empty());
    }

    #[test]
    fn expected_status() {
        let l = ModuleLine::parse("false posix expect=1 -v");
        assert_eq!(l.expected_status(None), Some(1));
        assert_eq!(l.program_args(), ["-v"]);
        assert_eq!(ModuleLine::parse("t native").expected_status(Some(0)), Some(0));
        assert_eq!(ModuleLine::parse("t posix expect=x").expected_status(None), None);
    }

    #[test]
    fn the_init_role() {
        let l = ModuleLine::parse("orphans posix expect=0 role=init -q");
        assert!(l.is_init());
        assert_eq!(l.program_args(), ["-q"]);
        assert!(!ModuleLine::parse("orphans posix init").is_init());
    }
}
