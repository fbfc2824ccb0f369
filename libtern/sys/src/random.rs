//! Random numbers from the CPU, for getrandom and /dev/urandom.
//!
//! Entropy source: the `rdrand` instruction when the CPU has it (cpuid leaf
//! 1, ECX bit 30), retried a few times as Intel advises when it reports no
//! value ready. Without it (or when it keeps failing), a generator seeded
//! from the time-stamp counter, the kernel clock and the stack address, and
//! stirred with a fresh `rdtsc` on every draw (splitmix64 over a counter).
//! That fallback is NOT cryptographically secure: it is unpredictable only
//! to the extent that timing is. Neither path ever blocks.

use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use crate::time;

/// `rdrand` attempts before giving up on it for one draw.
const RDRAND_RETRIES: usize = 10;

/// Whether the CPU has rdrand: unknown, yes or no.
static HAS_RDRAND: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

/// The fallback generator's counter (0 until seeded).
static FALLBACK_STATE: AtomicU64 = AtomicU64::new(0);

/// Fills `out` with random bytes.
pub fn fill(out: &mut [u8]) {
    for chunk in out.chunks_mut(8) {
        let bytes = draw().to_ne_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// 64 random bits: rdrand if it works, else the fallback generator.
pub fn draw() -> u64 {
    if has_rdrand() {
        for _ in 0..RDRAND_RETRIES {
            if let Some(value) = rdrand() {
                return value;
            }
        }
    }
    fallback()
}

fn has_rdrand() -> bool {
    match HAS_RDRAND.load(Ordering::Relaxed) {
        YES => true,
        NO => false,
        _ => {
            let ecx = core::arch::x86_64::__cpuid(1).ecx;
            let has = ecx & (1 << 30) != 0;
            HAS_RDRAND.store(if has { YES } else { NO }, Ordering::Relaxed);
            has
        }
    }
}

/// One `rdrand`; `None` when the CPU had no value ready (carry clear).
fn rdrand() -> Option<u64> {
    let value: u64;
    let ok: u8;
    // SAFETY: only called when cpuid says the CPU has rdrand; it writes the
    // two output registers and the flags, and touches no memory.
    unsafe { core::arch::asm!("rdrand {0}", "setc {1}", out(reg) value, out(reg_byte) ok, options(nomem, nostack)) };
    (ok != 0).then_some(value)
}

/// The fallback: a counter advanced by the golden-ratio increment plus the
/// current TSC, through the splitmix64 finaliser.
fn fallback() -> u64 {
    const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
    if FALLBACK_STATE.load(Ordering::Relaxed) == 0 {
        let stack_marker = 0u8;
        let boot_ns = time::now_ns();
        let seed = time::rdtsc() ^ boot_ns.rotate_left(32) ^ (&raw const stack_marker as u64) | 1;
        // Another thread seeding at the same time seeds as well: either is fine.
        let _ = FALLBACK_STATE.compare_exchange(0, seed, Ordering::Relaxed, Ordering::Relaxed);
    }
    let step = GOLDEN.wrapping_add(time::rdtsc());
    let mut z = FALLBACK_STATE.fetch_add(step, Ordering::Relaxed).wrapping_add(step);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
