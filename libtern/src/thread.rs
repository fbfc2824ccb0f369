//! Threads of the current task: `spawn` a closure, `join` its outcome.
//!
//! mm0 creates the kernel thread (`THREAD_SPAWN`) and gives it an IPC
//! buffer; libtern provides the stack, a heap allocation whose top 16 bytes
//! hold the thread's [`ThreadBlock`]. The new thread starts in a naked
//! trampoline that aligns the stack and calls `thread_main`, which
//! installs the block, runs the closure and reports its return value with
//! `THREAD_EXIT`. The [`Thread`] handle owns the stack and frees it after
//! `join`; dropping a handle without joining leaks the stack, because the
//! thread may still be running on it. The handle also owns the task's
//! capability to the thread that THREAD_SPAWN hands back ([`Thread::cap`],
//! for `ThreadSuspend` and friends in [`crate::kthread`]) and deletes it
//! when dropped; the thread itself does not depend on it.

use alloc::alloc::{alloc, dealloc};
use alloc::boxed::Box;
use core::alloc::Layout;
use core::mem::size_of;
use core::ops::Range;
use core::ptr::NonNull;

use crate::cap;
use crate::mm0::{self, Mm0Error, Outcome, SpawnedThread};
use crate::tls::ThreadBlock;

/// Default stack size of a spawned thread.
pub const STACK_SIZE: usize = 64 * 1024;

/// What the trampoline receives (through `rdi`).
struct Start {
    f: Box<dyn FnOnce() -> u64 + Send>,
    block: *const ThreadBlock,
}

struct Stack {
    base: NonNull<u8>,
    layout: Layout,
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: `base` came from `alloc` with this layout, and the stack is
        // dropped only after its thread ended (see `Thread`).
        unsafe { dealloc(self.base.as_ptr(), self.layout) }
    }
}

/// A spawned thread. Join it to learn how it ended and free its stack.
pub struct Thread {
    id: u64,
    cap: u64,
    /// `Some` until a successful join frees it.
    stack: Option<Stack>,
}

impl Thread {
    /// The thread's id (as mm0 and the kernel know it).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The slot of this task's capability to the thread (CONTROL).
    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// The addresses of the thread's stack; its [`ThreadBlock`] is in the
    /// top 16 bytes.
    pub fn stack(&self) -> Range<u64> {
        self.stack.as_ref().map_or(0..0, |s| {
            let base = s.base.as_ptr() as u64;
            base..base + s.layout.size() as u64
        })
    }

    /// Waits until the thread ends.
    pub fn join(mut self) -> Result<Outcome, Mm0Error> {
        let outcome = mm0::thread_join(self.id);
        if outcome.is_ok() {
            // mm0 destroys a thread before it answers a join: nothing runs
            // on the stack any more.
            drop(self.stack.take());
        }
        outcome
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        // Not joined (or join failed): the thread may still use the stack.
        core::mem::forget(self.stack.take());
        if let Err(e) = cap::delete(self.cap) {
            crate::println!("libtern: deleting the capability of thread {} failed: {e:?}", self.id);
        }
    }
}

/// Starts `f` in a new thread of this task with a [`STACK_SIZE`] stack.
pub fn spawn<F: FnOnce() -> u64 + Send + 'static>(f: F) -> Result<Thread, Mm0Error> {
    spawn_with_stack(STACK_SIZE, f)
}

/// Starts `f` in a new thread with a stack of `size` bytes (at least 4 KiB).
pub fn spawn_with_stack<F: FnOnce() -> u64 + Send + 'static>(size: usize, f: F) -> Result<Thread, Mm0Error> {
    let layout = Layout::from_size_align(size.max(4096), 16).map_err(|_| Mm0Error::Errno(mm0_proto::errno::EINVAL))?;
    // SAFETY: the layout has a non-zero size.
    let base = NonNull::new(unsafe { alloc(layout) }).ok_or(Mm0Error::Errno(mm0_proto::errno::ENOMEM))?;
    let stack = Stack { base, layout };
    // SAFETY: the block's 16 bytes are the last of the allocation, which is
    // 16-aligned with a size that is a multiple of 16.
    let block = unsafe { base.as_ptr().add(layout.size() - size_of::<ThreadBlock>()) }.cast::<ThreadBlock>();
    // SAFETY: `block` is valid for writes and suitably aligned (see above).
    unsafe { block.write(ThreadBlock::new(0, 0)) };
    let start = Box::into_raw(Box::new(Start { f: Box::new(f), block }));
    let entry = trampoline as *const () as u64;
    match mm0::thread_spawn(entry, block as u64, start as u64) {
        Ok(SpawnedThread { id, cap }) => Ok(Thread { id, cap, stack: Some(stack) }),
        Err(e) => {
            // SAFETY: the thread was not created, so `start` is still ours.
            drop(unsafe { Box::from_raw(start) });
            Err(e)
        }
    }
}

/// First code of a spawned thread: `rdi` = Start, `rsi` = IPC buffer,
/// `rdx` = thread id, `rsp` = just below the ThreadBlock.
#[unsafe(naked)]
extern "C" fn trampoline() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",
        "and rsp, -16",
        "call {main}",
        "ud2",
        main = sym thread_main,
    )
}

extern "C" fn thread_main(start: *mut Start, ipc_buffer: u64, thread_id: u64) -> ! {
    // SAFETY: `start` was made by `Box::into_raw` in `spawn_with_stack` and
    // is handed to exactly this thread.
    let Start { f, block } = *unsafe { Box::from_raw(start) };
    // SAFETY: the block lies in the thread's stack allocation, which lives
    // until the thread has ended (`Thread` frees it only after a join).
    let block = unsafe { &*block };
    block.set(ipc_buffer, thread_id);
    // SAFETY: as above, the block outlives the thread.
    if let Err(e) = unsafe { block.install() } {
        crate::println!("libtern: SetFsBase failed in a new thread: {e:?}");
        mm0::thread_exit(u64::MAX, thread_id);
    }
    let code = f();
    mm0::thread_exit(code, thread_id)
}
