//! Requests to mm0 (the root server), as `mm0_proto` defines them.
//!
//! Each request is a `Call` on [`SLOT_MM0`]; a reply label of 0 is success,
//! anything else an errno. The calls that end a task or thread get no reply:
//! mm0 destroys the caller instead.

use abi::Error;
use mm0_proto::{PROCESS_NAME_WORDS, ProcessName, SLOT_MM0, label, outcome};

use crate::ipc::{self, Message};
use crate::ipc_buffer::ThreadIpcBuffer;

/// Why a request to mm0 failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mm0Error {
    /// The IPC itself failed (no mm0 endpoint, mm0 gone...).
    Ipc(Error),
    /// mm0 refused with this errno (Linux numbering, see `mm0_proto::errno`).
    Errno(u32),
}

impl Mm0Error {
    /// The errno for a failed request: mm0's own, EINTR when a signal ended
    /// the call, EIO when mm0 could not be reached.
    pub fn errno(self) -> u32 {
        match self {
            Mm0Error::Errno(errno) => errno,
            Mm0Error::Ipc(Error::Interrupted) => mm0_proto::errno::EINTR,
            Mm0Error::Ipc(_) => mm0_proto::errno::EIO,
        }
    }
}

/// How a joined thread ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It called `THREAD_EXIT` with this code.
    Exited(u64),
    /// It took CPU exception `vector` at `address` (the fault address for a
    /// page fault, the instruction for other exceptions).
    Faulted { vector: u64, address: u64 },
}

fn request(label: u32, words: &[u64]) -> Result<Message, Mm0Error> {
    let reply = ipc::call(SLOT_MM0, &Message::new(label, words)).map_err(Mm0Error::Ipc)?;
    match reply.label() {
        0 => Ok(reply),
        errno => Err(Mm0Error::Errno(errno)),
    }
}

/// Ends the whole task with `status`. mm0 does not answer EXIT, it
/// destroys the task: this returns only when mm0 could not be asked, with
/// the reason, and what to do then is the caller's choice.
pub fn exit(status: u64) -> Mm0Error {
    match ipc::call(SLOT_MM0, &Message::new(label::EXIT, &[status])) {
        Err(e) => Mm0Error::Ipc(e),
        Ok(reply) => Mm0Error::Errno(reply.label()),
    }
}

/// Moves the break to `new` (0: just ask); returns the break now in force.
pub fn brk(new: u64) -> Result<u64, Mm0Error> {
    request(label::BRK, &[new]).map(|r| r.word(0))
}

/// Anonymous zero-filled memory of `len` bytes with `prot`
/// (`mm0_proto::prot` bits) near `hint`; returns its address.
pub fn mmap_anon(hint: u64, len: u64, prot: u64, flags: u64) -> Result<u64, Mm0Error> {
    request(label::MMAP_ANON, &[hint, len, prot, flags]).map(|r| r.word(0))
}

/// Removes the memory `[addr, addr + len)`.
pub fn munmap(addr: u64, len: u64) -> Result<(), Mm0Error> {
    request(label::MUNMAP, &[addr, len]).map(|_| ())
}

/// A thread THREAD_SPAWN started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpawnedThread {
    /// Its thread id (for THREAD_EXIT and THREAD_JOIN).
    pub id: u64,
    /// The slot of this task's capability to it (CONTROL). The task owns
    /// the slot and deletes it when done; after the thread ended it names
    /// a dead thread.
    pub cap: u64,
}

/// Starts a thread in this task at `entry` with `rsp = stack_top`,
/// `rdi = arg`, `rsi` = its IPC buffer, `rdx` = its thread id.
pub fn thread_spawn(entry: u64, stack_top: u64, arg: u64) -> Result<SpawnedThread, Mm0Error> {
    request(label::THREAD_SPAWN, &[entry, stack_top, arg]).map(|r| SpawnedThread { id: r.word(0), cap: r.word(1) })
}

/// Ends the calling thread (whose id is `thread_id`) with `code`.
pub fn thread_exit(code: u64, thread_id: u64) -> ! {
    let result = ipc::call(SLOT_MM0, &Message::new(label::THREAD_EXIT, &[code, thread_id]));
    crate::println!("libtern: THREAD_EXIT request failed ({result:?}); parking");
    loop {
        crate::time::yield_now();
    }
}

/// Waits for thread `thread_id` of this task to end.
pub fn thread_join(thread_id: u64) -> Result<Outcome, Mm0Error> {
    let r = request(label::THREAD_JOIN, &[thread_id])?;
    match r.word(0) {
        outcome::EXITED => Ok(Outcome::Exited(r.word(1))),
        _ => Ok(Outcome::Faulted { vector: r.word(1), address: r.word(2) }),
    }
}

/// mm0's memory figures and process count (MEM_STATS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemStats {
    pub free_pages: u64,
    pub total_pages: u64,
    /// Processes in the table, zombies included.
    pub processes: u64,
}

/// mm0's free and total physical pages, and how many processes exist.
pub fn mem_stats() -> Result<MemStats, Mm0Error> {
    request(label::MEM_STATS, &[]).map(|r| MemStats {
        free_pages: r.word(0),
        total_pages: r.word(1),
        processes: r.word(2),
    })
}

/// Stops the machine (REBOOT, `how` from `mm0_proto::reboot`) after fs0
/// has written everything back; returns only on failure.
pub fn reboot(how: u64) -> Mm0Error {
    match request(label::REBOOT, &[how]) {
        Ok(_) => Mm0Error::Errno(mm0_proto::errno::EIO),
        Err(e) => e,
    }
}

/// Forks the calling POSIX process (FORK) from its thread in signal-area
/// slot `slot`: the child's thread starts at `rip` with `rsp` and FS base
/// `fs_base`, every other register 0. Returns the child's pid.
pub fn fork(rip: u64, rsp: u64, fs_base: u64, slot: u64) -> Result<u64, Mm0Error> {
    request(label::FORK, &[rip, rsp, fs_base, slot]).map(|r| r.word(0))
}

/// Waits for a child (WAIT) from the thread in signal-area slot `slot`:
/// `pid` as wait4 takes it; returns the child's pid and status word, or
/// (0, 0) with `wait::NOHANG` when none has ended.
pub fn wait(pid: i64, options: u64, slot: u64) -> Result<(u64, u32), Mm0Error> {
    request(label::WAIT, &[pid as u64, options, slot]).map(|r| (r.word(0), r.word(1) as u32))
}

/// Backs every page of `[addr, addr + len)` now, with read access or (for
/// `write`) write access, as the pager would on first touch.
pub fn populate(addr: u64, len: u64, write: bool) -> Result<(), Mm0Error> {
    request(label::POPULATE, &[addr, len, u64::from(write)]).map(|_| ())
}

/// fs0 only: a memory object of `size` bytes for a file mapped shared,
/// and where mm0 put fs0's window on it: (object, address).
pub fn file_object(size: u64) -> Result<(u64, u64), Mm0Error> {
    request(label::FILE_OBJECT, &[size]).map(|r| (r.word(0), r.word(1)))
}

/// fs0 only: the file of file object `object` is `len` bytes long now.
pub fn file_size(object: u64, len: u64) -> Result<(), Mm0Error> {
    request(label::FILE_SIZE, &[object, len]).map(|_| ())
}

/// fs0 only: maps `len` bytes of file object `object` from `offset` into
/// process `pid` with `prot`, placed by `flags` and `hint` as MMAP_ANON
/// places memory; returns the address.
pub fn file_map(
    pid: u64,
    object: u64,
    offset: u64,
    len: u64,
    prot: u64,
    flags: u64,
    hint: u64,
) -> Result<u64, Mm0Error> {
    request(label::FILE_MAP, &[pid, object, offset, len, prot, flags, hint]).map(|r| r.word(0))
}

/// Who the calling task is, as PROCESS_INFO tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// The task id (a POSIX process's pid).
    pub task_id: u64,
    /// The parent's task id, 0 for none.
    pub parent_id: u64,
    /// The program's name.
    pub name: ProcessName,
}

/// Asks mm0 who this task is. The name arrives in the IPC buffer words of
/// the calling thread, whose buffer is `buffer`.
pub fn process_info(buffer: &ThreadIpcBuffer) -> Result<ProcessInfo, Mm0Error> {
    let reply = request(label::PROCESS_INFO, &[])?;
    let mut words = [0; PROCESS_NAME_WORDS];
    let n = reply.info.buf_words().min(PROCESS_NAME_WORDS);
    buffer.buf_words(&mut words[..n]);
    Ok(ProcessInfo {
        task_id: reply.word(0),
        parent_id: reply.word(1),
        name: ProcessName::from_words(&words[..n], reply.word(2)),
    })
}
