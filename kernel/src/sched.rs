//! The scheduler: round robin within 32 priorities, preemption on the
//! timer tick, and the path out of the kernel.

use alloc::collections::VecDeque;

use crate::arena::Id;
use crate::cpu;
use crate::entry::return_to_user;
use crate::paging;
use spin::MutexGuard;

use crate::state::{KERNEL, Kernel};
use crate::thread::{PRIORITIES, State};

/// Timer ticks in one time slice (10 ms).
pub const SLICE_TICKS: u32 = 10;

pub struct Scheduler {
    ready: [VecDeque<Id>; PRIORITIES],
    /// Bit p set when `ready[p]` is not empty.
    ready_mask: u32,
    pub current: Option<Id>,
    /// The current thread used up its slice.
    pub preempt: bool,
}

impl Scheduler {
    pub const fn new() -> Scheduler {
        Scheduler { ready: [const { VecDeque::new() }; PRIORITIES], ready_mask: 0, current: None, preempt: false }
    }

    pub fn enqueue(&mut self, t: Id, priority: u8) {
        let p = priority as usize % PRIORITIES;
        if !self.ready[p].contains(&t) {
            self.ready[p].push_back(t);
            self.ready_mask |= 1 << p;
        }
    }

    /// Put `t` first in its queue: the IPC partner of a thread that is about
    /// to block runs next (a handoff), unless a higher priority is ready.
    pub fn enqueue_first(&mut self, t: Id, priority: u8) {
        let p = priority as usize % PRIORITIES;
        self.ready[p].retain(|&x| x != t);
        self.ready[p].push_front(t);
        self.ready_mask |= 1 << p;
    }

    pub fn remove(&mut self, t: Id) {
        for (p, q) in self.ready.iter_mut().enumerate() {
            q.retain(|&x| x != t);
            if q.is_empty() {
                self.ready_mask &= !(1 << p);
            }
        }
    }

    fn highest_ready(&self) -> Option<usize> {
        (self.ready_mask != 0).then(|| 31 - self.ready_mask.leading_zeros() as usize)
    }

    fn pop(&mut self) -> Option<Id> {
        let p = self.highest_ready()?;
        let t = self.ready[p].pop_front();
        if self.ready[p].is_empty() {
            self.ready_mask &= !(1 << p);
        }
        t
    }
}

impl Kernel {
    /// Decide who runs next: the current thread keeps the CPU unless it
    /// blocked, used up its slice, or a higher priority is ready.
    fn choose_next(&mut self) -> Option<Id> {
        if let Some(c) = self.sched.current.take()
            && let Some(th) = self.threads.get(c)
            && matches!(th.state, State::Runnable)
        {
            let higher = self.sched.highest_ready().is_some_and(|p| p > th.priority as usize);
            if !self.sched.preempt && !higher {
                self.sched.current = Some(c);
                return Some(c);
            }
            let prio = th.priority;
            self.sched.enqueue(c, prio);
        }
        self.sched.preempt = false;
        while let Some(t) = self.sched.pop() {
            if self.threads.get(t).is_some_and(|th| matches!(th.state, State::Runnable)) {
                return Some(t);
            }
        }
        None
    }

    /// Load `t`'s address space, FPU and segment bases; make it current.
    fn activate(&mut self, t: Id) {
        if self.bases_owner != Some(t) {
            if let Some(old) = self.bases_owner.and_then(|o| self.threads.get_mut(o)) {
                old.saved.regs.fs_base = cpu::rdmsr(cpu::MSR_FS_BASE);
                old.saved.regs.gs_base = cpu::rdmsr(cpu::MSR_KERNEL_GS_BASE);
            }
            let th = self.threads.get(t).expect("chosen thread exists");
            cpu::wrmsr(cpu::MSR_FS_BASE, th.saved.regs.fs_base);
            cpu::wrmsr(cpu::MSR_KERNEL_GS_BASE, th.saved.regs.gs_base);
            self.bases_owner = Some(t);
        }
        cpu::set_fpu_trap(self.fpu_owner != Some(t));
        let th = self.threads.get(t).expect("chosen thread exists");
        let space_id = th.space;
        let save_area = &th.saved.regs as *const _ as u64;
        let space = self.spaces.get(space_id).expect("a thread's space outlives it");
        if paging::current_pml4() != space.tables.root() {
            paging::activate(space.tables.root());
        }
        if self.io_bitmap_owner != Some(space_id) {
            crate::gdt::load_io_bitmap(space.io_bitmap.as_deref());
            self.io_bitmap_owner = Some(space_id);
        }
        // SAFETY: one CPU, interrupts off; the save area is boxed and lives
        // as long as the thread, which stays current until the next entry.
        unsafe { crate::gdt::PER_CPU.save_area = save_area };
        self.sched.current = Some(t);
    }

    /// A timer tick: account the current thread's slice.
    pub fn tick(&mut self) {
        self.ticks += 1;
        if !self.timed_waiters.is_empty() || !self.timers.is_empty() {
            let now = crate::apic::now_ns();
            self.expire_deadlines(now);
            self.expire_timers(now);
        }
        if let Some(c) = self.sched.current
            && let Some(th) = self.threads.get_mut(c)
        {
            th.slice = th.slice.saturating_sub(1);
            if th.slice == 0 {
                th.slice = SLICE_TICKS;
                self.sched.preempt = true;
            }
        }
    }
}

/// Leave the kernel: run the chosen thread, or idle until one is ready.
/// Takes the lock the kernel entry already holds, so a kernel call locks once.
pub fn run_next(mut k: MutexGuard<'static, Kernel>) -> ! {
    loop {
        if let Some(t) = k.choose_next() {
            k.activate(t);
            drop(k);
            // SAFETY: PER_CPU.save_area points at the current thread's
            // complete, checked register state.
            unsafe { return_to_user() }
        }
        drop(k);
        cpu::wait_for_interrupt();
        k = KERNEL.lock();
    }
}
