//! The personality entry: where the kernel sends a program's `syscall`,
//! and the ways back to the program.
//!
//! The kernel enters [`posix_entry`] in the program's own thread with every
//! register as the program left it: `rax` = Linux call number, arguments in
//! `rdi, rsi, rdx, r10, r8, r9`, `rcx` = the address after the `syscall`,
//! `r11` = the program's flags, `rsp` = the program's stack. The stub
//! behaves like the Linux kernel's side of `syscall`: on return every
//! register but `rax` (the result), `rcx` (return address) and `r11`
//! (flags) is as it was, and the flags are restored.
//!
//! Stacks: libposix never runs on the program's stack (which may be tiny,
//! full, or already unmapped by a thread that is exiting). Each thread has
//! a stack of its own in libposix's .bss, found through the thread's slot
//! of the signal area, at which mm0 points the thread's GS base: the stub
//! parks `rsp` and `rax` in the slot's scratch words, computes the stack
//! from the slot's index, then saves the program's registers there as a
//! [`SyscallFrame`] and runs the Rust dispatcher, which gets the frame too
//! (signal delivery on the way out needs the whole program context). No
//! SSE state needs saving because libposix is built soft-float.
//!
//! The lower half of each thread's region is its delivery stack
//! ([`on_delivery_stack`]), where signal frames are built and from which
//! [`resume`] continues the program in any context.

use abi::regs::ThreadRegs;
use mm0_proto::signal::{THREAD_SLOTS, offset};

use crate::syscalls;

/// Bytes below `rsp` that the SysV ABI lets leaf code use without moving `rsp`.
pub const RED_ZONE: usize = 128;

/// Bytes of each thread's region: system-call stack above, delivery stack
/// below.
const THREAD_STACKS_SHIFT: u32 = 15;
const THREAD_STACKS_SIZE: usize = 1 << THREAD_STACKS_SHIFT;
const DELIVERY_STACK_SIZE: usize = THREAD_STACKS_SIZE / 2;

#[repr(C, align(16))]
struct ThreadStacks([[u8; THREAD_STACKS_SIZE]; THREAD_SLOTS]);

/// Every thread's stacks (pages are backed as they are touched).
static mut THREAD_STACKS: ThreadStacks = ThreadStacks([[0; THREAD_STACKS_SIZE]; THREAD_SLOTS]);

/// The entry stub's save area, lowest address first: the registers Linux
/// preserves across a system call, the flags, the return address, and the
/// program's stack pointer.
#[repr(C)]
pub struct SyscallFrame {
    r15: u64,
    r14: u64,
    r13: u64,
    r12: u64,
    rbp: u64,
    rbx: u64,
    r9: u64,
    r8: u64,
    r10: u64,
    rdx: u64,
    rsi: u64,
    rdi: u64,
    r11: u64,
    rcx: u64,
    rsp: u64,
}

impl SyscallFrame {
    /// The program's stack pointer at its `syscall` instruction.
    pub fn program_rsp(&self) -> u64 {
        self.rsp
    }

    /// The program's context after the call returns `rax`: what Linux
    /// leaves in each register (`rcx` the return address, `r11` the flags).
    pub fn context(&self, rax: i64) -> ThreadRegs {
        ThreadRegs {
            rax: rax as u64,
            rbx: self.rbx,
            rcx: self.rcx,
            rdx: self.rdx,
            rsi: self.rsi,
            rdi: self.rdi,
            rbp: self.rbp,
            rsp: self.rsp,
            r8: self.r8,
            r9: self.r9,
            r10: self.r10,
            r11: self.r11,
            r12: self.r12,
            r13: self.r13,
            r14: self.r14,
            r15: self.r15,
            rip: self.rcx,
            rflags: self.r11,
            fs_base: crate::thread::fs_base(),
            gs_base: 0,
        }
    }
}

/// The ELF entry point of libposix, registered with the kernel as the
/// personality entry. Never called from Rust.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn posix_entry() {
    core::arch::naked_asm!(
        // rsp = top of this thread's system-call stack (flags untouched:
        // mov, shl and lea below are followed by no flag test; the program's
        // flags are in r11 anyway).
        "mov gs:[{scratch}], rsp",
        "mov gs:[{scratch} + 8], rax",
        "mov rax, gs:[{index}]",
        "shl rax, {shift}",
        "lea rsp, [rip + {stacks} + {size}]",
        "add rsp, rax",
        "mov rax, gs:[{scratch} + 8]",
        // Save area, from high to low addresses: the program's stack
        // pointer, return address, flags, then every register Linux
        // preserves.
        "push qword ptr gs:[{scratch}]",
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
        // dispatch(nr, a0, a1, a2, a3, a4, a5, frame): the seventh and
        // eighth arguments go on the stack, which stays 16-aligned.
        "push rbx",
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
        "pop rsp",
        "jmp rcx",
        scratch = const offset::SCRATCH,
        index = const offset::INDEX,
        shift = const THREAD_STACKS_SHIFT,
        stacks = sym THREAD_STACKS,
        size = const THREAD_STACKS_SIZE,
        dispatch = sym syscalls::dispatch,
    );
}

/// Bytes below the target stack pointer where [`resume`] leaves the flags
/// and instruction pointer for its last two instructions: just below the
/// target's red zone, which stays untouched.
pub const RESUME_SCRATCH: u64 = RED_ZONE as u64 + 16;

/// Continues the program in context `ctx`: every general register, the
/// flags, stack and instruction pointers. The flags and instruction pointer
/// go to the 16 bytes [`RESUME_SCRATCH`] below the target stack pointer;
/// the stack pointer moves there, `popfq` takes the flags and `ret 128`
/// the instruction pointer, leaving the stack pointer at its target. (An
/// `iretq` would do it in one instruction, but QEMU's emulation reads the
/// frame of a user-mode `iretq` as the kernel and so faults with SMAP on.)
/// The FPU state is the caller's business.
///
/// # Safety
/// `ctx` must be a context the program may continue in (its instruction
/// pointer is where it runs next, with its stack pointer and registers),
/// the scratch bytes must be writable, and `ctx` must not lie in them.
#[unsafe(naked)]
pub unsafe extern "C" fn resume(ctx: &ThreadRegs) -> ! {
    core::arch::naked_asm!(
        "mov rax, [rdi + {rsp}]",
        "sub rax, {scratch}",
        "mov rcx, [rdi + {rflags}]",
        "mov [rax], rcx",
        "mov rcx, [rdi + {rip}]",
        "mov [rax + 8], rcx",
        "mov rsp, rax",
        "mov rax, [rdi + {rax}]",
        "mov rbx, [rdi + {rbx}]",
        "mov rcx, [rdi + {rcx}]",
        "mov rdx, [rdi + {rdx}]",
        "mov rsi, [rdi + {rsi}]",
        "mov rbp, [rdi + {rbp}]",
        "mov r8, [rdi + {r8}]",
        "mov r9, [rdi + {r9}]",
        "mov r10, [rdi + {r10}]",
        "mov r11, [rdi + {r11}]",
        "mov r12, [rdi + {r12}]",
        "mov r13, [rdi + {r13}]",
        "mov r14, [rdi + {r14}]",
        "mov r15, [rdi + {r15}]",
        "mov rdi, [rdi + {rdi}]",
        "popfq",
        "ret {red_zone}",
        scratch = const RESUME_SCRATCH,
        red_zone = const RED_ZONE,
        rsp = const core::mem::offset_of!(ThreadRegs, rsp),
        rflags = const core::mem::offset_of!(ThreadRegs, rflags),
        rip = const core::mem::offset_of!(ThreadRegs, rip),
        rax = const core::mem::offset_of!(ThreadRegs, rax),
        rbx = const core::mem::offset_of!(ThreadRegs, rbx),
        rcx = const core::mem::offset_of!(ThreadRegs, rcx),
        rdx = const core::mem::offset_of!(ThreadRegs, rdx),
        rsi = const core::mem::offset_of!(ThreadRegs, rsi),
        rdi = const core::mem::offset_of!(ThreadRegs, rdi),
        rbp = const core::mem::offset_of!(ThreadRegs, rbp),
        r8 = const core::mem::offset_of!(ThreadRegs, r8),
        r9 = const core::mem::offset_of!(ThreadRegs, r9),
        r10 = const core::mem::offset_of!(ThreadRegs, r10),
        r11 = const core::mem::offset_of!(ThreadRegs, r11),
        r12 = const core::mem::offset_of!(ThreadRegs, r12),
        r13 = const core::mem::offset_of!(ThreadRegs, r13),
        r14 = const core::mem::offset_of!(ThreadRegs, r14),
        r15 = const core::mem::offset_of!(ThreadRegs, r15),
    );
}

/// The top of the calling thread's delivery stack (slot `slot`).
fn delivery_stack_top(slot: usize) -> u64 {
    (&raw const THREAD_STACKS) as u64 + (slot * THREAD_STACKS_SIZE + DELIVERY_STACK_SIZE) as u64
}

/// Copies `ctx` to the top of the calling thread's delivery stack and calls
/// `then` with the copy, on that stack. Whatever ran on the delivery stack
/// before is over: every use ends in [`resume`].
pub fn on_delivery_stack(ctx: &ThreadRegs, then: extern "C" fn(&ThreadRegs) -> !) -> ! {
    let top = delivery_stack_top(crate::thread::current_slot());
    // SAFETY: `top` is the 16-aligned top of this thread's delivery stack,
    // which only the signal code uses and always leaves through `resume`;
    // `then` does not return.
    unsafe { switch_stack(ctx, then, top) }
}

/// The switch of [`on_delivery_stack`].
///
/// # Safety
/// `stack_top` must be the 16-aligned top of a stack nothing else uses,
/// and `then` must not return.
#[unsafe(naked)]
unsafe extern "C" fn switch_stack(ctx: &ThreadRegs, then: extern "C" fn(&ThreadRegs) -> !, stack_top: u64) -> ! {
    core::arch::naked_asm!(
        "mov rax, rsi",
        "mov rsi, rdi",
        "mov rsp, rdx",
        "sub rsp, {ctx_size}",
        "mov rdi, rsp",
        "mov ecx, {ctx_words}",
        "cld",
        "rep movsq",
        "mov rdi, rsp",
        "call rax",
        "ud2",
        ctx_size = const size_of::<ThreadRegs>(),
        ctx_words = const size_of::<ThreadRegs>() / 8,
    );
}

/// Where mm0 sends a thread it interrupted in program code (its registers
/// are in its slot of the signal area): `redirected` on the thread's
/// delivery stack.
#[unsafe(naked)]
pub extern "C" fn posix_signal_entry() {
    core::arch::naked_asm!(
        "lea rsi, [rip + {redirected}]",
        "jmp {enter}",
        redirected = sym crate::signal::redirected,
        enter = sym enter_on_delivery_stack,
    );
}

/// Where the child of a vfork-style clone starts (`crate::fork::spawn`),
/// with its stack pointer at the context it is to continue in:
/// `spawned(context)` on the thread's delivery stack.
#[unsafe(naked)]
pub extern "C" fn spawn_child_entry() {
    core::arch::naked_asm!(
        "mov rdi, rsp",
        "lea rsi, [rip + {spawned}]",
        "jmp {enter}",
        spawned = sym crate::fork::spawned,
        enter = sym enter_on_delivery_stack,
    );
}

/// Calls `rsi(rdi)` on the calling thread's delivery stack (found through
/// GS, without touching the stack the thread came with); never returns.
#[unsafe(naked)]
unsafe extern "C" fn enter_on_delivery_stack() -> ! {
    core::arch::naked_asm!(
        "mov rax, gs:[{index}]",
        "shl rax, {shift}",
        "lea rsp, [rip + {stacks} + {half}]",
        "add rsp, rax",
        "cld",
        "call rsi",
        "ud2",
        index = const offset::INDEX,
        shift = const THREAD_STACKS_SHIFT,
        stacks = sym THREAD_STACKS,
        half = const DELIVERY_STACK_SIZE,
    );
}

const _: () = assert!(size_of::<ThreadRegs>().is_multiple_of(16) && DELIVERY_STACK_SIZE.is_multiple_of(16));
