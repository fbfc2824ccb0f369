//! Descriptor calls, served by fs0, which keeps each process's descriptor
//! table and the open file descriptions (see `fs0/src/files.rs`): close,
//! dup, dup2, dup3, fcntl, pipe, pipe2, open and openat (the devices of
//! /dev so far), fstat, lseek. Linux takes descriptors as `unsigned int`:
//! only the low 32 bits of the register count.

use fs0_proto::errno::{EBADF, EINVAL, ENOENT};
use fs0_proto::fcntl::{FD_CLOEXEC, O_CLOEXEC};
use fs0_proto::{dup, label, mode};
use mm0_proto::SLOT_FS0;

use abi::ipc::{Grant, grant};

use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::user;

/// fcntl commands libposix turns into DUP.
const F_DUPFD: u64 = 0;
const F_DUPFD_CLOEXEC: u64 = 1030;
/// openat's "relative to the working directory".
const AT_FDCWD: i32 = -100;
/// Longest path, NUL included.
const PATH_MAX: u64 = 4096;

/// The descriptor in a register.
fn fd(reg: u64) -> u64 {
    u64::from(reg as u32)
}

fn fs0(label: u32, words: &[u64]) -> Result<libtern_sys::ipc::Message, u32> {
    server::call(SLOT_FS0, label, words, &[])
}

/// close(fd)
pub fn close(args: &Args) -> SysResult {
    fs0(label::CLOSE, &[fd(args[0])]).map(|_| 0)
}

/// dup(fd)
pub fn dup(args: &Args) -> SysResult {
    fs0(label::DUP, &[fd(args[0]), 0, dup::LOWEST]).map(|r| r.word(0))
}

/// dup2(old, new)
pub fn dup2(args: &Args) -> SysResult {
    fs0(label::DUP, &[fd(args[0]), fd(args[1]), dup::AT]).map(|r| r.word(0))
}

/// dup3(old, new, flags): as dup2, but the same number is EINVAL.
pub fn dup3(args: &Args) -> SysResult {
    let flags = u64::from(args[2] as u32);
    if flags & !O_CLOEXEC != 0 || fd(args[0]) == fd(args[1]) {
        return Err(EINVAL);
    }
    let how = dup::AT | if flags & O_CLOEXEC != 0 { dup::CLOEXEC } else { 0 };
    fs0(label::DUP, &[fd(args[0]), fd(args[1]), how]).map(|r| r.word(0))
}

/// fcntl(fd, command, arg)
pub fn fcntl(args: &Args) -> SysResult {
    let [descriptor, command, arg, ..] = *args;
    let command = u64::from(command as u32);
    match command {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let how = if command == F_DUPFD_CLOEXEC { dup::CLOEXEC } else { 0 };
            fs0(label::DUP, &[fd(descriptor), u64::from(arg as u32), dup::LOWEST | how]).map(|r| r.word(0))
        }
        fs0_proto::fcntl::F_GETFD
        | fs0_proto::fcntl::F_SETFD
        | fs0_proto::fcntl::F_GETFL
        | fs0_proto::fcntl::F_SETFL => {
            let value = if command == fs0_proto::fcntl::F_SETFD { arg & FD_CLOEXEC } else { arg };
            fs0(label::FCNTL, &[fd(descriptor), command, value]).map(|r| r.word(0))
        }
        _ => Err(EINVAL),
    }
}

/// pipe(fds)
pub fn pipe(args: &Args) -> SysResult {
    pipe2(&[args[0], 0, 0, 0, 0, 0])
}

/// pipe2(fds, flags): the pipe is made, then the two numbers written; a bad
/// pointer closes it again and is EFAULT.
pub fn pipe2(args: &Args) -> SysResult {
    let [fds, flags, ..] = *args;
    user::check_range(fds, 8)?;
    let reply = fs0(label::PIPE, &[u64::from(flags as u32)])?;
    let (r, w) = (reply.word(0), reply.word(1));
    if let Err(e) = user::write(fds, [r as u32, w as u32]) {
        let _ = fs0(label::CLOSE, &[r]);
        let _ = fs0(label::CLOSE, &[w]);
        return Err(e);
    }
    Ok(0)
}

/// open(path, flags, mode)
pub fn open(args: &Args) -> SysResult {
    open_path(args[0], args[1], args[2])
}

/// openat(dirfd, path, flags, mode): absolute paths, or relative to the
/// working directory (which is `/` until there is a file system).
pub fn openat(args: &Args) -> SysResult {
    let [dirfd, path, flags, mode, ..] = *args;
    let absolute = user::read::<u8>(path)? == b'/';
    if dirfd as i32 != AT_FDCWD && !absolute {
        return Err(EBADF);
    }
    open_path(path, flags, mode)
}

fn open_path(path: u64, flags: u64, mode: u64) -> SysResult {
    let len = user::c_string_len(path, PATH_MAX - 1, fs0_proto::errno::ENAMETOOLONG)?;
    if len == 0 {
        return Err(ENOENT);
    }
    let lent = Grant { addr: path, len, access: grant::READ };
    server::call(SLOT_FS0, label::OPEN, &[u64::from(flags as u32), mode], &[lent]).map(|r| r.word(0))
}

/// lseek(fd, offset, whence)
pub fn lseek(args: &Args) -> SysResult {
    fs0(label::LSEEK, &[fd(args[0]), args[1], u64::from(args[2] as u32)]).map(|r| r.word(0))
}

/// `struct stat` (x86_64).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Stat {
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
    times: [i64; 6],
    unused: [i64; 3],
}

const _: () = assert!(size_of::<Stat>() == 144);

/// What fs0 says of descriptor `fd`: (mode, rdev, size).
pub fn status(fd: u64) -> Result<(u64, u64, u64), u32> {
    let reply = fs0(label::FSTAT, &[fd])?;
    Ok((reply.word(0), reply.word(1), reply.word(2)))
}

/// fstat(fd, buf)
pub fn fstat(args: &Args) -> SysResult {
    user::check_range(args[1], size_of::<Stat>() as u64)?;
    let (mode, rdev, size) = status(fd(args[0]))?;
    let st = Stat { nlink: 1, mode: mode as u32, rdev, size: size as i64, blksize: 4096, ..Stat::default() };
    user::write(args[1], st).map(|()| 0)
}

/// True when descriptor `reg` is a terminal (the console or /dev/tty).
pub fn is_terminal(reg: u64) -> Result<bool, u32> {
    let (m, rdev, _) = status(fd(reg))?;
    Ok(m & 0o170000 == mode::S_IFCHR && rdev >> 8 == 5)
}
