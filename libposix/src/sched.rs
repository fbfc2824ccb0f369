//! The scheduler as POSIX sees it: Tern runs every process on one CPU
//! (CPU 0) under one policy, SCHED_OTHER with priority 0 (mm0 ranks its
//! servers above programs, which programs cannot change). The calls say
//! exactly that: the affinity mask is {0}, an affinity without CPU 0 is
//! EINVAL, and the policy and its priority range are SCHED_OTHER's.

use fs0_proto::errno::EINVAL;
use mm0_proto::{SLOT_MM0, label};

use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::user;

const SCHED_OTHER: u64 = 0;
/// Bytes of the affinity mask Tern writes (one word).
const MASK_BYTES: u64 = 8;

/// ESRCH unless `pid` is 0 (the caller) or a process that exists.
fn check_pid(pid: u64) -> Result<(), u32> {
    let pid = pid as i32;
    if pid < 0 {
        return Err(EINVAL);
    }
    if pid == 0 {
        return Ok(());
    }
    server::call(SLOT_MM0, label::PROCESS_GROUP, &[pid as u64], &[]).map(|_| ())
}

/// sched_getaffinity(pid, len, mask): CPU 0 alone; the size written.
pub fn sched_getaffinity(args: &Args) -> SysResult {
    let [pid, len, mask, ..] = *args;
    if len < MASK_BYTES || !len.is_multiple_of(MASK_BYTES) {
        return Err(EINVAL);
    }
    check_pid(pid)?;
    user::write(mask, 1u64)?;
    Ok(MASK_BYTES)
}

/// sched_setaffinity(pid, len, mask): any mask holding CPU 0 (the only
/// one) is what is already in force.
pub fn sched_setaffinity(args: &Args) -> SysResult {
    let [pid, len, mask, ..] = *args;
    if len == 0 {
        return Err(EINVAL);
    }
    check_pid(pid)?;
    let first: u8 = user::read(mask)?;
    if first & 1 == 0 {
        return Err(EINVAL);
    }
    Ok(0)
}

/// getcpu(cpu, node, cache): CPU 0, node 0.
pub fn getcpu(args: &Args) -> SysResult {
    let [cpu, node, ..] = *args;
    for at in [cpu, node] {
        if at != 0 {
            user::write(at, 0u32)?;
        }
    }
    Ok(0)
}

/// sched_getscheduler(pid): SCHED_OTHER.
pub fn sched_getscheduler(args: &Args) -> SysResult {
    check_pid(args[0])?;
    Ok(SCHED_OTHER)
}

/// sched_getparam(pid, param): priority 0.
pub fn sched_getparam(args: &Args) -> SysResult {
    check_pid(args[0])?;
    user::write(args[1], 0i32)?;
    Ok(0)
}

/// sched_get_priority_max(policy) and sched_get_priority_min(policy):
/// 0 for SCHED_OTHER (and SCHED_BATCH, SCHED_IDLE); the real-time
/// policies (SCHED_FIFO, SCHED_RR) have 1..99 on Linux but cannot be set
/// here, so they are answered as Linux does all the same.
pub fn sched_get_priority_max(args: &Args) -> SysResult {
    match args[0] {
        0 | 3 | 5 => Ok(0),
        1 | 2 => Ok(99),
        _ => Err(EINVAL),
    }
}

/// sched_get_priority_min(policy): see [`sched_get_priority_max`].
pub fn sched_get_priority_min(args: &Args) -> SysResult {
    match args[0] {
        0 | 3 | 5 => Ok(0),
        1 | 2 => Ok(1),
        _ => Err(EINVAL),
    }
}
