//! mm0's timer: deadlines of futex waits and the interval timers of
//! processes (alarm, setitimer with ITIMER_REAL).
//!
//! One kernel timer serves them all: a notification bound to mm0's own
//! thread, armed (`TimerSet`) for the earliest deadline. When it passes,
//! the kernel ends mm0's receive with `LABEL_NOTIFICATION` and badge 0
//! ([`Mm0::timer_fired`]): due futex waits end with ETIMEDOUT, due
//! process timers send SIGALRM and start their next interval.
//!
//! A third kind of deadline: a signal pending for a thread that mm0 found
//! inside libposix, where it cannot be redirected. Usually the thread is
//! blocked in a call (a sleep, a wait) that the signal ends anyway, but it
//! may also have been preempted on its way back to the program after its
//! last look at the pending signals; mm0 looks again after
//! [`REALERT_DELAY_NS`], a bounded number of times.
//!
//! ITIMER (which, set, value, interval) -> (old value, old interval):
//! times in ns; the value is what is left of the current interval. Only
//! ITIMER_REAL exists: Tern does not measure CPU time per process, so the
//! virtual and profiling timers are EINVAL.

use libtern::ipc::Message;
use libtern::{notify, println, time};
use mm0_proto::errno;
use mm0_proto::signal::{Origin, SIGALRM};

use crate::server::{Mm0, fail, ok};

/// The bit mm0's timer notification signals.
pub const TIMER_BIT: u64 = 1;

/// Tries a fresh alert gets ([`Mm0::realert_tries`] outside the timer).
pub const FRESH_TRIES: u32 = REALERT_TRIES;

/// How long mm0 waits before it alerts a thread again.
const REALERT_DELAY_NS: u64 = 2_000_000;
/// How often it tries (100 ms in all).
const REALERT_TRIES: u32 = 50;

/// A thread to alert again: process, slot, deadline, tries left.
#[derive(Clone, Copy)]
pub struct Realert {
    pub pid: u64,
    pub slot: usize,
    pub deadline: u64,
    pub tries: u32,
}

/// setitimer's `which` for the real-time timer.
const ITIMER_REAL: u64 = 0;

/// A process's real-time interval timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct IntervalTimer {
    /// Kernel-clock deadline in ns (0: disarmed).
    pub deadline: u64,
    /// Re-armed with this after it fires (0: once).
    pub interval: u64,
}

impl Mm0 {
    /// Sets the kernel timer to the earliest deadline (or cancels it).
    pub fn arm_timer(&self) {
        let futexes = self.futex_waiters.iter().map(|w| w.deadline);
        let alarms = self.tasks.values().map(|t| t.itimer.deadline);
        let realerts = self.realerts.iter().map(|r| r.deadline);
        let earliest = futexes.chain(alarms).chain(realerts).filter(|&d| d != 0).min().unwrap_or(0);
        if let Err(e) = notify::set_timer(self.timer, earliest, TIMER_BIT) {
            println!("mm0: cannot set the timer: {e:?}");
        }
    }

    /// The timer fired: end what is due, then set it for the next deadline.
    pub fn timer_fired(&mut self) {
        let now = time::now_ns();
        self.expire_futex_waits(now);
        let due: alloc::vec::Vec<u64> =
            self.tasks.values().filter(|t| t.itimer.deadline != 0 && t.itimer.deadline <= now).map(|t| t.id).collect();
        for pid in due {
            if let Some(task) = self.tasks.get_mut(&pid) {
                let t = &mut task.itimer;
                t.deadline = if t.interval == 0 { 0 } else { now.saturating_add(t.interval) };
            }
            self.send_signal(pid, None, SIGALRM, Origin::default());
        }
        let again: alloc::vec::Vec<Realert> = self.realerts.extract_if(.., |r| r.deadline <= now).collect();
        for r in again {
            if self.signal_deliverable_to(r.pid, r.slot as u64) {
                self.realert_tries = r.tries;
                self.alert(r.pid, r.slot);
            }
        }
        self.realert_tries = REALERT_TRIES;
        self.arm_timer();
    }

    /// Alerts the thread in `slot` of `pid` again soon, unless that is
    /// planned already or it was tried often enough.
    pub fn realert_later(&mut self, pid: u64, slot: usize) {
        let tries = self.realert_tries;
        if tries == 0 || self.realerts.iter().any(|r| r.pid == pid && r.slot == slot) {
            return;
        }
        self.realerts.push(Realert {
            pid,
            slot,
            deadline: time::now_ns().saturating_add(REALERT_DELAY_NS),
            tries: tries - 1,
        });
        self.arm_timer();
    }

    /// ITIMER (which, set, value ns, interval ns) -> (old value, old
    /// interval).
    pub fn itimer(&mut self, id: u64, which: u64, set: u64, value: u64, interval: u64) -> Option<Message> {
        if which != ITIMER_REAL || set > 1 {
            return fail(errno::EINVAL);
        }
        let task = self.tasks.get_mut(&id)?;
        let now = time::now_ns();
        let old = task.itimer;
        let left = if old.deadline == 0 { 0 } else { old.deadline.saturating_sub(now).max(1) };
        if set == 1 {
            task.itimer = IntervalTimer {
                deadline: if value == 0 { 0 } else { now.saturating_add(value) },
                interval: if value == 0 { 0 } else { interval },
            };
            self.arm_timer();
        }
        ok(&[left, old.interval])
    }
}
