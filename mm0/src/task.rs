//! A task as mm0 keeps it: its address space, regions, backed pages,
//! threads and what it ended with.
//!
//! mm0 is the only one who maps memory into a task, so `pages` is the whole
//! truth about which frames a task holds: freeing a task is freeing its
//! `pages`. Every mapping goes through [`Task::map_frame`], which records it.
//!
//! Copy on write: after fork, parent and child map the same frames, and a
//! frame with more than one reference is mapped without write access
//! everywhere, whatever its region allows (pages of shared memory objects
//! excepted: sharing them is their purpose). A write to it faults, and
//! [`Task::make_writable`] gives the writer a copy of its own (or, for the
//! last user of the frame, the frame itself with write access back).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use abi::{Error, PAGE_SIZE, Rights};
use libtern::space;
use mm0::frames::Frame;
use mm0::layout::{MAX_THREADS, MMAP_BOTTOM, MMAP_TOP, TaskKind};
use mm0::vma::{Kind, Vma, VmaList, prot};
use mm0_proto::{comm, errno};

use crate::phys::Phys;

/// How a thread ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Exited(u64),
    Faulted { vector: u64, address: u64 },
}

impl Ending {
    /// The THREAD_JOIN reply words: outcome, value, address.
    pub fn words(self) -> [u64; 3] {
        match self {
            Ending::Exited(code) => [mm0_proto::outcome::EXITED, code, 0],
            Ending::Faulted { vector, address } => [mm0_proto::outcome::FAULTED, vector, address],
        }
    }
}

pub struct Thread {
    /// mm0's slot of the thread capability (the task has a CONTROL copy,
    /// which it deletes itself).
    pub slot: u64,
    /// Which of the task's IPC buffer pages the thread uses.
    pub ipc_index: usize,
    /// `None` while it runs.
    pub ended: Option<Ending>,
    /// A saved reply to a THREAD_JOIN waiting for this thread.
    pub joiner: Option<u64>,
    /// A POSIX thread's thread id (0 for native threads).
    pub posix_tid: u64,
    /// A POSIX thread's own notification (mm0's slot; 0: none), which mm0
    /// signals when a signal is pending for it.
    pub notification: u64,
    /// The thread has been let run (a POSIX clone waits, stopped, until
    /// libposix has set it up: THREAD_RUN).
    pub started: bool,
    /// Its name (prctl PR_SET_NAME), NUL-padded; `None`: the task's.
    pub name: Option<[u8; 16]>,
}

/// A backed page of a task.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub phys: u64,
    /// The protection it is mapped with.
    pub prot: u64,
    /// A page of a shared memory object: never copied on write.
    pub shared: bool,
}

/// Why memory could not be given to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// mm0 has no free frame.
    OutOfFrames,
    /// The page lies past the end of the file a shared mapping shows.
    BeyondFile,
    /// The kernel refused the mapping.
    Kernel(Error),
}

impl MapError {
    pub fn errno(self) -> u32 {
        match self {
            MapError::OutOfFrames | MapError::Kernel(Error::NoMemory) => errno::ENOMEM,
            MapError::BeyondFile => errno::EFAULT,
            MapError::Kernel(_) => errno::EINVAL,
        }
    }
}

/// The kernel Map rights for region protection `p` (x86 pages are always
/// readable, and the kernel wants READ in every mapping).
fn rights(p: u64) -> Rights {
    Rights((p & prot::ALL) | prot::READ)
}

pub struct Task {
    pub id: u64,
    pub name: String,
    /// The path the program was started from, as given to exec
    /// (`/bin/<name>` for a boot module); /proc/<pid>/exe.
    pub exe: String,
    /// Its arguments, each ending in NUL: /proc/<pid>/cmdline.
    pub cmdline: Vec<u8>,
    pub kind: TaskKind,
    /// mm0's slot of the task's space capability.
    pub space: u64,
    /// mm0's slot of the badged endpoint capability used as the pager of the
    /// task's threads (0 until created).
    pub pager: u64,
    pub vmas: VmaList,
    /// Backed pages by virtual address.
    pub pages: BTreeMap<u64, Page>,
    pub brk_start: u64,
    pub brk: u64,
    /// Threads by kernel thread id; ended ones stay until joined.
    pub threads: BTreeMap<u64, Thread>,
    /// Bit i set: IPC buffer page i is in use.
    ipc_used: u64,
    /// Other capabilities of mm0 made for this task, deleted with it.
    pub owned_caps: Vec<u64>,
    /// mm0's slot of a POSIX process's notification (0: none).
    pub notification: u64,
    /// Stopped by a signal: its threads are suspended until SIGCONT.
    pub stopped: bool,
    /// A disk driver: may ask for DMA memory (DMA_MEMORY).
    pub dma: bool,
    /// The real-time interval timer (alarm, setitimer).
    pub itimer: crate::timers::IntervalTimer,
    /// The exit status a test run expects (`None`: any).
    pub expected: Option<i64>,
    /// Whether the task counts for the test run's end (fs0 does not).
    pub counted: bool,
    /// A task whose end also ends this one (ktest's peer, which would wait
    /// forever for a partner that is gone).
    pub companion_of: Option<u64>,
}

const _: () = assert!(MAX_THREADS <= 64);
const _: () = assert!(prot::READ == Rights::READ.0 && prot::WRITE == Rights::WRITE.0 && prot::EXEC == Rights::EXEC.0);

impl Task {
    pub fn new(id: u64, name: &str, kind: TaskKind, space: u64) -> Task {
        Task {
            id,
            name: String::from(name),
            exe: String::new(),
            cmdline: Vec::new(),
            kind,
            space,
            pager: 0,
            vmas: VmaList::new(),
            pages: BTreeMap::new(),
            brk_start: 0,
            brk: 0,
            threads: BTreeMap::new(),
            ipc_used: 0,
            owned_caps: Vec::new(),
            notification: 0,
            stopped: false,
            dma: false,
            itimer: crate::timers::IntervalTimer::default(),
            expected: None,
            counted: false,
            companion_of: None,
        }
    }

    /// The name of `thread`, one of this task's: its own, or the task's
    /// cut to a thread name's length.
    pub fn thread_name(&self, thread: &Thread) -> [u8; 16] {
        thread.name.unwrap_or_else(|| comm::from_words(comm::to_words(self.name.as_bytes())))
    }

    /// The live thread using signal-area slot `slot`.
    pub fn thread_in_slot(&self, slot: usize) -> Option<&Thread> {
        self.threads.values().find(|t| t.ipc_index == slot && t.ended.is_none())
    }

    pub fn thread_in_slot_mut(&mut self, slot: usize) -> Option<&mut Thread> {
        self.threads.values_mut().find(|t| t.ipc_index == slot && t.ended.is_none())
    }

    /// Threads that have not ended.
    pub fn live_threads(&self) -> usize {
        self.threads.values().filter(|t| t.ended.is_none()).count()
    }

    /// Takes a free IPC buffer index.
    pub fn alloc_ipc_index(&mut self) -> Option<usize> {
        let i = (!self.ipc_used).trailing_zeros() as usize;
        (i < MAX_THREADS).then(|| {
            self.ipc_used |= 1 << i;
            i
        })
    }

    pub fn free_ipc_index(&mut self, i: usize) {
        self.ipc_used &= !(1u64 << i);
    }

    /// Maps `frame` at `vaddr` with protection `p` and records it.
    pub fn map_frame(&mut self, frame: Frame, vaddr: u64, p: u64) -> Result<(), MapError> {
        self.map_page(frame, vaddr, p, false)
    }

    /// Maps device memory (not RAM: no frame of mm0's allocator) at
    /// `vaddr`. It is not recorded among the task's pages, so nothing ever
    /// frees it; the mapping goes with the task's space.
    pub fn map_device_page(&mut self, frame: Frame, vaddr: u64, p: u64) -> Result<(), MapError> {
        // SAFETY: `self.space` is the space of another task, never mm0's.
        unsafe { space::map(self.space, frame.slot, frame.index, vaddr, 1, rights(p)) }.map_err(MapError::Kernel)
    }

    /// Maps `frame` at `vaddr` with protection `p` and records it, as a
    /// page of a shared memory object if `shared`.
    pub fn map_page(&mut self, frame: Frame, vaddr: u64, p: u64, shared: bool) -> Result<(), MapError> {
        // SAFETY: `self.space` is the space of another task, never mm0's.
        unsafe { space::map(self.space, frame.slot, frame.index, vaddr, 1, rights(p)) }.map_err(MapError::Kernel)?;
        self.pages.insert(vaddr, Page { phys: frame.phys, prot: p, shared });
        Ok(())
    }

    /// Backs the page at `vaddr` with a fresh zeroed frame; returns the frame.
    pub fn map_new(&mut self, phys: &mut Phys, vaddr: u64, p: u64) -> Result<Frame, MapError> {
        let frame = phys.alloc_zeroed().ok_or(MapError::OutOfFrames)?;
        if let Err(e) = self.map_frame(frame, vaddr, p) {
            phys.free(frame.phys);
            return Err(e);
        }
        Ok(frame)
    }

    /// Maps the already backed page at `vaddr` again with protection `p`.
    pub fn remap(&mut self, phys: &mut Phys, vaddr: u64, p: u64) -> Result<(), MapError> {
        let Some(page) = self.pages.get(&vaddr).copied() else {
            return Ok(());
        };
        let frame = phys.frame(page.phys).ok_or(MapError::Kernel(Error::InvalidArgument))?;
        self.unmap_run(vaddr, 1);
        self.pages.remove(&vaddr);
        self.map_frame(frame, vaddr, p).inspect_err(|_| phys.free(page.phys))
    }

    /// Gives the page at `vaddr`, if backed, protection `p`: mapped again
    /// with the new rights (write access waits for the first write if the
    /// frame is shared), or for no access unmapped with its frame kept, so
    /// that its contents are there again when access comes back. On
    /// failure the page keeps its old protection.
    pub fn protect(&mut self, phys: &Phys, vaddr: u64, p: u64) -> Result<(), MapError> {
        let Some(page) = self.pages.get(&vaddr).copied() else {
            return Ok(());
        };
        let p = if phys.refs(page.phys) > 1 && !page.shared { p & !prot::WRITE } else { p };
        if p == 0 {
            self.unmap_run(vaddr, 1);
            self.pages.insert(vaddr, Page { prot: 0, ..page });
            return Ok(());
        }
        let frame = phys.frame(page.phys).ok_or(MapError::Kernel(Error::InvalidArgument))?;
        // Map replaces a present mapping in place.
        self.map_page(frame, vaddr, p, page.shared)
    }

    /// A write to the backed page at `vaddr`, whose region allows `p`
    /// (write included), found it mapped without write access: the page
    /// becomes writable with protection `p`, on a copy of the frame if
    /// other tasks share it. On failure the page stays as it was.
    pub fn make_writable(&mut self, phys: &mut Phys, vaddr: u64, p: u64) -> Result<(), MapError> {
        let Some(page) = self.pages.get(&vaddr).copied() else {
            return Ok(());
        };
        if phys.refs(page.phys) <= 1 {
            let frame = phys.frame(page.phys).ok_or(MapError::Kernel(Error::InvalidArgument))?;
            return self.map_frame(frame, vaddr, p);
        }
        let copy = phys.alloc_copy(page.phys).ok_or(MapError::OutOfFrames)?;
        if let Err(e) = self.map_frame(copy, vaddr, p) {
            phys.free(copy.phys);
            return Err(e);
        }
        phys.free(page.phys);
        Ok(())
    }

    /// Whether the page at `vaddr` is backed but mapped without the write
    /// access its region (protection `p`) allows: shared after a fork.
    pub fn awaits_copy(&self, vaddr: u64, p: u64) -> bool {
        p & prot::WRITE != 0 && self.pages.get(&vaddr).is_some_and(|page| !page.shared && page.prot & prot::WRITE == 0)
    }

    /// Unmaps the page at `vaddr` and forgets it, keeping its frame's
    /// reference (the caller moves it elsewhere or frees it).
    pub fn forget_page(&mut self, vaddr: u64) {
        if self.pages.remove(&vaddr).is_some_and(|p| p.prot != 0) {
            self.unmap_run(vaddr, 1);
        }
    }

    /// Maps `len` bytes (whole pages) of fresh zeroed memory, readable and
    /// writable, where the task's regions leave room (top down in the
    /// mmap area): the address and each page's frame, or `None` (nothing
    /// mapped) when there is no room or memory.
    pub fn map_fresh_region(&mut self, phys: &mut Phys, len: u64) -> Option<(u64, Vec<Frame>)> {
        let start = self.vmas.find_gap_top_down(len, MMAP_BOTTOM, MMAP_TOP)?;
        let rw = prot::READ | prot::WRITE;
        self.vmas.insert(Vma { start, end: start + len, prot: rw, kind: Kind::Anon }).ok()?;
        let mut frames = Vec::with_capacity((len / PAGE_SIZE) as usize);
        for page in (start..start + len).step_by(PAGE_SIZE as usize) {
            match self.map_new(phys, page, rw) {
                Ok(frame) => frames.push(frame),
                Err(_) => {
                    self.unmap(phys, start, start + len);
                    let _ = self.vmas.remove(start, start + len);
                    return None;
                }
            }
        }
        Some((start, frames))
    }

    /// Removes every backed page in `[start, end)` and frees its frames.
    pub fn unmap(&mut self, phys: &mut Phys, start: u64, end: u64) {
        let gone: Vec<(u64, Page)> = self.pages.range(start..end).map(|(&v, &p)| (v, p)).collect();
        let mut run: Option<(u64, u64)> = None;
        for &(vaddr, _) in &gone {
            run = match run {
                Some((s, n)) if s + n * PAGE_SIZE == vaddr => Some((s, n + 1)),
                Some((s, n)) => {
                    self.unmap_run(s, n);
                    Some((vaddr, 1))
                }
                None => Some((vaddr, 1)),
            };
        }
        if let Some((s, n)) = run {
            self.unmap_run(s, n);
        }
        for (vaddr, page) in gone {
            self.pages.remove(&vaddr);
            phys.free(page.phys);
        }
    }

    fn unmap_run(&self, start: u64, pages: u64) {
        // SAFETY: `self.space` is the space of another task, never mm0's.
        if let Err(e) = unsafe { space::unmap(self.space, start, pages) } {
            libtern::println!("mm0: {}: unmap of {pages} pages at {start:#x} failed: {e:?}", self.name);
        }
    }

    /// Gives every frame of the task back (after its space was destroyed).
    pub fn release_frames(&mut self, phys: &mut Phys) {
        for page in core::mem::take(&mut self.pages).into_values() {
            phys.free(page.phys);
        }
    }
}
