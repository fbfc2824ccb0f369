//! How threads and tasks end, and what is cleaned up.
//!
//! A thread ends by THREAD_EXIT or by a fault mm0 will not serve; its
//! kernel thread is destroyed at once, its IPC buffer page freed, and its
//! outcome kept for THREAD_JOIN (or handed straight to a waiting joiner).
//! A task ends by EXIT, by a fault of a POSIX process, or when its last
//! thread ends. Its space is destroyed first (so none of its threads runs
//! again), then its frames and mm0's capabilities for it are released, and
//! its blocked waits are dropped. The process table keeps its status for
//! its parent (a zombie) and wakes the parent's waits ([`crate::wait`]).
//! Its companions (ktest's peer) are stopped with it: they only serve it.
//! In a test run mm0 then checks its own bookkeeping ([`crate::audit`]).

use alloc::vec::Vec;

use abi::{Error, PAGE_SIZE};
use libtern::ipc::{self, Message};
use libtern::{cap, kthread, println, space};
use mm0::layout::TaskKind;
use mm0::process::{NO_PARENT, Status, signal};
use mm0_proto::signal::{Origin, cld};

use crate::power::Stop;
use crate::server::Mm0;
use crate::task::{Ending, Task};

/// Reports a failed clean-up call: the kernel and mm0 disagree about
/// what exists.
pub fn cleanup(what: &str, result: Result<(), Error>) {
    if let Err(e) = result {
        println!("mm0: clean-up: {what} failed: {e:?}");
    }
}

impl Mm0 {
    /// Ends thread `tid` of task `id` with `ending`.
    pub fn end_thread(&mut self, id: u64, tid: u64, ending: Ending) {
        let Some(task) = self.tasks.get_mut(&id) else {
            return;
        };
        let Some(thread) = task.threads.get_mut(&tid) else {
            return;
        };
        if thread.ended.is_some() {
            return;
        }
        thread.ended = Some(ending);
        let (slot, ipc_index, joiner) = (thread.slot, thread.ipc_index, thread.joiner.take());
        if thread.notification != 0 && thread.notification != task.notification {
            // A POSIX thread's own notification, copied to the task.
            cleanup("revoking a thread's notification", cap::revoke(thread.notification));
            cleanup("deleting a thread's notification", cap::delete(thread.notification));
        }
        cleanup("ThreadDestroy", kthread::destroy(slot));
        cleanup("deleting a thread capability", cap::delete(slot));
        self.threads.remove(&tid);
        let ipc = task.kind.ipc_buffer(ipc_index);
        task.unmap(&mut self.phys, ipc, ipc + PAGE_SIZE);
        task.vmas.remove(ipc, ipc + PAGE_SIZE);
        task.free_ipc_index(ipc_index);
        if let Some(reply) = joiner {
            // Sending on a saved reply never blocks and uses the capability up.
            if let Err(e) = ipc::send(reply, &Message::new(0, &ending.words())) {
                println!("mm0: {}: answering THREAD_JOIN failed: {e:?}", task.name);
                cleanup("deleting a saved reply", cap::delete(reply));
            }
            task.threads.remove(&tid);
        } else if task.kind == TaskKind::Posix {
            // POSIX threads are not joined through mm0.
            task.threads.remove(&tid);
        }
        if task.live_threads() == 0 {
            let status = match ending {
                Ending::Exited(code) => Status::Exited(code as u8),
                Ending::Faulted { vector, .. } => Status::Killed(signal::for_exception(vector)),
            };
            self.end_task(id, status);
        }
    }

    /// Ends task `id` with `status`. Tasks started from boot modules are
    /// reported on the console; forked processes are reported to their
    /// parent by wait.
    pub fn end_task(&mut self, id: u64, status: Status) {
        let Some(mut task) = self.tasks.remove(&id) else {
            return;
        };
        if self.processes.get(id).is_none_or(|p| p.parent == NO_PARENT) {
            println!("mm0: {} exited with status {}", task.name, status.shell_status());
        }
        self.dispose(&mut task);
        if task.kind == TaskKind::Posix {
            self.fs0_event(mm0_proto::event::EXIT, id, 0);
        }
        self.shm_exited(id);
        self.collect_objects();
        self.drop_waits_of(id);
        self.drop_futex_waits_of(id);
        let effects = self.processes.exit(id, status);
        let (code, value) = match status {
            Status::Exited(code) => (cld::EXITED, code),
            Status::Killed(signal) => (cld::KILLED, signal),
        };
        // An heir adopting zombies hears of them as of this child's end.
        let origin = Origin { pid: id as u32, code, status: u32::from(value) };
        for parent in effects.notify {
            self.serve_waits(parent);
            self.child_changed(parent, origin);
        }
        if task.counted {
            self.verdict.ended(&task.name, task.expected, status.shell_status());
        }
        let companions: Vec<u64> = self.tasks.values().filter(|t| t.companion_of == Some(id)).map(|t| t.id).collect();
        for companion in companions {
            if let Some(mut c) = self.tasks.remove(&companion) {
                println!("mm0: {} stopped: {} has ended", c.name, task.name);
                self.dispose(&mut c);
                self.processes.exit(companion, Status::Exited(0));
                if c.counted {
                    self.verdict.ended(&c.name, None, 0);
                }
            }
        }
        if self.verdict.is_testing() {
            self.audit();
        }
        if id == self.fs0_events.task {
            self.fs0_events.task = 0;
            self.finish_stop();
        }
        self.end_run_if_over();
    }

    /// Ends a test or bench run once no counted task is left.
    pub fn end_run_if_over(&mut self) {
        if self.verdict.is_over() {
            self.stop(Stop::EndOfRun);
        }
    }

    /// Destroys `task`'s space and releases everything mm0 holds for it.
    pub fn dispose(&mut self, task: &mut Task) {
        cleanup("SpaceDestroy", space::destroy(task.space));
        for (tid, thread) in &task.threads {
            if thread.ended.is_none() {
                self.threads.remove(tid);
                cleanup("deleting a thread capability", cap::delete(thread.slot));
                if thread.notification != 0 && thread.notification != task.notification {
                    cleanup("deleting a thread's notification", cap::delete(thread.notification));
                }
            }
            if let Some(reply) = thread.joiner {
                cleanup("deleting a saved reply", cap::delete(reply));
            }
        }
        cleanup("deleting a space capability", cap::delete(task.space));
        if task.pager != 0 {
            cleanup("deleting a pager capability", cap::delete(task.pager));
        }
        for &slot in &task.owned_caps {
            cleanup("deleting a task's capability", cap::delete(slot));
        }
        task.release_frames(&mut self.phys);
    }
}
