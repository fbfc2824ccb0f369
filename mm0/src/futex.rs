//! Futexes: FUTEX waits and wakes, and the deadlines of timed waits.
//!
//! A waiter is keyed by what the futex word is: a word of a shared memory
//! object (MAP_SHARED, SysV segments) is keyed by object and offset, so
//! processes that map it at different addresses meet on it; any other word
//! by process and address (private memory is seen only by the process's
//! own threads). mm0 compares the futex word
//! itself, through its window, so a wake between libposix's read and the
//! wait cannot be lost: mm0 handles one request at a time. A waiting
//! thread's reply is saved (`SaveReply`) until a wake, its deadline, or a
//! signal for its thread answers it.
//!
//! Deadlines use mm0's timer ([`crate::timers`]). A waiter whose thread was
//! suspended (its process stopped) no longer waits: mm0 drops it then, and
//! a wake never counts one whose reply has lapsed.

use libtern::ipc::{self, Message};
use libtern::{cap, grant, println, time};
use mm0::layout::page_down;
use mm0_proto::{errno, futex};

use crate::lifecycle::cleanup;
use crate::server::{Mm0, fail, ok};

/// What identifies a futex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutexKey {
    /// Process and address.
    Private { pid: u64, uaddr: u64 },
    /// Shared memory object and offset.
    Shared { object: u64, offset: u64 },
}

/// A thread blocked in FUTEX_WAIT.
pub struct FutexWaiter {
    /// The waiting process.
    pub pid: u64,
    pub key: FutexKey,
    pub bitset: u32,
    /// Kernel-clock deadline in ns, 0 for none.
    pub deadline: u64,
    /// The waiting thread's signal-area slot.
    pub slot: u64,
    pub reply: u64,
}

/// A FUTEX request's arguments.
#[derive(Clone, Copy)]
pub struct FutexRequest {
    pub op: u64,
    pub uaddr: u64,
    pub val: u64,
    /// The deadline for waits; the requeue count for REQUEUE/CMP_REQUEUE.
    pub deadline: u64,
    pub slot: u64,
    pub uaddr2: u64,
    pub val3: u64,
}

/// Answers a saved reply (it never blocks and uses the capability up);
/// false when the waiter was no longer waiting (its reply lapsed).
fn answer(reply: u64, msg: &Message) -> bool {
    match ipc::send(reply, msg) {
        Ok(()) => true,
        Err(_) => {
            cleanup("deleting a saved reply", cap::delete(reply));
            false
        }
    }
}

impl Mm0 {
    /// The futex word at `uaddr` of process `pid`, if its page is backed.
    fn futex_word(&self, pid: u64, uaddr: u64) -> Option<u32> {
        let task = self.tasks.get(&pid)?;
        let page = task.pages.get(&page_down(uaddr))?;
        let offset = uaddr - page_down(uaddr);
        let word = self.phys.read_word(page.phys, offset & !7)?;
        Some((word >> ((offset & 4) * 8)) as u32)
    }

    /// The key of the futex at `uaddr` of process `pid`.
    fn futex_key(&self, pid: u64, uaddr: u64) -> FutexKey {
        let shared = self.tasks.get(&pid).and_then(|t| t.vmas.find(uaddr)).and_then(|v| v.object_offset(uaddr));
        match shared {
            Some((object, offset)) => FutexKey::Shared { object, offset },
            None => FutexKey::Private { pid, uaddr },
        }
    }

    /// FUTEX (op, uaddr, val, deadline, slot, uaddr2, val3).
    pub fn futex(&mut self, pid: u64, r: FutexRequest) -> Option<Message> {
        let aligned = |a: u64| a.is_multiple_of(4) && abi::is_user_range(a, 4);
        if !aligned(r.uaddr) {
            return fail(errno::EINVAL);
        }
        let key = self.futex_key(pid, r.uaddr);
        match r.op {
            futex::WAIT | futex::WAIT_BITSET => {
                let bitset = if r.op == futex::WAIT { u32::MAX } else { r.val3 as u32 };
                if bitset == 0 {
                    return fail(errno::EINVAL);
                }
                let Some(word) = self.futex_word(pid, r.uaddr) else {
                    return fail(errno::EFAULT);
                };
                if word != r.val as u32 {
                    return fail(errno::EAGAIN);
                }
                if self.signal_deliverable_to(pid, r.slot) {
                    return fail(errno::EINTR);
                }
                if r.deadline != 0 && r.deadline <= time::now_ns() {
                    return fail(errno::ETIMEDOUT);
                }
                match grant::save_reply() {
                    Ok(reply) => {
                        let waiter = FutexWaiter { pid, key, bitset, deadline: r.deadline, slot: r.slot, reply };
                        self.futex_waiters.push(waiter);
                        if r.deadline != 0 {
                            self.arm_timer();
                        }
                        None
                    }
                    Err(e) => {
                        println!("mm0: task {pid}: SaveReply failed: {e:?}");
                        fail(errno::ENOMEM)
                    }
                }
            }
            futex::WAKE | futex::WAKE_BITSET => {
                let bitset = if r.op == futex::WAKE { u32::MAX } else { r.val3 as u32 };
                if bitset == 0 {
                    return fail(errno::EINVAL);
                }
                ok(&[self.futex_wake(key, bitset, r.val as u32 as i32)])
            }
            futex::REQUEUE | futex::CMP_REQUEUE => {
                if !aligned(r.uaddr2) {
                    return fail(errno::EINVAL);
                }
                if r.op == futex::CMP_REQUEUE {
                    match self.futex_word(pid, r.uaddr) {
                        None => return fail(errno::EFAULT),
                        Some(w) if w != r.val3 as u32 => return fail(errno::EAGAIN),
                        Some(_) => {}
                    }
                }
                let woken = self.futex_wake(key, u32::MAX, r.val as u32 as i32);
                let to = self.futex_key(pid, r.uaddr2);
                let mut moved = 0;
                for w in self.futex_waiters.iter_mut().filter(|w| w.key == key) {
                    if moved >= r.deadline as u32 as i32 as i64 {
                        break;
                    }
                    w.key = to;
                    moved += 1;
                }
                ok(&[woken + moved as u64])
            }
            _ => fail(errno::ENOSYS),
        }
    }

    /// Wakes up to `count` waiters on the futex `key` whose bitset meets
    /// `bitset`, oldest first; returns how many.
    fn futex_wake(&mut self, key: FutexKey, bitset: u32, count: i32) -> u64 {
        let mut woken = 0;
        let mut i = 0;
        while i < self.futex_waiters.len() && woken < count.max(0) as u64 {
            let w = &self.futex_waiters[i];
            if w.key == key && w.bitset & bitset != 0 {
                let w = self.futex_waiters.remove(i);
                if answer(w.reply, &Message::new(0, &[0])) {
                    woken += 1;
                }
            } else {
                i += 1;
            }
        }
        woken
    }

    /// Ends the futex waits of thread slot `slot` of `pid` with EINTR (a
    /// signal for it).
    pub fn interrupt_futex_waits(&mut self, pid: u64, slot: u64) {
        for w in self.futex_waiters.extract_if(.., |w| w.pid == pid && w.slot == slot) {
            answer(w.reply, &Message::empty(errno::EINTR));
        }
    }

    /// Forgets the futex waits of process `pid`, which has ended.
    pub fn drop_futex_waits_of(&mut self, pid: u64) {
        for w in self.futex_waiters.extract_if(.., |w| w.pid == pid) {
            cleanup("deleting a saved reply", cap::delete(w.reply));
        }
    }

    /// Ends the waits whose deadline is `now` or earlier with ETIMEDOUT.
    pub fn expire_futex_waits(&mut self, now: u64) {
        for w in self.futex_waiters.extract_if(.., |w| w.deadline != 0 && w.deadline <= now) {
            answer(w.reply, &Message::empty(errno::ETIMEDOUT));
        }
    }
}
