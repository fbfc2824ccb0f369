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

use crate::entry::SyscallFrame;
use crate::syscalls::{Args, SysResult};
use crate::{identity, signal, thread};
use abi::regs::ThreadRegs;
use libtern_sys::mm0;
use libtern_sys::mm0::Mm0Error;
use mm0_proto::signal::THREAD_SLOTS;

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
        Err(e) => -i64::from(e.errno()),
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

/// Per thread: the context a vfork-style child continues in (the clone
/// call's registers, its new stack, rax = 0). The child gets a copy of it
/// with the rest of memory and starts with its stack pointer at it.
static mut SPAWN_CONTEXTS: [ThreadRegs; THREAD_SLOTS] = [ThreadRegs {
    rax: 0,
    rbx: 0,
    rcx: 0,
    rdx: 0,
    rsi: 0,
    rdi: 0,
    rbp: 0,
    rsp: 0,
    r8: 0,
    r9: 0,
    r10: 0,
    r11: 0,
    r12: 0,
    r13: 0,
    r14: 0,
    r15: 0,
    rip: 0,
    rflags: 0,
    fs_base: 0,
    gs_base: 0,
}; THREAD_SLOTS];

/// clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack): what musl's
/// posix_spawn (and so Rust's `Command`) does to start a program. Tern
/// makes it a fork whose child continues after the clone call on `stack`,
/// with the caller's registers and rax = 0, in its own copy of memory: the
/// child only sets up descriptors and the signal mask and execs, reporting
/// failure through a pipe, none of which needs the memory shared. The
/// parent does not wait for the exec: posix_spawn waits on that pipe.
pub fn spawn(stack: u64, frame: &SyscallFrame) -> SysResult {
    let slot = thread::current_slot();
    let context = ThreadRegs { rsp: stack, ..frame.context(0) };
    // SAFETY: only the calling thread writes its own entry, and nothing
    // else reads it but the child's copy.
    let at = unsafe {
        let entry = &raw mut SPAWN_CONTEXTS[slot];
        entry.write(context);
        entry as u64
    };
    let child = mm0::fork(crate::entry::spawn_child_entry as *const () as u64, at, context.fs_base, slot as u64);
    child.map_err(Mm0Error::errno)
}

/// The child of [`spawn`], on its delivery stack: its own identity, then on
/// into the program.
pub extern "C" fn spawned(context: &ThreadRegs) -> ! {
    let base = (&raw const SPAWN_CONTEXTS) as u64;
    let from = ((context as *const ThreadRegs as u64 - base) / size_of::<ThreadRegs>() as u64) as usize;
    identity::forget();
    thread::forked(context.fs_base);
    signal::forked(from.min(THREAD_SLOTS - 1));
    let context = *context;
    let scratch = context.rsp.wrapping_sub(crate::entry::RESUME_SCRATCH);
    if crate::mapped::ensure(scratch, 16, crate::mapped::Access::Write).is_err() {
        crate::process::exit_process(127);
    }
    // SAFETY: the clone call's own context on the stack it named, whose
    // scratch bytes were just backed; `context` is a copy on this stack.
    unsafe { crate::entry::resume(&context) }
}
