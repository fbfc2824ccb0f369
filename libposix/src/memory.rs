//! Memory calls, served by mm0: brk, mmap, munmap, mprotect.
//!
//! mm0 owns the process's address space; libposix only checks arguments and
//! forwards. mmap supports what mm0 supports today: private anonymous memory.
//! Other kinds (files, shared memory) and mprotect return `ENOSYS` and are
//! logged once, so a program that needs them says so on the console.

use crate::syscalls::{Args, SysResult, nr};
use crate::{log, server};
use fs0_proto::errno::{EINVAL, ENOSYS};
use mm0_proto::{SLOT_MM0, label};

/// mmap flags (Linux values) that mm0 does not look at.
mod map {
    pub const PRIVATE: u64 = 0x02;
    pub const ANONYMOUS: u64 = 0x20;
    pub const NORESERVE: u64 = 0x4000;
    pub const STACK: u64 = 0x20000;
}

/// Flags mm0's anonymous mappings satisfy: the two that define them, the
/// ones mm0 implements (FIXED, POPULATE) and hints that change nothing here.
const ANON_FLAGS_OK: u64 =
    map::PRIVATE | map::ANONYMOUS | map::NORESERVE | map::STACK | mm0_proto::map::FIXED | mm0_proto::map::POPULATE;
/// mmap protection bits: PROT_READ, PROT_WRITE, PROT_EXEC (mm0 uses the Linux values).
const PROT_MASK: u64 = mm0_proto::prot::READ | mm0_proto::prot::WRITE | mm0_proto::prot::EXEC;

/// brk(addr): mm0 moves the break if it can and answers the current one.
pub fn brk(args: &Args) -> SysResult {
    let reply = server::call(SLOT_MM0, label::BRK, &[args[0]], &[])?;
    Ok(reply[0])
}

/// mmap(addr, length, prot, flags, fd, offset)
pub fn mmap(args: &Args) -> SysResult {
    let [addr, len, prot, flags, ..] = *args;
    let flags = u64::from(flags as u32);
    let prot = u64::from(prot as u32);
    if len == 0 || prot & !PROT_MASK != 0 {
        return Err(EINVAL);
    }
    let anonymous = map::PRIVATE | map::ANONYMOUS;
    if flags & anonymous != anonymous || flags & !ANON_FLAGS_OK != 0 {
        log::once(nr::MMAP, format_args!("mmap: flags {flags:#x} not supported (only private anonymous)"));
        return Err(ENOSYS);
    }
    let reply = server::call(SLOT_MM0, label::MMAP_ANON, &[addr, len, prot, flags], &[])?;
    Ok(reply[0])
}

/// munmap(addr, length)
pub fn munmap(args: &Args) -> SysResult {
    let [addr, len, ..] = *args;
    server::call(SLOT_MM0, label::MUNMAP, &[addr, len], &[])?;
    Ok(0)
}

/// mprotect(addr, length, prot): mm0 cannot change protections yet.
pub fn mprotect(_args: &Args) -> SysResult {
    log::once(nr::MPROTECT, format_args!("mprotect: not supported yet"));
    Err(ENOSYS)
}
