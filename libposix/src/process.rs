//! Process calls: exit, exit_group, getpid.
//!
//! Exit is mm0's EXIT request, made as a `Call` that mm0 never answers: mm0
//! destroys the task while the thread waits for the reply, so the thread
//! cannot run on in between. The status is the low byte of the argument, as
//! Linux keeps it.
//!
//! Process ids: mm0 does not tell a POSIX process its id yet, so every
//! process reports [`PID`], the id of its main thread. This changes when mm0
//! gets a process table with fork.

use crate::syscalls::{Args, SysResult};
use crate::thread::{self, MAIN_THREAD_ID};
use crate::{log, server};

/// The process id every process reports until mm0 assigns real ones.
const PID: u64 = MAIN_THREAD_ID;

/// exit(status): with one thread per process, the process ends.
pub fn exit(args: &Args) -> SysResult {
    exit_process(args[0] & 0xff)
}

/// exit_group(status)
pub fn exit_group(args: &Args) -> SysResult {
    exit_process(args[0] & 0xff)
}

/// getpid()
pub fn getpid(_args: &Args) -> SysResult {
    Ok(PID)
}

/// End the process with `status`. If mm0 cannot be reached, fault, so that
/// the kernel stops the thread and reports it instead of letting it spin.
pub fn exit_process(status: u64) -> ! {
    thread::release();
    let outcome = server::call(mm0_proto::SLOT_MM0, mm0_proto::label::EXIT, &[status], &[]);
    log::line(format_args!("exit: mm0 did not end the process ({outcome:?})"));
    loop {
        // SAFETY: ud2 raises #UD; the kernel turns it into an exception
        // message to the pager or stops the thread. No state is touched.
        unsafe { core::arch::asm!("ud2", options(nomem, nostack)) };
    }
}
