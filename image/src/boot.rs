//! Turning a plan into media QEMU can boot.
//!
//! - Direct: QEMU loads the kernel itself (`-kernel`, multiboot1) and the
//!   modules from `-initrd "<file> <kind> [args...],..."`. QEMU hands each
//!   module its whole string, file path included, so each file is staged as
//!   `build/mods/<name>`: the basename is the module's name.
//! - ISO with SeaBIOS or OVMF: GRUB boots the kernel (multiboot2) from an
//!   ISO made by [`crate::iso`] for the plan.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::artifacts::Artifacts;
use crate::iso;
use crate::paths::Paths;
use crate::plan::Plan;
use crate::qemu::{self, Firmware, Media};

#[derive(Clone, Copy, Debug)]
pub enum Boot {
    Direct,
    IsoBios,
    IsoUefi,
}

impl Boot {
    pub fn describe(self) -> &'static str {
        match self {
            Boot::Direct => "direct -kernel boot",
            Boot::IsoBios => "GRUB ISO, SeaBIOS",
            Boot::IsoUefi => "GRUB ISO, UEFI (OVMF)",
        }
    }
}

/// Stages `plan` for `boot`. `tag` names the ISO (`build/<tag>.iso`) and the
/// UEFI variable store, so runs of different plans do not share them.
pub fn media(plan: &Plan, boot: Boot, artifacts: &Artifacts, paths: &Paths, tag: &str) -> Result<Media> {
    match boot {
        Boot::Direct => direct(plan, artifacts, paths),
        Boot::IsoBios => Ok(Media::Cdrom { iso: make_iso(plan, artifacts, paths, tag)?, firmware: Firmware::SeaBios }),
        Boot::IsoUefi => {
            let iso = make_iso(plan, artifacts, paths, tag)?;
            let firmware = Firmware::Ovmf(qemu::find_ovmf(&paths.uefi_vars(tag))?);
            Ok(Media::Cdrom { iso, firmware })
        }
    }
}

fn make_iso(plan: &Plan, artifacts: &Artifacts, paths: &Paths, tag: &str) -> Result<PathBuf> {
    let iso = paths.iso(tag);
    iso::make(plan, artifacts, &paths.iso_root(tag), &iso)?;
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
