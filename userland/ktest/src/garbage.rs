//! Garbage to every kernel call: each call number, and numbers the kernel
//! does not know, with pseudo-random registers that are all invalid as
//! slots (at least 2^20) or as pointers (kernel-half or non-canonical; a
//! call whose first argument is a pointer gets only those there). Every
//! call must fail with an error code and leave the task running; only
//! `Yield` and `Clock`, which take no arguments, may succeed.
//!
//! `SetFsBase` is among the calls: should the kernel wrongly accept a
//! garbage base, libtern's thread block is reinstalled right after it,
//! before anything reads the FS base, and the test fails.

use alloc::format;
use alloc::vec::Vec;

use abi::Call;
use libtern::syscall::syscall_ipc;
use libtern::tls;

use crate::report::Outcome;
use crate::rng::Rng;

/// Rounds over all call numbers.
const ROUNDS: usize = 25;
/// Call numbers the kernel must not know.
const UNKNOWN_CALLS: [u64; 5] = [Call::ALL.len() as u64, 99, 1000, 1 << 32, u64::MAX];

/// Calls whose first argument is a pointer, not a slot.
const POINTER_FIRST: [Call; 2] = [Call::DebugWrite, Call::SetFsBase];

/// One invalid register value: a slot, or a pointer outside the user half.
fn garbage(rng: &mut Rng) -> u64 {
    let r = rng.next();
    match r % 4 {
        // A slot number beyond any capability table.
        0 => (1 << 20) + (r >> 8) % (1 << 40),
        // A kernel-half address.
        1 => 0xffff_8000_0000_0000 | ((r >> 4) & 0x7fff_ffff_fff8),
        // A non-canonical address.
        2 => 0x0008_0000_0000_0000 | ((r >> 8) & 0x0000_ffff_ffff_ffff) | (1 << 52),
        _ => u64::MAX,
    }
}

/// A pointer outside the user half.
fn bad_pointer(rng: &mut Rng) -> u64 {
    loop {
        let value = garbage(rng);
        if value >= abi::USER_TOP {
            return value;
        }
    }
}

fn may_succeed(call: u64) -> bool {
    call == Call::Yield as u64 || call == Call::Clock as u64
}

pub fn every_call() -> Outcome {
    let mut rng = Rng::new(0x7e57_ca11);
    let calls: Vec<u64> = Call::ALL.iter().map(|&c| c as u64).chain(UNKNOWN_CALLS).collect();
    let mut failures = Vec::new();
    for _ in 0..ROUNDS {
        for &call in &calls {
            let mut regs: [u64; 10] = core::array::from_fn(|_| garbage(&mut rng));
            if POINTER_FIRST.iter().any(|&c| c as u64 == call) {
                regs[0] = bad_pointer(&mut rng);
            }
            // SAFETY: every slot is out of range and every pointer is outside
            // the user half, so a correct kernel touches none of our memory.
            let (rax, _) = unsafe { syscall_ipc(call, regs) };
            if call == Call::SetFsBase as u64 {
                // SAFETY: the main block is a static, valid for the task's life.
                let _ = unsafe { tls::main_block().install() };
            }
            if rax == 0 && !may_succeed(call) && failures.len() < 4 {
                failures.push(format!("call {call} with {:x?} succeeded", &regs[..6]));
            }
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}
