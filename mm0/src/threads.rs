//! Threads: THREAD_SPAWN, THREAD_EXIT and THREAD_JOIN for native tasks,
//! THREAD_START for POSIX processes (clone of a thread), and what every
//! new thread gets: an IPC buffer page, a kernel thread configured with
//! the task's pager, and a CONTROL capability for the task. The caller's
//! copy of the capability is made before the thread runs, so a failure can
//! still undo everything.
//!
//! A POSIX thread also gets a slot of the signal area (its index is the
//! IPC buffer's), filled with its ids and its creator's signal mask, its
//! GS base pointing there (`mm0_proto::signal`), and a notification of its
//! own to sleep on. It is made stopped, and runs once libposix has set up
//! its side of it (THREAD_RUN); until then mm0 neither stops nor resumes
//! it. POSIX thread ids come from the same counter as process ids, so the
//! two never collide.

use abi::regs::ThreadRegs;
use abi::{Error, PAGE_SIZE, Rights, USER_BOTTOM, USER_TOP};
use libtern::ipc::{self, Message};
use libtern::{cap, factory, grant, kthread, println};
use mm0::layout::TaskKind;
use mm0::vma::{Kind, Vma, prot};
use mm0_proto::signal::{offset, slot_address};
use mm0_proto::{comm, errno};

use crate::lifecycle::cleanup;
use crate::loader::START_RFLAGS;
use crate::phys::Phys;
use crate::server::{Mm0, fail, ok};
use crate::signal::{area_word, set_area_word};
use crate::task::{Ending, Task, Thread};

/// Scheduling priority of spawned threads.
const PRIORITY_THREAD: u64 = 10;

/// Fills signal-area slot `index` of POSIX task `task` for a new thread:
/// its ids, the mask `blocked`, nothing pending.
pub fn init_slot(phys: &mut Phys, task: &Task, index: usize, posix_tid: u64, kernel_tid: u64, blocked: u64) {
    let fields = [
        (offset::INDEX, index as u64),
        (offset::TID, posix_tid),
        (offset::KERNEL_TID, kernel_tid),
        (offset::BLOCKED, blocked),
        (offset::THREAD_PENDING, 0),
        (offset::REDIRECTED, 0),
        (offset::FAULT_SIGNAL, 0),
    ];
    for (field, value) in fields {
        set_area_word(phys, task, offset::thread(index, field), value);
    }
}

/// A thread just made.
struct NewThread {
    /// Kernel thread id.
    tid: u64,
    /// The slot of the caller's CONTROL capability to it (0: none given).
    task_slot: u64,
    /// Its IPC buffer index (and signal-area slot).
    index: usize,
}

/// How a new thread begins.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Begin {
    /// A native thread: running at once, its task holding a CONTROL
    /// capability to it.
    Native,
    /// A POSIX thread: stopped until THREAD_RUN, with a notification of
    /// its own (mm0's slot).
    Posix { notification: u64 },
}

impl Mm0 {
    /// Makes a thread in task `id` with the registers `regs` gives for its
    /// IPC buffer address and kernel thread id; starts it if `start`.
    fn new_thread(
        &mut self,
        id: u64,
        posix_tid: u64,
        begin: Begin,
        regs: impl FnOnce(u64, u64) -> ThreadRegs,
    ) -> Result<NewThread, u32> {
        let task = self.tasks.get_mut(&id).ok_or(errno::ESRCH)?;
        let index = task.alloc_ipc_index().ok_or(errno::EAGAIN)?;
        let ipc = task.kind.ipc_buffer(index);
        let rw = prot::READ | prot::WRITE;
        if task.vmas.insert(Vma { start: ipc, end: ipc + PAGE_SIZE, prot: rw, kind: Kind::System }).is_err() {
            task.free_ipc_index(index);
            return Err(errno::ENOMEM);
        }
        let undo = |mm: &mut Mm0, slot: Option<u64>| {
            if let Some(slot) = slot {
                cleanup("revoking the caller's thread capability", cap::revoke(slot));
                cleanup("ThreadDestroy", kthread::destroy(slot));
                cleanup("deleting a thread capability", cap::delete(slot));
            }
            let Some(task) = mm.tasks.get_mut(&id) else {
                return;
            };
            task.vmas.remove(ipc, ipc + PAGE_SIZE);
            task.unmap(&mut mm.phys, ipc, ipc + PAGE_SIZE);
            task.free_ipc_index(index);
        };
        if let Err(e) = task.map_new(&mut self.phys, ipc, rw) {
            undo(self, None);
            return Err(e.errno());
        }
        let (slot, tid) = match factory::thread(abi::boot::SLOT_FACTORY, task.space) {
            Ok(t) => t,
            Err(e) => {
                println!("mm0: {}: ThreadCreate failed: {e:?}", task.name);
                undo(self, None);
                return Err(errno::ENOMEM);
            }
        };
        let mut regs = regs(ipc, tid);
        if task.kind == TaskKind::Posix {
            regs.gs_base = slot_address(index);
        }
        let made = kthread::configure(slot, task.pager, ipc, PRIORITY_THREAD)
            // SAFETY: the thread belongs to the calling task, not to mm0.
            .and_then(|()| unsafe { kthread::write_regs(slot, &regs) })
            .and_then(|()| match begin {
                Begin::Native => cap::copy_to(task.space, slot, Rights::CONTROL, 0),
                Begin::Posix { .. } => Ok(0),
            });
        let task_slot = match made {
            Ok(task_slot) => task_slot,
            Err(e) => {
                println!("mm0: {}: cannot make a thread: {e:?}", task.name);
                undo(self, Some(slot));
                return Err(match e {
                    Error::NoSlots | Error::NoMemory => errno::ENOMEM,
                    _ => errno::EINVAL,
                });
            }
        };
        let notification = match begin {
            Begin::Native => 0,
            Begin::Posix { notification } => notification,
        };
        let started = begin == Begin::Native;
        let thread =
            Thread { slot, ipc_index: index, ended: None, joiner: None, posix_tid, notification, started, name: None };
        task.threads.insert(tid, thread);
        self.threads.insert(tid, id);
        if started && let Err(e) = kthread::resume(slot) {
            println!("mm0: cannot start a thread: {e:?}");
        }
        Ok(NewThread { tid, task_slot, index })
    }

    /// THREAD_SPAWN (entry, stack top, argument) -> (thread id, thread
    /// capability).
    pub fn thread_spawn(&mut self, id: u64, entry: u64, stack_top: u64, arg: u64) -> Option<Message> {
        let user = |a: u64| (USER_BOTTOM..USER_TOP).contains(&a);
        if !user(entry) || !user(stack_top) {
            return fail(errno::EINVAL);
        }
        let made = self.new_thread(id, 0, Begin::Native, |ipc, tid| ThreadRegs {
            rip: entry,
            rsp: stack_top,
            rdi: arg,
            rsi: ipc,
            rdx: tid,
            rflags: START_RFLAGS,
            ..ThreadRegs::default()
        });
        match made {
            Ok(t) => ok(&[t.tid, t.task_slot]),
            Err(e) => fail(if e == errno::EAGAIN { errno::ENOMEM } else { e }),
        }
    }

    /// THREAD_START (caller's slot) -> (POSIX thread id, slot, thread
    /// capability), the registers in the request's IPC-buffer words.
    pub fn thread_start(&mut self, id: u64, caller_slot: u64, buf_words: usize) -> Option<Message> {
        let task = self.tasks.get(&id)?;
        let mut words = [0u64; size_of::<ThreadRegs>() / 8];
        if task.kind != TaskKind::Posix || caller_slot >= mm0::layout::MAX_THREADS as u64 || buf_words != words.len() {
            return fail(errno::EINVAL);
        }
        ipc::buf_words(&mut words);
        let r = |i: usize| words[i];
        let regs = ThreadRegs {
            rax: r(0),
            rbx: r(1),
            rcx: r(2),
            rdx: r(3),
            rsi: r(4),
            rdi: r(5),
            rbp: r(6),
            rsp: r(7),
            r8: r(8),
            r9: r(9),
            r10: r(10),
            r11: r(11),
            r12: r(12),
            r13: r(13),
            r14: r(14),
            r15: r(15),
            rip: r(16),
            rflags: r(17),
            fs_base: r(18),
            gs_base: 0,
        };
        let user = |a: u64| (USER_BOTTOM..USER_TOP).contains(&a);
        if !user(regs.rip) || !user(regs.rsp) {
            return fail(errno::EINVAL);
        }
        let blocked = area_word(&self.phys, task, offset::thread(caller_slot as usize, offset::BLOCKED));
        let space = task.space;
        let Ok(notification) = factory::notification(abi::boot::SLOT_FACTORY) else {
            return fail(errno::EAGAIN);
        };
        let given = cap::copy_to(space, notification, Rights::SEND.union(Rights::RECV), 0);
        let Ok(task_notification) = given else {
            cleanup("deleting a notification", cap::delete(notification));
            return fail(errno::EAGAIN);
        };
        let posix_tid = self.next_task;
        let made = match self.new_thread(id, posix_tid, Begin::Posix { notification }, |_, _| regs) {
            Ok(t) => t,
            Err(e) => {
                cleanup("revoking a notification", cap::revoke(notification));
                cleanup("deleting a notification", cap::delete(notification));
                return fail(e);
            }
        };
        self.next_task += 1;
        if let Some(task) = self.tasks.get_mut(&id) {
            init_slot(&mut self.phys, task, made.index, posix_tid, made.tid, blocked);
            let name = task.thread_in_slot(caller_slot as usize).map(|t| task.thread_name(t));
            if let Some(thread) = task.threads.get_mut(&made.tid) {
                thread.name = name;
            }
        }
        ok(&[posix_tid, made.index as u64, task_notification])
    }

    /// THREAD_NAME (slot, set, name words): see `mm0_proto::label`.
    pub fn thread_name(&mut self, id: u64, slot: u64, set: u64, words: [u64; 2]) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        let Some(thread) = task.thread_in_slot_mut(slot as usize) else {
            return fail(errno::EINVAL);
        };
        if set != 0 {
            thread.name = Some(comm::from_words(words));
        }
        let task = self.tasks.get(&id)?;
        let name = task.thread_name(task.thread_in_slot(slot as usize)?);
        ok(&comm::to_words(&name))
    }

    /// THREAD_RUN (POSIX thread id): let a thread THREAD_START made run
    /// (once the process is not stopped).
    pub fn thread_run(&mut self, id: u64, posix_tid: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        let stopped = task.stopped;
        let Some(thread) = task.threads.values_mut().find(|t| t.posix_tid == posix_tid && !t.started) else {
            return fail(errno::ESRCH);
        };
        thread.started = true;
        if !stopped {
            cleanup("ThreadResume", kthread::resume(thread.slot));
        }
        ok(&[])
    }

    /// THREAD_EXIT (code, thread id): no reply.
    pub fn thread_exit(&mut self, id: u64, code: u64, tid: u64) -> Option<Message> {
        let task = self.tasks.get(&id)?;
        if task.threads.get(&tid).is_none_or(|t| t.ended.is_some()) {
            return fail(errno::EINVAL);
        }
        self.end_thread(id, tid, Ending::Exited(code));
        None
    }

    /// THREAD_JOIN (thread id) -> (outcome, value, address), now or when the
    /// thread ends.
    pub fn thread_join(&mut self, id: u64, tid: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        let Some(thread) = task.threads.get_mut(&tid) else {
            return fail(errno::ESRCH);
        };
        if let Some(ending) = thread.ended {
            task.threads.remove(&tid);
            return ok(&ending.words());
        }
        if thread.joiner.is_some() {
            return fail(errno::EINVAL);
        }
        match grant::save_reply() {
            Ok(reply) => {
                thread.joiner = Some(reply);
                None
            }
            Err(e) => {
                println!("mm0: {}: SaveReply failed: {e:?}", task.name);
                fail(errno::ENOMEM)
            }
        }
    }
}
