//! The page-frame allocator over the free memory the kernel handed mm0.
//!
//! Each free-memory region comes with one frame capability; a page is named
//! by the region's slot and its index in the region, which is exactly what
//! the kernel's `Map` wants. Free pages are tracked with one bit per page
//! (a set bit is a page in use) and found with a rotating next-fit cursor,
//! so allocation is usually O(1) and freeing is O(regions). Pure
//! bookkeeping: zeroing and mapping are the caller's business.
//!
//! A page can be shared (fork maps one frame into several tasks, copy on
//! write): it then has a reference count, kept only for shared pages (most
//! pages have one user), and goes back to the free pool when its last
//! reference is released.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use abi::PAGE_SIZE;

/// One physical page, as the kernel's `Map` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// mm0's slot of the frame capability of the page's region.
    pub slot: u64,
    /// Index of the page within that capability.
    pub index: u64,
    /// Physical address of the page.
    pub phys: u64,
}

#[derive(Debug)]
struct Region {
    slot: u64,
    phys: u64,
    pages: u64,
    used: Vec<u64>,
}

impl Region {
    fn frame(&self, index: u64) -> Frame {
        Frame { slot: self.slot, index, phys: self.phys + index * PAGE_SIZE }
    }
}

/// Free-page bookkeeping for all regions.
#[derive(Debug, Default)]
pub struct Frames {
    regions: Vec<Region>,
    free: u64,
    total: u64,
    /// Next-fit cursor: region, then word of its bitmap.
    cursor: (usize, usize),
    /// References of the pages that have more than one, by address.
    shared: BTreeMap<u64, u32>,
}

/// What releasing a reference to a page did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// That was the last reference: the page is free again.
    Freed,
    /// Other references remain.
    StillShared,
    /// The page was not allocated (or is not a page of any region).
    NotAllocated,
}

impl Frames {
    pub fn new() -> Frames {
        Frames::default()
    }

    /// Adds a region of `pages` free pages at `phys` covered by the frame
    /// capability in `slot`.
    pub fn add_region(&mut self, slot: u64, phys: u64, pages: u64) {
        if pages == 0 || !phys.is_multiple_of(PAGE_SIZE) {
            return;
        }
        let words = pages.div_ceil(64) as usize;
        let mut used = vec![0u64; words];
        // Bits past the end of the region are permanently "in use".
        let tail = pages % 64;
        if tail != 0 {
            used[words - 1] = !0u64 << tail;
        }
        self.regions.push(Region { slot, phys, pages, used });
        self.free += pages;
        self.total += pages;
    }

    pub fn free_pages(&self) -> u64 {
        self.free
    }

    pub fn total_pages(&self) -> u64 {
        self.total
    }

    /// Takes a free page.
    pub fn alloc(&mut self) -> Option<Frame> {
        if self.free == 0 {
            return None;
        }
        let n = self.regions.len();
        let (first_region, first_word) = self.cursor;
        for step in 0..n {
            let r = (first_region + step) % n;
            let region = &mut self.regions[r];
            let start = if step == 0 { first_word.min(region.used.len()) } else { 0 };
            let order = (start..region.used.len()).chain(0..start);
            for w in order {
                let word = region.used[w];
                if word != !0 {
                    let bit = (!word).trailing_zeros() as u64;
                    region.used[w] |= 1 << bit;
                    self.free -= 1;
                    self.cursor = (r, w);
                    return Some(region.frame(w as u64 * 64 + bit));
                }
            }
        }
        None
    }

    /// The page at `phys`, if it belongs to a region.
    pub fn lookup(&self, phys: u64) -> Option<Frame> {
        self.regions
            .iter()
            .find(|r| phys >= r.phys && (phys - r.phys) / PAGE_SIZE < r.pages)
            .map(|r| r.frame((phys - r.phys) / PAGE_SIZE))
    }

    /// Pages in use (allocated and not yet freed).
    pub fn used_pages(&self) -> u64 {
        self.total - self.free
    }

    /// The region and bitmap position of the allocated page at `phys`.
    fn position(&self, phys: u64) -> Option<(usize, usize, u64)> {
        if !phys.is_multiple_of(PAGE_SIZE) {
            return None;
        }
        let r = self.regions.iter().position(|r| phys >= r.phys && (phys - r.phys) / PAGE_SIZE < r.pages)?;
        let index = (phys - self.regions[r].phys) / PAGE_SIZE;
        let (w, bit) = ((index / 64) as usize, index % 64);
        (self.regions[r].used[w] & (1 << bit) != 0).then_some((r, w, bit))
    }

    /// How many references the page at `phys` has (0: not allocated).
    pub fn refs(&self, phys: u64) -> u32 {
        match self.position(phys) {
            Some(_) => self.shared.get(&phys).copied().unwrap_or(1),
            None => 0,
        }
    }

    /// Adds a reference to the allocated page at `phys`; false if it is not
    /// allocated.
    pub fn share(&mut self, phys: u64) -> bool {
        if self.position(phys).is_none() {
            return false;
        }
        *self.shared.entry(phys).or_insert(1) += 1;
        true
    }

    /// Drops one reference to the page at `phys`; the last one frees it.
    pub fn free(&mut self, phys: u64) -> Release {
        let Some((r, w, bit)) = self.position(phys) else {
            return Release::NotAllocated;
        };
        if let Some(refs) = self.shared.get_mut(&phys) {
            *refs -= 1;
            if *refs == 1 {
                self.shared.remove(&phys);
            }
            return Release::StillShared;
        }
        self.regions[r].used[w] &= !(1 << bit);
        self.free += 1;
        Release::Freed
    }

    /// The shared pages and their reference counts (for invariant checks).
    pub fn shared_pages(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.shared.iter().map(|(&phys, &refs)| (phys, refs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn allocates_every_page_once_then_runs_out() {
        let mut f = Frames::new();
        f.add_region(20, 0x10_0000, 70);
        f.add_region(21, 0x80_0000, 3);
        assert_eq!((f.free_pages(), f.total_pages()), (73, 73));
        let mut seen = HashSet::new();
        while let Some(frame) = f.alloc() {
            assert!(seen.insert(frame.phys));
            let (base, slot) = if frame.phys >= 0x80_0000 { (0x80_0000, 21) } else { (0x10_0000, 20) };
            assert_eq!(frame.slot, slot);
            assert_eq!(frame.phys, base + frame.index * PAGE_SIZE);
        }
        assert_eq!(seen.len(), 73);
        assert_eq!(f.free_pages(), 0);
    }

    #[test]
    fn freed_pages_come_back_and_double_free_is_refused() {
        let mut f = Frames::new();
        f.add_region(20, 0x10_0000, 2);
        let a = f.alloc().unwrap();
        let b = f.alloc().unwrap();
        assert!(f.alloc().is_none());
        assert_eq!(f.free(a.phys), Release::Freed);
        assert_eq!(f.free(a.phys), Release::NotAllocated);
        assert_eq!(f.free(0x5000_0000), Release::NotAllocated);
        assert_eq!(f.free(b.phys + 1), Release::NotAllocated);
        assert_eq!(f.alloc(), Some(a));
        assert_eq!(f.lookup(b.phys), Some(b));
        assert_eq!(f.lookup(0x10_0000 + 2 * PAGE_SIZE), None);
    }

    #[test]
    fn shared_pages_are_freed_by_their_last_reference() {
        let mut f = Frames::new();
        f.add_region(20, 0x10_0000, 4);
        let a = f.alloc().unwrap();
        assert_eq!(f.refs(a.phys), 1);
        assert!(f.share(a.phys) && f.share(a.phys));
        assert_eq!((f.refs(a.phys), f.used_pages()), (3, 1));
        assert_eq!(f.shared_pages().collect::<Vec<_>>(), [(a.phys, 3)]);
        assert_eq!(f.free(a.phys), Release::StillShared);
        assert_eq!(f.free(a.phys), Release::StillShared);
        assert_eq!((f.refs(a.phys), f.shared_pages().count()), (1, 0));
        assert_eq!(f.free(a.phys), Release::Freed);
        assert_eq!((f.refs(a.phys), f.used_pages()), (0, 0));
        assert!(!f.share(a.phys), "a free page cannot be shared");
    }

    #[test]
    fn ignores_unaligned_and_empty_regions() {
        let mut f = Frames::new();
        f.add_region(1, 0x1001, 4);
        f.add_region(2, 0x2000, 0);
        assert_eq!(f.total_pages(), 0);
        assert!(f.alloc().is_none());
    }
}
