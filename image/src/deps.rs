//! Host dependencies: the programs and files later steps use, the Debian
//! packages that provide them, and the Rust targets the build needs.
//!
//! Missing packages are installed with apt-get when running as root;
//! otherwise the tool stops and names the command to run.

use std::env;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::paths::Paths;
use crate::qemu;

/// How to tell whether something is present.
enum Probe {
    /// A program on `PATH` (or in an sbin directory, which a non-root `PATH` may lack).
    Program(&'static str),
    /// A file or directory.
    Path(&'static str),
    /// Any one of several files.
    AnyPath(&'static [&'static str]),
}

/// One thing the tool needs, and the Debian package that provides it.
struct Requirement {
    probe: Probe,
    package: &'static str,
    why: &'static str,
}

const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        probe: Probe::Program("qemu-system-x86_64"),
        package: "qemu-system-x86",
        why: "boots Tern for `run`, `test` and `bench`",
    },
    Requirement { probe: Probe::Program("grub-mkrescue"), package: "grub-common", why: "makes the bootable ISO" },
    Requirement {
        probe: Probe::Program("grub-mkstandalone"),
        package: "grub-common",
        why: "makes GRUB's UEFI loader for the disk (grub-mkimage its BIOS core)",
    },
    Requirement {
        probe: Probe::Path("/usr/lib/grub/i386-pc"),
        package: "grub-pc-bin",
        why: "GRUB for BIOS boot in the ISO and on the disk",
    },
    Requirement {
        probe: Probe::Path("/usr/lib/grub/x86_64-efi"),
        package: "grub-efi-amd64-bin",
        why: "GRUB for UEFI boot in the ISO and on the disk",
    },
    Requirement { probe: Probe::Program("xorriso"), package: "xorriso", why: "grub-mkrescue writes the ISO with it" },
    Requirement {
        probe: Probe::Program("mformat"),
        package: "mtools",
        why: "grub-mkrescue builds the ISO's UEFI boot partition with it",
    },
    Requirement {
        probe: Probe::Program("mcopy"),
        package: "mtools",
        why: "puts rootfs/ on the root disk (mcopy, mmd)",
    },
    Requirement {
        probe: Probe::Program("mkfs.fat"),
        package: "dosfstools",
        why: "formats the root disk's FAT partitions",
    },
    Requirement {
        probe: Probe::Program("fsck.fat"),
        package: "dosfstools",
        why: "checks the root disk's file system after a boot",
    },
    Requirement {
        probe: Probe::Program("musl-gcc"),
        package: "musl-tools",
        why: "builds the static C userland programs",
    },
    Requirement { probe: Probe::AnyPath(qemu::OVMF_CANDIDATES), package: "ovmf", why: "UEFI firmware for QEMU" },
    Requirement {
        probe: Probe::Program("objcopy"),
        package: "binutils",
        why: "copies the kernel and modules to the boot media without debug sections",
    },
    Requirement { probe: Probe::Program("gdb"), package: "gdb", why: "`cargo tern run --gdb` and its test" },
    Requirement { probe: Probe::Program("qemu-img"), package: "qemu-utils", why: "`cargo tern image --qcow2`" },
    Requirement {
        probe: Probe::Program("dpkg-source"),
        package: "dpkg-dev",
        why: "`cargo tern ports` unpacks Debian source packages (Lua)",
    },
    Requirement {
        probe: Probe::Program("patch"),
        package: "patch",
        why: "`cargo tern ports` applies Lua's Debian fixes",
    },
    Requirement {
        probe: Probe::Program("make"),
        package: "make",
        why: "`cargo tern ports` builds Lua with its makefile",
    },
    Requirement {
        probe: Probe::Path(crate::ports::ARCHIVE_KEYRING),
        package: "debian-archive-keyring",
        why: "`cargo tern ports`: apt checks Debian's archive with it",
    },
];

/// Rust targets the build needs besides the host's.
const RUST_TARGETS: &[&str] = &["x86_64-unknown-none", "x86_64-unknown-linux-musl"];

/// Directories searched for programs besides `PATH`.
const SBIN_DIRS: &[&str] = &["/usr/local/sbin", "/usr/sbin", "/sbin"];

/// Installs whatever is missing; fails if that is not possible.
pub fn ensure(paths: &Paths) -> Result<()> {
    ensure_packages()?;
    ensure_rust_targets(paths)
}

fn ensure_packages() -> Result<()> {
    let missing: Vec<&Requirement> = REQUIREMENTS.iter().filter(|r| !r.probe.present()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut packages: Vec<&str> = missing.iter().map(|r| r.package).collect();
    packages.sort_unstable();
    packages.dedup();
    println!("deps: missing host tools:");
    for requirement in &missing {
        println!("  {} (package {}): {}", requirement.probe.describe(), requirement.package, requirement.why);
    }
    if !is_root()? {
        bail!("missing host packages; install them with:\n  sudo apt-get install -y {}", packages.join(" "));
    }
    println!("deps: installing {}", packages.join(" "));
    cmd::run(Command::new("apt-get").arg("update"))?;
    cmd::run(Command::new("apt-get").env("DEBIAN_FRONTEND", "noninteractive").args(["install", "-y"]).args(&packages))?;
    let still_missing: Vec<String> =
        REQUIREMENTS.iter().filter(|r| !r.probe.present()).map(|r| r.probe.describe()).collect();
    if !still_missing.is_empty() {
        bail!("still missing after apt-get install: {}", still_missing.join(", "));
    }
    Ok(())
}

fn ensure_rust_targets(paths: &Paths) -> Result<()> {
    let toolchain = pinned_toolchain(paths)?;
    let output = Command::new("rustup")
        .args(["target", "list", "--installed", "--toolchain", &toolchain])
        .output()
        .context("cannot run rustup (needed to add the Rust targets Tern builds for)")?;
    if !output.status.success() {
        bail!(
            "`rustup target list --installed --toolchain {toolchain}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let installed = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> =
        RUST_TARGETS.iter().copied().filter(|target| !installed.lines().any(|line| line.trim() == *target)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("deps: adding Rust targets {} to toolchain {toolchain}", missing.join(" "));
    cmd::run(Command::new("rustup").args(["target", "add", "--toolchain", &toolchain]).args(RUST_TARGETS))
}

/// The toolchain pinned in the workspace's `rust-toolchain.toml`.
fn pinned_toolchain(paths: &Paths) -> Result<String> {
    let file = paths.root.join("rust-toolchain.toml");
    let text = fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    toolchain_channel(&text).with_context(|| format!("no `channel = \"...\"` line in {}", file.display()))
}

/// The `channel` of a rust-toolchain.toml's `[toolchain]` table.
fn toolchain_channel(toml: &str) -> Option<String> {
    toml.lines().find_map(|line| {
        let value = line.trim().strip_prefix("channel")?.trim_start().strip_prefix('=')?.trim();
        Some(value.strip_prefix('"')?.strip_suffix('"')?.to_string())
    })
}

fn is_root() -> Result<bool> {
    let status = fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    effective_uid(&status).map(|uid| uid == 0).context("no Uid line in /proc/self/status")
}

/// The effective uid from the text of `/proc/<pid>/status`
/// (`Uid: <real> <effective> <saved> <fs>`).
fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find_map(|line| line.strip_prefix("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Probe {
    fn present(&self) -> bool {
        match self {
            Probe::Program(name) => on_path(name),
            Probe::Path(path) => Path::new(path).exists(),
            Probe::AnyPath(paths) => paths.iter().any(|path| Path::new(path).exists()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Probe::Program(name) => name.to_string(),
            Probe::Path(path) => path.to_string(),
            Probe::AnyPath(paths) => paths.join(" or "),
        }
    }
}

fn on_path(program: &str) -> bool {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path).chain(SBIN_DIRS.iter().map(Into::into)).any(|dir| dir.join(program).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pinned_channel() {
        let toml = "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rust-src\"]\n";
        assert_eq!(toolchain_channel(toml).as_deref(), Some("1.95.0"));
        assert_eq!(toolchain_channel("[toolchain]\n"), None);
    }

    #[test]
    fn reads_the_effective_uid() {
        assert_eq!(effective_uid("Name:\tcargo\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n"), Some(0));
        assert_eq!(effective_uid("Name:\tcargo\n"), None);
    }
}
