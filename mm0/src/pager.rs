//! The pager: page faults and CPU exceptions of every task mm0 started.
//!
//! A page fault inside one of the task's regions, with an access the region
//! allows, on a page not yet backed, gets a fresh zeroed frame and an empty
//! reply, and the thread retries the instruction. A write to a page shared
//! copy-on-write gets the page made writable (copied if still shared).
//! Anything else is fatal: a POSIX process is ended as by the signal the
//! exception means on Linux (SIGSEGV for a bad access); in a native task
//! only the faulting thread ends, and THREAD_JOIN reports the vector and
//! address. A page mm0 has no frame for ends a POSIX process as by SIGKILL.

use abi::ipc::{LABEL_EXCEPTION, LABEL_PAGE_FAULT, fault};
use libtern::ipc::Message;
use libtern::println;
use mm0::layout::{TaskKind, page_down};
use mm0::process::{Status, signal};
use mm0::vma::Vma;
use mm0_proto::signal::code;

use crate::server::Mm0;
use crate::task::{Ending, MapError};

/// Vector of a page fault.
const PAGE_FAULT_VECTOR: u64 = 14;

/// The signal a fault means for a POSIX process, and its `si_code`.
#[derive(Clone, Copy)]
struct Meaning {
    sig: u8,
    code: u64,
}

impl Mm0 {
    /// Handles a kernel fault message from task `id`; returns the reply
    /// (none when the thread is not to continue).
    pub fn fault(&mut self, id: u64, msg: &Message) -> Option<Message> {
        let (addr, error, rip, vector, tid) = (msg.word(0), msg.word(1), msg.word(2), msg.word(3), msg.word(5));
        let task = self.tasks.get(&id)?;
        match msg.label() {
            LABEL_PAGE_FAULT => {
                let page = page_down(addr);
                let region = task.vmas.find(addr).copied();
                let served = match region {
                    Some(vma) if error & fault::WRITE != 0 && task.awaits_copy(page, vma.prot) => {
                        let task = self.tasks.get_mut(&id)?;
                        Some(task.make_writable(&mut self.phys, page, vma.prot))
                    }
                    // Backed meanwhile (another thread faulted first).
                    Some(vma) if vma.allows(error) && task.pages.contains_key(&page) => Some(Ok(())),
                    Some(vma) if vma.allows(error) => Some(self.back_page(id, page, &vma)),
                    _ => None,
                };
                match served {
                    Some(Ok(())) => return Some(Message::empty(0)),
                    Some(Err(MapError::BeyondFile)) => {
                        let meaning = Meaning { sig: signal::SIGBUS, code: code::BUS_ADRERR };
                        self.fatal(id, tid, PAGE_FAULT_VECTOR, addr, rip, meaning);
                    }
                    Some(Err(e)) => {
                        println!("mm0: task {id}: no memory for {addr:#x}: {e:?}");
                        self.out_of_memory(id, tid, e);
                    }
                    None => {
                        let code = if region.is_some() { code::SEGV_ACCERR } else { code::SEGV_MAPERR };
                        self.fatal(id, tid, PAGE_FAULT_VECTOR, addr, rip, Meaning { sig: signal::SIGSEGV, code });
                    }
                }
            }
            LABEL_EXCEPTION => {
                let meaning = Meaning { sig: signal::for_exception(vector), code: code::SI_KERNEL };
                self.fatal(id, tid, vector, rip, rip, meaning);
            }
            other => println!("mm0: task {id}: unknown kernel message {other:#x}"),
        }
        None
    }

    /// Backs `page` of task `id`, in region `vma`, as its first touch
    /// would: a fresh zeroed frame, or the shared object's frame.
    pub fn back_page(&mut self, id: u64, page: u64, vma: &Vma) -> Result<(), MapError> {
        let phys = match vma.object_offset(page) {
            Some((object, offset)) => self.object_page(object, offset)?,
            None => {
                let task = self.tasks.get_mut(&id).ok_or(MapError::Kernel(abi::Error::Dead))?;
                return task.map_new(&mut self.phys, page, vma.prot).map(|_| ());
            }
        };
        let frame = self.phys.frame(phys).ok_or(MapError::Kernel(abi::Error::InvalidArgument))?;
        let task = self.tasks.get_mut(&id).ok_or(MapError::Kernel(abi::Error::Dead))?;
        self.phys.share(phys);
        task.map_page(frame, page, vma.prot, true).inspect_err(|_| self.phys.free(phys))
    }

    /// Ends what a fatal fault of thread `tid` of task `id` ends, unless
    /// a POSIX process handles the signal it means.
    fn fatal(&mut self, id: u64, tid: u64, vector: u64, address: u64, rip: u64, meaning: Meaning) {
        let Meaning { sig, code } = meaning;
        let Some(kind) = self.tasks.get(&id).map(|t| t.kind) else {
            return;
        };
        if kind == TaskKind::Posix
            && !self.in_libposix(rip)
            && self.deliver_fault(id, tid, u32::from(sig), code, address)
        {
            return;
        }
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        match task.kind {
            TaskKind::Posix => {
                if sig == signal::SIGSEGV {
                    println!("mm0: {}: segmentation fault at {address:#x} (rip {rip:#x})", task.name);
                } else {
                    println!("mm0: {}: exception {vector} at {address:#x}: signal {sig}", task.name);
                }
                self.end_task(id, Status::Killed(sig));
            }
            TaskKind::Native => {
                println!("mm0: {}: thread {tid} faulted: vector {vector} at {address:#x} (rip {rip:#x})", task.name);
                if task.threads.get(&tid).is_some_and(|t| t.ended.is_none()) {
                    self.end_thread(id, tid, Ending::Faulted { vector, address });
                } else {
                    self.end_task(id, Status::Killed(signal::SIGSEGV));
                }
            }
        }
    }

    /// A page of task `id` could not be backed: a POSIX process is killed
    /// (SIGKILL, as Linux's out-of-memory killer would), a native thread
    /// ends as if it had faulted.
    fn out_of_memory(&mut self, id: u64, tid: u64, error: MapError) {
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        match task.kind {
            TaskKind::Posix => self.end_task(id, Status::Killed(signal::SIGKILL)),
            TaskKind::Native => {
                println!("mm0: {}: thread {tid} ends: no memory ({error:?})", task.name);
                self.end_thread(id, tid, Ending::Faulted { vector: PAGE_FAULT_VECTOR, address: 0 });
            }
        }
    }
}
