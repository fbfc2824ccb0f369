//! The protocol between mm0 (the root server) and the tasks it starts.
//!
//! A request is an IPC `Call` on the task's mm0 endpoint ([`SLOT_MM0`]) with
//! one of the labels below; the reply's label is 0 for success or an errno
//! value (Linux numbering) for failure, and its words carry the results.
//! The badge of the endpoint capability tells mm0 which task is calling.
#![no_std]
#![forbid(unsafe_code)]

pub mod signal;

/// Slot of the endpoint to mm0 in every task mm0 starts (SEND, GRANT).
pub const SLOT_MM0: u64 = 0;
/// Slot of the endpoint to fs0 in every task (SEND, GRANT). fs0 has one
/// too, so that the slot numbers after it are the same in every task.
pub const SLOT_FS0: u64 = 1;
/// fs0 only: the endpoint fs0 receives requests on.
pub const SLOT_FS0_SERVICE: u64 = 2;
/// POSIX processes only: the main thread's notification (SEND, RECV), for
/// libposix to sleep on (`NotifyWait` with a deadline); mm0 signals it when
/// a signal is pending for the thread. Other threads get their own
/// (THREAD_START). mm0 deletes it when the process ends.
pub const SLOT_POSIX_NOTIFICATION: u64 = 2;
/// fs0 only: I/O ports of the first serial port (0x3f8..0x400).
pub const SLOT_SERIAL_PORTS: u64 = 3;
/// fs0 only: a notification (RECV, SEND) mm0 signals with
/// [`FS0_EVENTS_BIT`] when it has process events for fs0
/// ([`label::PROCESS_EVENTS`]); fs0 binds the serial IRQ to it too.
pub const SLOT_FS0_EVENTS: u64 = 4;
/// The bit of [`SLOT_FS0_EVENTS`] that means process events.
pub const FS0_EVENTS_BIT: u64 = 1;
/// fs0 only: IRQ line 4, the first serial port's (console input).
pub const SLOT_SERIAL_IRQ: u64 = 5;
/// fs0 only: the PS/2 controller's data port (0x60).
pub const SLOT_KEYBOARD_DATA: u64 = 6;
/// fs0 only: the PS/2 controller's status port (0x64).
pub const SLOT_KEYBOARD_STATUS: u64 = 7;
/// fs0 only: IRQ line 1, the PS/2 keyboard's.
pub const SLOT_KEYBOARD_IRQ: u64 = 8;
/// fs0 only: the VGA CRT controller's index and data ports (0x3d4, 0x3d5),
/// for the cursor.
pub const SLOT_VGA_PORTS: u64 = 9;
/// fs0 only: fs0's own first thread (CONTROL), to bind the events
/// notification to.
pub const SLOT_FS0_THREAD: u64 = 10;
/// fs0 only, when the system has a disk driver: the driver's endpoint
/// (SEND), for the root file system.
pub const SLOT_FS0_DISK: u64 = 11;
/// Where mm0 maps the VGA text buffer into fs0 (`abi::boot::VGA_TEXT_PAGES`
/// pages, read-write).
pub const FS0_VGA_TEXT: u64 = 0x0000_4000_0000_0000;
/// ide only: the primary ATA channel's command ports (0x1f0..0x1f8).
pub const SLOT_IDE_PORTS: u64 = 2;
/// ide only: the primary ATA channel's control port (0x3f6).
pub const SLOT_IDE_CONTROL_PORT: u64 = 3;
/// ide only: the endpoint the driver serves the block protocol on (RECV).
pub const SLOT_IDE_SERVICE: u64 = 4;
/// ide only: IRQ line 14, the primary channel's.
pub const SLOT_IDE_IRQ: u64 = 5;
/// ide only: a notification (RECV, SEND) to bind the IRQ to.
pub const SLOT_IDE_NOTIFICATION: u64 = 6;
/// ide only, when the machine has a PCI IDE controller: its bus-master
/// registers for the primary channel (8 ports; CapIdentify says the
/// first). Without it the driver uses PIO.
pub const SLOT_IDE_BUS_MASTER: u64 = 7;
/// A disk client (ktest's disk checks): the IDE driver's endpoint (SEND).
pub const SLOT_DISK: u64 = 2;
/// ktest only: an endpoint shared by every ktest instance (SEND, RECV).
pub const SLOT_TEST_ENDPOINT: u64 = 2;
/// ktest only: the PIT's I/O ports (0x40..0x44).
pub const SLOT_PIT_PORTS: u64 = 3;
/// ktest only: IRQ line 0 (the PIT).
pub const SLOT_IRQ0: u64 = 4;
/// ktest only: a notification (SEND, RECV) for the IRQ test.
pub const SLOT_TEST_NOTIFICATION: u64 = 5;
/// First slot a task may use freely (received capabilities land from here).
pub const SLOT_FIRST_FREE: u64 = 16;

/// Where mm0 maps a native task's IPC buffer (one page).
pub const NATIVE_IPC_BUFFER: u64 = abi::boot::ROOT_IPC_BUFFER;
/// Where mm0 maps a native task's [`StartInfo`] page.
pub const NATIVE_START_INFO: u64 = abi::boot::BOOT_INFO_ADDR;
/// Top of a native task's initial stack.
pub const NATIVE_STACK_TOP: u64 = abi::boot::ROOT_STACK_TOP;

/// Where libposix is linked and mapped in every POSIX process.
pub const LIBPOSIX_BASE: u64 = 0x0000_7f00_0000_0000;
/// The IPC buffer of a POSIX process's main thread.
pub const POSIX_IPC_BUFFER: u64 = 0x0000_7f80_0000_0000;
/// Top of a POSIX process's main-thread stack.
pub const POSIX_STACK_TOP: u64 = 0x0000_7ff0_0000_0000;

/// Request labels.
pub mod label {
    /// (status): the whole task exits. No reply.
    pub const EXIT: u32 = 1;
    /// (new break or 0) -> (current break).
    pub const BRK: u32 = 2;
    /// (addr hint, len, prot bits R=1 W=2 X=4, flags) -> (addr): anonymous
    /// memory, zero-filled on first touch; private, or with
    /// [`crate::map::SHARED`] shared with the children forked after (the
    /// same frames, writes seen by all).
    pub const MMAP_ANON: u32 = 3;
    /// (addr, len): remove mappings.
    pub const MUNMAP: u32 = 4;
    /// (entry, stack top, argument) -> (thread id, thread capability): a
    /// new thread in the caller's task, started at `entry` with
    /// `rdi = argument`, `rsi` = the new thread's IPC buffer (a page mm0
    /// maps for it), `rdx` = its thread id, `rsp = stack top`.
    ///
    /// The second reply word is the slot of the caller's task where mm0 put
    /// a capability to the new thread with CONTROL only (a task controls its
    /// own threads: `ThreadSuspend`, `ThreadResume`, `ThreadReadRegs`,
    /// `ThreadWriteRegs`). mm0 keeps its own copy. The slot is the task's:
    /// mm0 never empties it, so once the thread has ended the capability
    /// names a dead thread (calls fail with `Dead`) until the task deletes
    /// it. CONTROL also allows `ThreadConfigure` and `ThreadDestroy`, but a
    /// thread still ends with THREAD_EXIT: mm0 does not notice a thread
    /// destroyed through the capability, so THREAD_JOIN would never answer.
    /// ENOMEM when there is no memory, IPC buffer or capability slot left.
    pub const THREAD_SPAWN: u32 = 5;
    /// (code, thread id): the calling thread, whose id is `thread id` (the
    /// value THREAD_SPAWN returned, or [`crate::StartInfo::thread_id`] for the main
    /// thread), ends. No reply. The id is the caller's word for who it is:
    /// a task can only end its own threads this way.
    pub const THREAD_EXIT: u32 = 6;
    /// (thread id) -> (outcome, value, address): wait for a thread of the
    /// caller's task to end. Outcome [`crate::outcome::EXITED`] with the exit code,
    /// or [`crate::outcome::FAULTED`] with the vector and faulting address.
    pub const THREAD_JOIN: u32 = 7;
    /// () -> (free pages, total pages, processes): mm0's physical memory
    /// figures and the number of processes (every task, zombies included).
    pub const MEM_STATS: u32 = 8;
    /// (addr, len, write) -> (): back every page of `[addr, addr + len)`
    /// now, zeroed on first use as the pager does on a first touch, with
    /// the protection of its region. `write` is 0 to ask for read access,
    /// 1 for write access. The kernel does not page memory in: a grant over
    /// a page the task has not touched fails the server's `GrantCopy` with
    /// `PeerFault`, and this is how the client makes it copyable.
    ///
    /// EFAULT when a page of the range lies outside the task's regions or
    /// its region does not allow the access (nothing is backed then),
    /// EINVAL for `write` other than 0 or 1, ENOMEM when mm0 runs out of
    /// frames (the pages backed so far stay backed). A length of 0 succeeds.
    pub const POPULATE: u32 = 9;
    /// () -> (task id, parent task id or 0, name length): who the caller
    /// is. For a POSIX process the task id is its process id. The parent is
    /// the process that forked it, 0 for a task mm0 started from a boot
    /// module and for an orphan whose parent has ended. The
    /// name, the program's name as mm0 started it, comes in the reply's
    /// IPC-buffer words as a [`crate::ProcessName`].
    pub const PROCESS_INFO: u32 = 10;
    /// (addr, len, prot bits as for MMAP_ANON) -> (): the protection of
    /// `[addr, addr + len)` (length rounded up to pages) becomes `prot`.
    /// Regions are split as needed; backed pages keep their contents, also
    /// through a time without access (prot 0). Afterwards an access the
    /// new protection does not allow is a segmentation fault.
    ///
    /// As Linux: EINVAL for an unaligned `addr` or unknown `prot` bits,
    /// ENOMEM when part of the range lies outside the task's regions
    /// (nothing changes then); a length of 0 succeeds. EACCES for mm0's own
    /// regions in the task (libposix, IPC buffers, info page).
    pub const MPROTECT: u32 = 11;
    /// (rip, rsp, fs base, slot) -> (child pid): fork, by the caller's
    /// thread in signal-area slot `slot`. A new POSIX process whose
    /// memory is a copy of the caller's (shared copy-on-write; the caller's
    /// IPC buffers excepted, the child gets a fresh one for its thread), in
    /// the caller's process group and session. Its one thread starts at
    /// `rip` with `rsp`, the FS base `fs base`, and every other register 0:
    /// the caller's code at `rip` tells the child from the parent by that.
    ///
    /// EAGAIN when the process table is full, ENOMEM when memory runs
    /// short, EINVAL for a caller that is not a POSIX process or addresses
    /// outside the user half. A failed fork leaves no trace but the
    /// caller's writable pages mapped read-only (the next write makes them
    /// writable again without a copy).
    pub const FORK: u32 = 12;
    /// (pid, options, slot) -> (pid, status word): wait4/waitid by the
    /// caller's thread in signal-area slot `slot`. `pid` is wait4's
    /// argument as a signed word (`> 0` that child, `-1` any, `0` the
    /// caller's group, `< -1` group `-pid`). The reply comes when a
    /// matching child has ended (with [`crate::wait::EXITED`]), stopped
    /// ([`crate::wait::STOPPED`]) or continued ([`crate::wait::CONTINUED`]),
    /// now or later (the call blocks), with its pid and the status word
    /// wait4 stores; with
    /// [`crate::wait::NOHANG`] and nothing to report yet, at once with
    /// (0, 0). ECHILD when no child matches, EINVAL for unknown options,
    /// EINTR when a signal the caller handles arrives first.
    pub const WAIT: u32 = 13;
    /// (pid, pgid) -> (): setpgid, with its Linux arguments and errors
    /// (ESRCH, EPERM, EINVAL).
    pub const SETPGID: u32 = 14;
    /// () -> (session id): setsid; EPERM for a process-group leader.
    pub const SETSID: u32 = 15;
    /// (pid) -> (process group id, session id) of process `pid` (0: the
    /// caller); ESRCH if there is none.
    pub const PROCESS_GROUP: u32 = 16;
    /// () -> (offset): nanoseconds to add to the kernel clock (`Clock`,
    /// ns since boot) to get the time in UTC since the Unix epoch, from the
    /// real-time clock read at boot; 0 if it could not be read.
    pub const REALTIME_OFFSET: u32 = 17;
    /// (pid, sig, flags) -> (): kill. `pid` as kill takes it (`> 0` that
    /// process, `0` the caller's group, `-1` every POSIX process but the
    /// caller and init, `< -1` group `-pid`), or with
    /// [`crate::KILL_GROUP`] in `flags` the process group `pid` (so that
    /// group 1, init's, can be named: the terminal's signals); `sig` 0
    /// checks that the target exists. ESRCH when no process matches, EINVAL
    /// for a bad signal number. What the signal does is decided by mm0
    /// from the target's signal area (`crate::signal`).
    pub const KILL: u32 = 18;
    /// (pid, tid, sig) -> (): tgkill, a signal to one thread of process
    /// `pid` (`pid` 0: any process, as tkill). ESRCH, EINVAL as for KILL.
    pub const TGKILL: u32 = 19;
    /// (caller's slot) -> (POSIX thread id, slot, notification): a new
    /// thread in the calling POSIX process (clone with CLONE_THREAD), made
    /// stopped, with the registers in the request's IPC-buffer words (an
    /// `abi::regs::ThreadRegs`, exactly 20 words; its GS base is ignored:
    /// mm0 points it at the new thread's slot of the signal area). The new
    /// thread gets an IPC buffer, a slot with its ids and the caller's
    /// signal mask, and a notification of its own (SEND, RECV), whose slot
    /// in the caller's capability table is the third word: mm0 signals it
    /// when a signal is pending for the thread. THREAD_RUN starts it.
    /// EAGAIN when the process has no free slot or capability, EINVAL for
    /// bad registers.
    pub const THREAD_START: u32 = 20;
    /// (op, uaddr, val, deadline, slot, uaddr2, val3) -> (value): futex.
    /// `op` is Linux's operation without FUTEX_PRIVATE_FLAG (every futex
    /// is keyed by what the word is: shared memory by object and offset,
    /// so processes meet on it, other memory by process and address) or
    /// FUTEX_CLOCK_REALTIME;
    /// `deadline` is ns on the kernel clock (0: none); `slot` the caller's
    /// thread slot, for signals. WAIT/WAIT_BITSET compare the word at
    /// `uaddr` (which must be backed: libposix populates it) with `val` and
    /// block until woken (0), EAGAIN if it differs, ETIMEDOUT at the
    /// deadline, EINTR for a signal the thread handles. WAKE/WAKE_BITSET
    /// wake up to `val` waiters and return how many; REQUEUE/CMP_REQUEUE
    /// wake `val` and move up to `deadline` (Linux's val2) to `uaddr2`
    /// (CMP_REQUEUE first checks `val3`, EAGAIN if the word differs).
    /// Other operations: ENOSYS. EINVAL for an unaligned address.
    pub const FUTEX: u32 = 21;
    /// (which, set, value, interval) -> (old value, old interval): the
    /// caller's interval timer (setitimer/getitimer/alarm), times in ns on
    /// the kernel clock; `set` 0 only reads. The value is what is left
    /// until it fires (0: disarmed); when it fires the process gets
    /// SIGALRM and the timer restarts with the interval (0: once). Only
    /// ITIMER_REAL (0); others are EINVAL. A forked child starts with no
    /// timer.
    pub const ITIMER: u32 = 22;
    /// (POSIX thread id) -> (): let a thread THREAD_START made run. ESRCH
    /// if the caller has no such thread waiting to start.
    pub const THREAD_RUN: u32 = 27;
    /// (length, argc, envc, slot, source) -> no reply on success: execve by
    /// the caller's thread in signal-area slot `slot`. Grant 0 (read) holds
    /// `length` bytes: the path, then `argc` argument and `envc`
    /// environment strings, each NUL-terminated. The program is boot
    /// module `<name>` for the path `/bin/<name>` ([`exec_source::MODULE`])
    /// or the executable file's bytes in grant 1 ([`exec_source::FILE`],
    /// at most 8 MiB: ENOMEM beyond). Errors leave the caller
    /// as it was: ENOENT (no such program), ENOEXEC (not a loadable ELF
    /// executable), E2BIG (arguments past `ARG_MAX`), ENAMETOOLONG,
    /// EFAULT (the grant cannot be read), EINVAL (malformed request),
    /// ENOMEM.
    pub const EXEC: u32 = 28;
    /// (old, old size, new size, flags, new address) -> (address): mremap
    /// of anonymous memory ([`crate::remap`] flags; MREMAP_DONTUNMAP and
    /// a zero old size are EINVAL). The old range must lie in one region
    /// (EFAULT otherwise); ENOMEM when it cannot grow in place and may not
    /// move.
    pub const MREMAP: u32 = 29;
    /// (addr, len, advice) -> (): madvise. [`crate::advise::DONTNEED`] and
    /// [`crate::advise::FREE`] drop the pages (private memory reads as
    /// zeros again); other advice is a hint that changes nothing. ENOMEM
    /// for a range not wholly mapped, EINVAL for an unaligned address.
    pub const MADVISE: u32 = 30;
    /// fs0 only: () -> (count), the events in the reply's IPC-buffer
    /// words, [`crate::event::WORDS`] each, oldest first, at most
    /// [`crate::event::MAX`]: what happened to POSIX processes since fs0
    /// last asked, for its per-process tables. mm0 signals
    /// [`SLOT_FS0_EVENTS`] when it queues one, before the process
    /// concerned can run again, so fs0 learns of a fork before the child's
    /// first request. EPERM for anyone but fs0.
    pub const PROCESS_EVENTS: u32 = 31;
    /// (set, value) -> (subreaper): with `set` 1 the caller becomes a
    /// child subreaper (`value` 1) or stops being one (0); with `set` 0
    /// it only asks. Orphaned descendants of a subreaper become its
    /// children (PR_SET_CHILD_SUBREAPER). EINVAL for other `set` values.
    pub const SUBREAPER: u32 = 32;
    /// fs0 only: (size) -> (object, address): a memory object of `size`
    /// bytes (rounded up to pages; at most 256 MiB) for a file that is
    /// mapped shared, with a read-write window on all of it in fs0's
    /// space at `address`. Its pages are zero until written; fs0 POPULATEs
    /// a range before touching it. The object lives while a window or
    /// mapping is on it. EPERM for anyone but fs0, EINVAL for a size of 0
    /// or too big, ENOMEM without room.
    pub const FILE_OBJECT: u32 = 33;
    /// fs0 only: (pid, object, offset, length, prot, flags, hint) ->
    /// (address): maps `length` bytes of file object `object` from
    /// `offset` (page-aligned, inside the object) into POSIX process
    /// `pid` with `prot`, placed as MMAP_ANON places memory (`flags`:
    /// [`map::FIXED`], [`map::FIXED_NOREPLACE`]; [`map::READ_ONLY_FILE`]
    /// keeps it from ever becoming writable). EINVAL for bad
    /// arguments, ESRCH for no such process, EEXIST, ENOMEM.
    pub const FILE_MAP: u32 = 34;
    /// fs0 only: (object, length) -> (): the file of file object `object`
    /// is now `length` bytes long. Pages past its last page cannot be
    /// backed (an access there is SIGBUS), and those it had go from every
    /// mapping and back to mm0. EINVAL for no such file object or a length
    /// past the object.
    pub const FILE_SIZE: u32 = 35;
    /// fs0 only: () -> (address, length): a writable copy of the boot
    /// module `ramdisk` (a disk image), mapped into fs0. ENOENT without the
    /// module, EEXIST the second time, ENOMEM.
    pub const RAMDISK: u32 = 36;
    /// (pid) + grant 0 writable -> (pid, parent, pgid, sid, state, threads,
    /// resident pages, lengths): the process with the lowest id at or above
    /// `pid` (pid 0 in the reply: none left), for /proc. The grant gets
    /// three texts one after the other, cut to what fits: the program
    /// name, the path it was started from (as given to exec), and its
    /// arguments (each ending in NUL); `lengths` holds their lengths in
    /// 16-bit fields, name lowest. `state` is a [`ProcessState`] byte. A
    /// zombie has no texts, threads or pages.
    pub const PROCESS_STATUS: u32 = 37;
    /// Disk drivers only: (pages) -> (address), and the physical address
    /// of each page in the reply's IPC-buffer words: `pages` (1..=64)
    /// fresh zeroed pages mapped into the caller for DMA, kept for its
    /// life. EPERM for other tasks, EINVAL, ENOMEM.
    pub const DMA_MEMORY: u32 = 38;
    /// (how: [`crate::reboot`]) -> never (EINVAL for another `how`): fs0
    /// writes everything back and unmounts, then the machine powers off,
    /// restarts or halts.
    pub const REBOOT: u32 = 39;
    /// fs0 only: (pid, foreground group, sig) -> (): job control of the
    /// console for process `pid` about to read it (`sig` SIGTTIN) or
    /// write or set it (SIGTTOU), the console's foreground group being
    /// as given (0: none). Success: go on (in the foreground, not in the
    /// console's session, or SIGTTOU ignored or blocked: POSIX lets that
    /// write through). EIO: refuse (SIGTTIN ignored or blocked, or an
    /// orphaned group). EINTR: `sig` went to the caller's process group;
    /// the call is to be made again once it continues. EPERM for other
    /// callers, EINVAL for another signal.
    pub const TTY_ACCESS: u32 = 40;
    /// (slot, set, name words 0-1) -> (name words 0-1): the name (comm) of
    /// the caller's thread in signal-area slot `slot`, as prctl's
    /// PR_SET_NAME and PR_GET_NAME see it ([`crate::comm`]); with `set` 1
    /// it is replaced first. A thread starts with its creator's name, a
    /// forked child with the forking thread's; after exec it is the
    /// program's file name. /proc/<pid>/comm shows the main thread's.
    /// EINVAL for a slot without a live thread.
    pub const THREAD_NAME: u32 = 41;
    /// (key, size, flags) -> (id): shmget, with Linux's flags
    /// ([`crate::shm`]) and errors (EEXIST, ENOENT, EINVAL, ENOSPC).
    pub const SHMGET: u32 = 23;
    /// (id, addr, flags) -> (addr): shmat (SHM_RDONLY, SHM_RND, SHM_REMAP,
    /// SHM_EXEC); EINVAL for a bad id, a removed segment or a bad address.
    pub const SHMAT: u32 = 24;
    /// (addr) -> (): shmdt of the attachment starting at `addr`; EINVAL if
    /// none does.
    pub const SHMDT: u32 = 25;
    /// (id, cmd, mode) -> (): shmctl's IPC_RMID, IPC_SET (the mode) and
    /// IPC_STAT, whose reply carries in its IPC-buffer words: key, mode,
    /// size, attach time, detach time, change time (seconds since the
    /// epoch), creator pid, last pid, number of attachments.
    pub const SHMCTL: u32 = 26;
}

/// Where EXEC's program comes from.
pub mod exec_source {
    /// The boot module the path names.
    pub const MODULE: u64 = 0;
    /// The bytes of grant 1 (the file libposix read).
    pub const FILE: u64 = 1;
}

/// Process events for fs0 ([`label::PROCESS_EVENTS`]): (kind, pid,
/// other) each.
pub mod event {
    /// Words of one event.
    pub const WORDS: usize = 3;
    /// Most events in one reply.
    pub const MAX: usize = 20;
    /// Process `pid` was forked from `other`.
    pub const FORK: u64 = 1;
    /// Process `pid` executed a new program.
    pub const EXEC: u64 = 2;
    /// Process `pid` ended.
    pub const EXIT: u64 = 3;
    /// A signal waits to be handled by a thread of process `pid` that is
    /// inside a call: its requests waiting in fs0 end now (EINTR, or the
    /// bytes moved so far), so that the signal is handled. A thread not
    /// meant starts its call again without noticing.
    pub const INTERRUPT: u64 = 4;
    /// The system is stopping: fs0 writes everything back, unmounts the
    /// disk and ends; mm0 stops the machine when it has.
    pub const SHUTDOWN: u64 = 5;

    const _: () = assert!(MAX * WORDS <= abi::ipc::BUF_WORDS);
}

/// mremap flags (Linux values).
pub mod remap {
    pub const MAYMOVE: u64 = 1;
    pub const FIXED: u64 = 2;
    pub const ALL: u64 = MAYMOVE | FIXED;
}

/// madvise advice mm0 acts on (Linux values).
pub mod advise {
    pub const DONTNEED: u64 = 4;
    pub const FREE: u64 = 8;
}

/// SysV shared memory constants (Linux values).
pub mod shm {
    pub const IPC_PRIVATE: i32 = 0;
    pub const IPC_CREAT: u64 = 0o1000;
    pub const IPC_EXCL: u64 = 0o2000;
    pub const IPC_RMID: u64 = 0;
    pub const IPC_SET: u64 = 1;
    pub const IPC_STAT: u64 = 2;
    pub const SHM_RDONLY: u64 = 0o10000;
    pub const SHM_RND: u64 = 0o20000;
    pub const SHM_REMAP: u64 = 0o40000;
    pub const SHM_EXEC: u64 = 0o100000;
    /// Attach addresses round down to this with SHM_RND.
    pub const SHMLBA: u64 = 4096;
}

/// Futex operations of [`label::FUTEX`] (Linux values).
pub mod futex {
    pub const WAIT: u64 = 0;
    pub const WAKE: u64 = 1;
    pub const REQUEUE: u64 = 3;
    pub const CMP_REQUEUE: u64 = 4;
    pub const WAIT_BITSET: u64 = 9;
    pub const WAKE_BITSET: u64 = 10;
    /// Flag bits libposix strips before asking mm0.
    pub const PRIVATE_FLAG: u64 = 128;
    pub const CLOCK_REALTIME: u64 = 256;
}

/// WAIT options (Linux's waitid values; wait4's are the same bits, and
/// libposix adds [`wait::EXITED`] for it).
pub mod wait {
    /// Return at once when nothing is to report.
    pub const NOHANG: u64 = 1;
    /// Report stopped children (WUNTRACED, WSTOPPED).
    pub const STOPPED: u64 = 2;
    /// Report ended children.
    pub const EXITED: u64 = 4;
    /// Report continued children.
    pub const CONTINUED: u64 = 8;
    /// Report, but leave the child waitable (WNOWAIT).
    pub const NOWAIT: u64 = 0x0100_0000;
    /// Linux's thread and clone selection flags (`__WNOTHREAD`, `__WALL`,
    /// `__WCLONE`): accepted, every child is a process.
    pub const THREAD_FLAGS: u64 = 0xe000_0000;
    /// Every option accepted.
    pub const ALL: u64 = NOHANG | STOPPED | EXITED | CONTINUED | NOWAIT | THREAD_FLAGS;
}

/// Errors in reply labels (Linux numbering).
pub mod errno {
    /// Not permitted (process groups).
    pub const EPERM: u32 = 1;
    /// No such thread or task.
    pub const ESRCH: u32 = 3;
    /// No such SysV segment (shmget without IPC_CREAT), no such program.
    pub const ENOENT: u32 = 2;
    /// Arguments too long (exec).
    pub const E2BIG: u32 = 7;
    /// Not an executable mm0 can load.
    pub const ENOEXEC: u32 = 8;
    /// Path too long.
    pub const ENAMETOOLONG: u32 = 36;
    /// The segment exists (shmget with IPC_CREAT | IPC_EXCL).
    pub const EEXIST: u32 = 17;
    /// No segment left (SHMMNI).
    pub const ENOSPC: u32 = 28;
    /// No child to wait for.
    pub const ECHILD: u32 = 10;
    /// Try again: the process table is full.
    pub const EAGAIN: u32 = 11;
    /// Out of memory (or address space).
    pub const ENOMEM: u32 = 12;
    /// Memory whose protection the task may not change (MPROTECT).
    pub const EACCES: u32 = 13;
    /// An address the task may not access (POPULATE).
    pub const EFAULT: u32 = 14;
    /// A blocking request ended by a signal.
    pub const EINTR: u32 = 4;
    /// mm0 could not be reached (what a client says then).
    pub const EIO: u32 = 5;
    /// A bad argument.
    pub const EINVAL: u32 = 22;
    /// A futex wait reached its deadline.
    pub const ETIMEDOUT: u32 = 110;
    /// Unknown request label.
    pub const ENOSYS: u32 = 38;
}

/// Protection bits of MMAP_ANON (the Linux PROT_* values).
pub mod prot {
    pub const READ: u64 = 1;
    pub const WRITE: u64 = 2;
    pub const EXEC: u64 = 4;
    /// Every bit mm0 knows; others make MMAP_ANON fail with EINVAL.
    pub const ALL: u64 = READ | WRITE | EXEC;
}

/// Flags of MMAP_ANON (the Linux MAP_* values mm0 looks at; others are
/// ignored).
pub mod map {
    /// Shared memory (MAP_SHARED), not a private copy.
    pub const SHARED: u64 = 0x01;
    /// Place the mapping exactly at the hint, replacing what is there.
    pub const FIXED: u64 = 0x10;
    /// Place the mapping exactly at the hint, EEXIST if something is there.
    pub const FIXED_NOREPLACE: u64 = 0x10_0000;
    /// Back every page now instead of on first touch (for memory the kernel
    /// will read or write on the task's behalf before the task touches it:
    /// the kernel does not page in memory; see also [`crate::label::POPULATE`]).
    pub const POPULATE: u64 = 0x8000;
    /// FILE_MAP only: the file is open read-only, so the mapping may never
    /// become writable (mprotect: EACCES).
    pub const READ_ONLY_FILE: u64 = 1 << 40;
}

/// How REBOOT stops the machine.
pub mod reboot {
    pub const POWER_OFF: u64 = 1;
    pub const RESTART: u64 = 2;
    pub const HALT: u64 = 3;
}

/// KILL's flag: `pid` is a process group id.
pub const KILL_GROUP: u64 = 1;

/// What PROCESS_STATUS says a process is doing (the letters of Linux's
/// /proc/<pid>/stat).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ProcessState {
    /// Running, ready to run, or in a call being served.
    Running = b'R',
    /// Every thread waits for something (a message, a notification, a
    /// reply put aside: a child's end, a pipe, a sleep's deadline).
    Sleeping = b'S',
    /// Stopped by a signal.
    Stopped = b'T',
    /// Ended, not yet waited for.
    Zombie = b'Z',
}

impl ProcessState {
    pub fn from_word(word: u64) -> Option<ProcessState> {
        [ProcessState::Running, ProcessState::Sleeping, ProcessState::Stopped, ProcessState::Zombie]
            .into_iter()
            .find(|s| *s as u64 == word)
    }

    /// The state of a live process: stopped by a signal, else sleeping
    /// when it has threads and every one is waiting (each thread's
    /// `abi::call::thread_activity`), else running.
    pub fn of_live(stopped: bool, activities: impl IntoIterator<Item = u64>) -> ProcessState {
        use abi::call::thread_activity::WAITING;
        let mut activities = activities.into_iter().peekable();
        if stopped {
            ProcessState::Stopped
        } else if activities.peek().is_some() && activities.all(|a| a == WAITING) {
            ProcessState::Sleeping
        } else {
            ProcessState::Running
        }
    }
}

/// Most bytes of a program name in a PROCESS_INFO reply; mm0 cuts longer
/// names (at a character boundary).
pub const PROCESS_NAME_MAX: usize = 128;
/// IPC-buffer words that hold a name of [`PROCESS_NAME_MAX`] bytes.
pub const PROCESS_NAME_WORDS: usize = PROCESS_NAME_MAX / 8;

const _: () = assert!(PROCESS_NAME_WORDS <= abi::ipc::BUF_WORDS && PROCESS_NAME_MAX.is_multiple_of(8));

/// A program name as PROCESS_INFO carries it: UTF-8 bytes packed
/// little-endian into words, 8 to a word, and the byte count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessName {
    pub words: [u64; PROCESS_NAME_WORDS],
    len: usize,
}

impl ProcessName {
    /// `name`, cut to at most [`PROCESS_NAME_MAX`] bytes at a character
    /// boundary.
    pub fn new(name: &str) -> ProcessName {
        let mut len = name.len().min(PROCESS_NAME_MAX);
        while !name.is_char_boundary(len) {
            len -= 1;
        }
        let mut words = [0; PROCESS_NAME_WORDS];
        for (word, chunk) in words.iter_mut().zip(name.as_bytes()[..len].chunks(8)) {
            let mut bytes = [0; 8];
            bytes[..chunk.len()].copy_from_slice(chunk);
            *word = u64::from_le_bytes(bytes);
        }
        ProcessName { words, len }
    }

    /// The name in `words` with `len` bytes, as received. A length beyond
    /// the words is cut to them; bytes that are not UTF-8 make
    /// [`ProcessName::bytes`] stop before them.
    pub fn from_words(words: &[u64], len: u64) -> ProcessName {
        let mut name = ProcessName { words: [0; PROCESS_NAME_WORDS], len: 0 };
        let n = words.len().min(PROCESS_NAME_WORDS);
        name.words[..n].copy_from_slice(&words[..n]);
        name.len = usize::try_from(len).unwrap_or(usize::MAX).min(n * 8);
        name
    }

    /// Byte count.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many words carry the name (for `MsgInfo::with_buf_words`).
    pub fn word_count(&self) -> usize {
        self.len.div_ceil(8)
    }

    /// The name's bytes in `out`; returns the longest UTF-8 prefix of them.
    pub fn bytes<'a>(&self, out: &'a mut [u8; PROCESS_NAME_MAX]) -> &'a str {
        for (chunk, word) in out.chunks_mut(8).zip(self.words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        match core::str::from_utf8(&out[..self.len]) {
            Ok(name) => name,
            Err(e) => core::str::from_utf8(&out[..e.valid_up_to()]).unwrap_or_default(),
        }
    }
}

/// How a joined thread ended.
pub mod outcome {
    pub const EXITED: u64 = 0;
    pub const FAULTED: u64 = 1;
}

/// What mm0 puts at [`NATIVE_START_INFO`] for a native task.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StartInfo {
    /// The task's id (also the badge of its endpoint capabilities).
    pub task_id: u64,
    /// TSC ticks per second.
    pub tsc_hz: u64,
    pub args_len: u64,
    /// The module command line after the name and kind words.
    pub args: [u8; 256],
    /// The id of the task's first thread (for THREAD_EXIT and THREAD_JOIN).
    pub thread_id: u64,
}

impl StartInfo {
    pub fn args(&self) -> &str {
        let n = (self.args_len as usize).min(self.args.len());
        core::str::from_utf8(&self.args[..n]).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn a_process_sleeps_when_every_thread_waits() {
        use abi::call::thread_activity::{RUNNING, STOPPED, WAITING};
        assert_eq!(ProcessState::of_live(false, [WAITING]), ProcessState::Sleeping);
        assert_eq!(ProcessState::of_live(false, [WAITING, WAITING]), ProcessState::Sleeping);
        assert_eq!(ProcessState::of_live(false, [WAITING, RUNNING]), ProcessState::Running);
        assert_eq!(ProcessState::of_live(false, [STOPPED, WAITING]), ProcessState::Running, "a thread about to start");
        assert_eq!(ProcessState::of_live(false, []), ProcessState::Running);
        assert_eq!(ProcessState::of_live(true, [WAITING]), ProcessState::Stopped);
        for s in [ProcessState::Running, ProcessState::Sleeping, ProcessState::Stopped, ProcessState::Zombie] {
            assert_eq!(ProcessState::from_word(s as u64), Some(s));
        }
    }

    #[test]
    fn process_names_round_trip_through_words() {
        let name = ProcessName::new("posix_basics");
        assert_eq!((name.len(), name.word_count()), (12, 2));
        let received = ProcessName::from_words(&name.words[..name.word_count()], 12);
        assert_eq!(received.bytes(&mut [0; PROCESS_NAME_MAX]), "posix_basics");
        assert!(ProcessName::new("").is_empty());
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        let long = "é".repeat(PROCESS_NAME_MAX);
        assert_eq!(ProcessName::new(&long).len(), PROCESS_NAME_MAX);
        // 'x' and 63 two-byte characters fill 127 bytes; the 64th would
        // straddle the limit.
        let odd = std::format!("x{}", "é".repeat(64));
        let name = ProcessName::new(&odd);
        assert_eq!(name.len(), PROCESS_NAME_MAX - 1);
        assert_eq!(name.bytes(&mut [0; PROCESS_NAME_MAX]).chars().count(), 64);
    }

    #[test]
    fn received_lengths_are_bounded_and_bad_bytes_dropped() {
        let name = ProcessName::from_words(&[u64::from_le_bytes(*b"abc\xffdefg")], 1000);
        assert_eq!(name.len(), 8);
        assert_eq!(name.bytes(&mut [0; PROCESS_NAME_MAX]), "abc");
    }
}

/// Thread names ([`label::THREAD_NAME`]): at most [`comm::MAX`] bytes,
/// carried NUL-padded in two message words.
pub mod comm {
    /// Linux's TASK_COMM_LEN less the NUL.
    pub const MAX: usize = 15;

    /// `name` cut to [`MAX`] bytes (and at a NUL), as two words.
    pub fn to_words(name: &[u8]) -> [u64; 2] {
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len()).min(MAX);
        let mut bytes = [0u8; 16];
        bytes[..end].copy_from_slice(&name[..end]);
        let (low, high) = bytes.split_at(8);
        [
            u64::from_le_bytes(low.try_into().unwrap_or_default()),
            u64::from_le_bytes(high.try_into().unwrap_or_default()),
        ]
    }

    /// The name two words carry, NUL-padded to 16 bytes.
    pub fn from_words(words: [u64; 2]) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&words[0].to_le_bytes());
        bytes[8..].copy_from_slice(&words[1].to_le_bytes());
        bytes[MAX] = 0;
        bytes
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn names_are_cut_to_fifteen_bytes_and_padded() {
            assert_eq!(from_words(to_words(b"sh")), *b"sh\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
            assert_eq!(from_words(to_words(b"a-name-longer-than-15")), *b"a-name-longer-t\0");
            assert_eq!(from_words(to_words(b"ab\0cd")), *b"ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
            assert_eq!(from_words([u64::MAX; 2])[15], 0, "always NUL-terminated");
        }
    }
}
