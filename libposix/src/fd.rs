//! Descriptor calls, served by fs0, which keeps each process's descriptor
//! table and the open file descriptions (see `fs0/src/files.rs`): close,
//! dup, dup2, dup3, fcntl, pipe, pipe2, lseek. Calls with paths are in
//! `path.rs`. Linux takes descriptors as `unsigned int`:
//! only the low 32 bits of the register count.

use fs0_proto::errno::EINVAL;
use fs0_proto::fcntl::{FD_CLOEXEC, O_CLOEXEC};
use fs0_proto::{dup, label, mode};
use mm0_proto::SLOT_FS0;

use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::user;

/// fcntl commands libposix turns into DUP.
const F_DUPFD: u64 = 0;
const F_DUPFD_CLOEXEC: u64 = 1030;

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

/// lseek(fd, offset, whence)
pub fn lseek(args: &Args) -> SysResult {
    fs0(label::LSEEK, &[fd(args[0]), args[1], u64::from(args[2] as u32)]).map(|r| r.word(0))
}

/// True when descriptor `reg` is a terminal (the console or /dev/tty).
pub fn is_terminal(reg: u64) -> Result<bool, u32> {
    let st = crate::fs::file_stat(fd(reg))?;
    Ok(st.mode & mode::S_IFMT == mode::S_IFCHR && st.rdev >> 8 == 5)
}
