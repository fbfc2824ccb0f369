//! Turning a plan into media QEMU can boot.
//!
//! - Direct: QEMU loads the kernel itself (`-kernel`, multiboot1) and the
//!   modules from `-initrd "<file> <kind> [args...],..."`. QEMU hands each
//!   module its whole string, file path included, so each file is staged as
//!   `build/mods/<name>`: the basename is the module's name.
//! - ISO with SeaBIOS or OVMF: GRUB boots the kernel (multiboot2) from an
//!   ISO made by [`grub::make_iso`] for the plan.
//! - Disk with SeaBIOS or OVMF: GRUB boots the kernel from the root disk's
//!   boot partition, installed there for the plan by
//!   [`root_disk::install_boot`]; the machine boots from the disk itself.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::artifacts::Artifacts;
use crate::grub;
use crate::paths::Paths;
use crate::plan::Plan;
use crate::qemu::{self, Firmware, Media};
use crate::root_disk;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boot {
    Direct,
    IsoBios,
    IsoUefi,
    DiskBios,
    DiskUefi,
}

impl Boot {
    pub fn describe(self) -> &'static str {
        match self {
            Boot::Direct => "direct -kernel boot",
            Boot::IsoBios => "GRUB ISO, SeaBIOS",
            Boot::IsoUefi => "GRUB ISO, UEFI (OVMF)",
            Boot::DiskBios => "GRUB on the disk, SeaBIOS",
            Boot::DiskUefi => "GRUB on the disk, UEFI (OVMF)",
        }
    }
}

/// Stages `plan` for `boot`. `tag` names the ISO (`build/<tag>.iso`), the
/// staged boot files and the UEFI variable store, so runs of different
/// plans do not share them. A boot from the disk installs the plan's boot
/// files on `disk`, a root disk.
pub fn media(
    plan: &Plan,
    boot: Boot,
    artifacts: &Artifacts,
    paths: &Paths,
    tag: &str,
    disk: Option<&Path>,
) -> Result<Media> {
    let uefi = || Ok::<_, anyhow::Error>(Firmware::Ovmf(qemu::find_ovmf(&paths.uefi_vars(tag))?));
    match boot {
        Boot::Direct => direct(plan, artifacts, paths),
        Boot::IsoBios => Ok(Media::Cdrom { iso: make_iso(plan, artifacts, paths, tag)?, firmware: Firmware::SeaBios }),
        Boot::IsoUefi => Ok(Media::Cdrom { iso: make_iso(plan, artifacts, paths, tag)?, firmware: uefi()? }),
        Boot::DiskBios | Boot::DiskUefi => {
            let disk = disk.context("booting from the disk needs a root disk")?;
            let files = grub::disk_boot(plan, artifacts, &paths.disk_boot(tag))?;
            root_disk::install_boot(disk, &files)?;
            let firmware = if boot == Boot::DiskUefi { uefi()? } else { Firmware::SeaBios };
            Ok(Media::Disk { firmware })
        }
    }
}

fn make_iso(plan: &Plan, artifacts: &Artifacts, paths: &Paths, tag: &str) -> Result<PathBuf> {
    let iso = paths.iso(tag);
    grub::make_iso(plan, artifacts, &paths.iso_root(tag), &iso)?;
    Ok(iso)
}

fn direct(plan: &Plan, artifacts: &Artifacts, paths: &Paths) -> Result<Media> {
    let dir = paths.mods();
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut modules = Vec::new();
    for module in &plan.modules {
        let staged = dir.join(&module.name);
        let source = artifacts.module(&module.name)?;
        fs::copy(source, &staged).with_context(|| format!("copying {} to {}", source.display(), staged.display()))?;
        // QEMU runs in `dir`: the file is the module's name.
        modules.push(module.string_with(&module.name));
    }
    Ok(Media::Direct { kernel: artifacts.kernel.clone(), cmdline: plan.cmdline.clone(), modules, dir })
}
