//! FORK: a new process whose memory is a copy of its parent's.
//!
//! Nothing is copied up front. Every backed page of the parent is mapped
//! into the child onto the same frame, which gains a reference; private
//! pages the parent could write are mapped read-only in both, so the first
//! write on either side faults and gets a copy
//! ([`crate::task::Task::make_writable`]). Pages of shared memory objects
//! (MAP_SHARED, SysV segments) stay shared and writable.
//! Regions, the break and the process group come along, and a private copy
//! of the signal area (handlers and mask; nothing pending). The parent's IPC
//! buffers do not (they belong to its threads): the child's one thread
//! gets a fresh buffer, and libposix's personality is set up as for a
//! program mm0 starts. The child starts where the parent's libposix said,
//! with every register zero but the stack and thread pointers.
//!
//! Failure leaves no child: its space and every reference it took are
//! released, and its process-table entry removed. The parent's pages that
//! became read-only stay so until their next write, which then finds them
//! unshared and makes them writable in place.

use abi::boot::SLOT_FACTORY;
use abi::regs::ThreadRegs;
use abi::{USER_BOTTOM, USER_TOP};
use libtern::ipc::Message;
use libtern::{cap, factory, kthread, space};
use mm0::layout::{MAX_THREADS, TaskKind};
use mm0::process::AddError;
use mm0::vma::prot;
use mm0_proto::signal::{SIGNAL_AREA, SIGNAL_AREA_SIZE, THREAD_SLOTS, offset, slot_address};
use mm0_proto::{errno, event};

use crate::loader::{PRIORITY_TASK, START_RFLAGS, StartError};
use crate::roles::Role;
use crate::server::{Mm0, PAGER_BADGE, fail, ok};
use crate::signal::{area_word, set_area_word};
use crate::task::{MapError, Page, Task, Thread};
use crate::threads::init_slot;

/// Free frames a fork leaves at least: below this it fails with ENOMEM, so
/// that sharing pages cannot promise more copies than memory can give
/// the processes already running.
const FORK_RESERVE_PAGES: u64 = 1024;

/// The registers a forked child starts with.
#[derive(Clone, Copy)]
pub struct ChildStart {
    pub rip: u64,
    pub rsp: u64,
    pub fs_base: u64,
    /// The signal-area slot of the forking thread.
    pub slot: usize,
}

impl Mm0 {
    /// FORK (rip, rsp, fs base) -> (child pid).
    pub fn fork(&mut self, id: u64, start: ChildStart) -> Option<Message> {
        let parent = self.tasks.get(&id)?;
        let user = |a: u64| (USER_BOTTOM..USER_TOP).contains(&a);
        let valid = user(start.rip) && user(start.rsp) && user(start.fs_base.max(1)) && start.slot < THREAD_SLOTS;
        if parent.kind != TaskKind::Posix || !valid {
            return fail(errno::EINVAL);
        }
        if self.phys.stats().0 < FORK_RESERVE_PAGES {
            return fail(errno::ENOMEM);
        }
        let child_id = self.next_task;
        if let Err(e) = self.processes.add(child_id, id) {
            return fail(match e {
                AddError::Full | AddError::Taken => errno::EAGAIN,
            });
        }
        self.next_task += 1;
        let Ok(space) = factory::space(SLOT_FACTORY) else {
            self.processes.forget(child_id);
            return fail(errno::ENOMEM);
        };
        let mut child = Task::new(child_id, &parent.name, TaskKind::Posix, space);
        child.exe = parent.exe.clone();
        child.cmdline = parent.cmdline.clone();
        match self.build_child(id, &mut child, start) {
            Ok(tid) => {
                self.threads.insert(tid, child_id);
                self.tasks.insert(child_id, child);
                self.shm_forked(id, child_id);
                self.fs0_event(event::FORK, child_id, id);
                ok(&[child_id])
            }
            Err(e) => {
                libtern::println!("mm0: fork of task {id} failed: {e}");
                self.dispose(&mut child);
                self.processes.forget(child_id);
                fail(match e {
                    StartError::Memory(_) | StartError::Region(_) => errno::ENOMEM,
                    _ => errno::EAGAIN,
                })
            }
        }
    }

    /// Gives `child` the parent's memory and a running thread; returns the
    /// thread's id.
    fn build_child(&mut self, parent_id: u64, child: &mut Task, start: ChildStart) -> Result<u64, StartError> {
        self.install_caps(child, &Role::Plain)?;
        child.pager = cap::derive(self.endpoint, abi::Rights::SEND, child.id | PAGER_BADGE)?;
        let lib = self.libposix.as_ref().ok_or(StartError::NoLibposix)?;
        let (gate_start, gate_end) = lib.image.exec_range().ok_or(StartError::NoLibposix)?;
        space::personality(child.space, lib.image.entry, gate_start, gate_end)?;
        let parent = self.tasks.get_mut(&parent_id).ok_or(StartError::Kernel(abi::Error::Dead))?;
        child.brk_start = parent.brk_start;
        child.brk = parent.brk;
        let name = parent.thread_in_slot(start.slot).map(|t| parent.thread_name(t));
        let ipc_buffers = TaskKind::Posix.ipc_buffer(0)..TaskKind::Posix.ipc_buffer(MAX_THREADS);
        let signal_area = SIGNAL_AREA..SIGNAL_AREA + SIGNAL_AREA_SIZE;
        for vma in parent.vmas.iter().filter(|v| !ipc_buffers.contains(&v.start)) {
            child.vmas.insert(*vma)?;
        }
        let pages: alloc::vec::Vec<(u64, Page)> =
            parent.pages.iter().filter(|(v, _)| !ipc_buffers.contains(v)).map(|(&v, &p)| (v, p)).collect();
        for (vaddr, page) in pages {
            if signal_area.contains(&vaddr) {
                // mm0 writes the area through its window: never shared.
                let copy = self.phys.alloc_copy(page.phys).ok_or(MapError::OutOfFrames)?;
                if let Err(e) = child.map_frame(copy, vaddr, page.prot) {
                    self.phys.free(copy.phys);
                    return Err(e.into());
                }
                continue;
            }
            // Private pages become copy-on-write on both sides; pages of
            // shared objects stay as they are.
            let child_prot = if page.shared { page.prot } else { page.prot & !prot::WRITE };
            let frame = self.phys.frame(page.phys).ok_or(MapError::Kernel(abi::Error::InvalidArgument))?;
            if child_prot != page.prot {
                parent.map_frame(frame, vaddr, child_prot)?;
            }
            if !self.phys.share(page.phys) {
                return Err(StartError::Memory(MapError::Kernel(abi::Error::InvalidArgument)));
            }
            if child_prot == 0 {
                // No access (PROT_NONE): kept, not mapped, as in the parent.
                child.pages.insert(vaddr, Page { prot: 0, ..page });
            } else if let Err(e) = child.map_page(frame, vaddr, child_prot, page.shared) {
                self.phys.free(page.phys);
                return Err(e.into());
            }
        }

        let ipc_index = child.alloc_ipc_index().ok_or(StartError::Memory(MapError::OutOfFrames))?;
        let ipc = child.kind.ipc_buffer(ipc_index);
        self.system_page(child, ipc, prot::READ | prot::WRITE)?;
        let (slot, tid) = factory::thread(SLOT_FACTORY, child.space)?;
        child.threads.insert(
            tid,
            Thread {
                slot,
                ipc_index,
                ended: None,
                joiner: None,
                posix_tid: child.id,
                notification: child.notification,
                started: true,
                name,
            },
        );
        // A child starts with nothing pending and its one thread in slot
        // 0, with the mask of the thread that forked.
        let blocked = area_word(&self.phys, child, offset::thread(start.slot, offset::BLOCKED));
        set_area_word(&mut self.phys, child, offset::PENDING, 0);
        for i in 0..THREAD_SLOTS {
            init_slot(&mut self.phys, child, i, 0, 0, 0);
        }
        init_slot(&mut self.phys, child, ipc_index, child.id, tid, blocked);
        kthread::configure(slot, child.pager, ipc, PRIORITY_TASK)?;
        let regs = ThreadRegs {
            rip: start.rip,
            rsp: start.rsp,
            fs_base: start.fs_base,
            gs_base: slot_address(ipc_index),
            rflags: START_RFLAGS,
            ..ThreadRegs::default()
        };
        // SAFETY: the thread belongs to the new child, not to mm0.
        unsafe { kthread::write_regs(slot, &regs) }?;
        kthread::resume(slot)?;
        Ok(tid)
    }
}
