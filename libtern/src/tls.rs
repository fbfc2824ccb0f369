//! Per-thread state, found through the FS base.
//!
//! Each thread of a native task has a [`ThreadBlock`] holding its IPC buffer
//! address and its thread id, and points its FS base at it (`SetFsBase`).
//! Reading `fs:[0]` then gives the current thread's IPC buffer with no
//! lookup, whichever thread runs. The main thread's block is a static
//! ([`main_block`]) filled in by [`crate::rt`]; spawned threads keep theirs
//! at the top of their stack ([`crate::thread`]).

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};

use abi::Error;

/// What a thread knows about itself. `repr(C)`: `fs:[0]` is the IPC buffer,
/// `fs:[8]` the thread id.
#[repr(C)]
pub struct ThreadBlock {
    ipc_buffer: AtomicU64,
    thread_id: AtomicU64,
}

impl ThreadBlock {
    pub const fn new(ipc_buffer: u64, thread_id: u64) -> ThreadBlock {
        ThreadBlock { ipc_buffer: AtomicU64::new(ipc_buffer), thread_id: AtomicU64::new(thread_id) }
    }

    /// Records the block's contents (before it is installed).
    pub fn set(&self, ipc_buffer: u64, thread_id: u64) {
        self.ipc_buffer.store(ipc_buffer, Ordering::Relaxed);
        self.thread_id.store(thread_id, Ordering::Relaxed);
    }

    /// Makes this the current thread's block.
    ///
    /// # Safety
    /// The block must stay valid (not be freed or moved) for as long as the
    /// thread runs.
    pub unsafe fn install(&self) -> Result<(), Error> {
        // SAFETY: `self` is a valid block, kept alive by the caller, so later
        // `fs:` reads stay valid.
        unsafe { crate::kthread::set_fs_base(self as *const ThreadBlock as u64) }
    }
}

static MAIN_BLOCK: ThreadBlock = ThreadBlock::new(0, 0);

/// The block of the task's first thread (set up by [`crate::rt`]).
pub fn main_block() -> &'static ThreadBlock {
    &MAIN_BLOCK
}

/// The current thread's IPC buffer address (0 if none was installed).
pub fn ipc_buffer() -> u64 {
    read(0)
}

/// The current thread's id (as the kernel and mm0 know it).
pub fn thread_id() -> u64 {
    read(8)
}

fn read(offset: u64) -> u64 {
    let value: u64;
    // SAFETY: every thread started by libtern installs a ThreadBlock before
    // running user code, and the block outlives the thread; the load reads
    // one of its atomics (a plain aligned 8-byte load).
    unsafe {
        asm!("mov {v}, qword ptr fs:[{o}]", v = out(reg) value, o = in(reg) offset, options(nostack, readonly, preserves_flags));
    }
    value
}
