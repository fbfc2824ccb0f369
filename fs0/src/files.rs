//! Descriptor tables, open file descriptions, pipes, and the reads and
//! writes that go through them.
//!
//! Each process (by badge) has a descriptor table ([`fs0::fdtable`]); a
//! descriptor names an open file description, which holds the node (a
//! device, or one end of a pipe), the status flags and the references
//! from descriptors (dup and fork share a description). A description is
//! released when its last descriptor closes; a pipe's readers see the end
//! of file when its last write end is released, its writers EPIPE when
//! its last read end is. mm0's process events keep the tables true across
//! fork (copied), exec (close-on-exec) and exit (everything closes, even
//! for a process that was killed).
//!
//! Data moves through the caller's grants, in chunks of [`CHUNK`] bytes.
//! A pipe read with nothing to read, or a write that does not fit, waits:
//! fs0 keeps the caller's reply (and with it the grant) and finishes the
//! request when the other end moves. Bytes leave a pipe only once they are
//! in the reader's memory, so a reader that went away loses nothing.

use alloc::collections::{BTreeMap, VecDeque};

use abi::Error;
use abi::call::NONE;
use abi::ipc::{MAX_GRANTS, grant};
use fs0::fdtable::{Fd, FdTable};
use fs0::pipe::PipeBuffer;
use fs0::vfs::{Kind, Vfs};
use fs0_proto::errno::{EAGAIN, EBADF, EFAULT, EINTR, EINVAL, EIO, EISDIR, ENOTTY, EPERM, EPIPE, ESPIPE};
use fs0_proto::fcntl::{FD_CLOEXEC, O_ACCMODE, O_APPEND, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY};
use fs0_proto::tty::{self, Termios};
use fs0_proto::{CURRENT, ReadReply, Stat, WriteReply, dup, fcntl, mode};
use libtern::cap;
use libtern::ipc::{self, Message};
use mm0_proto::signal::{SIGTTIN, SIGTTOU};

use crate::console::Console;
use crate::devices::Device;

/// Bytes copied through a grant at a time.
pub const CHUNK: usize = 512;

/// `st_dev` of the tmpfs, the devices and pipes.
const DEV_DEVICES: u64 = 2;
pub const DEV_PIPES: u64 = 3;

/// What a description refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    Device(Device),
    PipeRead(u64),
    PipeWrite(u64),
    /// A regular file of the tmpfs, by inode.
    File(u64),
    /// A directory of the tmpfs, by inode.
    Dir(u64),
}

pub struct Description {
    pub node: Node,
    /// O_ACCMODE, O_APPEND, O_NONBLOCK.
    pub flags: u64,
    /// Files: the byte offset; directories: the entry position.
    pub offset: u64,
    /// Directories: the entries as read at position 0 (name, node).
    pub listing: Option<alloc::vec::Vec<(alloc::vec::Vec<u8>, u64)>>,
    refs: u32,
}

/// A request waiting on a pipe or the console, with the saved reply it is
/// answered by.
struct Waiter {
    reply: u64,
    pid: u64,
    /// Bytes asked for (read), or the grants' lengths (write).
    lens: [u64; MAX_GRANTS],
    /// Bytes already moved.
    done: u64,
    /// When the request came (kernel clock, ns): VTIME counts from it.
    since: u64,
}

impl Waiter {
    fn total(&self) -> u64 {
        self.lens.iter().sum()
    }
}

struct Pipe {
    buffer: PipeBuffer,
    readers_waiting: VecDeque<Waiter>,
    writers_waiting: VecDeque<Waiter>,
}

/// The result of a request: an answer now, or later.
pub enum Outcome {
    Reply(Message),
    Later,
}

/// A reply with errno `e`.
pub fn errno(e: u32) -> Outcome {
    Outcome::Reply(Message::empty(e))
}

/// A successful reply with `w`.
pub fn words(w: &[u64]) -> Outcome {
    Outcome::Reply(Message::new(0, w))
}

/// Sends a saved reply (it never blocks and uses the capability up).
fn answer(reply: u64, msg: &Message) {
    if ipc::send(reply, msg).is_err() {
        // The caller is gone (killed, or its call interrupted).
        let _ = cap::delete(reply);
    }
}

pub struct Files {
    pub console: Console,
    /// The file tree (a tmpfs or FAT root, with /dev and /tmp).
    pub fs: Vfs,
    /// Each process's working directory (the root if none is recorded).
    pub cwds: BTreeMap<u64, u64>,
    /// The working directory of each process when it last executed a
    /// program: where a relative path given to exec starts
    /// (/proc/<pid>/exe).
    pub exec_dirs: BTreeMap<u64, u64>,
    tables: BTreeMap<u64, FdTable>,
    pub descriptions: BTreeMap<u64, Description>,
    next_description: u64,
    pipes: BTreeMap<u64, Pipe>,
    /// Reads of the console waiting for a line.
    console_readers: VecDeque<Waiter>,
    next_pipe: u64,
}

impl Files {
    pub fn new(console: Console, fs: Vfs) -> Files {
        Files {
            console,
            fs,
            cwds: BTreeMap::new(),
            exec_dirs: BTreeMap::new(),
            tables: BTreeMap::new(),
            descriptions: BTreeMap::new(),
            next_description: 1,
            pipes: BTreeMap::new(),
            console_readers: VecDeque::new(),
            next_pipe: 1,
        }
    }

    pub fn new_description(&mut self, node: Node, flags: u64, refs: u32) -> u64 {
        if let Node::File(ino) | Node::Dir(ino) = node {
            self.fs.hold(ino);
        }
        let id = self.next_description;
        self.next_description += 1;
        self.descriptions.insert(id, Description { node, flags, offset: 0, listing: None, refs });
        id
    }

    /// Now, in ns since the epoch (file times).
    pub fn now(&self) -> u64 {
        crate::utc_now()
    }

    /// Puts a new description for `node` in `pid`'s table; EMFILE if full.
    pub fn install(&mut self, pid: u64, node: Node, flags: u64, cloexec: bool) -> Result<u64, u32> {
        let id = self.new_description(node, flags, 1);
        match self.table(pid).install(Fd { description: id, cloexec }, 0) {
            Ok(n) => Ok(u64::from(n)),
            Err(e) => {
                self.release(id);
                Err(e)
            }
        }
    }

    /// The table of `pid`, made with 0, 1 and 2 on the console if fs0 has
    /// not seen the process before.
    fn table(&mut self, pid: u64) -> &mut FdTable {
        if !self.tables.contains_key(&pid) {
            let console = self.new_description(Node::Device(Device::Console), O_RDWR, 3);
            let mut table = FdTable::new();
            for n in 0..3 {
                let _ = table.install_at(n, Fd { description: console, cloexec: false });
            }
            self.tables.insert(pid, table);
        }
        self.tables.get_mut(&pid).expect("made above")
    }

    /// The description behind descriptor `fd` of `pid`.
    pub fn lookup(&mut self, pid: u64, fd: u64) -> Result<(u64, Node, u64), u32> {
        let fd = u32::try_from(fd).map_err(|_| EBADF)?;
        let id = self.table(pid).get(fd)?.description;
        let d = self.descriptions.get(&id).ok_or(EBADF)?;
        Ok((id, d.node, d.flags))
    }

    /// Drops one reference to description `id`; the last one closes it.
    fn release(&mut self, id: u64) {
        let Some(d) = self.descriptions.get_mut(&id) else { return };
        d.refs -= 1;
        if d.refs > 0 {
            return;
        }
        let node = d.node;
        self.descriptions.remove(&id);
        match node {
            Node::PipeRead(p) => {
                if let Some(pipe) = self.pipes.get_mut(&p) {
                    pipe.buffer.readers -= 1;
                }
                self.serve_writers(p);
            }
            Node::PipeWrite(p) => {
                if let Some(pipe) = self.pipes.get_mut(&p) {
                    pipe.buffer.writers -= 1;
                }
                self.serve_readers(p);
            }
            Node::File(ino) | Node::Dir(ino) => self.fs.let_go(ino),
            Node::Device(_) => {}
        }
        if let Node::PipeRead(p) | Node::PipeWrite(p) = node
            && self.pipes.get(&p).is_some_and(|pipe| pipe.buffer.readers == 0 && pipe.buffer.writers == 0)
        {
            self.pipes.remove(&p);
        }
    }

    // --- Process events -------------------------------------------------

    /// Process `child` was forked from `parent`: its table is a copy.
    pub fn forked(&mut self, child: u64, parent: u64) {
        let table = self.table(parent).clone();
        for (_, fd) in table.iter() {
            if let Some(d) = self.descriptions.get_mut(&fd.description) {
                d.refs += 1;
            }
        }
        self.tables.insert(child, table);
        if let Some(&cwd) = self.cwds.get(&parent) {
            self.cwds.insert(child, cwd);
        }
        if let Some(&dir) = self.exec_dirs.get(&parent) {
            self.exec_dirs.insert(child, dir);
        }
    }

    /// Process `pid` executed a program: its close-on-exec descriptors
    /// close.
    pub fn executed(&mut self, pid: u64) {
        let cwd = self.cwds.get(&pid).copied().unwrap_or(self.fs.root());
        self.exec_dirs.insert(pid, cwd);
        let closed = self.table(pid).close_on_exec();
        for fd in closed {
            self.release(fd.description);
        }
    }

    /// Process `pid` ended: every descriptor closes, and its waiting
    /// requests are forgotten.
    pub fn exited(&mut self, pid: u64) {
        for queue in self.wait_queues() {
            queue.retain(|w| {
                if w.pid == pid {
                    let _ = cap::delete(w.reply);
                }
                w.pid != pid
            });
        }
        if let Some(mut table) = self.tables.remove(&pid) {
            for fd in table.close_all() {
                self.release(fd.description);
            }
        }
        self.cwds.remove(&pid);
        self.exec_dirs.remove(&pid);
    }

    /// A signal waits for process `pid`: its waits that moved nothing yet
    /// end with EINTR (libposix starts a call again when the signal was
    /// not for its thread). A write that moved some bytes goes on: fs0
    /// cannot tell which thread the signal is for, and a short write
    /// without a signal would surprise its caller.
    pub fn interrupted(&mut self, pid: u64) {
        for queue in self.wait_queues() {
            queue.retain(|w| {
                if w.pid != pid || w.done > 0 {
                    return true;
                }
                answer(w.reply, &Message::empty(EINTR));
                false
            });
        }
    }

    /// Every queue of requests waiting with a saved reply.
    fn wait_queues(&mut self) -> impl Iterator<Item = &mut VecDeque<Waiter>> {
        let pipes = self.pipes.values_mut().flat_map(|p| [&mut p.readers_waiting, &mut p.writers_waiting]);
        pipes.chain(core::iter::once(&mut self.console_readers))
    }

    // --- Descriptor calls -----------------------------------------------

    /// CLOSE (fd).
    pub fn close(&mut self, pid: u64, fd: u64) -> Outcome {
        let Ok(n) = u32::try_from(fd) else { return errno(EBADF) };
        match self.table(pid).close(n) {
            Ok(f) => {
                self.release(f.description);
                words(&[])
            }
            Err(e) => errno(e),
        }
    }

    /// DUP (fd, number, how).
    pub fn dup(&mut self, pid: u64, fd: u64, number: u64, how: u64) -> Outcome {
        let (id, _, _) = match self.lookup(pid, fd) {
            Ok(found) => found,
            Err(e) => return errno(e),
        };
        let new = Fd { description: id, cloexec: how & dup::CLOEXEC != 0 };
        let Ok(number) = u32::try_from(number) else { return errno(if how & dup::AT != 0 { EBADF } else { EINVAL }) };
        let table = self.table(pid);
        let placed = if how & dup::AT != 0 {
            if number == fd as u32 {
                // dup2 onto itself: nothing changes.
                return words(&[fd]);
            }
            table.install_at(number, new).map(|old| (number, old))
        } else {
            table.install(new, number).map(|n| (n, None))
        };
        match placed {
            Ok((n, old)) => {
                if let Some(d) = self.descriptions.get_mut(&id) {
                    d.refs += 1;
                }
                if let Some(old) = old {
                    self.release(old.description);
                }
                words(&[u64::from(n)])
            }
            Err(e) => errno(e),
        }
    }

    /// FCNTL (fd, command, value).
    pub fn fcntl(&mut self, pid: u64, fd: u64, command: u64, value: u64) -> Outcome {
        let (id, _, flags) = match self.lookup(pid, fd) {
            Ok(found) => found,
            Err(e) => return errno(e),
        };
        match command {
            fcntl::F_GETFD => {
                let cloexec = self.table(pid).get(fd as u32).map(|f| f.cloexec).unwrap_or(false);
                words(&[if cloexec { FD_CLOEXEC } else { 0 }])
            }
            fcntl::F_SETFD => match self.table(pid).set_cloexec(fd as u32, value & FD_CLOEXEC != 0) {
                Ok(()) => words(&[0]),
                Err(e) => errno(e),
            },
            fcntl::F_GETFL => words(&[flags]),
            fcntl::F_SETFL => {
                let changeable = O_APPEND | O_NONBLOCK;
                if let Some(d) = self.descriptions.get_mut(&id) {
                    d.flags = (d.flags & !changeable) | (value & changeable);
                }
                words(&[0])
            }
            _ => errno(EINVAL),
        }
    }

    /// PIPE (flags).
    pub fn pipe(&mut self, pid: u64, flags: u64) -> Outcome {
        if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
            return errno(EINVAL);
        }
        let cloexec = flags & O_CLOEXEC != 0;
        let status = flags & O_NONBLOCK;
        let p = self.next_pipe;
        let read = self.new_description(Node::PipeRead(p), O_RDONLY | status, 1);
        let write = self.new_description(Node::PipeWrite(p), O_WRONLY | status, 1);
        let table = self.table(pid);
        let Ok(r) = table.install(Fd { description: read, cloexec }, 0) else {
            self.descriptions.remove(&read);
            self.descriptions.remove(&write);
            return errno(fs0_proto::errno::EMFILE);
        };
        let Ok(w) = table.install(Fd { description: write, cloexec }, 0) else {
            let _ = table.close(r);
            self.descriptions.remove(&read);
            self.descriptions.remove(&write);
            return errno(fs0_proto::errno::EMFILE);
        };
        self.next_pipe += 1;
        let pipe =
            Pipe { buffer: PipeBuffer::new(), readers_waiting: VecDeque::new(), writers_waiting: VecDeque::new() };
        self.pipes.insert(p, pipe);
        words(&[u64::from(r), u64::from(w)])
    }

    /// FSTAT (fd) -> stat words.
    pub fn fstat(&mut self, pid: u64, fd: u64) -> Outcome {
        match self.lookup(pid, fd) {
            Ok((_, node, _)) => match self.stat_node(node) {
                Ok(st) => words(&st.to_words()),
                Err(e) => errno(e),
            },
            Err(e) => errno(e),
        }
    }

    /// What stat says of `node`.
    pub fn stat_node(&self, node: Node) -> Result<Stat, u32> {
        match node {
            Node::Device(d) => {
                Ok(Stat { mode: mode::S_IFCHR | 0o666, nlink: 1, rdev: d.rdev(), dev: DEV_DEVICES, ..Stat::default() })
            }
            Node::PipeRead(p) | Node::PipeWrite(p) => {
                let size = self.pipes.get(&p).map_or(0, |pipe| pipe.buffer.len() as u64);
                Ok(Stat { mode: mode::S_IFIFO | 0o600, ino: p, nlink: 1, size, dev: DEV_PIPES, ..Stat::default() })
            }
            Node::File(ino) | Node::Dir(ino) => self.stat_inode(ino),
        }
    }

    /// What stat says of node `ino`.
    pub fn stat_inode(&self, ino: u64) -> Result<Stat, u32> {
        let a = self.fs.attr(ino)?;
        let rdev = match a.kind {
            Kind::Device(rdev) => rdev,
            _ => 0,
        };
        Ok(Stat {
            mode: u64::from(a.mode()),
            ino,
            nlink: u64::from(a.links),
            size: a.size,
            rdev,
            mtime: a.mtime,
            ctime: a.ctime,
            dev: a.dev,
        })
    }

    /// SYNC (fd): the file behind `fd` (or, for [`fs0_proto::ALL_FILES`],
    /// everything) is written back to its disk.
    pub fn sync(&mut self, pid: u64, fd: u64) -> Outcome {
        let result = match fd {
            fs0_proto::ALL_FILES => self.fs.sync(),
            _ => match self.lookup(pid, fd) {
                Ok((_, Node::File(ino) | Node::Dir(ino), _)) => self.fs.fsync(ino),
                Ok(_) => Err(EINVAL),
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(()) => words(&[]),
            Err(e) => errno(e),
        }
    }

    /// LSEEK (fd, offset, whence): files move their offset; directories
    /// only go back to the start; devices without a position stay at 0.
    pub fn lseek(&mut self, pid: u64, fd: u64, offset: u64, whence: u64) -> Outcome {
        const SEEK_SET: u64 = 0;
        const SEEK_CUR: u64 = 1;
        const SEEK_END: u64 = 2;
        let (id, node, _) = match self.lookup(pid, fd) {
            Ok(found) => found,
            Err(e) => return errno(e),
        };
        if whence > SEEK_END {
            return errno(EINVAL);
        }
        let base = match node {
            Node::Device(d) if !d.is_terminal() => return words(&[0]),
            Node::Device(_) | Node::PipeRead(_) | Node::PipeWrite(_) => return errno(ESPIPE),
            Node::Dir(_) if whence == SEEK_SET && offset == 0 => 0,
            Node::Dir(_) => return errno(EINVAL),
            Node::File(ino) => match whence {
                SEEK_SET => 0,
                SEEK_CUR => self.descriptions.get(&id).map_or(0, |d| d.offset),
                _ => self.fs.attr(ino).map_or(0, |a| a.size),
            },
        };
        let Some(position) = base.checked_add_signed(offset as i64).filter(|&p| p <= i64::MAX as u64) else {
            return errno(EINVAL);
        };
        if let Some(d) = self.descriptions.get_mut(&id) {
            d.offset = position;
        }
        words(&[position])
    }

    /// READY (fd) -> (poll bits).
    pub fn ready(&mut self, pid: u64, fd: u64) -> Outcome {
        use fs0_proto::ready::{ERR, HUP, IN, OUT};
        match self.lookup(pid, fd) {
            Ok((_, Node::Device(d), _)) if d.is_terminal() => {
                words(&[if self.console.input.readable() { IN | OUT } else { OUT }])
            }
            Ok((_, Node::Device(_) | Node::File(_) | Node::Dir(_), _)) => words(&[IN | OUT]),
            Ok((_, Node::PipeRead(p), _)) => {
                let Some(pipe) = self.pipes.get(&p) else { return errno(EBADF) };
                let hup = if pipe.buffer.writers == 0 { HUP } else { 0 };
                words(&[if pipe.buffer.is_empty() { hup } else { IN | hup }])
            }
            Ok((_, Node::PipeWrite(p), _)) => {
                let Some(pipe) = self.pipes.get(&p) else { return errno(EBADF) };
                let bits = if pipe.buffer.readers == 0 {
                    ERR
                } else if pipe.buffer.space() > 0 {
                    OUT
                } else {
                    0
                };
                words(&[bits])
            }
            Err(e) => errno(e),
        }
    }

    // --- Reading and writing --------------------------------------------

    /// READ (fd, offset) into grant 0 of the current call.
    pub fn read(&mut self, pid: u64, fd: u64, offset: u64) -> Outcome {
        let (id, node, flags) = match self.lookup(pid, fd) {
            Ok(found) => found,
            Err(e) => return errno(e),
        };
        if flags & O_ACCMODE == O_WRONLY {
            return errno(EBADF);
        }
        let grants = ipc::received_grants();
        let g = grants[0];
        if g.access & grant::WRITE == 0 {
            return errno(EINVAL);
        }
        let positioned = offset != CURRENT;
        if positioned && !matches!(node, Node::File(_) | Node::Device(_)) {
            return errno(ESPIPE);
        }
        if let Node::Device(d) = node
            && d.is_terminal()
            && let Err(e) = self.job_control(pid, SIGTTIN)
        {
            return errno(e);
        }
        match node {
            Node::Device(d) if d.is_terminal() => match console_read(&mut self.console, NONE, g.len, false) {
                Some(reply) => Outcome::Reply(reply),
                None if flags & O_NONBLOCK != 0 => errno(EAGAIN),
                None => match libtern::grant::save_reply() {
                    Ok(reply) => {
                        let since = libtern::time::now_ns();
                        self.console_readers.push_back(Waiter { reply, pid, lens: [g.len, 0], done: 0, since });
                        // Its VTIME, if any, starts now.
                        self.serve_console_readers();
                        Outcome::Later
                    }
                    Err(_) => errno(EIO),
                },
            },
            Node::Device(d) => Outcome::Reply(read_into_grant(g.len, |_, buf| d.read(buf)).0),
            Node::Dir(_) => errno(EISDIR),
            Node::File(ino) => {
                let at = if positioned { offset } else { self.descriptions.get(&id).map_or(0, |d| d.offset) };
                let (reply, read) = read_into_grant(g.len, |done, buf| self.fs.read(ino, at + done, buf));
                if !positioned && let Some(d) = self.descriptions.get_mut(&id) {
                    d.offset = at + read;
                }
                Outcome::Reply(reply)
            }
            Node::PipeWrite(_) => errno(EBADF),
            Node::PipeRead(p) => {
                let Some(pipe) = self.pipes.get_mut(&p) else { return errno(EBADF) };
                if pipe.buffer.is_empty() {
                    if pipe.buffer.writers == 0 {
                        return words(&ReadReply { read: 0, stopped_at_fault: false }.to_words());
                    }
                    if flags & O_NONBLOCK != 0 {
                        return errno(EAGAIN);
                    }
                    return match libtern::grant::save_reply() {
                        Ok(reply) => {
                            let lens = [g.len, 0];
                            pipe.readers_waiting.push_back(Waiter { reply, pid, lens, done: 0, since: 0 });
                            Outcome::Later
                        }
                        Err(_) => errno(EIO),
                    };
                }
                let reply = pipe_read(pipe, NONE, g.len);
                self.serve_writers(p);
                Outcome::Reply(reply)
            }
        }
    }

    /// WRITE (fd, offset) from the grants of the current call.
    pub fn write(&mut self, pid: u64, fd: u64, offset: u64, grant_count: usize) -> Outcome {
        let (id, node, flags) = match self.lookup(pid, fd) {
            Ok(found) => found,
            Err(e) => return errno(e),
        };
        if flags & O_ACCMODE == O_RDONLY {
            return errno(EBADF);
        }
        let received = ipc::received_grants();
        let mut lens = [0u64; MAX_GRANTS];
        for (i, g) in received.iter().enumerate().take(grant_count.min(MAX_GRANTS)) {
            if g.access & grant::READ == 0 {
                return errno(EINVAL);
            }
            lens[i] = g.len;
        }
        let positioned = offset != CURRENT;
        if positioned && !matches!(node, Node::File(_) | Node::Device(_)) {
            return errno(ESPIPE);
        }
        if let Node::Device(d) = node
            && d.is_terminal()
            && self.console.input.settings.lflag & tty::TOSTOP != 0
            && let Err(e) = self.job_control(pid, SIGTTOU)
        {
            return errno(e);
        }
        match node {
            Node::Device(d) => Outcome::Reply(write_device(&mut self.console, d, &lens)),
            Node::Dir(_) => errno(EISDIR),
            Node::File(ino) => {
                let at = if positioned {
                    offset
                } else if flags & O_APPEND != 0 {
                    self.fs.attr(ino).map_or(0, |a| a.size)
                } else {
                    self.descriptions.get(&id).map_or(0, |d| d.offset)
                };
                let now = self.now();
                let (reply, written) = write_file(&mut self.fs, ino, at, &lens, now);
                if !positioned && let Some(d) = self.descriptions.get_mut(&id) {
                    d.offset = at + written;
                }
                Outcome::Reply(reply)
            }
            Node::PipeRead(_) => errno(EBADF),
            Node::PipeWrite(p) => {
                let Some(pipe) = self.pipes.get_mut(&p) else { return errno(EBADF) };
                let mut waiter = Waiter { reply: NONE, pid, lens, done: 0, since: 0 };
                match pipe_write(pipe, &mut waiter) {
                    Progress::Finished(msg) => {
                        self.serve_readers(p);
                        Outcome::Reply(msg)
                    }
                    Progress::Blocked if flags & O_NONBLOCK != 0 => {
                        self.serve_readers(p);
                        if waiter.done > 0 {
                            words(&WriteReply { written: waiter.done, stopped_at_fault: false }.to_words())
                        } else {
                            errno(EAGAIN)
                        }
                    }
                    Progress::Blocked => match libtern::grant::save_reply() {
                        Ok(reply) => {
                            waiter.reply = reply;
                            pipe.writers_waiting.push_back(waiter);
                            self.serve_readers(p);
                            Outcome::Later
                        }
                        Err(_) => errno(EIO),
                    },
                }
            }
        }
    }

    /// The UART has input: into the line discipline, then to the readers
    /// waiting for it.
    pub fn console_input(&mut self) {
        for sig in self.console.take_input() {
            let group = self.console.foreground;
            if group != 0 {
                // To the group (KILL_GROUP: group 1 is a group, not "everyone").
                let kill = Message::new(mm0_proto::label::KILL, &[group, u64::from(sig), mm0_proto::KILL_GROUP]);
                if let Err(e) = ipc::call(mm0_proto::SLOT_MM0, &kill) {
                    libtern::println!("fs0: cannot signal the console's foreground group: {e:?}");
                }
            }
        }
        self.serve_console_readers();
    }

    /// Answers the console's waiting readers while there is input (or
    /// their VTIME ran out); sets fs0's timer for the next one's VTIME.
    pub fn serve_console_readers(&mut self) {
        let now = libtern::time::now_ns();
        while let Some(w) = self.console_readers.front() {
            let deadline = self.console.input.read_deadline(w.since, self.console.last_input);
            let timed_out = deadline.is_some_and(|d| now >= d);
            let Some(reply) = console_read(&mut self.console, w.reply, w.lens[0], timed_out) else {
                if let Some(deadline) = deadline
                    && let Err(e) =
                        libtern::notify::set_timer(mm0_proto::SLOT_FS0_EVENTS, deadline, crate::server::TIMER_BIT)
                {
                    libtern::println!("fs0: cannot time a console read: {e:?}");
                }
                break;
            };
            let w = self.console_readers.pop_front().expect("looked at above");
            answer(w.reply, &reply);
        }
    }

    /// Job control of the console for process `pid` about to read it
    /// (SIGTTIN) or to write or change it (SIGTTOU): mm0 knows its
    /// process group and signals (TTY_ACCESS). Err: the errno to answer
    /// with (EIO, or EINTR once the signal went to its group: libposix
    /// makes the call again after it, so a stopped job that is continued
    /// in the foreground goes on).
    fn job_control(&self, pid: u64, sig: u32) -> Result<(), u32> {
        let group = self.console.foreground;
        if group == 0 {
            return Ok(());
        }
        let request = Message::new(mm0_proto::label::TTY_ACCESS, &[pid, group, u64::from(sig)]);
        match ipc::call(mm0_proto::SLOT_MM0, &request) {
            Ok(reply) if reply.label() == 0 => Ok(()),
            Ok(reply) => Err(reply.label()),
            Err(e) => {
                libtern::println!("fs0: cannot ask mm0 about the console's job control: {e:?}");
                Ok(())
            }
        }
    }

    /// TTY (fd, request, argument words): terminal control of the
    /// console. Changing the settings or the foreground group is job
    /// controlled as a write with TOSTOP is (SIGTTOU for a background
    /// process).
    pub fn tty(&mut self, pid: u64, fd: u64, request: u64, args: &[u64]) -> Outcome {
        match self.lookup(pid, fd) {
            Ok((_, Node::Device(d), _)) if d.is_terminal() => {}
            Ok(_) => return errno(ENOTTY),
            Err(e) => return errno(e),
        }
        if matches!(request, tty::TCSETS | tty::TCSETSW | tty::TCSETSF | tty::TIOCSPGRP)
            && let Err(e) = self.job_control(pid, SIGTTOU)
        {
            return errno(e);
        }
        let arg = args.first().copied().unwrap_or(0);
        let console = &mut self.console;
        match request {
            tty::TCGETS => words(&console.input.settings.to_words()),
            tty::TCSETS | tty::TCSETSW | tty::TCSETSF => {
                let Some(settings) = Termios::from_words(args) else { return errno(EINVAL) };
                console.input.set(settings, request == tty::TCSETSF);
                self.serve_console_readers();
                words(&[])
            }
            tty::TIOCGPGRP => words(&[console.foreground]),
            tty::TIOCSPGRP if arg == 0 || arg > i32::MAX as u64 => errno(EINVAL),
            tty::TIOCSPGRP if !group_exists(arg) => errno(EPERM),
            tty::TIOCSPGRP => {
                console.foreground = arg;
                words(&[])
            }
            tty::TIOCGWINSZ => words(&[console.size]),
            tty::TIOCSWINSZ => {
                console.size = arg;
                words(&[])
            }
            _ => errno(ENOTTY),
        }
    }

    /// Answers the readers waiting on pipe `p` while it has bytes or no
    /// writers.
    fn serve_readers(&mut self, p: u64) {
        let Some(pipe) = self.pipes.get_mut(&p) else { return };
        while !pipe.readers_waiting.is_empty() {
            if pipe.buffer.is_empty() && pipe.buffer.writers > 0 {
                break;
            }
            let w = pipe.readers_waiting.pop_front().expect("looked at above");
            let reply = if pipe.buffer.is_empty() {
                Message::new(0, &ReadReply { read: 0, stopped_at_fault: false }.to_words())
            } else {
                pipe_read(pipe, w.reply, w.lens[0])
            };
            answer(w.reply, &reply);
        }
        self.serve_writers_of(p);
    }

    /// Lets the writers waiting on pipe `p` go on while there is room, or
    /// fail them when there are no readers.
    fn serve_writers(&mut self, p: u64) {
        self.serve_writers_of(p);
        let has_data = self.pipes.get(&p).is_some_and(|pipe| !pipe.buffer.is_empty());
        let readers_waiting = self.pipes.get(&p).is_some_and(|pipe| !pipe.readers_waiting.is_empty());
        if has_data && readers_waiting {
            self.serve_readers(p);
        }
    }

    fn serve_writers_of(&mut self, p: u64) {
        let Some(pipe) = self.pipes.get_mut(&p) else { return };
        while let Some(mut w) = pipe.writers_waiting.pop_front() {
            match pipe_write(pipe, &mut w) {
                Progress::Finished(msg) => answer(w.reply, &msg),
                Progress::Blocked => {
                    pipe.writers_waiting.push_front(w);
                    break;
                }
            }
        }
    }
}

/// How far a pipe write got.
enum Progress {
    /// Done (all written, a fault, EPIPE): the reply.
    Finished(Message),
    /// Waiting for room.
    Blocked,
}

/// Moves what fits of writer `w`'s grants into the pipe.
fn pipe_write(pipe: &mut Pipe, w: &mut Waiter) -> Progress {
    let total = w.total();
    loop {
        if pipe.buffer.readers == 0 {
            let msg = if w.done > 0 {
                Message::new(0, &WriteReply { written: w.done, stopped_at_fault: false }.to_words())
            } else {
                Message::empty(EPIPE)
            };
            return Progress::Finished(msg);
        }
        if w.done >= total {
            return Progress::Finished(Message::new(
                0,
                &WriteReply { written: w.done, stopped_at_fault: false }.to_words(),
            ));
        }
        let fits = pipe.buffer.accepts(total as usize, w.done as usize);
        if fits == 0 {
            return Progress::Blocked;
        }
        let n = fits.min(CHUNK);
        let mut chunk = [0u8; CHUNK];
        match copy_from_grants(w.reply, &w.lens, w.done, &mut chunk[..n]) {
            Ok(()) => {
                pipe.buffer.push(&chunk[..n]);
                w.done += n as u64;
            }
            Err(Error::PeerFault) if w.done > 0 => {
                return Progress::Finished(Message::new(
                    0,
                    &WriteReply { written: w.done, stopped_at_fault: true }.to_words(),
                ));
            }
            Err(Error::PeerFault) => return Progress::Finished(Message::empty(EFAULT)),
            Err(_) => return Progress::Finished(Message::empty(EIO)),
        }
    }
}

/// Copies `out.len()` bytes starting `offset` bytes into the grants (whose
/// lengths are `lens`, in order) of the call `reply` answers.
fn copy_from_grants(reply: u64, lens: &[u64; MAX_GRANTS], offset: u64, out: &mut [u8]) -> Result<(), Error> {
    let mut at = offset;
    let mut filled = 0;
    for (index, &len) in lens.iter().enumerate() {
        if filled == out.len() {
            break;
        }
        if at >= len {
            at -= len;
            continue;
        }
        let n = ((len - at) as usize).min(out.len() - filled);
        libtern::grant::read(reply, index as u64, at, &mut out[filled..filled + n])?;
        filled += n;
        at = 0;
    }
    Ok(())
}

/// Moves up to `len` bytes of the pipe into grant 0 of the call `reply`
/// answers; bytes leave the pipe only once copied.
fn pipe_read(pipe: &mut Pipe, reply: u64, len: u64) -> Message {
    let mut read = 0u64;
    let mut chunk = [0u8; CHUNK];
    while read < len && !pipe.buffer.is_empty() {
        let n = pipe.buffer.peek(&mut chunk[..((len - read) as usize).min(CHUNK)]);
        match libtern::grant::write(reply, 0, read, &chunk[..n]) {
            Ok(()) => {
                pipe.buffer.consume(n);
                read += n as u64;
            }
            Err(Error::PeerFault) if read > 0 => {
                return Message::new(0, &ReadReply { read, stopped_at_fault: true }.to_words());
            }
            Err(Error::PeerFault) => return Message::empty(EFAULT),
            Err(_) if read > 0 => break,
            Err(_) => return Message::empty(EIO),
        }
    }
    Message::new(0, &ReadReply { read, stopped_at_fault: false }.to_words())
}

/// A read of up to `len` bytes into grant 0 of the current call, taken
/// from `source` a chunk at a time (`source(done, buffer)`: bytes for
/// offset `done` of the read, 0 at the end); the reply and the bytes read.
fn read_into_grant(len: u64, mut source: impl FnMut(u64, &mut [u8]) -> Result<usize, u32>) -> (Message, u64) {
    let mut read = 0u64;
    let mut chunk = [0u8; CHUNK];
    while read < len {
        let want = ((len - read) as usize).min(CHUNK);
        let n = match source(read, &mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if read == 0 => return (Message::empty(e), 0),
            Err(_) => break,
        };
        match libtern::grant::write(NONE, 0, read, &chunk[..n]) {
            Ok(()) => read += n as u64,
            Err(Error::PeerFault) if read > 0 => {
                return (Message::new(0, &ReadReply { read, stopped_at_fault: true }.to_words()), read);
            }
            Err(Error::PeerFault) => return (Message::empty(EFAULT), 0),
            Err(_) if read > 0 => break,
            Err(_) => return (Message::empty(EIO), 0),
        }
    }
    (Message::new(0, &ReadReply { read, stopped_at_fault: false }.to_words()), read)
}

/// A write of the current call's grants to file `ino` at `at`; the
/// reply and the bytes written.
fn write_file(fs: &mut Vfs, ino: u64, at: u64, lens: &[u64; MAX_GRANTS], now: u64) -> (Message, u64) {
    let total: u64 = lens.iter().sum();
    let mut written = 0u64;
    let mut chunk = [0u8; CHUNK];
    while written < total {
        let n = ((total - written) as usize).min(CHUNK);
        match copy_from_grants(NONE, lens, written, &mut chunk[..n]) {
            Ok(()) => {}
            Err(Error::PeerFault) if written > 0 => {
                return (Message::new(0, &WriteReply { written, stopped_at_fault: true }.to_words()), written);
            }
            Err(Error::PeerFault) => return (Message::empty(EFAULT), 0),
            Err(_) if written > 0 => break,
            Err(_) => return (Message::empty(EIO), 0),
        }
        match fs.write(ino, at + written, &chunk[..n], now) {
            Ok(took) => written += took as u64,
            Err(e) if written == 0 => return (Message::empty(e), 0),
            Err(_) => break,
        }
    }
    (Message::new(0, &WriteReply { written, stopped_at_fault: false }.to_words()), written)
}

/// Whether process group `group` has a member: mm0's KILL with signal 0.
fn group_exists(group: u64) -> bool {
    let probe = Message::new(mm0_proto::label::KILL, &[group, 0, mm0_proto::KILL_GROUP]);
    ipc::call(mm0_proto::SLOT_MM0, &probe).is_ok_and(|reply| reply.label() == 0)
}

/// A read of the console's finished input into grant 0 of `reply`'s call
/// (NONE: the current one), or None when the reader waits (`timed_out`:
/// its VTIME has passed). Input leaves the line discipline only once it
/// is in the reader's memory.
fn console_read(console: &mut Console, reply: u64, len: u64, timed_out: bool) -> Option<Message> {
    let mut chunk = [0u8; CHUNK];
    let n = console.input.peek(&mut chunk[..(len as usize).min(CHUNK)], timed_out)?;
    let stopped_at_fault = match libtern::grant::write(reply, 0, 0, &chunk[..n]) {
        Ok(()) => false,
        Err(Error::PeerFault) => true,
        Err(_) => return Some(Message::empty(EIO)),
    };
    let read = if stopped_at_fault { 0 } else { n as u64 };
    if !stopped_at_fault {
        console.input.consume(n);
    }
    Some(Message::new(0, &ReadReply { read, stopped_at_fault }.to_words()))
}

/// A write of the current call's grants to device `d`.
fn write_device(console: &mut Console, d: Device, lens: &[u64; MAX_GRANTS]) -> Message {
    let total: u64 = lens.iter().sum();
    let mut written = 0u64;
    let mut chunk = [0u8; CHUNK];
    while written < total {
        let n = ((total - written) as usize).min(CHUNK);
        match copy_from_grants(NONE, lens, written, &mut chunk[..n]) {
            Ok(()) => {}
            Err(Error::PeerFault) if written > 0 => {
                return Message::new(0, &WriteReply { written, stopped_at_fault: true }.to_words());
            }
            Err(Error::PeerFault) => return Message::empty(EFAULT),
            Err(_) if written > 0 => break,
            Err(_) => return Message::empty(EIO),
        }
        match d.write(console, &chunk[..n]) {
            Ok(took) => written += took as u64,
            Err(e) if written == 0 => return Message::empty(e),
            Err(_) => break,
        }
    }
    Message::new(0, &WriteReply { written, stopped_at_fault: false }.to_words())
}
