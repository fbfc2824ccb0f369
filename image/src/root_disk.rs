//! The root disk: a raw disk image with an MBR partition table and two FAT
//! partitions, made on the host without loop devices or root mounts.
//!
//! Layout, in 512-byte sectors:
//!
//! | what | first sector | size | type | label, contents |
//! |---|---|---|---|---|
//! | MBR | 0 | 1 | | GRUB's BIOS boot code, the partition table ([`mbr`]) |
//! | gap | 1 | to 2047 | | GRUB's BIOS core.img |
//! | partition 1 | 2048 | 16 MiB | 0x0E FAT16 (LBA) | `TERNBOOT`: GRUB's UEFI loader, grub.cfg, the kernel and its modules |
//! | partition 2 | right after 1 | the rest | 0x0C FAT32 (LBA) | `TERNROOT`, the root file system |
//!
//! Everything but partition 2 is [`install_boot`]'s, from what
//! [`crate::grub`] made for a plan: `cargo tern run` installs it again at
//! every run, so the disk always boots the kernel just built, while the
//! files in partition 2 stay from run to run.
//!
//! Partition 2 is what fs0 mounts as `/` when the kernel command line says
//! `root=ide:2`: it holds the files of `rootfs/` and the empty directories
//! `/dev` and `/tmp`, on which fs0 mounts its tmpfs. Partitions start on
//! whole MiB, as partitioning tools place them.
//!
//! Each partition is formatted by `mkfs.fat` as a file of its own and
//! filled with mtools, then copied into the image at its offset: no tool is
//! ever given the whole disk, so none can touch the partition table or the
//! other partition. After a boot, [`fsck_root`] checks partition 2 with
//! `fsck.fat -n` on a copy of its bytes (fsck.fat takes no offset).

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use block_proto::SECTOR;

use crate::cmd;
use crate::grub::{self, DiskBoot};
use crate::report::Outcome;

/// The size of the root disk the scenarios boot: a 64 MiB test file fits
/// on its root partition with room to spare.
pub const DEFAULT_BYTES: u64 = 160 << 20;
/// The ramdisk's size (the boot module `ramdisk`): the same layout, its
/// root partition big enough for the programs (~19 MiB) and the 64 MiB
/// file of the `fat` test.
pub const RAMDISK_BYTES: u64 = 128 << 20;

/// Sectors in a MiB, the partitions' alignment.
const MIB_SECTORS: u32 = (1 << 20) / SECTOR as u32;
/// Where partition 1 starts: the first MiB is left to the MBR and GRUB's
/// core image.
const BOOT_START: u32 = MIB_SECTORS;
const BOOT_SECTORS: u32 = 16 * MIB_SECTORS;

/// MBR partition types.
const TYPE_FAT16_LBA: u8 = 0x0E;
const TYPE_FAT32_LBA: u8 = 0x0C;

/// The file systems of partition 1 (boot) and partition 2 (root).
const BOOT_FS: FatFs = FatFs { kind: TYPE_FAT16_LBA, fat_bits: 16, label: grub::BOOT_LABEL };
const ROOT_FS: FatFs = FatFs { kind: TYPE_FAT32_LBA, fat_bits: 32, label: "TERNROOT" };

/// The root partition's number, as in the kernel command line's `root=ide:2`.
const ROOT_PARTITION: usize = 2;

/// Directories of the root partition on which fs0 mounts its tmpfs (dev,
/// tmp) and /proc.
const MOUNT_POINTS: &[&str] = &["dev", "proc", "tmp"];

pub use block_proto::mbr::Partition;
use block_proto::mbr::{self, ENTRIES as TABLE_ENTRIES};

/// Where a partition lies in the image, in bytes.
trait Extent {
    fn offset_bytes(&self) -> u64;
    fn len_bytes(&self) -> u64;
}

impl Extent for Partition {
    fn offset_bytes(&self) -> u64 {
        u64::from(self.start) * SECTOR
    }

    fn len_bytes(&self) -> u64 {
        u64::from(self.sectors) * SECTOR
    }
}

/// The FAT file system of one partition.
struct FatFs {
    /// The partition type that announces it in the MBR.
    kind: u8,
    /// 16 or 32, as mkfs.fat's `-F` takes it.
    fat_bits: u8,
    label: &'static str,
}

/// The partition table of an MBR: entry `i` is partition `i + 1`, `None`
/// where the entry is unused.
pub fn partitions(sector0: &[u8]) -> Result<[Option<Partition>; TABLE_ENTRIES]> {
    mbr::read(sector0).with_context(|| format!("no MBR: sector 0 ({} bytes) does not end in 0x55 0xaa", sector0.len()))
}

/// Sector 0 of the disk `image`.
pub fn mbr_of(image: &Path) -> Result<[u8; SECTOR as usize]> {
    let mut disk = File::open(image).with_context(|| format!("opening {}", image.display()))?;
    read_mbr(&mut disk, image)
}

/// Sector 0 of `disk`, the open file of `image`.
fn read_mbr(disk: &mut File, image: &Path) -> Result<[u8; SECTOR as usize]> {
    let mut sector = [0; SECTOR as usize];
    disk.seek(SeekFrom::Start(0))?;
    disk.read_exact(&mut sector).with_context(|| format!("reading the MBR of {}", image.display()))?;
    Ok(sector)
}

/// Partition `number` (from 1) of the MBR `sector0` of `image`.
fn partition_in(sector0: &[u8], image: &Path, number: usize) -> Result<Partition> {
    let table = partitions(sector0).with_context(|| format!("reading the partition table of {}", image.display()))?;
    table[number - 1].with_context(|| format!("{} has no partition {number}", image.display()))
}

/// Partition 1 (boot) and partition 2 (root, to the end) of a disk of
/// `bytes` bytes.
fn layout(bytes: u64) -> Result<[Partition; 2]> {
    let mib = u64::from(MIB_SECTORS) * SECTOR;
    ensure!(bytes.is_multiple_of(mib), "a root disk is a whole number of MiB, not {bytes} bytes");
    let total = u32::try_from(bytes / SECTOR).context("a root disk is addressed by 32-bit sector numbers")?;
    let boot = Partition { kind: BOOT_FS.kind, start: BOOT_START, sectors: BOOT_SECTORS };
    let root_start = boot.start + boot.sectors;
    ensure!(total > root_start, "a root disk of {} MiB leaves no room for the root partition", bytes / mib);
    let root = Partition { kind: ROOT_FS.kind, start: root_start, sectors: total - root_start };
    Ok([boot, root])
}

/// What the root partition holds: the tree under `rootfs`, the system's
/// programs in /bin and /sbin, and more files at places of their own
/// (host file, absolute guest path: the ports, [`crate::ports`]).
pub struct Tree {
    pub rootfs: PathBuf,
    pub bin: Vec<PathBuf>,
    pub sbin: Vec<PathBuf>,
    pub extra: Vec<(PathBuf, String)>,
}

/// Makes the root disk `image`, `bytes` long (a whole number of MiB), with
/// `tree` on its root partition. An old image
/// is removed first: a failure leaves none that a later boot could take
/// for this one.
pub fn make(tree: &Tree, image: &Path, bytes: u64) -> Result<()> {
    if image.exists() {
        fs::remove_file(image).with_context(|| format!("removing the old {}", image.display()))?;
    }
    let sources = rootfs_entries(&tree.rootfs)?;
    let [boot, root] = layout(bytes)?;
    let boot_file = ScratchFile::next_to(image, "part1")?;
    mkfs(&boot_file.0, &boot, &BOOT_FS)?;
    let root_file = ScratchFile::next_to(image, "part2")?;
    mkfs(&root_file.0, &root, &ROOT_FS)?;
    if !sources.is_empty() {
        cmd::output_checked(mtools("mcopy").arg("-s").arg("-i").arg(&root_file.0).args(&sources).arg("::/"))
            .context("copying rootfs/ onto the root partition")?;
    }
    let mount_points = MOUNT_POINTS.iter().map(|dir| format!("::/{dir}"));
    cmd::output_checked(mtools("mmd").arg("-i").arg(&root_file.0).args(mount_points))
        .context("making the mount points on the root partition")?;
    put_tree_files(tree, &root_file.0)?;

    let mut disk = File::create(image).with_context(|| format!("creating {}", image.display()))?;
    disk.set_len(bytes).with_context(|| format!("sizing {} to {bytes} bytes", image.display()))?;
    disk.write_all(&mbr::write(&[boot, root])).with_context(|| format!("writing the MBR of {}", image.display()))?;
    for (partition, file) in [(boot, &boot_file), (root, &root_file)] {
        copy_partition_in(&mut disk, &partition, &file.0)
            .with_context(|| format!("copying {} into {}", file.0.display(), image.display()))?;
    }
    disk.sync_all().with_context(|| format!("writing {}", image.display()))
}

/// Copies `tree`'s programs and extra files into the FAT file system in
/// `file` (replacing older ones).
fn put_tree_files(tree: &Tree, file: &Path) -> Result<()> {
    for (dir, programs) in [("bin", &tree.bin), ("sbin", &tree.sbin)] {
        if !programs.is_empty() {
            put_programs(file, dir, programs)?;
        }
    }
    for (host, guest) in &tree.extra {
        put_file(file, host, guest).with_context(|| format!("adding {} as {guest}", host.display()))?;
    }
    Ok(())
}

/// Copies `programs` into directory `dir` of the FAT file system in
/// `file` (made if missing), and `test` a second time as `[` (FAT has no
/// links).
fn put_programs(file: &Path, dir: &str, programs: &[PathBuf]) -> Result<()> {
    let exists = cmd::output_checked(mtools("mdir").arg("-b").arg("-i").arg(file).arg(format!("::/{dir}"))).is_ok();
    if !exists {
        cmd::output_checked(mtools("mmd").arg("-i").arg(file).arg(format!("::/{dir}")))
            .with_context(|| format!("making /{dir}"))?;
    }
    cmd::output_checked(mtools("mcopy").arg("-o").arg("-i").arg(file).args(programs).arg(format!("::/{dir}/")))
        .with_context(|| format!("copying the programs into /{dir}"))?;
    if let Some(test) = programs.iter().find(|p| p.file_name().is_some_and(|n| n == "test")) {
        cmd::output_checked(mtools("mcopy").arg("-o").arg("-i").arg(file).arg(test).arg(format!("::/{dir}/[")))
            .context("copying test as [")?;
    }
    Ok(())
}

/// The entries of `rootfs`, sorted: what mcopy puts at the root. The
/// folder's README.md, which explains it, is not one of them. A mount
/// point among them is refused: its files would be hidden under the tmpfs
/// fs0 mounts there.
fn rootfs_entries(rootfs: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = dir_entries(rootfs)?;
    entries.retain(|path| !path.ends_with("README.md"));
    if let Some(hidden) = entries.iter().find(|path| MOUNT_POINTS.iter().any(|dir| path.ends_with(dir))) {
        bail!("{} would be hidden: fs0 mounts its tmpfs there; remove it from rootfs/", hidden.display());
    }
    Ok(entries)
}

/// The paths of the entries of directory `dir`, sorted.
fn dir_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        entries.push(entry.with_context(|| format!("reading {}", dir.display()))?.path());
    }
    entries.sort();
    Ok(entries)
}

/// Makes the new file `file` hold the file system `fs` of `partition`.
fn mkfs(file: &Path, partition: &Partition, fs: &FatFs) -> Result<()> {
    // mkfs.fat sizes a file it creates in KiB; partitions are whole MiB.
    let kib = partition.len_bytes() / 1024;
    cmd::output_checked(
        Command::new("mkfs.fat")
            .arg("-C")
            .args(["-F", &fs.fat_bits.to_string(), "-n", fs.label])
            // The partition's first sector on the disk, recorded in the
            // boot sector as FAT requires of a partition.
            .args(["-h", &partition.start.to_string()])
            .arg(file)
            .arg(kib.to_string()),
    )
    .with_context(|| format!("formatting {} as FAT{} `{}`", file.display(), fs.fat_bits, fs.label))?;
    Ok(())
}

/// An mtools program: told not to refuse an image whose geometry does not
/// look like a floppy's or a partitioned hard disk's (a partition's image
/// is neither).
fn mtools(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env("MTOOLS_SKIP_CHECK", "1");
    command
}

/// Copies the partition's file into the disk at the partition's place.
fn copy_partition_in(disk: &mut File, partition: &Partition, file: &Path) -> Result<()> {
    let mut source = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    disk.seek(SeekFrom::Start(partition.offset_bytes()))?;
    let copied = io::copy(&mut source, disk)?;
    ensure!(copied == partition.len_bytes(), "{copied} bytes, but the partition is {}", partition.len_bytes());
    Ok(())
}

/// Makes the disk `image` boot what `boot` holds, under BIOS and UEFI:
/// the MBR's code (the partition table stays), core.img in the gap before
/// partition 1, and partition 1 formatted anew with `boot.tree` on it.
/// Partition 2 is not touched.
pub fn install_boot(image: &Path, boot: &DiskBoot) -> Result<()> {
    let mut disk =
        File::options().read(true).write(true).open(image).with_context(|| format!("opening {}", image.display()))?;
    let mut sector = read_mbr(&mut disk, image)?;
    let partition = partition_in(&sector, image, 1)?;
    ensure!(
        partition.kind == BOOT_FS.kind && partition.start == BOOT_START,
        "partition 1 of {} is not a boot partition made by cargo tern (`cargo tern run --fresh` makes a new disk)",
        image.display()
    );
    let gap = u64::from(BOOT_START - 1) * SECTOR;
    ensure!(
        boot.core.len() as u64 <= gap,
        "GRUB's core.img ({} bytes) does not fit in the {gap} bytes before partition 1",
        boot.core.len()
    );

    let file = ScratchFile::next_to(image, "part1")?;
    mkfs(&file.0, &partition, &BOOT_FS)?;
    cmd::output_checked(mtools("mcopy").arg("-s").arg("-i").arg(&file.0).args(dir_entries(&boot.tree)?).arg("::/"))
        .context("copying GRUB, the kernel and its modules onto the boot partition")?;

    sector[..grub::MBR_CODE_BYTES].copy_from_slice(&boot.mbr_code);
    disk.seek(SeekFrom::Start(0))?;
    disk.write_all(&sector).with_context(|| format!("writing the MBR of {}", image.display()))?;
    disk.write_all(&boot.core).with_context(|| format!("writing core.img into {}", image.display()))?;
    copy_partition_in(&mut disk, &partition, &file.0)
        .with_context(|| format!("copying {} into {}", file.0.display(), image.display()))?;
    disk.sync_all().with_context(|| format!("writing {}", image.display()))
}

/// Puts `tree`'s programs into /bin and /sbin of the existing root disk
/// `image`, and its extra files at their places (replacing older ones),
/// leaving every other file as it is: the disk `cargo tern run` keeps from
/// run to run gets the programs just built.
pub fn update_programs(tree: &Tree, image: &Path) -> Result<()> {
    put_tree_files(tree, &root_partition_of(image)?)
}

/// The root partition of the disk `image`, as mtools names it
/// (`image@@offset`).
fn root_partition_of(image: &Path) -> Result<PathBuf> {
    partition_of(image, ROOT_PARTITION)
}

/// Partition `number` of the disk `image`, as mtools names it.
fn partition_of(image: &Path, number: usize) -> Result<PathBuf> {
    let partition = partition_in(&mbr_of(image)?, image, number)?;
    Ok(PathBuf::from(format!("{}@@{}", image.display(), partition.offset_bytes())))
}

/// Copies `host` (a file or a directory, recursively) to `guest` (an
/// absolute path) on the root partition of the disk `image`, making the
/// directories above it.
pub fn add_file(image: &Path, host: &Path, guest: &str) -> Result<()> {
    put_file(&root_partition_of(image)?, host, guest)
}

/// Copies `host` (a file or a directory, recursively) to `guest` (an
/// absolute path) on the FAT file system `partition` (a file, or
/// `image@@offset`), making the directories above it.
fn put_file(partition: &Path, host: &Path, guest: &str) -> Result<()> {
    ensure!(
        guest.starts_with('/') && !guest.ends_with('/'),
        "the guest path `{guest}` must be absolute, like /root/prog"
    );
    ensure!(host.exists(), "{} does not exist", host.display());
    let mut parent = String::new();
    let parts: Vec<&str> = guest.split('/').filter(|p| !p.is_empty()).collect();
    for dir in &parts[..parts.len() - 1] {
        parent = format!("{parent}/{dir}");
        let exists =
            cmd::output_checked(mtools("mdir").arg("-b").arg("-i").arg(partition).arg(format!("::{parent}"))).is_ok();
        if !exists {
            cmd::output_checked(mtools("mmd").arg("-i").arg(partition).arg(format!("::{parent}")))
                .with_context(|| format!("making {parent}"))?;
        }
    }
    cmd::output_checked(
        mtools("mcopy").arg("-s").arg("-o").arg("-i").arg(partition).arg(host).arg(format!("::{guest}")),
    )
    .with_context(|| format!("copying {} to {guest}", host.display()))?;
    Ok(())
}

/// Copies `guest` (a file or a directory, recursively) from the root
/// partition of the disk `image` to `host`, which must not exist yet:
/// what a run left on its disk.
pub fn get_file(image: &Path, guest: &str, host: &Path) -> Result<()> {
    copy_out(image, ROOT_PARTITION, guest, host)
}

/// The same from the boot partition (GRUB, the kernel and its modules).
pub fn get_boot_file(image: &Path, guest: &str, host: &Path) -> Result<()> {
    copy_out(image, 1, guest, host)
}

fn copy_out(image: &Path, number: usize, guest: &str, host: &Path) -> Result<()> {
    ensure!(!host.exists(), "{} exists already", host.display());
    let partition = partition_of(image, number)?;
    cmd::output_checked(
        mtools("mcopy").arg("-s").arg("-n").arg("-i").arg(&partition).arg(format!("::{guest}")).arg(host),
    )
    .with_context(|| format!("copying {guest} out of partition {number} of {}", image.display()))?;
    Ok(())
}

/// `fsck.fat -n` on the root partition of the disk `image`: passes when it
/// exits with 0 and prints nothing but its banner and its summary.
pub fn fsck_root(image: &Path) -> Outcome {
    fsck_root_partition(image).unwrap_or_else(|error| Err(format!("{error:#}")))
}

/// [`fsck_root`]'s work: `Err` when the check cannot be made at all (no
/// image, no partition 2, no fsck.fat), `Ok` with fsck.fat's verdict.
fn fsck_root_partition(image: &Path) -> Result<Outcome> {
    let mut disk = File::open(image).with_context(|| format!("opening {}", image.display()))?;
    let root = partition_in(&read_mbr(&mut disk, image)?, image, ROOT_PARTITION)?;

    let copy = ScratchFile::next_to(image, "fsck-part2")?;
    disk.seek(SeekFrom::Start(root.offset_bytes()))?;
    let mut out = File::create(&copy.0).with_context(|| format!("creating {}", copy.0.display()))?;
    let copied = io::copy(&mut (&mut disk).take(root.len_bytes()), &mut out).with_context(|| {
        format!("copying partition {ROOT_PARTITION} of {} to {}", image.display(), copy.0.display())
    })?;
    ensure!(copied == root.len_bytes(), "{} ends inside partition {ROOT_PARTITION}", image.display());
    drop(out);

    let output = cmd::output(Command::new("fsck.fat").arg("-n").arg(&copy.0))?;
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let checked = copy.0.display().to_string();
    Ok(judge_fsck(output.status.success(), &output.status.to_string(), &printed, &checked))
}

/// fsck.fat's verdict on the file `checked` from its exit status and what
/// it printed: every line but the banner (`fsck.fat 4.2 (2021-01-31)`) and
/// the summary (`<checked>: 4 files, 4/288326 clusters`) is a finding.
fn judge_fsck(success: bool, status: &str, printed: &str, checked: &str) -> Outcome {
    let is_summary = |line: &str| {
        line.strip_prefix(checked)
            .and_then(|rest| rest.strip_prefix(": "))
            .is_some_and(|counts| counts.contains(" files, ") && counts.ends_with(" clusters"))
    };
    let findings: Vec<&str> = printed
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("fsck.fat ") && !is_summary(line))
        .collect();
    match (success, findings.is_empty()) {
        (true, true) => Ok(()),
        (true, false) => Err(format!("fsck.fat exited with 0 but said: {}", findings.join(" | "))),
        (false, _) => Err(format!("fsck.fat ended with {status}: {}", findings.join(" | "))),
    }
}

/// A file beside a disk image for one step of work, removed when dropped
/// (also when the step fails).
struct ScratchFile(PathBuf);

impl ScratchFile {
    /// `<image without extension>.<what>.tmp`; a leftover of an earlier
    /// run is removed (mkfs.fat -C refuses to overwrite a file).
    fn next_to(image: &Path, what: &str) -> Result<ScratchFile> {
        let path = image.with_extension(format!("{what}.tmp"));
        if path.exists() {
            fs::remove_file(&path).with_context(|| format!("removing the leftover {}", path.display()))?;
        }
        Ok(ScratchFile(path))
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        // Nothing to do about a file that cannot be removed; the next run
        // removes it first.
        let _ = fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sector_without_the_signature_is_no_mbr() {
        let mut sector = mbr::write(&[]);
        assert_eq!(partitions(&sector).unwrap(), [None; 4]);
        sector[511] = 0;
        assert!(partitions(&sector).unwrap_err().to_string().contains("no MBR"));
        assert!(partitions(&sector[..100]).is_err());
    }

    #[test]
    fn the_root_partition_fills_the_disk_after_the_boot_partition() {
        let [boot, root] = layout(DEFAULT_BYTES).unwrap();
        assert_eq!(boot, Partition { kind: 0x0E, start: 2048, sectors: 32768 });
        assert_eq!(root, Partition { kind: 0x0C, start: 34816, sectors: 160 * 2048 - 34816 });
        assert_eq!(root.start % MIB_SECTORS, 0);
        assert!(layout(17 << 20).is_err());
        assert!(layout((160 << 20) + 512).is_err());
    }

    #[test]
    fn fsck_passes_only_silence_and_a_clean_exit() {
        let clean = "fsck.fat 4.2 (2021-01-31)\n/b/x.tmp: 4 files, 4/288326 clusters\n";
        assert_eq!(judge_fsck(true, "exit status: 0", clean, "/b/x.tmp"), Ok(()));
        let dirty = "fsck.fat 4.2 (2021-01-31)\n\
                     Dirty bit is set. Fs was not properly unmounted and some data may be corrupt.\n \
                     Automatically removing dirty bit.\n\nLeaving filesystem unchanged.\n\
                     /b/x.tmp: 4 files, 4/288326 clusters\n";
        assert_eq!(
            judge_fsck(false, "exit status: 1", dirty, "/b/x.tmp"),
            Err("fsck.fat ended with exit status: 1: Dirty bit is set. Fs was not properly unmounted and some \
                 data may be corrupt. | Automatically removing dirty bit. | Leaving filesystem unchanged."
                .to_string())
        );
        let chatty =
            "fsck.fat 4.2 (2021-01-31)\nFree cluster summary wrong (9 vs. really 4)\n/b/x.tmp: 1 files, 4/9 clusters\n";
        assert_eq!(
            judge_fsck(true, "exit status: 0", chatty, "/b/x.tmp"),
            Err("fsck.fat exited with 0 but said: Free cluster summary wrong (9 vs. really 4)".to_string())
        );
        // A summary for another file is no summary of this one.
        let other = "fsck.fat 4.2 (2021-01-31)\n/b/y.tmp: 4 files, 4/288326 clusters\n";
        assert!(judge_fsck(true, "exit status: 0", other, "/b/x.tmp").is_err());
    }

    /// The boot area goes where BIOS and UEFI look for it, and nothing of
    /// the partition table or the root partition changes.
    #[test]
    fn installs_the_boot_area_and_keeps_the_root() {
        let dir = std::env::temp_dir().join(format!("tern-boot-area-{}", std::process::id()));
        let rootfs = dir.join("rootfs");
        fs::create_dir_all(rootfs.join("etc")).unwrap();
        fs::write(rootfs.join("etc/motd"), "hi\n").unwrap();
        let image = dir.join("disk.img");
        make(&Tree { rootfs, bin: Vec::new(), sbin: Vec::new(), extra: Vec::new() }, &image, 64 << 20).unwrap();
        let before = fs::read(&image).unwrap();

        let tree = dir.join("tree");
        fs::create_dir_all(tree.join("EFI/BOOT")).unwrap();
        fs::write(tree.join("EFI/BOOT/BOOTX64.EFI"), "loader").unwrap();
        let boot = DiskBoot { mbr_code: [0xaa; grub::MBR_CODE_BYTES], core: vec![0xcc; 3 * 512], tree };
        install_boot(&image, &boot).unwrap();

        let after = fs::read(&image).unwrap();
        assert_eq!(after.len(), before.len());
        assert!(after[..grub::MBR_CODE_BYTES].iter().all(|&b| b == 0xaa));
        assert_eq!(after[grub::MBR_CODE_BYTES..512], before[grub::MBR_CODE_BYTES..512], "the partition table stays");
        assert!(after[512..4 * 512].iter().all(|&b| b == 0xcc));
        let [_, Some(root), ..] = partitions(&after[..512]).unwrap() else { panic!("no root partition") };
        let root_bytes = root.offset_bytes() as usize..;
        assert!(after[root_bytes.clone()] == before[root_bytes], "the root partition stays");
        let boot_listing = cmd::output_checked(
            mtools("mdir").arg("-b").arg("-i").arg(format!("{}@@{}", image.display(), 1u64 << 20)).arg("::/EFI/BOOT"),
        )
        .unwrap();
        assert_eq!(String::from_utf8_lossy(&boot_listing.stdout).trim(), "::/EFI/BOOT/BOOTX64.EFI");

        let too_big = DiskBoot { core: vec![0; 2048 * 512], ..boot };
        let refused = install_boot(&image, &too_big).unwrap_err().to_string();
        assert!(refused.contains("does not fit"), "{refused}");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The whole recipe with the real tools (`cargo tern test` installs
    /// them before the host tests run): a small root disk, its listing,
    /// fsck on it clean, then with its dirty bit set.
    #[test]
    fn makes_a_root_disk_that_fsck_finds_clean() {
        let dir = std::env::temp_dir().join(format!("tern-root-disk-{}", std::process::id()));
        let rootfs = dir.join("rootfs");
        fs::create_dir_all(rootfs.join("etc")).unwrap();
        fs::write(rootfs.join("etc/Profile.txt"), "PATH=/bin\n").unwrap();
        fs::write(rootfs.join("README.md"), "stays behind\n").unwrap();
        let image = dir.join("root.img");
        // The smallest FAT32 mkfs.fat makes with 512-byte clusters is ~33 MiB.
        let program = dir.join("test");
        fs::write(&program, "#!/bin/sh\n").unwrap();
        let extra = vec![(program.clone(), "/opt/x/bin/prog".to_string())];
        make(&Tree { rootfs, bin: vec![program], sbin: Vec::new(), extra }, &image, 64 << 20).unwrap();

        let sector = fs::read(&image).unwrap()[..512].to_vec();
        let [_, Some(root), None, None] = partitions(&sector).unwrap() else { panic!("two partitions expected") };
        let listing = cmd::output_checked(
            mtools("mdir").arg("-b").arg("-i").arg(format!("{}@@{}", image.display(), root.offset_bytes())).arg("::/"),
        )
        .unwrap();
        let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
        assert_eq!(
            listing.lines().collect::<Vec<_>>(),
            ["::/etc/", "::/dev/", "::/proc/", "::/tmp/", "::/bin/", "::/opt/"],
            "{listing}"
        );
        let bin = cmd::output_checked(
            mtools("mdir")
                .arg("-b")
                .arg("-i")
                .arg(format!("{}@@{}", image.display(), root.offset_bytes()))
                .arg("::/bin"),
        )
        .unwrap();
        let bin = String::from_utf8_lossy(&bin.stdout).into_owned();
        assert_eq!(bin.lines().collect::<Vec<_>>(), ["::/bin/test", "::/bin/["], "{bin}");
        let back = dir.join("back");
        get_file(&image, "/opt/x", &back).unwrap();
        assert_eq!(fs::read_to_string(back.join("bin/prog")).unwrap(), "#!/bin/sh\n");
        assert!(get_file(&image, "/opt/none", &dir.join("none")).is_err());
        assert_eq!(fsck_root(&image), Ok(()));

        // FAT32's dirty bit: byte 0x41 of the root partition's boot sector.
        let mut disk = fs::OpenOptions::new().write(true).open(&image).unwrap();
        disk.seek(SeekFrom::Start(root.offset_bytes() + 0x41)).unwrap();
        disk.write_all(&[0x01]).unwrap();
        drop(disk);
        let dirty = fsck_root(&image).unwrap_err();
        assert!(dirty.contains("Dirty bit is set"), "{dirty}");
        assert!(!image.with_extension("fsck-part2.tmp").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
