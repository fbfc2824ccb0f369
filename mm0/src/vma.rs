//! A task's memory regions (VMAs): what each part of its address space is.
//!
//! The list says which addresses a task may touch and how; it does not say
//! which pages are backed (mm0's task table keeps that). A page fault at an
//! address inside a region, with an access the region's protection allows,
//! gets a fresh zeroed page; anything else is a segmentation fault.
//!
//! Regions are page-aligned, sorted and never overlap. Adjacent regions of
//! the same kind and protection are merged, so a heap grown by many small
//! `brk` calls stays one region. Pure bookkeeping: no kernel calls.

use alloc::vec::Vec;

use abi::PAGE_SIZE;
use abi::ipc::fault;

/// Read, write, execute bits of a region: the protocol's values, which are
/// also the kernel's Map rights bits.
pub use mm0_proto::prot;

/// What a region is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Loaded from the program's ELF file (its .bss is filled on demand).
    Image,
    /// The main thread's stack.
    Stack,
    /// The brk heap.
    Heap,
    /// Anonymous memory from MMAP_ANON.
    Anon,
    /// Set up by mm0 for the task's plumbing (info page, IPC buffers,
    /// libposix): the task cannot unmap it.
    System,
    /// A window on shared memory object `object` (MAP_SHARED anonymous
    /// memory, SysV shared memory): the page at address `a` is the
    /// object's page at offset `a + delta` (wrapping). Stored as a delta
    /// rather than an offset so that splitting a region keeps it right,
    /// and adjacent regions on consecutive parts of one object merge.
    /// Without `writable` (a file open read-only, SHM_RDONLY) no mprotect
    /// may make it writable.
    Shared { object: u64, delta: u64, writable: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: u64,
    pub kind: Kind,
}

impl Vma {
    /// The shared object and its offset behind the page at `addr`, if the
    /// region is a window on one.
    pub fn object_offset(&self, addr: u64) -> Option<(u64, u64)> {
        match self.kind {
            Kind::Shared { object, delta, .. } => Some((object, addr.wrapping_add(delta))),
            _ => None,
        }
    }

    pub fn contains(&self, addr: u64) -> bool {
        self.start <= addr && addr < self.end
    }

    /// Whether a fault with the x86 error code `error` is an access this
    /// region allows (and not a protection violation on a present page).
    pub fn allows(&self, error: u64) -> bool {
        if error & fault::PRESENT != 0 {
            return false;
        }
        let need = if error & fault::WRITE != 0 {
            prot::WRITE
        } else if error & fault::EXEC != 0 {
            prot::EXEC
        } else {
            prot::READ
        };
        self.prot & need != 0
    }
}

/// Why a region could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmaError {
    /// Not page-aligned, empty, or outside the user half.
    Invalid,
    /// Overlaps an existing region.
    Overlap,
}

/// The regions of one task.
#[derive(Default, Debug)]
pub struct VmaList {
    list: Vec<Vma>,
}

fn valid_range(start: u64, end: u64) -> bool {
    start < end
        && start.is_multiple_of(PAGE_SIZE)
        && end.is_multiple_of(PAGE_SIZE)
        && start >= abi::USER_BOTTOM
        && end <= abi::USER_TOP
}

impl VmaList {
    pub fn new() -> VmaList {
        VmaList { list: Vec::new() }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Vma> {
        self.list.iter()
    }

    /// The region containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        let i = self.list.partition_point(|v| v.end <= addr);
        self.list.get(i).filter(|v| v.contains(addr))
    }

    /// True when no region intersects `[start, end)`.
    pub fn is_free(&self, start: u64, end: u64) -> bool {
        let i = self.list.partition_point(|v| v.end <= start);
        self.list.get(i).is_none_or(|v| v.start >= end)
    }

    /// The regions that intersect `[start, end)`, in address order.
    pub fn overlapping(&self, start: u64, end: u64) -> impl Iterator<Item = &Vma> {
        let i = self.list.partition_point(|v| v.end <= start);
        self.list[i..].iter().take_while(move |v| v.start < end)
    }

    /// True when regions cover all of `[start, end)`, with no gap, and each
    /// of them allows every access in `need` (`prot` bits).
    pub fn covers(&self, start: u64, end: u64, need: u64) -> bool {
        let mut covered = start;
        for v in self.overlapping(start, end) {
            if v.start > covered || v.prot & need != need {
                return false;
            }
            covered = v.end;
        }
        covered >= end
    }

    /// True when some region of `kind` intersects `[start, end)`.
    pub fn touches(&self, start: u64, end: u64, kind: Kind) -> bool {
        self.list.iter().any(|v| v.kind == kind && v.start < end && start < v.end)
    }

    /// Adds a region over free addresses.
    pub fn insert(&mut self, vma: Vma) -> Result<(), VmaError> {
        if !valid_range(vma.start, vma.end) {
            return Err(VmaError::Invalid);
        }
        if !self.is_free(vma.start, vma.end) {
            return Err(VmaError::Overlap);
        }
        let i = self.list.partition_point(|v| v.end <= vma.start);
        self.list.insert(i, vma);
        self.merge_around(i);
        Ok(())
    }

    /// Adds `vma` minus whatever part of it existing regions already cover.
    pub fn insert_uncovered(&mut self, vma: Vma) -> Result<(), VmaError> {
        if !valid_range(vma.start, vma.end) {
            return Err(VmaError::Invalid);
        }
        let mut pieces = Vec::new();
        let mut cursor = vma.start;
        for v in self.list.iter().filter(|v| v.start < vma.end && vma.start < v.end) {
            if v.start > cursor {
                pieces.push(Vma { start: cursor, end: v.start, ..vma });
            }
            cursor = cursor.max(v.end);
        }
        if cursor < vma.end {
            pieces.push(Vma { start: cursor, end: vma.end, ..vma });
        }
        for piece in pieces {
            self.insert(piece)?;
        }
        Ok(())
    }

    fn merge_around(&mut self, i: usize) {
        let mergeable = |a: &Vma, b: &Vma| a.end == b.start && a.kind == b.kind && a.prot == b.prot;
        if i + 1 < self.list.len() && mergeable(&self.list[i], &self.list[i + 1]) {
            self.list[i].end = self.list[i + 1].end;
            self.list.remove(i + 1);
        }
        if i > 0 && mergeable(&self.list[i - 1], &self.list[i]) {
            self.list[i - 1].end = self.list[i].end;
            self.list.remove(i);
        }
    }

    /// Removes `[start, end)` from every region (splitting regions that
    /// straddle its ends); returns the parts removed.
    pub fn remove(&mut self, start: u64, end: u64) -> Vec<Vma> {
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.list.len() + 1);
        for v in self.list.drain(..) {
            if v.end <= start || end <= v.start {
                kept.push(v);
                continue;
            }
            if v.start < start {
                kept.push(Vma { end: start, ..v });
            }
            removed.push(Vma { start: v.start.max(start), end: v.end.min(end), ..v });
            if end < v.end {
                kept.push(Vma { start: end, ..v });
            }
        }
        self.list = kept;
        removed
    }

    /// Gives `[start, end)` protection `prot`, splitting the regions that
    /// straddle its ends (and merging the pieces with equal neighbours).
    /// Addresses of the range outside every region stay outside.
    pub fn protect(&mut self, start: u64, end: u64, prot: u64) -> Result<(), VmaError> {
        if !valid_range(start, end) {
            return Err(VmaError::Invalid);
        }
        for piece in self.remove(start, end) {
            self.insert(Vma { prot, ..piece })?;
        }
        Ok(())
    }

    /// The highest page-aligned address `a` with `[a, a + len)` free and
    /// inside `[bottom, top)`.
    pub fn find_gap_top_down(&self, len: u64, bottom: u64, top: u64) -> Option<u64> {
        if len == 0 || !len.is_multiple_of(PAGE_SIZE) {
            return None;
        }
        let mut ceiling = top;
        for v in self.list.iter().rev() {
            if v.start >= ceiling {
                continue;
            }
            if v.end < ceiling && ceiling - v.end.max(bottom) >= len {
                return Some(ceiling - len);
            }
            ceiling = v.start;
            if ceiling <= bottom {
                return None;
            }
        }
        (ceiling >= bottom && ceiling - bottom >= len).then(|| ceiling - len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u64 = PAGE_SIZE;

    fn vma(start: u64, end: u64, kind: Kind) -> Vma {
        Vma { start, end, prot: prot::READ | prot::WRITE, kind }
    }

    #[test]
    fn insert_find_and_overlap() {
        let mut l = VmaList::new();
        l.insert(vma(0x10 * P, 0x20 * P, Kind::Anon)).unwrap();
        l.insert(vma(0x30 * P, 0x40 * P, Kind::Stack)).unwrap();
        assert_eq!(l.find(0x10 * P).unwrap().kind, Kind::Anon);
        assert_eq!(l.find(0x20 * P - 1).unwrap().kind, Kind::Anon);
        assert!(l.find(0x20 * P).is_none());
        assert_eq!(l.find(0x35 * P).unwrap().kind, Kind::Stack);
        assert!(l.find(0).is_none());
        assert_eq!(l.insert(vma(0x1f * P, 0x21 * P, Kind::Anon)), Err(VmaError::Overlap));
        assert_eq!(l.insert(vma(0x21 * P + 1, 0x22 * P, Kind::Anon)), Err(VmaError::Invalid));
        assert_eq!(l.insert(vma(0, P, Kind::Anon)), Err(VmaError::Invalid));
        assert_eq!(l.insert(vma(abi::USER_TOP - P, abi::USER_TOP + P, Kind::Anon)), Err(VmaError::Invalid));
        assert!(l.is_free(0x20 * P, 0x30 * P));
        assert!(!l.is_free(0x20 * P, 0x31 * P));
    }

    #[test]
    fn adjacent_regions_of_one_kind_merge() {
        let mut l = VmaList::new();
        l.insert(vma(0x10 * P, 0x11 * P, Kind::Heap)).unwrap();
        l.insert(vma(0x11 * P, 0x12 * P, Kind::Heap)).unwrap();
        l.insert(vma(0x0f * P, 0x10 * P, Kind::Heap)).unwrap();
        assert_eq!(l.iter().count(), 1);
        assert_eq!(*l.iter().next().unwrap(), vma(0x0f * P, 0x12 * P, Kind::Heap));
        l.insert(vma(0x12 * P, 0x13 * P, Kind::Anon)).unwrap();
        assert_eq!(l.iter().count(), 2);
    }

    #[test]
    fn remove_splits() {
        let mut l = VmaList::new();
        l.insert(vma(0x10 * P, 0x20 * P, Kind::Anon)).unwrap();
        let removed = l.remove(0x14 * P, 0x18 * P);
        assert_eq!(removed, [vma(0x14 * P, 0x18 * P, Kind::Anon)]);
        let left: Vec<_> = l.iter().copied().collect();
        assert_eq!(left, [vma(0x10 * P, 0x14 * P, Kind::Anon), vma(0x18 * P, 0x20 * P, Kind::Anon)]);
        let removed = l.remove(0, 0x100 * P);
        assert_eq!(removed.len(), 2);
        assert_eq!(l.iter().count(), 0);
    }

    #[test]
    fn insert_uncovered_fills_holes_only() {
        let mut l = VmaList::new();
        l.insert(vma(0x12 * P, 0x13 * P, Kind::Image)).unwrap();
        l.insert_uncovered(Vma { start: 0x10 * P, end: 0x15 * P, prot: prot::READ, kind: Kind::Image }).unwrap();
        let all: Vec<_> = l.iter().map(|v| (v.start / P, v.end / P)).collect();
        assert_eq!(all, [(0x10, 0x12), (0x12, 0x13), (0x13, 0x15)]);
    }

    #[test]
    fn gaps_are_found_top_down() {
        let mut l = VmaList::new();
        let (bottom, top) = (0x100 * P, 0x200 * P);
        assert_eq!(l.find_gap_top_down(4 * P, bottom, top), Some(0x1fc * P));
        l.insert(vma(0x1f0 * P, 0x200 * P, Kind::Anon)).unwrap();
        assert_eq!(l.find_gap_top_down(4 * P, bottom, top), Some(0x1ec * P));
        l.insert(vma(0x110 * P, 0x1ef * P, Kind::Anon)).unwrap();
        // One page free between the two regions: too small for two pages.
        assert_eq!(l.find_gap_top_down(P, bottom, top), Some(0x1ef * P));
        assert_eq!(l.find_gap_top_down(2 * P, bottom, top), Some(0x10e * P));
        assert_eq!(l.find_gap_top_down(0x11 * P, bottom, top), None);
        assert_eq!(l.find_gap_top_down(0, bottom, top), None);
        // Regions outside the area do not matter.
        l.insert(vma(0x300 * P, 0x400 * P, Kind::Anon)).unwrap();
        assert_eq!(l.find_gap_top_down(0x10 * P, bottom, top), Some(0x100 * P));
    }

    #[test]
    fn coverage_needs_every_page_with_the_access() {
        let mut l = VmaList::new();
        l.insert(Vma { start: 0x10 * P, end: 0x12 * P, prot: prot::READ, kind: Kind::Image }).unwrap();
        l.insert(vma(0x12 * P, 0x14 * P, Kind::Image)).unwrap();
        l.insert(vma(0x15 * P, 0x16 * P, Kind::Anon)).unwrap();
        // Two adjacent regions cover a range across their boundary.
        assert!(l.covers(0x11 * P, 0x14 * P, prot::READ));
        // The read-only one refuses writes.
        assert!(!l.covers(0x11 * P, 0x14 * P, prot::WRITE));
        assert!(l.covers(0x12 * P, 0x14 * P, prot::WRITE));
        // A hole, or a range past the last region, is not covered.
        assert!(!l.covers(0x13 * P, 0x16 * P, prot::READ));
        assert!(!l.covers(0x15 * P, 0x17 * P, prot::READ));
        assert!(!l.covers(0x0f * P, 0x11 * P, prot::READ));
        assert!(!l.covers(0x20 * P, 0x21 * P, prot::READ));
        let none = Vma { start: 0x30 * P, end: 0x31 * P, prot: 0, kind: Kind::Anon };
        l.insert(none).unwrap();
        assert!(!l.covers(0x30 * P, 0x31 * P, prot::READ));
        let found: Vec<u64> = l.overlapping(0x11 * P, 0x15 * P + 1).map(|v| v.start / P).collect();
        assert_eq!(found, [0x10, 0x12, 0x15]);
    }

    #[test]
    fn protect_splits_and_merges() {
        let mut l = VmaList::new();
        l.insert(vma(0x10 * P, 0x20 * P, Kind::Anon)).unwrap();
        l.protect(0x14 * P, 0x18 * P, prot::READ).unwrap();
        let all: Vec<_> = l.iter().map(|v| (v.start / P, v.end / P, v.prot)).collect();
        let rw = prot::READ | prot::WRITE;
        assert_eq!(all, [(0x10, 0x14, rw), (0x14, 0x18, prot::READ), (0x18, 0x20, rw)]);
        assert!(!l.find(0x15 * P).unwrap().allows(fault::WRITE));
        assert!(l.find(0x15 * P).unwrap().allows(0));
        l.protect(0x14 * P, 0x15 * P, 0).unwrap();
        assert!(!l.find(0x14 * P).unwrap().allows(0));
        // Back to the neighbours' protection: one region again.
        l.protect(0x14 * P, 0x18 * P, rw).unwrap();
        assert_eq!(l.iter().copied().collect::<Vec<_>>(), [vma(0x10 * P, 0x20 * P, Kind::Anon)]);
        assert_eq!(l.protect(0x14 * P + 1, 0x18 * P, rw), Err(VmaError::Invalid));
    }

    #[test]
    fn shared_windows_keep_their_offsets_when_split() {
        let mut l = VmaList::new();
        let start = 0x10 * P;
        let kind = Kind::Shared { object: 7, delta: 0u64.wrapping_sub(start), writable: true };
        l.insert(Vma { start, end: start + 8 * P, prot: prot::READ, kind }).unwrap();
        assert_eq!(l.find(start + 3 * P).unwrap().object_offset(start + 3 * P), Some((7, 3 * P)));
        l.remove(start + 2 * P, start + 4 * P);
        assert_eq!(l.find(start + 5 * P).unwrap().object_offset(start + 5 * P), Some((7, 5 * P)));
        // Putting the middle back makes one region again.
        l.insert(Vma { start: start + 2 * P, end: start + 4 * P, prot: prot::READ, kind }).unwrap();
        assert_eq!(l.iter().count(), 1);
        let other = Kind::Shared { object: 8, delta: 0, writable: true };
        l.insert(Vma { start: start + 8 * P, end: start + 9 * P, prot: prot::READ, kind: other }).unwrap();
        assert_eq!(l.iter().count(), 2, "windows on different objects stay apart");
    }

    #[test]
    fn fault_permissions() {
        let ro = Vma { start: P, end: 2 * P, prot: prot::READ, kind: Kind::Image };
        let rw = Vma { prot: prot::READ | prot::WRITE, ..ro };
        let rx = Vma { prot: prot::READ | prot::EXEC, ..ro };
        assert!(ro.allows(0));
        assert!(!ro.allows(fault::WRITE));
        assert!(rw.allows(fault::WRITE));
        assert!(!rw.allows(fault::EXEC));
        assert!(rx.allows(fault::EXEC));
        assert!(!rw.allows(fault::PRESENT | fault::WRITE));
        let none = Vma { prot: 0, ..ro };
        assert!(!none.allows(0));
    }
}
