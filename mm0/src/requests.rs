//! The requests of `mm0_proto`: memory (BRK, MMAP_ANON, MUNMAP, MPROTECT,
//! MREMAP, MADVISE, POPULATE) and identity (PROCESS_INFO, SETPGID, SETSID, PROCESS_GROUP,
//! SUBREAPER).
//! Threads, FORK, WAIT, signals and futexes have files of their own.
//!
//! Every argument is checked before anything changes: a bad address,
//! length, flag or thread id is EINVAL (or ESRCH), running out of frames or
//! address space is ENOMEM, and a failed request leaves the task as it was.
//! Memory requests only change regions; pages are backed on first touch
//! unless MAP_POPULATE or POPULATE asks for them now.

use alloc::vec::Vec;

use abi::{PAGE_SIZE, USER_BOTTOM, USER_TOP};
use libtern::grant;
use libtern::ipc::{self, Message};
use libtern::println;
use mm0::layout::{HEAP_MAX, MMAP_BOTTOM, MMAP_TOP, page_down, page_up};
use mm0::process::NO_PARENT;
use mm0::vma::{Kind, Vma, prot};
use mm0_proto::{ProcessName, ProcessState, advise, errno, map, remap};

use crate::phys::Phys;
use crate::server::{Mm0, fail, ok};
use crate::task::{Page, Task};

/// Where a new mapping of `len` bytes (page-aligned) goes in `task`, as
/// mmap decides: at `hint` exactly with MAP_FIXED (replacing what is
/// there) or MAP_FIXED_NOREPLACE (EEXIST if taken), at `hint` if it is
/// free, else in the highest gap of the mmap area.
pub fn place(task: &mut Task, phys: &mut Phys, hint: u64, len: u64, flags: u64) -> Result<u64, u32> {
    let fits = |start: u64| {
        start.is_multiple_of(PAGE_SIZE) && start >= USER_BOTTOM && start.checked_add(len).is_some_and(|e| e <= USER_TOP)
    };
    if flags & map::FIXED_NOREPLACE != 0 {
        if !fits(hint) {
            return Err(errno::EINVAL);
        }
        if !task.vmas.is_free(hint, hint + len) {
            return Err(errno::EEXIST);
        }
        Ok(hint)
    } else if flags & map::FIXED != 0 {
        if !fits(hint) || task.vmas.touches(hint, hint + len, Kind::System) {
            return Err(errno::EINVAL);
        }
        task.vmas.remove(hint, hint + len);
        task.unmap(phys, hint, hint + len);
        Ok(hint)
    } else if hint != 0 && fits(hint) && task.vmas.is_free(hint, hint + len) {
        Ok(hint)
    } else {
        task.vmas.find_gap_top_down(len, MMAP_BOTTOM, MMAP_TOP).ok_or(errno::ENOMEM)
    }
}

impl Mm0 {
    /// BRK (new break or 0) -> (current break). As on Linux, a break that
    /// cannot be set leaves the old one, which is returned.
    pub fn brk(&mut self, id: u64, new: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        let (start, old) = (task.brk_start, task.brk);
        let limit = start.saturating_add(HEAP_MAX).min(USER_TOP);
        if new < start || new > limit {
            return ok(&[old]);
        }
        let (Some(old_end), Some(new_end)) = (page_up(old), page_up(new)) else {
            return ok(&[old]);
        };
        if new_end > old_end {
            let grown = Vma { start: old_end, end: new_end, prot: prot::READ | prot::WRITE, kind: Kind::Heap };
            if task.vmas.insert(grown).is_err() {
                return ok(&[old]);
            }
        } else if new_end < old_end {
            task.vmas.remove(new_end, old_end);
            task.unmap(&mut self.phys, new_end, old_end);
        }
        task.brk = new;
        ok(&[new])
    }

    /// MMAP_ANON (addr hint, len, prot, flags) -> (addr): private, or with
    /// `map::SHARED` a window on a new shared object.
    pub fn mmap_anon(&mut self, id: u64, [hint, len, p, flags]: [u64; 4]) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        if len == 0 || p & !prot::ALL != 0 {
            return fail(errno::EINVAL);
        }
        let Some(len) = page_up(len) else {
            return fail(errno::ENOMEM);
        };
        let start = match place(task, &mut self.phys, hint, len, flags) {
            Ok(start) => start,
            Err(e) => return fail(e),
        };
        let kind = if flags & map::SHARED != 0 {
            let object = self.object_create(len, false);
            Kind::Shared { object, delta: 0u64.wrapping_sub(start), writable: true }
        } else {
            Kind::Anon
        };
        let vma = Vma { start, end: start + len, prot: p, kind };
        let task = self.tasks.get_mut(&id)?;
        if task.vmas.insert(vma).is_err() {
            self.collect_objects();
            return fail(errno::ENOMEM);
        }
        if flags & map::POPULATE != 0 && p != 0 {
            for page in (start..start + len).step_by(PAGE_SIZE as usize) {
                if let Err(e) = self.back_page(id, page, &vma) {
                    let task = self.tasks.get_mut(&id)?;
                    task.vmas.remove(start, start + len);
                    task.unmap(&mut self.phys, start, start + len);
                    self.collect_objects();
                    return fail(e.errno());
                }
            }
        }
        self.collect_objects();
        ok(&[start])
    }

    /// MUNMAP (addr, len).
    pub fn munmap(&mut self, id: u64, addr: u64, len: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        let end = page_up(len).and_then(|l| addr.checked_add(l));
        let Some(end) = end.filter(|_| len != 0 && addr.is_multiple_of(PAGE_SIZE) && addr >= USER_BOTTOM) else {
            return fail(errno::EINVAL);
        };
        if end > USER_TOP || task.vmas.touches(addr, end, Kind::System) {
            return fail(errno::EINVAL);
        }
        task.vmas.remove(addr, end);
        task.unmap(&mut self.phys, addr, end);
        self.collect_objects();
        ok(&[])
    }

    /// MPROTECT (addr, len, prot): every check first, then the regions,
    /// then the backed pages.
    pub fn mprotect(&mut self, id: u64, addr: u64, len: u64, p: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        if !addr.is_multiple_of(PAGE_SIZE) || p & !prot::ALL != 0 {
            return fail(errno::EINVAL);
        }
        if len == 0 {
            return ok(&[]);
        }
        let Some(end) = page_up(len).and_then(|l| addr.checked_add(l)) else {
            return fail(errno::ENOMEM);
        };
        if addr < USER_BOTTOM || end > USER_TOP || !task.vmas.covers(addr, end, 0) {
            return fail(errno::ENOMEM);
        }
        let read_only = |v: &Vma| matches!(v.kind, Kind::Shared { writable: false, .. });
        if task.vmas.touches(addr, end, Kind::System)
            || (p & prot::WRITE != 0 && task.vmas.overlapping(addr, end).any(read_only))
        {
            return fail(errno::EACCES);
        }
        if task.vmas.protect(addr, end, p).is_err() {
            return fail(errno::ENOMEM);
        }
        let backed: Vec<u64> = task.pages.range(addr..end).map(|(&vaddr, _)| vaddr).collect();
        for vaddr in backed {
            if let Err(e) = task.protect(&self.phys, vaddr, p) {
                println!("mm0: {}: cannot change the protection of {vaddr:#x}: {e:?}", task.name);
                return fail(e.errno());
            }
        }
        ok(&[])
    }

    /// POPULATE (addr, len, write): back the range's pages that are not
    /// backed yet (and for write access, give shared pages their own copy),
    /// after checking that all of them may be accessed so.
    pub fn populate(&mut self, id: u64, addr: u64, len: u64, write: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        let need = match write {
            0 => prot::READ,
            1 => prot::WRITE,
            _ => return fail(errno::EINVAL),
        };
        if len == 0 {
            return ok(&[]);
        }
        if !abi::is_user_range(addr, len) {
            return fail(errno::EFAULT);
        }
        let Some(end) = page_up(addr + len) else {
            return fail(errno::EFAULT);
        };
        let start = page_down(addr);
        if !task.vmas.covers(start, end, need) {
            return fail(errno::EFAULT);
        }
        let regions: Vec<Vma> = task.vmas.overlapping(start, end).copied().collect();
        for v in regions {
            for page in (v.start.max(start)..v.end.min(end)).step_by(PAGE_SIZE as usize) {
                let task = self.tasks.get_mut(&id)?;
                let backed = if !task.pages.contains_key(&page) {
                    self.back_page(id, page, &v)
                } else if need == prot::WRITE && task.awaits_copy(page, v.prot) {
                    task.make_writable(&mut self.phys, page, v.prot)
                } else {
                    Ok(())
                };
                if let Err(e) = backed {
                    return fail(e.errno());
                }
            }
        }
        ok(&[])
    }

    /// PROCESS_INFO () -> (task id, parent id, name length), the name in
    /// the reply's IPC-buffer words.
    pub fn process_info(&self, id: u64) -> Option<Message> {
        let task = self.tasks.get(&id)?;
        let parent = self.processes.get(id).map_or(NO_PARENT, |p| p.parent);
        let name = ProcessName::new(&task.name);
        let words = ipc::set_buf_words(&name.words[..name.word_count()]);
        let reply = Message::new(0, &[task.id, parent, name.len() as u64]);
        Some(reply.with_info(reply.info.with_buf_words(words)))
    }

    /// PROCESS_STATUS (pid) -> the first process at or above `pid`.
    pub fn process_status(&self, from: u64) -> Option<Message> {
        let live = self.tasks.range(from..).next().map(|(&id, _)| id);
        let zombie =
            self.processes.iter().filter(|p| p.pid >= from && !self.tasks.contains_key(&p.pid)).map(|p| p.pid).min();
        let Some(pid) = [live, zombie].into_iter().flatten().min() else {
            return ok(&[0; 8]);
        };
        let process = self.processes.get(pid);
        let (parent, pgid, sid) = process.map_or((NO_PARENT, pid, pid), |p| (p.parent, p.pgid, p.sid));
        // Its comm is the main thread's name.
        let main_name = self
            .tasks
            .get(&pid)
            .and_then(|task| task.threads.values().find(|t| t.posix_tid == pid).map(|t| task.thread_name(t)));
        let (state, texts, threads, pages) = match self.tasks.get(&pid) {
            Some(task) => {
                let activities = task
                    .threads
                    .values()
                    .filter(|t| t.ended.is_none())
                    .map(|t| libtern::kthread::activity(t.slot).unwrap_or(abi::call::thread_activity::RUNNING));
                let state = ProcessState::of_live(task.stopped, activities);
                let name = main_name
                    .as_ref()
                    .map_or(task.name.as_bytes(), |n| &n[..n.iter().position(|&b| b == 0).unwrap_or(n.len())]);
                let texts = [name, task.exe.as_bytes(), &task.cmdline[..]];
                (state, texts, task.live_threads(), task.pages.len())
            }
            None => (ProcessState::Zombie, [&b""[..]; 3], 0, 0),
        };
        // Each text is cut to what is left of the grant.
        let mut room = libtern::ipc::received_grants().first().map_or(0, |g| g.len as usize);
        let mut out = Vec::new();
        let mut lengths = 0u64;
        for (i, text) in texts.iter().enumerate() {
            let n = text.len().min(room).min(0xffff);
            out.extend_from_slice(&text[..n]);
            room -= n;
            lengths |= (n as u64) << (16 * i);
        }
        if !out.is_empty() && grant::write(abi::call::NONE, 0, 0, &out).is_err() {
            return fail(errno::EFAULT);
        }
        ok(&[pid, parent, pgid, sid, state as u64, threads as u64, pages as u64, lengths])
    }

    /// SETPGID (pid, pgid).
    pub fn setpgid(&mut self, id: u64, pid: i64, pgid: i64) -> Option<Message> {
        match self.processes.setpgid(id, pid, pgid) {
            Ok(()) => ok(&[]),
            Err(e) => fail(e),
        }
    }

    /// SETSID () -> (session id).
    pub fn setsid(&mut self, id: u64) -> Option<Message> {
        match self.processes.setsid(id) {
            Ok(sid) => ok(&[sid]),
            Err(e) => fail(e),
        }
    }

    /// SUBREAPER (set, value) -> (subreaper).
    pub fn subreaper(&mut self, id: u64, set: u64, value: u64) -> Option<Message> {
        match (set, value) {
            (0, _) => {}
            (1, 0 | 1) => {
                if let Err(e) = self.processes.set_subreaper(id, value == 1) {
                    return fail(e);
                }
            }
            _ => return fail(errno::EINVAL),
        }
        match self.processes.get(id) {
            Some(p) => ok(&[u64::from(p.subreaper)]),
            None => fail(errno::ESRCH),
        }
    }

    /// PROCESS_GROUP (pid) -> (process group id, session id).
    pub fn process_group(&self, id: u64, pid: i64) -> Option<Message> {
        match self.processes.lookup(id, pid) {
            Ok(p) => ok(&[p.pgid, p.sid]),
            Err(e) => fail(e),
        }
    }

    /// The region of task `id` that holds all of `[start, end)`, unless it
    /// is mm0's own.
    fn one_region(&self, id: u64, start: u64, end: u64) -> Option<Vma> {
        let task = self.tasks.get(&id)?;
        let v = *task.vmas.find(start)?;
        (v.end >= end && v.kind != Kind::System).then_some(v)
    }

    /// MREMAP (old, old size, new size, flags, new address) -> (address):
    /// shrink in place, grow in place when the addresses after are free,
    /// else (with MAYMOVE) move the pages, frames and all, to a new place.
    pub fn mremap(&mut self, id: u64, [old, old_len, new_len, flags, new_addr]: [u64; 5]) -> Option<Message> {
        if !old.is_multiple_of(PAGE_SIZE) || flags & !remap::ALL != 0 || new_len == 0 || old_len == 0 {
            return fail(errno::EINVAL);
        }
        if flags & remap::FIXED != 0 && (flags & remap::MAYMOVE == 0 || !new_addr.is_multiple_of(PAGE_SIZE)) {
            return fail(errno::EINVAL);
        }
        let (Some(old_len), Some(new_len)) = (page_up(old_len), page_up(new_len)) else {
            return fail(errno::ENOMEM);
        };
        let Some(old_end) = old.checked_add(old_len) else {
            return fail(errno::EFAULT);
        };
        let Some(v) = self.one_region(id, old, old_end) else {
            return fail(errno::EFAULT);
        };
        let task = self.tasks.get_mut(&id)?;
        if flags & remap::FIXED == 0 && new_len <= old_len {
            task.vmas.remove(old + new_len, old_end);
            task.unmap(&mut self.phys, old + new_len, old_end);
            self.collect_objects();
            return ok(&[old]);
        }
        let grow_in_place = flags & remap::FIXED == 0
            && old.checked_add(new_len).is_some_and(|e| e <= USER_TOP && task.vmas.is_free(old_end, e));
        if grow_in_place {
            task.vmas.insert(Vma { start: old_end, end: old + new_len, ..v }).ok()?;
            self.grow_object(&v, old + new_len);
            return ok(&[old]);
        }
        if flags & remap::MAYMOVE == 0 {
            return fail(errno::ENOMEM);
        }
        let to = if flags & remap::FIXED != 0 {
            let fits = new_addr >= USER_BOTTOM && new_addr.checked_add(new_len).is_some_and(|e| e <= USER_TOP);
            let overlaps_old = new_addr < old_end && old < new_addr + new_len;
            if !fits || overlaps_old || task.vmas.touches(new_addr, new_addr + new_len, Kind::System) {
                return fail(errno::EINVAL);
            }
            task.vmas.remove(new_addr, new_addr + new_len);
            task.unmap(&mut self.phys, new_addr, new_addr + new_len);
            new_addr
        } else {
            match task.vmas.find_gap_top_down(new_len, MMAP_BOTTOM, MMAP_TOP) {
                Some(to) => to,
                None => return fail(errno::ENOMEM),
            }
        };
        let kind = match v.kind {
            // The same object offsets at the new addresses.
            Kind::Shared { object, delta, writable } => {
                Kind::Shared { object, delta: delta.wrapping_add(old).wrapping_sub(to), writable }
            }
            other => other,
        };
        let moved = Vma { start: to, end: to + new_len, prot: v.prot, kind };
        task.vmas.remove(old, old_end);
        task.vmas.insert(moved).ok()?;
        let pages: Vec<(u64, Page)> = task.pages.range(old..old_end).map(|(&a, &p)| (a, p)).collect();
        for (at, page) in pages {
            let Some(frame) = self.phys.frame(page.phys) else { continue };
            let task = self.tasks.get_mut(&id)?;
            task.forget_page(at);
            let target = to + (at - old);
            if page.prot == 0 {
                task.pages.insert(target, page);
            } else if task.map_page(frame, target, page.prot, page.shared).is_err() {
                // The kernel refused the new mapping: the page is lost to
                // the process (its next touch gets a fresh one).
                self.phys.free(page.phys);
            }
        }
        self.grow_object(&moved, to + new_len);
        self.collect_objects();
        ok(&[to])
    }

    /// A shared object behind region `v` grows to cover the region up to
    /// `end`.
    fn grow_object(&mut self, v: &Vma, end: u64) {
        // A file's object keeps the file's size: the pages past it are the
        // bus errors they are on Linux.
        if let Some((object, offset)) = v.object_offset(end - PAGE_SIZE)
            && let Some(o) = self.objects.get_mut(&object).filter(|o| o.file_len.is_none())
        {
            o.size = o.size.max(offset + PAGE_SIZE);
        }
    }

    /// MADVISE (addr, len, advice): DONTNEED and FREE drop the range's
    /// pages (private memory reads as zeros again, shared memory keeps its
    /// contents in the object); the other advice checks only that the
    /// range is mapped.
    pub fn madvise(&mut self, id: u64, addr: u64, len: u64, advice: u64) -> Option<Message> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return fail(errno::EINVAL);
        }
        if len == 0 {
            return ok(&[]);
        }
        let Some(end) = page_up(len).and_then(|l| addr.checked_add(l)).filter(|&e| e <= USER_TOP) else {
            return fail(errno::EINVAL);
        };
        let task = self.tasks.get_mut(&id)?;
        if !task.vmas.covers(addr, end, 0) {
            return fail(errno::ENOMEM);
        }
        if advice == advise::DONTNEED || advice == advise::FREE {
            if task.vmas.touches(addr, end, Kind::System) {
                return fail(errno::EINVAL);
            }
            task.unmap(&mut self.phys, addr, end);
        }
        ok(&[])
    }
}
