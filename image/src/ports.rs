//! `cargo tern ports`: third-party programs, fetched from the registries
//! the build machines reach and built with their own tools, in a cache
//! outside the repository.
//!
//! | program | from | built with | cached as |
//! |---|---|---|---|
//! | `lua` | Debian's source package `lua5.4` (`apt-get source --download-only`) | its own `src/Makefile`, `musl-gcc -static` | `bin/lua` |
//! | `rg` | the Rust package registry (`cargo install ripgrep`, pinned, `--locked`) | cargo, for x86_64-unknown-linux-musl | `bin/rg` |
//! | `busybox` | Debian's binary package `busybox-static` (`apt-get download`) | nothing: `dpkg-deb -x` | `bin/busybox` |
//!
//! apt runs with a private configuration in the cache (`apt/`): its own
//! sources list (the machine's Debian mirror, `deb` and `deb-src` lines for
//! [`SUITE`]), state and cache directories, so the machine's own package
//! lists are never touched. The downloads are checked by apt against the
//! signed release files (Debian's archive keyring).
//!
//! Each program is built only when its file in `bin/` is missing; the
//! downloads are kept beside it and reused. `--rebuild` starts over.
//!
//! Every root disk `cargo tern` makes carries the ports the cache holds
//! ([`cached`], at the places of [`PORTS`]); `cargo tern test` builds them
//! first, so its disks always do.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::paths::{POSIX_TARGET, Paths};

/// The Debian release the packages come from.
const SUITE: &str = "bookworm";
/// Used when the machine's apt sources name no mirror for [`SUITE`].
const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";
/// The keyring apt checks the archive's release files with.
pub const ARCHIVE_KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";
/// The ripgrep release built, with its own `Cargo.lock` (`--locked`).
const RIPGREP_VERSION: &str = "15.2.0";

/// The ports: each one's file name in the cache's `bin/`, and its place
/// on Tern's root file system.
pub const PORTS: [(&str, &str); 3] = [("lua", "/bin/lua"), ("rg", "/bin/rg"), ("busybox", "/opt/busybox/bin/busybox")];

/// What `cargo tern run` and `cargo tern image` print when the cache lacks
/// a port.
pub const HINT: &str = "ports: `cargo tern ports` adds lua, rg, busybox (several minutes the first time)";

/// Where each port is cached, and where it goes on Tern.
pub struct Port {
    pub name: &'static str,
    /// The built program, in the cache.
    pub file: PathBuf,
    /// Its place on Tern's root file system.
    pub guest: &'static str,
    /// Where it came from (package and version).
    pub origin: String,
}

/// The ports the cache holds, built or not: (file in the cache, place on
/// Tern) for each one present, and the names of those missing.
pub struct Cached {
    pub files: Vec<(PathBuf, String)>,
    pub missing: Vec<&'static str>,
}

/// The ports already in the cache; builds nothing.
pub fn cached() -> Cached {
    let bin = cache_dir(env::var_os("XDG_CACHE_HOME"), env::var_os("HOME")).map(|dir| dir.join("bin"));
    in_bin(bin.as_deref())
}

/// [`cached`] for the cache's `bin/` directory (`None`: no cache at all).
fn in_bin(bin: Option<&Path>) -> Cached {
    let mut cached = Cached { files: Vec::new(), missing: Vec::new() };
    for (name, guest) in PORTS {
        match bin.map(|bin| bin.join(name)).filter(|file| file.is_file()) {
            Some(file) => cached.files.push((file, guest.to_string())),
            None => cached.missing.push(name),
        }
    }
    cached
}

/// The place on Tern of the port `name`.
fn guest(name: &str) -> &'static str {
    PORTS.iter().find(|(port, _)| *port == name).map(|(_, guest)| *guest).expect("a port of the table")
}

/// Builds whatever is missing from the cache and returns the three ports.
pub fn build(paths: &Paths, rebuild: bool) -> Result<Vec<Port>> {
    let cache = cache_dir(env::var_os("XDG_CACHE_HOME"), env::var_os("HOME"))
        .context("neither XDG_CACHE_HOME nor HOME is set: no place for the ports' cache")?;
    if rebuild && cache.exists() {
        fs::remove_dir_all(&cache).with_context(|| format!("removing {}", cache.display()))?;
    }
    let cache = Cache::new(cache)?;
    println!("ports: cache {}", cache.root.display());
    Ok(vec![lua(&cache)?, ripgrep(paths, &cache)?, busybox(&cache)?])
}

/// The cache directory: `$XDG_CACHE_HOME/tern-ports`, else `~/.cache/tern-ports`.
fn cache_dir(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    match xdg_cache_home.filter(|dir| Path::new(dir).is_absolute()) {
        Some(dir) => Some(PathBuf::from(dir).join("tern-ports")),
        None => Some(PathBuf::from(home.filter(|dir| !dir.is_empty())?).join(".cache/tern-ports")),
    }
}

/// The cache's layout.
struct Cache {
    root: PathBuf,
    /// The built programs.
    bin: PathBuf,
    /// The private apt configuration, state and downloads.
    apt: PathBuf,
}

impl Cache {
    fn new(root: PathBuf) -> Result<Cache> {
        let bin = root.join("bin");
        let apt = root.join("apt");
        for dir in [
            bin.clone(),
            apt.join("sources.list.d"),
            apt.join("state/lists/partial"),
            apt.join("cache/archives/partial"),
        ] {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(Cache { root, bin, apt })
    }

    /// A directory of the cache, made if missing.
    fn dir(&self, name: &str) -> Result<PathBuf> {
        let dir = self.root.join(name);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir)
    }

    /// `apt-get` with the private configuration, run in `dir`.
    fn apt_get(&self, dir: &Path) -> Command {
        let mut command = Command::new("apt-get");
        command.current_dir(dir).args(["-o", "APT::Sandbox::User=root"]);
        for (option, path) in [
            ("Dir::State", "state"),
            ("Dir::Cache", "cache"),
            ("Dir::Etc::SourceList", "sources.list"),
            ("Dir::Etc::SourceParts", "sources.list.d"),
        ] {
            command.arg("-o").arg(format!("{option}={}", self.apt.join(path).display()));
        }
        command
    }

    /// Runs `apt-get ARGS` in `dir`; when the package lists are missing or
    /// too old to have what is asked (a new point release replaced it),
    /// updates them first.
    fn apt_fetch(&self, dir: &Path, args: &[&str]) -> Result<()> {
        let lists = self.apt.join("state/lists");
        let updated = fs::read_dir(&lists)
            .with_context(|| format!("reading {}", lists.display()))?
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().contains("_Sources"));
        if updated && cmd::output_checked(self.apt_get(dir).args(args)).is_ok() {
            return Ok(());
        }
        self.apt_update()?;
        cmd::output_checked(self.apt_get(dir).args(args)).map(drop)
    }

    /// Writes the private sources list and runs `apt-get update` with it.
    fn apt_update(&self) -> Result<()> {
        let mirror = machine_mirror().unwrap_or_else(|| DEFAULT_MIRROR.to_string());
        let list = self.apt.join("sources.list");
        fs::write(&list, sources_list(&mirror)).with_context(|| format!("writing {}", list.display()))?;
        cmd::run(self.apt_get(&self.apt).arg("update"))
    }
}

/// The private sources list: binary and source packages of [`SUITE`].
fn sources_list(mirror: &str) -> String {
    ["deb", "deb-src"]
        .iter()
        .map(|kind| format!("{kind} [signed-by={ARCHIVE_KEYRING}] {mirror} {SUITE} main\n"))
        .collect()
}

/// The Debian mirror the machine's own apt sources use for [`SUITE`].
fn machine_mirror() -> Option<String> {
    let mut texts = Vec::new();
    if let Ok(text) = fs::read_to_string("/etc/apt/sources.list") {
        texts.push(text);
    }
    if let Ok(entries) = fs::read_dir("/etc/apt/sources.list.d") {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        texts.extend(files.iter().filter_map(|file| fs::read_to_string(file).ok()));
    }
    texts.iter().find_map(|text| mirror_in(text))
}

/// The URI of the first source for [`SUITE`] in a sources file, one-line
/// (`deb [options] URI SUITE COMPONENTS`) or deb822 (`URIs:`, `Suites:`).
fn mirror_in(text: &str) -> Option<String> {
    let one_line = text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next() != Some("deb") {
            return None;
        }
        let mut words = words.skip_while(|w| w.starts_with('['));
        let uri = words.next()?;
        (words.next() == Some(SUITE)).then(|| uri.to_string())
    });
    one_line.or_else(|| {
        text.split("\n\n").find_map(|stanza| {
            let field =
                |name: &str| stanza.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':').map(str::trim));
            let enabled = field("Enabled").is_none_or(|v| v != "no");
            let has_suite = field("Suites")?.split_whitespace().any(|s| s == SUITE);
            let uri = field("URIs")?.split_whitespace().next()?;
            (enabled && has_suite).then(|| uri.to_string())
        })
    })
}

/// Lua: Debian's `lua5.4` source package, built with upstream's makefile.
///
/// Debian builds Lua through libtool and its own patch to the makefiles
/// (shared libraries, versioned names, its module paths). The tree is
/// unpacked without Debian's patches, then the patches that change only
/// Lua's C sources (Debian's fixes, e.g. CVEs) are applied; those that
/// touch a makefile or `luaconf.h` are packaging and stay out. Upstream's
/// `posix` target then builds the interpreter.
fn lua(cache: &Cache) -> Result<Port> {
    let file = cache.bin.join("lua");
    let dir = cache.dir("lua")?;
    if !file.is_file() {
        if find_ending(&dir, ".dsc")?.is_none() {
            cache.apt_fetch(&dir, &["source", "--download-only", "lua5.4"])?;
        }
        let dsc = find_ending(&dir, ".dsc")?.context("apt-get source left no .dsc")?;
        let tree = dir.join("tree");
        if tree.exists() {
            fs::remove_dir_all(&tree).with_context(|| format!("removing {}", tree.display()))?;
        }
        cmd::output_checked(
            Command::new("dpkg-source").current_dir(&dir).args(["--skip-patches", "-x"]).arg(&dsc).arg("tree"),
        )?;
        let patches = tree.join("debian/patches");
        let series = fs::read_to_string(patches.join("series")).unwrap_or_default();
        for name in series.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let patch = patches.join(name);
            let text = fs::read_to_string(&patch).with_context(|| format!("reading {}", patch.display()))?;
            if is_packaging(&text) {
                println!("ports: lua: leaving out Debian's {name} (packaging: it changes a makefile or luaconf.h)");
                continue;
            }
            cmd::run(Command::new("patch").current_dir(&tree).args(["-p1", "-i"]).arg(&patch))?;
        }
        cmd::run(Command::new("make").current_dir(tree.join("src")).args([
            "CC=musl-gcc -std=gnu99",
            "MYLDFLAGS=-static",
            "posix",
        ]))?;
        copy(&tree.join("src/lua"), &file)?;
    }
    let origin = find_ending(&dir, ".dsc")?
        .and_then(|dsc| Some(dsc.file_stem()?.to_string_lossy().replace('_', " ")))
        .unwrap_or_default();
    Ok(Port { name: "lua", file, guest: guest("lua"), origin: format!("Debian source {origin}") })
}

/// Whether a Debian patch is packaging rather than a change to the
/// program: it touches a makefile or `luaconf.h`.
fn is_packaging(patch: &str) -> bool {
    patch.lines().filter_map(|line| line.strip_prefix("+++ ")).any(|target| {
        let path = target.split_whitespace().next().unwrap_or_default();
        path.ends_with("Makefile") || path.ends_with("luaconf.h")
    })
}

/// ripgrep from the Rust package registry, for musl (static-pie).
fn ripgrep(paths: &Paths, cache: &Cache) -> Result<Port> {
    let file = cache.bin.join("rg");
    let root = cache.dir("ripgrep")?;
    if !file.is_file() {
        // Run from the workspace root so that its pinned toolchain builds it;
        // the build directory stays in the cache.
        cmd::run(
            cmd::cargo(paths)
                .env("CARGO_TARGET_DIR", root.join("target"))
                .args(["install", "ripgrep", "--locked", "--version", RIPGREP_VERSION, "--target", POSIX_TARGET])
                .arg("--root")
                .arg(&root),
        )?;
        // Without its debug information, as a distribution packages it:
        // every root disk carries it (~33 MiB with, ~5 MiB without).
        cmd::run(Command::new("strip").arg("-o").arg(&file).arg(root.join("bin/rg")))?;
    }
    Ok(Port { name: "rg", file, guest: guest("rg"), origin: format!("crate ripgrep {RIPGREP_VERSION}") })
}

/// busybox: Debian's `busybox-static` binary package, unpacked.
fn busybox(cache: &Cache) -> Result<Port> {
    let file = cache.bin.join("busybox");
    let dir = cache.dir("busybox")?;
    if !file.is_file() {
        if find_ending(&dir, ".deb")?.is_none() {
            cache.apt_fetch(&dir, &["download", "busybox-static"])?;
        }
        let deb = find_ending(&dir, ".deb")?.context("apt-get download left no .deb")?;
        let unpacked = dir.join("root");
        cmd::output_checked(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked))?;
        copy(&unpacked.join("bin/busybox"), &file)?;
    }
    let origin = find_ending(&dir, ".deb")?
        .and_then(|deb| Some(deb.file_stem()?.to_string_lossy().replace("%3a", ":").replace('_', " ")))
        .unwrap_or_default();
    Ok(Port { name: "busybox", file, guest: guest("busybox"), origin: format!("Debian package {origin}") })
}

/// The first file in `dir` whose name ends with `suffix`.
fn find_ending(dir: &Path, suffix: &str) -> Result<Option<PathBuf>> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    Ok(found.into_iter().next())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if !from.is_file() {
        bail!("the build left no {}", from.display());
    }
    fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_follows_xdg_then_home() {
        assert_eq!(cache_dir(Some("/x/cache".into()), Some("/home/a".into())), Some("/x/cache/tern-ports".into()));
        // A relative XDG_CACHE_HOME is invalid and ignored, as the spec says.
        assert_eq!(cache_dir(Some("rel".into()), Some("/home/a".into())), Some("/home/a/.cache/tern-ports".into()));
        assert_eq!(cache_dir(None, Some("/home/a".into())), Some("/home/a/.cache/tern-ports".into()));
        assert_eq!(cache_dir(None, None), None);
    }

    #[test]
    fn finds_the_mirror_in_deb822_and_one_line_sources() {
        let deb822 = "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n\
                      Components: main\n\nTypes: deb\nURIs: http://sec.example/debian-security\n\
                      Suites: bookworm-security\n";
        assert_eq!(mirror_in(deb822).as_deref(), Some("http://mirror.example/debian"));
        let disabled = "Enabled: no\nURIs: http://off.example/debian\nSuites: bookworm\n";
        assert_eq!(mirror_in(disabled), None);
        let one_line = "# comment\ndeb [arch=amd64] http://m.example/debian bookworm main\n";
        assert_eq!(mirror_in(one_line).as_deref(), Some("http://m.example/debian"));
        assert_eq!(mirror_in("deb https://packages.example/apt cloud-sdk main\n"), None);
    }

    #[test]
    fn the_sources_list_has_binary_and_source_lines() {
        let list = sources_list("http://m.example/debian");
        assert_eq!(
            list,
            format!(
                "deb [signed-by={ARCHIVE_KEYRING}] http://m.example/debian bookworm main\n\
                 deb-src [signed-by={ARCHIVE_KEYRING}] http://m.example/debian bookworm main\n"
            )
        );
    }

    #[test]
    fn the_disk_gets_the_ports_the_cache_holds() {
        let bin = std::env::temp_dir().join(format!("tern-ports-bin-{}", std::process::id()));
        fs::create_dir_all(&bin).unwrap();
        fs::write(bin.join("rg"), "rg").unwrap();
        let cached = in_bin(Some(&bin));
        assert_eq!(cached.files, [(bin.join("rg"), "/bin/rg".to_string())]);
        assert_eq!(cached.missing, ["lua", "busybox"]);
        assert_eq!(in_bin(None).missing, ["lua", "rg", "busybox"]);
        assert_eq!(guest("busybox"), "/opt/busybox/bin/busybox", "on the default PATH (rootfs/etc/profile)");
        fs::remove_dir_all(&bin).unwrap();
    }

    #[test]
    fn makefile_and_luaconf_patches_are_packaging() {
        let build = "--- a/Makefile\n+++ b/Makefile\n@@ -1 +1 @@\n--- a/src/Makefile\n+++ b/src/Makefile\n";
        assert!(is_packaging(build));
        assert!(is_packaging("--- a/src/luaconf.h\n+++ b/src/luaconf.h\t2020-01-01\n"));
        let fix = "Subject: fix\n--- a/src/lparser.c\n+++ b/src/lparser.c\n@@ -468 +468 @@\n";
        assert!(!is_packaging(fix));
    }
}
