//! Calls that name files by path: open, stat, statfs, mkdir, unlink, rename,
//! symlink, readlink, link, chdir, getcwd, truncate, chmod, access, and
//! getdents on an open directory.
//!
//! A path is resolved in the tree ([`fs0::vfs::Vfs::resolve`]) from the
//! root if it is absolute, else from a directory descriptor or, for
//! `AT_FDCWD`, the process's working directory. The tmpfs starts with /dev
//! (a device node for each device, [`crate::devices`]), /tmp and /dev/shm
//! (both mode 1777); it is the root unless a FAT volume is (see
//! [`crate::storage`]).

use fs0::file_data::BLOCK;
use fs0::procfs::Procfs;
use fs0::tmpfs::{ROOT, Tmpfs};
use fs0::vfs::{Found, Kind, NAME_MAX};
use fs0_proto::errno::{EACCES, EBADF, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ERANGE};
use fs0_proto::fcntl::{O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_TRUNC};
use fs0_proto::{AT_FDCWD, StatFs, at, magic, st, utime};

use crate::devices::Device;
use crate::files::{DEV_PIPES, Files, Node, Outcome, errno, words};

/// Bytes the tmpfs may hold (file blocks and entries): 16 of fs0's 40 MiB
/// heap, the rest left for the disk cache, descriptors and pipes.
pub const TMPFS_LIMIT: u64 = 16 << 20;

/// access(2) mode bits.
const X_OK: u64 = 1;

/// The tmpfs Tern starts with: /dev with its devices, /tmp, /dev/shm.
pub fn initial_tmpfs(now: u64) -> Tmpfs {
    let mut fs = Tmpfs::new(TMPFS_LIMIT, now);
    let dev = fs.mkdir(ROOT, b"dev", 0o755, now).expect("a fresh tmpfs");
    for (device, name) in Device::ALL {
        fs.mknod(dev, name, 0o666, device.rdev(), now).expect("distinct names");
    }
    fs.mkdir(dev, b"shm", 0o1777, now).expect("a fresh directory");
    fs.mkdir(ROOT, b"tmp", 0o1777, now).expect("a fresh tmpfs");
    fs
}

impl Files {
    /// The directory a relative path starts from.
    fn start_dir(&mut self, pid: u64, dirfd: u64) -> Result<u64, u32> {
        if dirfd == AT_FDCWD {
            return Ok(self.cwds.get(&pid).copied().unwrap_or(self.fs.root()));
        }
        match self.lookup(pid, dirfd)? {
            (_, Node::Dir(ino), _) => Ok(ino),
            _ => Err(ENOTDIR),
        }
    }

    /// Resolves `path` for `pid` from `dirfd`.
    fn resolve(&mut self, pid: u64, dirfd: u64, path: &[u8], follow: bool) -> Result<Found, u32> {
        let start = if path.first() == Some(&b'/') { self.fs.root() } else { self.start_dir(pid, dirfd)? };
        self.fs.resolve(start, path, follow, pid)
    }

    /// The existing inode `path` names (`dirfd` itself for an empty path
    /// with AT_EMPTY_PATH).
    fn existing(&mut self, pid: u64, dirfd: u64, path: &[u8], flags: u64) -> Result<u64, u32> {
        if path.is_empty() && flags & at::EMPTY_PATH != 0 {
            return match self.lookup(pid, dirfd)?.1 {
                Node::File(ino) | Node::Dir(ino) => Ok(ino),
                _ => Err(EBADF),
            };
        }
        self.resolve(pid, dirfd, path, flags & at::SYMLINK_NOFOLLOW == 0)?.inode.ok_or(ENOENT)
    }

    /// OPEN (dirfd, flags, mode) of `path`.
    pub fn open(&mut self, pid: u64, dirfd: u64, path: &[u8], flags: u64, mode: u64) -> Outcome {
        match self.open_path(pid, dirfd, path, flags, mode) {
            Ok(fd) => words(&[fd]),
            Err(e) => errno(e),
        }
    }

    fn open_path(&mut self, pid: u64, dirfd: u64, path: &[u8], flags: u64, mode: u64) -> Result<u64, u32> {
        let now = self.now();
        let found = self.resolve(pid, dirfd, path, flags & O_NOFOLLOW == 0 && flags & O_EXCL == 0)?;
        let ino = match found.inode {
            Some(_) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => return Err(EEXIST),
            Some(ino) => ino,
            None if flags & O_CREAT != 0 => {
                if path.ends_with(b"/") {
                    return Err(EISDIR);
                }
                self.fs.create(found.parent, &found.name, mode as u32, now)?
            }
            None => return Err(ENOENT),
        };
        let attr = self.fs.attr(ino)?;
        let access = flags & O_ACCMODE;
        if access != 0 && !self.fs.writable(ino) {
            return Err(EACCES);
        }
        let status = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
        let node = match attr.kind {
            Kind::Directory => {
                if access != 0 {
                    return Err(EISDIR);
                }
                Node::Dir(ino)
            }
            _ if flags & O_DIRECTORY != 0 => return Err(ENOTDIR),
            Kind::File => {
                if flags & O_TRUNC != 0 && access != 0 {
                    self.fs.truncate(ino, 0, now)?;
                }
                Node::File(ino)
            }
            // O_NOFOLLOW on a link.
            Kind::Symlink => return Err(fs0_proto::errno::ELOOP),
            Kind::Device(rdev) => Node::Device(Device::from_rdev(rdev).ok_or(fs0_proto::errno::ENXIO)?),
        };
        self.install(pid, node, status, flags & O_CLOEXEC != 0)
    }

    /// STAT (dirfd, flags) of `path`.
    pub fn stat(&mut self, pid: u64, dirfd: u64, path: &[u8], flags: u64) -> Outcome {
        if path.is_empty() && flags & at::EMPTY_PATH != 0 {
            return self.fstat(pid, dirfd);
        }
        match self.existing(pid, dirfd, path, flags).and_then(|ino| self.stat_inode(ino)) {
            Ok(st) => words(&st.to_words()),
            Err(e) => errno(e),
        }
    }

    /// STATFS (dirfd, flags) of `path` (or, with AT_EMPTY_PATH and an
    /// empty path, of descriptor `dirfd`): the file system holding it.
    pub fn statfs(&mut self, pid: u64, dirfd: u64, path: &[u8], flags: u64) -> Outcome {
        let result = if path.is_empty() && flags & at::EMPTY_PATH != 0 {
            match self.lookup(pid, dirfd) {
                Ok((_, Node::File(ino) | Node::Dir(ino), _)) => self.fs.statfs(ino),
                // Devices open from the start are those of /dev.
                Ok((_, Node::Device(_), _)) => self.fs.statfs(ROOT),
                Ok((_, Node::PipeRead(_) | Node::PipeWrite(_), _)) => Ok(StatFs {
                    fs_type: magic::PIPEFS,
                    name_max: NAME_MAX as u32,
                    block_size: BLOCK,
                    dev: DEV_PIPES as u32,
                    flags: st::VALID,
                    ..StatFs::default()
                }),
                Err(e) => Err(e),
            }
        } else {
            self.existing(pid, dirfd, path, flags).and_then(|ino| self.fs.statfs(ino))
        };
        match result {
            Ok(s) => words(&s.to_words()),
            Err(e) => errno(e),
        }
    }

    /// MKDIR (dirfd, mode) of `path`.
    pub fn mkdir(&mut self, pid: u64, dirfd: u64, path: &[u8], mode: u64) -> Outcome {
        let now = self.now();
        let result = self.resolve(pid, dirfd, path, false).and_then(|found| match found.inode {
            Some(_) => Err(EEXIST),
            None => self.fs.mkdir(found.parent, &found.name, mode as u32, now).map(|_| ()),
        });
        done(result)
    }

    /// UNLINK (dirfd, flags) of `path`.
    pub fn unlink(&mut self, pid: u64, dirfd: u64, path: &[u8], flags: u64) -> Outcome {
        if flags & !at::REMOVEDIR != 0 {
            return errno(EINVAL);
        }
        let now = self.now();
        let dir = flags & at::REMOVEDIR != 0;
        let result = self.resolve(pid, dirfd, path, false).and_then(|found| {
            if found.inode.is_none() {
                return Err(ENOENT);
            }
            if !dir && path.ends_with(b"/") {
                return Err(fs0_proto::errno::EISDIR);
            }
            self.fs.remove(found.parent, &found.name, dir, now)
        });
        done(result)
    }

    /// RENAME (old dirfd, new dirfd) of two paths.
    pub fn rename(&mut self, pid: u64, old_dir: u64, old: &[u8], new_dir: u64, new: &[u8]) -> Outcome {
        let now = self.now();
        let result = (|| {
            let from = self.resolve(pid, old_dir, old, false)?;
            from.inode.ok_or(ENOENT)?;
            let to = self.resolve(pid, new_dir, new, false)?;
            self.fs.rename(from.parent, &from.name, to.parent, &to.name, now)
        })();
        done(result)
    }

    /// SYMLINK (dirfd): `path` becomes a link to `target`.
    pub fn symlink(&mut self, pid: u64, dirfd: u64, target: &[u8], path: &[u8]) -> Outcome {
        let now = self.now();
        let result = self.resolve(pid, dirfd, path, false).and_then(|found| match found.inode {
            Some(_) => Err(EEXIST),
            None => self.fs.symlink(found.parent, &found.name, target, now).map(|_| ()),
        });
        done(result)
    }

    /// READLINK (dirfd) of `path`: the target, cut to `len`.
    pub fn readlink(&mut self, pid: u64, dirfd: u64, path: &[u8], len: u64) -> Result<alloc::vec::Vec<u8>, u32> {
        let ino = self.resolve(pid, dirfd, path, false)?.inode.ok_or(ENOENT)?;
        let mut target = self.fs.readlink(ino, pid)?;
        // A program executed by a relative path: from where it was run.
        if let Some(owner) = Procfs::exe_owner(ino)
            && !target.starts_with(b"/")
        {
            let dir = self.exec_dirs.get(&owner).copied().unwrap_or(self.fs.root());
            let mut absolute = self.fs.path_of(dir)?;
            if !absolute.ends_with(b"/") {
                absolute.push(b'/');
            }
            absolute.extend_from_slice(target.strip_prefix(b"./").unwrap_or(&target));
            target = absolute;
        }
        Ok(target[..target.len().min(len as usize)].to_vec())
    }

    /// LINK (old dirfd, new dirfd, flags).
    pub fn link(&mut self, pid: u64, old_dir: u64, old: &[u8], new_dir: u64, new: &[u8], flags: u64) -> Outcome {
        let now = self.now();
        let result = (|| {
            let ino = self.existing(
                pid,
                old_dir,
                old,
                if flags & at::SYMLINK_FOLLOW != 0 { 0 } else { at::SYMLINK_NOFOLLOW },
            )?;
            let to = self.resolve(pid, new_dir, new, false)?;
            if to.inode.is_some() {
                return Err(EEXIST);
            }
            self.fs.link(ino, to.parent, &to.name, now)
        })();
        done(result)
    }

    /// CHDIR (dirfd) to `path` (`dirfd` itself when empty).
    pub fn chdir(&mut self, pid: u64, dirfd: u64, path: &[u8]) -> Outcome {
        let result = (|| {
            let ino = if path.is_empty() { self.start_dir(pid, dirfd)? } else { self.existing(pid, dirfd, path, 0)? };
            if !self.fs.attr(ino)?.is_dir() {
                return Err(ENOTDIR);
            }
            self.cwds.insert(pid, ino);
            Ok(())
        })();
        done(result)
    }

    /// The path of `pid`'s working directory.
    pub fn cwd_path(&self, pid: u64) -> Result<alloc::vec::Vec<u8>, u32> {
        self.fs.path_of(self.cwds.get(&pid).copied().unwrap_or(self.fs.root()))
    }

    /// GETCWD into a buffer of `len` bytes: the path and its NUL.
    pub fn getcwd(&self, pid: u64, len: u64) -> Result<alloc::vec::Vec<u8>, u32> {
        let mut path = self.cwd_path(pid)?;
        path.push(0);
        if path.len() as u64 > len {
            return Err(ERANGE);
        }
        Ok(path)
    }

    /// TRUNCATE (dirfd, length) of `path` (the descriptor when empty).
    pub fn truncate(&mut self, pid: u64, dirfd: u64, path: &[u8], len: u64) -> Outcome {
        let now = self.now();
        let result = (|| {
            let ino = if path.is_empty() {
                match self.lookup(pid, dirfd)? {
                    (_, Node::File(ino), flags) if flags & O_ACCMODE != 0 => ino,
                    (_, Node::Dir(_), _) => return Err(EISDIR),
                    _ => return Err(EINVAL),
                }
            } else {
                self.existing(pid, dirfd, path, 0)?
            };
            if len > i64::MAX as u64 {
                return Err(EINVAL);
            }
            self.fs.truncate(ino, len, now)
        })();
        done(result)
    }

    /// CHMOD (dirfd, mode, flags) of `path`.
    pub fn chmod(&mut self, pid: u64, dirfd: u64, path: &[u8], mode: u64, flags: u64) -> Outcome {
        let now = self.now();
        let result = self.existing(pid, dirfd, path, flags).and_then(|ino| self.fs.chmod(ino, mode as u32, now));
        done(result)
    }

    /// UTIMES (dirfd, mtime, flags) of `path`.
    pub fn utimes(&mut self, pid: u64, dirfd: u64, path: &[u8], mtime: u64, flags: u64) -> Outcome {
        let now = self.now();
        let result = self.existing(pid, dirfd, path, flags).and_then(|ino| match mtime {
            utime::OMIT => Ok(()),
            utime::NOW => self.fs.set_mtime(ino, now, now),
            at => self.fs.set_mtime(ino, at, now),
        });
        done(result)
    }

    /// ACCESS (dirfd, mode, flags) of `path`: everyone is root, who may
    /// read and write anything and execute what has an execute bit.
    pub fn access(&mut self, pid: u64, dirfd: u64, path: &[u8], mode: u64, flags: u64) -> Outcome {
        if mode & !7 != 0 {
            return errno(EINVAL);
        }
        let result = self.existing(pid, dirfd, path, flags).and_then(|ino| {
            let attr = self.fs.attr(ino)?;
            let executable = attr.is_dir() || attr.perm & 0o111 != 0;
            if mode & X_OK != 0 && !executable { Err(EACCES) } else { Ok(()) }
        });
        done(result)
    }

    /// GETDENTS (fd) into a buffer of `len` bytes: `linux_dirent64`
    /// records from the directory's position on, as many as fit. The
    /// entries are taken once, when a read starts at position 0 (opendir,
    /// rewinddir), and the position indexes that listing: removing entries
    /// while reading (rm -r) skips none, and a long directory is read in
    /// one pass of the file system.
    pub fn getdents(&mut self, pid: u64, fd: u64, len: u64) -> Result<alloc::vec::Vec<u8>, u32> {
        let (id, node, _) = self.lookup(pid, fd)?;
        let Node::Dir(dir) = node else { return Err(ENOTDIR) };
        let description = self.descriptions.get(&id).ok_or(EBADF)?;
        let mut position = description.offset;
        if position == 0 || description.listing.is_none() {
            let listing = self.fs.list(dir)?;
            self.descriptions.get_mut(&id).ok_or(EBADF)?.listing = Some(listing);
        }
        let listing = self.descriptions.get(&id).and_then(|d| d.listing.as_ref()).ok_or(EBADF)?;
        let mut out = alloc::vec::Vec::new();
        for (name, ino) in listing.iter().skip(position as usize) {
            let reclen = (19 + name.len() + 1).next_multiple_of(8);
            if (out.len() + reclen) as u64 > len {
                if out.is_empty() {
                    return Err(EINVAL);
                }
                break;
            }
            let d_type = match self.fs.attr(*ino).map(|a| a.kind) {
                Ok(Kind::Directory) => 4,
                Ok(Kind::File) => 8,
                Ok(Kind::Symlink) => 10,
                Ok(Kind::Device(_)) => 2,
                Err(_) => 0,
            };
            position += 1;
            out.extend_from_slice(&ino.to_le_bytes());
            out.extend_from_slice(&(position as i64).to_le_bytes());
            out.extend_from_slice(&(reclen as u16).to_le_bytes());
            out.push(d_type);
            out.extend_from_slice(name);
            out.resize(out.len() + reclen - 19 - name.len(), 0);
        }
        if let Some(d) = self.descriptions.get_mut(&id) {
            d.offset = position;
        }
        Ok(out)
    }
}

/// The reply for a call that answers nothing but success or an errno.
fn done(result: Result<(), u32>) -> Outcome {
    match result {
        Ok(()) => words(&[]),
        Err(e) => errno(e),
    }
}
