//! The Tern kernel ABI: everything the kernel and user tasks must agree on.
//!
//! Design principles:
//! - Few, orthogonal objects (seL4-style): address spaces, threads, IPC
//!   endpoints, notifications, physical frames, IRQ lines, I/O port ranges,
//!   one-shot reply rights and the object factory. A task names an object
//!   only through a slot of its capability table.
//! - A kernel call is the `syscall` instruction with the call number in `rax`
//!   and arguments in `rdi, rsi, rdx, r10, r8, r9` (plus `r12..r15` for IPC
//!   message words). The kernel answers with an [`Error`] code in `rax` and
//!   results in the argument registers. Every argument is checked.
//! - Plain data only: no unsafe code, no behaviour, so the crate builds and
//!   tests on the host.
#![no_std]
#![forbid(unsafe_code)]

pub mod boot;
pub mod call;
pub mod cap;
pub mod error;
pub mod ipc;
pub mod regs;

pub use call::Call;
pub use cap::{CapType, Rights};
pub use error::Error;
pub use ipc::{IpcBuffer, MsgInfo};

/// Size of a page, the unit of mapping.
pub const PAGE_SIZE: u64 = 4096;
/// First address above the memory a task can map: one page short of the
/// end of the lower canonical half, as on Linux, so that the address after
/// any instruction a task can run is still canonical (`sysret` to a
/// non-canonical address faults in kernel mode on Intel CPUs).
pub const USER_TOP: u64 = 0x0000_7fff_ffff_f000;
/// Lowest address a task may map (page zero stays unmapped to catch null pointers).
pub const USER_BOTTOM: u64 = 0x1000;

/// True when `[addr, addr + len)` lies within the user half.
pub fn is_user_range(addr: u64, len: u64) -> bool {
    match addr.checked_add(len) {
        Some(end) => addr >= USER_BOTTOM && end <= USER_TOP,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_range_rejects_kernel_half_null_and_overflow() {
        assert!(is_user_range(0x40_0000, 4096));
        assert!(!is_user_range(0, 16));
        assert!(!is_user_range(USER_TOP - 8, 16));
        assert!(!is_user_range(u64::MAX - 4, 8));
        assert!(is_user_range(USER_TOP - 4096, 4096));
    }
}
