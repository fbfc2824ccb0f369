//! The process table: who is whose parent, process groups and sessions,
//! and the exit statuses waiting to be collected.
//!
//! Every task mm0 starts has an entry, keyed by its task id (a POSIX
//! process's pid). A task started from a boot module has no parent (0). A
//! process that ends while its parent lives stays as a zombie holding its
//! status until the parent waits for it; one without a parent disappears at
//! once. The children of a process that ends go to its nearest living
//! ancestor that asked for them (a child subreaper, Linux's
//! PR_SET_CHILD_SUBREAPER), else to the reaper (init, once there is one),
//! else lose their parent, and those already zombies are collected on the
//! spot.
//!
//! Pure bookkeeping: the `mm0` binary keeps the blocked waiters (saved
//! replies) and asks [`ProcessTable::wait`] again whenever a child of theirs
//! changes.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// No parent (tasks started from boot modules, orphans without a reaper).
pub const NO_PARENT: u64 = 0;

/// Signal numbers mm0 itself uses to describe how a process ended.
pub mod signal {
    /// Segmentation fault: an access no region allows.
    pub const SIGSEGV: u8 = 11;
    /// Killed (out of memory for a page the process needs).
    pub const SIGKILL: u8 = 9;
    /// Illegal instruction, and other CPU exceptions.
    pub const SIGILL: u8 = 4;
    /// Bus error (alignment check).
    pub const SIGBUS: u8 = 7;
    /// Arithmetic error: divide error, x87 and SIMD floating point.
    pub const SIGFPE: u8 = 8;
    /// Breakpoint and debug traps.
    pub const SIGTRAP: u8 = 5;

    /// The signal Linux sends for CPU exception `vector` in user mode.
    pub fn for_exception(vector: u64) -> u8 {
        match vector {
            0 | 16 | 19 => SIGFPE,
            1 | 3 => SIGTRAP,
            6 => SIGILL,
            17 => SIGBUS,
            _ => SIGSEGV,
        }
    }
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It called exit with this status (the low byte, as Linux keeps it).
    Exited(u8),
    /// A signal ended it.
    Killed(u8),
}

impl Status {
    /// The status word wait4 stores (`WIFEXITED`/`WEXITSTATUS`,
    /// `WIFSIGNALED`/`WTERMSIG` decode it).
    pub fn wait_word(self) -> u32 {
        match self {
            Status::Exited(code) => u32::from(code) << 8,
            Status::Killed(signal) => u32::from(signal & 0x7f),
        }
    }

    /// The status as a shell shows it (`$?`): the exit code, or 128 plus
    /// the signal.
    pub fn shell_status(self) -> i64 {
        match self {
            Status::Exited(code) => i64::from(code),
            Status::Killed(signal) => 128 + i64::from(signal),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Zombie(Status),
}

/// A change of a running child that its parent has not waited for yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Stopped by this signal (reported to waits with WUNTRACED).
    Stopped(u8),
    /// Continued by SIGCONT (reported to waits with WCONTINUED).
    Continued,
}

impl Change {
    /// The status word wait4 stores (`WIFSTOPPED`/`WSTOPSIG`,
    /// `WIFCONTINUED`).
    pub fn wait_word(self) -> u32 {
        match self {
            Change::Stopped(signal) => (u32::from(signal) << 8) | 0x7f,
            Change::Continued => 0xffff,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Process {
    pub pid: u64,
    pub parent: u64,
    /// Process group id.
    pub pgid: u64,
    /// Session id.
    pub sid: u64,
    pub state: State,
    /// A stop or continue not yet reported to a wait.
    pub change: Option<Change>,
    /// Orphaned descendants come to this process (not inherited by fork,
    /// kept across exec).
    pub subreaper: bool,
}

/// What a wait reports, and whether it collects what it reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reports {
    /// WEXITED: ended children (wait4 always asks for them).
    pub exited: bool,
    /// WUNTRACED/WSTOPPED: stopped children.
    pub stopped: bool,
    /// WCONTINUED: continued children.
    pub continued: bool,
    /// WNOWAIT: report, but leave the child to be waited for again.
    pub peek: bool,
}

/// Which children a wait is for (wait4's `pid` argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selector {
    /// `pid > 0`: that child.
    Pid(u64),
    /// `-1`: any child.
    Any,
    /// `0` (the caller's group) or `< -1`: any child in that group.
    Group(u64),
}

impl Selector {
    /// The selector for wait4's `pid` argument, for a caller in group
    /// `caller_pgid`.
    pub fn from_wait_pid(pid: i64, caller_pgid: u64) -> Selector {
        match pid {
            -1 => Selector::Any,
            0 => Selector::Group(caller_pgid),
            p if p < 0 => Selector::Group(p.unsigned_abs()),
            p => Selector::Pid(p as u64),
        }
    }

    fn matches(self, p: &Process) -> bool {
        match self {
            Selector::Pid(pid) => p.pid == pid,
            Selector::Any => true,
            Selector::Group(g) => p.pgid == g,
        }
    }
}

/// What a wait found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// This child had ended; its entry is gone now.
    Reaped(u64, Status),
    /// This child stopped or continued (reported once).
    Changed(u64, Change),
    /// Matching children exist, none has ended yet.
    NotYet,
    /// No child matches (ECHILD).
    NoChild,
}

/// Why an entry could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddError {
    /// The table holds its limit of processes (fork fails with EAGAIN).
    Full,
    /// The id is in use.
    Taken,
}

/// Errors of the process-group calls (Linux numbering).
pub mod errno {
    pub const EPERM: u32 = 1;
    pub const ESRCH: u32 = 3;
    pub const EINVAL: u32 = 22;
}

/// What an exit changed, for the caller to act on.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExitEffects {
    /// Processes whose waiters may now find something (the parent, and the
    /// reaper when it received zombies).
    pub notify: Vec<u64>,
    /// Zombie children collected because no one is left to wait for them.
    pub collected: Vec<u64>,
}

pub struct ProcessTable {
    procs: BTreeMap<u64, Process>,
    limit: usize,
    reaper: Option<u64>,
}

impl ProcessTable {
    /// A table that holds at most `limit` processes, zombies included.
    pub fn new(limit: usize) -> ProcessTable {
        ProcessTable { procs: BTreeMap::new(), limit, reaper: None }
    }

    pub fn get(&self, pid: u64) -> Option<&Process> {
        self.procs.get(&pid)
    }

    /// Entries, zombies included.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// The process orphans go to (init), if there is one.
    pub fn reaper(&self) -> Option<u64> {
        self.reaper
    }

    /// Orphans go to `pid` from now on (init).
    pub fn set_reaper(&mut self, pid: u64) {
        self.reaper = Some(pid);
    }

    /// Makes `pid` a child subreaper or not; ESRCH if there is no such
    /// process.
    pub fn set_subreaper(&mut self, pid: u64, on: bool) -> Result<(), u32> {
        self.procs.get_mut(&pid).ok_or(errno::ESRCH)?.subreaper = on;
        Ok(())
    }

    /// Who adopts the children of `pid` when it ends: its nearest running
    /// ancestor that is a subreaper, else the reaper, else no one.
    fn heir_of(&self, pid: u64) -> u64 {
        let mut ancestor = self.procs.get(&pid).map_or(NO_PARENT, |p| p.parent);
        // Parents form a tree (a process is added after its parent), so
        // the walk ends; the bound guards the table against itself.
        for _ in 0..self.procs.len() {
            match self.procs.get(&ancestor) {
                Some(a) if a.subreaper && a.state == State::Running => return ancestor,
                Some(a) => ancestor = a.parent,
                None => break,
            }
        }
        self.reaper.filter(|&r| r != pid && self.procs.contains_key(&r)).unwrap_or(NO_PARENT)
    }

    /// Adds process `pid` as a child of `parent` (or [`NO_PARENT`]), in
    /// its parent's group and session, or leading its own without one.
    pub fn add(&mut self, pid: u64, parent: u64) -> Result<(), AddError> {
        if self.procs.len() >= self.limit {
            return Err(AddError::Full);
        }
        if pid == NO_PARENT || self.procs.contains_key(&pid) {
            return Err(AddError::Taken);
        }
        let (parent, pgid, sid) = match self.procs.get(&parent) {
            Some(p) => (parent, p.pgid, p.sid),
            None => (NO_PARENT, pid, pid),
        };
        self.procs
            .insert(pid, Process { pid, parent, pgid, sid, state: State::Running, change: None, subreaper: false });
        Ok(())
    }

    /// Removes the entry of `pid`, which never ran (a fork that failed).
    pub fn forget(&mut self, pid: u64) {
        self.procs.remove(&pid);
    }

    /// Process `pid` ended with `status`.
    pub fn exit(&mut self, pid: u64, status: Status) -> ExitEffects {
        let mut effects = ExitEffects::default();
        let Some(p) = self.procs.get(&pid).copied() else {
            return effects;
        };
        let heir = self.heir_of(pid);
        let children: Vec<u64> = self.procs.values().filter(|c| c.parent == pid).map(|c| c.pid).collect();
        let mut heir_gets_zombie = false;
        for child in children {
            let c = self.procs.get_mut(&child).expect("listed above");
            c.parent = heir;
            if let State::Zombie(_) = c.state {
                if heir == NO_PARENT {
                    self.procs.remove(&child);
                    effects.collected.push(child);
                } else {
                    heir_gets_zombie = true;
                }
            }
        }
        if p.parent != NO_PARENT && self.procs.contains_key(&p.parent) {
            self.procs.get_mut(&pid).expect("present").state = State::Zombie(status);
            effects.notify.push(p.parent);
        } else {
            self.procs.remove(&pid);
        }
        if heir_gets_zombie && !effects.notify.contains(&heir) {
            effects.notify.push(heir);
        }
        effects
    }

    /// A wait by `parent` for the children `which`: collects one ended
    /// child if there is one (and `reports` asks for ends), else reports
    /// one change `reports` asks for.
    pub fn wait(&mut self, parent: u64, which: Selector, reports: Reports) -> WaitOutcome {
        let mut any = false;
        let mut changed = None;
        let mut ended = None;
        for c in self.procs.values().filter(|c| c.parent == parent && which.matches(c)) {
            any = true;
            match (c.state, c.change) {
                (State::Zombie(status), _) if reports.exited => {
                    ended = Some((c.pid, status));
                    break;
                }
                (State::Running, Some(Change::Stopped(s))) if reports.stopped && changed.is_none() => {
                    changed = Some((c.pid, Change::Stopped(s)));
                }
                (State::Running, Some(Change::Continued)) if reports.continued && changed.is_none() => {
                    changed = Some((c.pid, Change::Continued));
                }
                _ => {}
            }
        }
        if let Some((pid, status)) = ended {
            if !reports.peek {
                self.procs.remove(&pid);
            }
            return WaitOutcome::Reaped(pid, status);
        }
        if let Some((pid, change)) = changed {
            if !reports.peek {
                self.procs.get_mut(&pid).expect("found above").change = None;
            }
            return WaitOutcome::Changed(pid, change);
        }
        if any { WaitOutcome::NotYet } else { WaitOutcome::NoChild }
    }

    /// Process `pid` was stopped by `signal`.
    pub fn stopped(&mut self, pid: u64, signal: u8) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.change = Some(Change::Stopped(signal));
        }
    }

    /// Process `pid` was continued.
    pub fn continued(&mut self, pid: u64) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.change = Some(Change::Continued);
        }
    }

    /// setpgid(pid, pgid) by `caller`, with Linux's rules: `pid` 0 is the
    /// caller, `pgid` 0 is `pid`; the target is the caller or a child of
    /// it in its session, not a session leader; a group joined must exist
    /// in the same session.
    pub fn setpgid(&mut self, caller: u64, pid: i64, pgid: i64) -> Result<(), u32> {
        if pgid < 0 {
            return Err(errno::EINVAL);
        }
        let c = *self.procs.get(&caller).ok_or(errno::ESRCH)?;
        let target = if pid == 0 { caller } else { u64::try_from(pid).map_err(|_| errno::ESRCH)? };
        let t = *self.procs.get(&target).ok_or(errno::ESRCH)?;
        if target != caller && t.parent != caller {
            return Err(errno::ESRCH);
        }
        if t.sid != c.sid || t.sid == t.pid {
            return Err(errno::EPERM);
        }
        let pgid = if pgid == 0 { target } else { pgid as u64 };
        let group_exists = || self.procs.values().any(|p| p.pgid == pgid && p.sid == c.sid);
        if pgid != target && !group_exists() {
            return Err(errno::EPERM);
        }
        self.procs.get_mut(&target).expect("present").pgid = pgid;
        Ok(())
    }

    /// setsid() by `caller`: a new session and group led by it; EPERM for
    /// a group leader.
    pub fn setsid(&mut self, caller: u64) -> Result<u64, u32> {
        let taken = self.procs.values().any(|p| p.pgid == caller);
        let c = self.procs.get_mut(&caller).ok_or(errno::ESRCH)?;
        if taken {
            return Err(errno::EPERM);
        }
        c.pgid = caller;
        c.sid = caller;
        Ok(caller)
    }

    /// The process `pid` as seen by `caller` (`pid` 0 is the caller).
    pub fn lookup(&self, caller: u64, pid: i64) -> Result<&Process, u32> {
        let pid = if pid == 0 { caller } else { u64::try_from(pid).map_err(|_| errno::ESRCH)? };
        self.procs.get(&pid).ok_or(errno::ESRCH)
    }

    /// Every entry, in pid order.
    pub fn iter(&self) -> impl Iterator<Item = &Process> {
        self.procs.values()
    }

    /// How process `pid` stands to a terminal whose foreground process
    /// group is `foreground` (0: none set). The terminal belongs to the
    /// foreground group's session; a process of another session, or of no
    /// known one, is not under its job control.
    pub fn terminal_access(&self, pid: u64, foreground: u64) -> TerminalAccess {
        let living = |p: &&Process| p.state == State::Running;
        let Some(p) = self.procs.get(&pid).filter(living) else { return TerminalAccess::Foreground };
        let session = self.procs.values().filter(living).find(|q| q.pgid == foreground).map(|q| q.sid);
        if foreground == 0 || p.pgid == foreground || session != Some(p.sid) {
            return TerminalAccess::Foreground;
        }
        TerminalAccess::Background { pgid: p.pgid, orphaned: self.orphaned(p.pgid) }
    }

    /// Whether process group `pgid` is orphaned (POSIX): no living member
    /// has a parent in another group of the same session, so no shell is
    /// left to continue it.
    pub fn orphaned(&self, pgid: u64) -> bool {
        let living = |p: &&Process| p.state == State::Running;
        !self
            .procs
            .values()
            .filter(living)
            .filter(|m| m.pgid == pgid)
            .any(|m| self.procs.get(&m.parent).filter(living).is_some_and(|q| q.pgid != pgid && q.sid == m.sid))
    }
}

/// What a terminal's job control makes of a process using it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalAccess {
    /// In the foreground group, or not under the terminal's job control.
    Foreground,
    /// In group `pgid`, a background group of the terminal's session.
    Background { pgid: u64, orphaned: bool },
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Reports = Reports { exited: true, stopped: false, continued: false, peek: false };

    fn table() -> ProcessTable {
        let mut t = ProcessTable::new(8);
        t.add(1, NO_PARENT).unwrap();
        t
    }

    #[test]
    fn terminal_access_follows_groups_and_sessions() {
        // 1 (init) starts shell 2 in a session of its own; 2 starts jobs
        // 3 and 4 in groups of their own; 5 is 3's child in 3's group.
        let mut t = table();
        t.set_reaper(1);
        t.add(2, 1).unwrap();
        t.setsid(2).unwrap();
        for (pid, parent) in [(3, 2), (4, 2)] {
            t.add(pid, parent).unwrap();
            t.setpgid(parent, pid as i64, 0).unwrap();
        }
        t.add(5, 3).unwrap();
        assert_eq!(t.terminal_access(3, 3), TerminalAccess::Foreground);
        assert_eq!(t.terminal_access(5, 3), TerminalAccess::Foreground);
        assert_eq!(t.terminal_access(4, 3), TerminalAccess::Background { pgid: 4, orphaned: false });
        assert_eq!(t.terminal_access(2, 3), TerminalAccess::Background { pgid: 2, orphaned: true });
        assert_eq!(t.terminal_access(1, 3), TerminalAccess::Foreground, "another session");
        assert_eq!(t.terminal_access(4, 0), TerminalAccess::Foreground, "no foreground group");
        assert_eq!(t.terminal_access(4, 9), TerminalAccess::Foreground, "a foreground group with no one in it");
        // The shell ends: its jobs go to init, of another session, and
        // their groups are orphaned.
        t.exit(2, Status::Exited(0));
        assert_eq!(t.terminal_access(4, 3), TerminalAccess::Background { pgid: 4, orphaned: true });
        assert!(t.orphaned(3), "5's parent 3 is in the group itself");
    }

    #[test]
    fn status_words_decode_as_linux_macros_do() {
        let exited = Status::Exited(3).wait_word();
        assert_eq!((exited & 0x7f, (exited >> 8) & 0xff), (0, 3));
        let killed = Status::Killed(signal::SIGSEGV).wait_word();
        assert_eq!(killed & 0x7f, 11);
        assert_eq!(Status::Killed(signal::SIGSEGV).shell_status(), 139);
        assert_eq!(Status::Exited(0).shell_status(), 0);
    }

    #[test]
    fn exceptions_map_to_linux_signals() {
        assert_eq!(signal::for_exception(0), signal::SIGFPE);
        assert_eq!(signal::for_exception(6), signal::SIGILL);
        assert_eq!(signal::for_exception(13), signal::SIGSEGV);
        assert_eq!(signal::for_exception(14), signal::SIGSEGV);
        assert_eq!(signal::for_exception(17), signal::SIGBUS);
    }

    #[test]
    fn children_inherit_group_and_session() {
        let mut t = table();
        t.add(2, 1).unwrap();
        let c = *t.get(2).unwrap();
        assert_eq!((c.parent, c.pgid, c.sid), (1, 1, 1));
        assert_eq!(t.add(2, 1), Err(AddError::Taken));
        t.add(3, 99).unwrap();
        assert_eq!(t.get(3).unwrap().parent, NO_PARENT, "an unknown parent is no parent");
    }

    #[test]
    fn a_full_table_refuses() {
        let mut t = ProcessTable::new(2);
        t.add(1, NO_PARENT).unwrap();
        t.add(2, 1).unwrap();
        assert_eq!(t.add(3, 1), Err(AddError::Full));
        t.exit(2, Status::Exited(0));
        assert_eq!(t.add(3, 1), Err(AddError::Full), "a zombie still counts");
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::Reaped(2, Status::Exited(0)));
        t.add(3, 1).unwrap();
    }

    #[test]
    fn zombies_wait_for_their_parent() {
        let mut t = table();
        t.add(2, 1).unwrap();
        t.add(3, 1).unwrap();
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::NotYet);
        let effects = t.exit(3, Status::Exited(7));
        assert_eq!(effects.notify, [1]);
        assert_eq!(t.wait(1, Selector::Pid(2), NONE), WaitOutcome::NotYet);
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::Reaped(3, Status::Exited(7)));
        assert_eq!(t.wait(1, Selector::Pid(3), NONE), WaitOutcome::NoChild);
        assert_eq!(t.wait(2, Selector::Any, NONE), WaitOutcome::NoChild, "not a parent");
        t.exit(2, Status::Killed(signal::SIGSEGV));
        assert_eq!(t.wait(1, Selector::Pid(2), NONE), WaitOutcome::Reaped(2, Status::Killed(11)));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn a_process_without_parent_leaves_no_zombie() {
        let mut t = table();
        let effects = t.exit(1, Status::Exited(0));
        assert!(effects.notify.is_empty());
        assert!(t.is_empty());
    }

    #[test]
    fn orphans_lose_their_parent_and_their_zombies_are_collected() {
        let mut t = table();
        t.add(2, 1).unwrap();
        t.add(3, 2).unwrap();
        t.add(4, 2).unwrap();
        t.exit(4, Status::Exited(1));
        let effects = t.exit(2, Status::Exited(0));
        assert_eq!(effects.collected, [4]);
        assert_eq!(t.get(3).unwrap().parent, NO_PARENT);
        t.exit(3, Status::Exited(0));
        assert!(t.get(3).is_none(), "an orphan leaves no zombie");
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::Reaped(2, Status::Exited(0)));
    }

    #[test]
    fn orphans_go_to_the_reaper() {
        let mut t = table();
        t.set_reaper(1);
        t.add(2, 1).unwrap();
        t.add(3, 2).unwrap();
        t.add(4, 2).unwrap();
        t.exit(4, Status::Exited(5));
        let effects = t.exit(2, Status::Exited(0));
        assert_eq!(effects.notify, [1]);
        assert_eq!(t.get(3).unwrap().parent, 1);
        assert_eq!(t.wait(1, Selector::Pid(4), NONE), WaitOutcome::Reaped(4, Status::Exited(5)));
    }

    #[test]
    fn orphans_go_to_the_nearest_subreaper() {
        let mut t = table();
        t.set_reaper(1);
        t.add(2, 1).unwrap();
        t.add(3, 2).unwrap();
        t.add(4, 3).unwrap();
        t.add(5, 4).unwrap();
        t.add(6, 4).unwrap();
        assert_eq!(t.set_subreaper(9, true), Err(errno::ESRCH));
        t.set_subreaper(2, true).unwrap();
        t.exit(6, Status::Exited(6));
        // 4 ends: its children skip 3 (no subreaper) and go to 2.
        let effects = t.exit(4, Status::Exited(0));
        assert_eq!(effects.notify, [3, 2]);
        assert_eq!(t.get(5).unwrap().parent, 2);
        assert_eq!(t.wait(2, Selector::Pid(6), NONE), WaitOutcome::Reaped(6, Status::Exited(6)));
        // 2 ends without a subreaper above it: 5 goes to the reaper.
        t.exit(2, Status::Exited(0));
        assert_eq!(t.get(5).unwrap().parent, 1);
        assert_eq!(t.get(3).unwrap().parent, 1);
    }

    #[test]
    fn waits_by_group() {
        let mut t = table();
        t.add(2, 1).unwrap();
        t.add(3, 1).unwrap();
        t.setpgid(1, 3, 0).unwrap();
        t.exit(3, Status::Exited(0));
        assert_eq!(Selector::from_wait_pid(0, 1), Selector::Group(1));
        assert_eq!(t.wait(1, Selector::from_wait_pid(0, 1), NONE), WaitOutcome::NotYet, "3 left the group");
        assert_eq!(t.wait(1, Selector::from_wait_pid(-3, 1), NONE), WaitOutcome::Reaped(3, Status::Exited(0)));
        assert_eq!(Selector::from_wait_pid(-1, 1), Selector::Any);
        assert_eq!(Selector::from_wait_pid(5, 1), Selector::Pid(5));
    }

    #[test]
    fn stops_and_continues_are_reported_once_when_asked_for() {
        let mut t = table();
        t.add(2, 1).unwrap();
        t.stopped(2, 19);
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::NotYet);
        let untraced = Reports { stopped: true, ..NONE };
        assert_eq!(t.wait(1, Selector::Any, untraced), WaitOutcome::Changed(2, Change::Stopped(19)));
        assert_eq!(t.wait(1, Selector::Any, untraced), WaitOutcome::NotYet, "reported once");
        t.continued(2);
        let continued = Reports { continued: true, ..NONE };
        assert_eq!(t.wait(1, Selector::Pid(2), continued), WaitOutcome::Changed(2, Change::Continued));
        assert_eq!(Change::Stopped(19).wait_word(), 0x137f);
        assert_eq!(Change::Continued.wait_word(), 0xffff);
        t.stopped(2, 20);
        t.exit(2, Status::Exited(0));
        assert_eq!(t.wait(1, Selector::Any, untraced), WaitOutcome::Reaped(2, Status::Exited(0)), "an end wins");
    }

    #[test]
    fn peeking_leaves_the_child_and_ends_can_be_left_out() {
        let mut t = table();
        t.add(2, 1).unwrap();
        t.exit(2, Status::Exited(3));
        let only_stops = Reports { exited: false, stopped: true, ..NONE };
        assert_eq!(t.wait(1, Selector::Any, only_stops), WaitOutcome::NotYet);
        let peek = Reports { peek: true, ..NONE };
        assert_eq!(t.wait(1, Selector::Any, peek), WaitOutcome::Reaped(2, Status::Exited(3)));
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::Reaped(2, Status::Exited(3)));
        assert_eq!(t.wait(1, Selector::Any, NONE), WaitOutcome::NoChild);
    }

    #[test]
    fn setpgid_follows_linux_rules() {
        let mut t = table();
        t.add(2, 1).unwrap();
        t.add(3, 2).unwrap();
        // 1 leads its session: it cannot move.
        assert_eq!(t.setpgid(1, 0, 0), Err(errno::EPERM));
        assert_eq!(t.setpgid(2, 0, 0), Ok(()));
        assert_eq!(t.get(2).unwrap().pgid, 2);
        assert_eq!(t.setpgid(2, 3, 2), Ok(()), "a child joins its parent's group");
        assert_eq!(t.setpgid(2, 1, 0), Err(errno::ESRCH), "not a child");
        assert_eq!(t.setpgid(2, 3, 77), Err(errno::EPERM), "no such group");
        assert_eq!(t.setpgid(2, 3, -1), Err(errno::EINVAL));
        assert_eq!(t.setpgid(2, 99, 0), Err(errno::ESRCH));
    }

    #[test]
    fn setsid_makes_a_new_session_unless_leading_a_group() {
        let mut t = table();
        t.add(2, 1).unwrap();
        assert_eq!(t.setsid(1), Err(errno::EPERM));
        assert_eq!(t.setsid(2), Ok(2));
        let p = *t.get(2).unwrap();
        assert_eq!((p.pgid, p.sid), (2, 2));
        assert_eq!(t.setsid(2), Err(errno::EPERM));
        assert_eq!(t.lookup(2, 0).map(|p| p.sid), Ok(2));
        assert_eq!(t.lookup(2, -4).map(|p| p.pid), Err(errno::ESRCH));
    }
}
