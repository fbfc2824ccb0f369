//! Thin wrappers over the C library: descriptors, processes, signals and
//! the terminal.

use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicU64, Ordering};

pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

pub fn strerror(e: i32) -> String {
    // SAFETY: strerror returns a pointer to a static string.
    unsafe { CStr::from_ptr(libc::strerror(e)) }.to_string_lossy().into_owned()
}

/// A C string; an embedded NUL ends it.
pub fn cstr(s: &str) -> CString {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

/// Writes all of `buf`, retrying after signals.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), i32> {
    while !buf.is_empty() {
        // SAFETY: buf is a valid slice.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

pub fn write_str(fd: i32, s: &str) -> Result<(), i32> {
    write_all(fd, s.as_bytes())
}

/// Reads once, retrying after signals.
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, i32> {
    loop {
        // SAFETY: buf is a valid mutable slice.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(e);
        }
    }
}

/// Reads everything up to the end of file.
pub fn read_to_end(fd: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = read(fd, &mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

pub fn open(path: &str, flags: i32, mode: u32) -> Result<i32, i32> {
    let p = cstr(path);
    loop {
        // SAFETY: p is a valid C string.
        let fd = unsafe { libc::open(p.as_ptr(), flags | libc::O_CLOEXEC, mode) };
        if fd >= 0 {
            return Ok(fd);
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(e);
        }
    }
}

pub fn close(fd: i32) {
    // SAFETY: closing a descriptor number is always memory safe.
    unsafe { libc::close(fd) };
}

pub fn dup2(from: i32, to: i32) -> Result<(), i32> {
    // SAFETY: plain descriptor call.
    if unsafe { libc::dup2(from, to) } < 0 { Err(errno()) } else { Ok(()) }
}

/// A copy of `fd` at 10 or above, closed on exec.
pub fn dup_high(fd: i32) -> Result<i32, i32> {
    // SAFETY: plain descriptor call.
    let r = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
    if r < 0 { Err(errno()) } else { Ok(r) }
}

pub fn fd_is_open(fd: i32) -> bool {
    // SAFETY: plain descriptor call.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

pub fn set_cloexec(fd: i32, on: bool) {
    // SAFETY: plain descriptor call.
    unsafe { libc::fcntl(fd, libc::F_SETFD, if on { libc::FD_CLOEXEC } else { 0 }) };
}

/// A pipe, both ends closed on exec: (read, write).
pub fn pipe() -> Result<(i32, i32), i32> {
    let mut fds = [0i32; 2];
    // SAFETY: fds has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(errno());
    }
    Ok((fds[0], fds[1]))
}

pub fn isatty(fd: i32) -> bool {
    // SAFETY: plain descriptor call.
    unsafe { libc::isatty(fd) == 1 }
}

pub fn getpid() -> i32 {
    // SAFETY: no arguments.
    unsafe { libc::getpid() }
}

pub fn fork() -> Result<i32, i32> {
    // SAFETY: the shell is single-threaded.
    let pid = unsafe { libc::fork() };
    if pid < 0 { Err(errno()) } else { Ok(pid) }
}

/// Blocks every signal; returns the mask before, for
/// [`restore_signal_mask`].
pub fn block_all_signals() -> libc::sigset_t {
    // SAFETY: sigfillset and sigprocmask on sets this function owns.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::sigprocmask(libc::SIG_SETMASK, &all, &mut old);
        old
    }
}

pub fn restore_signal_mask(old: &libc::sigset_t) {
    // SAFETY: `old` is a signal set from `block_all_signals`.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, old, std::ptr::null_mut()) };
}

/// Ends the process now, without running destructors (a forked child).
pub fn exit_now(status: i32) -> ! {
    // SAFETY: _exit never returns.
    unsafe { libc::_exit(status) }
}

/// waitpid; `None` on ECHILD, the raw status otherwise. EINTR is returned
/// as `Err`.
pub fn waitpid(pid: i32, flags: i32) -> Result<Option<(i32, i32)>, i32> {
    let mut status = 0;
    // SAFETY: status is a valid pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, flags) };
    if r < 0 {
        let e = errno();
        if e == libc::ECHILD {
            return Ok(None);
        }
        return Err(e);
    }
    Ok(Some((r, status)))
}

/// The shell's exit status for a wait status.
pub fn status_code(status: i32) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else if libc::WIFSTOPPED(status) {
        128 + libc::WSTOPSIG(status)
    } else {
        0
    }
}

pub fn kill(pid: i32, sig: i32) -> Result<(), i32> {
    // SAFETY: plain call.
    if unsafe { libc::kill(pid, sig) } < 0 { Err(errno()) } else { Ok(()) }
}

pub fn setpgid(pid: i32, pgid: i32) {
    // SAFETY: plain call.
    unsafe { libc::setpgid(pid, pgid) };
}

pub fn tcsetpgrp(fd: i32, pgid: i32) {
    // SAFETY: plain call.
    unsafe { libc::tcsetpgrp(fd, pgid) };
}

pub fn tcgetpgrp(fd: i32) -> i32 {
    // SAFETY: plain call.
    unsafe { libc::tcgetpgrp(fd) }
}

pub fn getpgrp() -> i32 {
    // SAFETY: plain call.
    unsafe { libc::getpgrp() }
}

pub fn tcgetattr(fd: i32) -> Option<libc::termios> {
    // SAFETY: termios is plain data, filled by the call.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut t) == 0 { Some(t) } else { None }
    }
}

pub fn tcsetattr(fd: i32, t: &libc::termios) {
    // SAFETY: t is a valid termios.
    unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, t) };
}

/// The terminal's width in columns (80 when unknown).
pub fn columns(fd: i32) -> usize {
    // SAFETY: winsize is plain data, filled by the call.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col > 0 {
            return ws.ws_col as usize;
        }
    }
    80
}

// ---- signals ----

/// Signals caught and not handled yet, one bit each.
static PENDING: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    PENDING.fetch_or(1 << sig, Ordering::SeqCst);
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Disposition {
    Default,
    Ignore,
    /// Noted in [`take_pending`]; interrupts blocking calls (no
    /// SA_RESTART).
    Catch,
}

pub fn set_signal(sig: i32, d: Disposition) {
    // SAFETY: sigaction with a valid handler or SIG_DFL/SIG_IGN.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = match d {
            Disposition::Default => libc::SIG_DFL,
            Disposition::Ignore => libc::SIG_IGN,
            Disposition::Catch => on_signal as extern "C" fn(libc::c_int) as usize,
        };
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// The caught signals since the last call, one bit each.
pub fn take_pending() -> u64 {
    PENDING.swap(0, Ordering::SeqCst)
}

pub fn pending() -> u64 {
    PENDING.load(Ordering::SeqCst)
}

pub fn clear_pending(sig: i32) {
    PENDING.fetch_and(!(1 << sig), Ordering::SeqCst);
}

/// Linux x86_64 signal names, by number.
pub const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("PWR", 30),
    ("SYS", 31),
];

/// A signal by name (`TERM`, `SIGTERM`, `term`) or number.
pub fn signal_number(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return (0..65).contains(&n).then_some(n);
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    SIGNALS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

pub fn signal_name(n: i32) -> String {
    SIGNALS.iter().find(|(_, v)| *v == n).map(|(s, _)| s.to_string()).unwrap_or_else(|| n.to_string())
}

/// What a shell says about a process killed by `sig`.
pub fn signal_description(sig: i32) -> String {
    match sig {
        libc::SIGHUP => "Hangup".into(),
        libc::SIGINT => "Interrupt".into(),
        libc::SIGQUIT => "Quit".into(),
        libc::SIGILL => "Illegal instruction".into(),
        libc::SIGTRAP => "Trace/breakpoint trap".into(),
        libc::SIGABRT => "Aborted".into(),
        libc::SIGBUS => "Bus error".into(),
        libc::SIGFPE => "Floating point exception".into(),
        libc::SIGKILL => "Killed".into(),
        libc::SIGUSR1 => "User defined signal 1".into(),
        libc::SIGSEGV => "Segmentation fault".into(),
        libc::SIGUSR2 => "User defined signal 2".into(),
        libc::SIGPIPE => "Broken pipe".into(),
        libc::SIGALRM => "Alarm clock".into(),
        libc::SIGTERM => "Terminated".into(),
        libc::SIGSTOP | libc::SIGTSTP => "Stopped".into(),
        libc::SIGTTIN => "Stopped (tty input)".into(),
        libc::SIGTTOU => "Stopped (tty output)".into(),
        _ => format!("Signal {sig}"),
    }
}

// ---- files ----

pub fn stat(path: &str) -> Option<libc::stat> {
    let p = cstr(path);
    // SAFETY: st is plain data, filled by the call.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::stat(p.as_ptr(), &mut st) == 0 { Some(st) } else { None }
    }
}

pub fn lstat(path: &str) -> Option<libc::stat> {
    let p = cstr(path);
    // SAFETY: st is plain data, filled by the call.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::lstat(p.as_ptr(), &mut st) == 0 { Some(st) } else { None }
    }
}

pub fn access(path: &str, mode: i32) -> bool {
    let p = cstr(path);
    // SAFETY: p is a valid C string.
    unsafe { libc::access(p.as_ptr(), mode) == 0 }
}

pub fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

pub fn is_reg(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFREG
}

pub fn chdir(path: &str) -> Result<(), i32> {
    let p = cstr(path);
    // SAFETY: p is a valid C string.
    if unsafe { libc::chdir(p.as_ptr()) } == 0 { Ok(()) } else { Err(errno()) }
}

pub fn getcwd() -> Option<String> {
    std::env::current_dir().ok().map(|p| p.to_string_lossy().into_owned())
}

pub fn umask(mask: u32) -> u32 {
    // SAFETY: plain call.
    unsafe { libc::umask(mask as libc::mode_t) as u32 }
}

pub fn geteuid() -> u32 {
    // SAFETY: plain call.
    unsafe { libc::geteuid() }
}

/// A user's home directory from the password database.
pub fn home_of(user: &str) -> Option<String> {
    let u = cstr(user);
    // SAFETY: getpwnam returns null or a pointer to static data.
    unsafe {
        let pw = libc::getpwnam(u.as_ptr());
        if pw.is_null() || (*pw).pw_dir.is_null() {
            return None;
        }
        Some(CStr::from_ptr((*pw).pw_dir).to_string_lossy().into_owned())
    }
}

/// The current user's name.
pub fn user_name() -> Option<String> {
    // SAFETY: getpwuid returns null or a pointer to static data.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        Some(CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned())
    }
}

pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is valid for its length.
    if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// execve; returns only on failure, with the errno.
pub fn execve(path: &str, argv: &[String], env: &[CString]) -> i32 {
    let p = cstr(path);
    let args: Vec<CString> = argv.iter().map(|a| cstr(a)).collect();
    let mut argp: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argp.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).collect();
    envp.push(std::ptr::null());
    // SAFETY: all pointers are valid NUL-terminated strings, arrays end in null.
    unsafe { libc::execve(p.as_ptr(), argp.as_ptr(), envp.as_ptr()) };
    errno()
}
