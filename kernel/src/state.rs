//! The kernel's state: every object arena and the scheduler behind one lock.
//!
//! The kernel is non-preemptible and runs with interrupts off on one CPU, so
//! the lock is never contended; it exists so that all kernel state is
//! reached through one `&mut Kernel` and Rust's borrow rules apply to it.

use alloc::vec::Vec;
use spin::Mutex;

use crate::arena::{Arena, Id};
use crate::ipc::{Endpoint, Notification};
use crate::irq::IrqBinding;
use crate::sched::Scheduler;
use crate::space::Space;
use crate::thread::Thread;

pub struct Kernel {
    pub threads: Arena<Thread>,
    pub spaces: Arena<Space>,
    pub endpoints: Arena<Endpoint>,
    pub notifications: Arena<Notification>,
    pub sched: Scheduler,
    pub irqs: [Option<IrqBinding>; 16],
    pub next_cap_id: u64,
    pub next_thread_id: u64,
    /// The thread whose FPU/SSE state is in the CPU's registers. Others get
    /// it back lazily, on their first FPU instruction (#NM), so switching to
    /// a server that never touches the FPU moves no FPU state at all.
    pub fpu_owner: Option<Id>,
    /// The thread whose FS and GS bases are in the CPU. User code can change
    /// them itself (loading a segment register resets the base), so they are
    /// read back when another thread takes the CPU.
    pub bases_owner: Option<Id>,
    /// The space whose I/O bitmap is loaded in the TSS.
    pub io_bitmap_owner: Option<Id>,
    pub ticks: u64,
    /// Threads waiting with a deadline (some may have been woken since).
    pub timed_waiters: Vec<Id>,
    /// Notifications with an armed timer.
    pub timers: Vec<Id>,
}

impl Kernel {
    const fn new() -> Kernel {
        Kernel {
            threads: Arena::new(),
            spaces: Arena::new(),
            endpoints: Arena::new(),
            notifications: Arena::new(),
            sched: Scheduler::new(),
            irqs: [None; 16],
            next_cap_id: 0,
            next_thread_id: 0,
            fpu_owner: None,
            bases_owner: None,
            io_bitmap_owner: None,
            ticks: 0,
            timed_waiters: Vec::new(),
            timers: Vec::new(),
        }
    }
}

pub static KERNEL: Mutex<Kernel> = Mutex::new(Kernel::new());
