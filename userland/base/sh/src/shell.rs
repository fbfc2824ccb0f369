//! The shell's state: variables, positional parameters, functions,
//! aliases, options, jobs, traps; and the loop that reads and runs
//! commands.

use std::collections::{BTreeMap, HashMap};
use std::ffi::CString;
use std::rc::Rc;

use crate::ast::{Command, List, is_name};
use crate::expand::{Env, ExpandError};
use crate::glob::{GlobFs, RealFs};
use crate::jobs::Jobs;
use crate::lexer::{Source, StrSource};
use crate::parser::{ParseError, Parser};
use crate::sys;

#[derive(Clone, Debug, Default)]
pub struct Var {
    pub value: Option<String>,
    pub exported: bool,
    pub readonly: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub errexit: bool,
    pub xtrace: bool,
    pub nounset: bool,
    pub noglob: bool,
    pub noclobber: bool,
    pub allexport: bool,
    pub verbose: bool,
    pub noexec: bool,
    /// Job control.
    pub monitor: bool,
    pub interactive: bool,
}

/// The long names of the options (`set -o name`), with their letters.
pub const OPTION_NAMES: &[(&str, char)] = &[
    ("allexport", 'a'),
    ("errexit", 'e'),
    ("noglob", 'f'),
    ("monitor", 'm'),
    ("noclobber", 'C'),
    ("noexec", 'n'),
    ("nounset", 'u'),
    ("verbose", 'v'),
    ("xtrace", 'x'),
];

/// How a command ended other than normally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Break(usize),
    Continue(usize),
    Return(i32),
    /// `exit`, or an error that ends a non-interactive shell.
    Exit(i32),
    /// Abandon the command line: an error in an interactive shell, or
    /// Ctrl-C.
    Abort(i32),
}

pub type Status = Result<i32, Flow>;

pub struct Shell {
    pub vars: HashMap<String, Var>,
    pub positional: Vec<String>,
    /// `$0`.
    pub arg0: String,
    pub functions: HashMap<String, Rc<Command>>,
    pub aliases: HashMap<String, String>,
    /// `$?`.
    pub status: i32,
    /// `$!`.
    pub last_bg: Option<i32>,
    /// `$$`.
    pub pid: i32,
    pub opts: Options,
    pub jobs: Jobs,
    /// Saved variables of `local`, one frame per function call.
    pub locals: Vec<Vec<(String, Option<Var>)>>,
    pub loop_depth: usize,
    pub func_depth: usize,
    pub source_depth: usize,
    /// Inside a condition (`if`, `while`, `&&`, `!`): `set -e` is off.
    pub errexit_off: usize,
    /// Trap actions by signal (0 is EXIT); an empty action ignores.
    pub traps: BTreeMap<i32, String>,
    /// A forked child of the shell (subshell, pipeline element).
    pub subshell: bool,
    pub lineno: usize,
    /// The script being run (its name prefixes error messages).
    pub script: Option<String>,
    /// The terminal, under job control.
    pub tty: i32,
    pub shell_pgid: i32,
    /// The terminal settings to restore after a job.
    pub tmodes: Option<libc::termios>,
    /// The exit status of the last command substitution of this command.
    pub cmdsub_status: Option<i32>,
    /// `exit` was refused once because of stopped jobs.
    pub exit_warned: bool,
    /// The prompts the interactive input shows next.
    pub prompts: crate::input::Prompts,
    /// `getopts`: the position in the current argument, and the OPTIND
    /// it belongs to.
    pub getopts_pos: usize,
    pub getopts_index: usize,
    random: std::cell::Cell<u32>,
}

impl Shell {
    pub fn new() -> Self {
        let mut sh = Shell {
            vars: HashMap::new(),
            positional: Vec::new(),
            arg0: "sh".into(),
            functions: HashMap::new(),
            aliases: HashMap::new(),
            status: 0,
            last_bg: None,
            pid: sys::getpid(),
            opts: Options::default(),
            jobs: Jobs::default(),
            locals: Vec::new(),
            loop_depth: 0,
            func_depth: 0,
            source_depth: 0,
            errexit_off: 0,
            traps: BTreeMap::new(),
            subshell: false,
            lineno: 0,
            script: None,
            tty: -1,
            shell_pgid: 0,
            tmodes: None,
            cmdsub_status: None,
            exit_warned: false,
            prompts: Default::default(),
            getopts_pos: 0,
            getopts_index: 1,
            random: std::cell::Cell::new(sys::getpid() as u32 ^ 0x5deece66),
        };
        for (k, v) in std::env::vars_os() {
            let (k, v) = (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned());
            if is_name(&k) {
                sh.vars.insert(k, Var { value: Some(v), exported: true, readonly: false });
            }
        }
        if !sh.vars.contains_key("PATH") {
            sh.vars.insert("PATH".into(), Var { value: Some(DEFAULT_PATH.into()), exported: true, readonly: false });
        }
        sh.vars.insert("IFS".into(), Var { value: Some(" \t\n".into()), ..Default::default() });
        for (k, v) in [("PS2", "> "), ("PS4", "+ "), ("OPTIND", "1")] {
            sh.vars.insert(k.into(), Var { value: Some(v.into()), ..Default::default() });
        }
        // SAFETY: plain call.
        let ppid = unsafe { libc::getppid() };
        sh.vars.insert("PPID".into(), Var { value: Some(ppid.to_string()), ..Default::default() });
        // PWD: keep the inherited one if it names the working directory.
        let cwd = sys::getcwd();
        let inherited_ok = match (sh.get("PWD"), &cwd) {
            (Some(p), Some(_)) if p.starts_with('/') => {
                matches!((sys::stat(&p), sys::stat(".")), (Some(a), Some(b)) if a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            }
            _ => false,
        };
        if !inherited_ok && let Some(c) = cwd {
            let exported = sh.vars.get("PWD").is_some_and(|v| v.exported);
            sh.vars.insert("PWD".into(), Var { value: Some(c), exported, readonly: false });
        }
        sh
    }

    // ---- variables ----

    pub fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).and_then(|v| v.value.clone())
    }

    /// Sets a variable, keeping its attributes; an error for a read-only
    /// one.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let allexport = self.opts.allexport;
        let v = self.vars.entry(name.to_string()).or_default();
        if v.readonly {
            return Err(format!("{name}: is read only"));
        }
        v.value = Some(value.to_string());
        if allexport {
            v.exported = true;
        }
        Ok(())
    }

    pub fn unset(&mut self, name: &str) -> Result<(), String> {
        if self.vars.get(name).is_some_and(|v| v.readonly) {
            return Err(format!("{name}: is read only"));
        }
        self.vars.remove(name);
        Ok(())
    }

    /// `name=value` for each exported variable, with `extra` on top.
    pub fn environment(&self, extra: &[(String, String)]) -> Vec<CString> {
        let mut map: BTreeMap<&str, &str> = BTreeMap::new();
        for (k, v) in &self.vars {
            if let (true, Some(val)) = (v.exported, &v.value) {
                map.insert(k, val);
            }
        }
        for (k, v) in extra {
            map.insert(k, v);
        }
        map.iter().map(|(k, v)| sys::cstr(&format!("{k}={v}"))).collect()
    }

    /// Saves a variable for `local` in the current function's frame.
    pub fn save_local(&mut self, name: &str) {
        let old = self.vars.get(name).cloned();
        if let Some(frame) = self.locals.last_mut()
            && !frame.iter().any(|(n, _)| n == name)
        {
            frame.push((name.to_string(), old));
        }
    }

    pub fn restore_vars(&mut self, saved: Vec<(String, Option<Var>)>) {
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(v) => {
                    self.vars.insert(name, v);
                }
                None => {
                    self.vars.remove(&name);
                }
            }
        }
    }

    /// The letters of the options that are on (`$-`).
    pub fn option_letters(&self) -> String {
        let o = &self.opts;
        let mut s = String::new();
        for (on, c) in [
            (o.allexport, 'a'),
            (o.errexit, 'e'),
            (o.noglob, 'f'),
            (o.interactive, 'i'),
            (o.monitor, 'm'),
            (o.noexec, 'n'),
            (o.nounset, 'u'),
            (o.verbose, 'v'),
            (o.xtrace, 'x'),
            (o.noclobber, 'C'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }

    /// Sets an option by letter; false if there is no such option.
    pub fn set_option(&mut self, c: char, on: bool) -> bool {
        let o = &mut self.opts;
        match c {
            'a' => o.allexport = on,
            'e' => o.errexit = on,
            'f' => o.noglob = on,
            'm' => {
                if on && !o.monitor && self.tty >= 0 {
                    o.monitor = true;
                } else if !on {
                    o.monitor = false;
                }
            }
            'n' => o.noexec = on && !o.interactive,
            'u' => o.nounset = on,
            'v' => o.verbose = on,
            'x' => o.xtrace = on,
            'C' => o.noclobber = on,
            'i' => o.interactive = on,
            _ => return false,
        }
        true
    }

    pub fn option_on(&self, c: char) -> bool {
        self.option_letters().contains(c)
    }

    // ---- messages ----

    /// The prefix of error messages: `sh: ` or `script: line N: `.
    pub fn prefix(&self, line: usize) -> String {
        match &self.script {
            Some(s) if !self.opts.interactive => format!("{s}: line {line}: "),
            _ => "sh: ".to_string(),
        }
    }

    pub fn error(&self, msg: &str) {
        let _ = sys::write_str(2, &format!("{}{msg}\n", self.prefix(self.lineno)));
    }

    /// An expansion error: the command fails; a non-interactive shell
    /// exits.
    pub fn expand_failed(&mut self, e: ExpandError) -> Status {
        self.error(&e.msg);
        self.status = 2;
        Err(if self.opts.interactive { Flow::Abort(2) } else { Flow::Exit(2) })
    }

    // ---- running text ----

    /// Reads and runs commands from `parser` until its input ends. A
    /// syntax error ends a non-interactive shell (status 2); `top` says
    /// this is the shell's main input (prompts, job reports).
    pub fn run_parser(&mut self, parser: &mut Parser, top: bool) -> Status {
        loop {
            if top && self.opts.interactive {
                self.report_jobs();
                let prompts = (self.prompt("PS1"), self.prompt("PS2"));
                *self.prompts.borrow_mut() = prompts;
            }
            parser.aliases.clone_from(&self.aliases);
            match parser.parse_complete_command() {
                Ok(None) => break,
                Ok(Some(list)) => {
                    if self.opts.noexec {
                        continue;
                    }
                    match self.exec_list(&list) {
                        Ok(s) => self.status = s,
                        Err(Flow::Abort(s)) if self.opts.interactive && top => {
                            self.status = s;
                        }
                        Err(Flow::Break(_)) | Err(Flow::Continue(_)) => {}
                        Err(f) => return Err(f),
                    }
                    if top && let Err(f) = self.check_signals() {
                        match f {
                            Flow::Abort(s) if self.opts.interactive => self.status = s,
                            f => return Err(f),
                        }
                    }
                }
                Err(ParseError::Interrupted) => {
                    self.status = 130;
                    parser.discard();
                }
                Err(ParseError::Syntax { msg, line }) => {
                    let _ = sys::write_str(2, &format!("{}syntax error: {msg}\n", self.prefix(line)));
                    self.status = 2;
                    if !self.opts.interactive {
                        return Err(Flow::Exit(2));
                    }
                    parser.discard();
                    if !top {
                        return Ok(2);
                    }
                }
            }
        }
        Ok(self.status)
    }

    /// Runs a string (`eval`, `.`, `sh -c`): syntax errors stop it with
    /// status 2.
    pub fn run_string(&mut self, text: &str) -> Status {
        let mut parser = Parser::new(Box::new(StrSource::new(text)));
        self.run_source_parser(&mut parser)
    }

    fn run_source_parser(&mut self, parser: &mut Parser) -> Status {
        loop {
            parser.aliases.clone_from(&self.aliases);
            match parser.parse_complete_command() {
                Ok(None) => break Ok(self.status),
                Ok(Some(list)) => {
                    if self.opts.noexec {
                        continue;
                    }
                    match self.exec_list(&list) {
                        Ok(s) => self.status = s,
                        Err(f) => break Err(f),
                    }
                }
                Err(ParseError::Interrupted) => break Ok(130),
                Err(ParseError::Syntax { msg, line }) => {
                    let _ = sys::write_str(2, &format!("{}syntax error: {msg}\n", self.prefix(line)));
                    self.status = 2;
                    break Ok(2);
                }
            }
        }
    }

    /// Runs the whole input of `src` as the shell's main program.
    pub fn run_main(&mut self, src: Box<dyn Source>) -> i32 {
        let mut parser = Parser::new(src);
        let r = self.run_parser(&mut parser, true);
        let status = match r {
            Ok(_) => self.status,
            Err(Flow::Exit(s)) | Err(Flow::Abort(s)) | Err(Flow::Return(s)) => s,
            Err(_) => self.status,
        };
        self.finish(status)
    }

    /// Runs the EXIT trap; the status to exit with.
    pub fn finish(&mut self, status: i32) -> i32 {
        self.status = status;
        if let Some(action) = self.traps.remove(&0)
            && !action.is_empty()
        {
            let _ = self.run_string(&action);
        }
        // Stopped jobs would stay stopped for ever: hang them up.
        if self.opts.monitor {
            for job in &self.jobs.list {
                if matches!(job.state(), crate::jobs::JobState::Stopped(_)) && job.pgid > 0 {
                    let _ = sys::kill(-job.pgid, libc::SIGHUP);
                    let _ = sys::kill(-job.pgid, libc::SIGCONT);
                }
            }
        }
        status
    }

    // ---- signals and traps ----

    /// Runs the traps of signals that arrived; Ctrl-C in an interactive
    /// shell abandons the command line.
    pub fn check_signals(&mut self) -> Result<(), Flow> {
        if sys::pending() == 0 {
            return Ok(());
        }
        let bits = sys::take_pending();
        let mut interrupt = false;
        for sig in 1..64 {
            if bits & (1 << sig) == 0 {
                continue;
            }
            match self.traps.get(&sig).cloned() {
                Some(action) if !action.is_empty() => {
                    let saved = self.status;
                    let r = self.run_string(&action);
                    self.status = saved;
                    if let Err(f @ Flow::Exit(_)) = r {
                        return Err(f);
                    }
                }
                Some(_) => {}
                None => {
                    if sig == libc::SIGINT && self.opts.interactive {
                        interrupt = true;
                    }
                }
            }
        }
        if interrupt {
            let _ = sys::write_str(2, "\n");
            return Err(Flow::Abort(130));
        }
        Ok(())
    }

    /// Sets up an interactive shell: its own process group in the
    /// foreground of the terminal, the job-control signals and SIGTERM ignored.
    pub fn init_interactive(&mut self) {
        self.opts.interactive = true;
        if !sys::isatty(0) {
            return;
        }
        let tty = sys::dup_high(0).unwrap_or(-1);
        if tty < 0 {
            return;
        }
        // Wait until we are in the foreground (a shell started in the
        // background stops here).
        loop {
            let fg = sys::tcgetpgrp(tty);
            let me = sys::getpgrp();
            if fg <= 0 || fg == me {
                break;
            }
            let _ = sys::kill(-me, libc::SIGTTIN);
        }
        sys::set_signal(libc::SIGINT, sys::Disposition::Catch);
        for sig in [libc::SIGQUIT, libc::SIGTERM, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU] {
            sys::set_signal(sig, sys::Disposition::Ignore);
        }
        let pid = sys::getpid();
        sys::setpgid(0, pid);
        self.shell_pgid = sys::getpgrp();
        sys::tcsetpgrp(tty, self.shell_pgid);
        self.tty = tty;
        self.tmodes = sys::tcgetattr(tty);
        self.opts.monitor = true;
    }

    /// In a forked child: signals back to what a program expects.
    pub fn child_signals(&mut self, background_no_jc: bool) {
        if self.opts.interactive {
            for sig in [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU] {
                sys::set_signal(sig, sys::Disposition::Default);
            }
        }
        for (&sig, action) in &self.traps {
            if sig > 0 && !action.is_empty() {
                sys::set_signal(sig, sys::Disposition::Default);
            }
        }
        if background_no_jc {
            sys::set_signal(libc::SIGINT, sys::Disposition::Ignore);
            sys::set_signal(libc::SIGQUIT, sys::Disposition::Ignore);
        }
    }

    /// In a forked child: no more job control or traps.
    pub fn become_subshell(&mut self) {
        self.subshell = true;
        self.opts.interactive = false;
        self.opts.monitor = false;
        // The job table stays, so `jobs | ...` and `jobs -p` work in a
        // pipeline; a child cannot wait for its parent's children.
        self.traps.retain(|_, a| a.is_empty());
        if self.tty >= 0 {
            sys::close(self.tty);
            self.tty = -1;
        }
        sys::take_pending();
    }

    /// Ends a forked child.
    pub fn exit_child(&mut self, status: i32) -> ! {
        let status = self.finish(status);
        sys::exit_now(status & 0xff)
    }

    // ---- prompts ----

    /// PS1 or PS2 for display: backslash escapes, then parameter
    /// expansion.
    pub fn prompt(&mut self, name: &str) -> String {
        let raw = match self.get(name) {
            Some(p) => p,
            None if name == "PS1" => DEFAULT_PS1.to_string(),
            None => String::new(),
        };
        let mut s = String::new();
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                s.push(c);
                continue;
            }
            match chars.next() {
                Some('w') => s.push_str(&self.pretty_pwd()),
                Some('W') => {
                    let p = self.pretty_pwd();
                    s.push_str(if p == "/" { "/" } else { p.rsplit('/').next().unwrap_or("") });
                }
                Some('u') => s.push_str(&self.get("USER").or_else(sys::user_name).unwrap_or_default()),
                Some('h') => s.push_str(sys::hostname().split('.').next().unwrap_or("")),
                Some('H') => s.push_str(&sys::hostname()),
                Some('$') => s.push(if sys::geteuid() == 0 { '#' } else { '$' }),
                Some('n') => s.push('\n'),
                Some('e') => s.push('\x1b'),
                Some('a') => s.push('\x07'),
                Some('s') => s.push_str("sh"),
                Some('[') | Some(']') => {}
                Some('\\') => s.push('\\'),
                Some(o) => {
                    s.push('\\');
                    s.push(o);
                }
                None => s.push('\\'),
            }
        }
        if !s.contains(['$', '`']) {
            return s;
        }
        let escaped = s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut p = Parser::new(Box::new(StrSource::new(&format!("\"{escaped}\""))));
        let word = match p.parse_all() {
            Ok(list) => match list.single_simple() {
                Some(cmd) if cmd.words.len() == 1 && cmd.assigns.is_empty() => cmd.words[0].clone(),
                _ => return s,
            },
            Err(_) => return s,
        };
        crate::expand::expand_string(self, &word).unwrap_or(s)
    }

    /// $PWD with $HOME shown as `~`.
    fn pretty_pwd(&self) -> String {
        let pwd = self.get("PWD").or_else(sys::getcwd).unwrap_or_default();
        if let Some(home) = self.get("HOME") {
            let home = home.trim_end_matches('/');
            if !home.is_empty() {
                if pwd == home {
                    return "~".into();
                }
                if let Some(rest) = pwd.strip_prefix(home)
                    && rest.starts_with('/')
                {
                    return format!("~{rest}");
                }
            }
        }
        pwd
    }

    /// Reports jobs that finished or stopped since the last prompt.
    pub fn report_jobs(&mut self) {
        self.reap();
        let ids: Vec<usize> = self.jobs.list.iter().map(|j| j.id).collect();
        for id in ids {
            let Some(job) = self.jobs.get(id) else { continue };
            if job.notified {
                continue;
            }
            match job.state() {
                crate::jobs::JobState::Done => {
                    let line = self.jobs.describe(id, false);
                    let _ = sys::write_str(2, &line);
                    self.jobs.remove(id);
                }
                crate::jobs::JobState::Stopped(_) => {
                    let line = self.jobs.describe(id, false);
                    let _ = sys::write_str(2, &line);
                    if let Some(j) = self.jobs.get_mut(id) {
                        j.notified = true;
                    }
                }
                crate::jobs::JobState::Running => {}
            }
        }
    }

    /// Collects the status of children that changed, without waiting.
    pub fn reap(&mut self) {
        if self.jobs.is_empty() {
            return;
        }
        let flags = libc::WNOHANG | libc::WUNTRACED | libc::WCONTINUED;
        while let Ok(Some((pid, status))) = sys::waitpid(-1, flags) {
            if pid == 0 {
                break;
            }
            self.jobs.update(pid, status);
        }
    }

    pub fn next_random(&self) -> u32 {
        let r = self.random.get().wrapping_mul(1103515245).wrapping_add(12345);
        self.random.set(r);
        (r >> 16) & 0x7fff
    }
}

pub const DEFAULT_PATH: &str = "/bin:/sbin:/usr/bin";
pub const DEFAULT_PS1: &str = "\\w \\$ ";

impl Env for Shell {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "LINENO" if !self.vars.contains_key("LINENO") => Some(self.lineno.to_string()),
            "RANDOM" if !self.vars.contains_key("RANDOM") => Some(self.next_random().to_string()),
            _ => self.get(name),
        }
    }

    fn set_var(&mut self, name: &str, value: String) -> Result<(), String> {
        self.set(name, &value)
    }

    fn positional(&self) -> &[String] {
        &self.positional
    }

    fn special(&self, c: char) -> Option<String> {
        match c {
            '?' => Some(self.status.to_string()),
            '$' => Some(self.pid.to_string()),
            '!' => self.last_bg.map(|p| p.to_string()),
            '-' => Some(self.option_letters()),
            '0' => Some(self.arg0.clone()),
            _ => None,
        }
    }

    fn command_subst(&mut self, list: &List) -> Result<String, ExpandError> {
        self.command_substitution(list)
    }

    fn nounset(&self) -> bool {
        self.opts.nounset
    }

    fn noglob(&self) -> bool {
        self.opts.noglob
    }

    fn home_dir(&self, user: &str) -> Option<String> {
        sys::home_of(user)
    }

    fn glob_fs(&self) -> &dyn GlobFs {
        &RealFs
    }
}
