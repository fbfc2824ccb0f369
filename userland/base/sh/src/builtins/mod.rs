//! The builtin commands.

pub mod printf;
pub mod test;

use crate::ast::{RESERVED, is_name};
use crate::exec::quote;
use crate::expand::split_for_read;
use crate::jobs::JobState;
use crate::shell::{Flow, OPTION_NAMES, Shell, Status};
use crate::sys;

/// POSIX's special builtins: assignments before them stay, and they come
/// before functions.
const SPECIAL: &[&str] = &[
    ":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift", "times",
    "trap", "unset",
];

const REGULAR: &[&str] = &[
    "[", "alias", "bg", "cd", "command", "echo", "false", "fg", "getopts", "hash", "jobs", "kill", "local", "printf",
    "pwd", "read", "source", "test", "true", "type", "umask", "unalias", "wait",
];

pub fn is_special(name: &str) -> bool {
    SPECIAL.contains(&name)
}

pub fn is_regular(name: &str) -> bool {
    REGULAR.contains(&name)
}

pub fn is_builtin(name: &str) -> bool {
    is_special(name) || is_regular(name)
}

/// Writes to standard output; a failed write is an error message and
/// status 1.
fn out(sh: &Shell, name: &str, s: &str) -> i32 {
    match sys::write_str(1, s) {
        Ok(()) => 0,
        Err(e) => {
            sh.error(&format!("{name}: write error: {}", sys::strerror(e)));
            1
        }
    }
}

fn err(sh: &Shell, name: &str, msg: &str) {
    sh.error(&format!("{name}: {msg}"));
}

pub fn run(sh: &mut Shell, argv: &[String]) -> Status {
    let name = argv[0].as_str();
    let args = &argv[1..];
    Ok(match name {
        ":" | "true" => 0,
        "false" => 1,
        "echo" => echo(sh, args),
        "printf" => printf_builtin(sh, args),
        "test" => test_builtin(sh, "test", args),
        "[" => {
            if args.last().map(|s| s.as_str()) != Some("]") {
                err(sh, "[", "missing ]");
                2
            } else {
                test_builtin(sh, "[", &args[..args.len() - 1])
            }
        }
        "cd" => cd(sh, args),
        "pwd" => pwd(sh, args),
        "exit" => return exit(sh, args),
        "return" => return return_builtin(sh, args),
        "break" | "continue" => return break_continue(sh, name, args),
        "export" => export_readonly(sh, "export", args),
        "readonly" => export_readonly(sh, "readonly", args),
        "unset" => unset(sh, args),
        "set" => set(sh, args),
        "shift" => shift(sh, args),
        "eval" => {
            let text = args.join(" ");
            return sh.run_string(&text);
        }
        "." | "source" => return source(sh, name, args),
        "read" => read(sh, args),
        "wait" => return wait(sh, args),
        "jobs" => jobs(sh, args),
        "fg" => return fg(sh, args),
        "bg" => bg(sh, args),
        "kill" => kill(sh, args),
        "umask" => umask(sh, args),
        "alias" => alias(sh, args),
        "unalias" => unalias(sh, args),
        "type" => type_builtin(sh, args),
        "command" => return command(sh, args),
        "local" => local(sh, args),
        "trap" => trap(sh, args),
        "times" => times(sh),
        "getopts" => getopts(sh, args),
        "hash" => 0,
        _ => {
            err(sh, name, "not a builtin");
            1
        }
    })
}

// ---- output ----

fn echo(sh: &Shell, args: &[String]) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut s = args[i..].join(" ");
    if escapes {
        let (t, stop) = printf::unescape(&s, true);
        s = t;
        if stop {
            newline = false;
        }
    }
    if newline {
        s.push('\n');
    }
    out(sh, "echo", &s)
}

fn printf_builtin(sh: &Shell, args: &[String]) -> i32 {
    let args = if args.first().is_some_and(|a| a == "--") { &args[1..] } else { args };
    let Some(fmt) = args.first() else {
        err(sh, "printf", "usage: printf format [arg ...]");
        return 2;
    };
    let (text, errors) = printf::printf(fmt, &args[1..]);
    let st = out(sh, "printf", &text);
    for e in &errors {
        err(sh, "printf", e);
    }
    if errors.is_empty() { st } else { 1 }
}

fn test_builtin(sh: &Shell, name: &str, args: &[String]) -> i32 {
    match test::test(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            err(sh, name, &e);
            2
        }
    }
}

// ---- directories ----

/// `path` with `.` and `..` components resolved as text.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

fn same_file(a: &str, b: &str) -> bool {
    matches!((sys::stat(a), sys::stat(b)), (Some(x), Some(y)) if x.st_dev == y.st_dev && x.st_ino == y.st_ino)
}

/// The logical working directory: $PWD when it is right.
fn current_dir(sh: &Shell) -> String {
    match sh.get("PWD") {
        Some(p) if p.starts_with('/') && same_file(&p, ".") => p,
        _ => sys::getcwd().unwrap_or_else(|| ".".into()),
    }
}

fn cd(sh: &mut Shell, args: &[String]) -> i32 {
    let mut physical = false;
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i].len() > 1 {
        match args[i].as_str() {
            "-P" => physical = true,
            "-L" => physical = false,
            "--" => {
                i += 1;
                break;
            }
            a => {
                err(sh, "cd", &format!("{a}: invalid option"));
                return 2;
            }
        }
        i += 1;
    }
    let args = &args[i..];
    if args.len() > 1 {
        err(sh, "cd", "too many arguments");
        return 1;
    }
    let mut print = false;
    let target = match args.first().map(|s| s.as_str()) {
        None => match sh.get("HOME") {
            Some(h) if !h.is_empty() => h,
            _ => {
                err(sh, "cd", "HOME not set");
                return 1;
            }
        },
        Some("-") => match sh.get("OLDPWD") {
            Some(o) => {
                print = true;
                o
            }
            None => {
                err(sh, "cd", "OLDPWD not set");
                return 1;
            }
        },
        Some(d) => d.to_string(),
    };
    let mut dir = target.clone();
    if !target.starts_with('/')
        && !target.starts_with('.')
        && let Some(cdpath) = sh.get("CDPATH")
    {
        for base in cdpath.split(':') {
            if base.is_empty() {
                continue;
            }
            let cand = format!("{}/{target}", base.trim_end_matches('/'));
            if sys::stat(&cand).is_some_and(|st| sys::is_dir(&st)) {
                dir = cand;
                print = true;
                break;
            }
        }
    }
    let old = current_dir(sh);
    let logical = if dir.starts_with('/') { normalize(&dir) } else { normalize(&format!("{old}/{dir}")) };
    let new_pwd = if !physical && sys::chdir(&logical).is_ok() {
        logical
    } else {
        if let Err(e) = sys::chdir(&dir) {
            err(sh, "cd", &format!("{target}: {}", sys::strerror(e)));
            return 1;
        }
        sys::getcwd().unwrap_or(dir)
    };
    let _ = sh.set("OLDPWD", &old);
    let _ = sh.set("PWD", &new_pwd);
    if print {
        return out(sh, "cd", &format!("{new_pwd}\n"));
    }
    0
}

fn pwd(sh: &Shell, args: &[String]) -> i32 {
    let physical = args.iter().any(|a| a == "-P");
    let dir = if physical { sys::getcwd().unwrap_or_default() } else { current_dir(sh) };
    out(sh, "pwd", &format!("{dir}\n"))
}

// ---- control ----

fn parse_status(sh: &Shell, name: &str, arg: Option<&String>) -> Result<Option<i32>, i32> {
    match arg {
        None => Ok(None),
        Some(a) => match a.parse::<i64>() {
            Ok(n) => Ok(Some((n & 0xff) as i32)),
            Err(_) => {
                err(sh, name, &format!("{a}: numeric argument required"));
                Err(2)
            }
        },
    }
}

fn exit(sh: &mut Shell, args: &[String]) -> Status {
    if sh.opts.interactive && !sh.exit_warned && sh.jobs.list.iter().any(|j| matches!(j.state(), JobState::Stopped(_)))
    {
        let _ = sys::write_str(2, "There are stopped jobs.\n");
        sh.exit_warned = true;
        return Ok(1);
    }
    let st = match parse_status(sh, "exit", args.first()) {
        Ok(s) => s.unwrap_or(sh.status),
        Err(s) => s,
    };
    Err(Flow::Exit(st))
}

fn return_builtin(sh: &mut Shell, args: &[String]) -> Status {
    if sh.func_depth == 0 && sh.source_depth == 0 {
        err(sh, "return", "can only return from a function or sourced script");
        return Ok(1);
    }
    match parse_status(sh, "return", args.first()) {
        Ok(s) => Err(Flow::Return(s.unwrap_or(sh.status))),
        Err(s) => Err(Flow::Return(s)),
    }
}

fn break_continue(sh: &mut Shell, name: &str, args: &[String]) -> Status {
    let n = match args.first() {
        None => 1,
        Some(a) => match a.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                err(sh, name, &format!("{a}: loop count out of range"));
                return Ok(1);
            }
        },
    };
    if sh.loop_depth == 0 {
        return Ok(0);
    }
    let n = n.min(sh.loop_depth);
    Err(if name == "break" { Flow::Break(n) } else { Flow::Continue(n) })
}

// ---- variables ----

fn export_readonly(sh: &mut Shell, name: &str, args: &[String]) -> i32 {
    let args: Vec<&String> = args.iter().filter(|a| *a != "--").collect();
    if args.is_empty() || (args.len() == 1 && args[0] == "-p") {
        let mut names: Vec<&String> = sh
            .vars
            .iter()
            .filter(|(_, v)| if name == "export" { v.exported } else { v.readonly })
            .map(|(k, _)| k)
            .collect();
        names.sort();
        let mut s = String::new();
        for n in names {
            match &sh.vars[n].value {
                Some(v) => s.push_str(&format!("{name} {n}={}\n", quote(v))),
                None => s.push_str(&format!("{name} {n}\n")),
            }
        }
        return out(sh, name, &s);
    }
    let mut status = 0;
    for a in args {
        let (n, value) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a.as_str(), None),
        };
        if !is_name(n) {
            err(sh, name, &format!("{a}: bad variable name"));
            status = 1;
            continue;
        }
        if let Some(v) = value
            && let Err(m) = sh.set(n, v)
        {
            sh.error(&m);
            status = 1;
            continue;
        }
        let var = sh.vars.entry(n.to_string()).or_default();
        if name == "export" {
            var.exported = true;
        } else {
            var.readonly = true;
        }
    }
    status
}

fn unset(sh: &mut Shell, args: &[String]) -> i32 {
    let mut functions = false;
    let mut vars_only = false;
    let mut status = 0;
    for a in args {
        match a.as_str() {
            "-f" => functions = true,
            "-v" => vars_only = true,
            "--" => {}
            n => {
                if functions {
                    sh.functions.remove(n);
                } else if sh.vars.contains_key(n) || vars_only {
                    if let Err(m) = sh.unset(n) {
                        sh.error(&format!("unset: {m}"));
                        status = 1;
                    }
                } else {
                    sh.functions.remove(n);
                }
            }
        }
    }
    status
}

fn set(sh: &mut Shell, args: &[String]) -> i32 {
    if args.is_empty() {
        let mut names: Vec<&String> = sh.vars.iter().filter(|(_, v)| v.value.is_some()).map(|(k, _)| k).collect();
        names.sort();
        let mut s = String::new();
        for n in names {
            s.push_str(&format!("{n}={}\n", quote(sh.vars[n].value.as_deref().unwrap_or(""))));
        }
        return out(sh, "set", &s);
    }
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            sh.positional = args[i + 1..].to_vec();
            return 0;
        }
        if a == "-" {
            sh.opts.xtrace = false;
            sh.opts.verbose = false;
            i += 1;
            break;
        }
        let on = a.starts_with('-');
        if !(on || a.starts_with('+')) || a.len() < 2 {
            break;
        }
        if &a[1..] == "o" {
            match args.get(i + 1) {
                None => {
                    let mut s = String::new();
                    for (long, c) in OPTION_NAMES {
                        let state = sh.option_on(*c);
                        if on {
                            s.push_str(&format!("{long:<15} {}\n", if state { "on" } else { "off" }));
                        } else {
                            s.push_str(&format!("set {}o {long}\n", if state { '-' } else { '+' }));
                        }
                    }
                    return out(sh, "set", &s);
                }
                Some(long) => {
                    match OPTION_NAMES.iter().find(|(n, _)| n == long) {
                        Some((_, c)) => {
                            sh.set_option(*c, on);
                        }
                        None => {
                            err(sh, "set", &format!("{long}: invalid option name"));
                            return 1;
                        }
                    }
                    i += 2;
                    continue;
                }
            }
        }
        for c in a[1..].chars() {
            if c == 'i' || !sh.set_option(c, on) {
                err(sh, "set", &format!("{}{c}: invalid option", &a[..1]));
                return 2;
            }
        }
        i += 1;
    }
    if i < args.len() {
        sh.positional = args[i..].to_vec();
    }
    0
}

fn shift(sh: &mut Shell, args: &[String]) -> i32 {
    let n = match args.first() {
        None => 1,
        Some(a) => match a.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                err(sh, "shift", &format!("{a}: numeric argument required"));
                return 2;
            }
        },
    };
    if n > sh.positional.len() {
        err(sh, "shift", "can't shift that many");
        return 1;
    }
    sh.positional.drain(..n);
    0
}

fn local(sh: &mut Shell, args: &[String]) -> i32 {
    if sh.func_depth == 0 {
        err(sh, "local", "not in a function");
        return 1;
    }
    let mut status = 0;
    for a in args {
        let (n, value) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a.as_str(), None),
        };
        if !is_name(n) {
            err(sh, "local", &format!("{a}: bad variable name"));
            status = 1;
            continue;
        }
        sh.save_local(n);
        match value {
            Some(v) => {
                if let Err(m) = sh.set(n, v) {
                    sh.error(&m);
                    status = 1;
                }
            }
            None => {
                if let Some(var) = sh.vars.get_mut(n)
                    && !var.readonly
                {
                    var.value = None;
                }
            }
        }
    }
    status
}

fn source(sh: &mut Shell, name: &str, args: &[String]) -> Status {
    let Some(file) = args.first() else {
        err(sh, name, "filename argument required");
        return Ok(2);
    };
    let path = if file.contains('/') {
        file.clone()
    } else {
        let path = sh.get("PATH").unwrap_or_default();
        path.split(':')
            .map(|d| format!("{}/{file}", if d.is_empty() { "." } else { d.trim_end_matches('/') }))
            .find(|p| sys::stat(p).is_some_and(|st| sys::is_reg(&st)))
            .unwrap_or_else(|| file.clone())
    };
    let text = match std::fs::read(&path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            let msg = sys::strerror(e.raw_os_error().unwrap_or(libc::ENOENT));
            err(sh, name, &format!("{file}: {msg}"));
            return if sh.opts.interactive { Ok(1) } else { Err(Flow::Exit(1)) };
        }
    };
    let saved = if args.len() > 1 { Some(std::mem::replace(&mut sh.positional, args[1..].to_vec())) } else { None };
    sh.source_depth += 1;
    let r = sh.run_string(&text);
    sh.source_depth -= 1;
    if let Some(p) = saved {
        sh.positional = p;
    }
    match r {
        Err(Flow::Return(s)) => Ok(s),
        r => r,
    }
}

// ---- read ----

/// Reads bytes from standard input without taking more than the line:
/// a block at a time from a seekable file (seeking back after), one byte
/// at a time otherwise.
struct LineReader {
    buf: Vec<u8>,
    pos: usize,
    seekable: bool,
}

impl LineReader {
    fn new() -> Self {
        // SAFETY: plain call.
        let seekable = unsafe { libc::lseek(0, 0, libc::SEEK_CUR) } >= 0;
        LineReader { buf: Vec::new(), pos: 0, seekable }
    }

    /// The next byte; `Err` when a signal interrupted the read.
    fn next(&mut self) -> Result<Option<u8>, ()> {
        if self.pos == self.buf.len() {
            let mut tmp = [0u8; 512];
            let want = if self.seekable { tmp.len() } else { 1 };
            // SAFETY: tmp is valid for `want` bytes.
            let n = unsafe { libc::read(0, tmp.as_mut_ptr().cast(), want) };
            if n < 0 {
                if sys::errno() == libc::EINTR && sys::pending() != 0 {
                    return Err(());
                }
                if sys::errno() == libc::EINTR {
                    return self.next();
                }
                return Ok(None);
            }
            if n == 0 {
                return Ok(None);
            }
            self.buf = tmp[..n as usize].to_vec();
            self.pos = 0;
        }
        self.pos += 1;
        Ok(Some(self.buf[self.pos - 1]))
    }

    fn finish(self) {
        let left = self.buf.len() - self.pos;
        if self.seekable && left > 0 {
            // SAFETY: plain call.
            unsafe { libc::lseek(0, -(left as libc::off_t), libc::SEEK_CUR) };
        }
    }
}

fn read(sh: &mut Shell, args: &[String]) -> i32 {
    let mut raw = false;
    let mut prompt = None;
    let mut delim = b'\n';
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i].len() > 1 {
        match args[i].as_str() {
            "-r" => raw = true,
            "-p" => {
                i += 1;
                prompt = args.get(i).cloned();
            }
            "-d" => {
                i += 1;
                delim = args.get(i).and_then(|d| d.bytes().next()).unwrap_or(0);
            }
            "--" => {
                i += 1;
                break;
            }
            a => {
                err(sh, "read", &format!("{a}: invalid option"));
                return 2;
            }
        }
        i += 1;
    }
    let names: Vec<String> = if i < args.len() { args[i..].to_vec() } else { vec!["REPLY".into()] };
    for n in &names {
        if !is_name(n) {
            err(sh, "read", &format!("{n}: bad variable name"));
            return 2;
        }
    }
    if let Some(p) = prompt
        && sys::isatty(0)
    {
        let _ = sys::write_str(2, &p);
    }
    let mut reader = LineReader::new();
    let mut bytes: Vec<(u8, bool)> = Vec::new();
    let mut eof = false;
    loop {
        let b = match reader.next() {
            Ok(Some(b)) => b,
            Ok(None) => {
                eof = true;
                break;
            }
            Err(()) => {
                reader.finish();
                return 128 + libc::SIGINT;
            }
        };
        if b == delim {
            break;
        }
        if b == b'\\' && !raw {
            match reader.next() {
                Ok(Some(b'\n')) => continue,
                Ok(Some(n)) => bytes.push((n, true)),
                _ => {
                    eof = true;
                    break;
                }
            }
            continue;
        }
        bytes.push((b, false));
    }
    reader.finish();
    // Decode, keeping each character's escaped mark.
    let mut chars: Vec<(char, bool)> = Vec::new();
    let mut k = 0;
    while k < bytes.len() {
        let b0 = bytes[k].0;
        let len = match b0 {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        let end = (k + len).min(bytes.len());
        let seq: Vec<u8> = bytes[k..end].iter().map(|p| p.0).collect();
        match std::str::from_utf8(&seq) {
            Ok(s) => chars.extend(s.chars().map(|c| (c, bytes[k].1))),
            Err(_) => chars.push(('\u{fffd}', bytes[k].1)),
        }
        k = end;
    }
    let ifs = sh.get("IFS").unwrap_or_else(|| " \t\n".into());
    let fields = split_for_read(&chars, &ifs, names.len());
    for (n, v) in names.iter().zip(fields) {
        if let Err(m) = sh.set(n, &v) {
            sh.error(&format!("read: {m}"));
            return 2;
        }
    }
    if eof { 1 } else { 0 }
}

// ---- jobs ----

/// The job a `%spec` or pid names.
fn job_of(sh: &Shell, name: &str, spec: &str) -> Result<usize, i32> {
    if spec.starts_with('%') {
        return sh.jobs.find(spec).map_err(|m| {
            err(sh, name, &m);
            1
        });
    }
    match spec.parse::<i32>() {
        Ok(pid) => sh.jobs.by_pid(pid).ok_or(127),
        Err(_) => {
            err(sh, name, &format!("{spec}: not a pid or valid job spec"));
            Err(2)
        }
    }
}

/// Waits until a job is done (or stopped); returns its state.
fn wait_job(sh: &mut Shell, id: usize) -> Result<(), i32> {
    loop {
        match sh.jobs.get(id).map(|j| j.state()) {
            None | Some(JobState::Done) | Some(JobState::Stopped(_)) => return Ok(()),
            _ => {}
        }
        let flags = if sh.opts.monitor { libc::WUNTRACED } else { 0 };
        match sys::waitpid(-1, flags) {
            Ok(Some((pid, st))) => {
                sh.jobs.update(pid, st);
            }
            Ok(None) => return Ok(()),
            Err(_) => {
                let p = sys::pending();
                if p != 0 {
                    let sig = p.trailing_zeros() as i32;
                    return Err(128 + sig);
                }
            }
        }
    }
}

fn wait(sh: &mut Shell, args: &[String]) -> Status {
    if args.is_empty() {
        let ids: Vec<usize> = sh.jobs.list.iter().map(|j| j.id).collect();
        for id in ids {
            if let Err(st) = wait_job(sh, id) {
                return Ok(st);
            }
            if sh.jobs.get(id).is_some_and(|j| j.state() == JobState::Done) {
                sh.jobs.remove(id);
            }
        }
        return Ok(0);
    }
    let mut status = 0;
    for a in args {
        let id = match job_of(sh, "wait", a) {
            Ok(id) => id,
            Err(st) => {
                status = st;
                continue;
            }
        };
        if let Err(st) = wait_job(sh, id) {
            return Ok(st);
        }
        let Some(job) = sh.jobs.get(id) else { continue };
        status = if a.starts_with('%') {
            job.status()
        } else {
            let pid: i32 = a.parse().unwrap_or(0);
            match job.procs.iter().find(|p| p.pid == pid).map(|p| p.state) {
                Some(crate::jobs::PState::Done(st)) => sys::status_code(st),
                Some(crate::jobs::PState::Stopped(sig)) => 128 + sig,
                _ => 0,
            }
        };
        if job.state() == JobState::Done {
            sh.jobs.remove(id);
        }
    }
    Ok(status)
}

fn jobs(sh: &mut Shell, args: &[String]) -> i32 {
    sh.reap();
    let long = args.iter().any(|a| a == "-l");
    let pids_only = args.iter().any(|a| a == "-p");
    let specs: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let ids: Vec<usize> = if specs.is_empty() {
        sh.jobs.list.iter().map(|j| j.id).collect()
    } else {
        let mut v = Vec::new();
        for s in specs {
            match sh.jobs.find(s) {
                Ok(id) => v.push(id),
                Err(m) => {
                    err(sh, "jobs", &m);
                    return 1;
                }
            }
        }
        v
    };
    let mut s = String::new();
    for &id in &ids {
        let Some(job) = sh.jobs.get(id) else { continue };
        if pids_only {
            s.push_str(&format!("{}\n", if job.pgid > 0 { job.pgid } else { job.last_pid() }));
        } else {
            s.push_str(&sh.jobs.describe(id, long));
        }
    }
    let st = out(sh, "jobs", &s);
    for id in ids {
        if let Some(j) = sh.jobs.get_mut(id) {
            j.notified = true;
        }
        if sh.jobs.get(id).is_some_and(|j| j.state() == JobState::Done) {
            sh.jobs.remove(id);
        }
    }
    st
}

fn continue_job(sh: &mut Shell, id: usize) {
    let Some(job) = sh.jobs.get_mut(id) else { return };
    for p in &mut job.procs {
        if let crate::jobs::PState::Stopped(_) = p.state {
            p.state = crate::jobs::PState::Running;
        }
    }
    job.notified = false;
    let (pgid, pids): (i32, Vec<i32>) = (job.pgid, job.procs.iter().map(|p| p.pid).collect());
    if pgid > 0 {
        let _ = sys::kill(-pgid, libc::SIGCONT);
    } else {
        for pid in pids {
            let _ = sys::kill(pid, libc::SIGCONT);
        }
    }
}

fn fg(sh: &mut Shell, args: &[String]) -> Status {
    if !sh.opts.monitor {
        err(sh, "fg", "no job control");
        return Ok(1);
    }
    let spec = args.first().map(|s| s.as_str()).unwrap_or("%");
    let id = match sh.jobs.find(spec) {
        Ok(id) => id,
        Err(m) => {
            err(sh, "fg", &if args.is_empty() { "no current job".to_string() } else { m });
            return Ok(1);
        }
    };
    let text = sh.jobs.get(id).map(|j| j.text.clone()).unwrap_or_default();
    let _ = sys::write_str(2, &format!("{text}\n"));
    if let Some(j) = sh.jobs.get_mut(id) {
        j.background = false;
        if j.pgid > 0 {
            sys::tcsetpgrp(sh.tty, j.pgid);
        }
    }
    continue_job(sh, id);
    sh.wait_fg(id)
}

fn bg(sh: &mut Shell, args: &[String]) -> i32 {
    if !sh.opts.monitor {
        err(sh, "bg", "no job control");
        return 1;
    }
    let specs: Vec<String> = if args.is_empty() { vec!["%".into()] } else { args.to_vec() };
    let mut status = 0;
    for spec in specs {
        let id = match sh.jobs.find(&spec) {
            Ok(id) => id,
            Err(m) => {
                err(sh, "bg", &if args.is_empty() { "no current job".to_string() } else { m });
                status = 1;
                continue;
            }
        };
        if let Some(j) = sh.jobs.get_mut(id) {
            j.background = true;
        }
        continue_job(sh, id);
        let text = sh.jobs.get(id).map(|j| j.text.clone()).unwrap_or_default();
        let _ = sys::write_str(2, &format!("[{id}]{} {text} &\n", sh.jobs.mark(id)));
    }
    status
}

fn kill(sh: &mut Shell, args: &[String]) -> i32 {
    let mut sig = libc::SIGTERM;
    let mut i = 0;
    if let Some(a) = args.first() {
        if a == "-l" || a == "-L" {
            let mut s = String::new();
            if let Some(n) = args.get(1) {
                let n: i32 = n.parse().unwrap_or(0);
                let n = if n > 128 { n - 128 } else { n };
                s = format!("{}\n", sys::signal_name(n));
            } else {
                for (name, _) in sys::SIGNALS {
                    s.push_str(name);
                    s.push('\n');
                }
            }
            return out(sh, "kill", &s);
        }
        if a == "-s" || a == "-n" {
            let Some(n) = args.get(1).and_then(|s| sys::signal_number(s)) else {
                err(sh, "kill", "invalid signal");
                return 2;
            };
            sig = n;
            i = 2;
        } else if a == "--" {
            i = 1;
        } else if let Some(name) = a.strip_prefix('-')
            && !name.is_empty()
            && name.parse::<i32>().map(|n| n >= 0).unwrap_or(true)
        {
            match sys::signal_number(name) {
                Some(n) => sig = n,
                None => {
                    err(sh, "kill", &format!("{name}: invalid signal specification"));
                    return 2;
                }
            }
            i = 1;
        }
    }
    if args.get(i).is_some_and(|a| a == "--") {
        i += 1;
    }
    if i >= args.len() {
        err(sh, "kill", "usage: kill [-s sigspec | -signum] pid | %job ...");
        return 2;
    }
    let mut status = 0;
    for a in &args[i..] {
        let targets: Vec<i32> = if a.starts_with('%') {
            match sh.jobs.find(a) {
                Ok(id) => {
                    let job = sh.jobs.get(id).unwrap();
                    if job.pgid > 0 { vec![-job.pgid] } else { job.procs.iter().map(|p| p.pid).collect() }
                }
                Err(m) => {
                    err(sh, "kill", &m);
                    status = 1;
                    continue;
                }
            }
        } else {
            match a.parse::<i32>() {
                Ok(p) => vec![p],
                Err(_) => {
                    err(sh, "kill", &format!("{a}: arguments must be process or job IDs"));
                    status = 1;
                    continue;
                }
            }
        };
        for t in targets {
            if let Err(e) = sys::kill(t, sig) {
                err(sh, "kill", &format!("({a}) - {}", sys::strerror(e)));
                status = 1;
            }
        }
    }
    status
}

// ---- misc ----

fn umask(sh: &mut Shell, args: &[String]) -> i32 {
    let symbolic = args.first().is_some_and(|a| a == "-S");
    let args = if symbolic { &args[1..] } else { args };
    let cur = sys::umask(0);
    sys::umask(cur);
    let Some(arg) = args.first() else {
        let s = if symbolic {
            let perm = !cur & 0o777;
            let part = |shift: u32| {
                let p = (perm >> shift) & 7;
                let mut s = String::new();
                if p & 4 != 0 {
                    s.push('r');
                }
                if p & 2 != 0 {
                    s.push('w');
                }
                if p & 1 != 0 {
                    s.push('x');
                }
                s
            };
            format!("u={},g={},o={}\n", part(6), part(3), part(0))
        } else {
            format!("{cur:04o}\n")
        };
        return out(sh, "umask", &s);
    };
    if arg.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        match u32::from_str_radix(arg, 8) {
            Ok(m) if m <= 0o777 => {
                sys::umask(m);
                return 0;
            }
            _ => {}
        }
    } else if let Some(m) = symbolic_mode(arg, !cur & 0o777) {
        sys::umask(!m & 0o777);
        return 0;
    }
    err(sh, "umask", &format!("{arg}: invalid mode"));
    1
}

/// Applies a symbolic mode (`u=rwx,g-w,o+r`) to permission bits.
fn symbolic_mode(s: &str, mut perm: u32) -> Option<u32> {
    for clause in s.split(',') {
        let mut chars = clause.chars().peekable();
        let mut who = 0u32;
        while let Some(&c) = chars.peek() {
            match c {
                'u' => who |= 0o700,
                'g' => who |= 0o070,
                'o' => who |= 0o007,
                'a' => who |= 0o777,
                _ => break,
            }
            chars.next();
        }
        if who == 0 {
            who = 0o777;
        }
        let op = chars.next()?;
        if !matches!(op, '+' | '-' | '=') {
            return None;
        }
        let mut bits = 0u32;
        for c in chars {
            bits |= match c {
                'r' => 0o444,
                'w' => 0o222,
                'x' => 0o111,
                _ => return None,
            };
        }
        bits &= who;
        match op {
            '+' => perm |= bits,
            '-' => perm &= !bits,
            _ => perm = (perm & !who) | bits,
        }
    }
    Some(perm)
}

fn alias(sh: &mut Shell, args: &[String]) -> i32 {
    if args.is_empty() {
        let mut names: Vec<&String> = sh.aliases.keys().collect();
        names.sort();
        let s: String = names.iter().map(|n| format!("alias {n}={}\n", quote(&sh.aliases[*n]))).collect();
        return out(sh, "alias", &s);
    }
    let mut status = 0;
    let mut s = String::new();
    for a in args {
        match a.split_once('=') {
            Some((n, v)) if !n.is_empty() => {
                sh.aliases.insert(n.to_string(), v.to_string());
            }
            _ => match sh.aliases.get(a) {
                Some(v) => s.push_str(&format!("alias {a}={}\n", quote(v))),
                None => {
                    err(sh, "alias", &format!("{a}: not found"));
                    status = 1;
                }
            },
        }
    }
    if !s.is_empty() {
        out(sh, "alias", &s);
    }
    status
}

fn unalias(sh: &mut Shell, args: &[String]) -> i32 {
    let mut status = 0;
    for a in args {
        if a == "-a" {
            sh.aliases.clear();
        } else if sh.aliases.remove(a).is_none() {
            err(sh, "unalias", &format!("{a}: not found"));
            status = 1;
        }
    }
    status
}

/// What a command name is, for `type` and `command -v`/`-V`.
enum Kind {
    Alias(String),
    Keyword,
    Function,
    Special,
    Builtin,
    File(String),
}

fn classify(sh: &Shell, name: &str, aliases: bool) -> Option<Kind> {
    if aliases && let Some(v) = sh.aliases.get(name) {
        return Some(Kind::Alias(v.clone()));
    }
    if RESERVED.contains(&name) {
        return Some(Kind::Keyword);
    }
    if is_special(name) {
        return Some(Kind::Special);
    }
    if sh.functions.contains_key(name) {
        return Some(Kind::Function);
    }
    if is_regular(name) {
        return Some(Kind::Builtin);
    }
    sh.find_in_path(name).map(Kind::File)
}

fn describe(name: &str, kind: &Kind) -> String {
    match kind {
        Kind::Alias(v) => format!("{name} is an alias for {v}\n"),
        Kind::Keyword => format!("{name} is a shell keyword\n"),
        Kind::Function => format!("{name} is a function\n"),
        Kind::Special => format!("{name} is a special shell builtin\n"),
        Kind::Builtin => format!("{name} is a shell builtin\n"),
        Kind::File(p) => format!("{name} is {p}\n"),
    }
}

fn type_builtin(sh: &mut Shell, args: &[String]) -> i32 {
    let mut status = 0;
    let mut s = String::new();
    for name in args {
        match classify(sh, name, true) {
            Some(k) => s.push_str(&describe(name, &k)),
            None => {
                out(sh, "type", &std::mem::take(&mut s));
                err(sh, "type", &format!("{name}: not found"));
                status = 1;
            }
        }
    }
    out(sh, "type", &s);
    status
}

fn command(sh: &mut Shell, args: &[String]) -> Status {
    let mut i = 0;
    let mut mode = None;
    while i < args.len() && args[i].starts_with('-') {
        match args[i].as_str() {
            "-v" => mode = Some('v'),
            "-V" => mode = Some('V'),
            "-p" => {}
            "--" => {
                i += 1;
                break;
            }
            a => {
                err(sh, "command", &format!("{a}: invalid option"));
                return Ok(2);
            }
        }
        i += 1;
    }
    let args = &args[i..];
    if args.is_empty() {
        return Ok(0);
    }
    if let Some(m) = mode {
        let mut status = 0;
        let mut s = String::new();
        for name in args {
            match classify(sh, name, true) {
                Some(k) if m == 'V' => s.push_str(&describe(name, &k)),
                Some(Kind::Alias(v)) => s.push_str(&format!("alias {name}={}\n", quote(&v))),
                Some(Kind::File(p)) => s.push_str(&format!("{p}\n")),
                Some(_) => s.push_str(&format!("{name}\n")),
                None => {
                    if m == 'V' {
                        err(sh, "command", &format!("{name}: not found"));
                    }
                    status = 1;
                }
            }
        }
        out(sh, "command", &s);
        return Ok(status);
    }
    if is_builtin(&args[0]) {
        return run(sh, args);
    }
    let text = args.join(" ");
    sh.run_external(args, &[], &[], &text, false)
}

fn trap(sh: &mut Shell, args: &[String]) -> i32 {
    let args = if args.first().is_some_and(|a| a == "--") { &args[1..] } else { args };
    if args.is_empty() || (args.len() == 1 && args[0] == "-p") {
        let mut s = String::new();
        for (sig, action) in &sh.traps {
            let name = if *sig == 0 { "EXIT".to_string() } else { sys::signal_name(*sig) };
            s.push_str(&format!("trap -- {} {name}\n", quote(action)));
        }
        return out(sh, "trap", &s);
    }
    // `trap N...` with a number first resets those signals.
    let (action, conds) = if args.len() == 1 || args[0].parse::<u32>().is_ok() {
        (None, args)
    } else if args[0] == "-" {
        (None, &args[1..])
    } else {
        (Some(args[0].clone()), &args[1..])
    };
    let mut status = 0;
    for c in conds {
        let sig = if c == "EXIT" || c == "0" { Some(0) } else { sys::signal_number(c) };
        let Some(sig) = sig else {
            err(sh, "trap", &format!("{c}: bad trap"));
            status = 1;
            continue;
        };
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            err(sh, "trap", &format!("{c}: cannot trap"));
            status = 1;
            continue;
        }
        match &action {
            None => {
                sh.traps.remove(&sig);
                if sig > 0 {
                    let d = if sh.opts.interactive && sig == libc::SIGINT {
                        sys::Disposition::Catch
                    } else if sh.opts.interactive
                        && [libc::SIGQUIT, libc::SIGTERM, libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU].contains(&sig)
                    {
                        sys::Disposition::Ignore
                    } else {
                        sys::Disposition::Default
                    };
                    sys::set_signal(sig, d);
                }
            }
            Some(a) => {
                sh.traps.insert(sig, a.clone());
                if sig > 0 {
                    sys::clear_pending(sig);
                    sys::set_signal(sig, if a.is_empty() { sys::Disposition::Ignore } else { sys::Disposition::Catch });
                }
            }
        }
    }
    status
}

fn times(sh: &Shell) -> i32 {
    // SAFETY: tms is plain data filled by the call.
    let (t, hz) = unsafe {
        let mut t: libc::tms = std::mem::zeroed();
        libc::times(&mut t);
        (t, libc::sysconf(libc::_SC_CLK_TCK).max(1) as f64)
    };
    let f = |v: libc::clock_t| {
        let secs = v as f64 / hz;
        format!("{}m{:.3}s", (secs / 60.0) as u64, secs % 60.0)
    };
    out(sh, "times", &format!("{} {}\n{} {}\n", f(t.tms_utime), f(t.tms_stime), f(t.tms_cutime), f(t.tms_cstime)))
}

fn getopts(sh: &mut Shell, args: &[String]) -> i32 {
    if args.len() < 2 {
        err(sh, "getopts", "usage: getopts optstring name [arg ...]");
        return 2;
    }
    let optstring = args[0].as_str();
    let var = args[1].as_str();
    let params: Vec<String> = if args.len() > 2 { args[2..].to_vec() } else { sh.positional.clone() };
    let optind: usize = sh.get("OPTIND").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    if optind != sh.getopts_index {
        sh.getopts_pos = 0;
    }
    let silent = optstring.starts_with(':');
    let finish = |sh: &mut Shell, optind: usize, pos: usize| {
        sh.getopts_index = optind;
        sh.getopts_pos = pos;
        let _ = sh.set("OPTIND", &optind.to_string());
    };
    let mut optind = optind;
    let mut pos = sh.getopts_pos;
    let Some(arg) = params.get(optind - 1) else {
        let _ = sh.set(var, "?");
        finish(sh, optind, 0);
        return 1;
    };
    let chars: Vec<char> = arg.chars().collect();
    if pos == 0 {
        if arg == "--" {
            let _ = sh.set(var, "?");
            finish(sh, optind + 1, 0);
            return 1;
        }
        if chars.len() < 2 || chars[0] != '-' {
            let _ = sh.set(var, "?");
            finish(sh, optind, 0);
            return 1;
        }
        pos = 1;
    }
    let c = chars[pos];
    pos += 1;
    let spec = optstring.find(c).filter(|_| c != ':');
    let takes_arg = spec.is_some_and(|i| optstring[i + c.len_utf8()..].starts_with(':'));
    let advance = |optind: &mut usize, pos: &mut usize| {
        if *pos >= chars.len() {
            *optind += 1;
            *pos = 0;
        }
    };
    if spec.is_none() {
        if silent {
            let _ = sh.set("OPTARG", &c.to_string());
        } else {
            let _ = sh.unset("OPTARG");
            err(sh, "getopts", &format!("illegal option -- {c}"));
        }
        let _ = sh.set(var, "?");
        advance(&mut optind, &mut pos);
        finish(sh, optind, pos);
        return 0;
    }
    if takes_arg {
        if pos < chars.len() {
            let _ = sh.set("OPTARG", &chars[pos..].iter().collect::<String>());
            optind += 1;
        } else if let Some(next) = params.get(optind) {
            let _ = sh.set("OPTARG", next);
            optind += 2;
        } else {
            if silent {
                let _ = sh.set(var, ":");
                let _ = sh.set("OPTARG", &c.to_string());
            } else {
                let _ = sh.set(var, "?");
                let _ = sh.unset("OPTARG");
                err(sh, "getopts", &format!("option requires an argument -- {c}"));
            }
            finish(sh, optind + 1, 0);
            return 0;
        }
        let _ = sh.set(var, &c.to_string());
        finish(sh, optind, 0);
        return 0;
    }
    let _ = sh.unset("OPTARG");
    let _ = sh.set(var, &c.to_string());
    advance(&mut optind, &mut pos);
    finish(sh, optind, pos);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_paths() {
        assert_eq!(normalize("/a/b/../c/./d/"), "/a/c/d");
        assert_eq!(normalize("/.."), "/");
        assert_eq!(normalize("//x//y"), "/x/y");
    }

    #[test]
    fn symbolic_modes() {
        assert_eq!(symbolic_mode("u=rwx,g=rx,o=", 0), Some(0o750));
        assert_eq!(symbolic_mode("g-w", 0o775), Some(0o755));
        assert_eq!(symbolic_mode("a+r", 0o700), Some(0o744));
        assert_eq!(symbolic_mode("+x", 0o644), Some(0o755));
        assert_eq!(symbolic_mode("u=q", 0), None);
    }
}
