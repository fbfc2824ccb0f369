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

/// `cargo tern run` and `cargo tern image`: the distro. The root is the
/// FAT partition of the IDE disk; `boot` executes /sbin/init from it as
/// pid 1, and init starts the shell on the console.
const RUN_CMDLINE: &str = "log=warn mode=run root=ide:2";
const RUN_TASKS: &[&str] = &["ide native", "boot posix role=init"];
/// `cargo tern run --ramdisk`: the same with the root on the ramdisk (a
/// boot module), no disk, nothing kept after the run.
const RUN_RAMDISK_CMDLINE: &str = "log=warn mode=run root=ramdisk:2";
const RUN_RAMDISK_TASKS: &[&str] = &["ramdisk data", "boot posix role=init"];

/// `cargo tern bench`.
const BENCH_CMDLINE: &str = "log=warn mode=bench";
/// The same with `/` the FAT root partition of the IDE disk, or of the
/// ramdisk (the boot module `ramdisk`).
const BENCH_CMDLINE_FAT_IDE: &str = "log=warn mode=bench root=ide:2";
const BENCH_CMDLINE_FAT_RAMDISK: &str = "log=warn mode=bench root=ramdisk:2";

/// Each bench plan boots on its own, so that benchmarks never share the
/// machine: the kernel's (native tasks), the POSIX ones, the IDE driver's,
/// then files on a FAT root on the IDE disk and on the ramdisk.
const BENCH_PLANS: &[BenchPlan] = &[
    BenchPlan { cmdline: BENCH_CMDLINE, tasks: &["ktest native bench"], disk: BenchDisk::None },
    BenchPlan { cmdline: BENCH_CMDLINE, tasks: &["posix_bench posix expect=0"], disk: BenchDisk::None },
    BenchPlan { cmdline: BENCH_CMDLINE, tasks: &["ide native", "ktest native disk bench"], disk: BenchDisk::BlockTest },
    BenchPlan {
        cmdline: BENCH_CMDLINE_FAT_IDE,
        tasks: &["ide native", "fat posix expect=0 bench ide"],
        disk: BenchDisk::FreshRoot,
    },
    BenchPlan {
        cmdline: BENCH_CMDLINE_FAT_RAMDISK,
        tasks: &["ramdisk data", "fat posix expect=0 bench ramdisk"],
        disk: BenchDisk::None,
    },
];

/// One boot of `cargo tern bench`: its kernel command line, the modules
/// after the base modules, and the disk on the IDE channel.
struct BenchPlan {
    cmdline: &'static str,
    tasks: &'static [&'static str],
    disk: BenchDisk,
}

/// The disk a bench boot has on the primary IDE channel, made fresh
/// before the boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchDisk {
    None,
    /// The block driver's test disk ([`crate::disk`]).
    BlockTest,
    /// A root disk ([`crate::root_disk`]) of the default size.
    FreshRoot,
}

/// A bench plan ready to boot: the plan and its disk.
#[derive(Debug)]
pub struct Bench {
    pub plan: Plan,
    pub disk: BenchDisk,
}

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

pub fn run_ramdisk() -> Result<Plan> {
    Plan::new(RUN_RAMDISK_CMDLINE, RUN_RAMDISK_TASKS)
}

/// `cargo tern run --exec`: the distro with init in batch mode, running
/// `script` (on the root disk).
pub fn batch(script: &str) -> Result<Plan> {
    let boot = format!("boot posix role=init exec={script}");
    Plan::new(RUN_CMDLINE, &[RUN_TASKS[0], &boot])
}

pub fn benches() -> Result<Vec<Bench>> {
    BENCH_PLANS
        .iter()
        .map(|bench| Ok(Bench { plan: Plan::new(bench.cmdline, bench.tasks)?, disk: bench.disk }))
        .collect()
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
        assert_eq!(names, ["mm0", "libposix", "kernel.sym", "fs0", "ide", "boot"]);
        assert_eq!(plan.modules[5].kind, Kind::Posix);
        assert_eq!(plan.modules[5].args, ["role=init"]);
        assert_eq!(plan.cmdline, "log=warn mode=run root=ide:2");
        let ramdisk = run_ramdisk().unwrap();
        assert_eq!(ramdisk.modules[4].string_with("ramdisk"), "ramdisk data");
        assert_eq!(ramdisk.cmdline, "log=warn mode=run root=ramdisk:2");

        let benches = benches().unwrap();
        let tasks: Vec<Vec<String>> = benches
            .iter()
            .map(|bench| bench.plan.modules[BASE_MODULES.len()..].iter().map(|m| m.string_with(&m.name)).collect())
            .collect();
        assert_eq!(
            tasks,
            [
                vec!["ktest native bench"],
                vec!["posix_bench posix expect=0"],
                vec!["ide native", "ktest native disk bench"],
                vec!["ide native", "fat posix expect=0 bench ide"],
                vec!["ramdisk data", "fat posix expect=0 bench ramdisk"],
            ]
        );
        let disks: Vec<BenchDisk> = benches.iter().map(|bench| bench.disk).collect();
        assert_eq!(
            disks,
            [BenchDisk::None, BenchDisk::None, BenchDisk::BlockTest, BenchDisk::FreshRoot, BenchDisk::None]
        );
        assert!(benches.iter().all(|bench| bench.plan.cmdline.starts_with("log=warn mode=bench")));
        assert!(benches.iter().all(|bench| {
            bench.plan.modules.iter().zip(BASE_MODULES).all(|(m, base)| m.string_with(&m.name) == *base)
        }));
    }

    /// The FAT bench plans boot with `/` on the disk they time: the IDE
    /// disk's root partition with the driver and a fresh root disk, or
    /// the ramdisk's with its module and no disk.
    #[test]
    fn fat_bench_plans_name_their_root() {
        let benches = benches().unwrap();
        let fat: Vec<&Bench> =
            benches.iter().filter(|bench| bench.plan.modules.iter().any(|m| m.name == "fat")).collect();
        assert_eq!(fat.len(), 2);
        for bench in fat {
            let fat = bench.plan.modules.iter().find(|m| m.name == "fat").unwrap();
            let args: Vec<&str> = fat.args.iter().map(String::as_str).collect();
            let ["expect=0", "bench", disk] = args[..] else { panic!("fat args {args:?}") };
            assert_eq!(bench.plan.cmdline, format!("log=warn mode=bench root={disk}:2"));
            let has = |name: &str| bench.plan.modules.iter().any(|m| m.name == name);
            match disk {
                "ide" => assert!(has("ide") && bench.disk == BenchDisk::FreshRoot),
                "ramdisk" => assert!(has("ramdisk") && !has("ide") && bench.disk == BenchDisk::None),
                other => panic!("fat bench on `{other}`"),
            }
        }
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
