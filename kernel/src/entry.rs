//! Kernel entry and exit stubs: `syscall`, exceptions and interrupts.
//!
//! Every entry from user mode saves the complete register state into the
//! current thread's save area (found at `gs:8`), then runs Rust on the one
//! kernel stack. Handlers never return into the stub: they end in
//! `sched::run_next`, which picks a thread and leaves through
//! [`return_to_user`]. So a kernel call that blocks is simply a thread that
//! is not picked; the kernel keeps no per-thread stack.
//!
//! Interrupts arriving in kernel mode can only happen while the kernel idles
//! in `hlt`; they are handled on the current stack and return to the idle loop.

use core::arch::global_asm;

use crate::gdt::{USER_CODE, USER_DATA};

/// Registers pushed by the kernel-mode interrupt path, for diagnostics.
#[repr(C)]
#[derive(Debug)]
pub struct KernelFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

unsafe extern "C" {
    /// The `syscall` entry point (IA32_LSTAR).
    pub fn syscall_entry();
    /// Table of the 256 interrupt stubs, one address per vector.
    pub static isr_table: [u64; 256];
    /// Restore the current thread's registers and enter user mode.
    pub fn return_to_user() -> !;
}

macro_rules! isr_stubs {
    ($($vector:literal),*) => {
        concat!($(
            ".balign 16\n",
            "isr_", stringify!($vector), ":\n",
            // Vectors 8, 10-14, 17, 21, 29, 30 push an error code; the others get a 0.
            ".if (", stringify!($vector), " == 8) || (", stringify!($vector), " >= 10 && ", stringify!($vector), " <= 14) || (", stringify!($vector), " == 17) || (", stringify!($vector), " == 21) || (", stringify!($vector), " == 29) || (", stringify!($vector), " == 30)\n",
            ".else\n push 0\n.endif\n",
            "push ", stringify!($vector), "\n",
            "jmp isr_common\n",
        )*)
    };
}

macro_rules! isr_table_entries {
    ($($vector:literal),*) => {
        concat!($(".quad isr_", stringify!($vector), "\n",)*)
    };
}

macro_rules! all_vectors {
    ($m:ident) => {
        $m!(
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
            29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
            56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82,
            83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107,
            108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128,
            129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149,
            150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170,
            171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
            192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212,
            213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233,
            234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254,
            255
        )
    };
}

global_asm!(
    ".section .text",
    all_vectors!(isr_stubs),
    ".section .rodata",
    ".balign 8",
    ".global isr_table",
    "isr_table:",
    all_vectors!(isr_table_entries),
    ".section .text",
);

global_asm!(
    r#"
    .section .text
    .global syscall_entry
syscall_entry:
    swapgs
    mov gs:[0], rsp
    mov rsp, gs:[8]
    mov [rsp + 0], rax
    mov [rsp + 8], rbx
    mov [rsp + 16], rcx
    mov [rsp + 24], rdx
    mov [rsp + 32], rsi
    mov [rsp + 40], rdi
    mov [rsp + 48], rbp
    mov [rsp + 64], r8
    mov [rsp + 72], r9
    mov [rsp + 80], r10
    mov [rsp + 88], r11
    mov [rsp + 96], r12
    mov [rsp + 104], r13
    mov [rsp + 112], r14
    mov [rsp + 120], r15
    mov [rsp + 128], rcx
    mov [rsp + 136], r11
    mov rax, gs:[0]
    mov [rsp + 56], rax
    mov rsp, gs:[16]
    xor ebp, ebp
    call {syscall}
    ud2

isr_common:
    /* Interrupt gates leave the user's DF: Rust's memcpy/memset assume it
       clear (syscall clears it through FMASK). */
    cld
    test qword ptr [rsp + 24], 3
    jz isr_from_kernel
    swapgs
    push rax
    mov rax, gs:[8]
    mov [rax + 8], rbx
    mov [rax + 16], rcx
    mov [rax + 24], rdx
    mov [rax + 32], rsi
    mov [rax + 40], rdi
    mov [rax + 48], rbp
    mov [rax + 64], r8
    mov [rax + 72], r9
    mov [rax + 80], r10
    mov [rax + 88], r11
    mov [rax + 96], r12
    mov [rax + 104], r13
    mov [rax + 112], r14
    mov [rax + 120], r15
    pop rbx
    mov [rax + 0], rbx
    mov rbx, [rsp + 16]
    mov [rax + 128], rbx
    mov rbx, [rsp + 32]
    mov [rax + 136], rbx
    mov rbx, [rsp + 40]
    mov [rax + 56], rbx
    mov rdi, [rsp + 0]
    mov rsi, [rsp + 8]
    mov rsp, gs:[16]
    xor ebp, ebp
    call {user_trap}
    ud2

isr_from_kernel:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    call {kernel_trap}
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16
    iretq

    .global return_to_user
return_to_user:
    mov rsi, gs:[8]
    /* After an ordinary kernel call rcx = rip and r11 = rflags, which is
       exactly what sysret restores: then take the cheaper way out. ZF
       records the choice; the movs and pushes below leave it alone. Saved
       rip values are below USER_TOP, a page short of the end of the user
       half, so even rcx after a `syscall` at the very end of mappable
       memory is canonical and sysret cannot fault in the kernel. */
    mov rax, [rsi + 16]
    xor rax, [rsi + 128]
    mov rdx, [rsi + 88]
    xor rdx, [rsi + 136]
    or rax, rdx
    mov rsp, gs:[16]
    push {user_ss}
    push qword ptr [rsi + 56]
    push qword ptr [rsi + 136]
    push {user_cs}
    push qword ptr [rsi + 128]
    mov rax, [rsi + 0]
    mov rbx, [rsi + 8]
    mov rcx, [rsi + 16]
    mov rdx, [rsi + 24]
    mov rdi, [rsi + 40]
    mov rbp, [rsi + 48]
    mov r8, [rsi + 64]
    mov r9, [rsi + 72]
    mov r10, [rsi + 80]
    mov r11, [rsi + 88]
    mov r12, [rsi + 96]
    mov r13, [rsi + 104]
    mov r14, [rsi + 112]
    mov r15, [rsi + 120]
    jnz 1f
    mov rsp, [rsi + 56]
    mov rsi, [rsi + 32]
    swapgs
    sysretq
1:
    mov rsi, [rsi + 32]
    swapgs
    iretq
    "#,
    syscall = sym crate::syscall::syscall_from_user,
    user_trap = sym crate::trap::trap_from_user,
    kernel_trap = sym crate::trap::trap_from_kernel,
    user_ss = const USER_DATA as u64,
    user_cs = const USER_CODE as u64,
);
