//! Process calls: exit, exit_group, getpid, getppid.
//!
//! Exit is mm0's EXIT request, made as a `Call` that mm0 never answers: mm0
//! destroys the task while the thread waits for the reply, so the thread
//! cannot run on in between. The status is the low byte of the argument, as
//! Linux keeps it.
//!
//! Process ids are mm0's task ids ([`identity`]).

use crate::syscalls::{Args, SysResult};
use crate::{identity, log, thread};
use libtern_sys::mm0;

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
    identity::pid()
}

/// getppid()
pub fn getppid(_args: &Args) -> SysResult {
    identity::parent_pid()
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
