//! The file tree every process sees: the root file system with others
//! mounted on its directories, and path lookup across them.
//!
//! Three kinds of file system: the in-memory [`Tmpfs`] (always there: /dev
//! with the devices, /dev/shm, /tmp), a [`Fat`] volume on a disk, and
//! [`Procfs`] on /proc. The root is the tmpfs itself, or a FAT volume with
//! the tmpfs's /dev and /tmp mounted on its directories of the same names.
//! Nodes are named by one number across all: FAT numbers start at
//! [`fat::ROOT`], far above any tmpfs inode, /proc's at [`procfs::ROOT`],
//! so a number says which file system to ask.
//!
//! Lookup ([`Vfs::resolve`]) walks a path component by component from the
//! root or a starting directory, following symbolic links (at most
//! [`MAX_LINKS`]) and crossing mounts both ways: entering a covered
//! directory enters the root of what is mounted on it, and `..` from a
//! mounted root leaves for the parent of the directory it covers. `..` of
//! the root is the root. A mount point cannot be removed or renamed
//! (EBUSY); rename and link between file systems are EXDEV.
//!
//! The mount table ([`Vfs::mount_table`]) is what /proc/mounts reads, and
//! [`Vfs::statfs`] what statfs says of each file system: FAT's clusters,
//! the tmpfs's space limit in 4 KiB blocks and its room for names.

use alloc::boxed::Box;
use alloc::vec::Vec;

use fs0_proto::errno::{EACCES, EBUSY, EINVAL, ELOOP, ENAMETOOLONG, ENODEV, ENOENT, ENOTDIR, EPERM, EXDEV};
use fs0_proto::{StatFs, magic, st};

use crate::fat::{self, Fat};
use crate::file_data::{BLOCK, Window};
use crate::procfs::{self, ProcKind, Procfs};
use crate::tmpfs::{self, Content, Tmpfs, kind};

/// Longest name of one entry.
pub const NAME_MAX: usize = 255;
/// Most symbolic links one lookup follows.
pub const MAX_LINKS: u32 = 40;

/// `st_dev` of each file system.
pub const DEV_TMPFS: u64 = 1;
pub const DEV_FAT: u64 = 4;
pub const DEV_PROC: u64 = 5;

/// The tmpfs directories mounted on a FAT root, by name in both.
pub const TMPFS_MOUNTS: [&[u8]; 2] = [b"dev", b"tmp"];

/// What a lookup found: the node, and the directory and name it was
/// found under (for creating, removing, renaming).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub parent: u64,
    pub name: Vec<u8>,
    /// `None` when the last component does not exist (yet).
    pub inode: Option<u64>,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Directory,
    File,
    Symlink,
    /// A character device node: its device number.
    Device(u64),
}

/// What stat says of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr {
    pub kind: Kind,
    /// Permission bits.
    pub perm: u32,
    pub links: u32,
    pub size: u64,
    /// Modification and status-change times, ns since the epoch.
    pub mtime: u64,
    pub ctime: u64,
    pub dev: u64,
}

impl Attr {
    /// `st_mode`: type and permissions.
    pub fn mode(&self) -> u32 {
        let t = match self.kind {
            Kind::Directory => kind::S_IFDIR,
            Kind::File => kind::S_IFREG,
            Kind::Symlink => kind::S_IFLNK,
            Kind::Device(_) => kind::S_IFCHR,
        };
        t | (self.perm & 0o7777)
    }

    pub fn is_dir(&self) -> bool {
        self.kind == Kind::Directory
    }
}

pub struct Vfs {
    pub tmp: Tmpfs,
    fat: Option<Fat>,
    proc: Option<Procfs>,
    root: u64,
    /// (covered directory, root of what is mounted on it).
    mounts: Vec<(u64, u64)>,
    /// What the FAT volume is mounted from, as /proc/mounts names it.
    fat_source: Vec<u8>,
}

fn is_fat(ino: u64) -> bool {
    (fat::ROOT..procfs::ROOT).contains(&ino)
}

fn is_proc(ino: u64) -> bool {
    ino >= procfs::ROOT
}

impl Vfs {
    /// A tree whose root is the tmpfs.
    pub fn new(tmp: Tmpfs) -> Vfs {
        Vfs { tmp, fat: None, proc: None, root: tmpfs::ROOT, mounts: Vec::new(), fat_source: Vec::new() }
    }

    /// Makes `fat` the root, with the tmpfs's [`TMPFS_MOUNTS`] mounted on
    /// its directories of the same names (made if missing). Because the
    /// names agree, a tmpfs directory's path in the tmpfs is its path in
    /// the tree too. `source` names the volume in the mount table (e.g.
    /// `/dev/ide2`).
    pub fn mount_fat_root(&mut self, mut fat: Fat, source: &[u8]) -> Result<(), u32> {
        let mut mounts = Vec::new();
        for name in TMPFS_MOUNTS {
            let covered = match fat.lookup(fat::ROOT, name) {
                Ok(dir) if fat.attr(dir)?.dir => dir,
                Ok(_) => return Err(ENOTDIR),
                Err(ENOENT) => fat.mkdir(fat::ROOT, name, fat.now())?,
                Err(e) => return Err(e),
            };
            mounts.push((covered, self.tmp.lookup(tmpfs::ROOT, name)?));
        }
        self.fat = Some(fat);
        self.root = fat::ROOT;
        self.mounts = mounts;
        self.fat_source = source.to_vec();
        self.publish_mounts();
        Ok(())
    }

    /// Mounts `proc` on /proc of the root (made if missing).
    pub fn mount_proc(&mut self, proc: Procfs) -> Result<(), u32> {
        let covered = match self.lookup(self.root, b"proc") {
            Ok(dir) if self.attr(dir)?.is_dir() => dir,
            Ok(_) => return Err(ENOTDIR),
            Err(ENOENT) => {
                let now = self.fat.as_ref().map_or(0, Fat::now);
                self.mkdir(self.root, b"proc", 0o555, now)?
            }
            Err(e) => return Err(e),
        };
        self.proc = Some(proc);
        self.mounts.push((covered, procfs::ROOT));
        self.publish_mounts();
        Ok(())
    }

    /// Gives /proc the mount table as it is now.
    fn publish_mounts(&mut self) {
        let text = self.mount_table();
        if let Some(proc) = self.proc.as_mut() {
            proc.set_mounts(text);
        }
    }

    /// The mount table in Linux's /proc/mounts format, a line per mount
    /// (`source mountpoint type options 0 0`, blanks and backslashes in
    /// names as octal escapes): the root, then the mounts in the order
    /// they were made. The tmpfs mounted on both /dev and /tmp is one file
    /// system with two lines.
    pub fn mount_table(&self) -> Vec<u8> {
        let mut text = Vec::new();
        let points = core::iter::once((b"/".to_vec(), self.root))
            .chain(self.mounts.iter().filter_map(|&(covered, root)| Some((self.path_of(covered).ok()?, root))));
        for (path, root) in points {
            let (source, fs_type): (&[u8], &[u8]) = if is_proc(root) {
                (b"proc", b"proc")
            } else if is_fat(root) {
                (&self.fat_source, b"vfat")
            } else {
                (b"tmpfs", b"tmpfs")
            };
            for field in [source, &path, fs_type] {
                escape_into(&mut text, field);
                text.push(b' ');
            }
            text.extend_from_slice(b"rw 0 0\n");
        }
        text
    }

    /// What statfs says of the file system that holds node `ino`.
    pub fn statfs(&self, ino: u64) -> Result<StatFs, u32> {
        let base = StatFs { name_max: NAME_MAX as u32, block_size: BLOCK, flags: st::VALID, ..StatFs::default() };
        if is_proc(ino) {
            self.proc()?;
            return Ok(StatFs { fs_type: magic::PROC, dev: DEV_PROC as u32, ..base });
        }
        if is_fat(ino) {
            let (cluster, clusters, free) = self.fat_ref()?.space()?;
            return Ok(StatFs {
                fs_type: magic::MSDOS,
                block_size: cluster,
                blocks: clusters,
                blocks_free: free,
                dev: DEV_FAT as u32,
                ..base
            });
        }
        let (used, limit) = self.tmp.space();
        let room = limit.saturating_sub(used);
        Ok(StatFs {
            fs_type: magic::TMPFS,
            blocks: limit / BLOCK,
            blocks_free: room / BLOCK,
            files: limit / tmpfs::ENTRY_COST,
            files_free: room / tmpfs::ENTRY_COST,
            dev: DEV_TMPFS as u32,
            ..base
        })
    }

    pub fn root(&self) -> u64 {
        self.root
    }

    fn fat(&mut self) -> Result<&mut Fat, u32> {
        self.fat.as_mut().ok_or(ENOENT)
    }

    fn fat_ref(&self) -> Result<&Fat, u32> {
        self.fat.as_ref().ok_or(ENOENT)
    }

    fn proc(&self) -> Result<&Procfs, u32> {
        self.proc.as_ref().ok_or(ENOENT)
    }

    /// Whether `ino` is a mount point or a mounted root.
    fn is_mount(&self, ino: u64) -> bool {
        self.mounts.iter().any(|&(covered, root)| ino == covered || ino == root)
    }

    /// The parent of directory `dir` in the tree.
    pub fn parent_of(&self, dir: u64) -> Result<u64, u32> {
        if dir == self.root {
            return Ok(dir);
        }
        if let Some(&(covered, _)) = self.mounts.iter().find(|&&(_, root)| root == dir) {
            return self.parent_of_in_fs(covered);
        }
        self.parent_of_in_fs(dir)
    }

    fn parent_of_in_fs(&self, dir: u64) -> Result<u64, u32> {
        if is_proc(dir) {
            self.proc()?.parent_of(dir)
        } else if is_fat(dir) {
            self.fat_ref()?.parent_of(dir)
        } else {
            self.tmp.parent_of(dir)
        }
    }

    /// Entry `name` of directory `dir`, `.` and `..` included, across
    /// mounts.
    pub fn lookup(&mut self, dir: u64, name: &[u8]) -> Result<u64, u32> {
        let found = match name {
            b"." => return Ok(dir),
            b".." => return self.parent_of(dir),
            _ if is_proc(dir) => self.proc()?.lookup(dir, name)?,
            _ if is_fat(dir) => self.fat()?.lookup(dir, name)?,
            _ => self.tmp.lookup(dir, name)?,
        };
        Ok(self.mounts.iter().find(|&&(covered, _)| covered == found).map_or(found, |&(_, root)| root))
    }

    pub fn attr(&self, ino: u64) -> Result<Attr, u32> {
        if is_proc(ino) {
            let (kind, perm) = match self.proc()?.kind(ino)? {
                ProcKind::Directory => (Kind::Directory, 0o555),
                ProcKind::File => (Kind::File, 0o444),
                ProcKind::Symlink => (Kind::Symlink, 0o777),
            };
            return Ok(Attr { kind, perm, links: 1, size: 0, mtime: 0, ctime: 0, dev: DEV_PROC });
        }
        if is_fat(ino) {
            let a = self.fat_ref()?.attr(ino)?;
            let kind = if a.dir { Kind::Directory } else { Kind::File };
            return Ok(Attr {
                kind,
                perm: a.perm,
                links: 1,
                size: a.size,
                mtime: a.mtime,
                ctime: a.mtime,
                dev: DEV_FAT,
            });
        }
        let i = self.tmp.get(ino).ok_or(ENOENT)?;
        let kind = match &i.content {
            Content::Directory { .. } => Kind::Directory,
            Content::File(_) => Kind::File,
            Content::Symlink(_) => Kind::Symlink,
            Content::Device(rdev) => Kind::Device(*rdev),
        };
        Ok(Attr { kind, perm: i.perm, links: i.links, size: i.size(), mtime: i.mtime, ctime: i.ctime, dev: DEV_TMPFS })
    }

    /// Whether `ino` may be opened for writing (root may write anything but
    /// /proc).
    pub fn writable(&self, ino: u64) -> bool {
        !is_proc(ino)
    }

    /// The target of symbolic link `ino` as process `caller` reads it
    /// (EINVAL for anything else).
    pub fn readlink(&self, ino: u64, caller: u64) -> Result<Vec<u8>, u32> {
        if is_proc(ino) {
            return self.proc()?.readlink(ino, caller);
        }
        if is_fat(ino) {
            return Err(EINVAL);
        }
        match &self.tmp.get(ino).ok_or(ENOENT)?.content {
            Content::Symlink(target) => Ok(target.clone()),
            _ => Err(EINVAL),
        }
    }

    /// Resolves `path` from directory `start` (the root for absolute
    /// paths). Every component but the last must be a directory (after
    /// symbolic links); the last is followed too if `follow`. A missing last
    /// component is no error: `Found::inode` is `None`. An empty path is
    /// ENOENT; a path ending in `/` must name a directory. `caller` is the
    /// process asking (/proc/self is its own).
    pub fn resolve(&mut self, start: u64, path: &[u8], follow: bool, caller: u64) -> Result<Found, u32> {
        let mut links = 0;
        self.walk(start, path, follow, caller, &mut links)
    }

    fn walk(&mut self, start: u64, path: &[u8], follow: bool, caller: u64, links: &mut u32) -> Result<Found, u32> {
        if path.is_empty() {
            return Err(ENOENT);
        }
        let mut dir = if path[0] == b'/' { self.root } else { start };
        let trailing_slash = path.ends_with(b"/");
        let parts: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            // "/" (or "//"): the root itself.
            return Ok(Found { parent: self.parent_of(dir)?, name: b".".to_vec(), inode: Some(dir) });
        }
        for (i, part) in parts.iter().enumerate() {
            if part.len() > NAME_MAX {
                return Err(ENAMETOOLONG);
            }
            let last = i + 1 == parts.len();
            if !self.attr(dir)?.is_dir() {
                return Err(ENOTDIR);
            }
            let found = match self.lookup(dir, part) {
                Ok(ino) => ino,
                Err(ENOENT) if last => return Ok(Found { parent: dir, name: part.to_vec(), inode: None }),
                Err(e) => return Err(e),
            };
            let attr = self.attr(found)?;
            if attr.kind == Kind::Symlink && (!last || follow || trailing_slash) {
                *links += 1;
                if *links > MAX_LINKS {
                    return Err(ELOOP);
                }
                let mut next = self.readlink(found, caller)?;
                let rest: Vec<u8> = parts[i + 1..].join(&b'/');
                if !rest.is_empty() {
                    next.push(b'/');
                    next.extend(rest);
                } else if trailing_slash {
                    next.push(b'/');
                }
                return self.walk(dir, &next, follow, caller, links);
            }
            if last {
                if trailing_slash && !attr.is_dir() {
                    return Err(ENOTDIR);
                }
                return Ok(Found { parent: dir, name: part.to_vec(), inode: Some(found) });
            }
            if !attr.is_dir() {
                return Err(ENOTDIR);
            }
            dir = found;
        }
        unreachable!("the loop returns at the last component")
    }

    /// A new empty file `name` in `dir`.
    pub fn create(&mut self, dir: u64, name: &[u8], perm: u32, now: u64) -> Result<u64, u32> {
        if is_proc(dir) {
            return Err(EACCES);
        }
        if is_fat(dir) { self.fat()?.create(dir, name, now) } else { self.tmp.create(dir, name, perm, now) }
    }

    pub fn mkdir(&mut self, dir: u64, name: &[u8], perm: u32, now: u64) -> Result<u64, u32> {
        if is_proc(dir) {
            return Err(EACCES);
        }
        if is_fat(dir) { self.fat()?.mkdir(dir, name, now) } else { self.tmp.mkdir(dir, name, perm, now) }
    }

    /// A symbolic link: FAT cannot store one (EPERM).
    pub fn symlink(&mut self, dir: u64, name: &[u8], target: &[u8], now: u64) -> Result<u64, u32> {
        match (is_proc(dir), is_fat(dir)) {
            (true, _) => Err(EACCES),
            (_, true) => Err(EPERM),
            _ => self.tmp.symlink(dir, name, target, now),
        }
    }

    /// Removes entry `name` of `dir` (a directory if `want_dir`).
    pub fn remove(&mut self, dir: u64, name: &[u8], want_dir: bool, now: u64) -> Result<(), u32> {
        if name != b"." && name != b".." && self.lookup(dir, name).is_ok_and(|ino| self.is_mount(ino)) {
            return Err(EBUSY);
        }
        if is_proc(dir) {
            return Err(EACCES);
        }
        if is_fat(dir) {
            match name {
                b"." => Err(EINVAL),
                b".." => Err(fs0_proto::errno::ENOTEMPTY),
                _ => self.fat()?.remove(dir, name, want_dir, now),
            }
        } else {
            self.tmp.remove(dir, name, want_dir, now)
        }
    }

    pub fn rename(&mut self, from: u64, from_name: &[u8], to: u64, to_name: &[u8], now: u64) -> Result<(), u32> {
        if from_name == b"." || from_name == b".." {
            return Err(EINVAL);
        }
        let moving = self.lookup(from, from_name)?;
        if self.is_mount(moving) || self.lookup(to, to_name).is_ok_and(|ino| self.is_mount(ino)) {
            return Err(EBUSY);
        }
        if is_proc(from) || is_proc(to) {
            return Err(if is_proc(from) && is_proc(to) { EACCES } else { EXDEV });
        }
        match (is_fat(from), is_fat(to)) {
            (true, true) => self.fat()?.rename(from, from_name, to, to_name, now),
            (false, false) => self.tmp.rename(from, from_name, to, to_name, now),
            _ => Err(EXDEV),
        }
    }

    /// A hard link to `ino` as `name` in `dir`: within the tmpfs only.
    pub fn link(&mut self, ino: u64, dir: u64, name: &[u8], now: u64) -> Result<(), u32> {
        if is_proc(ino) || is_proc(dir) {
            return Err(if is_proc(ino) && is_proc(dir) { EACCES } else { EXDEV });
        }
        match (is_fat(ino), is_fat(dir)) {
            (false, false) => self.tmp.link(ino, dir, name, now),
            (true, true) => Err(EPERM),
            _ => Err(EXDEV),
        }
    }

    pub fn read(&mut self, ino: u64, offset: u64, out: &mut [u8]) -> Result<usize, u32> {
        if is_proc(ino) {
            return self.proc()?.read(ino, offset, out);
        }
        if is_fat(ino) { self.fat()?.read(ino, offset, out) } else { self.tmp.read(ino, offset, out) }
    }

    pub fn write(&mut self, ino: u64, offset: u64, bytes: &[u8], now: u64) -> Result<usize, u32> {
        if is_proc(ino) {
            return Err(EACCES);
        }
        if is_fat(ino) { self.fat()?.write(ino, offset, bytes, now) } else { self.tmp.write(ino, offset, bytes, now) }
    }

    pub fn truncate(&mut self, ino: u64, len: u64, now: u64) -> Result<(), u32> {
        if is_proc(ino) {
            return Err(EACCES);
        }
        if is_fat(ino) {
            if self.attr(ino)?.is_dir() {
                return Err(fs0_proto::errno::EISDIR);
            }
            self.fat()?.truncate(ino, len, now)
        } else {
            self.tmp.truncate(ino, len, now)
        }
    }

    /// Sets the permission bits: FAT stores none, so only its own answer
    /// (0755, or 0555 read-only) may be "set" there; anything else is EPERM.
    pub fn chmod(&mut self, ino: u64, perm: u32, now: u64) -> Result<(), u32> {
        if is_proc(ino) || is_fat(ino) {
            return if self.attr(ino)?.perm == perm & 0o7777 { Ok(()) } else { Err(EPERM) };
        }
        self.tmp.chmod(ino, perm, now)
    }

    pub fn set_mtime(&mut self, ino: u64, mtime: u64, now: u64) -> Result<(), u32> {
        if is_proc(ino) {
            return Err(EPERM);
        }
        if is_fat(ino) { self.fat()?.set_mtime(ino, mtime) } else { self.tmp.set_mtime(ino, mtime, now) }
    }

    /// The entries of directory `dir` now: `.`, `..` (its parent in the
    /// tree), then what the file system holds, as (name, node).
    pub fn list(&mut self, dir: u64) -> Result<Vec<(Vec<u8>, u64)>, u32> {
        let held = if is_proc(dir) {
            self.proc()?.list(dir)?
        } else if is_fat(dir) {
            self.fat()?.list(dir)?
        } else {
            self.tmp.list(dir)?
        };
        let mut entries = Vec::with_capacity(held.len() + 2);
        entries.push((b".".to_vec(), dir));
        entries.push((b"..".to_vec(), self.parent_of(dir)?));
        entries.extend(held);
        Ok(entries)
    }

    /// The path of directory `dir` from the root.
    pub fn path_of(&self, dir: u64) -> Result<Vec<u8>, u32> {
        if is_proc(dir) {
            self.proc()?.path_of(dir)
        } else if is_fat(dir) {
            self.fat_ref()?.path_of(dir)
        } else {
            self.tmp.path_of(dir)
        }
    }

    /// An open description of `ino` begins.
    pub fn hold(&mut self, ino: u64) {
        match self.fat.as_mut() {
            _ if is_proc(ino) => {}
            Some(fat) if is_fat(ino) => fat.hold(ino),
            _ => self.tmp.hold(ino),
        }
    }

    /// An open description of `ino` ends. On FAT this writes the file back
    /// at its last close; a failure there has no caller left to tell but
    /// the next fsync or sync.
    pub fn let_go(&mut self, ino: u64) {
        match self.fat.as_mut() {
            _ if is_proc(ino) => {}
            Some(fat) if is_fat(ino) => {
                let _ = fat.let_go(ino);
            }
            _ => self.tmp.let_go(ino),
        }
    }

    /// Writes file `ino` back to its disk (nothing to do in memory).
    pub fn fsync(&mut self, ino: u64) -> Result<(), u32> {
        if is_fat(ino) { self.fat()?.fsync(ino) } else { Ok(()) }
    }

    /// Writes everything back to the disks.
    pub fn sync(&mut self) -> Result<(), u32> {
        self.fat.as_mut().map_or(Ok(()), Fat::sync)
    }

    /// Unmounts the disk's file system (at power-off).
    pub fn unmount(&mut self) -> Result<(), u32> {
        self.fat.as_mut().map_or(Ok(()), Fat::unmount)
    }

    /// The memory object of file `ino`, if it is mapped shared.
    pub fn file_object(&self, ino: u64) -> Option<u64> {
        if is_fat(ino) || is_proc(ino) { None } else { self.tmp.file_object(ino) }
    }

    /// Moves file `ino` into `window` to be mapped shared: tmpfs files
    /// only (FAT files are ENODEV).
    pub fn map_file(&mut self, ino: u64, window: Box<dyn Window>) -> Result<u64, u32> {
        if is_fat(ino) || is_proc(ino) { Err(ENODEV) } else { self.tmp.map_file(ino, window) }
    }
}

/// Appends `field` as /proc/mounts writes it: space, tab, newline and
/// backslash as `\ooo`.
fn escape_into(text: &mut Vec<u8>, field: &[u8]) {
    for &b in field {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\\') {
            text.extend_from_slice(&[b'\\', b'0' + (b >> 6), b'0' + ((b >> 3) & 7), b'0' + (b & 7)]);
        } else {
            text.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fs0_proto::errno::EEXIST;

    fn vfs() -> Vfs {
        Vfs::new(Tmpfs::new(1 << 20, 0))
    }

    #[test]
    fn paths_resolve_with_dots_and_links() {
        let mut v = vfs();
        let root = v.root();
        let a = v.mkdir(root, b"a", 0o755, 0).unwrap();
        let b = v.mkdir(a, b"b", 0o755, 0).unwrap();
        let f = v.create(b, b"f", 0o644, 0).unwrap();
        v.symlink(root, b"l", b"a/b", 0).unwrap();
        v.symlink(root, b"loop", b"loop", 0).unwrap();
        assert_eq!(v.resolve(root, b"/a/b/f", true, 1).unwrap().inode, Some(f));
        assert_eq!(v.resolve(b, b"../b/./f", true, 1).unwrap().inode, Some(f));
        assert_eq!(v.resolve(root, b"/../../a", true, 1).unwrap().inode, Some(a));
        assert_eq!(v.resolve(root, b"/l/f", true, 1).unwrap().inode, Some(f));
        let link = v.resolve(root, b"/l", false, 1).unwrap();
        assert_ne!(link.inode, Some(b), "not followed at the end");
        assert_eq!(v.resolve(root, b"/l", true, 1).unwrap().inode, Some(b));
        assert_eq!(v.resolve(root, b"/loop", true, 1), Err(ELOOP));
        let missing = v.resolve(root, b"/a/new", true, 1).unwrap();
        assert_eq!((missing.parent, missing.inode), (a, None));
        assert_eq!(v.resolve(root, b"/a/x/y", true, 1), Err(ENOENT));
        assert_eq!(v.resolve(root, b"/a/b/f/x", true, 1), Err(ENOTDIR));
        assert_eq!(v.resolve(root, b"/a/b/f/", true, 1), Err(ENOTDIR));
        assert_eq!(v.resolve(root, b"", true, 1), Err(ENOENT));
        assert_eq!(v.resolve(root, b"/", true, 1).unwrap().inode, Some(root));
        assert_eq!(v.path_of(b).unwrap(), b"/a/b");
        assert_eq!(v.path_of(root).unwrap(), b"/");
        assert_eq!(v.mkdir(root, b"a", 0o755, 0), Err(EEXIST));
    }

    #[test]
    fn a_fat_root_has_the_tmpfs_mounted_on_dev_and_tmp() {
        let mut tmp = Tmpfs::new(1 << 20, 0);
        let dev = tmp.mkdir(tmpfs::ROOT, b"dev", 0o755, 0).unwrap();
        let shm = tmp.mkdir(dev, b"shm", 0o1777, 0).unwrap();
        let tmp_dir = tmp.mkdir(tmpfs::ROOT, b"tmp", 0o1777, 0).unwrap();
        let mut v = Vfs::new(tmp);
        let (fat, _) = crate::fat::tests::volume(40);
        v.mount_fat_root(fat, b"/dev/ide2").unwrap();
        let root = v.root();
        assert_eq!(root, fat::ROOT);
        assert_eq!(v.resolve(root, b"/dev/shm", true, 1).unwrap().inode, Some(shm));
        assert_eq!(v.resolve(root, b"/tmp", true, 1).unwrap().inode, Some(tmp_dir));
        assert_eq!(v.resolve(shm, b"../../tmp/../dev", true, 1).unwrap().inode, Some(dev));
        assert_eq!(v.resolve(tmp_dir, b"..", true, 1).unwrap().inode, Some(root));
        assert_eq!(v.path_of(shm).unwrap(), b"/dev/shm");
        let home = v.mkdir(root, b"home", 0o755, 0).unwrap();
        assert_eq!(v.path_of(home).unwrap(), b"/home");
        let f = v.create(tmp_dir, b"f", 0o644, 0).unwrap();
        assert_eq!(v.attr(f).unwrap().dev, DEV_TMPFS);
        assert_eq!(v.rename(tmp_dir, b"f", home, b"f", 0), Err(EXDEV));
        assert_eq!(v.remove(root, b"tmp", true, 0), Err(EBUSY));
        assert_eq!(v.rename(root, b"dev", home, b"dev", 0), Err(EBUSY));
        assert_eq!(v.symlink(home, b"l", b"x", 0), Err(EPERM));
        let names: Vec<Vec<u8>> = v.list(root).unwrap().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, [&b"."[..], b"..", b"dev", b"tmp", b"home"]);
    }

    #[test]
    fn the_mount_table_and_statfs_tell_the_file_systems_apart() {
        let mut tmp = Tmpfs::new(1 << 20, 0);
        tmp.mkdir(tmpfs::ROOT, b"dev", 0o755, 0).unwrap();
        tmp.mkdir(tmpfs::ROOT, b"tmp", 0o1777, 0).unwrap();
        let mut v = Vfs::new(tmp);
        let (fat, _) = crate::fat::tests::volume(40);
        v.mount_fat_root(fat, b"/dev/ide2").unwrap();
        v.mount_proc(crate::procfs::tests::procfs()).unwrap();
        let table =
            "/dev/ide2 / vfat rw 0 0\ntmpfs /dev tmpfs rw 0 0\ntmpfs /tmp tmpfs rw 0 0\nproc /proc proc rw 0 0\n";
        assert_eq!(v.mount_table(), table.as_bytes());
        let root = v.root();
        for path in [&b"/proc/mounts"[..], b"/proc/self/mounts"] {
            let mounts = v.resolve(root, path, true, 3).unwrap().inode.unwrap();
            let mut out = [0u8; 256];
            let n = v.read(mounts, 0, &mut out).unwrap();
            assert_eq!(&out[..n], table.as_bytes());
        }

        let fat = v.statfs(root).unwrap();
        assert_eq!((fat.fs_type, fat.name_max, fat.dev), (magic::MSDOS, 255, DEV_FAT as u32));
        assert!(fat.block_size >= 512 && fat.blocks_free > 0 && fat.blocks_free < fat.blocks);
        let home = v.mkdir(root, b"home", 0o755, 0).unwrap();
        assert_eq!(v.statfs(home).unwrap().blocks, fat.blocks, "every FAT node is on the same volume");

        let tmp_dir = v.resolve(root, b"/tmp", true, 1).unwrap().inode.unwrap();
        let before = v.statfs(tmp_dir).unwrap();
        assert_eq!((before.fs_type, before.block_size, before.blocks), (magic::TMPFS, BLOCK, 256));
        assert_eq!(before.blocks_free, 255, "/dev and /tmp take 2 x 512 bytes");
        // Names and blocks share the room: files_free is how many more empty files fit.
        assert_eq!((before.files, before.files_free), (2048, 2046));
        let f = v.create(tmp_dir, b"f", 0o644, 0).unwrap();
        v.write(f, 0, &[1; 10 * BLOCK as usize], 0).unwrap();
        let after = v.statfs(f).unwrap();
        assert_eq!((after.blocks_free, after.files_free), (245, 1965), "10 blocks and a name (512 bytes) less room");

        let proc = v.statfs(procfs::ROOT).unwrap();
        assert_eq!((proc.fs_type, proc.blocks, proc.blocks_free), (magic::PROC, 0, 0));
    }

    #[test]
    fn a_tmpfs_root_has_one_line_and_names_are_escaped() {
        let mut v = vfs();
        assert_eq!(v.mount_table(), b"tmpfs / tmpfs rw 0 0\n");
        v.mount_proc(crate::procfs::tests::procfs()).unwrap();
        assert_eq!(v.mount_table(), b"tmpfs / tmpfs rw 0 0\nproc /proc proc rw 0 0\n");
        let mut text = Vec::new();
        escape_into(&mut text, b"my disk\\x\ty\n");
        assert_eq!(text, b"my\\040disk\\134x\\011y\\012");
    }

    #[test]
    fn proc_is_mounted_and_self_is_the_callers() {
        let mut v = vfs();
        let root = v.root();
        v.mount_proc(crate::procfs::tests::procfs()).unwrap();
        let proc_dir = v.resolve(root, b"/proc", true, 3).unwrap().inode.unwrap();
        assert_eq!(proc_dir, procfs::ROOT);
        assert_eq!(v.resolve(proc_dir, b"..", true, 3).unwrap().inode, Some(root));
        let stat = v.resolve(root, b"/proc/self/stat", true, 3).unwrap().inode.unwrap();
        assert_eq!(v.attr(stat).unwrap().kind, Kind::File);
        assert_eq!(v.resolve(root, b"/proc/self/stat", true, 9), Err(ENOENT), "no process 9");
        let sh = v.resolve(root, b"/proc/3", true, 1).unwrap().inode.unwrap();
        assert_eq!(v.path_of(sh).unwrap(), b"/proc/3");
        assert_eq!(v.create(proc_dir, b"x", 0o644, 0), Err(EACCES));
        assert_eq!(v.remove(root, b"proc", true, 0), Err(EBUSY));
        let mut out = [0u8; 8];
        assert_eq!(v.read(stat, 0, &mut out), Ok(8));
        assert_eq!(&out, b"3 (sh) R");
    }
}
