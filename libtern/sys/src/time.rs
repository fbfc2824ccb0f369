//! Time: the kernel clock, the time-stamp counter, giving up the CPU.

use core::arch::asm;

use abi::{Call, Error};

use crate::syscall::call6;

/// Nanoseconds since boot and TSC ticks per second.
pub fn clock() -> Result<(u64, u64), Error> {
    call6(Call::Clock, [0; 6]).map(|r| (r[0], r[1]))
}

/// Nanoseconds since boot (0 if the kernel cannot say, which it always
/// can: the call takes no arguments).
pub fn now_ns() -> u64 {
    clock().map_or(0, |(ns, _)| ns)
}

/// Gives up the rest of this time slice.
pub fn yield_now() {
    // Yield cannot fail: it takes no arguments.
    let _ = call6(Call::Yield, [0; 6]);
}

/// The time-stamp counter, read after earlier instructions completed.
pub fn rdtsc() -> u64 {
    let lo: u32;
    let hi: u32;
    // SAFETY: rdtsc reads the TSC and touches no memory; the `lfence` before
    // it waits for earlier instructions to finish.
    unsafe {
        asm!("lfence", "rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags));
    }
    (u64::from(hi) << 32) | u64::from(lo)
}

/// Converts TSC ticks to nanoseconds at `tsc_hz` ticks per second.
pub fn ticks_to_ns(ticks: u64, tsc_hz: u64) -> u64 {
    if tsc_hz == 0 {
        return 0;
    }
    (u128::from(ticks) * 1_000_000_000 / u128::from(tsc_hz)) as u64
}
