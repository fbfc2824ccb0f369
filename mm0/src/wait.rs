//! WAIT (wait4) and the waits that block.
//!
//! A wait that finds no ended child keeps the caller's reply (`SaveReply`)
//! in [`Mm0::waits`]; mm0 never blocks. Whenever a child of that process
//! ends (or, with a reaper, an orphaned zombie arrives), the process
//! table is asked again for each of the process's blocked waits, in the
//! order they came, and those that find something are answered: the ended
//! child, or ECHILD once no child matches any more (another thread's wait
//! took it). A process that ends drops its blocked waits; a handled signal
//! for it answers them with EINTR ([`crate::signal`]), and a WAIT that
//! would block while such a signal is pending returns EINTR at once.

use libtern::ipc::{self, Message};
use libtern::{cap, grant, println};
use mm0::process::{Reports, Selector, WaitOutcome};
use mm0_proto::{errno, wait};

use crate::lifecycle::cleanup;
use crate::server::{Mm0, fail, ok};

/// A wait that found nothing yet.
pub struct BlockedWait {
    /// The waiting process.
    pub parent: u64,
    /// The waiting thread's signal-area slot.
    pub slot: u64,
    pub which: Selector,
    pub reports: Reports,
    /// mm0's slot of the saved reply.
    pub reply: u64,
}

/// The reply for a wait's outcome (none for NotYet).
fn answer(outcome: WaitOutcome) -> Option<Message> {
    match outcome {
        WaitOutcome::Reaped(pid, status) => ok(&[pid, u64::from(status.wait_word())]),
        WaitOutcome::Changed(pid, change) => ok(&[pid, u64::from(change.wait_word())]),
        WaitOutcome::NoChild => fail(errno::ECHILD),
        WaitOutcome::NotYet => None,
    }
}

impl Mm0 {
    /// WAIT (pid, options, slot) -> (pid, status word).
    pub fn wait(&mut self, id: u64, pid: i64, options: u64, slot: u64) -> Option<Message> {
        if options & !wait::ALL != 0 {
            return fail(errno::EINVAL);
        }
        let pgid = self.processes.get(id)?.pgid;
        let which = Selector::from_wait_pid(pid, pgid);
        let reports = Reports {
            exited: options & wait::EXITED != 0,
            stopped: options & wait::STOPPED != 0,
            continued: options & wait::CONTINUED != 0,
            peek: options & wait::NOWAIT != 0,
        };
        if !(reports.exited || reports.stopped || reports.continued) {
            return fail(errno::EINVAL);
        }
        match self.processes.wait(id, which, reports) {
            WaitOutcome::NotYet if options & wait::NOHANG != 0 => ok(&[0, 0]),
            WaitOutcome::NotYet if self.signal_deliverable_to(id, slot) => fail(errno::EINTR),
            WaitOutcome::NotYet => match grant::save_reply() {
                Ok(reply) => {
                    self.waits.push(BlockedWait { parent: id, slot, which, reports, reply });
                    None
                }
                Err(e) => {
                    println!("mm0: task {id}: SaveReply failed: {e:?}");
                    fail(errno::ENOMEM)
                }
            },
            outcome => answer(outcome),
        }
    }

    /// Answers the blocked waits of process `parent` that now find
    /// something. A child is collected only once its parent has the
    /// answer: a wait whose caller is gone (its reply lapsed) loses
    /// nothing.
    pub fn serve_waits(&mut self, parent: u64) {
        let mut i = 0;
        while i < self.waits.len() {
            let w = &self.waits[i];
            if w.parent != parent {
                i += 1;
                continue;
            }
            let (which, reports) = (w.which, w.reports);
            let Some(reply) = answer(self.processes.wait(parent, which, Reports { peek: true, ..reports })) else {
                i += 1;
                continue;
            };
            let w = self.waits.remove(i);
            // Sending on a saved reply never blocks and uses the capability up.
            match ipc::send(w.reply, &reply) {
                Ok(()) => {
                    self.processes.wait(parent, which, reports);
                }
                Err(e) => {
                    println!("mm0: task {parent}: answering WAIT failed: {e:?}");
                    cleanup("deleting a saved reply", cap::delete(w.reply));
                }
            }
        }
    }

    /// Forgets the blocked waits of process `id`, which has ended.
    pub fn drop_waits_of(&mut self, id: u64) {
        for w in self.waits.extract_if(.., |w| w.parent == id) {
            cleanup("deleting a saved reply", cap::delete(w.reply));
        }
    }
}
