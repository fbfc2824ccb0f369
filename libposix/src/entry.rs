//! The personality entry: where the kernel sends a program's `syscall`.
//!
//! The kernel enters here in the program's own thread with every register as
//! the program left it: `rax` = Linux call number, arguments in `rdi, rsi,
//! rdx, r10, r8, r9`, `rcx` = the address after the `syscall`, `r11` = the
//! program's flags, `rsp` = the program's stack. The stub behaves like the
//! Linux kernel's side of `syscall`: on return every register but `rax`
//! (the result), `rcx` (return address) and `r11` (flags) is as it was, and
//! the flags are restored.
//!
//! Stack use: the stub first steps over the 128-byte red zone below the
//! program's `rsp` (leaf code may keep live data there), then saves the
//! registers and runs the Rust dispatcher on the program's stack, aligned to
//! 16 bytes as the SysV ABI requires. No SSE state needs saving because
//! libposix is built soft-float.

use crate::syscalls;

/// Bytes below `rsp` that the SysV ABI lets leaf code use without moving `rsp`.
const RED_ZONE: usize = 128;

/// The ELF entry point of libposix, registered with the kernel as the
/// personality entry. Never called from Rust.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn posix_entry() {
    core::arch::naked_asm!(
        // Step over the red zone without touching the flags.
        "lea rsp, [rsp - {red_zone}]",
        // Save area, from high to low addresses:
        // return address, flags, then every register Linux preserves.
        "push rcx",
        "push r11",
        "push rdi",
        "push rsi",
        "push rdx",
        "push r10",
        "push r8",
        "push r9",
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        // rbx (callee-saved in the SysV ABI) remembers the save area.
        "mov rbx, rsp",
        "and rsp, -16",
        "cld",
        // dispatch(nr, a0, a1, a2, a3, a4, a5): the seventh argument goes on
        // the stack, padded so that rsp is 16-aligned at the call.
        "sub rsp, 8",
        "push r9",
        "mov r9, r8",
        "mov r8, r10",
        "mov rcx, rdx",
        "mov rdx, rsi",
        "mov rsi, rdi",
        "mov rdi, rax",
        "call {dispatch}",
        "mov rsp, rbx",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "pop r9",
        "pop r8",
        "pop r10",
        "pop rdx",
        "pop rsi",
        "pop rdi",
        // r11 = the program's flags, as Linux leaves it; restore the flags
        // themselves from the same slot.
        "mov r11, [rsp]",
        "popfq",
        // rcx = the return address, as Linux leaves it.
        "pop rcx",
        "lea rsp, [rsp + {red_zone}]",
        "jmp rcx",
        red_zone = const RED_ZONE,
        dispatch = sym syscalls::dispatch,
    );
}
