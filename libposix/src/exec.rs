//! execve: find the program, then have mm0 replace the process's image.
//!
//! libposix gathers the path, the arguments and the environment from the
//! program's memory (checking every pointer: a bad one is EFAULT and the
//! process goes on) into one buffer of NUL-terminated strings. Then:
//! - a file at the path (fs0) must be a regular file with an execute bit
//!   (EACCES otherwise); libposix reads it whole and lends it to mm0 with
//!   the strings (EXEC from a file);
//! - a file starting with `#!` is a script: its interpreter runs instead,
//!   with the optional argument from the `#!` line and the script's path
//!   before the original arguments (at most [`MAX_INTERPRETERS`] deep);
//! - no such file: a boot module named by `/bin/<name>` (EXEC from a
//!   module), until there is a root file system on disk.
//!
//! On success the call never returns: the calling process now runs the new
//! program. The arrays are walked twice, to size the buffer and to fill
//! it; a program whose other thread changes them in between gets EINVAL.

use abi::ipc::{Grant, grant};
use fs0_proto::AT_FDCWD;
use fs0_proto::errno::{E2BIG, EACCES, EFAULT, EINVAL, ELOOP, ENAMETOOLONG, ENOENT, ENOEXEC};
use fs0_proto::fcntl::{O_CLOEXEC, O_RDONLY};
use fs0_proto::mode::{S_IFMT, S_IFREG};
use libtern_sys::mm0;
use libtern_sys::mm0::Mm0Error;
use mm0_proto::{SLOT_FS0, SLOT_MM0, exec_source, label};

use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::{fs, mapped, thread, user};

/// Longest path, NUL included (Linux's PATH_MAX).
const PATH_MAX: u64 = 4096;
/// Most bytes of argument and environment strings, pointers included
/// (mm0's limit, `mm0::stack::ARG_MAX`).
const ARG_MAX: u64 = 256 * 1024;
/// Scripts whose interpreter is a script, at most this deep.
const MAX_INTERPRETERS: usize = 4;
/// Bytes of a `#!` line looked at (Linux's BINPRM_BUF_SIZE).
const SHEBANG_MAX: usize = 256;

/// The strings of the NULL-terminated pointer array `array` (none if it
/// is NULL), each as (address, length), handed to `each`; returns how
/// many there are. E2BIG past `budget` bytes (strings, NULs, pointers).
fn walk(array: u64, budget: &mut u64, mut each: impl FnMut(u64, u64)) -> Result<u64, u32> {
    if array == 0 {
        return Ok(0);
    }
    let mut count = 0;
    loop {
        let at = array.checked_add(count * 8).ok_or(EFAULT)?;
        let ptr: u64 = user::read(at)?;
        if ptr == 0 {
            return Ok(count);
        }
        let len = user::c_string_len(ptr, ARG_MAX, E2BIG)?;
        *budget = budget.checked_sub(len + 1 + 8).ok_or(E2BIG)?;
        each(ptr, len);
        count += 1;
    }
}

/// Copies `len` bytes at `from` and a NUL to `*to`, and moves `*to` on.
fn copy_string(from: u64, len: u64, to: &mut u64) {
    // SAFETY: `from..from + len` is readable (checked by c_string_len, or
    // a buffer of this module), and `*to` lies in a buffer this module
    // mapped and backed for writing, sized for every string; the two never
    // overlap (the buffer is new).
    unsafe {
        core::ptr::copy_nonoverlapping(from as *const u8, *to as *mut u8, len as usize);
        *((*to + len) as *mut u8) = 0;
    }
    *to += len + 1;
}

/// Anonymous memory for `len` bytes, backed for writing.
fn buffer(len: u64) -> Result<u64, u32> {
    let rw = mm0_proto::prot::READ | mm0_proto::prot::WRITE;
    mm0::mmap_anon(0, len.max(1), rw, mm0_proto::map::POPULATE).map_err(Mm0Error::errno)
}

fn release(addr: u64, len: u64) {
    let _ = mm0::munmap(addr, len.max(1));
    mapped::forget_all();
}

/// The strings for mm0: the path, `argc` arguments, `envc` environment
/// strings, NUL-terminated, in a buffer of ours.
struct Strings {
    addr: u64,
    /// Bytes in use; the buffer is `capacity` long.
    len: u64,
    capacity: u64,
    argc: u64,
    envc: u64,
}

impl Strings {
    /// Where the `i`-th string (0: the path) starts; the end of the
    /// strings for `i` = 1 + argc + envc.
    fn start(&self, i: u64) -> u64 {
        let end = self.addr + self.len;
        let mut at = self.addr;
        for _ in 0..i {
            // SAFETY: `addr..addr + len` holds NUL-terminated strings
            // written by this module; `at` stays below `end`.
            while at < end && unsafe { *(at as *const u8) } != 0 {
                at += 1;
            }
            at = (at + 1).min(end);
        }
        at
    }

    /// The path, as (address, length without the NUL).
    fn path(&self) -> (u64, u64) {
        (self.addr, self.start(1) - self.addr - 1)
    }
}

impl Drop for Strings {
    fn drop(&mut self) {
        release(self.addr, self.capacity);
    }
}

/// execve(path, argv, envp)
pub fn execve(args: &Args) -> SysResult {
    let [path, argv, envp, ..] = *args;
    let path_len = user::c_string_len(path, PATH_MAX - 1, ENAMETOOLONG)?;
    let mut budget = ARG_MAX;
    let argc = walk(argv, &mut budget, |_, _| {})?;
    let envc = walk(envp, &mut budget, |_, _| {})?;
    // Strings and their NULs: the budget spent, less the pointers.
    let total = path_len + 1 + (ARG_MAX - budget) - 8 * (argc + envc);
    let addr = buffer(total)?;
    let mut strings = Strings { addr, len: 0, capacity: total, argc, envc };
    let mut end = addr;
    copy_string(path, path_len, &mut end);
    // Another thread may lengthen a string between the walks: nothing is
    // copied past the buffer, and the exec is refused.
    let mut overflow = false;
    let mut copy = |ptr: u64, len: u64| {
        if overflow || end + len + 1 > addr + total {
            overflow = true;
        } else {
            copy_string(ptr, len, &mut end);
        }
    };
    let mut fill = ARG_MAX;
    let copied = walk(argv, &mut fill, &mut copy).and_then(|a| walk(envp, &mut fill, &mut copy).map(|e| (a, e)));
    match copied {
        Ok(counts) if counts == (argc, envc) && !overflow => strings.len = end - addr,
        // The arrays changed between the two walks: refuse.
        Ok(_) => return Err(EINVAL),
        Err(e) => return Err(e),
    }
    for _ in 0..=MAX_INTERPRETERS {
        strings = run(strings)?;
    }
    Err(ELOOP)
}

/// Starts the program `strings` name; returns only on failure, or with the
/// strings for a script's interpreter (to be run instead).
fn run(strings: Strings) -> Result<Strings, u32> {
    let (path, path_len) = strings.path();
    let path_grant = Grant { addr: path, len: path_len, access: grant::READ };
    let opened = server::call(SLOT_FS0, fs0_proto::label::OPEN, &[AT_FDCWD, O_RDONLY | O_CLOEXEC, 0], &[path_grant]);
    let fd = match opened {
        Ok(reply) => reply.word(0),
        Err(ENOENT) => return exec(&strings, exec_source::MODULE, None).map(|never| match never {}),
        Err(e) => return Err(e),
    };
    let file = read_executable(fd);
    let _ = server::call(SLOT_FS0, fs0_proto::label::CLOSE, &[fd], &[]);
    let (addr, size) = file?;
    let result = if size >= 2 && starts_with(addr, b"#!") {
        interpreter(&strings, addr, size)
    } else {
        let program = Grant { addr, len: size, access: grant::READ };
        exec(&strings, exec_source::FILE, Some(program)).map(|never| match never {})
    };
    release(addr, size);
    result
}

/// Whether the `size`-byte buffer at `addr` (ours, backed) starts with
/// `prefix`.
fn starts_with(addr: u64, prefix: &[u8]) -> bool {
    // SAFETY: a buffer this module mapped and filled, at least
    // `prefix.len()` bytes long (the caller checked its size).
    let head = unsafe { core::slice::from_raw_parts(addr as *const u8, prefix.len()) };
    head == prefix
}

/// Reads the executable open on `fd` into a buffer of ours: (address,
/// size). EACCES for anything but a regular file with an execute bit.
fn read_executable(fd: u64) -> Result<(u64, u64), u32> {
    let st = fs::file_stat(fd)?;
    if st.mode & S_IFMT != S_IFREG || st.mode & 0o111 == 0 {
        return Err(EACCES);
    }
    let addr = buffer(st.size)?;
    match fs::read_at(fd, 0, addr, st.size) {
        Ok(n) if n == st.size => Ok((addr, st.size)),
        // The file shrank while it was read: no image to trust.
        Ok(_) => {
            release(addr, st.size);
            Err(fs0_proto::errno::EIO)
        }
        Err(e) => {
            release(addr, st.size);
            Err(e)
        }
    }
}

/// The strings for the interpreter of the script `strings` names, whose
/// first `size` bytes are at `addr`: interpreter path, then argv = the
/// interpreter, its optional argument, the script's path, the script's
/// arguments after argv[0]; the same environment.
fn interpreter(strings: &Strings, addr: u64, size: u64) -> Result<Strings, u32> {
    let n = (size as usize).min(SHEBANG_MAX);
    // SAFETY: our buffer of `size` bytes, read from the file.
    let head = unsafe { core::slice::from_raw_parts(addr as *const u8, n) };
    let line = &head[2..];
    // A line that does not end within the first SHEBANG_MAX bytes is
    // too long to hold an interpreter we could trust.
    let line_end = match line.iter().position(|&b| b == b'\n') {
        Some(end) => end,
        None if n == size as usize => line.len(),
        None => return Err(ENOEXEC),
    };
    let line = &line[..line_end];
    // As on Linux, a NUL ends the line too.
    let line = &line[..line.iter().position(|&b| b == 0).unwrap_or(line.len())];
    let trimmed = trim(line);
    let split = trimmed.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(trimmed.len());
    let (interp, arg) = (&trimmed[..split], trim(&trimmed[split..]));
    if interp.is_empty() {
        return Err(ENOEXEC);
    }
    let (path, path_len) = strings.path();
    // The script's argv[0] gives way to the interpreter's arguments.
    let kept = strings.start(1 + strings.argc.min(1));
    let tail = strings.addr + strings.len - kept;
    let arg_len = if arg.is_empty() { 0 } else { arg.len() as u64 + 1 };
    let extra = 2 * (interp.len() as u64 + 1) + arg_len + path_len + 1;
    let total = extra + tail;
    if total > ARG_MAX + PATH_MAX {
        return Err(E2BIG);
    }
    let addr = buffer(total)?;
    let mut next = Strings { addr, len: 0, capacity: total, argc: 0, envc: strings.envc };
    let mut end = addr;
    copy_string(interp.as_ptr() as u64, interp.len() as u64, &mut end);
    copy_string(interp.as_ptr() as u64, interp.len() as u64, &mut end);
    next.argc = 1;
    if !arg.is_empty() {
        copy_string(arg.as_ptr() as u64, arg.len() as u64, &mut end);
        next.argc += 1;
    }
    copy_string(path, path_len, &mut end);
    next.argc += 1 + strings.argc.saturating_sub(1);
    // SAFETY: both buffers are ours; the tail (argv[1..] and envp, NULs
    // included) fits in the new one, sized for it above.
    unsafe { core::ptr::copy_nonoverlapping(kept as *const u8, end as *mut u8, tail as usize) };
    next.len = end + tail - addr;
    Ok(next)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| b != b' ' && b != b'\t' && b != b'\r').map_or(start, |e| e + 1);
    &bytes[start..end.max(start)]
}

/// Never returns normally: mm0 replaced the process.
enum Replaced {}

/// EXEC to mm0; returns only its error.
fn exec(strings: &Strings, source: u64, program: Option<Grant>) -> Result<Replaced, u32> {
    let words = [strings.len, strings.argc, strings.envc, thread::current_slot() as u64, source];
    let lent = Grant { addr: strings.addr, len: strings.len, access: grant::READ };
    let result = match program {
        Some(p) => server::call(SLOT_MM0, label::EXEC, &words, &[lent, p]),
        None => server::call(SLOT_MM0, label::EXEC, &words, &[lent]),
    };
    Err(result.err().unwrap_or(EINVAL))
}
