//! Memory calls, served by mm0: brk, mmap, munmap, mprotect, mremap,
//! madvise, msync.
//!
//! mm0 owns the process's address space; libposix only checks arguments and
//! forwards. mmap supports what mm0 supports today: anonymous memory,
//! private or shared (MAP_SHARED: the same frames in the children forked
//! afterwards). File mappings return `ENOSYS` and are logged once, so a
//! program that needs them says so on the console.
//!
//! A call that may remove pages or take access away (brk, munmap, mmap over
//! existing memory, mprotect) makes libposix forget which pages it knew to
//! be backed ([`mapped`]).

use crate::server::{self, mm0_errno};
use crate::syscalls::{Args, SysResult, nr};
use crate::{log, mapped};
use fs0_proto::errno::{EINVAL, ENOSYS};
use libtern_sys::mm0;
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
/// mmap protection bits: PROT_READ, PROT_WRITE, PROT_EXEC (mm0 uses the Linux values).
const PROT_MASK: u64 = mm0_proto::prot::READ | mm0_proto::prot::WRITE | mm0_proto::prot::EXEC;

/// brk(addr): mm0 moves the break if it can and answers the current one;
/// 0 only asks.
pub fn brk(args: &Args) -> SysResult {
    let new = args[0];
    let current = mm0::brk(new).map_err(mm0_errno)?;
    if new != 0 {
        mapped::forget_all();
    }
    Ok(current)
}

/// mmap(addr, length, prot, flags, fd, offset)
pub fn mmap(args: &Args) -> SysResult {
    let [addr, len, prot, flags, ..] = *args;
    let flags = u64::from(flags as u32);
    let prot = u64::from(prot as u32);
    if len == 0 || prot & !PROT_MASK != 0 {
        return Err(EINVAL);
    }
    if flags & map::TYPE == 0 {
        return Err(EINVAL);
    }
    if flags & map::ANONYMOUS == 0 || flags & !ANON_FLAGS_OK != 0 {
        log::once(nr::MMAP, format_args!("mmap: flags {flags:#x} not supported (only anonymous memory)"));
        return Err(ENOSYS);
    }
    if flags & mm0_proto::map::FIXED != 0 {
        mapped::forget_all();
    }
    // MAP_SHARED_VALIDATE is MAP_SHARED with its flags checked, as above.
    let shared = if flags & map::SHARED != 0 { mm0_proto::map::SHARED } else { 0 };
    mm0::mmap_anon(addr, len, prot, (flags & !map::TYPE) | shared).map_err(mm0_errno)
}

/// munmap(addr, length)
pub fn munmap(args: &Args) -> SysResult {
    let [addr, len, ..] = *args;
    mapped::forget_all();
    mm0::munmap(addr, len).map_err(mm0_errno)?;
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

/// msync(addr, length, flags): there are no file mappings, so nothing is
/// to be written back; the arguments and the range are checked as Linux
/// checks them.
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
