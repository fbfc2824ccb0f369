//! Boot plans: what to boot, independent of how. A plan is the kernel
//! command line plus the ordered list of boot modules.
//!
//! A module is `<name> <kind> [args...]`. The kernel names each module after
//! the basename of the first word of its module string, and treats it by
//! kind: `native` is a no_std Tern task, `posix` a static Linux ELF run under
//! libposix, `data` a file handed to the tasks (libposix's image, the kernel
//! symbols). Every plan starts with the same base modules, mm0 (the root
//! server) first.

use anyhow::{Result, bail};

/// Modules every plan starts with, in boot order.
const BASE_MODULES: &[&str] = &["mm0 native", "libposix data", "kernel.sym data", "fs0 native"];

/// `cargo tern run` and `cargo tern image`: an interactive system.
const RUN_CMDLINE: &str = "log=info mode=run";
const RUN_TASKS: &[&str] = &["hello posix"];

/// `cargo tern bench`.
const BENCH_CMDLINE: &str = "log=warn mode=bench";
/// Each bench plan boots on its own, so that benchmarks never share the
/// machine: the kernel's (native tasks), then the POSIX ones.
const BENCH_PLANS: &[&[&str]] =
    &[&["ktest native bench"], &["posix_bench posix expect=0"], &["ide native", "ktest native disk bench"]];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Native,
    Posix,
    Data,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Native => "native",
            Kind::Posix => "posix",
            Kind::Data => "data",
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Module {
    pub name: String,
    pub kind: Kind,
    pub args: Vec<String>,
}

impl Module {
    /// Parses `<name> <kind> [args...]`.
    pub fn parse(text: &str) -> Result<Module> {
        let mut words = text.split_whitespace();
        let (Some(name), Some(kind)) = (words.next(), words.next()) else {
            bail!("module `{text}` is not `<name> <kind> [args...]`");
        };
        let kind = match kind {
            "native" => Kind::Native,
            "posix" => Kind::Posix,
            "data" => Kind::Data,
            other => bail!("module `{text}`: kind `{other}` is not native, posix or data"),
        };
        if name.contains('/') {
            bail!("module `{text}`: a name is a file name, without `/`");
        }
        Ok(Module { name: name.to_string(), kind, args: words.map(String::from).collect() })
    }

    /// The module string with `first` in place of the name:
    /// `<first> <kind> [args...]`.
    pub fn string_with(&self, first: &str) -> String {
        let mut words = vec![first, self.kind.as_str()];
        words.extend(self.args.iter().map(String::as_str));
        words.join(" ")
    }
}

#[derive(Debug)]
pub struct Plan {
    pub cmdline: String,
    pub modules: Vec<Module>,
}

impl Plan {
    /// The base modules followed by `tasks`, booted with `cmdline`.
    /// The kernel keeps at most `abi::boot::MAX_MODULES` modules with
    /// command lines of `abi::boot::MODULE_CMDLINE` bytes: a plan that does
    /// not fit is refused here rather than cut short in the guest.
    pub fn new(cmdline: &str, tasks: &[&str]) -> Result<Plan> {
        let modules: Vec<Module> =
            BASE_MODULES.iter().chain(tasks).map(|text| Module::parse(text)).collect::<Result<_>>()?;
        if modules.len() > abi::boot::MAX_MODULES {
            bail!("{} modules in one boot; the kernel takes at most {}", modules.len(), abi::boot::MAX_MODULES);
        }
        // Both boots hand the kernel `<name> <kind> [args...]`.
        for module in &modules {
            let line = module.string_with(&module.name);
            if line.len() > abi::boot::MODULE_CMDLINE {
                bail!("module line `{line}` is longer than {} bytes", abi::boot::MODULE_CMDLINE);
            }
        }
        Ok(Plan { cmdline: cmdline.to_string(), modules })
    }

    /// Appends words to the kernel command line.
    pub fn add_cmdline(&mut self, words: &str) {
        let mut all: Vec<&str> = self.cmdline.split_whitespace().collect();
        all.extend(words.split_whitespace());
        self.cmdline = all.join(" ");
    }
}

pub fn run() -> Result<Plan> {
    Plan::new(RUN_CMDLINE, RUN_TASKS)
}

pub fn benches() -> Result<Vec<Plan>> {
    BENCH_PLANS.iter().map(|tasks| Plan::new(BENCH_CMDLINE, tasks)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_modules() {
        let module = Module::parse("ktest native bench  fast").unwrap();
        assert_eq!(module.name, "ktest");
        assert_eq!(module.kind, Kind::Native);
        assert_eq!(module.args, ["bench", "fast"]);
        assert_eq!(module.string_with("/b/mods/ktest"), "/b/mods/ktest native bench fast");
        assert!(Module::parse("hello").is_err());
        assert!(Module::parse("hello elf").is_err());
        assert!(Module::parse("a/hello posix").is_err());
    }

    #[test]
    fn plans_start_with_the_base_modules() {
        let plan = run().unwrap();
        let names: Vec<&str> = plan.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["mm0", "libposix", "kernel.sym", "fs0", "hello"]);
        assert_eq!(plan.modules[4].kind, Kind::Posix);
        assert_eq!(plan.cmdline, "log=info mode=run");

        let benches = benches().unwrap();
        assert_eq!(benches[0].modules.last().unwrap().string_with("ktest"), "ktest native bench");
        assert_eq!(benches[1].modules.last().unwrap().string_with("b"), "b posix expect=0");
        assert!(benches.iter().all(|plan| plan.cmdline == "log=warn mode=bench"));
    }

    #[test]
    fn plans_the_kernel_cannot_take_are_refused() {
        let many: Vec<&str> = (0..abi::boot::MAX_MODULES).map(|_| "hello posix").collect();
        assert!(Plan::new("", &many).is_err());
        let long = format!("hello posix {}", "x".repeat(abi::boot::MODULE_CMDLINE));
        assert!(Plan::new("", &[long.as_str()]).is_err());
        assert!(Plan::new("", &["hello posix a b"]).is_ok());
    }

    #[test]
    fn adds_cmdline_words() {
        let mut plan = Plan::new("log=info", &[]).unwrap();
        plan.add_cmdline("  log=debug   x=1 ");
        plan.add_cmdline("");
        assert_eq!(plan.cmdline, "log=info log=debug x=1");
    }
}
