//! The bootable GRUB ISO (BIOS and UEFI, made by grub-mkrescue).
//!
//! The ISO holds the kernel as `/boot/tern-kernel`, each module as
//! `/boot/<name>`, and a `grub.cfg` that boots straight away with GRUB's
//! console on the first serial port:
//! `multiboot2 /boot/tern-kernel <cmdline>`, then one
//! `module2 /boot/<name> <name> <kind> [args...]` per module, in plan order.
//! GRUB passes the words after the file as the module's string, so the
//! kernel sees the same `<name> <kind> [args...]` as in the plan.

use std::borrow::Cow;
use std::fs;
use std::iter;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::artifacts::Artifacts;
use crate::cmd;
use crate::plan::Plan;

/// The kernel's file name in the ISO.
const KERNEL_FILE: &str = "tern-kernel";

/// The text of grub.cfg for `plan`.
pub fn grub_cfg(plan: &Plan) -> String {
    let mut cfg = String::from(
        "# Written by `cargo tern`: boot Tern at once, console on the serial port.\n\
         set timeout=0\n\
         set default=0\n\
         # Without a video driver, multiboot2 under UEFI says \"no suitable video mode found\".\n\
         insmod all_video\n\
         serial --unit=0 --speed=115200\n\
         terminal_input serial\n\
         terminal_output serial\n\
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

/// Makes the ISO `out` for `plan`, staging its files under `staging`.
pub fn make(plan: &Plan, artifacts: &Artifacts, staging: &Path, out: &Path) -> Result<()> {
    if staging.exists() {
        fs::remove_dir_all(staging).with_context(|| format!("removing {}", staging.display()))?;
    }
    let boot = staging.join("boot");
    let grub = boot.join("grub");
    fs::create_dir_all(&grub).with_context(|| format!("creating {}", grub.display()))?;
    copy(&artifacts.kernel, &boot.join(KERNEL_FILE))?;
    for module in &plan.modules {
        copy(artifacts.module(&module.name)?, &boot.join(&module.name))?;
    }
    let cfg = grub.join("grub.cfg");
    fs::write(&cfg, grub_cfg(plan)).with_context(|| format!("writing {}", cfg.display()))?;

    cmd::output_checked(Command::new("grub-mkrescue").arg("-o").arg(out).arg(staging))?;
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
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
            "# Written by `cargo tern`: boot Tern at once, console on the serial port.\n\
             set timeout=0\n\
             set default=0\n\
             # Without a video driver, multiboot2 under UEFI says \"no suitable video mode found\".\n\
             insmod all_video\n\
             serial --unit=0 --speed=115200\n\
             terminal_input serial\n\
             terminal_output serial\n\
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
