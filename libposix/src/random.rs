//! getrandom, answered locally from the CPU.
//!
//! Entropy source: the `rdrand` instruction when the CPU has it (cpuid leaf
//! 1, ECX bit 30), retried a few times as Intel advises when it reports no
//! value ready. Without it (or when it keeps failing), a generator seeded
//! from the time-stamp counter, the kernel clock and the stack address, and
//! stirred with a fresh `rdtsc` on every draw (splitmix64 over a counter).
//! That fallback is NOT cryptographically secure: it is unpredictable only
//! to the extent that timing is. Both paths never block, so GRND_NONBLOCK
//! and GRND_RANDOM change nothing; Tern has no entropy pool to wait for.

use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use crate::mapped::{self, Access};
use crate::syscalls::{Args, SysResult};
use crate::user;
use fs0_proto::errno::{EFAULT, EINVAL};
use libtern_sys::time;

/// getrandom flags Linux defines and libposix accepts.
const GRND_NONBLOCK: u64 = 1;
const GRND_RANDOM: u64 = 2;
/// Most bytes one call returns (Linux's MAX_RW_COUNT).
const MAX_COUNT: u64 = 0x7fff_f000;
/// Bytes made ready (backed) and filled at a time.
const CHUNK: u64 = 64 * 1024;
/// `rdrand` attempts before giving up on it for one draw.
const RDRAND_RETRIES: usize = 10;

/// Whether the CPU has rdrand: unknown, yes or no.
static HAS_RDRAND: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

/// The fallback generator's counter (0 until seeded).
static FALLBACK_STATE: AtomicU64 = AtomicU64::new(0);

/// getrandom(buf, count, flags)
pub fn getrandom(args: &Args) -> SysResult {
    let [buf, count, flags, ..] = *args;
    if flags & !(GRND_NONBLOCK | GRND_RANDOM) != 0 {
        return Err(EINVAL);
    }
    let count = count.min(MAX_COUNT);
    user::check_range(buf, count)?;
    let mut done = 0;
    while done < count {
        let len = (count - done).min(CHUNK);
        if mapped::ensure(buf + done, len, Access::Write).is_err() {
            // Linux returns what it copied before the fault, if anything.
            return if done > 0 { Ok(done) } else { Err(EFAULT) };
        }
        fill(buf + done, len);
        done += len;
    }
    Ok(done)
}

/// Fills `[addr, addr + len)`, program memory known to be backed for writing.
fn fill(addr: u64, len: u64) {
    let mut offset = 0;
    while offset < len {
        let bytes = draw().to_ne_bytes();
        let n = (len - offset).min(bytes.len() as u64);
        // SAFETY: the range lies in the user half and `mapped::ensure` just
        // backed it for writing (it stays backed: see `mapped`); the program
        // passed it as the output buffer, and no Rust reference points there.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), (addr + offset) as *mut u8, n as usize) };
        offset += n;
    }
}

/// 64 random bits: rdrand if it works, else the fallback generator.
fn draw() -> u64 {
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
        let boot_ns = time::clock().map_or(0, |(ns, _)| ns);
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
