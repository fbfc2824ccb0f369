//! Calls that name files by path, served by fs0 (`fs0/src/namespace.rs`):
//! open, openat, stat, lstat, newfstatat, statx, fstat, statfs, fstatfs,
//! mkdir, mkdirat, rmdir,
//! unlink, unlinkat, rename, renameat, renameat2, symlink, symlinkat,
//! readlink, readlinkat, link, linkat, chdir, fchdir, getcwd, truncate,
//! ftruncate, chmod, fchmod, fchmodat, utimensat, access, faccessat, faccessat2,
//! getdents64, umask, and the syncs.
//!
//! A path goes to fs0 as a read grant over the program's string (its
//! length measured here, up to PATH_MAX); a `dirfd` goes as is, with
//! AT_FDCWD for the working directory, which fs0 keeps. The umask is
//! libposix's, applied to the mode before fs0 sees it.

use core::sync::atomic::{AtomicU64, Ordering};

use abi::ipc::{Grant, grant};
use fs0_proto::errno::{EFAULT, EINVAL, ENAMETOOLONG, ENOENT};
use fs0_proto::{AT_FDCWD, Stat, StatFs, at, label, utime};
use libtern_sys::ipc::Message;
use mm0_proto::SLOT_FS0;

use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::user;

/// Longest path, NUL included.
const PATH_MAX: u64 = 4096;

/// The process's file mode creation mask (inherited across fork in
/// libposix's memory).
static UMASK: AtomicU64 = AtomicU64::new(0o022);

/// A grant of no bytes, for calls whose path is empty (the descriptor is
/// meant): over the signal area, which is always mapped.
const EMPTY: Grant = Grant { addr: mm0_proto::signal::SIGNAL_AREA, len: 0, access: grant::READ };

/// A read grant over the NUL-terminated path at `ptr`.
fn path(ptr: u64) -> Result<Grant, u32> {
    let len = user::c_string_len(ptr, PATH_MAX - 1, ENAMETOOLONG)?;
    Ok(Grant { addr: ptr, len, access: grant::READ })
}

/// A path that must not be empty (ENOENT), as most calls want.
fn nonempty(ptr: u64) -> Result<Grant, u32> {
    let g = path(ptr)?;
    if g.len == 0 { Err(ENOENT) } else { Ok(g) }
}

/// The dirfd in a register (a signed int; AT_FDCWD stays itself).
fn dirfd(reg: u64) -> u64 {
    let fd = reg as i32;
    if i64::from(fd) == AT_FDCWD as i64 { AT_FDCWD } else { u64::from(fd as u32) }
}

fn call(label: u32, words: &[u64], grants: &[Grant]) -> Result<Message, u32> {
    server::call(SLOT_FS0, label, words, grants)
}

/// umask(mask)
pub fn umask(args: &Args) -> SysResult {
    Ok(UMASK.swap(args[0] & 0o777, Ordering::Relaxed))
}

fn masked(mode: u64) -> u64 {
    mode & 0o7777 & !UMASK.load(Ordering::Relaxed)
}

/// open(path, flags, mode)
pub fn open(args: &Args) -> SysResult {
    openat(&[AT_FDCWD, args[0], args[1], args[2], 0, 0])
}

/// openat(dirfd, path, flags, mode)
pub fn openat(args: &Args) -> SysResult {
    let [dir, p, flags, mode, ..] = *args;
    let g = nonempty(p)?;
    call(label::OPEN, &[dirfd(dir), u64::from(flags as u32), masked(mode)], &[g]).map(|r| r.word(0))
}

/// creat(path, mode)
pub fn creat(args: &Args) -> SysResult {
    const O_CREAT_WRONLY_TRUNC: u64 = 0o1101;
    openat(&[AT_FDCWD, args[0], O_CREAT_WRONLY_TRUNC, args[1], 0, 0])
}

/// `struct stat` (x86_64).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct KernelStat {
    dev: u64,
    ino: u64,
    nlink: u64,
    mode: u32,
    uid: u32,
    gid: u32,
    pad: u32,
    rdev: u64,
    size: i64,
    blksize: i64,
    blocks: i64,
    /// atime, mtime, ctime: seconds and nanoseconds each.
    times: [i64; 6],
    unused: [i64; 3],
}

const _: () = assert!(size_of::<KernelStat>() == 144);

/// `struct statx_timestamp`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct StatxTime {
    sec: i64,
    nsec: u32,
    reserved: i32,
}

impl StatxTime {
    fn from_ns(ns: u64) -> StatxTime {
        StatxTime { sec: (ns / 1_000_000_000) as i64, nsec: (ns % 1_000_000_000) as u32, reserved: 0 }
    }
}

/// `struct statx`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Statx {
    mask: u32,
    blksize: u32,
    attributes: u64,
    nlink: u32,
    uid: u32,
    gid: u32,
    mode: u16,
    spare0: u16,
    ino: u64,
    size: u64,
    blocks: u64,
    attributes_mask: u64,
    atime: StatxTime,
    btime: StatxTime,
    ctime: StatxTime,
    mtime: StatxTime,
    rdev_major: u32,
    rdev_minor: u32,
    dev_major: u32,
    dev_minor: u32,
    mnt_id: u64,
    dio_mem_align: u32,
    dio_offset_align: u32,
    spare3: [u64; 12],
}

const _: () = assert!(size_of::<Statx>() == 256);

/// A device number's major and minor parts (Linux's new_decode_dev).
fn split_dev(dev: u64) -> (u32, u32) {
    (((dev >> 8) & 0xfff) as u32, ((dev & 0xff) | ((dev >> 12) & 0xfff00)) as u32)
}

/// statx(dirfd, path, flags, mask, buf): what stat says, as `struct
/// statx`, with the basic fields (STATX_BASIC_STATS; no birth time).
pub fn statx(args: &Args) -> SysResult {
    /// AT_NO_AUTOMOUNT and the AT_STATX_SYNC_TYPE bits, which change
    /// nothing for files in memory.
    const HARMLESS: u64 = 0x800 | 0x6000;
    const STATX_RESERVED: u64 = 0x8000_0000;
    const STATX_BASIC_STATS: u32 = 0x7ff;
    let [dir, p, flags, mask, buf, _] = *args;
    let flags = u64::from(flags as u32);
    if flags & !(at::SYMLINK_NOFOLLOW | at::EMPTY_PATH | HARMLESS) != 0 || u64::from(mask as u32) & STATX_RESERVED != 0
    {
        return Err(EINVAL);
    }
    user::check_range(buf, size_of::<Statx>() as u64)?;
    let g = if flags & at::EMPTY_PATH != 0 { path(p)? } else { nonempty(p)? };
    let g = if g.len == 0 { EMPTY } else { g };
    let reply = call(label::STAT, &[dirfd(dir), flags & (at::SYMLINK_NOFOLLOW | at::EMPTY_PATH)], &[g])?;
    let st = Stat::from_words(&reply.words).ok_or(fs0_proto::errno::EIO)?;
    let (rdev_major, rdev_minor) = split_dev(st.rdev);
    let (dev_major, dev_minor) = split_dev(st.dev);
    let out = Statx {
        mask: STATX_BASIC_STATS,
        blksize: 4096,
        nlink: st.nlink as u32,
        mode: st.mode as u16,
        ino: st.ino,
        size: st.size,
        blocks: st.size.div_ceil(512),
        atime: StatxTime::from_ns(st.mtime),
        ctime: StatxTime::from_ns(st.ctime),
        mtime: StatxTime::from_ns(st.mtime),
        rdev_major,
        rdev_minor,
        dev_major,
        dev_minor,
        ..Statx::default()
    };
    user::write(buf, out).map(|()| 0)
}

/// Writes fs0's stat words as `struct stat` at `buf`.
fn write_stat(buf: u64, reply: &Message) -> SysResult {
    let st = Stat::from_words(&reply.words).ok_or(fs0_proto::errno::EIO)?;
    let (ms, mn) = ((st.mtime / 1_000_000_000) as i64, (st.mtime % 1_000_000_000) as i64);
    let (cs, cn) = ((st.ctime / 1_000_000_000) as i64, (st.ctime % 1_000_000_000) as i64);
    let out = KernelStat {
        dev: st.dev,
        ino: st.ino,
        nlink: st.nlink,
        mode: st.mode as u32,
        rdev: st.rdev,
        size: st.size as i64,
        blksize: 4096,
        blocks: st.size.div_ceil(512) as i64,
        times: [ms, mn, ms, mn, cs, cn],
        ..KernelStat::default()
    };
    user::write(buf, out).map(|()| 0)
}

/// fstat(fd, buf)
pub fn fstat(args: &Args) -> SysResult {
    user::check_range(args[1], size_of::<KernelStat>() as u64)?;
    let reply = call(label::FSTAT, &[u64::from(args[0] as u32)], &[])?;
    write_stat(args[1], &reply)
}

/// stat(path, buf)
pub fn stat(args: &Args) -> SysResult {
    newfstatat(&[AT_FDCWD, args[0], args[1], 0, 0, 0])
}

/// lstat(path, buf)
pub fn lstat(args: &Args) -> SysResult {
    newfstatat(&[AT_FDCWD, args[0], args[1], at::SYMLINK_NOFOLLOW, 0, 0])
}

/// newfstatat(dirfd, path, buf, flags)
pub fn newfstatat(args: &Args) -> SysResult {
    let [dir, p, buf, flags, ..] = *args;
    let flags = u64::from(flags as u32);
    if flags & !(at::SYMLINK_NOFOLLOW | at::EMPTY_PATH | 0x800) != 0 {
        return Err(EINVAL);
    }
    user::check_range(buf, size_of::<KernelStat>() as u64)?;
    let g = if flags & at::EMPTY_PATH != 0 { path(p)? } else { nonempty(p)? };
    let g = if g.len == 0 { EMPTY } else { g };
    let reply = call(label::STAT, &[dirfd(dir), flags], &[g])?;
    write_stat(buf, &reply)
}

/// `struct statfs` (x86_64).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct KernelStatFs {
    fs_type: i64,
    bsize: i64,
    blocks: u64,
    bfree: u64,
    bavail: u64,
    files: u64,
    ffree: u64,
    fsid: [i32; 2],
    namelen: i64,
    frsize: i64,
    flags: i64,
    spare: [i64; 4],
}

const _: () = assert!(size_of::<KernelStatFs>() == 120);

/// Writes fs0's statfs words as `struct statfs` at `buf`.
fn write_statfs(buf: u64, reply: &Message) -> SysResult {
    let s = StatFs::from_words(&reply.words).ok_or(fs0_proto::errno::EIO)?;
    let out = KernelStatFs {
        fs_type: i64::from(s.fs_type),
        bsize: s.block_size as i64,
        blocks: s.blocks,
        bfree: s.blocks_free,
        bavail: s.blocks_free,
        files: s.files,
        ffree: s.files_free,
        fsid: [s.dev as i32, 0],
        namelen: i64::from(s.name_max),
        frsize: s.block_size as i64,
        flags: i64::from(s.flags),
        ..KernelStatFs::default()
    };
    user::write(buf, out).map(|()| 0)
}

/// statfs(path, buf)
pub fn statfs(args: &Args) -> SysResult {
    user::check_range(args[1], size_of::<KernelStatFs>() as u64)?;
    let reply = call(label::STATFS, &[AT_FDCWD, 0], &[nonempty(args[0])?])?;
    write_statfs(args[1], &reply)
}

/// fstatfs(fd, buf)
pub fn fstatfs(args: &Args) -> SysResult {
    user::check_range(args[1], size_of::<KernelStatFs>() as u64)?;
    let reply = call(label::STATFS, &[u64::from(args[0] as u32), at::EMPTY_PATH], &[EMPTY])?;
    write_statfs(args[1], &reply)
}

/// mkdir(path, mode)
pub fn mkdir(args: &Args) -> SysResult {
    mkdirat(&[AT_FDCWD, args[0], args[1], 0, 0, 0])
}

/// mkdirat(dirfd, path, mode)
pub fn mkdirat(args: &Args) -> SysResult {
    let g = nonempty(args[1])?;
    call(label::MKDIR, &[dirfd(args[0]), masked(args[2])], &[g]).map(|_| 0)
}

/// rmdir(path)
pub fn rmdir(args: &Args) -> SysResult {
    unlinkat(&[AT_FDCWD, args[0], at::REMOVEDIR, 0, 0, 0])
}

/// unlink(path)
pub fn unlink(args: &Args) -> SysResult {
    unlinkat(&[AT_FDCWD, args[0], 0, 0, 0, 0])
}

/// unlinkat(dirfd, path, flags)
pub fn unlinkat(args: &Args) -> SysResult {
    let g = nonempty(args[1])?;
    call(label::UNLINK, &[dirfd(args[0]), u64::from(args[2] as u32)], &[g]).map(|_| 0)
}

/// rename(old, new)
pub fn rename(args: &Args) -> SysResult {
    renameat2(&[AT_FDCWD, args[0], AT_FDCWD, args[1], 0, 0])
}

/// renameat(olddirfd, old, newdirfd, new)
pub fn renameat(args: &Args) -> SysResult {
    renameat2(&[args[0], args[1], args[2], args[3], 0, 0])
}

/// renameat2(olddirfd, old, newdirfd, new, flags): no flags yet
/// (RENAME_NOREPLACE and RENAME_EXCHANGE are EINVAL).
pub fn renameat2(args: &Args) -> SysResult {
    if args[4] as u32 != 0 {
        return Err(EINVAL);
    }
    let (old, new) = (nonempty(args[1])?, nonempty(args[3])?);
    call(label::RENAME, &[dirfd(args[0]), dirfd(args[2])], &[old, new]).map(|_| 0)
}

/// symlink(target, path)
pub fn symlink(args: &Args) -> SysResult {
    symlinkat(&[args[0], AT_FDCWD, args[1], 0, 0, 0])
}

/// symlinkat(target, dirfd, path)
pub fn symlinkat(args: &Args) -> SysResult {
    let (target, p) = (nonempty(args[0])?, nonempty(args[2])?);
    call(label::SYMLINK, &[dirfd(args[1])], &[target, p]).map(|_| 0)
}

/// readlink(path, buf, size)
pub fn readlink(args: &Args) -> SysResult {
    readlinkat(&[AT_FDCWD, args[0], args[1], args[2], 0, 0])
}

/// readlinkat(dirfd, path, buf, size): the target, not NUL-terminated.
/// `/proc/self/exe` is not a link here yet (ENOENT).
pub fn readlinkat(args: &Args) -> SysResult {
    let [dir, p, buf, size, ..] = *args;
    if size as i32 <= 0 {
        return Err(EINVAL);
    }
    let g = nonempty(p)?;
    user::check_range(buf, size)?;
    crate::mapped::ensure(buf, size, crate::mapped::Access::Write)?;
    let out = Grant { addr: buf, len: size, access: grant::WRITE };
    call(label::READLINK, &[dirfd(dir)], &[g, out]).map(|r| r.word(0))
}

/// link(old, new)
pub fn link(args: &Args) -> SysResult {
    linkat(&[AT_FDCWD, args[0], AT_FDCWD, args[1], 0, 0])
}

/// linkat(olddirfd, old, newdirfd, new, flags)
pub fn linkat(args: &Args) -> SysResult {
    let flags = u64::from(args[4] as u32);
    if flags & !at::SYMLINK_FOLLOW != 0 {
        return Err(EINVAL);
    }
    let (old, new) = (nonempty(args[1])?, nonempty(args[3])?);
    call(label::LINK, &[dirfd(args[0]), dirfd(args[2]), flags], &[old, new]).map(|_| 0)
}

/// chdir(path)
pub fn chdir(args: &Args) -> SysResult {
    let g = nonempty(args[0])?;
    call(label::CHDIR, &[AT_FDCWD], &[g]).map(|_| 0)
}

/// fchdir(fd)
pub fn fchdir(args: &Args) -> SysResult {
    call(label::CHDIR, &[u64::from(args[0] as u32)], &[EMPTY]).map(|_| 0)
}

/// getcwd(buf, size): the length with the NUL, as the Linux call returns.
pub fn getcwd(args: &Args) -> SysResult {
    let [buf, size, ..] = *args;
    if size == 0 {
        return Err(EINVAL);
    }
    user::check_range(buf, size)?;
    crate::mapped::ensure(buf, size, crate::mapped::Access::Write)?;
    let out = Grant { addr: buf, len: size, access: grant::WRITE };
    call(label::GETCWD, &[], &[out]).map(|r| r.word(0))
}

/// truncate(path, length)
pub fn truncate(args: &Args) -> SysResult {
    let g = nonempty(args[0])?;
    if (args[1] as i64) < 0 {
        return Err(EINVAL);
    }
    call(label::TRUNCATE, &[AT_FDCWD, args[1]], &[g]).map(|_| 0)
}

/// ftruncate(fd, length)
pub fn ftruncate(args: &Args) -> SysResult {
    if (args[1] as i64) < 0 {
        return Err(EINVAL);
    }
    call(label::TRUNCATE, &[u64::from(args[0] as u32), args[1]], &[EMPTY]).map(|_| 0)
}

/// chmod(path, mode)
pub fn chmod(args: &Args) -> SysResult {
    fchmodat(&[AT_FDCWD, args[0], args[1], 0, 0, 0])
}

/// fchmod(fd, mode)
pub fn fchmod(args: &Args) -> SysResult {
    call(label::CHMOD, &[u64::from(args[0] as u32), args[1] & 0o7777, at::EMPTY_PATH], &[EMPTY]).map(|_| 0)
}

/// fchmodat(dirfd, path, mode)
pub fn fchmodat(args: &Args) -> SysResult {
    let g = nonempty(args[1])?;
    call(label::CHMOD, &[dirfd(args[0]), args[2] & 0o7777, 0], &[g]).map(|_| 0)
}

/// utimensat(dirfd, path, times, flags): the modification time (times[1],
/// or now for NULL times or UTIME_NOW); access times are not kept. A NULL
/// path means the descriptor itself (futimens).
pub fn utimensat(args: &Args) -> SysResult {
    const UTIME_NOW: i64 = (1 << 30) - 1;
    const UTIME_OMIT: i64 = (1 << 30) - 2;
    const LATEST_SECOND: i64 = 16_725_225_600;
    let [fd, path_ptr, times, flags, ..] = *args;
    let flags = u64::from(flags as u32);
    if flags & !at::SYMLINK_NOFOLLOW != 0 {
        return Err(EINVAL);
    }
    let mtime = if times == 0 {
        utime::NOW
    } else {
        let [atime, mtime] = user::read::<[[i64; 2]; 2]>(times)?;
        for [sec, nsec] in [atime, mtime] {
            let special = nsec == UTIME_NOW || nsec == UTIME_OMIT;
            // Times are kept as u64 ns since 1970: before it, or past the
            // year 2500, they cannot be.
            if !special && (!(0..LATEST_SECOND).contains(&sec) || !(0..1_000_000_000).contains(&nsec)) {
                return Err(EINVAL);
            }
        }
        match mtime {
            [_, UTIME_NOW] => utime::NOW,
            [_, UTIME_OMIT] => utime::OMIT,
            [sec, nsec] => (sec as u64).saturating_mul(1_000_000_000).saturating_add(nsec as u64),
        }
    };
    if path_ptr == 0 {
        if dirfd(fd) == AT_FDCWD {
            return Err(EFAULT);
        }
        return call(label::UTIMES, &[dirfd(fd), mtime, flags | at::EMPTY_PATH], &[EMPTY]).map(|_| 0);
    }
    let g = nonempty(path_ptr)?;
    call(label::UTIMES, &[dirfd(fd), mtime, flags], &[g]).map(|_| 0)
}

/// access(path, mode)
pub fn access(args: &Args) -> SysResult {
    faccessat2(&[AT_FDCWD, args[0], args[1], 0, 0, 0])
}

/// faccessat(dirfd, path, mode)
pub fn faccessat(args: &Args) -> SysResult {
    faccessat2(&[args[0], args[1], args[2], 0, 0, 0])
}

/// faccessat2(dirfd, path, mode, flags)
pub fn faccessat2(args: &Args) -> SysResult {
    let flags = u64::from(args[3] as u32);
    // AT_EACCESS (0x200) changes nothing for one user.
    if flags & !(at::SYMLINK_NOFOLLOW | 0x200 | at::EMPTY_PATH) != 0 {
        return Err(EINVAL);
    }
    let g = if flags & at::EMPTY_PATH != 0 { path(args[1])? } else { nonempty(args[1])? };
    let g = if g.len == 0 { EMPTY } else { g };
    call(label::ACCESS, &[dirfd(args[0]), u64::from(args[2] as u32), flags], &[g]).map(|_| 0)
}

/// getdents64(fd, buf, count)
pub fn getdents64(args: &Args) -> SysResult {
    let [fd, buf, count, ..] = *args;
    let count = u64::from(count as u32);
    user::check_range(buf, count)?;
    crate::mapped::ensure(buf, count, crate::mapped::Access::Write)?;
    let out = Grant { addr: buf, len: count, access: grant::WRITE };
    call(label::GETDENTS, &[u64::from(fd as u32)], &[out]).map(|r| r.word(0))
}

/// fsync(fd), fdatasync(fd): fs0 writes the file back to its disk.
pub fn fsync(args: &Args) -> SysResult {
    call(label::SYNC, &[u64::from(args[0] as u32)], &[]).map(|_| 0)
}

/// syncfs(fd): the descriptor is checked, then everything is written
/// back (there is one disk).
pub fn syncfs(args: &Args) -> SysResult {
    call(label::FSTAT, &[u64::from(args[0] as u32)], &[])?;
    sync(args)
}

/// sync(): fs0 writes everything back.
pub fn sync(_args: &Args) -> SysResult {
    call(label::SYNC, &[fs0_proto::ALL_FILES], &[]).map(|_| 0)
}
