//! The job table: every pipeline the shell started and has not forgotten,
//! with the state of each of its processes.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PState {
    Running,
    /// Stopped by this signal.
    Stopped(i32),
    /// Ended, with this wait status.
    Done(i32),
}

#[derive(Clone, Debug)]
pub struct Proc {
    pub pid: i32,
    pub state: PState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Running,
    Stopped(i32),
    Done,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: usize,
    /// Its process group (the first process) under job control.
    pub pgid: i32,
    pub procs: Vec<Proc>,
    pub text: String,
    /// Its latest state change was reported.
    pub notified: bool,
    /// Started with `&` (and not brought to the foreground since).
    pub background: bool,
}

impl Job {
    pub fn state(&self) -> JobState {
        if self.procs.iter().all(|p| matches!(p.state, PState::Done(_))) {
            return JobState::Done;
        }
        if self.procs.iter().any(|p| p.state == PState::Running) {
            return JobState::Running;
        }
        let sig = self.procs.iter().find_map(|p| match p.state {
            PState::Stopped(s) => Some(s),
            _ => None,
        });
        JobState::Stopped(sig.unwrap_or(libc::SIGTSTP))
    }

    /// The exit status: the last process's.
    pub fn status(&self) -> i32 {
        match self.procs.last().map(|p| p.state) {
            Some(PState::Done(st)) => crate::sys::status_code(st),
            Some(PState::Stopped(sig)) => 128 + sig,
            _ => 0,
        }
    }

    /// The wait status of the last process, if it ended.
    pub fn last_wait_status(&self) -> Option<i32> {
        match self.procs.last()?.state {
            PState::Done(st) => Some(st),
            _ => None,
        }
    }

    pub fn last_pid(&self) -> i32 {
        self.procs.last().map(|p| p.pid).unwrap_or(0)
    }
}

#[derive(Default)]
pub struct Jobs {
    pub list: Vec<Job>,
    /// Job ids from least to most recently current.
    order: Vec<usize>,
}

impl Jobs {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Adds a job; its id.
    pub fn add(&mut self, pgid: i32, pids: &[i32], text: &str, background: bool) -> usize {
        let id = self.list.iter().map(|j| j.id).max().unwrap_or(0) + 1;
        self.list.push(Job {
            id,
            pgid,
            procs: pids.iter().map(|&pid| Proc { pid, state: PState::Running }).collect(),
            text: text.to_string(),
            notified: false,
            background,
        });
        self.order.push(id);
        // Forget old finished background jobs nobody asked about.
        if self.list.len() > 200
            && let Some(i) = self.list.iter().position(|j| j.state() == JobState::Done)
        {
            let old = self.list.remove(i).id;
            self.order.retain(|&x| x != old);
        }
        id
    }

    pub fn get(&self, id: usize) -> Option<&Job> {
        self.list.iter().find(|j| j.id == id)
    }

    pub fn get_mut(&mut self, id: usize) -> Option<&mut Job> {
        self.list.iter_mut().find(|j| j.id == id)
    }

    pub fn remove(&mut self, id: usize) -> Option<Job> {
        let i = self.list.iter().position(|j| j.id == id)?;
        self.order.retain(|&x| x != id);
        Some(self.list.remove(i))
    }

    /// Makes `id` the current job.
    pub fn make_current(&mut self, id: usize) {
        self.order.retain(|&x| x != id);
        self.order.push(id);
    }

    pub fn current(&self) -> Option<usize> {
        self.order.last().copied()
    }

    pub fn previous(&self) -> Option<usize> {
        self.order.len().checked_sub(2).map(|i| self.order[i])
    }

    /// `+`, `-` or a blank for a job in listings.
    pub fn mark(&self, id: usize) -> char {
        if self.current() == Some(id) {
            '+'
        } else if self.previous() == Some(id) {
            '-'
        } else {
            ' '
        }
    }

    /// Records a wait status for `pid`; the job it belongs to.
    pub fn update(&mut self, pid: i32, status: i32) -> Option<usize> {
        for job in &mut self.list {
            if let Some(p) = job.procs.iter_mut().find(|p| p.pid == pid) {
                p.state = if libc::WIFSTOPPED(status) {
                    PState::Stopped(libc::WSTOPSIG(status))
                } else if libc::WIFCONTINUED(status) {
                    PState::Running
                } else {
                    PState::Done(status)
                };
                job.notified = false;
                return Some(job.id);
            }
        }
        None
    }

    /// The job with a process `pid`.
    pub fn by_pid(&self, pid: i32) -> Option<usize> {
        self.list.iter().find(|j| j.procs.iter().any(|p| p.pid == pid)).map(|j| j.id)
    }

    /// A job specification: `%n`, `%+`, `%%`, `%`, `%-`, `%string`,
    /// `%?string`.
    pub fn find(&self, spec: &str) -> Result<usize, String> {
        let s = spec.strip_prefix('%').unwrap_or(spec);
        let found = match s {
            "" | "+" | "%" => self.current(),
            "-" => self.previous(),
            _ if s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok().filter(|&n: &usize| self.get(n).is_some()),
            _ => {
                let hits: Vec<usize> = match s.strip_prefix('?') {
                    Some(sub) => self.list.iter().filter(|j| j.text.contains(sub)).map(|j| j.id).collect(),
                    None => self.list.iter().filter(|j| j.text.starts_with(s)).map(|j| j.id).collect(),
                };
                if hits.len() > 1 {
                    return Err(format!("{spec}: ambiguous job spec"));
                }
                hits.first().copied()
            }
        };
        found.ok_or_else(|| format!("{spec}: no such job"))
    }

    /// The line that reports a job's state: `[1]+  Done   text`.
    pub fn describe(&self, id: usize, show_pid: bool) -> String {
        let Some(job) = self.get(id) else { return String::new() };
        let state = match job.state() {
            JobState::Running => "Running".to_string(),
            JobState::Stopped(sig) => crate::sys::signal_description(sig),
            JobState::Done => match job.last_wait_status() {
                Some(st) if libc::WIFSIGNALED(st) => crate::sys::signal_description(libc::WTERMSIG(st)),
                Some(st) if libc::WIFEXITED(st) && libc::WEXITSTATUS(st) != 0 => {
                    format!("Exit {}", libc::WEXITSTATUS(st))
                }
                _ => "Done".to_string(),
            },
        };
        let amp = if job.state() == JobState::Running && job.background { " &" } else { "" };
        let pid = if show_pid { format!("{} ", job.last_pid()) } else { String::new() };
        format!("[{}]{}  {}{:<24}{}{}\n", job.id, self.mark(id), pid, state, job.text, amp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32) -> i32 {
        code << 8
    }

    const STOPPED_TSTP: i32 = (libc::SIGTSTP << 8) | 0x7f;

    #[test]
    fn states_and_status() {
        let mut j = Jobs::default();
        let id = j.add(10, &[10, 11], "a | b", true);
        assert_eq!(j.get(id).unwrap().state(), JobState::Running);
        assert_eq!(j.update(10, exited(0)), Some(id));
        assert_eq!(j.get(id).unwrap().state(), JobState::Running);
        j.update(11, exited(3));
        assert_eq!(j.get(id).unwrap().state(), JobState::Done);
        assert_eq!(j.get(id).unwrap().status(), 3);
        assert_eq!(j.update(99, 0), None);
    }

    #[test]
    fn stopped() {
        let mut j = Jobs::default();
        let id = j.add(20, &[20], "vi", false);
        j.update(20, STOPPED_TSTP);
        assert_eq!(j.get(id).unwrap().state(), JobState::Stopped(libc::SIGTSTP));
        assert_eq!(j.get(id).unwrap().status(), 128 + libc::SIGTSTP);
        assert_eq!(j.describe(id, false), format!("[1]+  {:<24}vi\n", "Stopped"));
    }

    #[test]
    fn current_previous_and_specs() {
        let mut j = Jobs::default();
        let a = j.add(1, &[1], "sleep 10", true);
        let b = j.add(2, &[2], "sleep 20", true);
        let c = j.add(3, &[3], "cat file", true);
        assert_eq!(j.current(), Some(c));
        assert_eq!(j.previous(), Some(b));
        assert_eq!(j.find("%%"), Ok(c));
        assert_eq!(j.find("%-"), Ok(b));
        assert_eq!(j.find("%1"), Ok(a));
        assert_eq!(j.find("%cat"), Ok(c));
        assert_eq!(j.find("%?20"), Ok(b));
        assert!(j.find("%sleep").unwrap_err().contains("ambiguous"));
        assert!(j.find("%9").unwrap_err().contains("no such job"));
        j.make_current(a);
        assert_eq!(j.mark(a), '+');
        assert_eq!(j.mark(c), '-');
        assert_eq!(j.mark(b), ' ');
        j.remove(a);
        assert_eq!(j.current(), Some(c));
        assert_eq!(j.add(4, &[4], "x", true), 4);
    }

    #[test]
    fn descriptions() {
        let mut j = Jobs::default();
        let id = j.add(5, &[5], "sleep 1", true);
        assert_eq!(j.describe(id, false), format!("[1]+  {:<24}sleep 1 &\n", "Running"));
        j.update(5, exited(0));
        assert_eq!(j.describe(id, false), format!("[1]+  {:<24}sleep 1\n", "Done"));
        let id2 = j.add(6, &[6], "false", true);
        j.update(6, exited(1));
        assert!(j.describe(id2, false).contains("Exit 1"));
        let id3 = j.add(7, &[7], "k", true);
        j.update(7, libc::SIGKILL);
        assert!(j.describe(id3, true).contains("7 Killed"));
    }
}
