//! An in-memory file system: directories, regular files, symbolic links
//! and device nodes, with POSIX names, modes and link counts.
//!
//! Inodes live in a table by number; a directory maps names to inode
//! numbers and knows its parent (for `..` and getcwd). Files keep their
//! bytes in blocks ([`crate::file_data`]). The space limit counts those
//! blocks and a fixed cost per directory entry, so that neither big files
//! nor many names can exhaust fs0's fixed heap. Every operation checks its arguments and answers
//! with a Linux errno, never a panic: names must be 1..=255 bytes without
//! `/` or NUL, `.` and `..` are not entries, a directory must be empty to
//! go, a directory cannot move into itself.
//!
//! Path lookup across file systems is [`crate::vfs::Vfs::resolve`], with
//! [`Tmpfs::lookup`] for each step here. Permissions are recorded (mode bits) but everyone is root, who may do
//! everything but execute a file without any execute bit.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::file_data::{BLOCK, FileData, Window};

/// Errors (Linux numbering).
pub mod errno {
    pub const EPERM: u32 = 1;
    pub const ENOENT: u32 = 2;
    pub const ENOMEM: u32 = 12;
    pub const EEXIST: u32 = 17;
    pub const ENOTDIR: u32 = 20;
    pub const EISDIR: u32 = 21;
    pub const EINVAL: u32 = 22;
    pub const EFBIG: u32 = 27;
    pub const ENOSPC: u32 = 28;
    pub const ENAMETOOLONG: u32 = 36;
    pub const ENOTEMPTY: u32 = 39;
    pub const ELOOP: u32 = 40;
}

/// Longest name of one entry.
pub const NAME_MAX: usize = 255;
/// Largest file (tmpfs keeps files in memory).
pub const MAX_FILE: u64 = 256 << 20;
/// What one directory entry costs against the space limit: its name, its
/// inode and their share of the maps that hold them, rounded up.
pub const ENTRY_COST: u64 = 512;
/// The root directory's inode number.
pub const ROOT: u64 = 1;

/// File type bits of `st_mode`.
pub mod kind {
    pub const S_IFMT: u32 = 0o170000;
    pub const S_IFDIR: u32 = 0o040000;
    pub const S_IFREG: u32 = 0o100000;
    pub const S_IFLNK: u32 = 0o120000;
    pub const S_IFCHR: u32 = 0o020000;
}

#[derive(Debug)]
pub enum Content {
    Directory {
        entries: BTreeMap<Vec<u8>, u64>,
        parent: u64,
    },
    File(FileData),
    Symlink(Vec<u8>),
    /// A character device node: its device number.
    Device(u64),
}

#[derive(Debug)]
pub struct Inode {
    /// Permission bits (the type comes from `content`).
    pub perm: u32,
    pub links: u32,
    /// Open file descriptions of this inode: an inode without links
    /// lives on until the last one closes.
    pub opens: u32,
    pub content: Content,
    /// Modification and status-change times, ns since the epoch.
    pub mtime: u64,
    pub ctime: u64,
}

impl Inode {
    /// `st_mode`: type and permissions.
    pub fn mode(&self) -> u32 {
        let t = match self.content {
            Content::Directory { .. } => kind::S_IFDIR,
            Content::File(_) => kind::S_IFREG,
            Content::Symlink(_) => kind::S_IFLNK,
            Content::Device(_) => kind::S_IFCHR,
        };
        t | (self.perm & 0o7777)
    }

    pub fn size(&self) -> u64 {
        match &self.content {
            Content::File(data) => data.len(),
            Content::Symlink(target) => target.len() as u64,
            Content::Directory { entries, .. } => entries.len() as u64,
            Content::Device(_) => 0,
        }
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.content, Content::Directory { .. })
    }
}

pub struct Tmpfs {
    inodes: BTreeMap<u64, Inode>,
    next: u64,
    /// Bytes of file blocks and entry costs, and the most allowed.
    used: u64,
    limit: u64,
}

fn valid_name(name: &[u8]) -> Result<(), u32> {
    if name.len() > NAME_MAX {
        return Err(errno::ENAMETOOLONG);
    }
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0) {
        return Err(errno::EINVAL);
    }
    Ok(())
}

impl Tmpfs {
    /// An empty file system (a root directory, mode 0755) that holds at
    /// most `limit` bytes of file content.
    pub fn new(limit: u64, now: u64) -> Tmpfs {
        let mut inodes = BTreeMap::new();
        let root = Content::Directory { entries: BTreeMap::new(), parent: ROOT };
        inodes.insert(ROOT, Inode { perm: 0o755, links: 2, opens: 0, content: root, mtime: now, ctime: now });
        Tmpfs { inodes, next: ROOT + 1, used: 0, limit }
    }

    /// Bytes held (file blocks and entry costs) and the most allowed.
    pub fn space(&self) -> (u64, u64) {
        (self.used, self.limit)
    }

    pub fn get(&self, ino: u64) -> Option<&Inode> {
        self.inodes.get(&ino)
    }

    fn entries(&self, dir: u64) -> Result<&BTreeMap<Vec<u8>, u64>, u32> {
        match &self.inodes.get(&dir).ok_or(errno::ENOENT)?.content {
            Content::Directory { entries, .. } => Ok(entries),
            _ => Err(errno::ENOTDIR),
        }
    }

    fn entries_mut(&mut self, dir: u64) -> Result<&mut BTreeMap<Vec<u8>, u64>, u32> {
        match &mut self.inodes.get_mut(&dir).ok_or(errno::ENOENT)?.content {
            Content::Directory { entries, .. } => Ok(entries),
            _ => Err(errno::ENOTDIR),
        }
    }

    /// The parent of directory `dir`.
    pub fn parent_of(&self, dir: u64) -> Result<u64, u32> {
        match &self.inodes.get(&dir).ok_or(errno::ENOENT)?.content {
            Content::Directory { parent, .. } => Ok(*parent),
            _ => Err(errno::ENOTDIR),
        }
    }

    /// Entry `name` of directory `dir` (`.` and `..` included).
    pub fn lookup(&self, dir: u64, name: &[u8]) -> Result<u64, u32> {
        match name {
            b"." => self.entries(dir).map(|_| dir),
            b".." => self.parent_of(dir),
            _ => self.entries(dir)?.get(name).copied().ok_or(errno::ENOENT),
        }
    }

    fn add(&mut self, parent: u64, name: &[u8], perm: u32, content: Content, now: u64) -> Result<u64, u32> {
        valid_name(name)?;
        if self.entries(parent)?.contains_key(name) {
            return Err(errno::EEXIST);
        }
        // A symbolic link's target is held as long as its inode.
        let held = if let Content::Symlink(target) = &content { target.len() as u64 } else { 0 };
        self.charge(ENTRY_COST + held)?;
        let is_dir = matches!(content, Content::Directory { .. });
        let ino = self.next;
        self.next += 1;
        let links = if is_dir { 2 } else { 1 };
        self.inodes.insert(ino, Inode { perm: perm & 0o7777, links, opens: 0, content, mtime: now, ctime: now });
        self.entries_mut(parent)?.insert(name.to_vec(), ino);
        if is_dir {
            self.inodes.get_mut(&parent).expect("a directory").links += 1;
        }
        self.touch(parent, now);
        Ok(ino)
    }

    /// Takes `bytes` of the space limit: ENOSPC when they do not fit.
    fn charge(&mut self, bytes: u64) -> Result<(), u32> {
        match self.used.checked_add(bytes) {
            Some(used) if used <= self.limit => {
                self.used = used;
                Ok(())
            }
            _ => Err(errno::ENOSPC),
        }
    }

    fn touch(&mut self, ino: u64, now: u64) {
        if let Some(i) = self.inodes.get_mut(&ino) {
            i.mtime = now;
            i.ctime = now;
        }
    }

    /// A new empty file `name` in `parent`.
    pub fn create(&mut self, parent: u64, name: &[u8], perm: u32, now: u64) -> Result<u64, u32> {
        self.add(parent, name, perm, Content::File(FileData::default()), now)
    }

    /// A new directory.
    pub fn mkdir(&mut self, parent: u64, name: &[u8], perm: u32, now: u64) -> Result<u64, u32> {
        self.add(parent, name, perm, Content::Directory { entries: BTreeMap::new(), parent }, now)
    }

    /// A new symbolic link to `target`.
    pub fn symlink(&mut self, parent: u64, name: &[u8], target: &[u8], now: u64) -> Result<u64, u32> {
        if target.is_empty() {
            return Err(errno::ENOENT);
        }
        self.add(parent, name, 0o777, Content::Symlink(target.to_vec()), now)
    }

    /// A new device node for device number `rdev`.
    pub fn mknod(&mut self, parent: u64, name: &[u8], perm: u32, rdev: u64, now: u64) -> Result<u64, u32> {
        self.add(parent, name, perm, Content::Device(rdev), now)
    }

    /// Removes entry `name` of `parent`: a directory only if `dir` (and
    /// empty), anything else only if not.
    pub fn remove(&mut self, parent: u64, name: &[u8], dir: bool, now: u64) -> Result<(), u32> {
        if name == b"." {
            return Err(errno::EINVAL);
        }
        if name == b".." {
            return Err(errno::ENOTEMPTY);
        }
        let ino = self.lookup(parent, name)?;
        let inode = self.inodes.get(&ino).ok_or(errno::ENOENT)?;
        match (&inode.content, dir) {
            (Content::Directory { entries, .. }, true) if !entries.is_empty() => return Err(errno::ENOTEMPTY),
            (Content::Directory { .. }, false) => return Err(errno::EISDIR),
            (Content::Directory { .. }, true) => {}
            (_, true) => return Err(errno::ENOTDIR),
            (_, false) => {}
        }
        if ino == ROOT {
            return Err(errno::EINVAL);
        }
        self.entries_mut(parent)?.remove(name);
        self.used -= ENTRY_COST;
        if dir {
            self.inodes.get_mut(&parent).expect("a directory").links -= 1;
        }
        self.touch(parent, now);
        self.drop_link(ino, dir);
        Ok(())
    }

    fn drop_link(&mut self, ino: u64, dir: bool) {
        let Some(inode) = self.inodes.get_mut(&ino) else { return };
        inode.links = inode.links.saturating_sub(if dir { 2 } else { 1 });
        self.free_if_unused(ino);
    }

    /// An open file description of `ino` begins.
    pub fn hold(&mut self, ino: u64) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.opens += 1;
        }
    }

    /// An open file description of `ino` ends; an inode without links
    /// goes with its last one.
    pub fn let_go(&mut self, ino: u64) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.opens = inode.opens.saturating_sub(1);
        }
        self.free_if_unused(ino);
    }

    /// Frees `ino` and gives its space back when no name and no open file
    /// description refers to it.
    fn free_if_unused(&mut self, ino: u64) {
        if self.inodes.get(&ino).is_some_and(|i| i.links == 0 && i.opens == 0)
            && let Some(gone) = self.inodes.remove(&ino)
        {
            self.used -= match gone.content {
                Content::File(data) => data.blocks() * BLOCK,
                Content::Symlink(target) => target.len() as u64,
                _ => 0,
            };
        }
    }

    /// Whether `ino` is `dir` or lies inside it.
    fn is_within(&self, mut ino: u64, dir: u64) -> bool {
        loop {
            if ino == dir {
                return true;
            }
            match self.parent_of(ino) {
                Ok(parent) if parent != ino => ino = parent,
                _ => return false,
            }
        }
    }

    /// rename(2): moves entry `from_name` of `from` to `to_name` of `to`,
    /// replacing what is there if the kinds agree.
    pub fn rename(&mut self, from: u64, from_name: &[u8], to: u64, to_name: &[u8], now: u64) -> Result<(), u32> {
        valid_name(to_name)?;
        if from_name == b"." || from_name == b".." {
            return Err(errno::EINVAL);
        }
        let ino = self.lookup(from, from_name)?;
        let moving_dir = self.inodes.get(&ino).ok_or(errno::ENOENT)?.is_dir();
        self.entries(to)?;
        if moving_dir && self.is_within(to, ino) {
            return Err(errno::EINVAL);
        }
        if let Ok(existing) = self.lookup(to, to_name) {
            if existing == ino {
                return Ok(());
            }
            let existing_dir = self.inodes.get(&existing).ok_or(errno::ENOENT)?.is_dir();
            match (moving_dir, existing_dir) {
                (true, false) => return Err(errno::ENOTDIR),
                (false, true) => return Err(errno::EISDIR),
                _ => {}
            }
            self.remove(to, to_name, existing_dir, now)?;
        }
        self.entries_mut(from)?.remove(from_name);
        self.entries_mut(to)?.insert(to_name.to_vec(), ino);
        if moving_dir {
            if let Some(Content::Directory { parent, .. }) = self.inodes.get_mut(&ino).map(|i| &mut i.content) {
                *parent = to;
            }
            self.inodes.get_mut(&from).expect("a directory").links -= 1;
            self.inodes.get_mut(&to).expect("a directory").links += 1;
        }
        self.touch(from, now);
        self.touch(to, now);
        Ok(())
    }

    /// A hard link to file `ino` as `name` in `parent`.
    pub fn link(&mut self, ino: u64, parent: u64, name: &[u8], now: u64) -> Result<(), u32> {
        valid_name(name)?;
        if self.inodes.get(&ino).ok_or(errno::ENOENT)?.is_dir() {
            return Err(errno::EPERM);
        }
        if self.entries(parent)?.contains_key(name) {
            return Err(errno::EEXIST);
        }
        self.charge(ENTRY_COST)?;
        self.entries_mut(parent)?.insert(name.to_vec(), ino);
        let inode = self.inodes.get_mut(&ino).expect("checked");
        inode.links += 1;
        inode.ctime = now;
        self.touch(parent, now);
        Ok(())
    }

    /// Reads up to `out.len()` bytes of file `ino` at `offset`.
    pub fn read(&self, ino: u64, offset: u64, out: &mut [u8]) -> Result<usize, u32> {
        match &self.inodes.get(&ino).ok_or(errno::ENOENT)?.content {
            Content::File(data) => Ok(data.read(offset, out)),
            Content::Directory { .. } => Err(errno::EISDIR),
            _ => Err(errno::EINVAL),
        }
    }

    /// Writes `bytes` to file `ino` at `offset` (zeros fill a gap).
    pub fn write(&mut self, ino: u64, offset: u64, bytes: &[u8], now: u64) -> Result<usize, u32> {
        let end = offset.checked_add(bytes.len() as u64).ok_or(errno::EFBIG)?;
        let (used, limit) = (self.used, self.limit);
        let data = self.file_mut(ino)?;
        if end > MAX_FILE.min(data.max_len()) {
            return Err(errno::EFBIG);
        }
        let growth = data.blocks_needed(offset, bytes.len() as u64) * BLOCK;
        if used + growth > limit {
            return Err(errno::ENOSPC);
        }
        data.write(offset, bytes).map_err(|_| errno::ENOSPC)?;
        self.used += growth;
        self.touch(ino, now);
        Ok(bytes.len())
    }

    /// Sets the length of file `ino`; growing it costs nothing until the
    /// new part is written (unless the file is mapped: then it is memory
    /// at once).
    pub fn truncate(&mut self, ino: u64, len: u64, now: u64) -> Result<(), u32> {
        let (used, limit) = (self.used, self.limit);
        let data = self.file_mut(ino)?;
        if len > MAX_FILE.min(data.max_len()) {
            return Err(errno::EFBIG);
        }
        let before = data.blocks();
        let growth = if data.object().is_some() { len.div_ceil(BLOCK).saturating_sub(before) * BLOCK } else { 0 };
        if used + growth > limit {
            return Err(errno::ENOSPC);
        }
        data.truncate(len).map_err(|_| errno::ENOSPC)?;
        let after = data.blocks();
        self.used = used + after * BLOCK - before * BLOCK;
        self.touch(ino, now);
        Ok(())
    }

    /// The memory object of file `ino`, if it is mapped.
    pub fn file_object(&self, ino: u64) -> Option<u64> {
        match &self.inodes.get(&ino)?.content {
            Content::File(data) => data.object(),
            _ => None,
        }
    }

    /// Moves the bytes of file `ino` into `window`, to be mapped shared;
    /// the space of every block up to its end is taken (ENOSPC), and the
    /// window must hold it (EFBIG) and be backed (ENOMEM).
    pub fn map_file(&mut self, ino: u64, window: Box<dyn Window>) -> Result<u64, u32> {
        let (used, limit) = (self.used, self.limit);
        let data = self.file_mut(ino)?;
        if let Some(object) = data.object() {
            return Ok(object);
        }
        if data.len() > window.capacity() {
            return Err(errno::EFBIG);
        }
        let before = data.blocks();
        let growth = data.len().div_ceil(BLOCK).saturating_sub(before) * BLOCK;
        if used + growth > limit {
            return Err(errno::ENOSPC);
        }
        let object = window.object();
        data.move_to(window).map_err(|_| errno::ENOMEM)?;
        let after = data.blocks();
        self.used = used + after * BLOCK - before * BLOCK;
        Ok(object)
    }

    fn file_mut(&mut self, ino: u64) -> Result<&mut FileData, u32> {
        let inode = self.inodes.get_mut(&ino).ok_or(errno::ENOENT)?;
        match &mut inode.content {
            Content::File(data) => Ok(data),
            Content::Directory { .. } => Err(errno::EISDIR),
            _ => Err(errno::EINVAL),
        }
    }

    /// Sets the permission bits of `ino`.
    pub fn chmod(&mut self, ino: u64, perm: u32, now: u64) -> Result<(), u32> {
        let inode = self.inodes.get_mut(&ino).ok_or(errno::ENOENT)?;
        inode.perm = perm & 0o7777;
        inode.ctime = now;
        Ok(())
    }

    /// Sets the modification time of `ino`.
    pub fn set_mtime(&mut self, ino: u64, mtime: u64, now: u64) -> Result<(), u32> {
        let inode = self.inodes.get_mut(&ino).ok_or(errno::ENOENT)?;
        inode.mtime = mtime;
        inode.ctime = now;
        Ok(())
    }

    /// The entries of directory `dir` (without `.` and `..`), in name
    /// order: (name, inode).
    pub fn list(&self, dir: u64) -> Result<Vec<(Vec<u8>, u64)>, u32> {
        Ok(self.entries(dir)?.iter().map(|(name, &ino)| (name.clone(), ino)).collect())
    }

    /// The path of directory `dir` from the root.
    pub fn path_of(&self, mut dir: u64) -> Result<Vec<u8>, u32> {
        let mut parts: Vec<Vec<u8>> = Vec::new();
        while dir != ROOT {
            let parent = self.parent_of(dir)?;
            let name = self.entries(parent)?.iter().find(|(_, i)| **i == dir).map(|(n, _)| n.clone());
            parts.push(name.ok_or(errno::ENOENT)?);
            dir = parent;
        }
        let mut path = Vec::new();
        for part in parts.iter().rev() {
            path.push(b'/');
            path.extend(part);
        }
        if path.is_empty() {
            path.push(b'/');
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs() -> Tmpfs {
        Tmpfs::new(1 << 20, 0)
    }

    #[test]
    fn files_and_directories() {
        let mut t = fs();
        let d = t.mkdir(ROOT, b"tmp", 0o1777, 1).unwrap();
        let f = t.create(d, b"a.txt", 0o644, 1).unwrap();
        assert_eq!(t.write(f, 0, b"hello", 2), Ok(5));
        assert_eq!(t.write(f, 10, b"!", 2), Ok(1));
        let mut out = [9u8; 16];
        assert_eq!(t.read(f, 0, &mut out), Ok(11));
        assert_eq!(&out[..11], b"hello\0\0\0\0\0!");
        assert_eq!(t.get(f).unwrap().size(), 11);
        assert_eq!(t.get(d).unwrap().mode(), kind::S_IFDIR | 0o1777);
        assert_eq!(t.get(ROOT).unwrap().links, 3);
        assert_eq!(t.create(d, b"a.txt", 0o644, 3), Err(errno::EEXIST));
        assert_eq!(t.create(d, b"", 0o644, 3), Err(errno::EINVAL));
        assert_eq!(t.create(d, &[b'x'; 256], 0o644, 3), Err(errno::ENAMETOOLONG));
        assert_eq!(t.read(d, 0, &mut out), Err(errno::EISDIR));
        t.truncate(f, 2, 4).unwrap();
        assert_eq!(t.read(f, 0, &mut out), Ok(2));
    }

    #[test]
    fn removing_and_renaming() {
        let mut t = fs();
        let a = t.mkdir(ROOT, b"a", 0o755, 0).unwrap();
        let f = t.create(a, b"f", 0o644, 0).unwrap();
        assert_eq!(t.remove(ROOT, b"a", true, 1), Err(errno::ENOTEMPTY));
        assert_eq!(t.remove(ROOT, b"a", false, 1), Err(errno::EISDIR));
        assert_eq!(t.remove(a, b"f", true, 1), Err(errno::ENOTDIR));
        t.rename(a, b"f", ROOT, b"g", 1).unwrap();
        assert_eq!(t.lookup(ROOT, b"g"), Ok(f));
        assert_eq!(t.rename(ROOT, b"a", a, b"inside", 1), Err(errno::EINVAL), "into itself");
        let b = t.mkdir(ROOT, b"b", 0o755, 0).unwrap();
        t.rename(ROOT, b"a", b, b"a", 1).unwrap();
        assert_eq!(t.parent_of(a), Ok(b));
        assert_eq!(t.rename(ROOT, b"g", ROOT, b"b", 1), Err(errno::EISDIR));
        let h = t.create(ROOT, b"h", 0o644, 0).unwrap();
        t.rename(ROOT, b"g", ROOT, b"h", 1).unwrap();
        assert!(t.get(h).is_none(), "the replaced file is gone");
        t.link(f, ROOT, b"again", 1).unwrap();
        assert_eq!(t.get(f).unwrap().links, 2);
        t.remove(ROOT, b"h", false, 2).unwrap();
        assert!(t.get(f).is_some(), "still linked");
        t.remove(b, b"a", true, 2).unwrap();
        assert_eq!(t.get(b).unwrap().links, 2);
    }

    #[test]
    fn space_is_limited_and_returned() {
        let limit = 2 * ENTRY_COST + 2 * BLOCK;
        let mut t = Tmpfs::new(limit, 0);
        assert_eq!(t.space(), (0, limit));
        let f = t.create(ROOT, b"f", 0o644, 0).unwrap();
        assert_eq!(t.write(f, 0, &[1; 2 * BLOCK as usize], 0), Ok(2 * BLOCK as usize));
        assert_eq!(t.space(), (ENTRY_COST + 2 * BLOCK, limit));
        assert_eq!(t.write(f, 2 * BLOCK, &[1], 0), Err(errno::ENOSPC));
        // Rewriting held blocks costs nothing; a second name still fits.
        assert_eq!(t.write(f, 0, &[2; 100], 0), Ok(100));
        t.create(ROOT, b"g", 0o644, 0).unwrap();
        assert_eq!(t.create(ROOT, b"h", 0o644, 0), Err(errno::ENOSPC));
        assert_eq!(t.link(f, ROOT, b"h", 0), Err(errno::ENOSPC));
        t.truncate(f, BLOCK, 0).unwrap();
        let g = t.lookup(ROOT, b"g").unwrap();
        assert_eq!(t.write(g, 0, &[3; 10], 0), Ok(10));
        assert_eq!(t.write(g, BLOCK, &[3; 10], 0), Err(errno::ENOSPC));
        t.remove(ROOT, b"f", false, 0).unwrap();
        t.remove(ROOT, b"g", false, 0).unwrap();
        assert_eq!(t.space(), (0, limit), "everything came back");
        let h = t.create(ROOT, b"h", 0o644, 0).unwrap();
        assert_eq!(t.write(h, 0, &[1; 2 * BLOCK as usize], 0), Ok(2 * BLOCK as usize));
    }

    #[test]
    fn unlinked_files_live_while_open() {
        let mut t = Tmpfs::new(ENTRY_COST + BLOCK, 0);
        let f = t.create(ROOT, b"f", 0o644, 0).unwrap();
        t.hold(f);
        t.write(f, 0, b"kept", 0).unwrap();
        t.remove(ROOT, b"f", false, 0).unwrap();
        assert_eq!(t.lookup(ROOT, b"f"), Err(errno::ENOENT));
        let mut out = [0; 4];
        assert_eq!(t.read(f, 0, &mut out), Ok(4));
        assert_eq!(&out, b"kept");
        assert_eq!(t.get(f).unwrap().links, 0);
        // Its block is still taken.
        let g = t.create(ROOT, b"g", 0o644, 0).unwrap();
        assert_eq!(t.write(g, 0, b"x", 0), Err(errno::ENOSPC));
        t.let_go(f);
        assert!(t.get(f).is_none());
        assert_eq!(t.write(g, 0, b"x", 0), Ok(1));
    }

    #[test]
    fn symbolic_link_targets_take_space() {
        let mut t = Tmpfs::new(2 * ENTRY_COST + 1000, 0);
        assert_eq!(t.symlink(ROOT, b"big", &[b'x'; 2000], 0), Err(errno::ENOSPC));
        t.symlink(ROOT, b"a", &[b'x'; 900], 0).unwrap();
        let a = t.lookup(ROOT, b"a").unwrap();
        t.link(a, ROOT, b"b", 0).unwrap();
        assert_eq!(t.symlink(ROOT, b"c", b"x", 0), Err(errno::ENOSPC));
        t.remove(ROOT, b"a", false, 0).unwrap();
        assert_eq!(t.symlink(ROOT, b"c", &[b'y'; 200], 0), Err(errno::ENOSPC), "b still holds the target");
        t.remove(ROOT, b"b", false, 0).unwrap();
        t.symlink(ROOT, b"c", &[b'y'; 900], 0).unwrap();
    }

    #[test]
    fn directory_listing() {
        let mut t = fs();
        t.create(ROOT, b"b", 0o644, 0).unwrap();
        t.create(ROOT, b"a", 0o644, 0).unwrap();
        let names: Vec<Vec<u8>> = t.list(ROOT).unwrap().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, [&b"a"[..], b"b"]);
    }
}
