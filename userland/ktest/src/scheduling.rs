//! Scheduling tests: the timer preempts a thread that never gives up the
//! CPU, and every thread keeps its own SSE registers and MXCSR across
//! switches.
//!
//! ktest itself is soft-float (no compiler-generated SSE), so the SSE state
//! is written and checked by hand in assembly, around a `Yield` kernel call
//! inside the same `asm!` block: nothing but the kernel can change the
//! registers in between.

use alloc::format;
use alloc::sync::Arc;
use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use libtern::mm0::Outcome as ThreadOutcome;
use libtern::{thread, time};

use crate::ensure;
use crate::report::Outcome;

/// How long the main thread spins waiting to be preempted.
const PREEMPTION_PATIENCE_SECONDS: u64 = 2;
/// Load-yield-check rounds per thread in the SSE test.
const FPU_ROUNDS: u64 = 300;

/// A busy thread that never yields still lets another thread of the same
/// priority run: only the timer can take the CPU from either of them.
pub fn preemption(tsc_hz: u64) -> Outcome {
    let counter = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (theirs, their_stop) = (Arc::clone(&counter), Arc::clone(&stop));
    let busy = thread::spawn(move || {
        while !their_stop.load(Ordering::Relaxed) {
            theirs.fetch_add(1, Ordering::Relaxed);
        }
        0
    })
    .map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    // Spin without any kernel call: the busy thread can only make progress
    // if the timer preempts this one.
    let start = time::rdtsc();
    let seen_at_start = counter.load(Ordering::Relaxed);
    let deadline = start + PREEMPTION_PATIENCE_SECONDS * tsc_hz;
    let mut advanced = false;
    while time::rdtsc() < deadline {
        if counter.load(Ordering::Relaxed) > seen_at_start + 1000 {
            advanced = true;
            break;
        }
        core::hint::spin_loop();
    }
    stop.store(true, Ordering::Relaxed);
    let outcome = busy.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))?;
    ensure!(advanced, "a thread that never yields kept the CPU for {PREEMPTION_PATIENCE_SECONDS} s");
    ensure!(matches!(outcome, ThreadOutcome::Exited(0)), "the busy thread ended as {outcome:?}");
    Ok(())
}

/// Sixteen XMM registers' worth of bytes.
#[repr(C, align(16))]
#[derive(Clone, Copy, PartialEq, Eq)]
struct XmmFile([u8; 256]);

impl XmmFile {
    fn pattern(seed: u8) -> XmmFile {
        let mut bytes = [0u8; 256];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = seed.wrapping_mul(31).wrapping_add(i as u8).rotate_left(3);
        }
        XmmFile(bytes)
    }
}

/// Load `values` and `mxcsr`, make a `Yield` kernel call, and return what
/// the registers hold afterwards.
fn yield_holding(values: &XmmFile, mxcsr: u32) -> (XmmFile, u32) {
    let mut after = XmmFile([0; 256]);
    let mut mxcsr_after = 0u32;
    // SAFETY: the block loads from and stores to the two buffers it is
    // given and declares every general register it or the kernel call
    // changes. The XMM registers cannot be declared on this soft-float
    // target, and need not be: compiled code here never holds values in
    // them. The default MXCSR is restored before compiled code runs again.
    unsafe {
        asm!(
            "ldmxcsr [{mxcsr_in}]",
            "movdqa xmm0, [{src} + 0]", "movdqa xmm1, [{src} + 16]", "movdqa xmm2, [{src} + 32]",
            "movdqa xmm3, [{src} + 48]", "movdqa xmm4, [{src} + 64]", "movdqa xmm5, [{src} + 80]",
            "movdqa xmm6, [{src} + 96]", "movdqa xmm7, [{src} + 112]", "movdqa xmm8, [{src} + 128]",
            "movdqa xmm9, [{src} + 144]", "movdqa xmm10, [{src} + 160]", "movdqa xmm11, [{src} + 176]",
            "movdqa xmm12, [{src} + 192]", "movdqa xmm13, [{src} + 208]", "movdqa xmm14, [{src} + 224]",
            "movdqa xmm15, [{src} + 240]",
            "syscall",
            "movdqa [{dst} + 0], xmm0", "movdqa [{dst} + 16], xmm1", "movdqa [{dst} + 32], xmm2",
            "movdqa [{dst} + 48], xmm3", "movdqa [{dst} + 64], xmm4", "movdqa [{dst} + 80], xmm5",
            "movdqa [{dst} + 96], xmm6", "movdqa [{dst} + 112], xmm7", "movdqa [{dst} + 128], xmm8",
            "movdqa [{dst} + 144], xmm9", "movdqa [{dst} + 160], xmm10", "movdqa [{dst} + 176], xmm11",
            "movdqa [{dst} + 192], xmm12", "movdqa [{dst} + 208], xmm13", "movdqa [{dst} + 224], xmm14",
            "movdqa [{dst} + 240], xmm15",
            "stmxcsr [{mxcsr_out}]",
            "ldmxcsr [{mxcsr_default}]",
            src = in(reg) values.0.as_ptr(),
            dst = in(reg) after.0.as_mut_ptr(),
            mxcsr_in = in(reg) &mxcsr,
            mxcsr_out = in(reg) &mut mxcsr_after,
            mxcsr_default = in(reg) &0x1f80u32,
            inout("rax") abi::Call::Yield as u64 => _,
            out("rdi") _, out("rsi") _, out("rdx") _, out("r10") _,
            out("rcx") _, out("r11") _,
        );
    }
    (after, mxcsr_after)
}

/// Rounds in which the registers came back different from what was loaded.
fn fpu_rounds(seed: u8, mxcsr: u32) -> u64 {
    let values = XmmFile::pattern(seed);
    (0..FPU_ROUNDS)
        .filter(|_| {
            let (after, mxcsr_after) = yield_holding(&values, mxcsr);
            after != values || mxcsr_after != mxcsr
        })
        .count() as u64
}

/// Two threads with different SSE registers and MXCSR (one rounds toward
/// zero) yield to each other; each must get its own state back every time.
pub fn fpu_state_preserved() -> Outcome {
    const ROUND_TOWARD_ZERO: u32 = 0x7f80;
    const DEFAULT: u32 = 0x1f80;
    let other =
        thread::spawn(|| fpu_rounds(0xa5, ROUND_TOWARD_ZERO)).map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    let ours = fpu_rounds(0x3c, DEFAULT);
    let theirs = other.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))?;
    ensure!(ours == 0, "{ours} of {FPU_ROUNDS} rounds lost this thread's SSE state");
    ensure!(
        matches!(theirs, ThreadOutcome::Exited(0)),
        "the other thread lost its SSE state or ended badly: {theirs:?}"
    );
    Ok(())
}

/// A wait with a deadline ends with `TimedOut` no earlier than the deadline
/// (and not much later); a past deadline fails at once; a signal that is
/// already pending wins over the deadline.
pub fn timed_wait() -> Outcome {
    use abi::Error;
    use libtern::notify;
    use mm0_proto::SLOT_TEST_NOTIFICATION;

    const WAIT_NS: u64 = 20_000_000;
    let now = || time::clock().map(|(ns, _)| ns).map_err(|e| format!("Clock failed: {e:?}"));
    let _ = notify::poll(SLOT_TEST_NOTIFICATION);
    let start = now()?;
    let result = notify::wait_until(SLOT_TEST_NOTIFICATION, start + WAIT_NS);
    let waited = now()? - start;
    ensure!(result == Err(Error::TimedOut), "a wait with nothing to wake it returned {result:?}");
    ensure!(waited >= WAIT_NS, "timed out after {waited} ns, before the {WAIT_NS} ns deadline");
    ensure!(waited < 50 * WAIT_NS, "timed out only after {waited} ns");
    let past = notify::wait_until(SLOT_TEST_NOTIFICATION, start);
    ensure!(past == Err(Error::TimedOut), "a past deadline gave {past:?}");
    notify::signal(SLOT_TEST_NOTIFICATION, 0x40).map_err(|e| format!("NotifySignal failed: {e:?}"))?;
    let pending = notify::wait_until(SLOT_TEST_NOTIFICATION, now()? + WAIT_NS);
    ensure!(pending == Ok(0x40), "a pending signal gave {pending:?}");
    Ok(())
}
