//! The `syscall` instruction: the only place libtern enters the kernel.
//!
//! Convention (see `abi::call`): `rax` = call number; arguments in
//! `rdi, rsi, rdx, r10, r8, r9`, IPC message words in
//! `rdx, r10, r8, r9, r12, r13, r14, r15`. The kernel answers with an error
//! code in `rax` (0 = success) and results in the same registers. `rcx` and
//! `r11` are clobbered by the instruction; everything else is preserved.
//!
//! Two shapes are provided: [`syscall6`] for ordinary calls and
//! [`syscall_ipc`], which also passes and returns `r12..r15`. Both are
//! `unsafe`: depending on the call and its arguments the kernel may write
//! into this task's memory (registers, IPC buffer, grant copies) or change
//! its mappings. The typed wrappers in the other modules are safe, except
//! the few that can change this task's own memory or threads
//! ([`crate::space::map`], [`crate::space::unmap`],
//! [`crate::kthread::write_regs`], [`crate::kthread::set_fs_base`]).

use core::arch::asm;

/// Argument registers of an ordinary call: `rdi, rsi, rdx, r10, r8, r9`.
pub type Args = [u64; 6];

/// Registers of an IPC call: `rdi, rsi, rdx, r10, r8, r9, r12, r13, r14, r15`.
pub type IpcRegs = [u64; 10];

/// Performs kernel call `call` with `args`; returns `rax` and the six
/// result registers.
///
/// # Safety
/// The call must not write to memory of this task that Rust considers
/// borrowed elsewhere, and must not unmap or replace memory in use.
#[inline(always)]
pub unsafe fn syscall6(call: u64, args: Args) -> (u64, Args) {
    let rax: u64;
    let mut r = args;
    // SAFETY: the caller upholds the memory contract of `call`; the asm only
    // uses the declared registers, and the kernel does not touch the stack.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") call => rax,
            inlateout("rdi") r[0],
            inlateout("rsi") r[1],
            inlateout("rdx") r[2],
            inlateout("r10") r[3],
            inlateout("r8") r[4],
            inlateout("r9") r[5],
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    (rax, r)
}

/// Performs kernel call `call` passing and returning all ten IPC registers.
///
/// # Safety
/// As for [`syscall6`].
#[inline(always)]
pub unsafe fn syscall_ipc(call: u64, regs: IpcRegs) -> (u64, IpcRegs) {
    let rax: u64;
    let mut r = regs;
    // SAFETY: as in `syscall6`; r12..r15 are declared as inout operands, so
    // the compiler saves and restores them around the block as needed.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") call => rax,
            inlateout("rdi") r[0],
            inlateout("rsi") r[1],
            inlateout("rdx") r[2],
            inlateout("r10") r[3],
            inlateout("r8") r[4],
            inlateout("r9") r[5],
            inlateout("r12") r[6],
            inlateout("r13") r[7],
            inlateout("r14") r[8],
            inlateout("r15") r[9],
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    (rax, r)
}

/// Performs a kernel call that neither reads nor writes memory through its
/// arguments in a way Rust could observe (capability and object calls, and
/// calls whose pointers the kernel only reads), returning the results.
pub(crate) fn call6(call: abi::Call, args: Args) -> Result<Args, abi::Error> {
    // SAFETY: only used by wrappers whose calls write no memory of this task
    // (the crate's modules check this at each use).
    let (rax, r) = unsafe { syscall6(call as u64, args) };
    abi::Error::check(rax).map(|()| r)
}
