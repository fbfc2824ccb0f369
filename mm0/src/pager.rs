//! The pager: page faults and CPU exceptions of every task mm0 started.
//!
//! A page fault inside one of the task's regions, with an access the region
//! allows, on a page not yet backed, gets a fresh zeroed frame and an empty
//! reply, and the thread retries the instruction. Anything else is fatal:
//! a POSIX process is ended as by SIGSEGV (status 139); in a native task
//! only the faulting thread ends, and THREAD_JOIN reports the vector and
//! address.

use abi::ipc::{LABEL_EXCEPTION, LABEL_PAGE_FAULT};
use libtern::ipc::Message;
use libtern::println;
use mm0::layout::{TaskKind, page_down};

use crate::lifecycle::FAULT_STATUS;
use crate::server::Mm0;
use crate::task::Ending;

/// Vector of a page fault.
const PAGE_FAULT_VECTOR: u64 = 14;

impl Mm0 {
    /// Handles a kernel fault message from task `id`; returns the reply
    /// (none when the thread is not to continue).
    pub fn fault(&mut self, id: u64, msg: &Message) -> Option<Message> {
        let (addr, error, rip, vector, tid) = (msg.word(0), msg.word(1), msg.word(2), msg.word(3), msg.word(5));
        let task = self.tasks.get_mut(&id)?;
        match msg.label() {
            LABEL_PAGE_FAULT => {
                if let Some(vma) = task.vmas.find(addr).copied()
                    && vma.allows(error)
                {
                    let page = page_down(addr);
                    if task.pages.contains_key(&page) {
                        // Backed meanwhile (another thread faulted first).
                        return Some(Message::empty(0));
                    }
                    match task.map_new(&mut self.phys, page, vma.prot) {
                        Ok(_) => return Some(Message::empty(0)),
                        Err(e) => println!("mm0: {}: no memory for {addr:#x}: {e:?}", task.name),
                    }
                }
                self.fatal(id, tid, PAGE_FAULT_VECTOR, addr, rip);
            }
            LABEL_EXCEPTION => self.fatal(id, tid, vector, rip, rip),
            other => println!("mm0: task {id}: unknown kernel message {other:#x}"),
        }
        None
    }

    /// Ends what a fatal fault of thread `tid` of task `id` ends.
    fn fatal(&mut self, id: u64, tid: u64, vector: u64, address: u64, rip: u64) {
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        match task.kind {
            TaskKind::Posix => {
                println!("mm0: {}: segmentation fault at {address:#x}", task.name);
                self.end_task(id, FAULT_STATUS);
            }
            TaskKind::Native => {
                println!("mm0: {}: thread {tid} faulted: vector {vector} at {address:#x} (rip {rip:#x})", task.name);
                if task.threads.get(&tid).is_some_and(|t| t.ended.is_none()) {
                    self.end_thread(id, tid, Ending::Faulted { vector, address });
                } else {
                    self.end_task(id, FAULT_STATUS);
                }
            }
        }
    }
}
