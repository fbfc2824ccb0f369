//! Process calls: exit_group, wait4, the ids (getpid, getppid) and
//! process groups and sessions (getpgid, getpgrp, setpgid, getsid, setsid).
//! fork has a file of its own.
//!
//! Exit is mm0's EXIT request, made as a `Call` that mm0 never answers: mm0
//! destroys the task while the thread waits for the reply, so the thread
//! cannot run on in between. The status is the low byte of the argument, as
//! Linux keeps it.
//!
//! Process ids are mm0's task ids ([`identity`]); the process table with
//! parents, groups, sessions and zombies is mm0's, and wait4 is its WAIT,
//! which blocks in mm0 until a child ends.

use crate::mapped::{self, Access};
use crate::server::{self, mm0_errno};
use crate::syscalls::{Args, SysResult};
use crate::{identity, log, signal, thread, user};
use fs0_proto::errno::EINTR;
use libtern_sys::mm0;
use mm0_proto::{SLOT_MM0, label};

/// Bytes of `struct rusage`.
const RUSAGE_SIZE: usize = 144;

/// exit_group(status)
pub fn exit_group(args: &Args) -> SysResult {
    exit_process(args[0] & 0xff)
}

/// getpid()
pub fn getpid(_args: &Args) -> SysResult {
    identity::pid()
}

/// getppid()
pub fn getppid(_args: &Args) -> SysResult {
    identity::parent_pid()
}

/// wait4(pid, wstatus, options, rusage). Both output pointers are checked
/// before the wait, so a bad one fails with EFAULT and the child stays
/// to be waited for. Resource usage is not measured yet: all zero. A
/// signal ends the wait; with SA_RESTART it starts again.
pub fn wait4(args: &Args) -> SysResult {
    let [pid, wstatus, options, rusage, ..] = *args;
    for (ptr, len) in [(wstatus, 4), (rusage, RUSAGE_SIZE as u64)] {
        if ptr != 0 {
            user::check_range(ptr, len)?;
            mapped::ensure(ptr, len, Access::Write)?;
        }
    }
    let (child, status) =
        mm0::wait(i64::from(pid as i32), u64::from(options as u32)).map_err(|e| match mm0_errno(e) {
            EINTR => signal::ERESTARTSYS,
            errno => errno,
        })?;
    if child != 0 {
        if wstatus != 0 {
            user::write(wstatus, status)?;
        }
        if rusage != 0 {
            user::write(rusage, [0u8; RUSAGE_SIZE])?;
        }
    }
    Ok(child)
}

/// The (process group, session) of `pid` (0: the caller).
fn group_of(pid: u64) -> Result<(u64, u64), u32> {
    let reply = server::call(SLOT_MM0, label::PROCESS_GROUP, &[i64::from(pid as i32) as u64], &[])?;
    Ok((reply.word(0), reply.word(1)))
}

/// getpgid(pid)
pub fn getpgid(args: &Args) -> SysResult {
    group_of(args[0]).map(|(pgid, _)| pgid)
}

/// getpgrp()
pub fn getpgrp(_args: &Args) -> SysResult {
    group_of(0).map(|(pgid, _)| pgid)
}

/// getsid(pid)
pub fn getsid(args: &Args) -> SysResult {
    group_of(args[0]).map(|(_, sid)| sid)
}

/// setpgid(pid, pgid)
pub fn setpgid(args: &Args) -> SysResult {
    let words = [i64::from(args[0] as i32) as u64, i64::from(args[1] as i32) as u64];
    server::call(SLOT_MM0, label::SETPGID, &words, &[]).map(|_| 0)
}

/// setsid()
pub fn setsid(_args: &Args) -> SysResult {
    server::call(SLOT_MM0, label::SETSID, &[], &[]).map(|r| r.word(0))
}

/// End the process with `status`. If mm0 cannot be reached, fault, so that
/// the kernel stops the thread and reports it instead of letting it spin.
pub fn exit_process(status: u64) -> ! {
    thread::release();
    let why = mm0::exit(status);
    log::line(format_args!("exit: mm0 did not end the process ({why:?})"));
    loop {
        // SAFETY: ud2 raises #UD; the kernel turns it into an exception
        // message to the pager or stops the thread. No state is touched.
        unsafe { core::arch::asm!("ud2", options(nomem, nostack)) };
    }
}
