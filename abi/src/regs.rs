//! Register layout for thread register exchange.

/// A thread's user registers as `ThreadReadRegs`/`ThreadWriteRegs` see them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThreadRegs {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub rsp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rflags: u64,
    pub fs_base: u64,
    pub gs_base: u64,
}

/// RFLAGS bits a task may set (CF, PF, AF, ZF, SF, DF, OF); the kernel
/// forces IF on and every other bit off.
pub const USER_RFLAGS_MASK: u64 = 0xcd5;
