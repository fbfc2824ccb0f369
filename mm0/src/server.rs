//! mm0's state and its one loop: receive, handle, reply.
//!
//! mm0 has one thread and one endpoint. Requests from tasks arrive through
//! SEND capabilities badged with the task id; the kernel's fault messages
//! arrive through the pager capabilities, badged with the task id plus
//! [`PAGER_BADGE`], so a task cannot pass a request off as a fault. mm0
//! never blocks on a client: it only replies (`ReplyRecv`), or sends
//! non-blocking on a saved reply to a caller known to be waiting.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use libtern::ipc::{self, Message, Received};
use libtern::{cap, grant, println};

use crate::lifecycle::cleanup;
use mm0_proto::{errno, label};

use mm0::process::{ProcessTable, Status};

use crate::fork::ChildStart;
use crate::fs0_events::Fs0Events;
use crate::futex::{FutexRequest, FutexWaiter};
use crate::loader::LibPosix;
use crate::objects::MemObject;
use crate::phys::Phys;
use crate::sysv_shm::SysvShm;
use crate::task::Task;
use crate::timers::Realert;
use crate::verdict::Verdict;
use crate::wait::BlockedWait;

/// Badge bit of pager capabilities (task ids stay below it).
pub const PAGER_BADGE: u64 = 1 << 32;

pub struct Mm0 {
    pub phys: Phys,
    /// mm0's endpoint (all rights, unbadged).
    pub endpoint: u64,
    /// fs0's endpoint (all rights, unbadged); tasks get badged SEND copies.
    pub fs0_endpoint: u64,
    /// The endpoint between the IDE driver and its clients, once one of
    /// them is started.
    pub disk_endpoint: Option<u64>,
    pub tasks: BTreeMap<u64, Task>,
    /// Kernel thread id -> task id, for every live thread.
    pub threads: BTreeMap<u64, u64>,
    /// The next POSIX process id (thread ids share it, as on Linux).
    pub next_task: u64,
    /// The next native task's id (from [`mm0::layout::NATIVE_IDS`]).
    pub next_native: u64,
    /// Parents, groups, sessions and zombies of every task.
    pub processes: ProcessTable,
    /// WAIT requests that found no ended child yet.
    pub waits: Vec<BlockedWait>,
    /// Threads blocked in FUTEX waits.
    pub futex_waiters: Vec<FutexWaiter>,
    /// Shared memory objects by id.
    pub objects: BTreeMap<u64, MemObject>,
    pub next_object: u64,
    /// SysV shared memory segments and attachments.
    pub shm: SysvShm,
    /// Process events queued for fs0.
    pub fs0_events: Fs0Events,
    /// The VGA text buffer's frame capability (mapped into fs0).
    pub vga_text: abi::boot::MemoryRegion,
    /// The machine is stopping, and how ([`crate::power`]).
    pub stopping: Option<crate::power::Stop>,
    /// fs0 has its copy of the ramdisk ([`crate::ramdisk`]).
    pub ramdisk_given: bool,
    /// Threads to alert again for a pending signal, and the tries the
    /// alert under way has left.
    pub realerts: Vec<Realert>,
    pub realert_tries: u32,
    /// The task whose request is being handled (0: none, or a fault).
    pub caller: u64,
    /// The caller was answered already (it stopped itself): no reply.
    pub caller_answered: bool,
    /// mm0's slot of its timer notification, bound to its own thread.
    pub timer: u64,
    /// Nanoseconds from the kernel clock to UTC ([`crate::clock`]).
    pub realtime_offset: u64,
    pub verdict: Verdict,
    pub libposix: Option<LibPosix>,
    /// Every boot module by name, for exec.
    pub modules: Vec<(String, &'static [u8])>,
    pub tsc_hz: u64,
    /// Print informational lines (task starts).
    pub verbose: bool,
}

/// A success reply carrying `words`.
pub fn ok(words: &[u64]) -> Option<Message> {
    Some(Message::new(0, words))
}

/// A failure reply with `errno` as its label.
pub fn fail(errno: u32) -> Option<Message> {
    Some(Message::empty(errno))
}

impl Mm0 {
    /// Serves faults and requests forever.
    pub fn serve(&mut self) -> ! {
        let mut reply: Option<Message> = None;
        loop {
            let received = match reply.take() {
                Some(msg) => ipc::reply_recv(self.endpoint, &msg),
                None => ipc::recv(self.endpoint),
            };
            match received {
                Ok(r) => reply = self.handle(r),
                Err(e) => println!("mm0: receive failed: {e:?}"),
            }
        }
    }

    fn handle(&mut self, r: Received) -> Option<Message> {
        let msg = r.msg;
        if msg.info.caps() > 0 {
            // mm0 takes no capabilities from tasks: drop what was sent.
            for &slot in ipc::received_caps().iter().take(msg.info.caps()) {
                if let Err(e) = cap::delete(slot) {
                    println!("mm0: cannot delete a received capability: {e:?}");
                }
            }
        }
        if r.badge & PAGER_BADGE != 0 {
            return self.fault(r.badge & !PAGER_BADGE, &msg);
        }
        if r.badge == 0 && msg.label() == abi::ipc::LABEL_NOTIFICATION {
            // Task badges start at 1: this is the kernel's timer.
            self.timer_fired();
            return None;
        }
        let id = r.badge;
        if !self.tasks.contains_key(&id) {
            return fail(errno::ESRCH);
        }
        self.caller = id;
        self.caller_answered = false;
        let reply = self.request(id, &msg);
        self.caller = 0;
        if self.caller_answered { None } else { reply }
    }

    /// Answers the caller now, if `pid` is it (before mm0 suspends its
    /// threads, which would make the reply lapse); the request's reply is
    /// then dropped.
    pub fn answer_caller_now(&mut self, pid: u64) {
        if pid != self.caller || self.caller_answered {
            return;
        }
        match grant::save_reply() {
            Ok(reply) => {
                if let Err(e) = ipc::send(reply, &Message::new(0, &[])) {
                    println!("mm0: answering task {pid} early failed: {e:?}");
                    cleanup("deleting a saved reply", cap::delete(reply));
                }
                self.caller_answered = true;
            }
            Err(e) => println!("mm0: task {pid}: SaveReply failed: {e:?}"),
        }
    }

    /// A request from task `id`.
    fn request(&mut self, id: u64, msg: &Message) -> Option<Message> {
        match msg.label() {
            label::EXIT => {
                self.end_task(id, Status::Exited(msg.word(0) as u8));
                None
            }
            label::BRK => self.brk(id, msg.word(0)),
            label::MMAP_ANON => self.mmap_anon(id, [msg.word(0), msg.word(1), msg.word(2), msg.word(3)]),
            label::MUNMAP => self.munmap(id, msg.word(0), msg.word(1)),
            label::MPROTECT => self.mprotect(id, msg.word(0), msg.word(1), msg.word(2)),
            label::THREAD_SPAWN => self.thread_spawn(id, msg.word(0), msg.word(1), msg.word(2)),
            label::THREAD_EXIT => self.thread_exit(id, msg.word(0), msg.word(1)),
            label::THREAD_JOIN => self.thread_join(id, msg.word(0)),
            label::POPULATE => self.populate(id, msg.word(0), msg.word(1), msg.word(2)),
            label::PROCESS_INFO => self.process_info(id),
            label::MEM_STATS => {
                let (free, total) = self.phys.stats();
                ok(&[free, total, self.processes.len() as u64])
            }
            label::FORK => self.fork(
                id,
                ChildStart { rip: msg.word(0), rsp: msg.word(1), fs_base: msg.word(2), slot: msg.word(3) as usize },
            ),
            label::WAIT => self.wait(id, msg.word(0) as i64, msg.word(1), msg.word(2)),
            label::SETPGID => self.setpgid(id, msg.word(0) as i64, msg.word(1) as i64),
            label::SETSID => self.setsid(id),
            label::SUBREAPER => self.subreaper(id, msg.word(0), msg.word(1)),
            label::PROCESS_GROUP => self.process_group(id, msg.word(0) as i64),
            label::REALTIME_OFFSET => ok(&[self.realtime_offset]),
            label::KILL => self.kill(id, msg.word(0) as i64, msg.word(1), msg.word(2)),
            label::THREAD_START => self.thread_start(id, msg.word(0), msg.info.buf_words()),
            label::THREAD_RUN => self.thread_run(id, msg.word(0)),
            label::MREMAP => self.mremap(id, [msg.word(0), msg.word(1), msg.word(2), msg.word(3), msg.word(4)]),
            label::MADVISE => self.madvise(id, msg.word(0), msg.word(1), msg.word(2)),
            label::PROCESS_EVENTS => self.process_events(id),
            label::FILE_OBJECT => self.file_object(id, msg.word(0)),
            label::FILE_MAP => self.file_map(id, core::array::from_fn(|i| msg.word(i))),
            label::FILE_SIZE => self.file_size(id, msg.word(0), msg.word(1)),
            label::RAMDISK => self.ramdisk(id),
            label::PROCESS_STATUS => self.process_status(msg.word(0)),
            label::DMA_MEMORY => self.dma_memory(id, msg.word(0)),
            label::REBOOT => self.reboot(msg.word(0)),
            label::TTY_ACCESS => self.tty_access(id, msg.word(0), msg.word(1), msg.word(2)),
            label::THREAD_NAME => self.thread_name(id, msg.word(0), msg.word(1), [msg.word(2), msg.word(3)]),
            label::EXEC => {
                self.exec(id, [msg.word(0), msg.word(1), msg.word(2), msg.word(3), msg.word(4)], msg.info.grants())
            }
            label::SHMGET => self.shmget(id, msg.word(0) as i32, msg.word(1), msg.word(2)),
            label::SHMAT => self.shmat(id, msg.word(0), msg.word(1), msg.word(2)),
            label::SHMDT => self.shmdt(id, msg.word(0)),
            label::SHMCTL => self.shmctl(msg.word(0), msg.word(1), msg.word(2)),
            label::ITIMER => self.itimer(id, msg.word(0), msg.word(1), msg.word(2), msg.word(3)),
            label::FUTEX => self.futex(
                id,
                FutexRequest {
                    op: msg.word(0),
                    uaddr: msg.word(1),
                    val: msg.word(2),
                    deadline: msg.word(3),
                    slot: msg.word(4),
                    uaddr2: msg.word(5),
                    val3: msg.word(6),
                },
            ),
            label::TGKILL => self.tgkill(id, msg.word(0) as i64, msg.word(1) as i64, msg.word(2)),
            _ => fail(errno::ENOSYS),
        }
    }
}
