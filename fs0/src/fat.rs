//! A FAT file system on a disk partition, through the `fatfs` crate.
//!
//! fatfs works with paths and short-lived handles; POSIX wants inode
//! numbers that stay valid while a file is open, renamed or unlinked. So:
//! - Every name fs0 has looked up becomes a [`FatNode`] with a number, its
//!   parent's number and its name; a node's path is rebuilt from its
//!   parents when fatfs needs one, so renaming a directory moves all that
//!   is below it at once. Attributes (size, times) are cached in the node:
//!   every change goes through fs0.
//! - A file being read or written keeps one fatfs `File` (shared by all its
//!   open descriptions), because fatfs seeks by walking the cluster chain
//!   from where the handle is: sequential transfers cost nothing extra. The
//!   handle is dropped (and its directory entry written) at the last close,
//!   and before the entry moves (rename, unlink).
//! - FAT has no link count: a file unlinked while open is renamed to a
//!   hidden name in the root directory and removed at its last close (or at
//!   the next mount, after a crash).
//! - FAT names are case-insensitive and case-preserving; nodes are found
//!   by the upper-cased name. FAT stores no owner, no mode (files are 0755,
//!   0555 when read-only) and no links: symlink, link and mknod are EPERM.
//!
//! fatfs 0.3.6 writes things fsck.fat rejects, and they are repaired here
//! on disk right after fatfs made them ([`Fat::repair_new_entry`]): a new
//! directory starts with long-name entries before `.` and `..` and, in the
//! root of FAT32, a `..` naming cluster 2 instead of 0; a directory moved
//! to another parent keeps its old `..`; and a name like `.git` gets a
//! short name with an empty base. The repairs read and write the entries
//! through the block cache fatfs itself uses. fatfs also does not undo a
//! change that runs out of space halfway, so fs0 checks for room first.
//!
//! The mounted volume and its open files live in one value ([`Mounted`],
//! made with `self_cell`), so that unmounting drops the files, then the
//! file system, which writes its free-space summary and marks the volume
//! clean.

use alloc::collections::BTreeMap;
use alloc::collections::btree_map::Entry;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;

use core_io::{ErrorKind, Read, Seek, SeekFrom, Write};
use fatfs::{Date, DateTime, Dir, DirEntry, File, FileAttributes, FileSystem, FsOptions, Time, TimeProvider};
use fs0_proto::errno::{EEXIST, EFBIG, EINVAL, EIO, EISDIR, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, EPERM};
use libtern_sys::calendar;

use crate::block_cache::{BlockCache, Volume};

/// The root directory's node number. FAT nodes are numbered from here on,
/// far above tmpfs inodes, so that a number says which file system it is.
pub const ROOT: u64 = 1 << 48;
/// Largest FAT file.
pub const MAX_FILE: u64 = u32::MAX as u64;
/// Longest name.
const NAME_MAX: usize = 255;
/// Free clusters a change of directory entries may take: a new
/// directory's cluster, and the directory growing for a long name. fatfs
/// does not undo a change that runs out of space halfway (a rename would
/// lose the file), so fs0 asks for this much before it starts one.
const ENTRY_CLUSTERS: u32 = 3;
/// Names in the root directory of files unlinked while open (removed at
/// mount), and the passing name of a rename that changes only case: fs0's
/// own, refused to programs (EINVAL).
const UNLINKED_PREFIX: &str = ".tern-unlinked-";
const RENAMING_PREFIX: &str = ".tern-renaming-";

const NS_PER_SEC: u64 = 1_000_000_000;

type OpenFiles<'a> = BTreeMap<u64, File<'a, Volume>>;

self_cell::self_cell!(
    /// A mounted volume and the fatfs files open on it.
    struct Mounted {
        owner: FileSystem<Volume>,
        #[covariant]
        dependent: OpenFiles,
    }
);

/// The time fatfs stamps on what it writes: a function giving ns since the
/// epoch (UTC; FAT has no time zone).
#[derive(Debug)]
pub struct FatClock(pub fn() -> u64);

impl TimeProvider for FatClock {
    fn get_current_date(&self) -> Date {
        date_time((self.0)()).date
    }

    fn get_current_date_time(&self) -> DateTime {
        date_time((self.0)())
    }
}

/// `ns` since the epoch as a FAT date and time (clamped to FAT's
/// 1980..=2107).
fn date_time(ns: u64) -> DateTime {
    let secs = ns / NS_PER_SEC;
    let (year, month, day) = calendar::civil_from_days((secs / 86_400) as i64);
    let in_day = secs % 86_400;
    let (year, month, day) = match year {
        ..1980 => (1980, 1, 1),
        2108.. => (2107, 12, 31),
        _ => (year as u16, month as u16, day as u16),
    };
    let time = Time {
        hour: (in_day / 3600) as u16,
        min: (in_day / 60 % 60) as u16,
        sec: (in_day % 60) as u16,
        millis: ((ns % NS_PER_SEC) / 1_000_000) as u16,
    };
    DateTime { date: Date { year, month, day }, time }
}

/// A FAT date and time as ns since the epoch.
fn epoch_ns(at: DateTime) -> u64 {
    let days = calendar::days_from_civil(i64::from(at.date.year), u32::from(at.date.month), u32::from(at.date.day));
    let secs =
        days as u64 * 86_400 + u64::from(at.time.hour) * 3600 + u64::from(at.time.min) * 60 + u64::from(at.time.sec);
    secs * NS_PER_SEC + u64::from(at.time.millis) * 1_000_000
}

/// The errno for a fatfs error (fatfs says most things with a message).
fn errno(e: core_io::Error) -> u32 {
    match (e.kind(), e.message()) {
        (ErrorKind::NotFound, _) => ENOENT,
        (ErrorKind::AlreadyExists, _) => EEXIST,
        (_, "Directory not empty") => ENOTEMPTY,
        (_, "No space left on device") => ENOSPC,
        (_, "File name too long") => ENAMETOOLONG,
        (_, "File name contains unsupported characters") | (_, "File name is empty") => EINVAL,
        (_, "Is a directory") => EISDIR,
        (_, "Not a directory") => ENOTDIR,
        _ => EIO,
    }
}

/// What fs0 knows of one file or directory.
#[derive(Clone, Debug)]
struct FatNode {
    parent: u64,
    /// The name in its directory, as stored (long name).
    name: String,
    dir: bool,
    size: u64,
    /// Modification time, ns since the epoch.
    mtime: u64,
    read_only: bool,
    /// Open descriptions of the node.
    opens: u32,
    /// Unlinked while open: lives under a hidden name until the last close.
    unlinked: bool,
}

/// What a directory entry says, taken out of fatfs's borrowed entry.
struct EntryInfo {
    name: String,
    dir: bool,
    size: u64,
    mtime: u64,
    read_only: bool,
}

impl EntryInfo {
    fn of(entry: &DirEntry<Volume>) -> EntryInfo {
        EntryInfo {
            name: entry.file_name(),
            dir: entry.is_dir(),
            size: if entry.is_dir() { 0 } else { entry.len() },
            mtime: epoch_ns(entry.modified()),
            read_only: entry.attributes().contains(FileAttributes::READ_ONLY),
        }
    }
}

/// What stat shows of a FAT node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FatAttr {
    pub dir: bool,
    pub perm: u32,
    pub size: u64,
    pub mtime: u64,
}

/// Where clusters are on the volume (from its boot sector).
#[derive(Clone, Copy, Debug)]
struct Geometry {
    cluster_bytes: u64,
    /// Byte offset of cluster 2 within the volume.
    data_start: u64,
    /// Byte offset of the boot sector's status flags (bit 0: dirty).
    status_flags: u64,
    /// Byte offset of the first FAT, and its entries' width (12, 16, 32).
    fat_start: u64,
    fat_bits: u32,
    /// The root directory: FAT32's first cluster, or FAT12/16's fixed
    /// region (offset, bytes).
    root_cluster: u32,
    root_region: (u64, u64),
    clusters: u64,
}

impl Geometry {
    fn read(boot: &[u8; 512]) -> Option<Geometry> {
        let half = |i: usize| u64::from(u16::from_le_bytes([boot[i], boot[i + 1]]));
        let word = |i: usize| u64::from(u32::from_le_bytes([boot[i], boot[i + 1], boot[i + 2], boot[i + 3]]));
        let sector = half(11);
        let per_cluster = u64::from(boot[13]);
        let fat_size = if half(22) != 0 { half(22) } else { word(36) };
        let root_sectors = (half(17) * 32).div_ceil(sector.max(1));
        let first_data = half(14) + u64::from(boot[16]) * fat_size + root_sectors;
        // FAT32 has no 16-bit FAT size, and its flags sit further on.
        let fat32 = half(22) == 0;
        let status_flags = if fat32 { 0x41 } else { 0x25 };
        let total = if half(19) != 0 { half(19) } else { word(32) };
        let clusters = total.saturating_sub(first_data) / per_cluster.max(1);
        // The FAT type follows from the cluster count (Microsoft's rule).
        let fat_bits = match clusters {
            _ if fat32 => 32,
            ..4085 => 12,
            _ => 16,
        };
        let root_start = (half(14) + u64::from(boot[16]) * fat_size) * sector;
        (sector >= 512 && per_cluster > 0).then_some(Geometry {
            cluster_bytes: sector * per_cluster,
            data_start: first_data * sector,
            status_flags,
            fat_start: half(14) * sector,
            fat_bits,
            root_cluster: word(44) as u32,
            root_region: (root_start, root_sectors * sector),
            clusters,
        })
    }

    fn cluster_offset(&self, cluster: u32) -> u64 {
        self.data_start + (u64::from(cluster) - 2) * self.cluster_bytes
    }
}

pub struct Fat {
    mounted: Option<Mounted>,
    cache: Rc<RefCell<BlockCache>>,
    /// The volume's first byte on the disk.
    start: u64,
    geometry: Geometry,
    nodes: BTreeMap<u64, FatNode>,
    /// (parent, upper-cased name) -> node.
    names: BTreeMap<(u64, String), u64>,
    next: u64,
    clock: &'static FatClock,
}

/// Why a volume could not be mounted.
#[derive(Debug)]
pub enum MountError {
    OutsideDisk,
    NotFat(core_io::Error),
}

fn fold(name: &str) -> String {
    name.to_uppercase()
}

/// A name FAT can store: UTF-8, 1..=255 bytes, not `.` or `..`, no
/// control characters, none of `"*/:<>?\|`, nothing past U+FFFF (long
/// names are UCS-2). Checked here before fatfs sees the name: fatfs checks
/// only after it has allocated a new directory's cluster, which a refused
/// name would then leak.
fn fat_name(name: &[u8]) -> Result<&str, u32> {
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    let name = core::str::from_utf8(name).map_err(|_| EINVAL)?;
    if name.starts_with(UNLINKED_PREFIX) || name.starts_with(RENAMING_PREFIX) {
        return Err(EINVAL);
    }
    let storable = |c: char| c >= ' ' && c != '\u{7f}' && c <= '\u{ffff}' && !"\"*/:<>?\\|".contains(c);
    if name.is_empty() || name == "." || name == ".." || !name.chars().all(storable) {
        return Err(EINVAL);
    }
    Ok(name)
}

/// The first cluster an entry names, from its `Debug` text: fatfs 0.3.6
/// (pinned in the workspace) keeps the field to itself, and the repairs
/// above need it.
fn first_cluster(entry: &DirEntry<Volume>) -> Option<u32> {
    let text = format!("{entry:?}");
    let field = |name: &str| -> Option<u32> {
        let at = text.find(name)? + name.len();
        let digits: String = text[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().ok()
    };
    let cluster = (field("first_cluster_hi: ")? << 16) | field("first_cluster_lo: ")?;
    (cluster >= 2).then_some(cluster)
}

/// Whether `entry` of directory `dir` is one that lookups and listings
/// show: not `.` or `..`, not a file hidden in the root after an unlink.
fn listed(dir: u64, entry: &DirEntry<Volume>) -> bool {
    let short = entry.short_file_name_as_bytes();
    short != b"." && short != b".." && !(dir == ROOT && entry.file_name().starts_with(UNLINKED_PREFIX))
}

/// Moves `file` to `offset`, which must be within it: fatfs clamps a
/// seek to the end of the cluster chain, and a chain shorter than the
/// file's size (a damaged volume) must not make a write land elsewhere.
fn seek_to(file: &mut File<Volume>, offset: u64) -> Result<(), u32> {
    match file.seek(SeekFrom::Start(offset)).map_err(errno)? {
        at if at == offset => Ok(()),
        _ => Err(EIO),
    }
}

/// `dir` of `fs` by path ("" is the root).
fn open_dir<'a>(fs: &'a FileSystem<Volume>, path: &str) -> Result<Dir<'a, Volume>, u32> {
    if path.is_empty() { Ok(fs.root_dir()) } else { fs.root_dir().open_dir(path).map_err(errno) }
}

/// The cluster of directory `dir` (its `.` entry says), 0 for the root.
fn dir_cluster(fs: &FileSystem<Volume>, path: &str) -> Result<u32, u32> {
    if path.is_empty() {
        return Ok(0);
    }
    let dir = open_dir(fs, path)?;
    for entry in dir.iter() {
        let entry = entry.map_err(errno)?;
        if entry.short_file_name_as_bytes() == b"." {
            return first_cluster(&entry).ok_or(EIO);
        }
    }
    Err(EIO)
}

impl Fat {
    /// Mounts the FAT volume at bytes `start..start + len` of the disk
    /// behind `cache`.
    pub fn mount(
        cache: Rc<RefCell<BlockCache>>,
        start: u64,
        len: u64,
        clock: &'static FatClock,
    ) -> Result<Fat, MountError> {
        let volume = Volume::new(cache.clone(), start, len).ok_or(MountError::OutsideDisk)?;
        let mut boot = [0u8; 512];
        cache.borrow_mut().read(start, &mut boot).map_err(|_| MountError::NotFat(core_io::ErrorKind::Other.into()))?;
        let geometry = Geometry::read(&boot)
            .ok_or(MountError::NotFat(core_io::Error::new(ErrorKind::InvalidData, "no FAT boot sector")))?;
        let options = FsOptions::new().update_accessed_date(false).time_provider(clock);
        let fs = FileSystem::new(volume, options).map_err(MountError::NotFat)?;
        let mut nodes = BTreeMap::new();
        let root = FatNode {
            parent: ROOT,
            name: String::new(),
            dir: true,
            size: 0,
            mtime: 0,
            read_only: false,
            opens: 0,
            unlinked: false,
        };
        nodes.insert(ROOT, root);
        let mut fat = Fat {
            mounted: Some(Mounted::new(fs, |_| BTreeMap::new())),
            cache,
            start,
            geometry,
            nodes,
            names: BTreeMap::new(),
            next: ROOT + 1,
            clock,
        };
        fat.remove_leftovers();
        Ok(fat)
    }

    /// Removes the files a crash left unlinked but not yet removed.
    fn remove_leftovers(&mut self) {
        let Some(mounted) = &self.mounted else { return };
        let root = mounted.borrow_owner().root_dir();
        let names: Vec<String> = root
            .iter()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| n.starts_with(UNLINKED_PREFIX))
            .collect();
        for name in names {
            let _ = root.remove(&name);
        }
    }

    fn mounted(&mut self) -> Result<&mut Mounted, u32> {
        self.mounted.as_mut().ok_or(EIO)
    }

    fn fs(&self) -> Result<&FileSystem<Volume>, u32> {
        self.mounted.as_ref().map(Mounted::borrow_owner).ok_or(EIO)
    }

    fn node(&self, ino: u64) -> Result<&FatNode, u32> {
        self.nodes.get(&ino).ok_or(ENOENT)
    }

    /// The path of node `ino` from the root ("" for the root).
    fn path(&self, mut ino: u64) -> Result<String, u32> {
        let mut parts = Vec::new();
        while ino != ROOT {
            let node = self.node(ino)?;
            parts.push(node.name.as_str());
            ino = node.parent;
        }
        parts.reverse();
        Ok(parts.join("/"))
    }

    /// The path of directory `dir` from the root, as the tree names it.
    pub fn path_of(&self, dir: u64) -> Result<Vec<u8>, u32> {
        let mut path = b"/".to_vec();
        path.extend(self.dir_path(dir)?.into_bytes());
        Ok(path)
    }

    fn dir_path(&self, dir: u64) -> Result<String, u32> {
        if !self.node(dir)?.dir {
            return Err(ENOTDIR);
        }
        self.path(dir)
    }

    /// The node for `entry` of directory `dir`, made if new.
    fn node_for(&mut self, dir: u64, entry: EntryInfo) -> u64 {
        let key = (dir, fold(&entry.name));
        if let Some(&ino) = self.names.get(&key) {
            return ino;
        }
        let ino = self.next;
        self.next += 1;
        let node = FatNode {
            parent: dir,
            name: entry.name,
            dir: entry.dir,
            size: entry.size,
            mtime: entry.mtime,
            read_only: entry.read_only,
            opens: 0,
            unlinked: false,
        };
        self.nodes.insert(ino, node);
        self.names.insert(key, ino);
        ino
    }

    /// Entry `name` of directory `dir`.
    pub fn lookup(&mut self, dir: u64, name: &[u8]) -> Result<u64, u32> {
        let name = fat_name(name)?;
        if let Some(&ino) = self.names.get(&(dir, fold(name))) {
            return Ok(ino);
        }
        let path = self.dir_path(dir)?;
        let folded = fold(name);
        let fs = self.fs()?;
        let found = open_dir(fs, &path)?.iter().find_map(|e| match e {
            Ok(e) if listed(dir, &e) && fold(&e.file_name()) == folded => Some(Ok(EntryInfo::of(&e))),
            Ok(_) => None,
            Err(e) => Some(Err(errno(e))),
        });
        match found {
            Some(Ok(entry)) => Ok(self.node_for(dir, entry)),
            Some(Err(e)) => Err(e),
            None => Err(ENOENT),
        }
    }

    pub fn parent_of(&self, dir: u64) -> Result<u64, u32> {
        let node = self.node(dir)?;
        if node.dir { Ok(node.parent) } else { Err(ENOTDIR) }
    }

    pub fn attr(&self, ino: u64) -> Result<FatAttr, u32> {
        let node = self.node(ino)?;
        let perm = if node.read_only { 0o555 } else { 0o755 };
        Ok(FatAttr { dir: node.dir, perm, size: node.size, mtime: node.mtime })
    }

    /// The entries of directory `dir` (without `.`, `..` and hidden
    /// unlinked files), in the order they are stored: (name, node).
    pub fn list(&mut self, dir: u64) -> Result<Vec<(Vec<u8>, u64)>, u32> {
        let path = self.dir_path(dir)?;
        let fs = self.fs()?;
        let mut entries = Vec::new();
        for entry in open_dir(fs, &path)?.iter() {
            let entry = entry.map_err(errno)?;
            if listed(dir, &entry) {
                entries.push(EntryInfo::of(&entry));
            }
        }
        Ok(entries
            .into_iter()
            .map(|entry| {
                let name = entry.name.clone().into_bytes();
                (name, self.node_for(dir, entry))
            })
            .collect())
    }

    /// A new empty file `name` in `dir`.
    pub fn create(&mut self, dir: u64, name: &[u8], now: u64) -> Result<u64, u32> {
        self.new_entry(dir, name, false, now)
    }

    /// A new directory `name` in `dir`.
    pub fn mkdir(&mut self, dir: u64, name: &[u8], now: u64) -> Result<u64, u32> {
        self.new_entry(dir, name, true, now)
    }

    /// A new file or directory `name` in `dir`: checked (name, EEXIST,
    /// room), made by fatfs, repaired, and its node.
    fn new_entry(&mut self, dir: u64, name: &[u8], directory: bool, now: u64) -> Result<u64, u32> {
        let name = fat_name(name)?;
        match self.lookup(dir, name.as_bytes()) {
            Ok(_) => return Err(EEXIST),
            Err(ENOENT) => {}
            Err(e) => return Err(e),
        }
        let path = self.dir_path(dir)?;
        self.room_for_entries()?;
        {
            let parent = open_dir(self.fs()?, &path)?;
            if directory {
                parent.create_dir(name).map_err(errno)?;
            } else {
                parent.create_file(name).map_err(errno)?;
            }
        }
        self.repair_new_entry(&path, name, directory)?;
        let ino = self.lookup(dir, name.as_bytes())?;
        self.touch(dir, now);
        Ok(ino)
    }

    /// Makes the entry fatfs just wrote for `name` in directory `parent`
    /// (and, for a directory, its own first entries) what fsck.fat
    /// accepts; see the module's design notes.
    fn repair_new_entry(&mut self, parent: &str, name: &str, dir: bool) -> Result<(), u32> {
        let fs = self.fs()?;
        let parent_cluster = dir_cluster(fs, parent)?;
        let child = if parent.is_empty() { String::from(name) } else { format!("{parent}/{name}") };
        let child_cluster = if dir { Some(dir_cluster(fs, &child)?) } else { None };
        self.repair_short_name(parent_cluster, name)?;
        match child_cluster {
            Some(cluster) => self.repair_dot_entries(cluster, parent_cluster),
            None => Ok(()),
        }
    }

    /// The byte ranges (in the volume) of directory `cluster`'s entries (0:
    /// the root), following its cluster chain for at most as many clusters
    /// as the volume has (a chain that loops ends there).
    fn directory_extents(&self, cluster: u32) -> Result<Vec<(u64, u64)>, u32> {
        let g = self.geometry;
        let mut cluster = match cluster {
            0 if g.fat_bits != 32 => return Ok(alloc::vec![g.root_region]),
            0 => g.root_cluster,
            c => c,
        };
        let mut extents = Vec::new();
        let mut cache = self.cache.borrow_mut();
        while cluster >= 2 && u64::from(cluster) < g.clusters + 2 && (extents.len() as u64) < g.clusters {
            extents.push((g.cluster_offset(cluster), g.cluster_bytes));
            let next = match g.fat_bits {
                32 => {
                    let mut entry = [0u8; 4];
                    cache.read(self.start + g.fat_start + 4 * u64::from(cluster), &mut entry).map_err(|_| EIO)?;
                    u32::from_le_bytes(entry) & 0x0fff_ffff
                }
                16 => {
                    let mut entry = [0u8; 2];
                    cache.read(self.start + g.fat_start + 2 * u64::from(cluster), &mut entry).map_err(|_| EIO)?;
                    match u16::from_le_bytes(entry) {
                        n if n >= 0xfff8 => 0x0fff_ffff,
                        n => u32::from(n),
                    }
                }
                _ => return Err(EIO),
            };
            cluster = next;
        }
        Ok(extents)
    }

    /// fatfs 0.3.6 gives a name like `.git` (a dot, then at most three
    /// characters) the short name "        GIT": an empty base, which
    /// fsck.fat rejects. The entry in directory `parent` gets a short name
    /// of the form `GIT~N` instead, and its long-name entries the matching
    /// checksum. Other names are left alone; so is FAT12 (fatfs only makes
    /// it on volumes too small to be a root).
    fn repair_short_name(&mut self, parent: u32, name: &str) -> Result<(), u32> {
        const ENTRY: usize = 32;
        const LFN: u8 = 0x0f;
        let rest = &name[1..];
        let broken =
            name.starts_with('.') && (1..=3).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_alphanumeric());
        if !broken || self.geometry.fat_bits == 12 {
            return Ok(());
        }
        let mut bad = [b' '; 11];
        bad[8..8 + rest.len()].copy_from_slice(rest.to_ascii_uppercase().as_bytes());
        let extents = self.directory_extents(parent)?;
        let mut bytes = Vec::new();
        let mut places = Vec::new();
        {
            let mut cache = self.cache.borrow_mut();
            for &(at, len) in &extents {
                let mut chunk = alloc::vec![0u8; len as usize];
                cache.read(self.start + at, &mut chunk).map_err(|_| EIO)?;
                for i in 0..chunk.len() / ENTRY {
                    places.push(self.start + at + (i * ENTRY) as u64);
                }
                bytes.extend_from_slice(&chunk);
            }
        }
        let entries: Vec<&[u8]> = bytes.chunks(ENTRY).collect();
        let live = |e: &[u8]| e[0] != 0 && e[0] != 0xe5 && e[11] != LFN;
        let Some(index) = entries.iter().position(|e| live(e) && e[..11] == bad) else { return Ok(()) };
        let taken: Vec<&[u8]> = entries.iter().filter(|e| live(e)).map(|e| &e[..11]).collect();
        let base = rest.to_ascii_uppercase();
        let Some(short) = (1..100_000u32)
            .map(|n| {
                let tail = format!("~{n}");
                let mut short = [b' '; 11];
                let keep = base.len().min(8 - tail.len());
                short[..keep].copy_from_slice(&base.as_bytes()[..keep]);
                short[keep..keep + tail.len()].copy_from_slice(tail.as_bytes());
                short
            })
            .find(|short| !taken.contains(&&short[..]))
        else {
            return Err(EEXIST);
        };
        let checksum = short.iter().fold(0u8, |sum, &b| ((sum & 1) << 7).wrapping_add(sum >> 1).wrapping_add(b));
        let mut cache = self.cache.borrow_mut();
        cache.write(places[index], &short).map_err(|_| EIO)?;
        for i in (0..index).rev().take_while(|&i| entries[i][11] == LFN) {
            cache.write(places[i] + 13, &[checksum]).map_err(|_| EIO)?;
        }
        Ok(())
    }

    /// Rewrites the start of directory `cluster` as fsck.fat wants it:
    /// `.` and `..` first (moving them over the long-name entries fatfs
    /// wrote before them), `..` naming `parent` (0 for the root).
    fn repair_dot_entries(&mut self, cluster: u32, parent: u32) -> Result<(), u32> {
        const ENTRY: usize = 32;
        const LFN: u8 = 0x0f;
        const DELETED: u8 = 0xe5;
        let at = self.start + self.geometry.cluster_offset(cluster);
        let mut head = [0u8; 4 * ENTRY];
        let mut cache = self.cache.borrow_mut();
        cache.read(at, &mut head).map_err(|_| EIO)?;
        const DOT: &[u8; 11] = b".          ";
        const DOTDOT: &[u8; 11] = b"..         ";
        let is_lfn = |head: &[u8], i: usize| head[i * ENTRY + 11] == LFN;
        let is_named = |head: &[u8], i: usize, name: &[u8; 11]| &head[i * ENTRY..i * ENTRY + 11] == name;
        if is_lfn(&head, 0) && is_named(&head, 1, DOT) && is_lfn(&head, 2) && is_named(&head, 3, DOTDOT) {
            let (dot, dotdot) = (head[ENTRY..2 * ENTRY].to_vec(), head[3 * ENTRY..4 * ENTRY].to_vec());
            head = [0u8; 4 * ENTRY];
            head[..ENTRY].copy_from_slice(&dot);
            head[ENTRY..2 * ENTRY].copy_from_slice(&dotdot);
            // Deleted, not "end of directory": entries may follow.
            head[2 * ENTRY] = DELETED;
            head[3 * ENTRY] = DELETED;
        }
        if !(is_named(&head, 0, DOT) && is_named(&head, 1, DOTDOT)) {
            return Err(EIO);
        }
        head[ENTRY + 20..ENTRY + 22].copy_from_slice(&((parent >> 16) as u16).to_le_bytes());
        head[ENTRY + 26..ENTRY + 28].copy_from_slice(&(parent as u16).to_le_bytes());
        cache.write(at, &head).map_err(|_| EIO)
    }

    /// The volume's space: (bytes per cluster, clusters, free clusters).
    /// fatfs counts the free clusters once, by reading the whole FAT,
    /// unless the volume's FSInfo sector had the count (a FAT32 volume
    /// unmounted cleanly); from then on it keeps the count as clusters
    /// come and go, so this is cheap (and every write asks it anyway).
    pub fn space(&self) -> Result<(u64, u64, u64), u32> {
        let stats = self.fs()?.stats().map_err(errno)?;
        Ok((u64::from(stats.cluster_size()), u64::from(stats.total_clusters()), u64::from(stats.free_clusters())))
    }

    /// ENOSPC unless a change of directory entries has room to finish.
    fn room_for_entries(&self) -> Result<(), u32> {
        let stats = self.fs()?.stats().map_err(errno)?;
        if stats.free_clusters() < ENTRY_CLUSTERS { Err(ENOSPC) } else { Ok(()) }
    }

    /// ENOSPC unless `bytes` more of file data fit.
    fn room_for_bytes(&self, bytes: u64) -> Result<(), u32> {
        let stats = self.fs()?.stats().map_err(errno)?;
        let clusters = bytes.div_ceil(u64::from(stats.cluster_size())) + 1;
        if u64::from(stats.free_clusters()) < clusters { Err(ENOSPC) } else { Ok(()) }
    }

    /// Records a change in directory `dir` (its time, for stat).
    fn touch(&mut self, dir: u64, now: u64) {
        if let Some(node) = self.nodes.get_mut(&dir) {
            node.mtime = now;
        }
    }

    /// Closes fatfs's handle of `ino`, if open, writing its entry.
    fn close_handle(&mut self, ino: u64) -> Result<(), u32> {
        let handle = self.mounted()?.with_dependent_mut(|_, files| files.remove(&ino));
        match handle {
            Some(mut file) => file.flush().map_err(errno),
            None => Ok(()),
        }
    }

    /// Runs `f` on the fatfs handle of file `ino`, opening it if needed.
    fn with_file<R>(&mut self, ino: u64, f: impl FnOnce(&mut File<Volume>) -> Result<R, u32>) -> Result<R, u32> {
        let node = self.node(ino)?;
        if node.dir {
            return Err(EISDIR);
        }
        let path = self.path(ino)?;
        self.mounted()?.with_dependent_mut(|fs, files| {
            let file = match files.entry(ino) {
                Entry::Occupied(open) => open.into_mut(),
                Entry::Vacant(slot) => slot.insert(fs.root_dir().open_file(&path).map_err(errno)?),
            };
            f(file)
        })
    }

    pub fn read(&mut self, ino: u64, offset: u64, out: &mut [u8]) -> Result<usize, u32> {
        let size = self.node(ino)?.size;
        if offset >= size {
            return Ok(0);
        }
        let want = out.len().min((size - offset) as usize);
        self.with_file(ino, |file| {
            seek_to(file, offset)?;
            let mut done = 0;
            while done < want {
                match file.read(&mut out[done..want]).map_err(errno)? {
                    0 => break,
                    n => done += n,
                }
            }
            Ok(done)
        })
    }

    pub fn write(&mut self, ino: u64, offset: u64, bytes: &[u8], now: u64) -> Result<usize, u32> {
        let end = offset.checked_add(bytes.len() as u64).filter(|&e| e <= MAX_FILE).ok_or(EFBIG)?;
        let size = self.node(ino)?.size;
        if offset > size {
            self.fill_zeros(ino, size, offset)?;
        }
        let result = self.with_file(ino, |file| {
            seek_to(file, offset)?;
            file.write_all(bytes).map_err(errno)
        });
        let written_to = if result.is_ok() { end } else { self.file_len(ino)? };
        let node = self.nodes.get_mut(&ino).ok_or(ENOENT)?;
        node.size = node.size.max(written_to);
        node.mtime = now;
        match result {
            Ok(()) => Ok(bytes.len()),
            // What did fit counts (a short write, as POSIX has it).
            Err(_) if written_to > offset => Ok((written_to - offset) as usize),
            Err(e) => Err(e),
        }
    }

    /// The length fatfs has for file `ino`.
    fn file_len(&mut self, ino: u64) -> Result<u64, u32> {
        self.with_file(ino, |file| file.seek(SeekFrom::End(0)).map_err(errno))
    }

    /// Writes zeros to file `ino` from `from` (its end) to `to`.
    /// The file stays as it was if they do not fit (ENOSPC).
    fn fill_zeros(&mut self, ino: u64, from: u64, to: u64) -> Result<(), u32> {
        self.room_for_bytes(to - from)?;
        let zeros = vec![0u8; 64 << 10];
        let result = self.with_file(ino, |file| {
            seek_to(file, from)?;
            let mut at = from;
            while at < to {
                let n = (to - at).min(zeros.len() as u64) as usize;
                file.write_all(&zeros[..n]).map_err(errno)?;
                at += n as u64;
            }
            Ok(())
        });
        if result.is_err() {
            let _ = self.with_file(ino, |file| {
                seek_to(file, from)?;
                file.truncate().map_err(errno)
            });
        }
        let len = self.file_len(ino)?;
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.size = len;
        }
        result
    }

    pub fn truncate(&mut self, ino: u64, len: u64, now: u64) -> Result<(), u32> {
        if len > MAX_FILE {
            return Err(EFBIG);
        }
        let size = self.node(ino)?.size;
        if len > size {
            self.fill_zeros(ino, size, len)?;
        } else if len < size {
            self.with_file(ino, |file| {
                seek_to(file, len)?;
                file.truncate().map_err(errno)
            })?;
        }
        let node = self.nodes.get_mut(&ino).ok_or(ENOENT)?;
        node.size = len;
        node.mtime = now;
        Ok(())
    }

    /// Sets the modification time of file `ino` (FAT keeps 2 s steps);
    /// directories' times cannot be set through fatfs: EPERM.
    pub fn set_mtime(&mut self, ino: u64, mtime: u64) -> Result<(), u32> {
        if self.node(ino)?.dir {
            return Err(EPERM);
        }
        self.with_file(ino, |file| {
            // Deprecated in favour of a TimeProvider, which can only say
            // "now"; utimensat names any time.
            #[allow(deprecated)]
            file.set_modified(date_time(mtime));
            file.flush().map_err(errno)
        })?;
        // What FAT keeps: its years, 2-second steps.
        let kept = epoch_ns(date_time(mtime));
        let node = self.nodes.get_mut(&ino).ok_or(ENOENT)?;
        node.mtime = kept - kept % (2 * NS_PER_SEC);
        Ok(())
    }

    /// Removes entry `name` of `dir`: a directory (must be empty) if
    /// `want_dir`, else a file.
    pub fn remove(&mut self, dir: u64, name: &[u8], want_dir: bool, now: u64) -> Result<(), u32> {
        let ino = self.lookup(dir, name)?;
        let node = self.node(ino)?.clone();
        match (want_dir, node.dir) {
            (true, false) => return Err(ENOTDIR),
            (false, true) => return Err(EISDIR),
            _ => {}
        }
        self.close_handle(ino)?;
        let path = self.dir_path(dir)?;
        if node.opens > 0 && !node.dir {
            self.room_for_entries()?;
            // Still open: out of sight until the last close.
            let hidden = format!("{UNLINKED_PREFIX}{ino}");
            let fs = self.fs()?;
            open_dir(fs, &path)?.rename(&node.name, &fs.root_dir(), &hidden).map_err(errno)?;
            self.names.remove(&(dir, fold(&node.name)));
            let moved = self.nodes.get_mut(&ino).expect("looked up above");
            moved.parent = ROOT;
            moved.name = hidden;
            moved.unlinked = true;
        } else {
            let fs = self.fs()?;
            open_dir(fs, &path)?.remove(&node.name).map_err(errno)?;
            self.forget(ino);
        }
        self.touch(dir, now);
        Ok(())
    }

    /// Drops node `ino` and its name.
    fn forget(&mut self, ino: u64) {
        if let Some(node) = self.nodes.remove(&ino) {
            self.names.remove(&(node.parent, fold(&node.name)));
        }
    }

    /// Whether `ino` is `ancestor` or below it.
    fn is_within(&self, mut ino: u64, ancestor: u64) -> bool {
        loop {
            if ino == ancestor {
                return true;
            }
            match self.nodes.get(&ino) {
                Some(node) if ino != ROOT => ino = node.parent,
                _ => return false,
            }
        }
    }

    /// Renames `from/from_name` to `to/to_name`, replacing a file there (or
    /// an empty directory, when moving a directory).
    pub fn rename(&mut self, from: u64, from_name: &[u8], to: u64, to_name: &[u8], now: u64) -> Result<(), u32> {
        let ino = self.lookup(from, from_name)?;
        let new_name = fat_name(to_name)?;
        let moving = self.node(ino)?.clone();
        self.dir_path(to)?;
        if moving.dir && self.is_within(to, ino) {
            return Err(EINVAL);
        }
        match self.lookup(to, to_name) {
            Ok(same) if same == ino => {
                if moving.name == new_name {
                    return Ok(());
                }
                // Only the case changes: fatfs sees the same name, so go
                // through another one.
                let step = format!("{RENAMING_PREFIX}{ino}");
                self.move_entry(ino, from, to, &step, now)?;
                return self.move_entry(ino, to, to, new_name, now);
            }
            Ok(existing) => {
                let target = self.node(existing)?.dir;
                match (moving.dir, target) {
                    (true, false) => return Err(ENOTDIR),
                    (false, true) => return Err(EISDIR),
                    _ => {}
                }
                self.remove(to, to_name, target, now)?;
            }
            Err(ENOENT) => {}
            Err(e) => return Err(e),
        }
        self.move_entry(ino, from, to, new_name, now)
    }

    /// Moves node `ino` from directory `from` to `name` in `to` (free).
    fn move_entry(&mut self, ino: u64, from: u64, to: u64, name: &str, now: u64) -> Result<(), u32> {
        self.room_for_entries()?;
        self.close_handle(ino)?;
        let node = self.node(ino)?.clone();
        let (from_path, to_path) = (self.dir_path(from)?, self.dir_path(to)?);
        let fs = self.fs()?;
        open_dir(fs, &from_path)?.rename(&node.name, &open_dir(fs, &to_path)?, name).map_err(errno)?;
        self.repair_new_entry(&to_path, name, node.dir)?;
        self.names.remove(&(from, fold(&node.name)));
        self.names.insert((to, fold(name)), ino);
        let moved = self.nodes.get_mut(&ino).ok_or(ENOENT)?;
        moved.parent = to;
        moved.name = String::from(name);
        self.touch(from, now);
        self.touch(to, now);
        Ok(())
    }

    /// An open description of `ino` was made.
    pub fn hold(&mut self, ino: u64) {
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.opens += 1;
        }
    }

    /// An open description of `ino` closed: at the last one its handle
    /// closes (writing its entry and the disk's cache), and a file
    /// unlinked meanwhile goes.
    pub fn let_go(&mut self, ino: u64) -> Result<(), u32> {
        let Some(node) = self.nodes.get_mut(&ino) else { return Ok(()) };
        node.opens = node.opens.saturating_sub(1);
        if node.opens > 0 {
            return Ok(());
        }
        let (unlinked, name) = (node.unlinked, node.name.clone());
        self.close_handle(ino)?;
        if unlinked {
            self.fs()?.root_dir().remove(&name).map_err(errno)?;
            self.forget(ino);
        }
        self.sync()
    }

    /// Writes file `ino`'s entry and everything cached to the disk.
    pub fn fsync(&mut self, ino: u64) -> Result<(), u32> {
        if !self.node(ino)?.dir {
            self.mounted()?.with_dependent_mut(|_, files| match files.get_mut(&ino) {
                Some(file) => file.flush().map_err(errno),
                None => Ok(()),
            })?;
        }
        self.sync()
    }

    /// Writes every open file's entry and every cached block to the disk.
    /// A file that fails does not keep the others or the cache from
    /// being written; the first error is the answer.
    pub fn sync(&mut self) -> Result<(), u32> {
        let files = self.mounted()?.with_dependent_mut(|_, files| {
            files.values_mut().map(|f| f.flush().map_err(errno)).fold(Ok(()), Result::and)
        });
        let cache = self.cache.borrow_mut().flush().map_err(|_| EIO);
        files.and(cache)
    }

    /// Unmounts: closes the files, lets fatfs write its summary and mark
    /// the volume clean, and flushes the disk. Later calls fail with EIO.
    /// Files unlinked while still open go now. fatfs keeps the volume's
    /// dirty flag if it was set when mounted (an earlier unclean stop), so
    /// fs0 clears it itself after a clean unmount.
    pub fn unmount(&mut self) -> Result<(), u32> {
        let unlinked: Vec<(u64, String)> =
            self.nodes.iter().filter(|(_, n)| n.unlinked).map(|(&ino, n)| (ino, n.name.clone())).collect();
        for (ino, name) in unlinked {
            self.close_handle(ino)?;
            self.fs()?.root_dir().remove(&name).map_err(errno)?;
        }
        self.sync()?;
        drop(self.mounted.take());
        self.nodes.retain(|&ino, _| ino == ROOT);
        self.names.clear();
        let mut cache = self.cache.borrow_mut();
        let at = self.start + self.geometry.status_flags;
        let mut flags = [0u8];
        cache.read(at, &mut flags).map_err(|_| EIO)?;
        cache.write(at, &[flags[0] & !1]).map_err(|_| EIO)?;
        cache.flush().map_err(|_| EIO)
    }

    /// The time stamped on new entries now.
    pub fn now(&self) -> u64 {
        (self.clock.0)()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    extern crate std;

    use super::*;
    use crate::block_cache::{BlockDevice, DeviceError};
    use alloc::boxed::Box;

    /// A disk in memory, shared with the test so it can look at the bytes.
    struct MemoryDisk(Rc<RefCell<Vec<u8>>>);

    impl BlockDevice for MemoryDisk {
        fn sectors(&self) -> u64 {
            self.0.borrow().len() as u64 / 512
        }
        fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), DeviceError> {
            let at = (lba * 512) as usize;
            buf.copy_from_slice(&self.0.borrow()[at..at + buf.len()]);
            Ok(())
        }
        fn write(&mut self, lba: u64, buf: &[u8]) -> Result<(), DeviceError> {
            let at = (lba * 512) as usize;
            self.0.borrow_mut()[at..at + buf.len()].copy_from_slice(buf);
            Ok(())
        }
        fn flush(&mut self) -> Result<(), DeviceError> {
            Ok(())
        }
    }

    static CLOCK: FatClock = FatClock(|| 1_700_000_000 * NS_PER_SEC);

    /// A freshly formatted FAT32 volume of `mib` MiB and its bytes.
    pub(crate) fn volume(mib: usize) -> (Fat, Rc<RefCell<Vec<u8>>>) {
        let bytes = Rc::new(RefCell::new(vec![0u8; mib << 20]));
        let cache = Rc::new(RefCell::new(BlockCache::new(Box::new(MemoryDisk(bytes.clone())), 64)));
        let len = (mib << 20) as u64;
        {
            let volume = Volume::new(cache.clone(), 0, len).unwrap();
            let options = fatfs::FormatVolumeOptions::new().fat_type(fatfs::FatType::Fat32);
            fatfs::format_volume(volume, options).unwrap();
        }
        cache.borrow_mut().flush().unwrap();
        (Fat::mount(cache, 0, len, &CLOCK).unwrap(), bytes)
    }

    #[test]
    fn files_are_written_and_read_back_across_a_remount() {
        let (mut fat, bytes) = volume(40);
        let f = fat.create(ROOT, b"Hello World.txt", 0).unwrap();
        fat.hold(f);
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
        assert_eq!(fat.write(f, 0, &data, 0), Ok(data.len()));
        assert_eq!(fat.write(f, 200_000, b"end", 0), Ok(3));
        assert_eq!(fat.attr(f).unwrap().size, 200_003);
        let mut back = vec![0u8; 200_003];
        assert_eq!(fat.read(f, 0, &mut back), Ok(200_003));
        assert_eq!(&back[..100_000], &data[..]);
        assert!(back[100_000..200_000].iter().all(|&b| b == 0));
        fat.let_go(f).unwrap();
        fat.unmount().unwrap();

        let cache = Rc::new(RefCell::new(BlockCache::new(Box::new(MemoryDisk(bytes)), 64)));
        let mut again = Fat::mount(cache, 0, 40 << 20, &CLOCK).unwrap();
        let f = again.lookup(ROOT, b"HELLO WORLD.TXT").unwrap();
        assert_eq!(again.attr(f).unwrap().size, 200_003);
        let mut tail = [0u8; 3];
        assert_eq!(again.read(f, 200_000, &mut tail), Ok(3));
        assert_eq!(&tail, b"end");
    }

    #[test]
    fn space_shrinks_as_files_grow_and_comes_back() {
        let (mut fat, _) = volume(40);
        let (cluster, clusters, free) = fat.space().unwrap();
        assert!(cluster >= 512 && cluster.is_power_of_two());
        assert!(free < clusters && free * cluster > 30 << 20, "most of 40 MiB is free: {free} of {clusters}");
        let f = fat.create(ROOT, b"big", 0).unwrap();
        fat.hold(f);
        assert_eq!(fat.write(f, 0, &vec![7u8; 1 << 20], 0), Ok(1 << 20));
        let (_, _, after) = fat.space().unwrap();
        assert!(free - after >= (1 << 20) / cluster, "1 MiB takes clusters: {free} -> {after}");
        fat.let_go(f).unwrap();
        fat.remove(ROOT, b"big", false, 0).unwrap();
        assert_eq!(fat.space().unwrap().2, free);
    }

    #[test]
    fn names_are_case_insensitive_and_checked() {
        let (mut fat, _) = volume(40);
        let f = fat.create(ROOT, b"MixedCase.Txt", 0).unwrap();
        assert_eq!(fat.lookup(ROOT, b"mixedcase.txt"), Ok(f));
        assert_eq!(fat.create(ROOT, b"MIXEDCASE.TXT", 0), Err(EEXIST));
        assert_eq!(fat.create(ROOT, b"a:b", 0), Err(EINVAL));
        let free = fat.fs().unwrap().stats().unwrap().free_clusters();
        assert_eq!(fat.mkdir(ROOT, b"a*b", 0), Err(EINVAL));
        assert_eq!(fat.mkdir(ROOT, "\u{1f600}".as_bytes(), 0), Err(EINVAL));
        assert_eq!(fat.fs().unwrap().stats().unwrap().free_clusters(), free, "a refused name takes no cluster");
        assert_eq!(fat.create(ROOT, &[b'x'; 256], 0), Err(ENAMETOOLONG));
        assert_eq!(fat.list(ROOT).unwrap()[0].0, b"MixedCase.Txt".to_vec());
        fat.rename(ROOT, b"mixedcase.txt", ROOT, b"MIXEDCASE.TXT", 0).unwrap();
        let names: Vec<Vec<u8>> = fat.list(ROOT).unwrap().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, [b"MIXEDCASE.TXT".to_vec()]);
    }

    /// The first two entries of directory `path`, raw: (name, cluster).
    fn dot_entries(fat: &Fat, bytes: &Rc<RefCell<Vec<u8>>>, path: &str) -> [(Vec<u8>, u32); 2] {
        let cluster = dir_cluster(fat.fs().unwrap(), path).unwrap();
        let at = fat.geometry.cluster_offset(cluster) as usize;
        let raw = bytes.borrow();
        let entry = |i: usize| {
            let e = &raw[at + 32 * i..at + 32 * (i + 1)];
            let cluster =
                u32::from(u16::from_le_bytes([e[20], e[21]])) << 16 | u32::from(u16::from_le_bytes([e[26], e[27]]));
            (e[..11].to_vec(), cluster)
        };
        [entry(0), entry(1)]
    }

    #[test]
    fn new_and_moved_directories_have_the_dot_entries_fsck_wants() {
        let (mut fat, bytes) = volume(40);
        let a = fat.mkdir(ROOT, b"a long directory name", 0).unwrap();
        let b = fat.mkdir(a, b"b", 0).unwrap();
        fat.sync().unwrap();
        let [dot, dotdot] = dot_entries(&fat, &bytes, "a long directory name");
        assert_eq!(dot.0, b".          ".to_vec());
        assert_eq!(dotdot, (b"..         ".to_vec(), 0));
        let a_cluster = dot.1;
        assert_eq!(dot_entries(&fat, &bytes, "a long directory name/b")[1].1, a_cluster);
        let c = fat.mkdir(ROOT, b"c", 0).unwrap();
        fat.rename(a, b"b", c, b"b moved", 0).unwrap();
        fat.sync().unwrap();
        let c_cluster = dot_entries(&fat, &bytes, "c")[0].1;
        assert_eq!(dot_entries(&fat, &bytes, "c/b moved")[1].1, c_cluster);
        assert_eq!(fat.parent_of(b), Ok(c));
        fat.rename(c, b"b moved", ROOT, b"top", 0).unwrap();
        fat.sync().unwrap();
        assert_eq!(dot_entries(&fat, &bytes, "top")[1].1, 0);
        assert_eq!(fat.rename(ROOT, b"c", c, b"inside", 0), Err(EINVAL));
    }

    #[test]
    fn directories_and_removal() {
        let (mut fat, _) = volume(40);
        let d = fat.mkdir(ROOT, b"d", 0).unwrap();
        let f = fat.create(d, b"f", 0).unwrap();
        assert_eq!(fat.remove(ROOT, b"d", true, 0), Err(ENOTEMPTY));
        assert_eq!(fat.remove(d, b"f", true, 0), Err(ENOTDIR));
        assert_eq!(fat.remove(ROOT, b"d", false, 0), Err(EISDIR));
        assert_eq!(fat.mkdir(ROOT, b"d", 0), Err(EEXIST));
        fat.hold(f);
        fat.write(f, 0, b"still here", 0).unwrap();
        fat.remove(d, b"f", false, 0).unwrap();
        assert_eq!(fat.lookup(d, b"f"), Err(ENOENT));
        let mut back = [0u8; 10];
        assert_eq!(fat.read(f, 0, &mut back), Ok(10));
        assert_eq!(&back, b"still here");
        assert_eq!(fat.list(ROOT).unwrap().len(), 1, "the unlinked file is not listed");
        fat.let_go(f).unwrap();
        assert_eq!(fat.read(f, 0, &mut back), Err(ENOENT));
        fat.remove(ROOT, b"d", true, 0).unwrap();
        assert_eq!(fat.list(ROOT).unwrap(), []);
    }

    #[test]
    fn truncate_and_times() {
        let (mut fat, _) = volume(40);
        let f = fat.create(ROOT, b"t", 0).unwrap();
        fat.write(f, 0, &[1u8; 10_000], 0).unwrap();
        fat.truncate(f, 3, 0).unwrap();
        fat.truncate(f, 6, 0).unwrap();
        let mut back = [9u8; 8];
        assert_eq!(fat.read(f, 0, &mut back), Ok(6));
        assert_eq!(&back[..6], &[1, 1, 1, 0, 0, 0]);
        let at = 1_600_000_001 * NS_PER_SEC;
        fat.set_mtime(f, at).unwrap();
        assert_eq!(fat.attr(f).unwrap().mtime, 1_600_000_000 * NS_PER_SEC);
        assert_eq!(epoch_ns(date_time(at)), 1_600_000_001 * NS_PER_SEC);
    }

    #[test]
    fn a_full_volume_refuses_changes_it_could_not_finish() {
        let (mut fat, bytes) = volume(34);
        let victim = fat.create(ROOT, b"victim", 0).unwrap();
        fat.write(victim, 0, &[7u8; 5000], 0).unwrap();
        let d = fat.mkdir(ROOT, b"d", 0).unwrap();
        let filler = fat.create(ROOT, b"filler", 0).unwrap();
        let chunk = vec![1u8; 1 << 20];
        let mut at = 0;
        loop {
            match fat.write(filler, at, &chunk, 0) {
                Ok(n) if n == chunk.len() => at += n as u64,
                Ok(n) => {
                    at += n as u64;
                    break;
                }
                Err(e) => {
                    assert_eq!(e, ENOSPC);
                    break;
                }
            }
        }
        assert_eq!(fat.attr(filler).unwrap().size, at, "a short write counts what fit");
        let long = b"a rather long name that needs several entries.txt";
        assert_eq!(fat.rename(ROOT, b"victim", d, long, 0), Err(ENOSPC));
        assert_eq!(fat.mkdir(d, b"new", 0), Err(ENOSPC));
        let mut back = [0u8; 5000];
        assert_eq!(fat.read(victim, 0, &mut back), Ok(5000), "the file is still there");
        assert_eq!(fat.truncate(victim, 1 << 30, 0), Err(ENOSPC));
        assert_eq!(fat.attr(victim).unwrap().size, 5000, "a failed extension changes nothing");
        fat.remove(ROOT, b"filler", false, 0).unwrap();
        fat.unmount().unwrap();
        let cache = Rc::new(RefCell::new(BlockCache::new(Box::new(MemoryDisk(bytes)), 64)));
        let mut again = Fat::mount(cache, 0, 34 << 20, &CLOCK).unwrap();
        let victim = again.lookup(ROOT, b"victim").unwrap();
        assert_eq!(again.attr(victim).unwrap().size, 5000);
    }

    #[test]
    fn short_dot_names_get_short_names_fsck_accepts() {
        let (mut fat, bytes) = volume(40);
        let git = fat.mkdir(ROOT, b".git", 0).unwrap();
        fat.create(git, b".x", 0).unwrap();
        fat.create(ROOT, b".ssh", 0).unwrap();
        fat.rename(ROOT, b".ssh", git, b".vim", 0).unwrap();
        fat.create(ROOT, b".profile", 0).unwrap();
        fat.unmount().unwrap();
        let raw = bytes.borrow();
        let names: Vec<&[u8]> =
            raw.chunks(32).filter(|e| e[11] != 0x0f && e[0] != 0 && e[0] != 0xe5).map(|e| &e[..11]).collect();
        for short in [&b"GIT~1      "[..], b"X~1        ", b"VIM~1      "] {
            assert!(names.contains(&short), "{:?} not among the short names", core::str::from_utf8(short));
        }
        assert!(!names.iter().any(|n| n[..8] == *b"        "), "no short name with an empty base");
        drop(raw);
        let cache = Rc::new(RefCell::new(BlockCache::new(Box::new(MemoryDisk(bytes)), 64)));
        let mut again = Fat::mount(cache, 0, 40 << 20, &CLOCK).unwrap();
        let git = again.lookup(ROOT, b".GIT").unwrap();
        let names: Vec<Vec<u8>> = again.list(git).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, [b".x".to_vec(), b".vim".to_vec()], "the long names are intact");
    }
}
