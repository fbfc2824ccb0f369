//! File memory: the pages of files that are mapped shared (mmap with
//! MAP_SHARED of a file, shm_open).
//!
//! Such a file keeps its bytes in a memory object ([`crate::objects`])
//! rather than in fs0's heap, so that read, write and every mapping use the
//! very same frames and see each other's changes at once. fs0 asks for the
//! object (FILE_OBJECT, which also maps a window on it into fs0), then has
//! it mapped into a client for each mmap (FILE_MAP), and tells mm0 the
//! file's length whenever it changes (FILE_SIZE): pages past the file's
//! last page cannot be backed (an access there is SIGBUS, as on Linux),
//! and those a shrinking file leaves go from every mapping and back to
//! mm0, so mapped files hold no memory beyond what fs0 counts. The calls
//! go from fs0 to mm0, never back: fs0 touches its window only after
//! POPULATE, so it never faults on a page mm0 could not provide.

use alloc::vec::Vec;

use libtern::ipc::Message;
use mm0::layout::{MMAP_BOTTOM, MMAP_TOP, TaskKind, page_up};
use mm0::vma::{Kind, Vma, prot};
use mm0_proto::{errno, map};

use crate::requests::place;
use crate::server::{Mm0, fail, ok};

/// Largest file object (fs0's tmpfs never holds a bigger file).
const MAX_FILE_OBJECT: u64 = 256 << 20;

impl Mm0 {
    /// FILE_OBJECT (size) -> (object, address in fs0).
    pub fn file_object(&mut self, id: u64, size: u64) -> Option<Message> {
        if id != self.fs0_events.task {
            return fail(errno::EPERM);
        }
        let Some(size) = page_up(size).filter(|&s| s != 0 && s <= MAX_FILE_OBJECT) else {
            return fail(errno::EINVAL);
        };
        let task = self.tasks.get_mut(&id)?;
        let Some(start) = task.vmas.find_gap_top_down(size, MMAP_BOTTOM, MMAP_TOP) else {
            return fail(errno::ENOMEM);
        };
        let object = self.object_create(size, false);
        if let Some(o) = self.objects.get_mut(&object) {
            o.file_len = Some(0);
        }
        let window = Vma {
            start,
            end: start + size,
            prot: prot::READ | prot::WRITE,
            kind: Kind::Shared { object, delta: 0u64.wrapping_sub(start), writable: true },
        };
        let task = self.tasks.get_mut(&id)?;
        if task.vmas.insert(window).is_err() {
            self.collect_objects();
            return fail(errno::ENOMEM);
        }
        ok(&[object, start])
    }

    /// FILE_SIZE (object, length): the file's length is now `length`.
    pub fn file_size(&mut self, id: u64, object: u64, len: u64) -> Option<Message> {
        if id != self.fs0_events.task {
            return fail(errno::EPERM);
        }
        let Some(o) = self.objects.get_mut(&object).filter(|o| o.file_len.is_some() && len <= o.size) else {
            return fail(errno::EINVAL);
        };
        o.file_len = Some(len);
        let cut = page_up(len)?;
        let gone: Vec<(u64, u64)> = o.pages.range(cut..).map(|(&offset, &phys)| (offset, phys)).collect();
        if gone.is_empty() {
            return ok(&[]);
        }
        for task in self.tasks.values_mut() {
            let ranges: Vec<(u64, u64)> = task.vmas.iter().filter_map(|v| past_offset(v, object, cut)).collect();
            for (start, end) in ranges {
                task.unmap(&mut self.phys, start, end);
            }
        }
        if let Some(o) = self.objects.get_mut(&object) {
            for (offset, phys) in gone {
                o.pages.remove(&offset);
                self.phys.free(phys);
            }
        }
        ok(&[])
    }

    /// FILE_MAP (pid, object, offset, length, prot, flags, hint) ->
    /// (address): maps `length` bytes of `object` from `offset` into
    /// process `pid`, placed as mmap places them.
    pub fn file_map(&mut self, id: u64, [pid, object, offset, len, p, flags, hint]: [u64; 7]) -> Option<Message> {
        if id != self.fs0_events.task {
            return fail(errno::EPERM);
        }
        let size = self.objects.get(&object).map(|o| o.size);
        let len = page_up(len).filter(|&l| l != 0);
        let (Some(size), Some(len)) = (size, len) else {
            return fail(errno::EINVAL);
        };
        let inside = offset.is_multiple_of(abi::PAGE_SIZE) && offset.checked_add(len).is_some_and(|end| end <= size);
        if !inside || p & !prot::ALL != 0 {
            return fail(errno::EINVAL);
        }
        let Some(task) = self.tasks.get_mut(&pid).filter(|t| t.kind == TaskKind::Posix) else {
            return fail(errno::ESRCH);
        };
        let start = match place(task, &mut self.phys, hint, len, flags) {
            Ok(start) => start,
            Err(e) => return fail(e),
        };
        let writable = flags & map::READ_ONLY_FILE == 0;
        let kind = Kind::Shared { object, delta: offset.wrapping_sub(start), writable };
        let vma = Vma { start, end: start + len, prot: p, kind };
        let inserted = task.vmas.insert(vma).is_ok();
        // MAP_FIXED may have replaced the last window on another object.
        self.collect_objects();
        if inserted { ok(&[start]) } else { fail(errno::ENOMEM) }
    }
}

/// The addresses of `v` that show `object` at offsets from `cut` on, if
/// any.
fn past_offset(v: &Vma, object: u64, cut: u64) -> Option<(u64, u64)> {
    let (o, first) = v.object_offset(v.start)?;
    if o != object {
        return None;
    }
    let start = if first >= cut { v.start } else { v.start + (cut - first) };
    (start < v.end).then_some((start, v.end))
}
