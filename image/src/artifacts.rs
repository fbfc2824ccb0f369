//! Building every file a boot can use, and the index from module name to file.
//!
//! - Native components: the no_std packages built by cargo for
//!   x86_64-unknown-none (release); each binary is a module of that name.
//! - C userland: each `userland/c/<stem>.c`, built static with musl-gcc into
//!   `build/userland/<stem>`, is a module named `<stem>`.
//! - Rust userland: the binaries of the `userland/rust` workspace, built
//!   as a user would port a Rust program (`cargo build --target
//!   x86_64-unknown-linux-musl`: static-pie), each a module of its name.
//! - `kernel.sym`: the kernel's function symbols (see [`crate::symbols`]).
//! - The distro's programs: the binaries of `userland/base` (core
//!   utilities, init), built for musl the same way, for /bin and /sbin of
//!   root disks; and `boot`, the module that executes /sbin/init as pid 1.
//! - The ports the cache holds ([`crate::ports::cached`]): built by
//!   `cargo tern ports`, not here, and put on every root disk with the
//!   distro's programs.
//! - `ramdisk`: a root disk image with the files of `rootfs/` and the
//!   programs, for booting with `root=ramdisk:2`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::paths::{NATIVE_TARGET, POSIX_TARGET, Paths};
use crate::ports;
use crate::root_disk;
use crate::symbols;

/// Cargo packages built for x86_64-unknown-none.
const NATIVE_PACKAGES: &[&str] = &["tern-kernel", "mm0", "fs0", "libposix", "ktest", "ide"];

/// The binaries those packages produce.
const NATIVE_BINARIES: &[&str] = &["tern-kernel", "mm0", "fs0", "libposix", "ktest", "ide"];

/// The Rust std programs `userland/rust` builds.
const RUST_BINARIES: &[&str] = &["std_threads", "std_process", "std_fs"];

/// The kernel binary (one of [`NATIVE_BINARIES`]).
const KERNEL: &str = "tern-kernel";

/// The module name of the kernel symbol file.
const KERNEL_SYM: &str = "kernel.sym";

/// The module name of the ramdisk (a root disk image, [`root_disk`]), and
/// its file in the build directory.
const RAMDISK: &str = "ramdisk";
/// The module name of the program that starts /sbin/init as pid 1.
const BOOT: &str = "boot";
const RAMDISK_FILE: &str = "ramdisk.img";

/// Built files: the kernel, and every other file by module name.
pub struct Artifacts {
    pub kernel: PathBuf,
    modules: BTreeMap<String, PathBuf>,
    /// The distro's programs (`userland/base`), for /bin and /sbin of a
    /// root disk.
    pub bin: Vec<PathBuf>,
    pub sbin: Vec<PathBuf>,
    /// The third-party programs found in the ports' cache.
    pub ports: ports::Cached,
}

impl Artifacts {
    /// What a root disk holds: `rootfs/`, the programs in /bin and /sbin,
    /// and the ports.
    pub fn root_tree(&self, paths: &Paths) -> root_disk::Tree {
        root_disk::Tree {
            rootfs: paths.rootfs(),
            bin: self.bin.clone(),
            sbin: self.sbin.clone(),
            extra: self.ports.files.clone(),
        }
    }

    /// The file for the module `name`.
    pub fn module(&self, name: &str) -> Result<&Path> {
        match self.modules.get(name) {
            Some(path) => Ok(path),
            None => bail!(
                "no built file for module `{name}` (built: {})",
                self.modules.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Builds everything; the host dependencies must be present.
pub fn build(paths: &Paths) -> Result<Artifacts> {
    fs::create_dir_all(&paths.build).with_context(|| format!("creating {}", paths.build.display()))?;
    let mut modules = build_native(paths)?;
    modules.extend(build_userland(paths)?);
    modules.extend(build_rust_userland(paths)?);

    let kernel = modules.remove(KERNEL).expect("the kernel is a native binary");
    let kernel_sym = paths.kernel_sym();
    let count = symbols::write(&kernel, &kernel_sym)?;
    println!("wrote {} ({count} function symbols)", kernel_sym.display());
    modules.insert(KERNEL_SYM.to_string(), kernel_sym);
    let base = build_base_userland(paths)?;
    modules.insert(BOOT.to_string(), base.boot);
    let mut artifacts = Artifacts { kernel, modules, bin: base.bin, sbin: base.sbin, ports: ports::cached() };
    let ramdisk = paths.build.join(RAMDISK_FILE);
    root_disk::make(&artifacts.root_tree(paths), &ramdisk, root_disk::RAMDISK_BYTES)?;
    artifacts.modules.insert(RAMDISK.to_string(), ramdisk);
    Ok(artifacts)
}

fn build_native(paths: &Paths) -> Result<BTreeMap<String, PathBuf>> {
    let mut command = cmd::cargo(paths);
    command.args(["build", "--release", "--target", NATIVE_TARGET]);
    for package in NATIVE_PACKAGES {
        command.args(["-p", package]);
    }
    cmd::run(&mut command)?;
    let dir = paths.native_release();
    NATIVE_BINARIES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            if !path.is_file() {
                bail!("cargo built no {}", path.display());
            }
            Ok((name.to_string(), path))
        })
        .collect()
}

fn build_userland(paths: &Paths) -> Result<BTreeMap<String, PathBuf>> {
    let source_dir = paths.root.join("userland/c");
    let out_dir = paths.userland();
    fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let mut built = BTreeMap::new();
    for source in c_sources(&source_dir)? {
        let stem = source.file_stem().expect("a .c file has a stem").to_string_lossy().into_owned();
        let out = out_dir.join(&stem);
        cmd::run(
            Command::new("musl-gcc")
                .args(["-static", "-O2", "-Wall", "-I"])
                .arg(source_dir.join("lib"))
                .arg("-o")
                .arg(&out)
                .arg(&source),
        )?;
        built.insert(stem, out);
    }
    Ok(built)
}

fn build_rust_userland(paths: &Paths) -> Result<BTreeMap<String, PathBuf>> {
    let manifest = paths.root.join("userland/rust/Cargo.toml");
    let mut command = cmd::cargo(paths);
    command.args(["build", "--release", "--target", POSIX_TARGET, "--manifest-path"]).arg(&manifest);
    cmd::run(&mut command)?;
    let dir = paths.target.join(POSIX_TARGET).join("release");
    RUST_BINARIES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            if !path.is_file() {
                bail!("cargo built no {}", path.display());
            }
            Ok((name.to_string(), path))
        })
        .collect()
}

/// The distro's programs, built.
struct BaseUserland {
    bin: Vec<PathBuf>,
    sbin: Vec<PathBuf>,
    /// The boot module that executes /sbin/init.
    boot: PathBuf,
}

/// Builds the `userland/base` workspace for musl: the core utilities (one
/// per `coreutils/src/bin/<name>.rs`) and the shell for /bin, init for
/// /sbin, and the `boot` module.
fn build_base_userland(paths: &Paths) -> Result<BaseUserland> {
    let workspace = paths.root.join("userland/base");
    let mut command = cmd::cargo(paths);
    command.args(["build", "--release", "--target", POSIX_TARGET, "--manifest-path"]).arg(workspace.join("Cargo.toml"));
    cmd::run(&mut command)?;
    let dir = paths.target.join(POSIX_TARGET).join("release");
    let built = |name: &str| -> Result<PathBuf> {
        let binary = dir.join(name);
        if !binary.is_file() {
            bail!("cargo built no {}", binary.display());
        }
        Ok(binary)
    };
    let sources = workspace.join("coreutils/src/bin");
    let mut bin = Vec::new();
    for entry in fs::read_dir(&sources).with_context(|| format!("reading {}", sources.display()))? {
        let source = entry?.path();
        if source.extension().is_some_and(|e| e == "rs")
            && let Some(name) = source.file_stem().and_then(|n| n.to_str())
        {
            bin.push(built(name)?);
        }
    }
    bin.push(built("sh")?);
    bin.sort();
    Ok(BaseUserland { bin, sbin: vec![built("init")?], boot: built("boot")? })
}

/// The `.c` files directly in `dir`, sorted; none if `dir` does not exist.
fn c_sources(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut sources = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "c") && path.is_file() {
            sources.push(path);
        }
    }
    sources.sort();
    Ok(sources)
}
