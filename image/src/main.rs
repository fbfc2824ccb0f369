//! `cargo tern`: the host-side tool that builds Tern, makes its boot image,
//! boots it in QEMU and runs the tests.
//!
//! # Design
//!
//! Everything the tool does is a pipeline over a few plain values:
//!
//! 1. [`deps`] makes sure the host has the programs and Rust targets the
//!    later steps call (installing Debian packages when run as root).
//! 2. [`artifacts`] builds every file a boot can use — the no_std ELF
//!    binaries (kernel, servers, libposix, native test tasks), the static musl
//!    C programs, and the kernel symbol file written by [`symbols`] — and
//!    returns an [`artifacts::Artifacts`] index from module name to file.
//! 3. A [`plan::Plan`] says what to boot: the kernel command line and the
//!    ordered boot modules (`<name> <kind> [args...]`). Plans are data: the
//!    run and bench plans live in [`plan`], the system-test scenarios in
//!    [`scenario`].
//! 4. [`boot`] turns a plan into QEMU media: a directory of modules for a
//!    direct multiboot `-kernel` boot, a GRUB ISO, or GRUB on the root
//!    disk's boot partition ([`grub`]), each for a BIOS or UEFI boot.
//! 5. A scenario or a bench plan may attach a raw disk on the IDE channel:
//!    the block driver's test disk ([`disk`]) or a root disk with an MBR
//!    and FAT partitions ([`root_disk`]); a scenario's is checked by the
//!    harness after the boot.
//! 6. [`qemu`] builds the QEMU command line and runs it, either on this
//!    terminal or captured line by line with a timeout; a captured run may
//!    type at the serial console or, through the QEMU [`monitor`], at the
//!    PS/2 [`keyboard`], and read the VGA text [`screen`].
//! 7. [`report`] reads the captured serial output (the `test:`, `tests: done`,
//!    `bench:` and panic lines that form the contract with the guest) and
//!    cargo's test output, and adds everything up into one tally.
//!
//! Paths are fixed by [`paths`]; every external program goes through [`cmd`].
//! Pure logic (parsing, grub.cfg text, QEMU arguments, judging a scenario)
//! has host unit tests; the steps that touch the machine stay thin.

mod artifacts;
mod boot;
mod cmd;
mod deps;
mod disk;
mod gdb;
mod grub;
mod images;
mod keyboard;
mod monitor;
mod paths;
mod plan;
mod port_tests;
mod ports;
mod qemu;
mod report;
mod root_disk;
mod scenario;
mod screen;
mod symbols;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::{Args, Parser, Subcommand};

use crate::boot::Boot;
use crate::paths::Paths;
use crate::plan::BenchDisk;
use crate::qemu::{Accel, Console};

/// Build, boot and test the Tern microkernel.
///
/// Build outputs go to `build/` at the workspace root; native components are
/// built by cargo into `target/x86_64-unknown-none/release/`.
#[derive(Parser)]
#[command(name = "cargo tern", bin_name = "cargo tern")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install missing host tools, then build everything a boot needs.
    ///
    /// Builds the kernel, mm0, fs0, libposix and the native test tasks for
    /// x86_64-unknown-none (release), every `userland/c/*.c` with
    /// `musl-gcc -static` into `build/userland/`, and the kernel symbol file
    /// `build/kernel.sym` (`<addr> <size> <name>` per function, by address).
    Build,
    /// Build, then make the distro's images: `build/tern.img` and `build/tern.iso`.
    ///
    /// `tern.img` is a raw disk with an MBR: partition 1 (FAT16, TERNBOOT)
    /// holds GRUB for UEFI (`/EFI/BOOT/BOOTX64.EFI`), grub.cfg, the kernel
    /// and its modules, with GRUB's BIOS boot code in the MBR and the gap
    /// after it; partition 2 (FAT32, TERNROOT) is the root file system
    /// (`rootfs/` plus the programs in /bin and /sbin). It boots BIOS or
    /// UEFI from an IDE disk, e.g. `qemu-system-x86_64 -drive
    /// file=build/tern.img,format=raw`. `tern.iso` (BIOS + UEFI) boots the
    /// same kernel and expects that disk as its root.
    Image(ImageArgs),
    /// Build, then boot the distro in QEMU: the shell, on this terminal.
    ///
    /// Boots `build/tern-disk.img`, a disk like `cargo tern image`'s that
    /// is kept from run to run (the kernel, modules and programs just built
    /// are put on it each time), with GRUB under SeaBIOS. The console is
    /// the serial port on QEMU's `mon:stdio`: `poweroff` in the shell ends
    /// the run, Ctrl-A X quits QEMU, Ctrl-A C opens its monitor. `--exec`
    /// runs one command headless instead and exits with its status.
    Run(RunArgs),
    /// Build, run the host unit tests and every QEMU system-test scenario.
    ///
    /// Host tests are `cargo test` over the crates that run without hardware.
    /// Each scenario boots a test plan and reads `test: <name> ... ok|FAILED`
    /// lines from the serial console; a scenario's boot counts as one more
    /// test that fails on a panic, a timeout, a missing `tests: done` line or
    /// a QEMU exit status other than 33/35. The scenarios (direct boots, the
    /// ISO and the distro disk under SeaBIOS and UEFI, the console and the
    /// keyboard, the disk and FAT, the shell typed at, busybox) are defined
    /// in `image/src/scenario.rs`. After them come the groups `batch` (a
    /// `--exec` run), `gdb`, `ports` (Lua, ripgrep and busybox on Tern
    /// compared with the host; `cargo tern ports` builds them first) and
    /// `image` (what `cargo tern image --qcow2` writes).
    /// Serial logs are saved to `build/logs/<scenario>.log`. The last line of output is
    /// `N passed, N failed`; the exit status is non-zero if anything failed.
    Test(TestArgs),
    /// Build, boot the bench plans and print their `name value unit` lines.
    ///
    /// Boots `log=warn mode=bench` directly (`-kernel`) once per plan, so
    /// that benchmarks never share the machine: `ktest native bench` (the
    /// kernel: IPC, faults, switches), `posix_bench` (POSIX calls in ns
    /// per operation: getpid, fork+exit+wait, mmap, page faults, sleeps),
    /// `ktest native disk bench` (the IDE driver on a test disk), then
    /// `fat bench` (a 64 MiB file written and read back in MiB/s) with `/`
    /// on a FAT root disk on the IDE channel (`root=ide:2`) and on the
    /// ramdisk (`root=ramdisk:2`). Collects the guest's
    /// `bench: <name> <value> <unit>` lines; serial logs are saved to
    /// `build/logs/bench-<n>.log`. Last, `boot_to_prompt_ms`: from QEMU's
    /// start to the shell's prompt, booting the distro disk through SeaBIOS
    /// and GRUB as `cargo tern run` does.
    Bench(BenchArgs),
    /// Fetch and build the third-party programs Tern runs: lua, rg, busybox.
    ///
    /// Lua 5.4 from Debian's source package `lua5.4` (its own makefile,
    /// `musl-gcc -static`), ripgrep from the Rust package registry
    /// (`cargo install`, x86_64-unknown-linux-musl), and Debian's
    /// `busybox-static` binary package. apt runs with a private
    /// configuration (bookworm, `deb` and `deb-src`) kept in the cache; the
    /// machine's package lists are not touched. Everything is cached in
    /// `$XDG_CACHE_HOME/tern-ports` (else `~/.cache/tern-ports`), the
    /// programs in its `bin/`; only what is missing there is fetched and
    /// built. Prints each program's file and its place on Tern: every root
    /// disk `cargo tern` makes carries the ports the cache holds (lua and
    /// rg in /bin, /opt/busybox/bin/busybox). See docs/PORTING.md.
    Ports(PortsArgs),
}

#[derive(Args)]
struct PortsArgs {
    /// Remove the cache first: fetch and build everything again.
    #[arg(long)]
    rebuild: bool,
}

#[derive(Args)]
struct ImageArgs {
    /// Also write `build/tern.qcow2`, the raw disk converted by qemu-img.
    #[arg(long)]
    qcow2: bool,
}

#[derive(Args)]
struct RunArgs {
    /// Boot with UEFI firmware (OVMF) instead of SeaBIOS.
    #[arg(long)]
    uefi: bool,
    /// Boot the GRUB ISO instead of GRUB on the disk (the disk is still the root).
    #[arg(long)]
    iso: bool,
    /// Boot with QEMU's own multiboot loader (`-kernel`): no firmware, no
    /// GRUB, the quickest start.
    #[arg(long, conflicts_with_all = ["iso", "uefi"])]
    direct: bool,
    /// The root file system on a ramdisk (a boot module made from the same
    /// files) instead of the disk: no disk attached, nothing kept. Boots
    /// directly unless --iso or --uefi asks for the GRUB ISO.
    #[arg(long, conflicts_with_all = ["fresh", "exec"])]
    ramdisk: bool,
    /// The VGA console and the PS/2 keyboard instead of the serial console:
    /// in a QEMU window on a desktop, drawn on this terminal otherwise
    /// (QEMU's curses display); the serial output goes to build/logs/run.log.
    #[arg(long, conflicts_with = "exec")]
    window: bool,
    /// Start the machine stopped, waiting for gdb on localhost:1234, and
    /// print the gdb command with the symbol files to use.
    #[arg(long)]
    gdb: bool,
    #[command(flatten)]
    accel: AccelArgs,
    /// Extra kernel command-line words, appended to the plan's (e.g. `log=debug`).
    #[arg(long, value_name = "STR")]
    cmdline: Option<String>,
    /// Start from a new disk (build/tern-disk.img) instead of the one the
    /// last run left; files written in Tern persist otherwise.
    #[arg(long)]
    fresh: bool,
    /// Batch mode: boot, run CMD through the shell, stream its output,
    /// power off, and exit with CMD's exit status (124 if the run timed
    /// out, 125 if the system failed). Runs on a fresh disk of its own.
    #[arg(long, value_name = "CMD")]
    exec: Option<String>,
    /// With --exec: put the host file or directory HOST at GUEST (an
    /// absolute path) on that disk first. Repeatable.
    #[arg(long, value_name = "HOST:GUEST")]
    add: Vec<String>,
    /// With --exec: how many seconds the run may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    timeout: u64,
}

#[derive(Args)]
struct TestArgs {
    /// Run only the system-test scenarios and groups (batch, gdb, ports,
    /// image) whose name contains SUBSTR.
    #[arg(long, value_name = "SUBSTR")]
    filter: Option<String>,
    /// Stream each scenario's serial output to this terminal as it arrives.
    #[arg(long)]
    verbose: bool,
    #[command(flatten)]
    accel: AccelArgs,
}

#[derive(Args)]
struct BenchArgs {
    /// Stream the serial output to this terminal as it arrives.
    #[arg(long)]
    verbose: bool,
    #[command(flatten)]
    accel: AccelArgs,
}

#[derive(Args)]
struct AccelArgs {
    /// Use KVM instead of TCG (only where KVM is real hardware virtualisation:
    /// nested KVM can be far slower than TCG).
    #[arg(long)]
    kvm: bool,
}

impl RunArgs {
    /// The boot path the flags pick: GRUB on the disk unless told
    /// otherwise; a ramdisk root (too big for the boot partition) boots
    /// directly or from the ISO.
    fn boot(&self) -> Boot {
        let iso = self.iso || (self.ramdisk && self.uefi);
        match (self.direct || (self.ramdisk && !iso), iso, self.uefi) {
            (true, _, _) => Boot::Direct,
            (false, true, false) => Boot::IsoBios,
            (false, true, true) => Boot::IsoUefi,
            (false, false, false) => Boot::DiskBios,
            (false, false, true) => Boot::DiskUefi,
        }
    }
}

impl AccelArgs {
    fn accel(&self) -> Accel {
        if self.kvm { Accel::Kvm } else { Accel::Tcg }
    }
}

/// How long the bench plan may run before it counts as hung.
const BENCH_TIMEOUT: Duration = Duration::from_secs(300);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let paths = Paths::new();
    let result = match cli.command {
        Command::Build => build(&paths).map(|_| ExitCode::SUCCESS),
        Command::Image(args) => image(&paths, &args),
        Command::Run(args) => run(&paths, &args),
        Command::Test(args) => test(&paths, &args),
        Command::Bench(args) => bench(&paths, &args),
        Command::Ports(args) => ports(&paths, &args),
    };
    result.unwrap_or_else(|error| {
        eprintln!("cargo tern: error: {error:#}");
        ExitCode::FAILURE
    })
}

fn build(paths: &Paths) -> Result<artifacts::Artifacts> {
    deps::ensure(paths)?;
    artifacts::build(paths)
}

fn ports(paths: &Paths, args: &PortsArgs) -> Result<ExitCode> {
    deps::ensure(paths)?;
    let ports = ports::build(paths, args.rebuild)?;
    for port in &ports {
        println!("ports: {:8} {} ({}) -> {}", port.name, port.file.display(), port.origin, port.guest);
    }
    println!("ports: every root disk cargo tern makes carries them now (cargo tern run, image, --exec)");
    Ok(ExitCode::SUCCESS)
}

/// Says how to get the ports onto the disk when the cache lacks some.
fn hint_ports(artifacts: &artifacts::Artifacts) {
    if !artifacts.ports.missing.is_empty() {
        println!("{}", ports::HINT);
    }
}

fn image(paths: &Paths, args: &ImageArgs) -> Result<ExitCode> {
    let artifacts = build(paths)?;
    hint_ports(&artifacts);
    let images = images::make(paths, &artifacts, args.qcow2)?;
    println!("image: {} (BIOS and UEFI; the root is the disk below)", images.iso.display());
    println!("image: {} (raw disk, BIOS and UEFI)", images.disk.display());
    if let Some(qcow2) = images.qcow2 {
        println!("image: {} (qcow2)", qcow2.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn run(paths: &Paths, args: &RunArgs) -> Result<ExitCode> {
    let artifacts = build(paths)?;
    hint_ports(&artifacts);
    if let Some(command) = &args.exec {
        return batch(paths, &artifacts, args, command);
    }
    ensure!(args.add.is_empty(), "--add goes with --exec (in an interactive run, copy files in Tern)");
    let mut plan = if args.ramdisk { plan::run_ramdisk()? } else { plan::run()? };
    if let Some(words) = &args.cmdline {
        plan.add_cmdline(words);
    }
    let boot = args.boot();
    let disk = if args.ramdisk {
        None
    } else {
        let disk = paths.system_disk();
        if args.fresh || !disk.is_file() {
            root_disk::make(&artifacts.root_tree(paths), &disk, root_disk::DEFAULT_BYTES)?;
        } else {
            root_disk::update_programs(&artifacts.root_tree(paths), &disk)?;
        }
        println!("disk: {} (kept from run to run; --fresh starts a new one)", disk.display());
        Some(disk)
    };
    let media = boot::media(&plan, boot, &artifacts, paths, "run", disk.as_deref())?;
    let console = if args.window {
        let serial_log = paths.logs().join("run.log");
        std::fs::create_dir_all(paths.logs()).with_context(|| format!("creating {}", paths.logs().display()))?;
        let desktop = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|var| std::env::var_os(var).is_some());
        let place = if desktop { "QEMU's window" } else { "this terminal (no desktop: QEMU's curses display)" };
        println!("window: the VGA console is in {place}; the serial output goes to {}", serial_log.display());
        Console::Window { serial_log, on_terminal: !desktop }
    } else {
        Console::Interactive
    };
    if args.gdb {
        gdb::print_help(&artifacts)?;
    }
    let machine =
        qemu::Machine { media, accel: args.accel.accel(), console, disk, monitor: None, wait_for_gdb: args.gdb };
    let status = machine.run_interactive()?;
    match status.code() {
        // 0: powered off (ACPI); 1: powered off through isa-debug-exit.
        Some(0) | Some(1) | Some(report::EXIT_ALL_PASSED) => Ok(ExitCode::SUCCESS),
        _ => bail!("QEMU ended with {status}"),
    }
}

/// Where a batch run keeps its command on its disk.
const BATCH_SCRIPT: &str = "/tern-exec.sh";
/// Exit statuses of a batch run that did not get its command's.
const BATCH_TIMED_OUT: u8 = 124;
const BATCH_SYSTEM_FAILED: u8 = 125;

/// `cargo tern run --exec CMD`: runs it ([`batch_run`]) on this terminal
/// and exits with its status.
fn batch(paths: &Paths, artifacts: &artifacts::Artifacts, args: &RunArgs, command: &str) -> Result<ExitCode> {
    let mut adds = Vec::new();
    for add in &args.add {
        let (host, guest) = add.split_once(':').with_context(|| format!("--add {add}: not HOST:GUEST"))?;
        adds.push((PathBuf::from(host), guest.to_string()));
    }
    let timeout = Duration::from_secs(args.timeout);
    let log = paths.logs().join("exec.log");
    let batch = batch_run(paths, artifacts, args.accel.accel(), command, &adds, timeout, &log, true)?;
    Ok(ExitCode::from(match (batch.status, batch.end) {
        (Some(status), _) => status,
        (None, qemu::End::TimedOut(_)) => {
            eprintln!("cargo tern: the run timed out after {} s (log: {})", args.timeout, log.display());
            BATCH_TIMED_OUT
        }
        (None, end) => {
            eprintln!("cargo tern: the system failed before the command ended ({end:?}; log: {})", log.display());
            BATCH_SYSTEM_FAILED
        }
    }))
}

/// A batch run: a fresh disk with `command` as a script and `adds` (host
/// file, guest path) on it, booted with init in batch mode (`exec=SCRIPT`),
/// which prints `tern: exit status N` and powers off.
#[allow(clippy::too_many_arguments)]
fn batch_run(
    paths: &Paths,
    artifacts: &artifacts::Artifacts,
    accel: qemu::Accel,
    command: &str,
    adds: &[(PathBuf, String)],
    timeout: Duration,
    log: &Path,
    echo: bool,
) -> Result<Batch> {
    let disk = paths.test_disk("exec");
    root_disk::make(&artifacts.root_tree(paths), &disk, root_disk::DEFAULT_BYTES)?;
    for (host, guest) in adds {
        root_disk::add_file(&disk, host, guest).with_context(|| format!("adding {} as {guest}", host.display()))?;
    }
    let script = paths.build.join("tern-exec.sh");
    std::fs::write(&script, format!("{command}\n")).with_context(|| format!("writing {}", script.display()))?;
    root_disk::add_file(&disk, &script, BATCH_SCRIPT)?;
    let plan = plan::batch(BATCH_SCRIPT)?;
    let media = boot::media(&plan, Boot::Direct, artifacts, paths, "exec", None)?;
    let machine = qemu::Machine {
        media,
        accel,
        console: Console::Captured,
        disk: Some(disk.clone()),
        monitor: None,
        wait_for_gdb: false,
    };
    let capture = machine.run_captured(timeout, log, echo, report::is_fatal, &qemu::Script::default())?;
    let status = capture
        .lines
        .iter()
        .rev()
        .find_map(|line| line.strip_prefix(BATCH_STATUS))
        .and_then(|s| s.trim().parse::<u8>().ok());
    Ok(Batch { status, end: capture.end, disk })
}

/// How a batch run ended.
struct Batch {
    /// The command's exit status; `None` if it never came.
    status: Option<u8>,
    /// How QEMU ended.
    end: qemu::End,
    /// The disk it ran on, as the run left it.
    disk: PathBuf,
}

/// The line init ends a batch run with.
const BATCH_STATUS: &str = "tern: exit status ";

/// The batch mode as a person uses it: a C program built by the test
/// (`hello`, which prints a line and exits with 3) added to the disk and
/// run through `--exec`; its output and the command's status come back.
fn batch_tests(paths: &Paths, artifacts: &artifacts::Artifacts, accel: qemu::Accel) -> Result<report::Group> {
    println!("== batch (cargo tern run --exec with --add)");
    let hello = artifacts.module("hello")?.to_path_buf();
    let command = "/root/bin/hello; s=$?; echo \"hello said $s\"; exit $((s + 2))";
    let log = paths.logs().join("batch.log");
    let adds = [(hello, "/root/bin/hello".to_string())];
    let Batch { status, end, .. } =
        batch_run(paths, artifacts, accel, command, &adds, BATCH_TEST_TIMEOUT, &log, false)?;
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let mut group = report::Group::new("batch");
    let check = |ok: bool, why: String| if ok { Ok(()) } else { Err(why) };
    let results = [
        (
            "batch: the added program ran",
            check(output.contains("hello from musl"), format!("no 'hello from musl' ({end:?})")),
        ),
        ("batch: the command saw its status", check(output.contains("hello said 3"), "no 'hello said 3'".into())),
        ("batch: the command's exit status", check(status == Some(5), format!("status {status:?}, expected 5"))),
    ];
    for (test, outcome) in results {
        match &outcome {
            Ok(()) => println!("   ok     {test}"),
            Err(reason) => println!("   FAILED {test}: {reason}"),
        }
        group.record(test.to_string(), outcome);
    }
    Ok(group)
}

/// How long the batch test may take.
const BATCH_TEST_TIMEOUT: Duration = Duration::from_secs(60);

fn test(paths: &Paths, args: &TestArgs) -> Result<ExitCode> {
    // The batch run, gdb, the ports and the images are tested after the
    // scenarios, under the names `batch`, `gdb`, `ports` and `image`.
    let runs_batch = args.filter.as_deref().is_none_or(|f| "batch".contains(f));
    let runs_gdb = args.filter.as_deref().is_none_or(|f| "gdb".contains(f));
    let runs_ports = args.filter.as_deref().is_none_or(|f| "ports".contains(f));
    let runs_image = args.filter.as_deref().is_none_or(|f| "image".contains(f));
    let scenarios = match scenario::select(args.filter.as_deref()) {
        Ok(scenarios) => scenarios,
        Err(_) if runs_batch || runs_gdb || runs_ports || runs_image => Vec::new(),
        Err(e) => return Err(e),
    };
    deps::ensure(paths)?;
    let mut tally = report::Tally::default();
    if runs_ports || scenarios.iter().any(|scenario| scenario.name.starts_with("ports")) {
        // Before the build: the disks it makes carry the ports it finds.
        println!("== ports: cargo tern ports");
        if let Err(error) = ports::build(paths, false) {
            eprintln!("building the ports failed: {error:#}");
            tally.push(report::Group::single("ports: build", Err(format!("{error:#}"))));
        }
    }
    println!("== build");
    let built = artifacts::build(paths);
    if let Err(error) = &built {
        eprintln!("build failed: {error:#}");
        tally.push(report::Group::single("build", Err(format!("{error:#}"))));
    }
    println!("== host tests: cargo test");
    tally.push(host_tests(paths)?);
    println!("== userland tests: cargo test (userland/base)");
    tally.push(userland_tests(paths)?);
    match &built {
        Ok(artifacts) => {
            let opts = scenario::Options { accel: args.accel.accel(), verbose: args.verbose };
            for scenario in scenarios {
                tally.push(scenario.run(artifacts, paths, &opts)?);
            }
            if runs_batch {
                tally.push(batch_tests(paths, artifacts, args.accel.accel())?);
            }
            if runs_gdb {
                tally.push(gdb::tests(paths, artifacts, args.accel.accel())?);
            }
            if runs_ports {
                tally.push(port_tests::tests(paths, artifacts, args.accel.accel())?);
            }
            if runs_image {
                tally.push(images::tests(paths, artifacts)?);
            }
        }
        Err(_) => println!("== system tests skipped: the build failed"),
    }
    tally.print_summary();
    Ok(if tally.failed() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The crates whose logic runs without hardware and is unit-tested on the
/// host. mm0's tests cover its library (the binary is no_std).
const HOST_TESTED: &[&str] = &["abi", "tern-image", "mm0", "mm0-proto", "fs0", "fs0-proto", "block-proto"];

/// Runs `cargo test` over [`HOST_TESTED`] and counts its results.
fn host_tests(paths: &Paths) -> Result<report::Group> {
    let mut command = cmd::cargo(paths);
    command.arg("test");
    for package in HOST_TESTED {
        command.args(["-p", package]);
    }
    counted_tests("host tests", &mut command)
}

/// Runs the tests of the distro's programs (`userland/base`, Linux
/// programs with a workspace of their own) on the host.
fn userland_tests(paths: &Paths) -> Result<report::Group> {
    let mut command = cmd::cargo(paths);
    command.arg("test").arg("--manifest-path").arg(paths.root.join("userland/base/Cargo.toml"));
    counted_tests("userland tests", &mut command)
}

/// Runs a `cargo test` command and counts its results as group `name`.
fn counted_tests(name: &str, command: &mut std::process::Command) -> Result<report::Group> {
    let output = cmd::output(command)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let counts = report::cargo_test(&stdout);
    let group = counts.into_group(name, output.status.success());
    if group.failures.is_empty() {
        println!("   {} passed", group.passed);
    } else {
        print!("{stdout}");
        eprint!("{stderr}");
    }
    Ok(group)
}

fn bench(paths: &Paths, args: &BenchArgs) -> Result<ExitCode> {
    let artifacts = build(paths)?;
    let mut failed = false;
    for (i, bench) in plan::benches()?.iter().enumerate() {
        let tag = format!("bench-{i}");
        let disk = stage_bench_disk(bench.disk, &artifacts, paths, &tag)?;
        let media = boot::media(&bench.plan, Boot::Direct, &artifacts, paths, &tag, None)?;
        let machine = qemu::Machine {
            media,
            accel: args.accel.accel(),
            console: Console::Captured,
            disk,
            monitor: None,
            wait_for_gdb: false,
        };
        let log = paths.logs().join(format!("{tag}.log"));
        let capture = machine
            .run_captured(BENCH_TIMEOUT, &log, args.verbose, report::is_fatal, &qemu::Script::default())
            .context("running a bench plan")?;
        let serial = report::scan(&capture.lines);
        for bench in &serial.benches {
            println!("{bench}");
        }
        if let Some(reason) = report::bench_failure(&capture.end, &serial) {
            eprintln!("bench failed: {reason}");
            report::print_tail(&log)?;
            failed = true;
        }
    }
    match boot_to_prompt(paths, &artifacts, args) {
        Ok(ms) => println!("boot_to_prompt_ms {ms} ms"),
        Err(error) => {
            eprintln!("bench failed: boot to the prompt: {error:#}");
            failed = true;
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Milliseconds from QEMU's start to the shell's prompt, booting the
/// distro as `cargo tern run` does (SeaBIOS, GRUB on a fresh disk), then
/// `poweroff`.
fn boot_to_prompt(paths: &Paths, artifacts: &artifacts::Artifacts, args: &BenchArgs) -> Result<u128> {
    let tag = "bench-boot";
    let disk = paths.test_disk(tag);
    root_disk::make(&artifacts.root_tree(paths), &disk, root_disk::DEFAULT_BYTES)?;
    let media = boot::media(&plan::run()?, Boot::DiskBios, artifacts, paths, tag, Some(&disk))?;
    let machine = qemu::Machine {
        media,
        accel: args.accel.accel(),
        console: Console::Captured,
        disk: Some(disk),
        monitor: None,
        wait_for_gdb: false,
    };
    let log = paths.logs().join(format!("{tag}.log"));
    let typed = [qemu::Typed { after: PROMPT, to: qemu::Input::Serial, keys: b"poweroff\n" }];
    let script = qemu::Script { typed: &typed, screen_after: None };
    let capture = machine.run_captured(BENCH_TIMEOUT, &log, args.verbose, report::is_fatal, &script)?;
    capture
        .first_typed_after
        .map(|t| t.as_millis())
        .with_context(|| format!("no prompt `{PROMPT}` (log: {})", log.display()))
}

/// The shell's prompt in /.
const PROMPT: &str = "/ # ";

/// Makes the disk of the bench boot `tag`, fresh; returns the file to
/// attach, if any.
fn stage_bench_disk(
    disk: BenchDisk,
    artifacts: &artifacts::Artifacts,
    paths: &Paths,
    tag: &str,
) -> Result<Option<PathBuf>> {
    let path = paths.test_disk(tag);
    match disk {
        BenchDisk::None => Ok(None),
        BenchDisk::BlockTest => disk::make_test_disk(&path).map(Some),
        BenchDisk::FreshRoot => {
            root_disk::make(&artifacts.root_tree(paths), &path, root_disk::DEFAULT_BYTES)?;
            Ok(Some(path))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot_of(flags: &[&str]) -> Boot {
        let cli = Cli::try_parse_from(["cargo tern", "run"].iter().chain(flags)).unwrap();
        let Command::Run(args) = cli.command else { panic!("not a run") };
        args.boot()
    }

    #[test]
    fn run_flags_pick_the_boot_path() {
        assert_eq!(boot_of(&[]), Boot::DiskBios);
        assert_eq!(boot_of(&["--uefi"]), Boot::DiskUefi);
        assert_eq!(boot_of(&["--iso"]), Boot::IsoBios);
        assert_eq!(boot_of(&["--iso", "--uefi"]), Boot::IsoUefi);
        assert_eq!(boot_of(&["--direct"]), Boot::Direct);
        assert_eq!(boot_of(&["--ramdisk"]), Boot::Direct, "a ramdisk does not fit the boot partition");
        assert_eq!(boot_of(&["--ramdisk", "--iso"]), Boot::IsoBios);
        assert_eq!(boot_of(&["--ramdisk", "--uefi"]), Boot::IsoUefi);
        assert!(Cli::try_parse_from(["cargo tern", "run", "--direct", "--uefi"]).is_err());
    }
}
