//! mm0's timer: deadlines of futex waits and the interval timers of
//! processes (alarm, setitimer with ITIMER_REAL).
//!
//! One kernel timer serves them all: a notification bound to mm0's own
//! thread, armed (`TimerSet`) for the earliest deadline. When it passes,
//! the kernel ends mm0's receive with `LABEL_NOTIFICATION` and badge 0
//! ([`Mm0::timer_fired`]): due futex waits end with ETIMEDOUT, due
//! process timers send SIGALRM and start their next interval.
//!
//! ITIMER (which, set, value, interval) -> (old value, old interval):
//! times in ns; the value is what is left of the current interval. Only
//! ITIMER_REAL exists: Tern does not measure CPU time per process, so the
//! virtual and profiling timers are EINVAL.

use libtern::ipc::Message;
use libtern::{notify, println, time};
use mm0_proto::errno;
use mm0_proto::signal::SIGALRM;

use crate::server::{Mm0, fail, ok};

/// The bit mm0's timer notification signals.
pub const TIMER_BIT: u64 = 1;

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

fn now() -> u64 {
    time::clock().map_or(0, |(ns, _)| ns)
}

impl Mm0 {
    /// Sets the kernel timer to the earliest deadline (or cancels it).
    pub fn arm_timer(&self) {
        let futexes = self.futex_waiters.iter().map(|w| w.deadline);
        let alarms = self.tasks.values().map(|t| t.itimer.deadline);
        let earliest = futexes.chain(alarms).filter(|&d| d != 0).min().unwrap_or(0);
        if let Err(e) = notify::set_timer(self.timer, earliest, TIMER_BIT) {
            println!("mm0: cannot set the timer: {e:?}");
        }
    }

    /// The timer fired: end what is due, then set it for the next deadline.
    pub fn timer_fired(&mut self) {
        let now = now();
        self.expire_futex_waits(now);
        let due: alloc::vec::Vec<u64> =
            self.tasks.values().filter(|t| t.itimer.deadline != 0 && t.itimer.deadline <= now).map(|t| t.id).collect();
        for pid in due {
            if let Some(task) = self.tasks.get_mut(&pid) {
                let t = &mut task.itimer;
                t.deadline = if t.interval == 0 { 0 } else { now.saturating_add(t.interval) };
            }
            self.send_signal(pid, None, SIGALRM);
        }
        self.arm_timer();
    }

    /// ITIMER (which, set, value ns, interval ns) -> (old value, old
    /// interval).
    pub fn itimer(&mut self, id: u64, which: u64, set: u64, value: u64, interval: u64) -> Option<Message> {
        if which != ITIMER_REAL || set > 1 {
            return fail(errno::EINVAL);
        }
        let task = self.tasks.get_mut(&id)?;
        let now = now();
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
