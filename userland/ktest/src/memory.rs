//! mm0's services as a native task sees them: anonymous memory backed on
//! first touch and gone after MUNMAP, the brk heap, thread exit codes, and
//! errnos for bad requests.

use alloc::format;

use abi::PAGE_SIZE;
use libtern::ipc::{self, Message};
use libtern::mm0::{self, Mm0Error, Outcome};
use libtern::thread;
use mm0_proto::{SLOT_MM0, errno, prot};

use crate::report::Outcome as Verdict;
use crate::{ensure, probe};

const PAGES: u64 = 16;

fn write_read(addr: u64, pages: u64) -> Verdict {
    for i in 0..pages {
        let p = (addr + i * PAGE_SIZE) as *mut u64;
        // SAFETY: the page belongs to a read-write region mm0 just made for
        // this task; no Rust reference points into it.
        unsafe { p.write_volatile(i ^ 0xa5a5) };
    }
    for i in 0..pages {
        let p = (addr + i * PAGE_SIZE) as *const u64;
        // SAFETY: as above.
        let v = unsafe { p.read_volatile() };
        ensure!(v == i ^ 0xa5a5, "page {i} of {addr:#x} reads {v:#x}");
    }
    Ok(())
}

pub fn anonymous_memory() -> Verdict {
    let len = PAGES * PAGE_SIZE;
    let free_before = mm0::mem_stats().map(|s| s.free_pages).map_err(|e| format!("MEM_STATS failed: {e:?}"))?;
    let addr = mm0::mmap_anon(0, len, prot::READ | prot::WRITE, 0).map_err(|e| format!("MMAP_ANON failed: {e:?}"))?;
    ensure!(addr % PAGE_SIZE == 0 && addr != 0, "MMAP_ANON gave {addr:#x}");
    write_read(addr, PAGES)?;
    let free_after = mm0::mem_stats().map(|s| s.free_pages).map_err(|e| format!("MEM_STATS failed: {e:?}"))?;
    ensure!(free_before >= free_after + PAGES, "touching {PAGES} pages took only {} frames", free_before - free_after);
    mm0::munmap(addr, len).map_err(|e| format!("MUNMAP failed: {e:?}"))?;
    let outcome = probe::outcome_of(move || probe::read(addr))?;
    ensure!(outcome == Outcome::Faulted { vector: 14, address: addr }, "reading unmapped memory ended as {outcome:?}");
    Ok(())
}

pub fn brk() -> Verdict {
    let start = mm0::brk(0).map_err(|e| format!("BRK(0) failed: {e:?}"))?;
    let grown = mm0::brk(start + 3 * PAGE_SIZE).map_err(|e| format!("BRK failed: {e:?}"))?;
    ensure!(grown == start + 3 * PAGE_SIZE, "BRK grew to {grown:#x}, want {:#x}", start + 3 * PAGE_SIZE);
    write_read((start + PAGE_SIZE - 1) & !(PAGE_SIZE - 1), 2)?;
    let shrunk = mm0::brk(start).map_err(|e| format!("BRK failed: {e:?}"))?;
    ensure!(shrunk == start, "BRK shrank to {shrunk:#x}, want {start:#x}");
    let refused = mm0::brk(1).map_err(|e| format!("BRK failed: {e:?}"))?;
    ensure!(refused == start, "BRK(1) moved the break to {refused:#x}");
    Ok(())
}

pub fn thread_exit_code() -> Verdict {
    let t = thread::spawn(|| 42).map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    let outcome = t.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))?;
    ensure!(outcome == Outcome::Exited(42), "the thread ended as {outcome:?}");
    Ok(())
}

pub fn bad_requests() -> Verdict {
    let einval = Err(Mm0Error::Errno(errno::EINVAL));
    let r = mm0::mmap_anon(0, 0, prot::READ, 0);
    ensure!(r == einval.map(|()| 0), "MMAP_ANON of 0 bytes: {r:?}");
    let r = mm0::mmap_anon(0, PAGE_SIZE, 0x80, 0);
    ensure!(r == einval.map(|()| 0), "MMAP_ANON with bad prot: {r:?}");
    let r = mm0::munmap(0x1234, PAGE_SIZE);
    ensure!(r == einval, "MUNMAP of an unaligned address: {r:?}");
    let r = mm0::munmap(mm0_proto::NATIVE_START_INFO, PAGE_SIZE);
    ensure!(r == einval, "MUNMAP of the StartInfo page: {r:?}");
    let r = mm0::thread_join(u64::MAX);
    ensure!(r == Err(Mm0Error::Errno(errno::ESRCH)), "THREAD_JOIN of no thread: {r:?}");
    let r = ipc::call(SLOT_MM0, &Message::new(0x7777, &[1, 2, 3]));
    ensure!(r.map(|m| m.label()) == Ok(errno::ENOSYS), "unknown label: {r:?}");
    let r = ipc::call(SLOT_MM0, &Message::new(abi::ipc::LABEL_PAGE_FAULT, &[0x5000, 2, 0, 14, 0, 0]));
    ensure!(r.map(|m| m.label()) == Ok(errno::ENOSYS), "a forged page-fault message: {r:?}");
    Ok(())
}
