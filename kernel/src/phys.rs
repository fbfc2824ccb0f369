//! Physical memory at boot: the free ranges left after the kernel image,
//! the modules and the first MiB are taken out.
//!
//! The kernel takes what it needs for itself (page tables of the direct
//! map, its heap, the root server's image) from here; everything left is
//! handed to the root server as frame capabilities and the kernel allocates
//! no user memory after that.

use crate::bootinfo::{MAX_RANGES, Range};

const PAGE: u64 = abi::PAGE_SIZE;

pub struct PhysMemory {
    free: [Range; MAX_RANGES],
    count: usize,
}

impl PhysMemory {
    /// Free memory = `available` minus `reserved`, in whole pages.
    pub fn new(available: &[Range], reserved: &[Range]) -> PhysMemory {
        let mut mem = PhysMemory { free: [Range::default(); MAX_RANGES], count: 0 };
        for r in available {
            let start = r.start.div_ceil(PAGE) * PAGE;
            let end = r.end / PAGE * PAGE;
            if end > start {
                mem.insert(Range { start, end });
            }
        }
        for r in reserved {
            mem.remove(Range { start: r.start / PAGE * PAGE, end: r.end.div_ceil(PAGE) * PAGE });
        }
        mem
    }

    fn insert(&mut self, r: Range) {
        if self.count < MAX_RANGES {
            self.free[self.count] = r;
            self.count += 1;
            self.free[..self.count].sort_unstable_by_key(|r| r.start);
        }
    }

    /// Take `cut` out of every free range, splitting where needed.
    pub fn remove(&mut self, cut: Range) {
        let mut out = [Range::default(); MAX_RANGES];
        let mut n = 0;
        for r in self.ranges() {
            for piece in
                [Range { start: r.start, end: cut.start.min(r.end) }, Range { start: cut.end.max(r.start), end: r.end }]
            {
                if piece.end > piece.start && n < MAX_RANGES {
                    out[n] = piece;
                    n += 1;
                }
            }
        }
        self.free = out;
        self.count = n;
    }

    pub fn ranges(&self) -> &[Range] {
        &self.free[..self.count]
    }

    pub fn total_pages(&self) -> u64 {
        self.ranges().iter().map(|r| (r.end - r.start) / PAGE).sum()
    }

    /// Take `pages` contiguous pages below `limit`, aligned to `align` bytes.
    pub fn take(&mut self, pages: u64, align: u64, limit: u64) -> Option<u64> {
        let bytes = pages * PAGE;
        let found = self.ranges().iter().find_map(|r| {
            let start = r.start.div_ceil(align) * align;
            (start + bytes <= r.end && start + bytes <= limit).then_some(start)
        })?;
        self.remove(Range { start: found, end: found + bytes });
        Some(found)
    }
}
