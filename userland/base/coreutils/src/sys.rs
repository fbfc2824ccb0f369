//! The few C library calls that std does not wrap, with safe wrappers.
//! musl (linked into the static binaries) and glibc (on the host, for the
//! tests) both export them under their POSIX names; the structures match
//! x86_64 Linux.

use std::ffi::{CStr, CString, c_char, c_int, c_ulong, c_void};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `struct statfs` on x86_64 Linux: every field 64 bits wide.
#[repr(C)]
#[derive(Default)]
struct Statfs {
    f_type: u64,
    f_bsize: u64,
    f_blocks: u64,
    f_bfree: u64,
    f_bavail: u64,
    f_files: u64,
    f_ffree: u64,
    f_fsid: [i32; 2],
    f_namelen: u64,
    f_frsize: u64,
    f_flags: u64,
    f_spare: [u64; 4],
}

/// `struct utsname`: six NUL-terminated fields of 65 bytes.
#[repr(C)]
struct Utsname {
    fields: [[c_char; 65]; 6],
}

unsafe extern "C" {
    fn signal(signum: c_int, handler: usize) -> usize;
    fn statfs(path: *const c_char, buf: *mut Statfs) -> c_int;
    fn reboot(cmd: c_int) -> c_int;
    fn sync();
    fn kill(pid: c_int, sig: c_int) -> c_int;
    fn uname(buf: *mut Utsname) -> c_int;
    fn access(path: *const c_char, mode: c_int) -> c_int;
    fn utimensat(dirfd: c_int, path: *const c_char, times: *const c_void, flags: c_int) -> c_int;
    fn lseek(fd: c_int, offset: i64, whence: c_int) -> i64;
    #[link_name = "umask"]
    fn c_umask(mask: u32) -> u32;
    fn mount(
        source: *const c_char,
        target: *const c_char,
        fstype: *const c_char,
        flags: c_ulong,
        data: *const c_void,
    ) -> c_int;
}

const SIGPIPE: c_int = 13;
const SIG_DFL: usize = 0;
const AT_FDCWD: c_int = -100;
/// errno values the tools report themselves, so that the message reads
/// as the system's would.
pub const EXDEV: i32 = 18;
pub const ENOTDIR: i32 = 20;
pub const EISDIR: i32 = 21;

/// Moves standard input's offset back by `bytes` read but not used, as
/// POSIX wants of a tool that stops early in a seekable input (a script
/// running `head -1` reads on from the line after). Not seekable (a pipe,
/// a terminal): nothing to do.
pub fn unread_stdin(bytes: usize) {
    const SEEK_CUR: c_int = 1;
    if bytes > 0 {
        // SAFETY: lseek touches no memory; on a descriptor that cannot
        // seek it fails and changes nothing.
        unsafe { lseek(0, -(bytes as i64), SEEK_CUR) };
    }
}

fn c_string(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn c_path(path: &Path) -> io::Result<CString> {
    c_string(path.as_os_str().as_bytes())
}

/// `Ok` when a C call returned 0, else the errno it left.
fn check(result: c_int) -> io::Result<()> {
    if result == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// The process's file mode creation mask.
pub fn umask() -> u32 {
    // SAFETY: umask touches no memory; setting the mask back at once
    // leaves it as it was (the tools have one thread).
    unsafe {
        let mask = c_umask(0o022);
        c_umask(mask);
        mask
    }
}

/// Restores the default action of SIGPIPE (terminate), which Rust's
/// runtime sets to "ignore".
pub fn default_sigpipe() {
    // SAFETY: setting a signal's disposition to SIG_DFL has no memory effects.
    unsafe { signal(SIGPIPE, SIG_DFL) };
}

/// Sizes of a mounted file system, in bytes.
pub struct FsUsage {
    pub total: u64,
    pub free: u64,
    /// Free space an unprivileged user may use.
    pub available: u64,
}

pub fn fs_usage(path: &Path) -> io::Result<FsUsage> {
    let path = c_path(path)?;
    let mut buf = Statfs::default();
    // SAFETY: `path` is NUL-terminated and `buf` is a `struct statfs`.
    check(unsafe { statfs(path.as_ptr(), &mut buf) })?;
    let unit = if buf.f_frsize != 0 { buf.f_frsize } else { buf.f_bsize };
    Ok(FsUsage { total: buf.f_blocks * unit, free: buf.f_bfree * unit, available: buf.f_bavail * unit })
}

/// What `reboot(2)` is asked to do.
#[derive(Clone, Copy)]
pub enum Shutdown {
    PowerOff,
    Restart,
}

/// Stops or restarts the machine; returns only on failure.
pub fn shutdown(how: Shutdown) -> io::Error {
    const LINUX_REBOOT_CMD_POWER_OFF: u32 = 0x4321_FEDC;
    const LINUX_REBOOT_CMD_RESTART: u32 = 0x0123_4567;
    let cmd = match how {
        Shutdown::PowerOff => LINUX_REBOOT_CMD_POWER_OFF,
        Shutdown::Restart => LINUX_REBOOT_CMD_RESTART,
    };
    // SAFETY: reboot takes a plain command number; the cast keeps its bits.
    unsafe { reboot(cmd as c_int) };
    io::Error::last_os_error()
}

/// Writes every file system's cached data to its disk.
pub fn sync_all() {
    // SAFETY: sync has no arguments and always succeeds.
    unsafe { sync() }
}

pub fn send_signal(pid: i32, signal: i32) -> io::Result<()> {
    // SAFETY: kill only takes numbers.
    check(unsafe { kill(pid, signal) })
}

/// The kernel's names, as uname(2) gives them.
pub struct SystemNames {
    pub sysname: String,
    pub nodename: String,
    pub release: String,
    pub version: String,
    pub machine: String,
}

pub fn system_names() -> io::Result<SystemNames> {
    let mut buf = Utsname { fields: [[0; 65]; 6] };
    // SAFETY: `buf` is a `struct utsname`.
    check(unsafe { uname(&mut buf) })?;
    let field = |i: usize| {
        // SAFETY: the kernel NUL-terminates each field within its 65 bytes.
        unsafe { CStr::from_ptr(buf.fields[i].as_ptr()) }.to_string_lossy().into_owned()
    };
    Ok(SystemNames { sysname: field(0), nodename: field(1), release: field(2), version: field(3), machine: field(4) })
}

/// Access modes for `can_access`.
pub const R_OK: i32 = 4;
pub const W_OK: i32 = 2;
pub const X_OK: i32 = 1;

/// Whether this process may access `path` in `mode` (R_OK, W_OK, X_OK),
/// by the rules the kernel applies, which permission bits alone do not tell
/// (root, read-only mounts).
pub fn can_access(path: &Path, mode: i32) -> bool {
    let Ok(path) = c_path(path) else { return false };
    // SAFETY: `path` is NUL-terminated.
    unsafe { access(path.as_ptr(), mode) == 0 }
}

/// Sets a file's access and modification times to now.
pub fn touch_now(path: &Path) -> io::Result<()> {
    let path = c_path(path)?;
    // SAFETY: `path` is NUL-terminated; null times mean "now".
    check(unsafe { utimensat(AT_FDCWD, path.as_ptr(), std::ptr::null(), 0) })
}

/// Mount flag: mount read-only.
pub const MS_RDONLY: u64 = 1;

pub fn mount_fs(source: &str, target: &Path, fstype: &str, flags: u64, data: &str) -> io::Result<()> {
    let (source, target) = (c_string(source.as_bytes())?, c_path(target)?);
    let (fstype, data) = (c_string(fstype.as_bytes())?, c_string(data.as_bytes())?);
    let data_ptr = if data.is_empty() { std::ptr::null() } else { data.as_ptr().cast() };
    // SAFETY: the strings are NUL-terminated and live across the call.
    check(unsafe { mount(source.as_ptr(), target.as_ptr(), fstype.as_ptr(), flags as c_ulong, data_ptr) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statfs_layout_matches_x86_64_linux() {
        assert_eq!(std::mem::size_of::<Statfs>(), 120);
        assert_eq!(std::mem::size_of::<Utsname>(), 390);
    }

    #[test]
    fn root_has_a_size_and_names() {
        assert!(fs_usage(Path::new("/")).is_ok());
        assert_eq!(system_names().unwrap().sysname, "Linux");
    }
}
