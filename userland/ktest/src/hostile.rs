//! Register state a task may leave behind that the kernel must not trust:
//! the direction flag set at a fault or a timer interrupt, and a segment
//! load that resets the FS base behind the kernel's back.

use alloc::format;
use alloc::sync::Arc;
use core::arch::asm;
use core::sync::atomic::{AtomicU8, Ordering};

use abi::{Call, MsgInfo};
use libtern::mm0::Outcome as ThreadOutcome;
use libtern::{thread, time, tls};
use mm0_proto::SLOT_TEST_ENDPOINT;

use crate::report::Outcome;
use crate::{ensure, peer, probe};

/// An address nothing maps.
const UNMAPPED: u64 = 0x10;

/// A page fault taken with DF set: the kernel's fault path (which copies
/// memory) must not run backwards.
pub fn direction_flag_at_fault() -> Outcome {
    let outcome = probe::outcome_of(|| {
        // SAFETY: the store faults (nothing is mapped at UNMAPPED) and the
        // thread ends there; DF never reaches compiled code.
        unsafe { asm!("std", "mov qword ptr [{a}], 0", a = in(reg) UNMAPPED, options(nostack)) };
        0
    })?;
    ensure!(
        outcome == (ThreadOutcome::Faulted { vector: 14, address: UNMAPPED }),
        "the fault with DF set ended as {outcome:?}"
    );
    Ok(())
}

/// A thread spinning with DF set is interrupted by many timer ticks and
/// switches (to tasks with other I/O bitmaps): the kernel keeps working.
pub fn direction_flag_while_preempted() -> Outcome {
    let go = Arc::new(AtomicU8::new(0));
    let flag = Arc::clone(&go);
    let spinner = thread::spawn(move || {
        let at = flag.as_ptr();
        // SAFETY: the loop only reads the flag byte, which the Arc keeps
        // alive; DF is cleared again before compiled code runs.
        unsafe { asm!("std", "2:", "cmp byte ptr [{f}], 0", "je 2b", "cld", f = in(reg) at, options(nostack)) };
        7
    })
    .map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    let (start, _) = time::clock().map_err(|e| format!("Clock failed: {e:?}"))?;
    while time::clock().map(|(now, _)| now - start < 50_000_000).unwrap_or(false) {
        time::yield_now();
    }
    go.store(1, Ordering::SeqCst);
    let outcome = spinner.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))?;
    ensure!(outcome == ThreadOutcome::Exited(7), "the spinning thread ended as {outcome:?}");
    Ok(())
}

/// Loading FS resets its base without the kernel knowing. The peer task
/// has the same layout, so its thread block sits at the same address as
/// ours: it must still get its own FS base when it runs next.
pub fn fs_reset_stays_in_its_thread() -> Outcome {
    // The suite runs on the task's first thread, whose block is the main one.
    let block = tls::main_block() as *const tls::ThreadBlock as u64;
    let own_thread = tls::thread_id();
    let (call_error, peer_thread): (u64, u64);
    // SAFETY: between the segment load and SetFsBase no compiled code runs
    // (nothing reads the FS base); the Call carries register words only and
    // its reply overwrites only the declared registers; SetFsBase puts our
    // own block back.
    unsafe {
        asm!(
            "mov ecx, {user_data}",
            "mov fs, cx",
            "syscall",
            "mov r8, rax",
            "mov r9, rdx",
            "mov eax, {set_fs_base}",
            "mov rdi, {block}",
            "syscall",
            user_data = const 0x1b,
            set_fs_base = const Call::SetFsBase as u64,
            block = in(reg) block,
            inout("rax") Call::Call as u64 => _,
            inout("rdi") SLOT_TEST_ENDPOINT => _,
            inout("rsi") MsgInfo::new(peer::TLS, 0).0 => _,
            out("rdx") _, out("r10") _, out("r8") call_error, out("r9") peer_thread,
            out("r12") _, out("r13") _, out("r14") _, out("r15") _,
            out("rcx") _, out("r11") _,
            options(nostack),
        );
    }
    ensure!(call_error == 0, "the call to the peer failed with error {call_error}: the peer lost its FS base");
    ensure!(peer_thread != 0, "the peer read thread id 0 through its FS base");
    ensure!(tls::thread_id() == own_thread, "our own FS base was not restored");
    Ok(())
}
