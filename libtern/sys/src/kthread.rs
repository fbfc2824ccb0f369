//! Kernel thread objects: configuration, suspension, register exchange,
//! and the calling thread's FS base.
//!
//! These act on a thread capability: mm0 holds one to every thread it
//! creates, and a task gets one (CONTROL) to each thread it spawns
//! (`mm0_proto::label::THREAD_SPAWN`; libtern's `Thread::cap`). Writing the
//! registers of a thread of one's own task could send it anywhere, hence
//! [`write_regs`] is `unsafe`; reading is safe.

use abi::regs::ThreadRegs;
use abi::{Call, Error};

use crate::syscall::{call6, syscall6};

/// Sets the thread's pager (an endpoint slot of the caller, or
/// `abi::call::NONE`), IPC buffer address (0 for none) and priority.
pub fn configure(thread: u64, pager: u64, ipc_buffer: u64, priority: u64) -> Result<(), Error> {
    call6(Call::ThreadConfigure, [thread, pager, ipc_buffer, priority, 0, 0]).map(|_| ())
}

/// Stops the thread at its next kernel exit.
pub fn suspend(thread: u64) -> Result<(), Error> {
    call6(Call::ThreadSuspend, [thread, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Makes a suspended thread runnable.
pub fn resume(thread: u64) -> Result<(), Error> {
    call6(Call::ThreadResume, [thread, 0, 0, 0, 0, 0]).map(|_| ())
}

/// What the thread is doing: an `abi::call::thread_activity` value.
pub fn activity(thread: u64) -> Result<u64, Error> {
    call6(Call::ThreadActivity, [thread, 0, 0, 0, 0, 0]).map(|r| r[0])
}

/// Reads the saved registers of a thread that is not running.
pub fn read_regs(thread: u64) -> Result<ThreadRegs, Error> {
    let mut regs = ThreadRegs::default();
    // SAFETY: the kernel writes one ThreadRegs into `regs`, which we own.
    let (rax, _) =
        unsafe { syscall6(Call::ThreadReadRegs as u64, [thread, &mut regs as *mut ThreadRegs as u64, 0, 0, 0, 0]) };
    Error::check(rax).map(|()| regs)
}

/// Replaces the saved registers of a thread that is not running.
///
/// # Safety
/// If the thread belongs to the caller's own task, the new registers must
/// let it continue without breaking Rust's invariants (valid stack, code).
pub unsafe fn write_regs(thread: u64, regs: &ThreadRegs) -> Result<(), Error> {
    // SAFETY: the kernel only reads `regs`; the caller vouches for the effect.
    let (rax, _) =
        unsafe { syscall6(Call::ThreadWriteRegs as u64, [thread, regs as *const ThreadRegs as u64, 0, 0, 0, 0]) };
    Error::check(rax)
}

/// Sets the calling thread's FS base (the thread-local storage pointer).
///
/// # Safety
/// Whatever runs on this thread must agree on what the FS base points at:
/// libtern's runtime finds the thread's block (IPC buffer, thread id)
/// through it, a POSIX program's C library its thread-local storage.
pub unsafe fn set_fs_base(base: u64) -> Result<(), Error> {
    call6(Call::SetFsBase, [base, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Stops the thread for good and releases it.
pub fn destroy(thread: u64) -> Result<(), Error> {
    call6(Call::ThreadDestroy, [thread, 0, 0, 0, 0, 0]).map(|_| ())
}
