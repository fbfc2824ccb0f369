//! The few kernel calls libposix makes, as `syscall` instructions in its own
//! text. The kernel treats a `syscall` inside the gate (libposix's executable
//! segment) as a kernel call, not as a reflected Linux call.
//!
//! Kernel convention: `rax` = call number, arguments `rdi, rsi, rdx, r10, r8,
//! r9`, IPC message words `rdx, r10, r8, r9, r12, r13, r14, r15`; results:
//! `rax` = error code, `rdi` = badge, `rsi` = message info, words in the same
//! registers (ordinary calls answer in `rdi, rsi, rdx, r10`); `rcx` and
//! `r11` are clobbered. These wrappers are minimal on
//! purpose: libposix does not link libtern, whose runtime (entry point,
//! heap, panic handler) belongs to native tasks.

use abi::ipc::REG_WORDS;
use abi::{Call, Error, MsgInfo};
use core::arch::asm;

/// The message words of one IPC, in register order.
pub type Words = [u64; REG_WORDS];

/// Write bytes to the kernel console (`DebugWrite`).
pub fn debug_write(bytes: &[u8]) {
    let rax: u64;
    // SAFETY: DebugWrite only reads `bytes`, which is a valid slice; the
    // kernel checks the range itself; every register it may change is named.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") Call::DebugWrite as u64 => rax,
            inlateout("rdi") bytes.as_ptr() => _,
            inlateout("rsi") bytes.len() => _,
            lateout("rdx") _,
            lateout("r10") _,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, readonly),
        );
    }
    // Nothing useful can be done if the console refuses the text.
    let _ = Error::check(rax);
}

/// Set this thread's FS base (`SetFsBase`).
pub fn set_fs_base(base: u64) -> Result<(), Error> {
    let rax: u64;
    // SAFETY: SetFsBase changes only the FS base of this thread, which
    // libposix itself never uses; every register it may change is named.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") Call::SetFsBase as u64 => rax,
            inlateout("rdi") base => _,
            lateout("rsi") _,
            lateout("rdx") _,
            lateout("r10") _,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, nomem),
        );
    }
    Error::check(rax)
}

/// `Call` on the endpoint in `slot`: send `info` and `words`, wait for the
/// reply; returns the reply's info with its words in `words`.
pub fn call(slot: u64, info: MsgInfo, words: &mut Words) -> Result<MsgInfo, Error> {
    let rax: u64;
    let reply: u64;
    // SAFETY: a Call transfers register words and reads the grants of this
    // thread's IPC buffer, which the caller filled; it writes only the
    // registers named here and the IPC buffer (received words and caps).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") Call::Call as u64 => rax,
            inlateout("rdi") slot => _,
            inlateout("rsi") info.0 => reply,
            inlateout("rdx") words[0] => words[0],
            inlateout("r10") words[1] => words[1],
            inlateout("r8") words[2] => words[2],
            inlateout("r9") words[3] => words[3],
            inlateout("r12") words[4] => words[4],
            inlateout("r13") words[5] => words[5],
            inlateout("r14") words[6] => words[6],
            inlateout("r15") words[7] => words[7],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    Error::check(rax).map(|()| MsgInfo(reply))
}
