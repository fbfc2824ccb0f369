//! Running the tree: lists, pipelines, compound commands, simple
//! commands; fork and exec, redirections, command substitution, waiting
//! for jobs.

use std::ffi::CString;
use std::rc::Rc;

use crate::ast::*;
use crate::builtins;
use crate::expand::{self, ExpandError};
use crate::glob;
use crate::jobs::JobState;
use crate::shell::{DEFAULT_PATH, Flow, Shell, Status, Var};
use crate::sys;

/// How deep functions may call each other.
const MAX_FUNC_DEPTH: usize = 1000;

/// What a redirection puts at its descriptor.
enum Target {
    Close,
    /// A copy of this descriptor (which stays open).
    Dup(i32),
    /// This new descriptor (moved into place).
    Owned(i32),
}

impl Shell {
    pub fn exec_list(&mut self, list: &List) -> Status {
        let mut status = 0;
        for item in &list.items {
            self.check_signals()?;
            status =
                if item.background { self.exec_background(&item.and_or)? } else { self.exec_and_or(&item.and_or)? };
            self.status = status;
        }
        Ok(status)
    }

    /// A status and flow as a child's exit status.
    fn child_status(&self, r: Status) -> i32 {
        match r {
            Ok(s) => s,
            Err(Flow::Exit(s) | Flow::Abort(s) | Flow::Return(s)) => s,
            Err(_) => self.status,
        }
    }

    fn exec_and_or(&mut self, ao: &AndOr) -> Status {
        let n = ao.rest.len();
        let mut status = self.exec_pipeline_cond(&ao.first, n > 0)?;
        let mut last_ran = 0;
        for (i, (conn, p)) in ao.rest.iter().enumerate() {
            let run = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run {
                status = self.exec_pipeline_cond(p, i + 1 < n)?;
                last_ran = i + 1;
            }
        }
        self.status = status;
        if status != 0 && self.opts.errexit && self.errexit_off == 0 && last_ran == n {
            let last = if n == 0 { &ao.first } else { &ao.rest[n - 1].1 };
            if !last.bang {
                return Err(Flow::Exit(status));
            }
        }
        Ok(status)
    }

    /// A pipeline; `cond` says its status is tested (`set -e` is off).
    fn exec_pipeline_cond(&mut self, p: &Pipeline, cond: bool) -> Status {
        let off = cond || p.bang;
        if off {
            self.errexit_off += 1;
        }
        let r = self.exec_pipeline(p);
        if off {
            self.errexit_off -= 1;
        }
        r
    }

    fn exec_pipeline(&mut self, p: &Pipeline) -> Status {
        let status = if p.cmds.len() == 1 {
            self.exec_command(&p.cmds[0], &p.text, false)?
        } else {
            let (pgid, pids) = self.spawn_pipeline(&p.cmds, true);
            if pids.is_empty() {
                return Ok(2);
            }
            let id = self.jobs.add(pgid, &pids, &p.text, false);
            self.wait_fg(id)?
        };
        Ok(if p.bang { (status == 0) as i32 } else { status })
    }

    /// `and_or &`.
    fn exec_background(&mut self, ao: &AndOr) -> Status {
        let (pgid, pids) = if ao.rest.is_empty() && !ao.first.bang {
            self.spawn_pipeline(&ao.first.cmds, false)
        } else {
            match self.fork_job(0, false) {
                Ok(0) => {
                    let r = self.exec_and_or(ao);
                    let st = self.child_status(r);
                    self.exit_child(st)
                }
                Ok(pid) => (if self.opts.monitor { pid } else { 0 }, vec![pid]),
                Err(e) => {
                    self.error(&format!("fork: {}", sys::strerror(e)));
                    (0, vec![])
                }
            }
        };
        let Some(&last) = pids.last() else { return Ok(2) };
        let id = self.jobs.add(pgid, &pids, &ao.text, true);
        self.last_bg = Some(last);
        if self.opts.interactive {
            let _ = sys::write_str(2, &format!("[{id}] {last}\n"));
        }
        Ok(0)
    }

    /// Forks a process of a job. In the child (0 returned): its process
    /// group and the terminal under job control, default signals, no job
    /// table.
    pub fn fork_job(&mut self, pgid: i32, foreground: bool) -> Result<i32, i32> {
        let monitor = self.opts.monitor;
        // The child starts with the shell's dispositions (SIGTERM, SIGTSTP...
        // ignored) and is in its job's group at once (the parent puts it
        // there too): signals stay blocked until it has its own, so a
        // `kill %1` sent meanwhile waits instead of being ignored.
        let mask = sys::block_all_signals();
        let pid = match sys::fork() {
            Ok(pid) => pid,
            Err(e) => {
                sys::restore_signal_mask(&mask);
                return Err(e);
            }
        };
        if pid == 0 {
            if monitor {
                let me = sys::getpid();
                let pg = if pgid == 0 { me } else { pgid };
                sys::setpgid(0, pg);
                if foreground {
                    sys::tcsetpgrp(self.tty, pg);
                }
            }
            let bg_no_jc = !foreground && !monitor;
            self.child_signals(bg_no_jc);
            sys::restore_signal_mask(&mask);
            if bg_no_jc && let Ok(fd) = sys::open("/dev/null", libc::O_RDONLY, 0) {
                if fd != 0 {
                    let _ = sys::dup2(fd, 0);
                    sys::close(fd);
                } else {
                    sys::set_cloexec(0, false);
                }
            }
            self.become_subshell();
        } else {
            if monitor {
                let pg = if pgid == 0 { pid } else { pgid };
                sys::setpgid(pid, pg);
            }
            sys::restore_signal_mask(&mask);
        }
        Ok(pid)
    }

    /// Starts the commands of a pipeline, each in a child: (process
    /// group, pids).
    fn spawn_pipeline(&mut self, cmds: &[Command], foreground: bool) -> (i32, Vec<i32>) {
        let n = cmds.len();
        let mut prev_read: Option<i32> = None;
        let mut pgid = 0;
        let mut pids = Vec::new();
        for (i, cmd) in cmds.iter().enumerate() {
            let (r, w) = if i + 1 < n {
                match sys::pipe() {
                    Ok(p) => p,
                    Err(e) => {
                        self.error(&format!("pipe: {}", sys::strerror(e)));
                        break;
                    }
                }
            } else {
                (-1, -1)
            };
            match self.fork_job(pgid, foreground) {
                Ok(0) => {
                    if let Some(pr) = prev_read {
                        let _ = sys::dup2(pr, 0);
                        sys::close(pr);
                    }
                    if w >= 0 {
                        let _ = sys::dup2(w, 1);
                        sys::close(w);
                        sys::close(r);
                    }
                    let r = self.exec_command(cmd, "", true);
                    let st = self.child_status(r);
                    self.exit_child(st)
                }
                Ok(pid) => {
                    if pgid == 0 && self.opts.monitor {
                        pgid = pid;
                    }
                    pids.push(pid);
                }
                Err(e) => {
                    self.error(&format!("fork: {}", sys::strerror(e)));
                    if w >= 0 {
                        sys::close(r);
                        sys::close(w);
                    }
                    break;
                }
            }
            if let Some(pr) = prev_read.take() {
                sys::close(pr);
            }
            if w >= 0 {
                sys::close(w);
                prev_read = Some(r);
            }
        }
        if let Some(pr) = prev_read {
            sys::close(pr);
        }
        (pgid, pids)
    }

    /// Waits for a job in the foreground until it ends or stops; its
    /// status. A job killed by Ctrl-C abandons an interactive command
    /// line.
    pub fn wait_fg(&mut self, id: usize) -> Status {
        let monitor = self.opts.monitor;
        let pgid = self.jobs.get(id).map(|j| j.pgid).unwrap_or(0);
        if monitor && pgid > 0 {
            sys::tcsetpgrp(self.tty, pgid);
        }
        loop {
            match self.jobs.get(id).map(|j| j.state()) {
                None | Some(JobState::Done) => break,
                Some(JobState::Stopped(_)) if monitor => break,
                _ => {}
            }
            let flags = if monitor { libc::WUNTRACED } else { 0 };
            match sys::waitpid(-1, flags) {
                Ok(Some((pid, st))) => {
                    self.jobs.update(pid, st);
                }
                Ok(None) => {
                    // No children left: whatever was not seen ended.
                    if let Some(j) = self.jobs.get_mut(id) {
                        for p in &mut j.procs {
                            if !matches!(p.state, crate::jobs::PState::Done(_)) {
                                p.state = crate::jobs::PState::Done(0);
                            }
                        }
                    }
                }
                Err(_) => {}
            }
        }
        if monitor {
            sys::tcsetpgrp(self.tty, self.shell_pgid);
            // A job that ended well may have changed the settings on
            // purpose (stty); otherwise put back the shell's.
            let clean = self.jobs.get(id).and_then(|j| j.last_wait_status()).is_some_and(|st| st == 0);
            if clean {
                self.tmodes = sys::tcgetattr(self.tty).or(self.tmodes);
            } else if let Some(t) = &self.tmodes {
                sys::tcsetattr(self.tty, t);
            }
        }
        let Some(job) = self.jobs.get(id) else { return Ok(0) };
        if let JobState::Stopped(sig) = job.state() {
            self.jobs.make_current(id);
            if let Some(j) = self.jobs.get_mut(id) {
                j.background = false;
                j.notified = true;
            }
            let line = self.jobs.describe(id, false);
            let _ = sys::write_str(2, &format!("\n{line}"));
            return Ok(128 + sig);
        }
        let job = self.jobs.remove(id).unwrap();
        let status = job.status();
        if let Some(st) = job.last_wait_status()
            && libc::WIFSIGNALED(st)
        {
            let sig = libc::WTERMSIG(st);
            if sig == libc::SIGINT {
                if self.opts.interactive {
                    let _ = sys::write_str(2, "\n");
                    self.status = status;
                    return Err(Flow::Abort(status));
                }
            } else if sig != libc::SIGPIPE {
                let core = if libc::WCOREDUMP(st) { " (core dumped)" } else { "" };
                let _ = sys::write_str(2, &format!("{}{core}\n", sys::signal_description(sig)));
            }
        }
        Ok(status)
    }

    pub fn exec_command(&mut self, cmd: &Command, text: &str, child: bool) -> Status {
        match cmd {
            Command::Simple(s) => self.exec_simple(s, text, child),
            Command::FuncDef { name, body } => {
                self.functions.insert(name.clone(), body.clone());
                Ok(0)
            }
            Command::Compound(c, redirs) => {
                if let Compound::Subshell(list) = c {
                    if !child {
                        return self.run_subshell(list, redirs, text);
                    }
                    if self.apply_redirs(redirs, false).is_err() {
                        return Ok(1);
                    }
                    if let Some(s) = list.single_simple() {
                        return self.exec_simple(s, text, true);
                    }
                    return self.exec_list(list);
                }
                let saved = match self.apply_redirs(redirs, true) {
                    Ok(s) => s,
                    Err(()) => return Ok(1),
                };
                let r = self.exec_compound(c);
                self.restore_redirs(saved);
                r
            }
        }
    }

    /// `( list )` in the foreground: a child process, waited for as a job.
    fn run_subshell(&mut self, list: &List, redirs: &[Redir], text: &str) -> Status {
        match self.fork_job(0, true) {
            Ok(0) => {
                let st = if self.apply_redirs(redirs, false).is_err() {
                    1
                } else {
                    let r = match list.single_simple() {
                        Some(s) => self.exec_simple(s, text, true),
                        None => self.exec_list(list),
                    };
                    self.child_status(r)
                };
                self.exit_child(st)
            }
            Ok(pid) => {
                let pgid = if self.opts.monitor { pid } else { 0 };
                let id = self.jobs.add(pgid, &[pid], text, false);
                self.wait_fg(id)
            }
            Err(e) => {
                self.error(&format!("fork: {}", sys::strerror(e)));
                Ok(2)
            }
        }
    }

    fn exec_condition(&mut self, list: &List) -> Status {
        self.errexit_off += 1;
        let r = self.exec_list(list);
        self.errexit_off -= 1;
        r
    }

    fn exec_compound(&mut self, c: &Compound) -> Status {
        match c {
            Compound::Brace(l) | Compound::Subshell(l) => self.exec_list(l),
            Compound::If { arms, otherwise } => {
                for (cond, body) in arms {
                    if self.exec_condition(cond)? == 0 {
                        return self.exec_list(body);
                    }
                }
                match otherwise {
                    Some(l) => self.exec_list(l),
                    None => Ok(0),
                }
            }
            Compound::Loop { until, cond, body } => self.exec_loop(*until, cond, body),
            Compound::For { var, words, body } => {
                let items = match words {
                    Some(w) => match expand::expand_words(self, w) {
                        Ok(v) => v,
                        Err(e) => return self.expand_failed(e),
                    },
                    None => self.positional.clone(),
                };
                self.loop_depth += 1;
                let mut result = Ok(0);
                for item in items {
                    if let Err(msg) = self.set(var, &item) {
                        self.error(&msg);
                        result = Ok(1);
                        break;
                    }
                    match self.exec_list(body) {
                        Ok(s) => result = Ok(s),
                        Err(Flow::Break(n)) => {
                            result = if n > 1 { Err(Flow::Break(n - 1)) } else { Ok(0) };
                            break;
                        }
                        Err(Flow::Continue(n)) => {
                            if n > 1 {
                                result = Err(Flow::Continue(n - 1));
                                break;
                            }
                            result = Ok(0);
                        }
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                    if let Err(e) = self.check_signals() {
                        result = Err(e);
                        break;
                    }
                }
                self.loop_depth -= 1;
                result
            }
            Compound::Case { word, arms } => {
                let w = match expand::expand_string(self, word) {
                    Ok(s) => s,
                    Err(e) => return self.expand_failed(e),
                };
                for arm in arms {
                    for pat in &arm.patterns {
                        let p = match expand::expand_pattern(self, pat) {
                            Ok(p) => p,
                            Err(e) => return self.expand_failed(e),
                        };
                        if glob::matches_str(&p, &w) {
                            return self.exec_list(&arm.body);
                        }
                    }
                }
                Ok(0)
            }
        }
    }

    fn exec_loop(&mut self, until: bool, cond: &List, body: &List) -> Status {
        let mut status = 0;
        self.loop_depth += 1;
        let r = loop {
            let r = match self.exec_condition(cond) {
                Ok(c) if (c == 0) == until => break Ok(status),
                Ok(_) => self.exec_list(body),
                Err(e) => Err(e),
            };
            match r {
                Ok(s) => status = s,
                Err(Flow::Break(n)) => break if n > 1 { Err(Flow::Break(n - 1)) } else { Ok(0) },
                Err(Flow::Continue(n)) => {
                    if n > 1 {
                        break Err(Flow::Continue(n - 1));
                    }
                    status = 0;
                }
                Err(e) => break Err(e),
            }
            if let Err(e) = self.check_signals() {
                break Err(e);
            }
        };
        self.loop_depth -= 1;
        r
    }

    fn exec_simple(&mut self, cmd: &SimpleCommand, text: &str, child: bool) -> Status {
        self.lineno = cmd.line;
        self.cmdsub_status = None;
        let argv = match expand::expand_words(self, &cmd.words) {
            Ok(a) => a,
            Err(e) => return self.expand_failed(e),
        };
        if argv.is_empty() {
            return self.exec_assignments(cmd);
        }
        let mut assigns = Vec::new();
        for a in &cmd.assigns {
            match expand::expand_assign(self, &a.value) {
                Ok(v) => assigns.push((a.name.clone(), v)),
                Err(e) => return self.expand_failed(e),
            }
        }
        if self.opts.xtrace {
            self.trace(&assigns, &argv);
        }
        let name = argv[0].as_str();
        if builtins::is_special(name) {
            for (k, v) in &assigns {
                if let Err(m) = self.set(k, v) {
                    self.error(&m);
                    return self.fatal(1);
                }
            }
            if name == "exec" {
                return self.builtin_exec(&argv, &cmd.redirs);
            }
            return self.run_builtin(&argv, &cmd.redirs);
        }
        if let Some(body) = self.functions.get(name).cloned() {
            let saved = self.push_temp(&assigns);
            let r = match self.apply_redirs(&cmd.redirs, true) {
                Ok(sv) => {
                    let r = self.call_function(&body, argv[1..].to_vec());
                    self.restore_redirs(sv);
                    r
                }
                Err(()) => Ok(1),
            };
            self.restore_vars(saved);
            return r;
        }
        if builtins::is_regular(name) {
            let saved = self.push_temp(&assigns);
            let r = self.run_builtin(&argv, &cmd.redirs);
            self.restore_vars(saved);
            return r;
        }
        self.run_external(&argv, &assigns, &cmd.redirs, text, child)
    }

    /// An error that ends a non-interactive shell and abandons an
    /// interactive command line.
    pub fn fatal(&mut self, status: i32) -> Status {
        self.status = status;
        Err(if self.opts.interactive { Flow::Abort(status) } else { Flow::Exit(status) })
    }

    /// A command of assignments and redirections only.
    fn exec_assignments(&mut self, cmd: &SimpleCommand) -> Status {
        for a in &cmd.assigns {
            let v = match expand::expand_assign(self, &a.value) {
                Ok(v) => v,
                Err(e) => return self.expand_failed(e),
            };
            if self.opts.xtrace {
                self.trace(&[(a.name.clone(), v.clone())], &[]);
            }
            if let Err(m) = self.set(&a.name, &v) {
                self.error(&m);
                return self.fatal(1);
            }
        }
        let status = self.cmdsub_status.unwrap_or(0);
        match self.apply_redirs(&cmd.redirs, true) {
            Ok(saved) => {
                self.restore_redirs(saved);
                Ok(status)
            }
            Err(()) => Ok(1),
        }
    }

    /// Sets assignments for the length of one command (exported); what to
    /// restore after.
    fn push_temp(&mut self, assigns: &[(String, String)]) -> Vec<(String, Option<Var>)> {
        let mut saved = Vec::new();
        for (k, v) in assigns {
            let old = self.vars.get(k).cloned();
            if old.as_ref().is_some_and(|o| o.readonly) {
                self.error(&format!("{k}: is read only"));
                continue;
            }
            saved.push((k.clone(), old));
            let var = self.vars.entry(k.clone()).or_default();
            var.value = Some(v.clone());
            var.exported = true;
        }
        saved
    }

    /// `set -x`: the command on standard error.
    fn trace(&mut self, assigns: &[(String, String)], argv: &[String]) {
        let mut line = self.get("PS4").unwrap_or_else(|| "+ ".into());
        let mut first = true;
        for (k, v) in assigns {
            if !first {
                line.push(' ');
            }
            first = false;
            line.push_str(&format!("{k}={}", quote(v)));
        }
        for a in argv {
            if !first {
                line.push(' ');
            }
            first = false;
            line.push_str(&quote(a));
        }
        line.push('\n');
        let _ = sys::write_str(2, &line);
    }

    fn run_builtin(&mut self, argv: &[String], redirs: &[Redir]) -> Status {
        let saved = match self.apply_redirs(redirs, true) {
            Ok(s) => s,
            Err(()) => {
                return if builtins::is_special(&argv[0]) && !self.opts.interactive {
                    Err(Flow::Exit(1))
                } else {
                    Ok(1)
                };
            }
        };
        let r = builtins::run(self, argv);
        self.restore_redirs(saved);
        r
    }

    /// `exec`: with a command, replace the shell; without, make the
    /// redirections permanent.
    fn builtin_exec(&mut self, argv: &[String], redirs: &[Redir]) -> Status {
        let mut args = &argv[1..];
        if args.first().is_some_and(|a| a == "--") {
            args = &args[1..];
        }
        if self.apply_redirs(redirs, false).is_err() {
            return self.fatal(1);
        }
        if args.is_empty() {
            return Ok(0);
        }
        let env = self.environment(&[]);
        if self.opts.interactive {
            self.child_signals(false);
        }
        let st = self.exec_replace(args, &env);
        if self.opts.interactive {
            sys::set_signal(libc::SIGINT, sys::Disposition::Catch);
            for sig in [libc::SIGQUIT, libc::SIGTERM, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU] {
                sys::set_signal(sig, sys::Disposition::Ignore);
            }
            return Ok(st);
        }
        Err(Flow::Exit(st))
    }

    /// A program from the file system, in a child (or in this process if
    /// it is a child already), waited for.
    pub fn run_external(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        redirs: &[Redir],
        text: &str,
        child: bool,
    ) -> Status {
        let env = self.environment(assigns);
        // The command's own assignments (PATH=... cmd) count for the search.
        let set_assigns = |sh: &mut Shell| {
            for (k, v) in assigns {
                let var = sh.vars.entry(k.clone()).or_default();
                var.value = Some(v.clone());
                var.exported = true;
            }
        };
        if child {
            set_assigns(self);
            if self.apply_redirs(redirs, false).is_err() {
                self.exit_child(1);
            }
            let st = self.exec_replace(argv, &env);
            self.exit_child(st);
        }
        match self.fork_job(0, true) {
            Ok(0) => {
                set_assigns(self);
                if self.apply_redirs(redirs, false).is_err() {
                    sys::exit_now(1);
                }
                let st = self.exec_replace(argv, &env);
                sys::exit_now(st)
            }
            Ok(pid) => {
                let pgid = if self.opts.monitor { pid } else { 0 };
                let text = if text.is_empty() { argv.join(" ") } else { text.to_string() };
                let id = self.jobs.add(pgid, &[pid], &text, false);
                self.wait_fg(id)
            }
            Err(e) => {
                self.error(&format!("fork: {}", sys::strerror(e)));
                Ok(2)
            }
        }
    }

    /// Executes `argv[0]` (searched in PATH) in place of this process;
    /// returns only on failure, with the status to exit with.
    pub fn exec_replace(&mut self, argv: &[String], env: &[CString]) -> i32 {
        let name = argv[0].as_str();
        if name.is_empty() {
            self.error(": not found");
            return 127;
        }
        let candidates: Vec<String> = if name.contains('/') {
            vec![name.to_string()]
        } else {
            let path = self.get("PATH").unwrap_or_else(|| DEFAULT_PATH.into());
            path.split(':')
                .map(|d| {
                    let d = if d.is_empty() { "." } else { d };
                    format!("{}/{name}", d.trim_end_matches('/'))
                })
                .collect()
        };
        let mut denied = false;
        for c in &candidates {
            match sys::execve(c, argv, env) {
                libc::ENOENT | libc::ENOTDIR => {}
                libc::EACCES | libc::EPERM | libc::EISDIR => denied = true,
                libc::ENOEXEC if self.subshell => return self.run_script_file(c, argv),
                e => {
                    self.error(&format!("{name}: {}", sys::strerror(e)));
                    return 126;
                }
            }
        }
        if denied {
            self.error(&format!("{name}: Permission denied"));
            126
        } else {
            self.error(&format!("{name}: not found"));
            127
        }
    }

    /// A file the kernel would not execute: run it as a shell script in
    /// this (child) process.
    fn run_script_file(&mut self, path: &str, argv: &[String]) -> i32 {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                self.error(&format!("{path}: {e}"));
                return 126;
            }
        };
        if bytes.iter().take(512).any(|&b| b == 0) {
            self.error(&format!("{}: cannot execute binary file", argv[0]));
            return 126;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        self.functions.clear();
        self.aliases.clear();
        self.vars.retain(|_, v| v.exported);
        self.traps.clear();
        self.locals.clear();
        self.func_depth = 0;
        self.loop_depth = 0;
        self.source_depth = 0;
        self.errexit_off = 0;
        let interactive = self.opts.interactive;
        self.opts = Default::default();
        self.opts.interactive = interactive;
        self.positional = argv[1..].to_vec();
        self.arg0 = argv[0].clone();
        self.script = Some(argv[0].clone());
        self.run_main(Box::new(crate::lexer::StrSource::new(&text)))
    }

    /// Runs a function with `args` as its positional parameters.
    pub fn call_function(&mut self, body: &Rc<Command>, args: Vec<String>) -> Status {
        if self.func_depth >= MAX_FUNC_DEPTH {
            self.error("function nesting too deep");
            return self.fatal(2);
        }
        let saved_args = std::mem::replace(&mut self.positional, args);
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        self.func_depth += 1;
        self.locals.push(Vec::new());
        let r = self.exec_command(body, "", false);
        let frame = self.locals.pop().unwrap_or_default();
        self.restore_vars(frame);
        self.func_depth -= 1;
        self.loop_depth = saved_loop;
        self.positional = saved_args;
        match r {
            Err(Flow::Return(s)) => Ok(s),
            r => r,
        }
    }

    /// `$(...)`: runs the list in a child and collects its output.
    pub fn command_substitution(&mut self, list: &List) -> Result<String, ExpandError> {
        let fail = |what: &str, e: i32| ExpandError { msg: format!("{what}: {}", sys::strerror(e)) };
        let (r, w) = sys::pipe().map_err(|e| fail("pipe", e))?;
        let pid = match sys::fork() {
            Ok(p) => p,
            Err(e) => {
                sys::close(r);
                sys::close(w);
                return Err(fail("fork", e));
            }
        };
        if pid == 0 {
            sys::close(r);
            if w != 1 {
                let _ = sys::dup2(w, 1);
                sys::close(w);
            }
            self.child_signals(false);
            self.become_subshell();
            let res = match list.single_simple() {
                Some(s) => self.exec_simple(s, "", true),
                None => self.exec_list(list),
            };
            let st = self.child_status(res);
            self.exit_child(st);
        }
        sys::close(w);
        let out = sys::read_to_end(r);
        sys::close(r);
        let status = loop {
            match sys::waitpid(pid, 0) {
                Ok(Some((_, st))) => break sys::status_code(st),
                Ok(None) => break 0,
                Err(_) => continue,
            }
        };
        self.status = status;
        self.cmdsub_status = Some(status);
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    // ---- redirections ----

    /// Performs redirections; with `save`, the descriptors they replace
    /// are kept to be put back by [`Shell::restore_redirs`]. An error is
    /// reported here.
    pub fn apply_redirs(&mut self, redirs: &[Redir], save: bool) -> Result<Vec<(i32, i32)>, ()> {
        let mut saved = Vec::new();
        for r in redirs {
            if let Err(msg) = self.redirect(r, save, &mut saved) {
                self.error(&msg);
                self.restore_redirs(saved);
                return Err(());
            }
        }
        Ok(saved)
    }

    pub fn restore_redirs(&mut self, saved: Vec<(i32, i32)>) {
        for (fd, s) in saved.into_iter().rev() {
            if s >= 0 {
                let _ = sys::dup2(s, fd);
                sys::close(s);
            } else {
                sys::close(fd);
            }
        }
    }

    fn redirect(&mut self, r: &Redir, save: bool, saved: &mut Vec<(i32, i32)>) -> Result<(), String> {
        let fd = r.fd;
        if save && !saved.iter().any(|(f, _)| *f == fd) {
            let s = if sys::fd_is_open(fd) { sys::dup_high(fd).unwrap_or(-1) } else { -1 };
            saved.push((fd, s));
        }
        let target = match r.kind {
            RedirKind::HereDoc => {
                let doc = r.heredoc.as_ref().map(|d| d.borrow().clone()).unwrap_or_default();
                let body = if doc.quoted {
                    match doc.body.first() {
                        Some(WordPart::Quoted(s)) => s.clone(),
                        _ => String::new(),
                    }
                } else {
                    expand::expand_string(self, &doc.body).map_err(|e| e.msg)?
                };
                Target::Owned(heredoc_fd(&body)?)
            }
            RedirKind::DupIn | RedirKind::DupOut => {
                let w = expand::expand_string(self, &r.target).map_err(|e| e.msg)?;
                if w == "-" {
                    Target::Close
                } else if !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) {
                    let n: i32 = w.parse().map_err(|_| format!("{w}: Bad file descriptor"))?;
                    if !sys::fd_is_open(n) {
                        return Err(format!("{n}: Bad file descriptor"));
                    }
                    if n == fd {
                        return Ok(());
                    }
                    Target::Dup(n)
                } else {
                    return Err(format!("{w}: ambiguous redirect"));
                }
            }
            kind => {
                let path = expand::expand_string(self, &r.target).map_err(|e| e.msg)?;
                let flags = match kind {
                    RedirKind::In => libc::O_RDONLY,
                    RedirKind::Out | RedirKind::Clobber => libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
                    RedirKind::Append => libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND,
                    _ => libc::O_RDWR | libc::O_CREAT,
                };
                if kind == RedirKind::Out && self.opts.noclobber && sys::stat(&path).is_some_and(|st| sys::is_reg(&st))
                {
                    return Err(format!("{path}: cannot overwrite existing file"));
                }
                let n = sys::open(&path, flags, 0o666).map_err(|e| format!("{path}: {}", sys::strerror(e)))?;
                Target::Owned(n)
            }
        };
        match target {
            Target::Close => sys::close(fd),
            Target::Dup(n) => sys::dup2(n, fd).map_err(|e| format!("{fd}: {}", sys::strerror(e)))?,
            Target::Owned(n) => {
                if n == fd {
                    sys::set_cloexec(fd, false);
                } else {
                    let r = sys::dup2(n, fd);
                    sys::close(n);
                    r.map_err(|e| format!("{fd}: {}", sys::strerror(e)))?;
                }
            }
        }
        Ok(())
    }

    /// Whether `name` is a program in PATH: its path.
    pub fn find_in_path(&self, name: &str) -> Option<String> {
        if name.contains('/') {
            return sys::access(name, libc::X_OK).then(|| name.to_string());
        }
        let path = self.get("PATH").unwrap_or_else(|| DEFAULT_PATH.into());
        for d in path.split(':') {
            let d = if d.is_empty() { "." } else { d };
            let full = format!("{}/{name}", d.trim_end_matches('/'));
            if let Some(st) = sys::stat(&full)
                && sys::is_reg(&st)
                && sys::access(&full, libc::X_OK)
            {
                return Some(full);
            }
        }
        None
    }
}

/// A descriptor to read a here-document's body from: a pipe, written by a
/// child when the body might not fit.
fn heredoc_fd(body: &str) -> Result<i32, String> {
    let (r, w) = sys::pipe().map_err(|e| format!("pipe: {}", sys::strerror(e)))?;
    if body.len() <= 32 * 1024 {
        let _ = sys::write_all(w, body.as_bytes());
        sys::close(w);
        return Ok(r);
    }
    match sys::fork() {
        Ok(0) => {
            sys::close(r);
            sys::set_signal(libc::SIGPIPE, sys::Disposition::Default);
            let _ = sys::write_all(w, body.as_bytes());
            sys::exit_now(0)
        }
        Ok(_) => {
            sys::close(w);
            Ok(r)
        }
        Err(e) => {
            sys::close(r);
            sys::close(w);
            Err(format!("fork: {}", sys::strerror(e)))
        }
    }
}

/// A word quoted for the shell when it needs to be.
pub fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_./:=+-,%@^".contains(c)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}
