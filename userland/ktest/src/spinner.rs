//! The subject of the thread-control tests: a thread of ktest that counts
//! its turns and yields until told to stop, then exits with [`STOPPED`].
//!
//! It never blocks in the kernel: once suspended it is simply off the run
//! queue, with the registers of ordinary user code (or of the return from a
//! `Yield`), and nothing but a resume makes it run again.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::ops::Range;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use libtern::mm0::Outcome;
use libtern::thread::{self, Thread};
use libtern::{kthread, time};

/// Exit code of a spinner that was told to stop.
pub const STOPPED: u64 = 0x5709;
/// Yields to wait for a runnable spinner to take a turn (with one other
/// thread of equal priority, one is enough).
const PATIENCE_YIELDS: u32 = 10_000;

/// What the spinner and the test share.
struct Shared {
    turns: AtomicU64,
    stop: AtomicBool,
}

pub struct Spinner {
    thread: Thread,
    shared: Arc<Shared>,
}

impl Spinner {
    /// Starts a spinner and waits until it has taken a turn.
    pub fn start() -> Result<Spinner, String> {
        let shared = Arc::new(Shared { turns: AtomicU64::new(0), stop: AtomicBool::new(false) });
        let theirs = Arc::clone(&shared);
        let thread = thread::spawn(move || {
            while !theirs.stop.load(Ordering::SeqCst) {
                theirs.turns.fetch_add(1, Ordering::SeqCst);
                time::yield_now();
            }
            STOPPED
        })
        .map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
        let spinner = Spinner { thread, shared };
        if !spinner.advances_past(0) {
            return Err(String::from("the spinner never took a turn"));
        }
        Ok(spinner)
    }

    /// The slot of our capability to the thread.
    pub fn cap(&self) -> u64 {
        self.thread.cap()
    }

    /// The thread id.
    pub fn id(&self) -> u64 {
        self.thread.id()
    }

    /// The addresses of the thread's stack.
    pub fn stack(&self) -> Range<u64> {
        self.thread.stack()
    }

    /// Turns taken so far.
    pub fn turns(&self) -> u64 {
        self.shared.turns.load(Ordering::SeqCst)
    }

    /// Yields until the spinner has taken more than `turns` turns; false if
    /// it does not within [`PATIENCE_YIELDS`].
    pub fn advances_past(&self, turns: u64) -> bool {
        (0..PATIENCE_YIELDS).any(|_| {
            time::yield_now();
            self.turns() > turns
        })
    }

    /// Tells the spinner to stop, resumes it in case a test left it
    /// suspended, and waits for it to end.
    pub fn finish(self) -> Result<Outcome, String> {
        self.shared.stop.store(true, Ordering::SeqCst);
        // A thread that already ended (sent elsewhere by a test) cannot be
        // resumed (`Dead`); the join below reports how it ended either way.
        let _ = kthread::resume(self.thread.cap());
        self.thread.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))
    }
}
