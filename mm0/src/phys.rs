//! Physical memory as mm0 sees it: every free frame and every boot module
//! mapped in mm0's own address space at `WINDOW + phys`, and the frame
//! allocator over the free frames.
//!
//! With the window, mm0 fills any frame (zeroing, ELF bytes, stacks, info
//! pages) with plain stores before it maps the frame into a task, and reads
//! modules in place. A frame is written only while mm0 is its sole owner:
//! between allocation and the mapping into a task, so no task ever sees a
//! half-written page. Freed frames are zeroed again when next allocated.

use abi::boot::{BootInfo, Module};
use abi::{PAGE_SIZE, Rights};
use libtern::println;
use libtern::space;
use mm0::frames::{Frame, Frames, Release};
use mm0::layout::{WINDOW, page_down, page_up};
use mm0_proto::StartInfo;

/// Pages mapped per `Map` call when building the window (bounds the work
/// of one kernel call).
const MAP_CHUNK: u64 = 4096;

/// A module mapped in the window.
#[derive(Clone, Copy)]
struct MappedModule {
    phys: u64,
    size: u64,
}

pub struct Phys {
    frames: Frames,
    modules: [Option<MappedModule>; abi::boot::MAX_MODULES],
}

/// Maps `pages` pages of frame capability `slot` at `WINDOW + phys` with
/// `rights`; returns how many pages were mapped (from the start).
fn map_window(slot: u64, phys: u64, pages: u64, rights: Rights) -> u64 {
    let mut done = 0;
    while done < pages {
        let n = MAP_CHUNK.min(pages - done);
        let vaddr = WINDOW + phys + done * PAGE_SIZE;
        // SAFETY: the window lies far from mm0's image, stack, heap and info
        // pages (which are below 16 MiB plus the image size), so nothing
        // Rust uses is replaced.
        if let Err(e) = unsafe { space::map(abi::boot::SLOT_SPACE, slot, done, vaddr, n, rights) } {
            println!("mm0: cannot map {n} pages of physical {:#x} into the window: {e:?}", phys + done * PAGE_SIZE);
            break;
        }
        done += n;
    }
    done
}

impl Phys {
    /// Maps all free memory and all modules of `boot` into the window.
    pub fn new(boot: &BootInfo) -> Phys {
        let mut frames = Frames::new();
        for region in boot.memory() {
            let mapped = map_window(region.slot, region.phys, region.pages, Rights::READ.union(Rights::WRITE));
            frames.add_region(region.slot, region.phys, mapped);
        }
        let mut modules = [None; abi::boot::MAX_MODULES];
        for (i, module) in boot.modules().iter().enumerate() {
            let base = page_down(module.phys);
            let Some(end) = module.phys.checked_add(module.size).and_then(page_up) else {
                continue;
            };
            let pages = (end - base) / PAGE_SIZE;
            if map_window(module.slot, base, pages, Rights::READ) == pages {
                modules[i] = Some(MappedModule { phys: module.phys, size: module.size });
            }
        }
        Phys { frames, modules }
    }

    /// The bytes of `module` (the `index`-th boot module), if it is mapped.
    pub fn module_bytes(&self, index: usize, module: &Module) -> Option<&'static [u8]> {
        let m = self.modules.get(index).copied().flatten()?;
        if m.phys != module.phys || m.size != module.size {
            return None;
        }
        // SAFETY: the module is mapped read-only in the window for mm0's whole
        // life (it is never unmapped) and nothing writes module memory.
        Some(unsafe { core::slice::from_raw_parts((WINDOW + m.phys) as *const u8, m.size as usize) })
    }

    /// A zero-filled free frame.
    pub fn alloc_zeroed(&mut self) -> Option<Frame> {
        let frame = self.frames.alloc()?;
        // SAFETY: the allocator hands out only pages of regions mapped
        // read-write in the window, and this page is now ours alone.
        unsafe { core::ptr::write_bytes((WINDOW + frame.phys) as *mut u8, 0, PAGE_SIZE as usize) };
        Some(frame)
    }

    /// The allocated frame at `phys` (slot and index for `Map`).
    pub fn frame(&self, phys: u64) -> Option<Frame> {
        self.frames.lookup(phys)
    }

    /// Drops one reference to the frame at `phys` (a task unmapped it); the
    /// last reference gives the frame back.
    pub fn free(&mut self, phys: u64) {
        if self.frames.free(phys) == Release::NotAllocated {
            println!("mm0: freeing frame {phys:#x} that was not allocated");
        }
    }

    /// Adds a reference to the allocated frame at `phys` (it is mapped into
    /// one more task); false if it is not allocated.
    pub fn share(&mut self, phys: u64) -> bool {
        self.frames.share(phys)
    }

    /// How many tasks map the frame at `phys` (0: not allocated).
    pub fn refs(&self, phys: u64) -> u32 {
        self.frames.refs(phys)
    }

    /// A free frame holding a copy of the frame at `from`.
    pub fn alloc_copy(&mut self, from: u64) -> Option<Frame> {
        if self.frames.refs(from) == 0 {
            return None;
        }
        let frame = self.frames.alloc()?;
        // SAFETY: both pages lie in regions mapped in the window (`from` is
        // allocated, so it is a page of a region; the new frame was just
        // allocated), they are distinct pages, and the new one is ours alone.
        // The source may be mapped in tasks, but none can write it: a shared
        // frame is mapped read-only everywhere.
        unsafe {
            core::ptr::copy_nonoverlapping(
                (WINDOW + from) as *const u8,
                (WINDOW + frame.phys) as *mut u8,
                PAGE_SIZE as usize,
            )
        };
        Some(frame)
    }

    /// The frames' own bookkeeping, for invariant checks.
    pub fn frames(&self) -> &Frames {
        &self.frames
    }

    /// Copies `bytes` into the frame at `phys` at `offset`. Used only on
    /// frames mm0 allocated and has not handed to a running thread.
    pub fn write(&mut self, phys: u64, offset: u64, bytes: &[u8]) {
        let frame = self.frames.lookup(phys).map(|f| f.phys);
        assert!(frame == Some(phys) && offset + bytes.len() as u64 <= PAGE_SIZE, "write outside an owned frame");
        // SAFETY: the destination lies inside one frame of a region mapped
        // read-write in the window (checked above), owned by mm0.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), (WINDOW + phys + offset) as *mut u8, bytes.len());
        }
    }

    /// The word at `offset` (8-aligned) in the allocated frame at `phys`.
    pub fn read_word(&self, phys: u64, offset: u64) -> Option<u64> {
        if self.frames.refs(phys) == 0 || !offset.is_multiple_of(8) || offset >= PAGE_SIZE {
            return None;
        }
        // SAFETY: the word lies inside an allocated frame of a region mapped
        // in the window, and is aligned; a task may write it concurrently
        // only while mm0 does not run (one CPU), and any value is valid.
        Some(unsafe { core::ptr::read_volatile((WINDOW + phys + offset) as *const u64) })
    }

    /// Stores `value` at `offset` (8-aligned) in the frame at `phys`, a
    /// frame of one task only (a page of its signal area).
    pub fn write_word(&mut self, phys: u64, offset: u64, value: u64) {
        assert!(self.frames.refs(phys) == 1 && offset.is_multiple_of(8) && offset < PAGE_SIZE, "bad word write");
        // SAFETY: the word lies inside an allocated, unshared frame of a
        // region mapped read-write in the window, and is aligned.
        unsafe { core::ptr::write_volatile((WINDOW + phys + offset) as *mut u64, value) };
    }

    /// Stores `info` at the start of the frame at `phys`.
    pub fn write_start_info(&mut self, phys: u64, info: &StartInfo) {
        // SAFETY: StartInfo is repr(C) and made of u64 fields and a byte
        // array with no padding between or after them, so all of its bytes
        // are initialised.
        let bytes =
            unsafe { core::slice::from_raw_parts((info as *const StartInfo).cast::<u8>(), size_of::<StartInfo>()) };
        self.write(phys, 0, bytes);
    }

    /// (free pages, total pages).
    pub fn stats(&self) -> (u64, u64) {
        (self.frames.free_pages(), self.frames.total_pages())
    }
}
