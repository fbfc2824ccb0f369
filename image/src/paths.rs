//! Where things live: the workspace root, cargo's output directory for the
//! native (no_std) components, and `build/`, the tool's own output directory.

use std::env;
use std::path::{Path, PathBuf};

/// The Rust target every no_std Tern component is built for.
pub const NATIVE_TARGET: &str = "x86_64-unknown-none";
/// The target POSIX programs in Rust are built for.
pub const POSIX_TARGET: &str = "x86_64-unknown-linux-musl";

pub struct Paths {
    /// The workspace root (the directory holding the top-level Cargo.toml).
    pub root: PathBuf,
    /// Cargo's target directory, absolute: `$CARGO_TARGET_DIR` or `target/`.
    pub target: PathBuf,
    /// `build/` at the workspace root.
    pub build: PathBuf,
}

impl Paths {
    pub fn new() -> Paths {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the image crate lives inside the workspace")
            .to_path_buf();
        let target = match env::var_os("CARGO_TARGET_DIR") {
            // Cargo reads a relative CARGO_TARGET_DIR against its working
            // directory; make it absolute so every cargo we start agrees.
            Some(dir) => env::current_dir().map(|cwd| cwd.join(&dir)).unwrap_or_else(|_| dir.into()),
            None => root.join("target"),
        };
        let build = root.join("build");
        Paths { root, target, build }
    }

    /// Where cargo puts the release binaries of the native components.
    pub fn native_release(&self) -> PathBuf {
        self.target.join(NATIVE_TARGET).join("release")
    }

    /// The kernel symbol file.
    pub fn kernel_sym(&self) -> PathBuf {
        self.build.join("kernel.sym")
    }

    /// Static musl programs built from `userland/c/`.
    pub fn userland(&self) -> PathBuf {
        self.build.join("userland")
    }

    /// Boot modules staged for a direct `-kernel` boot, each file named after
    /// its module (the kernel takes a module's name from the file's basename).
    pub fn mods(&self) -> PathBuf {
        self.build.join("mods")
    }

    /// Serial logs of captured QEMU runs.
    pub fn logs(&self) -> PathBuf {
        self.build.join("logs")
    }

    /// The directory tree grub-mkrescue turns into the ISO named `tag`.
    pub fn iso_root(&self, tag: &str) -> PathBuf {
        self.build.join("iso-root").join(tag)
    }

    /// Where the boot files for a disk named `tag` are made (GRUB's images
    /// and the boot partition's tree).
    pub fn disk_boot(&self, tag: &str) -> PathBuf {
        self.build.join("disk-boot").join(tag)
    }

    /// Where a UEFI boot keeps its copy of the firmware's variable store.
    pub fn uefi_vars(&self, tag: &str) -> PathBuf {
        self.build.join("uefi-vars").join(tag)
    }

    /// The files of the root file system (`rootfs/`).
    pub fn rootfs(&self) -> PathBuf {
        self.root.join("rootfs")
    }

    /// The raw disk image a test scenario named `tag` attaches.
    pub fn test_disk(&self, tag: &str) -> PathBuf {
        self.build.join(format!("{tag}-disk.img"))
    }

    /// The disk `cargo tern run` boots, kept from run to run.
    pub fn system_disk(&self) -> PathBuf {
        self.build.join("tern-disk.img")
    }

    /// The raw disk image `cargo tern image` makes.
    pub fn image_disk(&self) -> PathBuf {
        self.build.join("tern.img")
    }

    /// The ISO named `tag`; `tern` is the image `cargo tern image` makes.
    pub fn iso(&self, tag: &str) -> PathBuf {
        self.build.join(format!("{tag}.iso"))
    }
}
