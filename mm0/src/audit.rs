//! mm0 checks its own bookkeeping: every count it keeps is recomputed
//! another way and compared. Run after each task ends in a test run, so a
//! leak or a miscounted shared page fails the run at the scenario that
//! caused it.
//!
//! - Frame references: for every frame, the allocator's reference count
//!   equals the number of task pages that map it plus the shared objects
//!   that hold it, and the allocator holds exactly those frames (nothing
//!   leaked, nothing freed early).
//! - Objects: every task has a process-table entry that is not a zombie,
//!   every live thread is in the thread index and the other way round, and
//!   every blocked wait belongs to a live process.

use alloc::collections::BTreeMap;

use libtern::println;
use mm0::process::State;

use crate::server::Mm0;

impl Mm0 {
    /// Recomputes and compares; prints each mismatch and fails the run.
    pub fn audit(&mut self) {
        let mut problems = 0;
        let mut report = |what: core::fmt::Arguments| {
            println!("mm0: invariant broken: {what}");
            problems += 1;
        };

        let mut refs: BTreeMap<u64, u32> = BTreeMap::new();
        for task in self.tasks.values() {
            for page in task.pages.values() {
                *refs.entry(page.phys).or_insert(0) += 1;
            }
        }
        for object in self.objects.values() {
            for &phys in object.pages.values() {
                *refs.entry(phys).or_insert(0) += 1;
            }
        }
        for (&phys, &n) in &refs {
            let counted = self.phys.refs(phys);
            if counted != n {
                report(format_args!("frame {phys:#x}: {n} holders, reference count {counted}"));
            }
        }
        for (phys, counted) in self.phys.frames().shared_pages() {
            if !refs.contains_key(&phys) {
                report(format_args!("frame {phys:#x}: reference count {counted}, no mapping"));
            }
        }
        let used = self.phys.frames().used_pages();
        if used != refs.len() as u64 {
            report(format_args!("{used} frames allocated, {} mapped", refs.len()));
        }

        for (&id, task) in &self.tasks {
            if self.processes.get(id).is_none_or(|p| p.state != State::Running) {
                report(format_args!("task {id} ({}) has no running process entry", task.name));
            }
            for (tid, thread) in &task.threads {
                if thread.ended.is_none() && self.threads.get(tid) != Some(&id) {
                    report(format_args!("thread {tid} of task {id} is not indexed"));
                }
            }
        }
        for (tid, id) in &self.threads {
            if self.tasks.get(id).and_then(|t| t.threads.get(tid)).is_none_or(|t| t.ended.is_some()) {
                report(format_args!("indexed thread {tid} of task {id} is not live"));
            }
        }
        let running = self.processes.iter().filter(|p| p.state == State::Running).count();
        if running != self.tasks.len() {
            report(format_args!("{running} running processes, {} tasks", self.tasks.len()));
        }
        for w in &self.waits {
            if !self.tasks.contains_key(&w.parent) {
                report(format_args!("a blocked wait of ended process {}", w.parent));
            }
        }
        if problems > 0 {
            self.verdict.broken_invariant();
        }
    }
}
