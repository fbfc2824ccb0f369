//! System-test scenarios: a test plan booted one way in QEMU, and the
//! judging of its serial output.
//!
//! Each scenario yields these tests, each named `<scenario>: ...`:
//! - `boot`: passes if the guest ended on its own — `tests: done` printed,
//!   QEMU exited with 33 or 35 through isa-debug-exit, no panic, no timeout.
//! - one per `test: <name> ... ok|FAILED` line of the guest.
//! - `expect '<text>'` for each text the scenario expects in the output.
//! - `expect once '<text>'` for each text that must be in exactly one line
//!   of the output (a message that must not repeat).
//! - `screen shows '<text>'` for each text that must be in a line of the
//!   VGA text screen, read when the scenario says (see [`Screen`]).
//! - the harness's own check of the disk after the boot, if the scenario
//!   has one (see [`Disk`]).
//!
//! Scenarios run in the order of [`SCENARIOS`]; one may boot the disk an
//! earlier one left behind ([`Disk::RootLeftBy`]). To add a scenario, add
//! an entry to [`SCENARIOS`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::artifacts::Artifacts;
use crate::boot::{self, Boot};
use crate::disk;
use crate::paths::Paths;
use crate::plan::Plan;
use crate::qemu::{Accel, Capture, Console, End, Input, Machine, Script, Typed};
use crate::report::{self, EXIT_SOME_FAILED, Group, Outcome};
use crate::root_disk;

pub struct Scenario {
    pub name: &'static str,
    pub boot: Boot,
    pub cmdline: &'static str,
    /// Modules after the base modules (see [`crate::plan`]).
    pub tasks: &'static [&'static str],
    /// Texts that must appear in the serial output (within one line).
    pub expect: &'static [&'static str],
    /// Texts that must appear in exactly one line of the serial output.
    pub expect_once: &'static [&'static str],
    pub timeout: Duration,
    /// How the guest must end for the `boot` test to pass.
    pub ending: Ending,
    /// Keys typed at the serial console or the PS/2 keyboard, each batch
    /// once a line holding its text appears (a program saying it is ready
    /// to read).
    pub typed: &'static [Typed],
    /// The disk on the primary IDE channel, if any.
    pub disk: Disk,
    /// What the VGA text screen must show, if the scenario looks at it.
    pub screen: Option<Screen>,
}

/// A look at the guest's VGA text screen: read once a serial line holding
/// `after` appears (before keys that line starts are typed; the guest must
/// be waiting then, since QEMU ends with it), and each of `shows` must be
/// in one of its lines.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    pub after: &'static str,
    pub shows: &'static [&'static str],
}

/// Which disk a scenario boots with, and what the harness checks on it
/// after the boot. A scenario's disk file is [`Paths::test_disk`] of its
/// [`tag`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Disk {
    None,
    /// A fresh test disk for the block driver (`block_proto::test_disk`);
    /// afterwards, whether it holds what the guest wrote.
    BlockTest,
    /// A fresh root disk ([`root_disk`]); afterwards, `fsck.fat -n` on its
    /// root partition.
    FreshRoot,
    /// The root disk the scenario of this name (an earlier one) left
    /// behind, booted again as it is; afterwards, `fsck.fat -n` on its
    /// root partition.
    RootLeftBy(&'static str),
}

/// One of the harness's checks of a scenario's disk after the boot: its
/// test name and outcome.
type DiskCheck = (&'static str, Outcome);

/// How a scenario's guest is meant to end.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ending {
    /// `tests: done`, then isa-debug-exit with the verdict.
    TestsDone,
    /// A kernel fault on purpose: the crash report, then isa-debug-exit
    /// with the kernel-failure value.
    KernelFailure,
}

const TEST_CMDLINE: &str = "log=info selftest=all mode=test";
/// The same without the kernel self-tests (run by the other scenarios).
const TEST_CMDLINE_QUIET: &str = "log=info mode=test";
/// `posix_basics` checks the basic POSIX calls and exits with 0 when all
/// passed (`expect=0` makes mm0 fail the run otherwise, a crash included).
/// `mprotect` checks its calls the same way; run with an argument it makes
/// an access its protection forbids and must die of it (status 139).
/// The list is a macro so that the `fat` scenario runs the same tasks on
/// the FAT root.
macro_rules! test_tasks {
    () => {
        [
            "ktest native",
            "hello posix",
            "posix_basics posix expect=0",
            "mprotect posix expect=0",
            "mprotect posix expect=139 write-read-only",
            "mprotect posix expect=139 read-none",
            "fork posix expect=0",
            "time posix expect=0",
            "signals posix expect=0",
            "threads posix expect=0",
            "std_threads posix expect=0",
            "shm posix expect=0",
            "shm posix expect=0 reader",
            "shm posix expect=0 writer",
            "exec posix expect=0",
            "memory posix expect=0",
            "files posix expect=0",
            "std_process posix expect=0",
            "std_fs posix expect=0",
            "orphans posix expect=0 role=init",
            "paths posix expect=0",
            "proc posix expect=0 an-argument",
        ]
    };
}
const TEST_TASKS: &[&str] = &test_tasks!();
/// `fork_stress` counts free memory and processes, so it runs alone.
const FORK_STRESS_TASKS: &[&str] = &["fork_stress posix expect=0"];
const HELLO_EXPECT: &[&str] = &["hello from musl", "hello exited with status 3"];
/// posix_basics makes an unimplemented call twice; libposix logs it once.
const POSIX_BASICS_EXPECT_ONCE: &[&str] = &["libposix: posix_basics: unimplemented system call acct (163)"];
const TIMEOUT: Duration = Duration::from_secs(60);
/// What the kernel prints when it faults: the report, the faulting function
/// named from `kernel.sym`, and its callers.
const KERNEL_FAULT_EXPECT: &[&str] = &[
    "kernel fault: vector 14",
    "cr2 0xffffff0000000000",
    "backtrace:",
    "selftest::deliberate_fault",
    "tern_kernel::kmain",
];
/// `console` reads lines typed at the console: the harness types them
/// when it says it is ready (see `userland/c/console.c`).
const CONSOLE_TASKS: &[&str] = &["console posix expect=0"];
/// `console`'s three stages, their keys typed at `to`.
const fn console_typed(to: Input) -> [Typed; 3] {
    [
        Typed { after: "console: ready", to, keys: b"first line\nsecond\neditzz\x7f\x7fed\rjunk\x15kept\n\x04" },
        Typed { after: "console: raw", to, keys: b"xy" },
        Typed { after: "console: interrupt me", to, keys: b"\x03" },
    ]
}
const CONSOLE_TYPED: &[Typed] = &console_typed(Input::Serial);
/// The echo of what was typed.
const CONSOLE_EXPECT: &[&str] = &["first line", "kept"];
/// The same typed at the PS/2 keyboard: fs0 echoes it on the serial line
/// and on the screen.
const KEYBOARD_TYPED: &[Typed] = &console_typed(Input::Keyboard);
/// The screen while `console` waits in raw mode for its first byte: the
/// echo of the lines typed, with the erased characters gone, and what the
/// program printed.
const KEYBOARD_SCREEN: Screen = Screen {
    after: "console: raw",
    shows: &["first line", "edited", "kept", "test: console/kill_erases_the_line ... ok", "console: raw"],
};
/// The IDE driver and ktest's checks of it, on the test disk, by PIO (the
/// FAT scenarios use DMA).
const DISK_TASKS: &[&str] = &["ide native pio", "ktest native disk"];
/// fs0 mounts partition 2 of the IDE disk as `/`.
const FAT_ROOT_CMDLINE: &str = "log=info mode=test root=ide:2";
/// The whole test suite with the FAT root, then `fat write`, which checks
/// the FAT root and leaves files for the next boot; `fat check` finds them
/// there and removes them.
const FAT_TASKS: &[&str] = &{
    const SUITE: [&str; test_tasks!().len()] = test_tasks!();
    let mut tasks = [""; SUITE.len() + 2];
    tasks[0] = "ide native";
    let mut i = 0;
    while i < SUITE.len() {
        tasks[i + 1] = SUITE[i];
        i += 1;
    }
    tasks[SUITE.len() + 1] = "fat posix expect=0 write";
    tasks
};
const FAT_REBOOT_TASKS: &[&str] = &["ide native", "fat posix expect=0 check"];
/// The distro as a person meets it: init (pid 1, from /sbin/init on the
/// disk) shows /etc/motd and starts the login shell on the console, which
/// reads /etc/profile, and the harness types commands at it, each batch
/// once the previous one's output appeared (markers the shell computes,
/// so that the echo of the typed line cannot match), then `poweroff`.
/// Between them: a background job and `wait`; Ctrl-C (0x03) ending a loop
/// of builtins (the shell itself is in the foreground) and one of
/// programs, with the same shell (`$$`) still there; Ctrl-Z (0x1a)
/// stopping a job, `jobs`, `fg` and `bg` going on with it; a background
/// job reading the terminal stopped by SIGTTIN; `#!` scripts
/// with arguments written with printf (on the tmpfs) and a here-document
/// (on FAT).
const SHELL_TASKS: &[&str] = &["ide native", "boot posix role=init"];
const SHELL_TYPED: &[Typed] = &[
    Typed { to: Input::Serial, after: "/ # ", keys: b"echo first-$((6 * 7)); ls /bin | wc -l\n" },
    Typed {
        to: Input::Serial,
        after: "first-42",
        keys: b"for i in 1 2 3; do echo item-$i; done; if [ -d /proc ]; then echo proc-$((5 + 1)); fi\n",
    },
    Typed {
        to: Input::Serial,
        after: "proc-6",
        keys: b"echo saved > /tmp/f; cat /tmp/f; nosuchcommand; echo status-$?\n",
    },
    Typed {
        to: Input::Serial,
        after: "status-127",
        keys: b"echo \"path-$PATH home-$HOME\"; sleep 1 & jobs; wait; echo waited-$?; (sleep 1; exit 3) & wait $!; echo bg-status-$?\n",
    },
    Typed { to: Input::Serial, after: "bg-status-3", keys: b"p=$$; echo spin-$((2 + 2)); while true; do :; done\n" },
    Typed { to: Input::Serial, after: "spin-4", keys: b"\x03" },
    Typed {
        to: Input::Serial,
        after: "/ # ",
        keys: b"echo int-$?; [ $p = $$ ] && echo same-shell-$((3 * 3)); echo nap-$((1 + 4)); while true; do sleep 1; done\n",
    },
    Typed { to: Input::Serial, after: "nap-5", keys: b"\x03" },
    Typed {
        to: Input::Serial,
        after: "/ # ",
        keys: b"echo int2-$?; sh -c 'echo stop-$((1 + 2)); sleep 3; echo resumed-$((5 + 5))'\n",
    },
    Typed { to: Input::Serial, after: "stop-3", keys: b"\x1a" },
    Typed { to: Input::Serial, after: "Stopped", keys: b"jobs; fg; echo fg-$((1 + 1))-$?\n" },
    Typed { to: Input::Serial, after: "fg-2-", keys: b"sh -c 'echo stop-$((2 + 4)); sleep 2; echo bg-done-$((7 * 3))'\n" },
    Typed { to: Input::Serial, after: "stop-6", keys: b"\x1a" },
    Typed { to: Input::Serial, after: "Stopped", keys: b"bg; wait; echo bg-wait-$((2 + 3))-$?\n" },
    Typed { to: Input::Serial, after: "bg-wait-5-", keys: b"cat & sleep 1; jobs; kill -9 %1; wait; echo ttin-$((4 * 4))\n" },
    Typed {
        to: Input::Serial,
        after: "ttin-16",
        keys: b"printf '#!/bin/sh\\necho \"count-$#\" \"all-$*\"\\n' > /tmp/s.sh; chmod +x /tmp/s.sh; /tmp/s.sh a b c; echo ran-$((8 + 1))\n",
    },
    Typed {
        to: Input::Serial,
        after: "ran-9",
        keys: b"cat > /s.sh <<'EOF'\n#!/bin/sh\necho \"here-$(($# * 10))-$2\"\nEOF\n/s.sh x y; rm /s.sh; echo ran-$((9 + 1))\n",
    },
    Typed { to: Input::Serial, after: "ran-10", keys: b"poweroff\n" },
];
const SHELL_EXPECT: &[&str] = &[
    "Welcome to Tern.",
    "first-42",
    "item-3",
    "proc-6",
    "saved",
    "sh: nosuchcommand: not found",
    "status-127",
    "path-/bin:/sbin:/opt/busybox/bin home-/",
    "[1]+  Running                 sleep 1 &",
    "waited-0",
    "bg-status-3",
    "int-130",
    "same-shell-9",
    "int2-130",
    "[1]+  Stopped                 sh -c 'echo stop-$((1 + 2)); sleep 3; echo resumed-$((5 + 5))'",
    "resumed-10",
    "fg-2-0",
    "bg-done-21",
    "bg-wait-5-0",
    "[1]+  Stopped (tty input)     cat",
    "count-3 all-a b c",
    "here-20-y",
    "mm0: powering off",
];

/// busybox at the console (the ports are on every root disk once built,
/// [`crate::ports`]; `cargo tern test` builds them first when it runs a
/// scenario whose name starts with `ports`): its shell interactively (a prompt of its own, a
/// pipeline, a loop), then `vi` in the terminal's raw mode: insert a line
/// once its status line shows, Esc, `:wq` once it says the text is
/// modified, and the file read back (upper-cased, so that the screen's
/// own drawing of the text cannot match).
const BUSYBOX_TYPED: &[Typed] = &[
    Typed { to: Input::Serial, after: "/ # ", keys: b"PS1='bb-$((6 * 7))> ' busybox sh\n" },
    Typed {
        to: Input::Serial,
        after: "bb-42> ",
        keys: b"echo one-$((3 * 4)); for i in a b; do echo it-$i; done | busybox tr a-z A-Z\n",
    },
    Typed { to: Input::Serial, after: "IT-B", keys: b"busybox vi /tmp/v.txt\n" },
    Typed { to: Input::Serial, after: "- /tmp/v.txt 1/1 100%", keys: b"ihello from vi\x1b" },
    Typed { to: Input::Serial, after: "[Modified]", keys: b":wq\r" },
    Typed { to: Input::Serial, after: "bb-42> ", keys: b"busybox tr a-z A-Z < /tmp/v.txt; echo vi-done-$((2 * 5))\n" },
    Typed { to: Input::Serial, after: "vi-done-10", keys: b"exit\n" },
    Typed { to: Input::Serial, after: "/ # ", keys: b"poweroff\n" },
];
const BUSYBOX_EXPECT: &[&str] = &["one-12", "IT-A", "IT-B", "HELLO FROM VI", "vi-done-10", "mm0: powering off"];

/// The same checks on the ramdisk (a boot module) as the root.
const FAT_RAMDISK_CMDLINE: &str = "log=info mode=test root=ramdisk:2";
const FAT_RAMDISK_TASKS: &[&str] = &["ramdisk data", "fat posix expect=0 write"];
/// The distro booted as `cargo tern run` boots it, from GRUB on the disk
/// (under SeaBIOS or OVMF) to the shell's prompt, where the harness types
/// one command (its marker computed, so the typed line's echo cannot
/// match) and `poweroff`.
const GRUB_DISK_TYPED: &[Typed] = &[
    Typed { to: Input::Serial, after: "/ # ", keys: b"echo booted-$((6 * 7)) from $(ls /bin | wc -l) programs\n" },
    Typed { to: Input::Serial, after: "booted-42", keys: b"poweroff\n" },
];
const GRUB_DISK_EXPECT: &[&str] = &["fs0: root is FAT on ide partition 2", "booted-42 from", "mm0: powering off"];

/// `fat write` moves a 64 MiB file each way through the IDE driver, which
/// polls at about 8 MiB/s under TCG, besides its other checks.
const FAT_TIMEOUT: Duration = Duration::from_secs(300);
/// UEFI firmware alone takes seconds under TCG.
const UEFI_TIMEOUT: Duration = Duration::from_secs(180);

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "direct",
        boot: Boot::Direct,
        cmdline: TEST_CMDLINE,
        tasks: TEST_TASKS,
        expect: HELLO_EXPECT,
        expect_once: POSIX_BASICS_EXPECT_ONCE,
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "iso-bios",
        boot: Boot::IsoBios,
        cmdline: TEST_CMDLINE,
        tasks: TEST_TASKS,
        expect: HELLO_EXPECT,
        expect_once: POSIX_BASICS_EXPECT_ONCE,
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "iso-uefi",
        boot: Boot::IsoUefi,
        cmdline: TEST_CMDLINE,
        tasks: TEST_TASKS,
        expect: HELLO_EXPECT,
        expect_once: POSIX_BASICS_EXPECT_ONCE,
        timeout: UEFI_TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "fork-stress",
        boot: Boot::Direct,
        cmdline: TEST_CMDLINE_QUIET,
        tasks: FORK_STRESS_TASKS,
        expect: &[],
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "console",
        boot: Boot::Direct,
        cmdline: TEST_CMDLINE_QUIET,
        tasks: CONSOLE_TASKS,
        expect: CONSOLE_EXPECT,
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: CONSOLE_TYPED,
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "keyboard",
        boot: Boot::Direct,
        cmdline: TEST_CMDLINE_QUIET,
        tasks: CONSOLE_TASKS,
        expect: CONSOLE_EXPECT,
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: KEYBOARD_TYPED,
        disk: Disk::None,
        screen: Some(KEYBOARD_SCREEN),
    },
    Scenario {
        name: "disk",
        boot: Boot::Direct,
        cmdline: TEST_CMDLINE_QUIET,
        tasks: DISK_TASKS,
        expect: &[],
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::BlockTest,
        screen: None,
    },
    Scenario {
        name: "fat",
        boot: Boot::Direct,
        cmdline: FAT_ROOT_CMDLINE,
        tasks: FAT_TASKS,
        expect: &[],
        expect_once: &[],
        timeout: FAT_TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::FreshRoot,
        screen: None,
    },
    Scenario {
        name: "fat-reboot",
        boot: Boot::Direct,
        cmdline: FAT_ROOT_CMDLINE,
        tasks: FAT_REBOOT_TASKS,
        expect: &[],
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::RootLeftBy("fat"),
        screen: None,
    },
    Scenario {
        name: "shell",
        boot: Boot::Direct,
        cmdline: FAT_ROOT_CMDLINE,
        tasks: SHELL_TASKS,
        expect: SHELL_EXPECT,
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: SHELL_TYPED,
        disk: Disk::FreshRoot,
        screen: None,
    },
    Scenario {
        name: "ports-busybox",
        boot: Boot::Direct,
        cmdline: FAT_ROOT_CMDLINE,
        tasks: SHELL_TASKS,
        expect: BUSYBOX_EXPECT,
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: BUSYBOX_TYPED,
        disk: Disk::FreshRoot,
        screen: None,
    },
    Scenario {
        name: "fat-ramdisk",
        boot: Boot::Direct,
        cmdline: FAT_RAMDISK_CMDLINE,
        tasks: FAT_RAMDISK_TASKS,
        expect: &["fs0: root is FAT on ramdisk partition 2"],
        expect_once: &[],
        timeout: FAT_TIMEOUT,
        ending: Ending::TestsDone,
        typed: &[],
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "kernel-fault",
        boot: Boot::Direct,
        cmdline: "log=info selftest=fault mode=test",
        tasks: &[],
        expect: KERNEL_FAULT_EXPECT,
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::KernelFailure,
        typed: &[],
        disk: Disk::None,
        screen: None,
    },
    Scenario {
        name: "grub-disk-bios",
        boot: Boot::DiskBios,
        cmdline: FAT_ROOT_CMDLINE,
        tasks: SHELL_TASKS,
        expect: GRUB_DISK_EXPECT,
        expect_once: &[],
        timeout: TIMEOUT,
        ending: Ending::TestsDone,
        typed: GRUB_DISK_TYPED,
        disk: Disk::FreshRoot,
        screen: None,
    },
    Scenario {
        name: "grub-disk-uefi",
        boot: Boot::DiskUefi,
        cmdline: FAT_ROOT_CMDLINE,
        tasks: SHELL_TASKS,
        expect: GRUB_DISK_EXPECT,
        expect_once: &[],
        timeout: UEFI_TIMEOUT,
        ending: Ending::TestsDone,
        typed: GRUB_DISK_TYPED,
        disk: Disk::FreshRoot,
        screen: None,
    },
];

/// The scenarios whose name contains `filter` (all without one).
pub fn select(filter: Option<&str>) -> Result<Vec<&'static Scenario>> {
    let selected: Vec<&Scenario> =
        SCENARIOS.iter().filter(|scenario| filter.is_none_or(|text| scenario.name.contains(text))).collect();
    if selected.is_empty() {
        let names: Vec<&str> = SCENARIOS.iter().map(|scenario| scenario.name).collect();
        bail!("no scenario name contains `{}` (scenarios: {})", filter.unwrap_or_default(), names.join(", "));
    }
    Ok(selected)
}

pub struct Options {
    pub accel: Accel,
    /// Stream the serial output to this terminal.
    pub verbose: bool,
}

impl Scenario {
    pub fn plan(&self) -> Result<Plan> {
        Plan::new(self.cmdline, self.tasks)
    }

    /// Boots the scenario and judges it. A scenario that cannot even be
    /// staged counts as a failed boot.
    pub fn run(&self, artifacts: &Artifacts, paths: &Paths, options: &Options) -> Result<Group> {
        println!("== {} ({}, timeout {} s)", self.name, self.boot.describe(), self.timeout.as_secs());
        let log = paths.logs().join(format!("{}.log", self.name));
        let results = match self.boot_and_capture(artifacts, paths, options, &log) {
            Ok((capture, disk_checks)) => self.judge(&capture.end, &capture.lines, disk_checks, &capture.screen),
            Err(error) => vec![(self.test_name("boot"), Err(format!("{error:#}")))],
        };
        let mut group = Group::new(self.name);
        for (test, outcome) in results {
            match &outcome {
                Ok(()) => println!("   ok     {test}"),
                Err(reason) => println!("   FAILED {test}: {reason}"),
            }
            group.record(test, outcome);
        }
        if !group.failures.is_empty() && log.exists() {
            report::print_tail(&log)?;
        }
        Ok(group)
    }

    /// Boots the scenario; returns what the run captured (how QEMU ended,
    /// the serial output, the screen) and the harness's checks of the disk
    /// afterwards.
    fn boot_and_capture(
        &self,
        artifacts: &Artifacts,
        paths: &Paths,
        options: &Options,
        log: &Path,
    ) -> Result<(Capture, Vec<DiskCheck>)> {
        let tag = tag(self.name);
        let disk = self.stage_disk(artifacts, paths)?;
        let media = boot::media(&self.plan()?, self.boot, artifacts, paths, &tag, disk.as_deref())?;
        // The monitor's socket sits beside the log: a short path.
        let monitor = self.uses_monitor().then(|| log.with_extension("monitor"));
        let machine = Machine {
            media,
            accel: options.accel,
            console: Console::Captured,
            disk: disk.clone(),
            monitor,
            wait_for_gdb: false,
        };
        let script = Script { typed: self.typed, screen_after: self.screen.map(|screen| screen.after) };
        let capture = machine.run_captured(self.timeout, log, options.verbose, report::is_fatal, &script)?;
        let disk_checks = match disk {
            Some(disk) => self.check_disk(&disk),
            None => Vec::new(),
        };
        Ok((capture, disk_checks))
    }

    /// Whether the run needs the QEMU monitor: to type at the keyboard or
    /// to read the screen.
    fn uses_monitor(&self) -> bool {
        self.screen.is_some() || self.typed.iter().any(|typed| typed.to == Input::Keyboard)
    }

    /// The disk file to attach, made first unless the scenario reuses one.
    fn stage_disk(&self, artifacts: &Artifacts, paths: &Paths) -> Result<Option<PathBuf>> {
        let own = paths.test_disk(&tag(self.name));
        match self.disk {
            Disk::None => Ok(None),
            Disk::BlockTest => disk::make_test_disk(&own).map(Some),
            Disk::FreshRoot => {
                root_disk::make(&artifacts.root_tree(paths), &own, root_disk::DEFAULT_BYTES)?;
                Ok(Some(own))
            }
            Disk::RootLeftBy(earlier) => {
                let left = paths.test_disk(&tag(earlier));
                if !left.is_file() {
                    bail!("no disk {} to boot again: the `{earlier}` scenario leaves it, run it first", left.display());
                }
                Ok(Some(left))
            }
        }
    }

    /// The harness's own verdicts on the disk after the boot.
    fn check_disk(&self, disk: &Path) -> Vec<DiskCheck> {
        match self.disk {
            Disk::None => Vec::new(),
            Disk::BlockTest => vec![("disk_image_holds_what_the_guest_wrote", disk::check_written(disk))],
            Disk::FreshRoot | Disk::RootLeftBy(_) => vec![("fsck.fat -n clean", root_disk::fsck_root(disk))],
        }
    }

    /// The scenario's tests and their outcomes, from how QEMU ended, the
    /// serial output, the harness's checks of the disk and the screen as
    /// read (`None`: its line never appeared).
    fn judge(
        &self,
        end: &End,
        lines: &[String],
        disk_checks: Vec<DiskCheck>,
        screen: &Option<Result<Vec<String>, String>>,
    ) -> Vec<(String, Outcome)> {
        let serial = report::scan(lines);
        let boot = match self.ending {
            Ending::TestsDone => boot_outcome(end, &serial),
            Ending::KernelFailure => kernel_failure_outcome(end),
        };
        let mut results = vec![(self.test_name("boot"), boot)];
        for test in serial.tests {
            results.push((self.test_name(&test.name), test.outcome));
        }
        for (check, outcome) in disk_checks {
            results.push((self.test_name(check), outcome));
        }
        for text in self.expect {
            let outcome = match lines.iter().any(|line| line.contains(text)) {
                true => Ok(()),
                false => Err("not in the serial output".to_string()),
            };
            results.push((self.test_name(&format!("expect '{text}'")), outcome));
        }
        for text in self.expect_once {
            let outcome = match lines.iter().filter(|line| line.contains(text)).count() {
                1 => Ok(()),
                0 => Err("not in the serial output".to_string()),
                n => Err(format!("in {n} lines of the serial output, not one")),
            };
            results.push((self.test_name(&format!("expect once '{text}'")), outcome));
        }
        if let Some(expected) = self.screen {
            for text in expected.shows {
                let outcome = match screen {
                    Some(Ok(rows)) if rows.iter().any(|row| row.contains(text)) => Ok(()),
                    Some(Ok(_)) => Err("not on the screen".to_string()),
                    Some(Err(reason)) => Err(format!("the screen could not be read: {reason}")),
                    None => Err(format!("the screen was not read: no line holding '{}' appeared", expected.after)),
                };
                results.push((self.test_name(&format!("screen shows '{text}'")), outcome));
            }
        }
        results
    }

    fn test_name(&self, test: &str) -> String {
        format!("{}: {test}", self.name)
    }
}

/// Names a scenario's files in `build/`: its ISO, its disk.
fn tag(scenario: &str) -> String {
    format!("test-{scenario}")
}

fn kernel_failure_outcome(end: &End) -> Outcome {
    match end {
        End::Exited(report::EXIT_KERNEL_FAILURE) | End::StoppedAfterFatal => Ok(()),
        other => Err(format!("expected the kernel to stop with its failure exit status, got {other:?}")),
    }
}

fn boot_outcome(end: &End, serial: &report::Serial) -> Outcome {
    if let Some(reason) = report::run_failure(end, serial) {
        return Err(reason);
    }
    if !serial.done {
        return Err("the guest exited without printing `tests: done`".to_string());
    }
    if *end == End::Exited(EXIT_SOME_FAILED) && serial.tests.iter().all(|test| test.outcome.is_ok()) {
        return Err(format!(
            "the guest reported a failure (exit status {EXIT_SOME_FAILED}) but no test line says FAILED"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    fn direct() -> &'static Scenario {
        &SCENARIOS[0]
    }

    fn failures(results: &[(String, Outcome)]) -> Vec<(&str, &str)> {
        results.iter().filter_map(|(name, outcome)| Some((name.as_str(), outcome.as_ref().err()?.as_str()))).collect()
    }

    const GOOD_RUN: &str = "\
[kernel] test: frames ... ok
hello from musl
[mm0] hello exited with status 3
libposix: posix_basics: unimplemented system call acct (163)
tests: done
";

    #[test]
    fn every_scenario_has_a_valid_plan() {
        for scenario in SCENARIOS {
            let plan = scenario.plan().unwrap();
            assert_eq!(plan.modules[0].name, "mm0");
        }
        // Names pick scenarios (--filter) and name their logs and disks.
        let mut names: Vec<&str> = SCENARIOS.iter().map(|scenario| scenario.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SCENARIOS.len(), "two scenarios share a name");
    }

    #[test]
    fn a_reused_root_disk_is_left_by_an_earlier_root_disk_scenario() {
        for (i, scenario) in SCENARIOS.iter().enumerate() {
            if let Disk::RootLeftBy(earlier) = scenario.disk {
                let maker = SCENARIOS[..i].iter().find(|s| s.name == earlier);
                assert!(
                    maker.is_some_and(|s| matches!(s.disk, Disk::FreshRoot | Disk::RootLeftBy(_))),
                    "{}: no earlier scenario `{earlier}` with a root disk",
                    scenario.name
                );
            }
        }
        assert_eq!(tag("fat"), "test-fat");
    }

    #[test]
    fn disk_checks_are_tests_of_the_scenario() {
        let fat_reboot = SCENARIOS.iter().find(|s| s.name == "fat-reboot").unwrap();
        let checks = vec![("fsck.fat -n clean", Err("fsck.fat ended with exit status: 1: Dirty bit".to_string()))];
        let results = fat_reboot.judge(&End::Exited(33), &lines("tests: done\n"), checks, &None);
        assert_eq!(
            failures(&results),
            [("fat-reboot: fsck.fat -n clean", "fsck.fat ended with exit status: 1: Dirty bit")]
        );
        assert_eq!(results[0], ("fat-reboot: boot".to_string(), Ok(())));
    }

    #[test]
    fn a_deliberate_kernel_fault_must_end_with_the_failure_status() {
        assert!(kernel_failure_outcome(&End::Exited(report::EXIT_KERNEL_FAILURE)).is_ok());
        assert!(kernel_failure_outcome(&End::StoppedAfterFatal).is_ok());
        assert!(kernel_failure_outcome(&End::Exited(report::EXIT_ALL_PASSED)).is_err());
        assert!(kernel_failure_outcome(&End::TimedOut(TIMEOUT)).is_err());
    }

    #[test]
    fn filters_scenarios_by_name() {
        assert_eq!(select(None).unwrap().len(), SCENARIOS.len());
        let iso: Vec<&str> = select(Some("iso")).unwrap().iter().map(|s| s.name).collect();
        assert_eq!(iso, ["iso-bios", "iso-uefi"]);
        assert!(select(Some("nope")).is_err());
    }

    #[test]
    fn a_good_run_passes_every_test() {
        let results = direct().judge(&End::Exited(33), &lines(GOOD_RUN), Vec::new(), &None);
        let names: Vec<&str> = results.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "direct: boot",
                "direct: frames",
                "direct: expect 'hello from musl'",
                "direct: expect 'hello exited with status 3'",
                "direct: expect once 'libposix: posix_basics: unimplemented system call acct (163)'"
            ]
        );
        assert_eq!(failures(&results), []);
    }

    #[test]
    fn a_text_expected_once_fails_when_repeated_or_missing() {
        let once = "direct: expect once 'libposix: posix_basics: unimplemented system call acct (163)'";
        let repeated = GOOD_RUN
            .replace("tests: done", "libposix: posix_basics: unimplemented system call acct (163)\ntests: done");
        let results = direct().judge(&End::Exited(33), &lines(&repeated), Vec::new(), &None);
        assert_eq!(failures(&results), [(once, "in 2 lines of the serial output, not one")]);
        let missing = GOOD_RUN.replace("unimplemented system call acct", "unimplemented");
        let results = direct().judge(&End::Exited(33), &lines(&missing), Vec::new(), &None);
        assert_eq!(failures(&results), [(once, "not in the serial output")]);
    }

    #[test]
    fn failed_tests_and_missing_output_fail() {
        let output = "test: frames ... FAILED leaked 3 frames\ntests: done\n";
        let results = direct().judge(&End::Exited(35), &lines(output), Vec::new(), &None);
        assert_eq!(
            failures(&results),
            [
                ("direct: frames", "leaked 3 frames"),
                ("direct: expect 'hello from musl'", "not in the serial output"),
                ("direct: expect 'hello exited with status 3'", "not in the serial output"),
                (
                    "direct: expect once 'libposix: posix_basics: unimplemented system call acct (163)'",
                    "not in the serial output"
                ),
            ]
        );
    }

    #[test]
    fn a_bad_end_fails_the_boot() {
        let boot_failure = |end: End, output: &str| {
            let results = direct().judge(&end, &lines(output), Vec::new(), &None);
            results[0].1.clone().err()
        };
        assert!(boot_failure(End::TimedOut(TIMEOUT), GOOD_RUN).unwrap().contains("timed out"));
        assert!(boot_failure(End::Exited(0), GOOD_RUN).unwrap().contains("status 0"));
        assert!(boot_failure(End::Exited(33), "hello from musl\n").unwrap().contains("tests: done"));
        assert!(boot_failure(End::Exited(35), GOOD_RUN).unwrap().contains("no test line says FAILED"));
        assert_eq!(
            boot_failure(End::StoppedAfterFatal, "PANIC at kernel/src/mm.rs:10\n").unwrap(),
            "kernel died: PANIC at kernel/src/mm.rs:10"
        );
        assert_eq!(boot_failure(End::Exited(33), GOOD_RUN), None);
    }

    fn keyboard() -> &'static Scenario {
        SCENARIOS.iter().find(|s| s.name == "keyboard").unwrap()
    }

    #[test]
    fn keyboard_types_what_console_types_at_the_keyboard() {
        let console = SCENARIOS.iter().find(|s| s.name == "console").unwrap();
        let keyboard = keyboard();
        assert_eq!(keyboard.tasks, console.tasks);
        assert_eq!(keyboard.typed.len(), console.typed.len());
        for (k, c) in keyboard.typed.iter().zip(console.typed) {
            assert_eq!((k.after, k.keys, k.to, c.to), (c.after, c.keys, Input::Keyboard, Input::Serial));
        }
        assert!(keyboard.uses_monitor() && !console.uses_monitor());
        let screen = keyboard.screen.unwrap();
        assert!(keyboard.typed.iter().any(|t| t.after == screen.after), "read while the program waits for keys");
    }

    #[test]
    fn every_key_typed_at_a_keyboard_can_be_typed() {
        for scenario in SCENARIOS {
            for typed in scenario.typed.iter().filter(|t| t.to == Input::Keyboard) {
                crate::keyboard::keys(typed.keys).unwrap();
            }
        }
    }

    #[test]
    fn texts_expected_on_the_screen_are_tests() {
        let keyboard = keyboard();
        let done = lines("first line\nkept\ntests: done\n");
        let mut screen = vec![String::new(); crate::screen::ROWS];
        screen[3] = "first line".into();
        screen[5] = "edited".into();
        screen[6] = "kept".into();
        screen[7] = "test: console/kill_erases_the_line ... ok".into();
        screen[24] = "console: raw".into();
        let results = keyboard.judge(&End::Exited(33), &done, Vec::new(), &Some(Ok(screen.clone())));
        assert_eq!(failures(&results), []);
        let names: Vec<&str> = results.iter().map(|(name, _)| name.as_str()).filter(|n| n.contains("screen")).collect();
        assert_eq!(
            names,
            [
                "keyboard: screen shows 'first line'",
                "keyboard: screen shows 'edited'",
                "keyboard: screen shows 'kept'",
                "keyboard: screen shows 'test: console/kill_erases_the_line ... ok'",
                "keyboard: screen shows 'console: raw'",
            ]
        );

        screen[5] = "editzz  ed".into();
        let results = keyboard.judge(&End::Exited(33), &done, Vec::new(), &Some(Ok(screen)));
        assert_eq!(failures(&results), [("keyboard: screen shows 'edited'", "not on the screen")]);

        let results = keyboard.judge(&End::Exited(33), &done, Vec::new(), &Some(Err("monitor gone".into())));
        assert_eq!(failures(&results).len(), 5);
        assert_eq!(failures(&results)[0].1, "the screen could not be read: monitor gone");
        let results = keyboard.judge(&End::Exited(33), &done, Vec::new(), &None);
        assert_eq!(failures(&results)[0].1, "the screen was not read: no line holding 'console: raw' appeared");
    }
}
