//! Threads: saved user state, scheduling state, and what they wait for.

use abi::ipc::{Grant, MAX_GRANTS};
use abi::regs::{ThreadRegs, USER_RFLAGS_MASK};
use abi::{Error, MsgInfo};
use alloc::boxed::Box;
use core::alloc::Layout;

use crate::arena::Id;
use crate::state::Kernel;

/// Bytes kept for the FPU/SSE/AVX state (xsave with x87, SSE and AVX).
pub const FPU_AREA: usize = 1024;
/// Priority levels: 0 (lowest) to 31.
pub const PRIORITIES: usize = 32;

/// A thread's registers while it is not running. The entry stubs write the
/// general registers at fixed offsets (see entry.rs): `regs` must come first.
#[repr(C, align(64))]
pub struct SavedState {
    pub regs: ThreadRegs,
    pad: [u64; 4],
    pub fpu: [u8; FPU_AREA],
}

/// A message as it travels: the info word and the register words.
#[derive(Clone, Copy, Debug)]
pub struct Message {
    pub info: MsgInfo,
    pub words: [u64; abi::ipc::REG_WORDS],
}

/// An endpoint capability as a pager reference.
#[derive(Clone, Copy, Debug)]
pub struct EndpointRef {
    pub endpoint: Id,
    pub badge: u64,
}

#[derive(Clone, Copy, Debug)]
pub enum State {
    /// Ready or running.
    Runnable,
    /// Created, suspended or stopped after an unhandled fault.
    Inactive,
    Sending {
        endpoint: Id,
        msg: Message,
        badge: u64,
        call: bool,
    },
    Receiving {
        endpoint: Id,
    },
    AwaitingReply,
    WaitingNotification {
        notification: Id,
    },
}

/// The thread a receiver owes a reply to.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub thread: Id,
    pub seq: u64,
}

/// The outstanding call a thread is waiting on.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallRecord {
    pub seq: u64,
    pub grants: [Grant; MAX_GRANTS],
    pub grant_count: usize,
    /// The call is a fault message: the reply resumes the thread without
    /// touching its registers.
    pub fault: bool,
}

pub struct Thread {
    pub tid: u64,
    pub space: Id,
    pub state: State,
    /// Stop at the next point the thread would become runnable.
    pub suspended: bool,
    pub priority: u8,
    pub pager: Option<EndpointRef>,
    pub ipc_buffer: u64,
    pub saved: Box<SavedState>,
    pub caller: Option<Caller>,
    pub call: CallRecord,
    pub slice: u32,
    /// When a timed wait gives up (ns since boot), 0 while not waiting with one.
    pub deadline: u64,
    /// The thread has an entry in `Kernel::timed_waiters` (at most one).
    pub in_timed_list: bool,
    /// Its endpoint receives also return this notification's signals.
    pub bound_notification: Option<Id>,
}

/// Saved state for a new thread: zero registers, interrupts on, FPU in
/// its initial state.
fn new_saved_state(fpu_template: &[u8; FPU_AREA]) -> Option<Box<SavedState>> {
    let layout = Layout::new::<SavedState>();
    // SAFETY: SavedState is plain data for which all-zero bytes are valid.
    let ptr = unsafe { alloc::alloc::alloc_zeroed(layout) } as *mut SavedState;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: ptr is a fresh, zeroed allocation with SavedState's layout.
    let mut saved = unsafe { Box::from_raw(ptr) };
    saved.regs.rflags = 0x202;
    saved.fpu = *fpu_template;
    Some(saved)
}

static FPU_TEMPLATE: spin::Once<Box<[u8; FPU_AREA]>> = spin::Once::new();

/// Record the FPU's initial state (after `fninit`) for new threads.
pub fn capture_fpu_template() {
    FPU_TEMPLATE.call_once(|| {
        let mut area = Box::new(SavedState { regs: ThreadRegs::default(), pad: [0; 4], fpu: [0; FPU_AREA] });
        crate::cpu::set_fpu_trap(false);
        // SAFETY: ldmxcsr with the architectural default value.
        unsafe { core::arch::asm!("ldmxcsr [{}]", in(reg) &0x1f80u32, options(nostack)) };
        crate::cpu::fpu_save(&mut area.fpu);
        Box::new(area.fpu)
    });
}

/// Check user-supplied registers: addresses the CPU will load must be
/// canonical user addresses, or `iretq`/`wrmsr` would fault in the kernel.
pub fn check_user_regs(regs: &ThreadRegs) -> Result<ThreadRegs, Error> {
    for addr in [regs.rip, regs.fs_base, regs.gs_base] {
        if addr >= abi::USER_TOP {
            return Err(Error::InvalidArgument);
        }
    }
    if regs.rsp >= abi::USER_TOP {
        return Err(Error::InvalidArgument);
    }
    let mut clean = *regs;
    clean.rflags = (regs.rflags & USER_RFLAGS_MASK) | 0x202;
    Ok(clean)
}

impl Kernel {
    pub fn create_thread(&mut self, space: Id) -> Result<Id, Error> {
        if !crate::heap::has_room() {
            return Err(Error::NoMemory);
        }
        if !self.spaces.contains(space) {
            return Err(Error::Dead);
        }
        let template = FPU_TEMPLATE.get().ok_or(Error::Busy)?;
        let saved = new_saved_state(template).ok_or(Error::NoMemory)?;
        self.next_thread_id += 1;
        let thread = Thread {
            tid: self.next_thread_id,
            space,
            state: State::Inactive,
            suspended: false,
            priority: 10,
            pager: None,
            ipc_buffer: 0,
            saved,
            caller: None,
            call: CallRecord::default(),
            slice: crate::sched::SLICE_TICKS,
            deadline: 0,
            in_timed_list: false,
            bound_notification: None,
        };
        let id = self.threads.insert(thread).ok_or(Error::NoMemory)?;
        let sp = self.spaces.get_mut(space).ok_or(Error::Dead)?;
        if sp.threads.try_reserve(1).is_err() {
            self.threads.remove(id);
            return Err(Error::NoMemory);
        }
        sp.threads.push(id);
        Ok(id)
    }

    /// Read `t`'s FS and GS bases back from the CPU if they are still there.
    pub fn sync_bases(&mut self, t: Id) {
        if self.bases_owner == Some(t)
            && let Some(th) = self.threads.get_mut(t)
        {
            th.saved.regs.fs_base = crate::cpu::rdmsr(crate::cpu::MSR_FS_BASE);
            th.saved.regs.gs_base = crate::cpu::rdmsr(crate::cpu::MSR_KERNEL_GS_BASE);
        }
    }

    /// #NM: `t` touched the FPU; give it its own state.
    pub fn take_fpu(&mut self, t: Id) {
        crate::cpu::set_fpu_trap(false);
        if self.fpu_owner == Some(t) {
            return;
        }
        if let Some(old) = self.fpu_owner.and_then(|o| self.threads.get_mut(o)) {
            crate::cpu::fpu_save(&mut old.saved.fpu);
        }
        if let Some(th) = self.threads.get(t) {
            crate::cpu::fpu_restore(&th.saved.fpu);
            self.fpu_owner = Some(t);
        }
    }

    /// Make a blocked or inactive thread runnable (or park it if suspended).
    pub fn wake(&mut self, t: Id) {
        self.make_runnable(t, false);
    }

    /// Wake the IPC partner of the current thread so that it runs next.
    pub fn hand_off(&mut self, t: Id) {
        self.make_runnable(t, true);
    }

    fn make_runnable(&mut self, t: Id, first: bool) {
        let Some(th) = self.threads.get_mut(t) else { return };
        th.deadline = 0;
        if th.suspended {
            th.state = State::Inactive;
            return;
        }
        th.state = State::Runnable;
        let prio = th.priority;
        if self.sched.current == Some(t) {
            return;
        }
        if first {
            self.sched.enqueue_first(t, prio);
        } else {
            self.sched.enqueue(t, prio);
        }
    }

    /// Wake a blocked thread with an error code as its call's result.
    /// A thread whose fault cannot be answered stays stopped instead.
    pub fn wake_with_error(&mut self, t: Id, err: Error) {
        let Some(th) = self.threads.get_mut(t) else { return };
        if th.call.fault {
            th.call.fault = false;
            th.state = State::Inactive;
            crate::log!(Warn, "kernel: thread {} stopped: its pager is gone ({:?})", th.tid, err);
            return;
        }
        th.saved.regs.rax = err as u64;
        self.wake(t);
    }

    /// Start waiting with a deadline: `TimedOut` at once if it has passed.
    pub fn arm_deadline(&mut self, t: Id, deadline: u64) -> Result<(), Error> {
        if deadline == 0 {
            return Ok(());
        }
        if deadline <= crate::apic::now_ns() {
            return Err(Error::TimedOut);
        }
        let th = self.threads.get_mut(t).ok_or(Error::Dead)?;
        if !th.in_timed_list {
            self.timed_waiters.try_reserve(1).map_err(|_| Error::NoMemory)?;
            self.timed_waiters.push(t);
            th.in_timed_list = true;
        }
        th.deadline = deadline;
        Ok(())
    }

    /// Fail the timed waits whose deadline has passed; drop the entries of
    /// threads no longer waiting with a deadline.
    pub fn expire_deadlines(&mut self, now: u64) {
        let mut expired = alloc::vec::Vec::new();
        let threads = &mut self.threads;
        self.timed_waiters.retain(|&t| {
            let Some(th) = threads.get_mut(t) else { return false };
            let keep = th.deadline != 0 && th.deadline > now;
            if th.deadline != 0 && th.deadline <= now {
                expired.push(t);
            }
            th.in_timed_list = keep;
            keep
        });
        for t in expired {
            self.unlink(t);
            self.wake_with_error(t, Error::TimedOut);
        }
    }

    /// Take a thread out of whatever queue it waits in.
    pub fn unlink(&mut self, t: Id) {
        let Some(th) = self.threads.get(t) else { return };
        match th.state {
            State::Runnable => self.sched.remove(t),
            State::Sending { endpoint, .. } | State::Receiving { endpoint } => {
                if let Some(ep) = self.endpoints.get_mut(endpoint) {
                    ep.senders.retain(|&x| x != t);
                    ep.receivers.retain(|&x| x != t);
                }
            }
            State::WaitingNotification { notification } => {
                if let Some(n) = self.notifications.get_mut(notification) {
                    n.waiters.retain(|&x| x != t);
                }
            }
            State::AwaitingReply | State::Inactive => {}
        }
    }

    /// Stop a thread. Whatever it waits for is cancelled and its call fails
    /// with `Interrupted`: a send, receive or notification wait, and a call
    /// awaiting its reply (the callee's reply right lapses: its reply and
    /// grant copies get `NoCaller`). A pending fault message is withdrawn
    /// instead, and the faulting instruction runs again on resume.
    pub fn suspend(&mut self, t: Id) {
        let Some(th) = self.threads.get_mut(t) else { return };
        th.suspended = true;
        if matches!(th.state, State::Inactive) {
            return;
        }
        let cancelled = !matches!(th.state, State::Runnable);
        self.unlink(t);
        let th = self.threads.get_mut(t).expect("checked above");
        if cancelled && !th.call.fault {
            th.saved.regs.rax = Error::Interrupted as u64;
        }
        th.call.fault = false;
        th.call.grant_count = 0;
        th.deadline = 0;
        th.state = State::Inactive;
    }

    /// What thread `t` is doing ([`abi::call::thread_activity`]). A thread
    /// awaiting a reply runs in effect while a server holds its call as
    /// the current one (serving it); once the server saved the reply, the
    /// thread waits for an event.
    pub fn activity(&self, t: Id) -> Option<u64> {
        use abi::call::thread_activity::{RUNNING, STOPPED, WAITING};
        let th = self.threads.get(t)?;
        Some(match th.state {
            State::Runnable | State::Sending { .. } => RUNNING,
            State::Inactive => STOPPED,
            State::Receiving { .. } | State::WaitingNotification { .. } => WAITING,
            State::AwaitingReply => {
                let served = self
                    .threads
                    .values()
                    .any(|server| server.caller.is_some_and(|c| c.thread == t && c.seq == th.call.seq));
                if served { RUNNING } else { WAITING }
            }
        })
    }

    /// True when the thread is stopped, so its registers may be replaced.
    pub fn is_stopped(&self, t: Id) -> bool {
        self.threads.get(t).is_some_and(|th| matches!(th.state, State::Inactive))
    }

    pub fn resume(&mut self, t: Id) {
        let Some(th) = self.threads.get_mut(t) else { return };
        th.suspended = false;
        if matches!(th.state, State::Inactive) {
            self.wake(t);
        }
    }

    /// Stop a thread for good: out of every queue, its pending reply owed
    /// to a caller fails with `Dead`, and it is freed.
    pub fn destroy_thread(&mut self, t: Id) {
        self.unlink(t);
        if self.fpu_owner == Some(t) {
            self.fpu_owner = None;
        }
        if self.bases_owner == Some(t) {
            self.bases_owner = None;
        }
        if self.sched.current == Some(t) {
            self.sched.current = None;
        }
        let Some(th) = self.threads.remove(t) else { return };
        if let Some(n) = th.bound_notification.and_then(|n| self.notifications.get_mut(n)) {
            n.bound = None;
        }
        if let Some(caller) = th.caller {
            self.abandon_caller(caller.thread, caller.seq);
        }
        if let Some(sp) = self.spaces.get_mut(th.space) {
            sp.threads.retain(|&x| x != t);
        }
    }

    /// The right to answer `thread`'s call `seq` is gone: fail that call.
    pub fn abandon_caller(&mut self, thread: Id, seq: u64) {
        let waiting =
            self.threads.get(thread).is_some_and(|th| matches!(th.state, State::AwaitingReply) && th.call.seq == seq);
        if waiting {
            self.wake_with_error(thread, Error::Dead);
        }
    }
}
