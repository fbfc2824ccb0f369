//! execve: the strings go to mm0, which replaces the process's image.
//!
//! libposix gathers the path, the arguments and the environment from the
//! program's memory (checking every pointer: a bad one is EFAULT and the
//! process goes on) into one buffer of NUL-terminated strings, lends it to
//! mm0 with EXEC, and mm0 does the rest (`mm0/src/exec.rs`). On success
//! the call never returns: the calling process now runs the new program.
//! The arrays are walked twice, to size the buffer and to fill it; a
//! program whose other thread changes them in between gets whatever mm0
//! finds well-formed, or EINVAL.

use abi::ipc::{Grant, grant};
use fs0_proto::errno::{E2BIG, EFAULT, ENAMETOOLONG};
use libtern_sys::mm0;
use mm0_proto::{SLOT_MM0, label};

use crate::server::{self, mm0_errno};
use crate::syscalls::{Args, SysResult};
use crate::{mapped, thread, user};

/// Longest path, NUL included (Linux's PATH_MAX).
const PATH_MAX: u64 = 4096;
/// Most bytes of argument and environment strings, pointers included
/// (mm0's limit, `mm0::stack::ARG_MAX`).
const ARG_MAX: u64 = 256 * 1024;

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
    // SAFETY: `from..from + len` was checked readable (c_string_len), and
    // `*to` lies in the buffer execve mapped and backed for writing, sized
    // for every string; the two never overlap (the buffer is new).
    unsafe {
        core::ptr::copy_nonoverlapping(from as *const u8, *to as *mut u8, len as usize);
        *((*to + len) as *mut u8) = 0;
    }
    *to += len + 1;
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

    let rw = mm0_proto::prot::READ | mm0_proto::prot::WRITE;
    let buffer = mm0::mmap_anon(0, total, rw, mm0_proto::map::POPULATE).map_err(mm0_errno)?;
    let mut end = buffer;
    copy_string(path, path_len, &mut end);
    let mut fill = ARG_MAX;
    let copied = walk(argv, &mut fill, |ptr, len| copy_string(ptr, len, &mut end))
        .and_then(|a| walk(envp, &mut fill, |ptr, len| copy_string(ptr, len, &mut end)).map(|e| (a, e)));
    let result = match copied {
        // The arrays changed between the two walks: refuse.
        Ok(counts) if counts == (argc, envc) && end - buffer <= total => {
            let words = [end - buffer, argc, envc, thread::current_slot() as u64];
            let lent = Grant { addr: buffer, len: end - buffer, access: grant::READ };
            server::call(SLOT_MM0, label::EXEC, &words, &[lent]).map(|_| 0)
        }
        Ok(_) => Err(fs0_proto::errno::EINVAL),
        Err(e) => Err(e),
    };
    // Only a failed exec comes back here.
    let _ = mm0::munmap(buffer, total);
    mapped::forget_all();
    result
}
