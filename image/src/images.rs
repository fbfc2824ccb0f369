//! `cargo tern image`: the distro as files to copy elsewhere — the raw
//! disk `build/tern.img` (GRUB for BIOS and UEFI on it), the ISO
//! `build/tern.iso`, and on request `build/tern.qcow2` — and the test
//! group `image` that checks what it writes (the scenarios `grub-disk-*`
//! boot the same kind of disk).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::artifacts::Artifacts;
use crate::paths::Paths;
use crate::report::{Group, Outcome};
use crate::{cmd, grub, plan, root_disk};

/// The files [`make`] wrote.
pub struct Images {
    pub iso: PathBuf,
    pub disk: PathBuf,
    pub qcow2: Option<PathBuf>,
}

/// Writes the images of the run plan (the distro `cargo tern run` boots).
pub fn make(paths: &Paths, artifacts: &Artifacts, qcow2: bool) -> Result<Images> {
    let plan = plan::run()?;
    let iso = paths.iso("tern");
    grub::make_iso(&plan, artifacts, &paths.iso_root("tern"), &iso)?;
    let disk = paths.image_disk();
    root_disk::make(&artifacts.root_tree(paths), &disk, root_disk::DEFAULT_BYTES)?;
    root_disk::install_boot(&disk, &grub::disk_boot(&plan, artifacts, &paths.disk_boot("tern"))?)?;
    let qcow2 = if qcow2 {
        let file = disk.with_extension("qcow2");
        cmd::output_checked(
            Command::new("qemu-img").args(["convert", "-f", "raw", "-O", "qcow2"]).arg(&disk).arg(&file),
        )
        .context("converting the disk to qcow2")?;
        Some(file)
    } else {
        None
    };
    Ok(Images { iso, disk, qcow2 })
}

/// `cargo tern image --qcow2` as a person runs it, and what its files hold.
pub fn tests(paths: &Paths, artifacts: &Artifacts) -> Result<Group> {
    println!("== image (cargo tern image --qcow2)");
    let mut group = Group::new("image");
    let images = match make(paths, artifacts, true) {
        Ok(images) => images,
        Err(error) => {
            record(&mut group, "the images are made", Err(format!("{error:#}")));
            return Ok(group);
        }
    };
    record(&mut group, "the ISO is written", non_empty(&images.iso));
    record(&mut group, "the disk boots under BIOS: GRUB's code in the MBR", mbr_boots(&images.disk));
    let scratch = paths.build.join("image-test");
    if scratch.exists() {
        fs::remove_dir_all(&scratch).with_context(|| format!("removing {}", scratch.display()))?;
    }
    fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    record(&mut group, "the boot partition holds GRUB for UEFI and the kernel", boot_partition(&images.disk, &scratch));
    record(
        &mut group,
        "the root partition holds /sbin/init and fsck finds it clean",
        root_partition(&images.disk, &scratch),
    );
    let qcow2 = images.qcow2.as_deref().map_or(Err("no qcow2 file".to_string()), |file| same_disk(file, &images.disk));
    record(&mut group, "the qcow2 file is the disk", qcow2);
    Ok(group)
}

fn record(group: &mut Group, test: &str, outcome: Outcome) {
    let name = format!("image: {test}");
    match &outcome {
        Ok(()) => println!("   ok     {name}"),
        Err(reason) => println!("   FAILED {name}: {reason}"),
    }
    group.record(name, outcome);
}

fn non_empty(file: &Path) -> Outcome {
    match fs::metadata(file) {
        Ok(meta) if meta.len() > 0 => Ok(()),
        Ok(_) => Err(format!("{} is empty", file.display())),
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
}

fn mbr_boots(disk: &Path) -> Outcome {
    let sector = root_disk::mbr_of(disk).map_err(|e| format!("{e:#}"))?;
    let boot_image = fs::read(grub::BIOS_BOOT_IMAGE).map_err(|e| format!("{}: {e}", grub::BIOS_BOOT_IMAGE))?;
    if boot_image.get(..grub::MBR_CODE_BYTES) != Some(&sector[..grub::MBR_CODE_BYTES]) {
        return Err("sector 0 does not hold GRUB's boot code".into());
    }
    match root_disk::partitions(&sector).map_err(|e| format!("{e:#}"))? {
        [Some(_), Some(_), None, None] => Ok(()),
        other => Err(format!("partitions {other:?}, expected two")),
    }
}

fn boot_partition(disk: &Path, scratch: &Path) -> Outcome {
    let copy = |guest: &str, name: &str| {
        let host = scratch.join(name);
        root_disk::get_boot_file(disk, guest, &host).map_err(|e| format!("{e:#}"))?;
        fs::read(&host).map_err(|e| format!("{}: {e}", host.display()))
    };
    let loader = copy("/EFI/BOOT/BOOTX64.EFI", "BOOTX64.EFI")?;
    if !loader.starts_with(b"MZ") {
        return Err("/EFI/BOOT/BOOTX64.EFI is not a PE image".into());
    }
    let cfg = String::from_utf8_lossy(&copy("/boot/grub/grub.cfg", "grub.cfg")?).into_owned();
    if !cfg.contains("multiboot2 /boot/tern-kernel") || !cfg.contains("root=ide:2") {
        return Err(format!("grub.cfg does not boot the kernel with root=ide:2: {cfg}"));
    }
    let kernel = copy("/boot/tern-kernel", "tern-kernel")?;
    if !kernel.starts_with(b"\x7fELF") {
        return Err("/boot/tern-kernel is not an ELF file".into());
    }
    Ok(())
}

fn root_partition(disk: &Path, scratch: &Path) -> Outcome {
    let init = scratch.join("init");
    root_disk::get_file(disk, "/sbin/init", &init).map_err(|e| format!("{e:#}"))?;
    root_disk::fsck_root(disk)
}

fn same_disk(qcow2: &Path, raw: &Path) -> Outcome {
    let output = cmd::output_checked(
        Command::new("qemu-img").arg("compare").arg("-f").arg("qcow2").arg("-F").arg("raw").arg(qcow2).arg(raw),
    );
    output.map(|_| ()).map_err(|e| format!("qemu-img compare: {e:#}"))
}
