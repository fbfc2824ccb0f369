//! GRUB, Tern's boot loader on every medium but the direct `-kernel` boot:
//! the ISO (BIOS and UEFI, made by grub-mkrescue) and the root disk's boot
//! partition (BIOS and UEFI, installed by [`crate::root_disk::install_boot`]).
//!
//! Both media hold the same tree ([`stage`]): the kernel as
//! `/boot/tern-kernel`, each module as `/boot/<name>`, and a
//! `/boot/grub/grub.cfg` ([`grub_cfg`]) that boots straight away with
//! GRUB's console on the first serial port and the screen:
//! `multiboot2 /boot/tern-kernel <cmdline>`, then one
//! `module2 /boot/<name> <name> <kind> [args...]` per module, in plan order.
//! GRUB passes the words after the file as the module's string, so the
//! kernel sees the same `<name> <kind> [args...]` as in the plan. ELF files
//! are staged without their debug sections: GRUB reads every byte through
//! the firmware, slowly under TCG, and gdb takes the full files from the
//! build instead.
//!
//! The disk's two boot paths ([`DiskBoot`]):
//! - BIOS: the MBR holds the code of GRUB's `boot.img`, which loads
//!   `core.img` from sector 1 on (the gap before partition 1). core.img is
//!   made by grub-mkimage with the modules grub.cfg needs built in and
//!   `(hd0,msdos1)/boot/grub` as its prefix, so it needs no module files.
//!   (grub-bios-setup would do this, but it refuses image files.)
//! - UEFI: firmware runs `\EFI\BOOT\BOOTX64.EFI` from partition 1, a
//!   grub-mkstandalone image whose built-in configuration finds the
//!   partition labelled [`BOOT_LABEL`] and reads the same grub.cfg.

use std::borrow::Cow;
use std::fs;
use std::iter;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

use crate::artifacts::Artifacts;
use crate::cmd;
use crate::plan::Plan;

/// The kernel's file name under `/boot`.
const KERNEL_FILE: &str = "tern-kernel";

/// The label of the root disk's boot partition, which the UEFI loader
/// looks for.
pub const BOOT_LABEL: &str = "TERNBOOT";

/// GRUB's BIOS boot sector, whose first [`MBR_CODE_BYTES`] are code.
pub const BIOS_BOOT_IMAGE: &str = "/usr/lib/grub/i386-pc/boot.img";
/// The MBR's code area: the disk signature and partition table follow.
pub const MBR_CODE_BYTES: usize = 440;
/// In core.img's first sector (GRUB's diskboot), the 64-bit sector number
/// from which the rest of core.img is loaded: it follows at sector 2.
const CORE_REST_FIELD: usize = 0x1f4;
const CORE_REST_SECTOR: u64 = 2;

/// Modules both loaders need: the partition table and FAT to reach
/// grub.cfg, and what grub.cfg uses.
const COMMON_MODULES: &[&str] =
    &["part_msdos", "fat", "normal", "configfile", "test", "serial", "terminal", "multiboot2"];
/// Built into the BIOS core.img besides: the BIOS disk driver.
const BIOS_MODULES: &[&str] = &["biosdisk"];
/// In the UEFI image besides: the label search of its built-in
/// configuration, and the video drivers multiboot2 wants under UEFI.
const UEFI_MODULES: &[&str] = &["search", "search_label", "echo", "all_video"];

/// The text of grub.cfg for `plan`.
pub fn grub_cfg(plan: &Plan) -> String {
    let mut cfg = String::from(
        "# Written by `cargo tern`: boot Tern at once, console on the serial port and the screen.\n\
         set timeout=0\n\
         set default=0\n\
         # Without a video driver, multiboot2 under UEFI says \"no suitable video mode found\".\n\
         if [ x$grub_platform = xefi ]; then insmod all_video; fi\n\
         serial --unit=0 --speed=115200\n\
         terminal_input serial console\n\
         terminal_output serial console\n\
         \n\
         menuentry \"Tern\" {\n",
    );
    let kernel = format!("/boot/{KERNEL_FILE}");
    let words = iter::once(kernel.as_str()).chain(plan.cmdline.split_whitespace());
    cfg += &format!("    multiboot2 {}\n", quote_words(words));
    for module in &plan.modules {
        let file = format!("/boot/{}", module.name);
        let words = [file.as_str(), &module.name, module.kind.as_str()]
            .into_iter()
            .chain(module.args.iter().map(String::as_str));
        cfg += &format!("    module2 {}\n", quote_words(words));
    }
    cfg += "}\n";
    cfg
}

/// The configuration built into the UEFI image: find the boot partition,
/// read its grub.cfg.
fn uefi_early_cfg() -> String {
    format!(
        "insmod part_msdos\n\
         insmod fat\n\
         if search --no-floppy --set=root --label {BOOT_LABEL}; then\n\
         \x20   configfile /boot/grub/grub.cfg\n\
         else\n\
         \x20   echo \"No partition labelled {BOOT_LABEL}: this disk was not made by cargo tern.\"\n\
         fi\n"
    )
}

/// Makes `staging` (emptied first) hold the `/boot` tree for `plan`.
pub fn stage(plan: &Plan, artifacts: &Artifacts, staging: &Path) -> Result<()> {
    if staging.exists() {
        fs::remove_dir_all(staging).with_context(|| format!("removing {}", staging.display()))?;
    }
    let boot = staging.join("boot");
    let grub = boot.join("grub");
    fs::create_dir_all(&grub).with_context(|| format!("creating {}", grub.display()))?;
    copy_without_debug(&artifacts.kernel, &boot.join(KERNEL_FILE))?;
    for module in &plan.modules {
        copy_without_debug(artifacts.module(&module.name)?, &boot.join(&module.name))?;
    }
    let cfg = grub.join("grub.cfg");
    fs::write(&cfg, grub_cfg(plan)).with_context(|| format!("writing {}", cfg.display()))
}

/// Makes the ISO `out` for `plan`, staging its files under `staging`.
pub fn make_iso(plan: &Plan, artifacts: &Artifacts, staging: &Path, out: &Path) -> Result<()> {
    stage(plan, artifacts, staging)?;
    cmd::output_checked(Command::new("grub-mkrescue").arg("-o").arg(out).arg(staging))?;
    Ok(())
}

/// What the root disk needs to boot: the MBR's code, core.img for the gap
/// after the MBR, and the tree for the boot partition.
pub struct DiskBoot {
    pub mbr_code: [u8; MBR_CODE_BYTES],
    pub core: Vec<u8>,
    /// `/boot` ([`stage`]) and `/EFI/BOOT/BOOTX64.EFI`.
    pub tree: PathBuf,
}

/// Makes the disk's boot code and boot-partition tree for `plan` under
/// `staging`.
pub fn disk_boot(plan: &Plan, artifacts: &Artifacts, staging: &Path) -> Result<DiskBoot> {
    let tree = staging.join("partition");
    stage(plan, artifacts, &tree)?;

    let boot_image = fs::read(BIOS_BOOT_IMAGE).with_context(|| format!("reading {BIOS_BOOT_IMAGE}"))?;
    let mbr_code = boot_image
        .get(..MBR_CODE_BYTES)
        .and_then(|code| code.try_into().ok())
        .with_context(|| format!("{BIOS_BOOT_IMAGE} is {} bytes, not a boot sector", boot_image.len()))?;

    let core_file = staging.join("core.img");
    cmd::output_checked(
        Command::new("grub-mkimage")
            .args(["-O", "i386-pc", "-p", "(hd0,msdos1)/boot/grub", "-o"])
            .arg(&core_file)
            .args(BIOS_MODULES.iter().chain(COMMON_MODULES)),
    )
    .context("making GRUB's BIOS core.img")?;
    let mut core = fs::read(&core_file).with_context(|| format!("reading {}", core_file.display()))?;
    ensure!(core.len() > CORE_REST_FIELD + 8, "{} is too short for a core.img", core_file.display());
    core[CORE_REST_FIELD..CORE_REST_FIELD + 8].copy_from_slice(&CORE_REST_SECTOR.to_le_bytes());

    let efi_dir = tree.join("EFI").join("BOOT");
    fs::create_dir_all(&efi_dir).with_context(|| format!("creating {}", efi_dir.display()))?;
    let early_cfg = staging.join("early.cfg");
    fs::write(&early_cfg, uefi_early_cfg()).with_context(|| format!("writing {}", early_cfg.display()))?;
    cmd::output_checked(
        Command::new("grub-mkstandalone")
            .args(["-O", "x86_64-efi", "--locales=", "--fonts=", "--themes="])
            .arg(format!("--install-modules={}", [COMMON_MODULES, UEFI_MODULES].concat().join(" ")))
            .arg("-o")
            .arg(efi_dir.join("BOOTX64.EFI"))
            .arg(format!("boot/grub/grub.cfg={}", early_cfg.display())),
    )
    .context("making GRUB's UEFI loader")?;
    Ok(DiskBoot { mbr_code, core, tree })
}

/// Copies `from` to `to`, without debug sections if it is an ELF file.
fn copy_without_debug(from: &Path, to: &Path) -> Result<()> {
    let mut magic = [0; 4];
    let is_elf = fs::File::open(from)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut magic))
        .is_ok_and(|()| magic == *b"\x7fELF");
    if is_elf {
        cmd::output_checked(Command::new("objcopy").arg("--strip-debug").arg(from).arg(to))
            .with_context(|| format!("copying {} without debug sections", from.display()))?;
    } else {
        fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Words joined for a GRUB command line, each quoted if GRUB would
/// otherwise split or expand it.
fn quote_words<'a>(words: impl Iterator<Item = &'a str>) -> String {
    words.map(quote).collect::<Vec<_>>().join(" ")
}

fn quote(word: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-+=.,:/@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grub_cfg_boots_kernel_with_modules_in_order() {
        let plan = Plan::new("log=info mode=test", &["ktest native", "hello posix a b"]).unwrap();
        assert_eq!(
            grub_cfg(&plan),
            "# Written by `cargo tern`: boot Tern at once, console on the serial port and the screen.\n\
             set timeout=0\n\
             set default=0\n\
             # Without a video driver, multiboot2 under UEFI says \"no suitable video mode found\".\n\
             if [ x$grub_platform = xefi ]; then insmod all_video; fi\n\
             serial --unit=0 --speed=115200\n\
             terminal_input serial console\n\
             terminal_output serial console\n\
             \n\
             menuentry \"Tern\" {\n\
             \x20   multiboot2 /boot/tern-kernel log=info mode=test\n\
             \x20   module2 /boot/mm0 mm0 native\n\
             \x20   module2 /boot/libposix libposix data\n\
             \x20   module2 /boot/kernel.sym kernel.sym data\n\
             \x20   module2 /boot/fs0 fs0 native\n\
             \x20   module2 /boot/ktest ktest native\n\
             \x20   module2 /boot/hello hello posix a b\n\
             }\n"
        );
    }

    #[test]
    fn quotes_what_grub_would_split_or_expand() {
        assert_eq!(quote("log=info"), "log=info");
        assert_eq!(quote("$x"), "'$x'");
        assert_eq!(quote("a;b"), "'a;b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
