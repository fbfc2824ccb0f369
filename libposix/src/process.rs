//! Process calls: exit_group, wait4, waitid, the ids (getpid, getppid) and
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
use crate::server;
use crate::syscalls::{Args, SysResult, nr};
use crate::{identity, log, signal, thread, user};
use fs0_proto::errno::{EFAULT, EINTR, EINVAL};
use libtern_sys::mm0;
use mm0_proto::{SLOT_MM0, comm, label, wait};

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
    let options = u64::from(options as u32);
    if options & !WAIT4_OPTIONS != 0 {
        return Err(EINVAL);
    }
    let (child, status) = wait(i64::from(pid as i32), options | wait::EXITED)?;
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

/// The options wait4 takes (waitid's WEXITED and WNOWAIT are not among
/// them).
const WAIT4_OPTIONS: u64 = wait::NOHANG | wait::STOPPED | wait::CONTINUED | wait::THREAD_FLAGS;

/// mm0's WAIT; a signal ends it with ERESTARTSYS (restarted with
/// SA_RESTART).
fn wait(pid: i64, options: u64) -> Result<(u64, u32), u32> {
    mm0::wait(pid, options, thread::current_slot() as u64).map_err(|e| match e.errno() {
        EINTR => signal::ERESTARTSYS,
        errno => errno,
    })
}

/// waitid's id types.
const P_ALL: u64 = 0;
const P_PID: u64 = 1;
const P_PGID: u64 = 2;

/// `si_code` values of SIGCHLD.
const CLD_EXITED: i32 = 1;
const CLD_KILLED: i32 = 2;
const CLD_STOPPED: i32 = 5;
const CLD_CONTINUED: i32 = 6;

/// The `siginfo_t` waitid fills: signal, errno, code, then the child's
/// pid, uid and status.
#[repr(C)]
#[derive(Clone, Copy)]
struct ChildInfo {
    signo: i32,
    errno: i32,
    code: i32,
    pad: i32,
    pid: i32,
    uid: u32,
    status: i32,
    rest: [u32; 25],
}

/// The `si_code` and `si_status` for a wait4 status word.
fn decode_status(word: u32) -> (i32, i32) {
    let low = (word & 0x7f) as i32;
    let high = ((word >> 8) & 0xff) as i32;
    match word {
        0xffff => (CLD_CONTINUED, mm0_proto::signal::SIGCONT as i32),
        _ if low == 0 => (CLD_EXITED, high),
        _ if low == 0x7f => (CLD_STOPPED, high),
        _ => (CLD_KILLED, low),
    }
}

/// waitid(idtype, id, infop, options, rusage)
pub fn waitid(args: &Args) -> SysResult {
    let [idtype, id, infop, options, rusage, ..] = *args;
    let options = u64::from(options as u32);
    if options & !wait::ALL != 0 || options & (wait::EXITED | wait::STOPPED | wait::CONTINUED) == 0 {
        return Err(EINVAL);
    }
    let id = i64::from(id as i32);
    let pid = match idtype {
        P_ALL => -1,
        P_PID if id > 0 => id,
        P_PGID if id >= 0 => -id,
        _ => return Err(EINVAL),
    };
    for (ptr, len) in [(infop, size_of::<ChildInfo>() as u64), (rusage, RUSAGE_SIZE as u64)] {
        if ptr != 0 {
            user::check_range(ptr, len)?;
            mapped::ensure(ptr, len, Access::Write)?;
        }
    }
    let (child, status) = wait(pid, options)?;
    if infop != 0 {
        let (code, status) = if child == 0 { (0, 0) } else { decode_status(status) };
        let info = ChildInfo {
            signo: if child == 0 { 0 } else { mm0_proto::signal::SIGCHLD as i32 },
            errno: 0,
            code,
            pad: 0,
            pid: child as i32,
            uid: 0,
            status,
            rest: [0; 25],
        };
        user::write(infop, info)?;
    }
    if rusage != 0 {
        user::write(rusage, [0u8; RUSAGE_SIZE])?;
    }
    Ok(0)
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

/// prctl(option, arg2, ...): the child subreaper setting
/// (PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER), kept by mm0. Other
/// options are EINVAL, as Linux answers an option it does not know.
pub fn prctl(args: &Args) -> SysResult {
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;
    const PR_SET_CHILD_SUBREAPER: u64 = 36;
    const PR_GET_CHILD_SUBREAPER: u64 = 37;
    let [option, arg2, ..] = *args;
    match u64::from(option as u32) {
        PR_SET_NAME => {
            // As Linux: up to the NUL, at most 15 bytes.
            let mut name = [0u8; comm::MAX];
            for (i, byte) in name.iter_mut().enumerate() {
                *byte = user::read::<u8>(arg2.checked_add(i as u64).ok_or(EFAULT)?)?;
                if *byte == 0 {
                    break;
                }
            }
            thread_name(Some(&name)).map(|_| 0)
        }
        PR_GET_NAME => user::write(arg2, thread_name(None)?).map(|()| 0),
        PR_SET_CHILD_SUBREAPER => server::call(SLOT_MM0, label::SUBREAPER, &[1, u64::from(arg2 != 0)], &[]).map(|_| 0),
        PR_GET_CHILD_SUBREAPER => {
            let on = server::call(SLOT_MM0, label::SUBREAPER, &[0, 0], &[])?.word(0);
            user::write(arg2, on as i32).map(|()| 0)
        }
        other => {
            log::once(nr::PRCTL, format_args!("prctl: option {other} not supported"));
            Err(EINVAL)
        }
    }
}

/// The calling thread's name, after making it `new` if given.
fn thread_name(new: Option<&[u8]>) -> Result<[u8; 16], u32> {
    let [w0, w1] = comm::to_words(new.unwrap_or_default());
    let slot = thread::current_slot() as u64;
    let reply = server::call(SLOT_MM0, label::THREAD_NAME, &[slot, u64::from(new.is_some()), w0, w1], &[])?;
    Ok(comm::from_words([reply.word(0), reply.word(1)]))
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

const _: () = assert!(size_of::<ChildInfo>() == 128);
