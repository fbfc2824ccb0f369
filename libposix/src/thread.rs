//! Threads: per-thread state answered locally (the thread pointer, the
//! thread id, the clear-child-tid word), clone of threads, the exit of one
//! thread, and futexes.
//!
//! Which thread is running: mm0 points every POSIX thread's GS base at its
//! slot of the signal area, whose first word is the slot's index
//! ([`current_slot`]); per-thread state is kept in arrays indexed by it.
//! The FS base is set through the kernel (`SetFsBase`) and remembered here,
//! so ARCH_GET_FS needs no kernel call.
//!
//! A thread made by clone starts straight in the program, with the
//! registers of the clone call (rax = 0, the new stack, the new thread
//! pointer): mm0 makes it stopped (THREAD_START), libposix records its
//! state (thread pointer, clear-child-tid word, its own notification) and
//! writes the tid words, then has mm0 start it (THREAD_RUN).
//!
//! Futexes are mm0's (it compares the word and keeps the waiters); libposix
//! makes sure the word's page is backed and turns timeouts into deadlines.

use core::sync::atomic::{AtomicU64, Ordering};

use abi::regs::ThreadRegs;
use fs0_proto::errno::{EINTR, EINVAL, EPERM};
use libtern_sys::{kthread, time};
use mm0_proto::signal::{SIGCHLD, SIGNAL_AREA, THREAD_SLOTS, offset};
use mm0_proto::{SLOT_MM0, SLOT_POSIX_NOTIFICATION, futex, label};

use crate::entry::SyscallFrame;
use crate::mapped::{self, Access};
use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::{fork, signal, user};

/// arch_prctl codes.
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;

/// clone flags.
const CLONE_VM: u64 = 0x100;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SYSVSEM: u64 = 0x40000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_DETACHED: u64 = 0x400000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;
/// The low byte: the signal sent to the parent when a child process ends.
const CSIGNAL: u64 = 0xff;
/// What a thread shares with its creator: everything (pthread_create and
/// Rust's std::thread ask for exactly this).
const THREAD_SHARES: u64 = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
/// The other flags libposix honours for a thread.
const THREAD_OPTIONS: u64 =
    CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID;

/// Per thread: the FS base last set with ARCH_SET_FS, and the address
/// set_tid_address or CLONE_CHILD_CLEARTID registered (0: none), where
/// Linux writes 0 and wakes a futex when the thread exits.
static FS_BASES: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];
static CLEAR_CHILD_TID: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];
/// Per thread: the capability slot of its notification (the main thread's
/// is `SLOT_POSIX_NOTIFICATION`; THREAD_START gives the others theirs).
static NOTIFICATIONS: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(SLOT_POSIX_NOTIFICATION) }; THREAD_SLOTS];

/// The calling thread's notification, which mm0 signals when a signal is
/// pending for it: what its sleeps wait on.
pub fn own_notification() -> u64 {
    NOTIFICATIONS[current_slot()].load(Ordering::Relaxed)
}

/// The calling thread's slot (signal area, IPC buffer, per-thread state).
pub fn current_slot() -> usize {
    let index: u64;
    // SAFETY: mm0 points every POSIX thread's GS base at its slot of the
    // signal area (mapped for the process's life) and wrote the slot's
    // index there; the load touches nothing else.
    unsafe {
        core::arch::asm!(
            "mov {}, gs:[{index}]",
            out(reg) index,
            index = const offset::INDEX,
            options(nostack, readonly, preserves_flags),
        );
    }
    (index as usize).min(THREAD_SLOTS - 1)
}

/// A word of the calling thread's slot.
fn own_slot_word(field: u64) -> u64 {
    let at = SIGNAL_AREA + offset::thread(current_slot(), field);
    // SAFETY: the signal area is mapped for the process's life and the
    // word is 8-aligned; see `current_slot`.
    unsafe { AtomicU64::from_ptr(at as *mut u64) }.load(Ordering::Relaxed)
}

/// arch_prctl(code, addr)
pub fn arch_prctl(args: &Args) -> SysResult {
    let [code, addr, ..] = *args;
    match code {
        ARCH_SET_FS => {
            // SAFETY: the FS base is the program's thread pointer, which it
            // asks to set; libposix itself never uses the FS base.
            unsafe { kthread::set_fs_base(addr) }.map_err(|_| EPERM)?;
            FS_BASES[current_slot()].store(addr, Ordering::Relaxed);
            Ok(0)
        }
        ARCH_GET_FS => user::write(addr, fs_base()).map(|()| 0),
        _ => Err(EINVAL),
    }
}

/// set_tid_address(tidptr)
pub fn set_tid_address(args: &Args) -> SysResult {
    CLEAR_CHILD_TID[current_slot()].store(args[0], Ordering::Relaxed);
    Ok(own_slot_word(offset::TID))
}

/// gettid()
pub fn gettid(_args: &Args) -> SysResult {
    Ok(own_slot_word(offset::TID))
}

/// The FS base as the calling thread last set it.
pub fn fs_base() -> u64 {
    FS_BASES[current_slot()].load(Ordering::Relaxed)
}

/// In a forked child, now in slot 0: the forking thread's thread pointer
/// `fs_base`, and no clear-child-tid word (Linux sets one only for clone
/// with CLONE_CHILD_CLEARTID).
pub fn forked(fs_base: u64) {
    let slot = current_slot();
    FS_BASES[slot].store(fs_base, Ordering::Relaxed);
    CLEAR_CHILD_TID[slot].store(0, Ordering::Relaxed);
    NOTIFICATIONS[slot].store(SLOT_POSIX_NOTIFICATION, Ordering::Relaxed);
}

/// What Linux does for an exiting thread: clear the registered tid word
/// and wake one waiter on it (pthread_join waits there). A bad address is
/// ignored, as Linux ignores it.
pub fn release() {
    let tidptr = CLEAR_CHILD_TID[current_slot()].swap(0, Ordering::Relaxed);
    if tidptr != 0 && user::write(tidptr, 0u32).is_ok() {
        let _ = futex_call(futex::WAKE, tidptr, 1, 0, 0, 0);
    }
}

/// The tid words a fork may ask for: glibc's fork is
/// `clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD)`.
const FORK_TID_FLAGS: u64 = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;

/// clone(flags, stack, parent_tid, child_tid, tls): a thread (the flags
/// pthread_create uses), a fork (`SIGCHLD`, with [`FORK_TID_FLAGS`] or
/// not), or posix_spawn's
/// vfork-style child (`CLONE_VM | CLONE_VFORK | SIGCHLD` with a stack,
/// [`fork::spawn`]). Other combinations (namespaces, CLONE_VM processes
/// that share memory for real) are EINVAL: not supported.
pub fn clone(args: &Args, frame: &SyscallFrame) -> SysResult {
    let [flags, stack, parent_tid, child_tid, tls, _] = *args;
    if flags & !(CSIGNAL | FORK_TID_FLAGS) == 0 && flags & CSIGNAL == u64::from(SIGCHLD) && stack == 0 {
        return fork_with_tids(args);
    }
    if flags & !CSIGNAL == CLONE_VM | CLONE_VFORK && flags & CSIGNAL == u64::from(SIGCHLD) && stack != 0 {
        return fork::spawn(stack, frame);
    }
    if flags & THREAD_SHARES != THREAD_SHARES || flags & !(THREAD_SHARES | THREAD_OPTIONS | CSIGNAL) != 0 {
        return Err(EINVAL);
    }
    if stack == 0 || user::check_range(stack - 1, 1).is_err() {
        return Err(EINVAL);
    }
    let mut regs = frame.context(0);
    regs.rsp = stack;
    if flags & CLONE_SETTLS != 0 {
        regs.fs_base = tls;
    }
    let slot = current_slot();
    let reply = server::call_with_buf(SLOT_MM0, label::THREAD_START, &[slot as u64], &regs_words(&regs))?;
    let (tid, new_slot, notification) = (reply.word(0), reply.word(1) as usize, reply.word(2));
    FS_BASES[new_slot].store(regs.fs_base, Ordering::Relaxed);
    NOTIFICATIONS[new_slot].store(notification, Ordering::Relaxed);
    let clear = if flags & CLONE_CHILD_CLEARTID != 0 { child_tid } else { 0 };
    CLEAR_CHILD_TID[new_slot].store(clear, Ordering::Relaxed);
    signal::thread_created(slot, new_slot);
    // The tid words are written before the thread runs, as on Linux.
    let settid = [(CLONE_PARENT_SETTID, parent_tid), (CLONE_CHILD_SETTID, child_tid)];
    for (flag, at) in settid {
        if flags & flag != 0 {
            let _ = user::write(at, tid as u32);
        }
    }
    server::call(SLOT_MM0, label::THREAD_RUN, &[tid], &[]).map(|_| tid)
}

/// A fork by clone: as Linux does, the child's tid is written at
/// `child_tid` in the child's memory (CLONE_CHILD_SETTID), which becomes
/// its clear-child-tid word (CLONE_CHILD_CLEARTID), and at `parent_tid` in
/// the parent's (CLONE_PARENT_SETTID). A bad address is ignored, as Linux
/// ignores it.
fn fork_with_tids(args: &Args) -> SysResult {
    let [flags, _, parent_tid, child_tid, ..] = *args;
    let pid = fork::fork(args)?;
    if pid == 0 {
        if flags & CLONE_CHILD_SETTID != 0 {
            let _ = user::write(child_tid, own_slot_word(offset::TID) as u32);
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            CLEAR_CHILD_TID[current_slot()].store(child_tid, Ordering::Relaxed);
        }
    } else if flags & CLONE_PARENT_SETTID != 0 {
        let _ = user::write(parent_tid, pid as u32);
    }
    Ok(pid)
}

/// `regs` as THREAD_START's IPC-buffer words.
fn regs_words(r: &ThreadRegs) -> [u64; 20] {
    [
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
        r.rip, r.rflags, r.fs_base, r.gs_base,
    ]
}

/// exit(status): the calling thread ends; the process ends with `status`
/// when it was its last thread.
pub fn exit_thread(args: &Args) -> SysResult {
    release();
    let kernel_tid = own_slot_word(offset::KERNEL_TID);
    libtern_sys::mm0::thread_exit(args[0] & 0xff, kernel_tid)
}

/// FUTEX to mm0.
fn futex_call(op: u64, uaddr: u64, val: u64, deadline: u64, uaddr2: u64, val3: u64) -> SysResult {
    let words = [op, uaddr, val, deadline, current_slot() as u64, uaddr2, val3];
    server::call(SLOT_MM0, label::FUTEX, &words, &[]).map(|r| r.word(0))
}

/// futex(uaddr, op, val, timeout or val2, uaddr2, val3)
pub fn futex(args: &Args) -> SysResult {
    let [uaddr, op, val, timeout, uaddr2, val3] = *args;
    let command = op & !(futex::PRIVATE_FLAG | futex::CLOCK_REALTIME);
    if !uaddr.is_multiple_of(4) {
        return Err(EINVAL);
    }
    match command {
        futex::WAIT | futex::WAIT_BITSET => {
            user::check_range(uaddr, 4)?;
            mapped::ensure(uaddr, 4, Access::Read)?;
            let deadline = if timeout == 0 {
                0
            } else {
                let ns = user::read::<crate::time::Timespec>(timeout)?.to_ns()?;
                let now = time::now_ns();
                if command == futex::WAIT {
                    // Relative, on the monotonic clock.
                    now.saturating_add(ns).max(1)
                } else if op & futex::CLOCK_REALTIME != 0 {
                    crate::time::realtime_to_monotonic(ns).max(1)
                } else {
                    ns.max(1)
                }
            };
            match futex_call(command, uaddr, val & 0xffff_ffff, deadline, 0, val3 & 0xffff_ffff) {
                Err(EINTR) => Err(signal::ERESTARTSYS),
                other => other,
            }
        }
        futex::WAKE | futex::WAKE_BITSET => futex_call(command, uaddr, val, 0, 0, val3 & 0xffff_ffff),
        futex::REQUEUE | futex::CMP_REQUEUE => {
            if command == futex::CMP_REQUEUE {
                user::check_range(uaddr, 4)?;
                mapped::ensure(uaddr, 4, Access::Read)?;
            }
            futex_call(command, uaddr, val, timeout, uaddr2, val3 & 0xffff_ffff)
        }
        _ => {
            crate::log::once(crate::syscalls::nr::FUTEX, format_args!("futex operation {command} not supported"));
            Err(fs0_proto::errno::ENOSYS)
        }
    }
}
