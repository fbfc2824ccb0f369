//! Memory calls, served by mm0: brk, mmap, munmap, mprotect, mremap,
//! madvise, msync.
//!
//! mm0 owns the process's address space; libposix only checks arguments and
//! forwards. mmap supports anonymous memory, private or shared (MAP_SHARED:
//! the same frames in the children forked afterwards), private mappings of
//! regular files (anonymous memory filled with the file's bytes from the
//! offset on: POSIX leaves open whether later changes to the file show
//! through a private mapping; here they do not), and shared mappings of
//! regular files, which fs0 sets up (MMAP): the file's own pages, so that
//! read, write and every mapping see each other's changes. Other flags
//! return `ENOSYS` and are logged once, so a program that needs them says
//! so on the console.
//!
//! A call that may remove pages or take access away (brk, munmap, mmap over
//! existing memory, mprotect) makes libposix forget which pages it knew to
//! be backed ([`mapped`]).

use crate::server;
use crate::syscalls::{Args, SysResult, nr};
use crate::{fs, log, mapped};
use fs0_proto::errno::{EACCES, EINVAL, ENODEV, ENOSYS};
use fs0_proto::fcntl::{F_GETFL, O_ACCMODE, O_WRONLY};
use fs0_proto::mode::{S_IFMT, S_IFREG};
use libtern_sys::mm0;
use libtern_sys::mm0::Mm0Error;
use mm0_proto::{SLOT_MM0, label};

/// mmap flags (Linux values) that mm0 does not look at.
mod map {
    pub const SHARED: u64 = 0x01;
    /// MAP_SHARED, MAP_PRIVATE, or both: MAP_SHARED_VALIDATE.
    pub const TYPE: u64 = 0x03;
    pub const ANONYMOUS: u64 = 0x20;
    pub const NORESERVE: u64 = 0x4000;
    pub const STACK: u64 = 0x20000;
}

/// Flags mm0's anonymous mappings satisfy: the ones that define them, the
/// ones mm0 implements (FIXED, POPULATE) and hints that change nothing here.
const ANON_FLAGS_OK: u64 = map::TYPE
    | map::ANONYMOUS
    | map::NORESERVE
    | map::STACK
    | mm0_proto::map::FIXED
    | mm0_proto::map::FIXED_NOREPLACE
    | mm0_proto::map::POPULATE;
const PAGE_SIZE: u64 = 4096;
/// mmap protection bits: PROT_READ, PROT_WRITE, PROT_EXEC (mm0 uses the Linux values).
const PROT_MASK: u64 = mm0_proto::prot::READ | mm0_proto::prot::WRITE | mm0_proto::prot::EXEC;

/// brk(addr): mm0 moves the break if it can and answers the current one;
/// 0 only asks.
pub fn brk(args: &Args) -> SysResult {
    let new = args[0];
    let current = mm0::brk(new).map_err(Mm0Error::errno)?;
    if new != 0 {
        mapped::forget_all();
    }
    Ok(current)
}

/// mmap(addr, length, prot, flags, fd, offset)
pub fn mmap(args: &Args) -> SysResult {
    let [addr, len, prot, flags, fd, offset] = *args;
    let flags = u64::from(flags as u32);
    let prot = u64::from(prot as u32);
    if len == 0 || prot & !PROT_MASK != 0 {
        return Err(EINVAL);
    }
    if flags & map::TYPE == 0 {
        return Err(EINVAL);
    }
    if flags & !ANON_FLAGS_OK != 0 {
        log::once(nr::MMAP, format_args!("mmap: flags {flags:#x} not supported"));
        return Err(ENOSYS);
    }
    if flags & map::ANONYMOUS == 0 && flags & map::SHARED != 0 {
        return map_file_shared(addr, len, prot, flags, u64::from(fd as u32), offset);
    }
    if flags & map::ANONYMOUS == 0 {
        return map_file_private(addr, len, prot, flags, u64::from(fd as u32), offset);
    }
    if flags & mm0_proto::map::FIXED != 0 {
        mapped::forget_all();
    }
    // MAP_SHARED_VALIDATE is MAP_SHARED with its flags checked, as above.
    let shared = if flags & map::SHARED != 0 { mm0_proto::map::SHARED } else { 0 };
    mm0::mmap_anon(addr, len, prot, (flags & !map::TYPE) | shared).map_err(Mm0Error::errno)
}

/// A shared mapping of `len` bytes of file `fd` from `offset`: fs0 checks
/// the descriptor and has mm0 map the file's pages.
fn map_file_shared(addr: u64, len: u64, prot: u64, flags: u64, fd: u64, offset: u64) -> SysResult {
    if flags & mm0_proto::map::FIXED != 0 {
        mapped::forget_all();
    }
    let placement = flags & (mm0_proto::map::FIXED | mm0_proto::map::FIXED_NOREPLACE);
    let words = [fd, offset, len, prot, placement, addr];
    server::call(mm0_proto::SLOT_FS0, fs0_proto::label::MMAP, &words, &[]).map(|r| r.word(0))
}

/// A private mapping of `len` bytes of file `fd` from `offset`: a new
/// anonymous private mapping holding a copy of the bytes.
fn map_file_private(addr: u64, len: u64, prot: u64, flags: u64, fd: u64, offset: u64) -> SysResult {
    if !offset.is_multiple_of(PAGE_SIZE) || offset.checked_add(len).is_none_or(|end| end > i64::MAX as u64) {
        return Err(EINVAL);
    }
    let st = fs::file_stat(fd)?;
    if st.mode & S_IFMT != S_IFREG {
        return Err(ENODEV);
    }
    let status = server::call(mm0_proto::SLOT_FS0, fs0_proto::label::FCNTL, &[fd, F_GETFL, 0], &[])?.word(0);
    if status & O_ACCMODE == O_WRONLY {
        return Err(EACCES);
    }
    if flags & mm0_proto::map::FIXED != 0 {
        mapped::forget_all();
    }
    // Writable while it is filled, then the protection asked for.
    let rw = mm0_proto::prot::READ | mm0_proto::prot::WRITE;
    let fixed = flags & (mm0_proto::map::FIXED | mm0_proto::map::FIXED_NOREPLACE);
    let start = mm0::mmap_anon(addr, len, rw, fixed).map_err(Mm0Error::errno)?;
    let filled = match st.size.saturating_sub(offset).min(len) {
        0 => Ok(()),
        bytes => fs::read_at(fd, offset, start, bytes).map(|_| ()),
    };
    let protected = filled.and_then(|()| match prot {
        p if p == rw => Ok(()),
        p => server::call(SLOT_MM0, label::MPROTECT, &[start, len, p], &[]).map(|_| ()),
    });
    match protected {
        Ok(()) => Ok(start),
        Err(e) => {
            let _ = mm0::munmap(start, len);
            mapped::forget_all();
            Err(e)
        }
    }
}

/// munmap(addr, length)
pub fn munmap(args: &Args) -> SysResult {
    let [addr, len, ..] = *args;
    mapped::forget_all();
    mm0::munmap(addr, len).map_err(Mm0Error::errno)?;
    Ok(0)
}

/// mprotect(addr, length, prot): mm0's MPROTECT, which checks the range as
/// Linux does. Linux's PROT_GROWSDOWN/PROT_GROWSUP are not supported (EINVAL).
pub fn mprotect(args: &Args) -> SysResult {
    let [addr, len, prot, ..] = *args;
    let prot = u64::from(prot as u32);
    if prot & !PROT_MASK != 0 {
        return Err(EINVAL);
    }
    mapped::forget_all();
    server::call(SLOT_MM0, label::MPROTECT, &[addr, len, prot], &[]).map(|_| 0)
}

/// mremap(old, old_size, new_size, flags, new_address)
pub fn mremap(args: &Args) -> SysResult {
    let [old, old_len, new_len, flags, new_addr, _] = *args;
    mapped::forget_all();
    let words = [old, old_len, new_len, u64::from(flags as u32), new_addr];
    server::call(SLOT_MM0, label::MREMAP, &words, &[]).map(|r| r.word(0))
}

/// madvise(addr, length, advice): mm0 drops pages for MADV_DONTNEED and
/// MADV_FREE; the pure hints are accepted. Advice that would change what
/// fork or a later access does (MADV_DONTFORK, MADV_WIPEONFORK, MADV_REMOVE
/// and the like) is not supported: EINVAL.
pub fn madvise(args: &Args) -> SysResult {
    let [addr, len, advice, ..] = *args;
    let advice = u64::from(advice as u32);
    // NORMAL, RANDOM, SEQUENTIAL, WILLNEED, DONTNEED, FREE, MERGEABLE,
    // UNMERGEABLE, HUGEPAGE, NOHUGEPAGE, DONTDUMP, DODUMP, COLD, PAGEOUT.
    const KNOWN: [u64; 14] = [0, 1, 2, 3, 4, 8, 12, 13, 14, 15, 16, 17, 20, 21];
    if !KNOWN.contains(&advice) {
        return Err(EINVAL);
    }
    if advice == mm0_proto::advise::DONTNEED || advice == mm0_proto::advise::FREE {
        mapped::forget_all();
    }
    server::call(SLOT_MM0, label::MADVISE, &[addr, len, advice], &[]).map(|_| 0)
}

/// msync(addr, length, flags): a shared file mapping is the file's own
/// pages (in memory), so nothing is to be written back; the arguments and
/// the range are checked as Linux checks them.
pub fn msync(args: &Args) -> SysResult {
    const MS_ASYNC: u64 = 1;
    const MS_INVALIDATE: u64 = 2;
    const MS_SYNC: u64 = 4;
    let [addr, len, flags, ..] = *args;
    let flags = u64::from(flags as u32);
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0 || flags & (MS_ASYNC | MS_SYNC) == MS_ASYNC | MS_SYNC {
        return Err(EINVAL);
    }
    // MADV_NORMAL only checks that the range is mapped.
    server::call(SLOT_MM0, label::MADVISE, &[addr, len, 0], &[]).map(|_| 0)
}
