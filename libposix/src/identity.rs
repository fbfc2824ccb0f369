//! Who this process is: its id and its program name, as mm0 tells them
//! (PROCESS_INFO). libposix asks once, at the first need (usually musl's
//! `set_tid_address` at start-up), and keeps the answer in its per-process
//! data: neither changes while the process runs. A forked child starts
//! with its parent's copy and [`forget`]s it. The parent does change (an
//! orphan loses it), so getppid asks every time.
//!
//! The answer is stored word by word in atomics, then marked known with a
//! release store, so a reader that sees it known sees all of it. Two
//! threads asking at once would both ask mm0 and store the same answer.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use libtern_sys::mm0::Mm0Error;

use libtern_sys::mm0;
use mm0_proto::{PROCESS_NAME_WORDS, ProcessName};

use crate::server;

static KNOWN: AtomicBool = AtomicBool::new(false);
static PID: AtomicU64 = AtomicU64::new(0);
static NAME_LEN: AtomicU64 = AtomicU64::new(0);
static NAME_WORDS: [AtomicU64; PROCESS_NAME_WORDS] = [const { AtomicU64::new(0) }; PROCESS_NAME_WORDS];

/// Asks mm0 unless the answer is already kept.
fn learn() -> Result<(), u32> {
    if KNOWN.load(Ordering::Acquire) {
        return Ok(());
    }
    let info = mm0::process_info(&server::ipc_buffer()).map_err(Mm0Error::errno)?;
    PID.store(info.task_id, Ordering::Relaxed);
    for (kept, word) in NAME_WORDS.iter().zip(info.name.words) {
        kept.store(word, Ordering::Relaxed);
    }
    NAME_LEN.store(info.name.len() as u64, Ordering::Relaxed);
    KNOWN.store(true, Ordering::Release);
    Ok(())
}

/// The process id (mm0's task id).
pub fn pid() -> Result<u64, u32> {
    learn().map(|()| PID.load(Ordering::Relaxed))
}

/// The parent's process id, 0 when no process created this one or the
/// parent has ended.
pub fn parent_pid() -> Result<u64, u32> {
    mm0::process_info(&server::ipc_buffer()).map(|info| info.parent_id).map_err(Mm0Error::errno)
}

/// Drops what is known (in a forked child, whose pid is new).
pub fn forget() {
    KNOWN.store(false, Ordering::Release);
}

/// The program's name, if mm0 could be asked.
pub fn name() -> Option<ProcessName> {
    learn().ok()?;
    let words = NAME_WORDS.each_ref().map(|w| w.load(Ordering::Relaxed));
    Some(ProcessName::from_words(&words, NAME_LEN.load(Ordering::Relaxed)))
}
