//! Memory isolation: a thread that reads the kernel half, the kernel image,
//! a non-canonical address or unmapped user memory ends with a fault at
//! that address, and the rest of the task keeps running.

use alloc::format;

use libtern::mm0::Outcome;

use crate::ensure;
use crate::probe;
use crate::report::Outcome as Verdict;

/// Start of the kernel half (the kernel's direct map of RAM).
pub const KERNEL_HALF: u64 = 0xffff_8000_0000_0000;
/// The kernel image (linked at -2 GiB + 1 MiB).
pub const KERNEL_IMAGE: u64 = 0xffff_ffff_8010_0000;
/// A non-canonical address (bits 47..63 differ).
pub const NON_CANONICAL: u64 = 0x8000_0000_0000_0000;
/// A user address no region of ktest covers.
pub const UNMAPPED_USER: u64 = 0x0000_0000_dead_0000;

const PAGE_FAULT: u64 = 14;
const GENERAL_PROTECTION: u64 = 13;

/// Reading `addr` must end the reading thread with a page fault at `addr`.
pub fn page_fault_at(addr: u64) -> Verdict {
    let outcome = probe::outcome_of(move || probe::read(addr))?;
    ensure!(
        outcome == Outcome::Faulted { vector: PAGE_FAULT, address: addr },
        "reading {addr:#x} ended as {outcome:?}, not a page fault there"
    );
    Ok(())
}

/// Reading a non-canonical address must raise #GP in the reading thread.
pub fn non_canonical() -> Verdict {
    let outcome = probe::outcome_of(|| probe::read(NON_CANONICAL))?;
    ensure!(
        matches!(outcome, Outcome::Faulted { vector: GENERAL_PROTECTION, .. }),
        "reading {NON_CANONICAL:#x} ended as {outcome:?}, not #GP"
    );
    Ok(())
}

/// After the faults above, this thread still works and so does IPC.
pub fn survivor() -> Verdict {
    let stats = libtern::mm0::mem_stats().map_err(|e| format!("MEM_STATS after the faults failed: {e:?}"))?;
    ensure!(stats.free_pages <= stats.total_pages, "MEM_STATS says {} free of {}", stats.free_pages, stats.total_pages);
    Ok(())
}
