//! SysV shared memory: SHMGET, SHMAT, SHMDT, SHMCTL.
//!
//! A segment is a shared memory object ([`crate::objects`]) held by the
//! segment table until it is removed (IPC_RMID) and its last attachment is
//! gone. Attachments are windows on the object in the attaching process,
//! recorded with their address so that shmdt finds them; a forked child
//! inherits its parent's, and a process that ends detaches all of its.
//! Permissions: one user, root, may do everything; the mode is kept for
//! IPC_STAT.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use abi::{PAGE_SIZE, USER_BOTTOM, USER_TOP};
use libtern::ipc::{self, Message};
use libtern::time;
use mm0::layout::{MMAP_BOTTOM, MMAP_TOP, page_up};
use mm0::vma::{Kind, Vma, prot};
use mm0_proto::{errno, shm};

use crate::server::{Mm0, fail, ok};

/// Largest segment (Linux's default SHMMAX is larger; memory is the limit
/// here).
const MAX_SEGMENT: u64 = 256 << 20;
/// Most segments at once (Linux's SHMMNI).
const MAX_SEGMENTS: usize = 4096;

pub struct Segment {
    pub key: i32,
    /// Bytes asked for (the object is rounded up to pages).
    pub size: u64,
    pub object: u64,
    pub mode: u32,
    pub creator: u64,
    pub last_pid: u64,
    pub attach_time: u64,
    pub detach_time: u64,
    pub change_time: u64,
    /// IPC_RMID was asked: no new attachments, gone after the last detach.
    pub removed: bool,
}

/// One attachment: process, window start and end, segment id.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Attachment {
    pub pid: u64,
    pub start: u64,
    pub end: u64,
    pub shmid: u64,
}

#[derive(Default)]
pub struct SysvShm {
    pub segments: BTreeMap<u64, Segment>,
    pub attachments: Vec<Attachment>,
    next_id: u64,
}

impl Mm0 {
    /// Seconds since the epoch (for the segment times).
    fn wall_seconds(&self) -> u64 {
        let since_boot = time::now_ns();
        (self.realtime_offset + since_boot) / 1_000_000_000
    }

    /// SHMGET (key, size, flags) -> (id).
    pub fn shmget(&mut self, pid: u64, key: i32, size: u64, flags: u64) -> Option<Message> {
        let create = flags & shm::IPC_CREAT != 0;
        if key != shm::IPC_PRIVATE {
            let found = self.shm.segments.iter().find(|(_, s)| s.key == key && !s.removed).map(|(&id, s)| (id, s.size));
            if let Some((id, existing)) = found {
                if create && flags & shm::IPC_EXCL != 0 {
                    return fail(errno::EEXIST);
                }
                if size > existing {
                    return fail(errno::EINVAL);
                }
                return ok(&[id]);
            }
            if !create {
                return fail(errno::ENOENT);
            }
        }
        if size == 0 || size > MAX_SEGMENT {
            return fail(errno::EINVAL);
        }
        if self.shm.segments.len() >= MAX_SEGMENTS {
            return fail(errno::ENOSPC);
        }
        let pages = page_up(size)?;
        let object = self.object_create(pages, true);
        self.shm.next_id += 1;
        let id = self.shm.next_id;
        let now = self.wall_seconds();
        self.shm.segments.insert(
            id,
            Segment {
                key,
                size,
                object,
                mode: (flags & 0o777) as u32,
                creator: pid,
                last_pid: 0,
                attach_time: 0,
                detach_time: 0,
                change_time: now,
                removed: false,
            },
        );
        ok(&[id])
    }

    /// SHMAT (id, addr, flags) -> (addr).
    pub fn shmat(&mut self, pid: u64, id: u64, addr: u64, flags: u64) -> Option<Message> {
        let Some(seg) = self.shm.segments.get(&id).filter(|s| !s.removed) else {
            return fail(errno::EINVAL);
        };
        let (object, size) = (seg.object, page_up(seg.size)?);
        let addr = if flags & shm::SHM_RND != 0 { addr & !(shm::SHMLBA - 1) } else { addr };
        if !addr.is_multiple_of(PAGE_SIZE) {
            return fail(errno::EINVAL);
        }
        let writable = flags & shm::SHM_RDONLY == 0;
        let p = if writable { prot::READ | prot::WRITE } else { prot::READ };
        let p = if flags & shm::SHM_EXEC != 0 { p | prot::EXEC } else { p };
        let task = self.tasks.get_mut(&pid)?;
        let start = if addr == 0 {
            match task.vmas.find_gap_top_down(size, MMAP_BOTTOM, MMAP_TOP) {
                Some(start) => start,
                None => return fail(errno::ENOMEM),
            }
        } else {
            let fits = addr >= USER_BOTTOM && addr.checked_add(size).is_some_and(|e| e <= USER_TOP);
            if !fits || task.vmas.touches(addr, addr + size, Kind::System) {
                return fail(errno::EINVAL);
            }
            if flags & shm::SHM_REMAP != 0 {
                task.vmas.remove(addr, addr + size);
                task.unmap(&mut self.phys, addr, addr + size);
            } else if !task.vmas.is_free(addr, addr + size) {
                return fail(errno::EINVAL);
            }
            addr
        };
        let kind = Kind::Shared { object, delta: 0u64.wrapping_sub(start), writable };
        let vma = Vma { start, end: start + size, prot: p, kind };
        if task.vmas.insert(vma).is_err() {
            return fail(errno::ENOMEM);
        }
        self.shm.attachments.push(Attachment { pid, start, end: start + size, shmid: id });
        let now = self.wall_seconds();
        if let Some(seg) = self.shm.segments.get_mut(&id) {
            seg.last_pid = pid;
            seg.attach_time = now;
        }
        self.collect_objects();
        ok(&[start])
    }

    /// SHMDT (addr).
    pub fn shmdt(&mut self, pid: u64, addr: u64) -> Option<Message> {
        let Some(i) = self.shm.attachments.iter().position(|a| a.pid == pid && a.start == addr) else {
            return fail(errno::EINVAL);
        };
        let a = self.shm.attachments.remove(i);
        if let Some(task) = self.tasks.get_mut(&pid) {
            task.vmas.remove(a.start, a.end);
            task.unmap(&mut self.phys, a.start, a.end);
        }
        let now = self.wall_seconds();
        if let Some(seg) = self.shm.segments.get_mut(&a.shmid) {
            seg.last_pid = pid;
            seg.detach_time = now;
        }
        self.release_removed_segments();
        ok(&[])
    }

    /// SHMCTL (id, cmd, mode) -> IPC_STAT's fields in the reply's IPC
    /// buffer words: key, mode, size, atime, dtime, ctime, creator, last
    /// pid, attachments.
    pub fn shmctl(&mut self, id: u64, cmd: u64, mode: u64) -> Option<Message> {
        let attached = self.shm.attachments.iter().filter(|a| a.shmid == id).count() as u64;
        let now = self.wall_seconds();
        let Some(seg) = self.shm.segments.get_mut(&id) else {
            return fail(errno::EINVAL);
        };
        match cmd {
            shm::IPC_RMID => {
                seg.removed = true;
                seg.change_time = now;
                self.release_removed_segments();
                ok(&[])
            }
            shm::IPC_SET => {
                seg.mode = (mode & 0o777) as u32;
                seg.change_time = now;
                ok(&[])
            }
            shm::IPC_STAT => {
                let words = [
                    seg.key as u32 as u64,
                    u64::from(seg.mode),
                    seg.size,
                    seg.attach_time,
                    seg.detach_time,
                    seg.change_time,
                    seg.creator,
                    seg.last_pid,
                    attached,
                ];
                let count = ipc::set_buf_words(&words);
                let reply = Message::new(0, &[]);
                Some(reply.with_info(reply.info.with_buf_words(count)))
            }
            _ => fail(errno::EINVAL),
        }
    }

    /// Removed segments without attachments let go of their object.
    fn release_removed_segments(&mut self) {
        let attachments = &self.shm.attachments;
        let gone: Vec<u64> = self
            .shm
            .segments
            .iter()
            .filter(|(id, s)| s.removed && !attachments.iter().any(|a| a.shmid == **id))
            .map(|(&id, _)| id)
            .collect();
        for id in gone {
            if let Some(seg) = self.shm.segments.remove(&id)
                && let Some(object) = self.objects.get_mut(&seg.object)
            {
                object.held = false;
            }
        }
        self.collect_objects();
    }

    /// A forked child inherits its parent's attachments.
    pub fn shm_forked(&mut self, parent: u64, child: u64) {
        let inherited: Vec<Attachment> =
            self.shm.attachments.iter().filter(|a| a.pid == parent).map(|a| Attachment { pid: child, ..*a }).collect();
        self.shm.attachments.extend(inherited);
    }

    /// Process `pid` ended: its attachments go.
    pub fn shm_exited(&mut self, pid: u64) {
        let before = self.shm.attachments.len();
        self.shm.attachments.retain(|a| a.pid != pid);
        if self.shm.attachments.len() != before {
            self.release_removed_segments();
        }
    }
}
