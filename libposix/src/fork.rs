//! fork: mm0 makes the copy; libposix makes the call return twice.
//!
//! [`fork_point`] saves the callee-saved registers on the stack and asks
//! mm0 to FORK with its own resume label as the child's `rip` and the
//! current stack pointer as the child's `rsp`. mm0 copies the address
//! space (copy on write) as it is during the call, so the child's copy of
//! the stack (the forking thread's libposix stack) holds the same saved
//! registers: the child starts at the label, takes zero as its result,
//! pops them and returns into the same Rust code as the parent, which
//! returns the child's pid. From there both go back through the dispatcher
//! and the entry stub to the program, each in its own address space. Caller-saved registers need no care: the call
//! of `fork_point` clobbers them in both.
//!
//! In the child, what libposix keeps about the process changes: its pid
//! (asked again on first use) and the clear-child-tid word (a forked child
//! has none, as on Linux).

use crate::syscalls::{Args, SysResult};
use crate::{identity, server, signal, thread};
use libtern_sys::mm0;

/// Returns the child's pid in the parent, 0 in the child, or minus an
/// errno.
///
/// # Safety
/// Called only from libposix's system-call path on the thread's libposix
/// stack: the child resumes in this function's caller on a copy of it.
#[unsafe(naked)]
unsafe extern "C" fn fork_point(fs_base: u64) -> i64 {
    core::arch::naked_asm!(
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        // fork_request(rip = the child's resume label, rsp = the saved
        // registers, fs_base).
        "mov rdx, rdi",
        "mov rsi, rsp",
        "lea rdi, [rip + 2f]",
        // Six pushes after the return address leave rsp 8 off 16-alignment.
        "sub rsp, 8",
        "call {request}",
        "add rsp, 8",
        "jmp 3f",
        // The child starts here, with rsp at the saved registers.
        "2:",
        "xor eax, eax",
        "3:",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "ret",
        request = sym fork_request,
    );
}

/// FORK to mm0: the child's pid, or minus the errno.
extern "C" fn fork_request(rip: u64, rsp: u64, fs_base: u64) -> i64 {
    match mm0::fork(rip, rsp, fs_base, thread::current_slot() as u64) {
        Ok(pid) => pid as i64,
        Err(e) => -i64::from(server::mm0_errno(e)),
    }
}

/// fork()
pub fn fork(_args: &Args) -> SysResult {
    let fs_base = thread::fs_base();
    let slot = thread::current_slot();
    // SAFETY: this is the system-call path, on the thread's libposix stack.
    let pid = unsafe { fork_point(fs_base) };
    match pid {
        0 => {
            identity::forget();
            thread::forked(fs_base);
            signal::forked(slot);
            Ok(0)
        }
        p if p < 0 => Err(p.unsigned_abs() as u32),
        p => Ok(p as u64),
    }
}

/// vfork(): a fork. POSIX lets vfork be fork; the parent does not wait for
/// the child's exec or exit, and the child has its own copy of memory
/// (copy on write, so the usual vfork-then-exec costs little).
pub fn vfork(args: &Args) -> SysResult {
    fork(args)
}
