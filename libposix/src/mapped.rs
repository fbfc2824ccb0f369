//! Pages of the program that libposix knows to be backed, so that it can
//! read and write program memory itself (iovec arrays, ioctl structures,
//! the thread pointer) without taking a page fault there: mm0 would treat
//! a fault in a hole as the program's own segmentation fault and end the
//! process, where Linux answers `EFAULT`.
//!
//! How: before touching a range, [`ensure`] asks mm0 to back it (POPULATE,
//! which fails with EFAULT for memory outside the program's regions or
//! without the access) unless every page of it is already known to be
//! backed. Copying through the kernel would need no such bookkeeping, but
//! the kernel has no call that copies within one's own address space, and
//! a POPULATE per access would double the cost of every `writev` (musl's
//! stdio writes with it). Pointers that libposix itself follows point at
//! few pages (the stack, stdio's buffers), so after the first time the
//! check costs no IPC.
//!
//! Why a page stays backed once POPULATE backed it: only mm0 changes a
//! process's mappings, and it removes pages only on requests libposix
//! itself makes (munmap, mmap over existing memory, brk) or when the
//! process ends. The memory calls [`forget_all`] after each of those. The
//! program cannot reach mm0 without libposix (its `syscall`s come here),
//! and with one thread per process (clone is not implemented) no other
//! thread can unmap a page between the check and the access. clone, and
//! mprotect once mm0 implements it, must keep this true.
//!
//! The record is direct-mapped: [`SLOTS`] entries indexed by page number,
//! each the page's address with [`WRITABLE`] set when it was backed for
//! writing. 0 is an empty entry (page 0 is never mapped).

use core::sync::atomic::{AtomicU64, Ordering};

use abi::PAGE_SIZE;
use fs0_proto::errno::EFAULT;
use libtern_sys::mm0;

/// Entries in the record.
const SLOTS: usize = 32;
/// Entry bit: the page was backed for writing (so it is readable too).
const WRITABLE: u64 = 1;

static KNOWN: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];

/// What libposix is about to do with program memory.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

fn slot(page: u64) -> &'static AtomicU64 {
    &KNOWN[(page / PAGE_SIZE) as usize % SLOTS]
}

fn is_known(page: u64, access: Access) -> bool {
    let entry = slot(page).load(Ordering::Relaxed);
    entry & !WRITABLE == page && (access == Access::Read || entry & WRITABLE != 0)
}

/// The pages of the non-empty range `[addr, addr + len)`, which must not
/// wrap around.
fn pages(addr: u64, len: u64) -> impl Iterator<Item = u64> {
    let first = addr & !(PAGE_SIZE - 1);
    let last = (addr + (len - 1)) & !(PAGE_SIZE - 1);
    (first..=last).step_by(PAGE_SIZE as usize)
}

/// Makes sure every page of `[addr, addr + len)`, a range in the user half,
/// is backed for `access`; `EFAULT` when some page cannot be.
pub fn ensure(addr: u64, len: u64, access: Access) -> Result<(), u32> {
    if len == 0 || pages(addr, len).all(|page| is_known(page, access)) {
        return Ok(());
    }
    mm0::populate(addr, len, access == Access::Write).map_err(|_| EFAULT)?;
    for page in pages(addr, len).take(SLOTS) {
        if access == Access::Read && is_known(page, Access::Write) {
            continue;
        }
        let bits = if access == Access::Write { WRITABLE } else { 0 };
        slot(page).store(page | bits, Ordering::Relaxed);
    }
    Ok(())
}

/// Forgets every page: mm0 may have removed some.
pub fn forget_all() {
    for entry in &KNOWN {
        entry.store(0, Ordering::Relaxed);
    }
}
