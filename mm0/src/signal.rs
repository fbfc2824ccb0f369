//! Sending signals: KILL and TGKILL, faults that become signals, SIGCHLD,
//! and stopping and continuing processes.
//!
//! What a signal does depends on the target's dispositions, which libposix
//! keeps in the process's signal area (`mm0_proto::signal`): SIGKILL and
//! unhandled signals whose default is to terminate end the process here;
//! ignored ones are dropped unless blocked (then they wait, as on Linux);
//! stop signals stop every thread of the process and SIGCONT resumes them
//! (both reported to the parent's wait). A handled signal is marked pending
//! in the area, and mm0 makes sure the target thread notices soon:
//! - a sleep in libposix (nanosleep, pause, sigsuspend) waits on the
//!   process's notification, which gets the thread's bit: the wait ends,
//!   even if it starts only later (notification bits stay set);
//! - a WAIT the process has blocked in mm0 is answered with EINTR, and fs0
//!   is told to end the process's waits there (pipes) the same way;
//! - a thread running program code is suspended and redirected to
//!   libposix's signal entry, its registers saved in the area;
//! - a thread inside libposix delivers pending signals itself on its way
//!   back to the program.

use alloc::vec::Vec;

use abi::regs::ThreadRegs;
use libtern::ipc::{self, Message};
use libtern::{cap, kthread, notify, println};
use mm0::layout::TaskKind;
use mm0::process::{Status, TerminalAccess};
use mm0_proto::signal::{
    DefaultAction, Origin, SIGCHLD, SIGCONT, SIGKILL, SIGNAL_AREA, SIGRTMAX, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU,
    UNCATCHABLE, bit, cld, offset,
};
use mm0_proto::{errno, event};

use crate::lifecycle::cleanup;

/// The bit mm0 signals on a thread's notification for a pending signal.
const SIGNAL_BIT: u64 = 1;
use crate::phys::Phys;
use crate::server::{Mm0, fail, ok};
use crate::task::Task;

/// Words of a `ThreadRegs`.
const REG_WORDS: usize = size_of::<ThreadRegs>() / 8;

fn regs_to_words(r: &ThreadRegs) -> [u64; REG_WORDS] {
    [
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
        r.rip, r.rflags, r.fs_base, r.gs_base,
    ]
}

/// The word at `off` in `task`'s signal area (0 if it has none).
pub fn area_word(phys: &Phys, task: &Task, off: u64) -> u64 {
    let page = SIGNAL_AREA + (off & !(abi::PAGE_SIZE - 1));
    task.pages.get(&page).and_then(|p| phys.read_word(p.phys, off % abi::PAGE_SIZE)).unwrap_or(0)
}

/// Stores `value` at `off` in `task`'s signal area.
pub fn set_area_word(phys: &mut Phys, task: &Task, off: u64, value: u64) {
    let page = SIGNAL_AREA + (off & !(abi::PAGE_SIZE - 1));
    if let Some(p) = task.pages.get(&page) {
        phys.write_word(p.phys, off % abi::PAGE_SIZE, value);
    }
}

/// The signals whose default action stops a process.
const STOP_SIGNALS: u64 = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);

impl Mm0 {
    /// The word at `off` in the signal area of process `pid`.
    pub fn area_read(&self, pid: u64, off: u64) -> u64 {
        self.tasks.get(&pid).map_or(0, |task| area_word(&self.phys, task, off))
    }

    /// Stores `value` at `off` in the signal area of process `pid`.
    pub fn area_write(&mut self, pid: u64, off: u64, value: u64) {
        if let Some(task) = self.tasks.get(&pid) {
            set_area_word(&mut self.phys, task, off, value);
        }
    }

    /// KILL (pid, sig).
    pub fn kill(&mut self, caller: u64, pid: i64, sig: u64, flags: u64) -> Option<Message> {
        if sig > u64::from(SIGRTMAX) || flags & !mm0_proto::KILL_GROUP != 0 {
            return fail(errno::EINVAL);
        }
        let group = flags & mm0_proto::KILL_GROUP != 0;
        let caller_pgid = self.processes.get(caller)?.pgid;
        let posix = |mm: &Mm0, p: u64| mm.tasks.get(&p).is_none_or(|t| t.kind == TaskKind::Posix);
        let targets: Vec<u64> = self
            .processes
            .iter()
            .filter(|p| match pid {
                n if group => p.pgid == n as u64,
                // Everyone but the caller (and init, once there is one).
                -1 => p.pid != caller && Some(p.pid) != self.processes.reaper(),
                0 => p.pgid == caller_pgid,
                n if n < 0 => p.pgid == n.unsigned_abs(),
                n => p.pid == n as u64,
            })
            .map(|p| p.pid)
            .filter(|&p| posix(self, p))
            .collect();
        if targets.is_empty() {
            return fail(errno::ESRCH);
        }
        if sig != 0 {
            for target in targets {
                self.send_signal(target, None, sig as u32, Origin { pid: caller as u32, ..Origin::default() });
            }
        }
        ok(&[])
    }

    /// TGKILL (pid, tid, sig): the thread whose POSIX thread id is `tid`,
    /// in process `pid` (0: whichever process it is in).
    pub fn tgkill(&mut self, caller: u64, pid: i64, tid: i64, sig: u64) -> Option<Message> {
        if sig > u64::from(SIGRTMAX) || tid <= 0 || pid < 0 {
            return fail(errno::EINVAL);
        }
        let tid = tid as u64;
        let found = self
            .tasks
            .values()
            .filter(|t| t.kind == TaskKind::Posix && (pid == 0 || t.id == pid as u64))
            .find_map(|t| {
                t.threads.values().find(|th| th.posix_tid == tid && th.ended.is_none()).map(|th| (t.id, th.ipc_index))
            });
        let Some((pid, slot)) = found else {
            return fail(errno::ESRCH);
        };
        if sig != 0 {
            self.send_signal(pid, Some(slot), sig as u32, Origin { pid: caller as u32, ..Origin::default() });
        }
        ok(&[])
    }

    /// TTY_ACCESS (pid, foreground group, sig) from fs0: the console's
    /// job control (see the label). Linux's rules: a background process
    /// that ignores or blocks `sig` may write (SIGTTOU) but not read
    /// (SIGTTIN: EIO); an orphaned group may do neither (EIO: nobody would
    /// continue it); otherwise the whole group gets `sig`.
    pub fn tty_access(&mut self, caller: u64, pid: u64, foreground: u64, sig: u64) -> Option<Message> {
        if caller != self.fs0_events.task {
            return fail(errno::EPERM);
        }
        let sig = match u32::try_from(sig) {
            Ok(sig @ (SIGTTIN | SIGTTOU)) => sig,
            _ => return fail(errno::EINVAL),
        };
        let TerminalAccess::Background { pgid, orphaned } = self.processes.terminal_access(pid, foreground) else {
            return ok(&[]);
        };
        let mask = bit(sig);
        let ignored = self.area_read(pid, offset::IGNORED) & mask != 0 || self.receiving_slot(pid, mask).is_none();
        if ignored && sig == SIGTTOU {
            return ok(&[]);
        }
        if ignored || orphaned {
            return fail(errno::EIO);
        }
        let group: Vec<u64> = self.processes.iter().filter(|p| p.pgid == pgid).map(|p| p.pid).collect();
        for member in group {
            self.send_signal(member, None, sig, Origin::default());
        }
        fail(errno::EINTR)
    }

    /// Sends `sig` (1..=64) to process `pid`, to its thread in area slot
    /// `slot` or to whichever thread does not block it.
    pub fn send_signal(&mut self, pid: u64, slot: Option<usize>, sig: u32, origin: Origin) {
        let Some(task) = self.tasks.get(&pid) else {
            return;
        };
        if task.kind != TaskKind::Posix {
            return;
        }
        if sig == SIGKILL {
            self.end_task(pid, Status::Killed(SIGKILL as u8));
            return;
        }
        // As POSIX says: SIGCONT discards pending stop signals and a stop
        // signal a pending SIGCONT, so a process that blocked both while
        // they were sent (a shell's child between fork and its own
        // dispositions) is not stopped after it was continued.
        if sig == SIGCONT {
            self.discard_pending(pid, STOP_SIGNALS);
            self.continue_process(pid);
        } else if STOP_SIGNALS & bit(sig) != 0 {
            self.discard_pending(pid, bit(SIGCONT));
        }
        let mask = bit(sig);
        let handled = self.area_read(pid, offset::HANDLED) & mask & !UNCATCHABLE != 0;
        let ignored = self.area_read(pid, offset::IGNORED) & mask & !UNCATCHABLE != 0;
        if !handled {
            let action = DefaultAction::of(sig);
            let acts = matches!(action, DefaultAction::Terminate | DefaultAction::Stop);
            let blocked = match slot {
                Some(i) => self.area_read(pid, offset::thread(i, offset::BLOCKED)) & mask != 0,
                None => self.receiving_slot(pid, mask).is_none(),
            };
            if blocked {
                // It acts when unblocked (libposix then sends it again),
                // by the disposition of that moment: as on Linux, a
                // blocked signal is never ignored, so a shell's child that
                // blocks signals across fork until it has reset the
                // shell's ignored ones loses none.
                self.mark_pending(pid, slot, sig, origin);
                return;
            }
            if ignored || !acts {
                return;
            }
            if action == DefaultAction::Terminate {
                self.end_task(pid, Status::Killed(sig as u8));
            } else {
                self.stop_process(pid, sig);
            }
            return;
        }
        self.mark_pending(pid, slot, sig, origin);
        // A thread that blocks a signal sent to it takes it when it
        // unblocks it; nothing to alert it to now.
        let slot = match slot {
            Some(i) if self.area_read(pid, offset::thread(i, offset::BLOCKED)) & mask != 0 => None,
            Some(i) => Some(i),
            None => self.receiving_slot(pid, mask),
        };
        if let Some(slot) = slot {
            self.alert(pid, slot);
        }
    }

    /// Marks `sig` pending for `pid`'s thread in `slot`, or the process,
    /// with where it came from.
    fn mark_pending(&mut self, pid: u64, slot: Option<usize>, sig: u32, origin: Origin) {
        let at = match slot {
            Some(i) => offset::thread(i, offset::THREAD_PENDING),
            None => offset::PENDING,
        };
        self.area_write(pid, offset::origin(sig), origin.to_word());
        self.area_write(pid, at, self.area_read(pid, at) | bit(sig));
    }

    /// Drops the signals of `mask` from what is pending for `pid` and for
    /// each of its threads.
    fn discard_pending(&mut self, pid: u64, mask: u64) {
        let Some(task) = self.tasks.get(&pid) else { return };
        let slots: Vec<usize> = task.threads.values().filter(|t| t.ended.is_none()).map(|t| t.ipc_index).collect();
        for at in slots.into_iter().map(|i| offset::thread(i, offset::THREAD_PENDING)).chain([offset::PENDING]) {
            let pending = self.area_read(pid, at);
            if pending & mask != 0 {
                self.area_write(pid, at, pending & !mask);
            }
        }
    }

    /// The area slot of a running thread of `pid` that does not block
    /// `mask`.
    fn receiving_slot(&self, pid: u64, mask: u64) -> Option<usize> {
        let task = self.tasks.get(&pid)?;
        let mut slots: Vec<usize> =
            task.threads.values().filter(|t| t.ended.is_none() && t.started).map(|t| t.ipc_index).collect();
        slots.sort_unstable();
        slots.into_iter().find(|&i| self.area_read(pid, offset::thread(i, offset::BLOCKED)) & mask == 0)
    }

    /// Makes the thread in `slot` of `pid` notice its pending signals. A
    /// thread inside libposix (the sender itself among them: it waits for
    /// mm0's answer) delivers on its way out and is left alone.
    pub fn alert(&mut self, pid: u64, slot: usize) {
        let Some(task) = self.tasks.get(&pid) else { return };
        let Some(thread) = task.threads.values().find(|t| t.ipc_index == slot && t.ended.is_none() && t.started) else {
            return;
        };
        if let Err(e) = notify::signal(thread.notification, SIGNAL_BIT) {
            println!("mm0: {}: cannot signal a thread's notification: {e:?}", task.name);
        }
        let (cap, stopped) = (thread.slot, task.stopped);
        self.interrupt_waits(pid, slot as u64);
        self.interrupt_futex_waits(pid, slot as u64);
        if stopped {
            // A stopped process delivers when continued.
            return;
        }
        let Ok(regs) = kthread::read_regs(cap) else { return };
        if self.in_libposix(regs.rip) {
            // Blocked in a call, or about to return to the program after
            // its last look at the pending signals: end a wait in fs0, and
            // look again soon (the call may reach fs0 only after this).
            self.fs0_event(event::INTERRUPT, pid, 0);
            self.realert_later(pid, slot);
            return;
        }
        if let Err(e) = kthread::suspend(cap) {
            println!("mm0: cannot suspend a thread of process {pid}: {e:?}");
            return;
        }
        // Re-read: the thread may have moved on before it stopped.
        if let Ok(regs) = kthread::read_regs(cap) {
            self.redirect(pid, slot, cap, &regs);
        }
        cleanup("ThreadResume", kthread::resume(cap));
    }

    /// Whether `rip` lies in libposix's code.
    pub fn in_libposix(&self, rip: u64) -> bool {
        let range = self.libposix.as_ref().and_then(|lib| lib.image.exec_range());
        range.is_some_and(|(start, end)| (start..end).contains(&rip))
    }

    /// Points the stopped thread `cap` (slot `slot` of `pid`) with
    /// registers `regs` at libposix's signal entry, unless it is inside
    /// libposix already or an earlier redirect has not been taken yet.
    /// Returns whether it did.
    pub fn redirect(&mut self, pid: u64, slot: usize, cap: u64, regs: &ThreadRegs) -> bool {
        let entry = self.area_read(pid, offset::ENTRY);
        if self.in_libposix(regs.rip)
            || !self.in_libposix(entry)
            || self.area_read(pid, offset::thread(slot, offset::REDIRECTED)) != 0
        {
            return false;
        }
        for (i, word) in regs_to_words(regs).into_iter().enumerate() {
            self.area_write(pid, offset::thread(slot, offset::INTERRUPTED) + 8 * i as u64, word);
        }
        self.area_write(pid, offset::thread(slot, offset::REDIRECTED), 1);
        let to_entry = ThreadRegs { rip: entry, ..*regs };
        // SAFETY: the thread belongs to process `pid`, not to mm0, and is
        // stopped; it continues in its own libposix.
        match unsafe { kthread::write_regs(cap, &to_entry) } {
            Ok(()) => true,
            Err(e) => {
                println!("mm0: cannot redirect a thread of process {pid}: {e:?}");
                self.area_write(pid, offset::thread(slot, offset::REDIRECTED), 0);
                false
            }
        }
    }

    /// Answers the blocked WAITs of `pid`'s thread in `slot` with EINTR.
    fn interrupt_waits(&mut self, pid: u64, slot: u64) {
        for w in self.waits.extract_if(.., |w| w.parent == pid && w.slot == slot) {
            if let Err(e) = ipc::send(w.reply, &Message::empty(errno::EINTR)) {
                println!("mm0: task {pid}: interrupting WAIT failed: {e:?}");
                cleanup("deleting a saved reply", cap::delete(w.reply));
            }
        }
    }

    /// Whether a handled signal is pending for the thread in `slot` of
    /// `pid` and not blocked there (a wait then returns EINTR instead of
    /// blocking).
    pub fn signal_deliverable_to(&self, pid: u64, slot: u64) -> bool {
        let Ok(slot) = usize::try_from(slot) else { return false };
        if slot >= mm0::layout::MAX_THREADS {
            return false;
        }
        let pending =
            self.area_read(pid, offset::PENDING) | self.area_read(pid, offset::thread(slot, offset::THREAD_PENDING));
        pending & !self.area_read(pid, offset::thread(slot, offset::BLOCKED)) != 0
    }

    /// Stops every thread of `pid` (a stop signal); its parent's waits with
    /// WUNTRACED see it.
    fn stop_process(&mut self, pid: u64, sig: u32) {
        let Some(task) = self.tasks.get_mut(&pid) else { return };
        if task.stopped {
            return;
        }
        task.stopped = true;
        let threads: Vec<u64> =
            task.threads.values().filter(|t| t.ended.is_none() && t.started).map(|t| t.slot).collect();
        // Suspending ends the calls its threads wait in; those they wait
        // in mm0 are forgotten here and start again when continued (their
        // calls fail with Interrupted, which libposix restarts).
        self.answer_caller_now(pid);
        self.drop_waits_of(pid);
        self.drop_futex_waits_of(pid);
        for cap in threads {
            cleanup("ThreadSuspend", kthread::suspend(cap));
        }
        self.processes.stopped(pid, sig as u8);
        if let Some(parent) = self.processes.get(pid).map(|p| p.parent) {
            self.serve_waits(parent);
            self.child_changed(parent, Origin { pid: pid as u32, code: cld::STOPPED, status: sig });
        }
    }

    /// Resumes the threads of a stopped `pid` (SIGCONT).
    fn continue_process(&mut self, pid: u64) {
        let Some(task) = self.tasks.get_mut(&pid) else { return };
        if !task.stopped {
            return;
        }
        task.stopped = false;
        for t in task.threads.values().filter(|t| t.ended.is_none() && t.started) {
            cleanup("ThreadResume", kthread::resume(t.slot));
        }
        self.processes.continued(pid);
        if let Some(parent) = self.processes.get(pid).map(|p| p.parent) {
            self.serve_waits(parent);
            self.child_changed(parent, Origin { pid: pid as u32, code: cld::CONTINUED, status: SIGCONT });
        }
        // Signals that arrived while it was stopped: each thread's own,
        // and the process's for whichever thread takes them.
        let slots: Vec<usize> = self
            .tasks
            .get(&pid)
            .map(|t| t.threads.values().filter(|t| t.ended.is_none() && t.started).map(|t| t.ipc_index).collect())
            .unwrap_or_default();
        for slot in slots {
            if self.area_read(pid, offset::thread(slot, offset::THREAD_PENDING)) != 0 {
                self.alert(pid, slot);
            }
        }
        let pending = self.area_read(pid, offset::PENDING);
        if pending != 0
            && let Some(slot) = self.receiving_slot(pid, pending)
        {
            self.alert(pid, slot);
        }
    }

    /// A fault of thread `tid` (area slot `slot`) of POSIX process `pid`,
    /// blocked in its fault message, becomes signal `sig` with `code` and
    /// `addr`, if the process handles it and the thread does not block it:
    /// the thread is redirected to its signal handler. Returns whether it
    /// was; otherwise the fault ends the process.
    pub fn deliver_fault(&mut self, pid: u64, tid: u64, sig: u32, code: u64, addr: u64) -> bool {
        let Some(task) = self.tasks.get(&pid) else { return false };
        let Some(thread) = task.threads.get(&tid).filter(|t| t.ended.is_none()) else { return false };
        let (cap, slot) = (thread.slot, thread.ipc_index);
        let mask = bit(sig);
        let handled = self.area_read(pid, offset::HANDLED) & mask != 0;
        let blocked = self.area_read(pid, offset::thread(slot, offset::BLOCKED)) & mask != 0;
        if !handled || blocked {
            return false;
        }
        // Suspending withdraws the fault message; the thread then runs the
        // handler, and the instruction again if the handler returns.
        if kthread::suspend(cap).is_err() {
            return false;
        }
        let Ok(regs) = kthread::read_regs(cap) else {
            cleanup("ThreadResume", kthread::resume(cap));
            return false;
        };
        self.area_write(pid, offset::thread(slot, offset::FAULT_SIGNAL), u64::from(sig));
        self.area_write(pid, offset::thread(slot, offset::FAULT_CODE), code);
        self.area_write(pid, offset::thread(slot, offset::FAULT_ADDR), addr);
        let delivered = self.redirect(pid, slot, cap, &regs);
        if !delivered {
            self.area_write(pid, offset::thread(slot, offset::FAULT_SIGNAL), 0);
        }
        cleanup("ThreadResume", kthread::resume(cap));
        delivered
    }

    /// A child of `parent` ended, stopped or continued (as `origin`
    /// says): SIGCHLD, if the parent is a POSIX process, and for a stop or
    /// a continue only if its action lacks SA_NOCLDSTOP.
    pub fn child_changed(&mut self, parent: u64, origin: Origin) {
        if parent == mm0::process::NO_PARENT || !self.tasks.contains_key(&parent) {
            return;
        }
        let stop_or_continue = origin.code == cld::STOPPED || origin.code == cld::CONTINUED;
        if stop_or_continue && self.area_read(parent, offset::NO_CHILD_STOP) != 0 {
            return;
        }
        self.send_signal(parent, None, SIGCHLD, origin);
    }
}

const _: () = assert!(REG_WORDS == 20);
