//! Instructions a test expects to fault, run in threads of their own.
//!
//! [`outcome_of`] runs a probe in a fresh thread and reports how the thread
//! ended, so the main thread sees a fault as a THREAD_JOIN outcome and keeps
//! running. The probes themselves are single instructions in inline
//! assembly: Rust never dereferences the bad address.

use alloc::format;
use core::arch::asm;

use libtern::mm0::Outcome;
use libtern::thread;

/// Runs `probe` in a new thread; returns how the thread ended.
pub fn outcome_of(probe: impl FnOnce() -> u64 + Send + 'static) -> Result<Outcome, alloc::string::String> {
    let t = thread::spawn(probe).map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    t.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))
}

/// Loads 8 bytes from `addr`.
pub fn read(addr: u64) -> u64 {
    let value: u64;
    // SAFETY: a load from an arbitrary address either returns a value or
    // faults and ends this thread; it writes no memory.
    unsafe {
        asm!("mov {v}, qword ptr [{a}]", a = in(reg) addr, v = lateout(reg) value, options(nostack, readonly, preserves_flags))
    };
    value
}
