//! Resource limits: getrlimit, setrlimit, prlimit64 for the calling
//! process.
//!
//! libposix keeps the table per process (forked children inherit it). The
//! defaults describe the system as it is: an 8 MiB main stack, at most 256
//! processes (mm0's table, shared by everyone), no limit on memory.
//! Setting a limit stores it for later reads, within Linux's rules (the
//! soft limit at most the hard one; one user, root, may raise hard
//! limits), but nothing enforces limits yet: allocations and forks meet
//! only the system's own bounds. prlimit64 on another process is EPERM.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::identity;
use crate::syscalls::{Args, SysResult};
use crate::user;
use fs0_proto::errno::{EINVAL, EPERM};

/// "No limit".
const INFINITY: u64 = u64::MAX;
/// Linux's resources: CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC, NOFILE,
/// MEMLOCK, AS, LOCKS, SIGPENDING, MSGQUEUE, NICE, RTPRIO, RTTIME.
const RESOURCES: usize = 16;
const RLIMIT_STACK: usize = 3;
const RLIMIT_CORE: usize = 4;
const RLIMIT_NPROC: usize = 6;
const RLIMIT_NOFILE: usize = 7;
const RLIMIT_MEMLOCK: usize = 8;
const RLIMIT_SIGPENDING: usize = 11;
const RLIMIT_MSGQUEUE: usize = 12;

/// The starting (soft, hard) limits of `resource`.
const fn default_limit(resource: usize) -> (u64, u64) {
    match resource {
        RLIMIT_STACK => (8 << 20, INFINITY),
        RLIMIT_CORE => (0, INFINITY),
        RLIMIT_NPROC | RLIMIT_SIGPENDING => (256, 256),
        RLIMIT_NOFILE => (1024, 4096),
        RLIMIT_MEMLOCK => (8 << 20, 8 << 20),
        RLIMIT_MSGQUEUE => (819_200, 819_200),
        _ => (INFINITY, INFINITY),
    }
}

static SOFT: [AtomicU64; RESOURCES] = {
    let mut table = [const { AtomicU64::new(0) }; RESOURCES];
    let mut i = 0;
    while i < RESOURCES {
        table[i] = AtomicU64::new(default_limit(i).0);
        i += 1;
    }
    table
};

static HARD: [AtomicU64; RESOURCES] = {
    let mut table = [const { AtomicU64::new(0) }; RESOURCES];
    let mut i = 0;
    while i < RESOURCES {
        table[i] = AtomicU64::new(default_limit(i).1);
        i += 1;
    }
    table
};

/// `struct rlimit`.
#[repr(C)]
#[derive(Clone, Copy)]
struct Rlimit {
    soft: u64,
    hard: u64,
}

fn resource(reg: u64) -> Result<usize, u32> {
    usize::try_from(reg as u32).ok().filter(|&r| r < RESOURCES).ok_or(EINVAL)
}

/// Reads `new` (if not null) and checks it before anything changes, writes
/// the old limits to `old` (if not null), then sets the new ones.
fn exchange(resource: usize, new: u64, old: u64) -> SysResult {
    let new = if new != 0 { Some(user::read::<Rlimit>(new)?) } else { None };
    if new.is_some_and(|n| n.soft > n.hard) {
        return Err(EINVAL);
    }
    if old != 0 {
        let current =
            Rlimit { soft: SOFT[resource].load(Ordering::Relaxed), hard: HARD[resource].load(Ordering::Relaxed) };
        user::write(old, current)?;
    }
    if let Some(n) = new {
        SOFT[resource].store(n.soft, Ordering::Relaxed);
        HARD[resource].store(n.hard, Ordering::Relaxed);
    }
    Ok(0)
}

/// getrlimit(resource, rlim)
pub fn getrlimit(args: &Args) -> SysResult {
    exchange(resource(args[0])?, 0, args[1])
}

/// setrlimit(resource, rlim)
pub fn setrlimit(args: &Args) -> SysResult {
    if args[1] == 0 {
        return Err(fs0_proto::errno::EFAULT);
    }
    exchange(resource(args[0])?, args[1], 0)
}

/// prlimit64(pid, resource, new, old): the calling process only.
pub fn prlimit64(args: &Args) -> SysResult {
    let [pid, res, new, old, ..] = *args;
    let pid = pid as u32;
    if pid != 0 && u64::from(pid) != identity::pid()? {
        return Err(EPERM);
    }
    exchange(resource(res)?, new, old)
}
