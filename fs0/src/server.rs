//! The request loop and the dispatch of fs0's protocol (`fs0_proto`).
//!
//! Each request is taken whole; its reply goes out with the next receive
//! (`ReplyRecv`), unless the request waits ([`crate::files`]), in which case
//! fs0 saved the reply and answers it later. A reply that cannot be
//! delivered (the caller died meanwhile) or a request the kernel could not
//! deliver is dropped and fs0 goes back to waiting; only a failure of the
//! service endpoint itself ends the loop.
//!
//! mm0's process events arrive as the events notification, bound to fs0's
//! thread: the receive returns it (badge 0, `LABEL_NOTIFICATION`) before
//! any waiting request, and fs0 collects the events from mm0 and applies
//! them before it serves anyone. The last event is SHUTDOWN: fs0 unmounts
//! the disk and ends, which tells mm0 the system can stop. The serial IRQ
//! is bound to the same
//! notification (another bit): typed input goes to the console.
//!
//! No request takes capabilities, so any a client sends along are deleted:
//! a client cannot fill fs0's capability table.

use abi::Error;
use abi::ipc::{LABEL_NOTIFICATION, REG_WORDS};
use fs0_proto::errno::{EFAULT, EINVAL, ENAMETOOLONG, ENOSYS};
use fs0_proto::{WriteRequest, label};
use libtern::ipc::{self, Message, Received};
use libtern::println;
use libtern::server::receive;
use mm0_proto::{SLOT_FS0_SERVICE, SLOT_MM0, event};

use crate::file_memory::MapRequest;
use crate::files::{Files, Outcome};

/// Longest path OPEN takes (Linux's PATH_MAX, NUL included).
const PATH_MAX: usize = 4096;

/// Why fs0 stopped serving.
pub enum Stop {
    /// mm0 is ending the system (event SHUTDOWN): the disk is unmounted.
    Shutdown,
    /// The same, but the disk could not be written back whole.
    UnmountFailed,
    /// The service endpoint failed.
    Failed(Error),
}

/// Serve requests until mm0 says the system is going down or the service
/// endpoint becomes unusable.
pub fn serve(files: &mut Files) -> Stop {
    let mut next = receive(SLOT_FS0_SERVICE, "fs0");
    loop {
        let request = match next {
            Ok(request) => request,
            Err(e) => return Stop::Failed(e),
        };
        if request.badge == 0 && request.msg.label() == LABEL_NOTIFICATION {
            let bits = request.msg.word(0);
            if bits & mm0_proto::FS0_EVENTS_BIT != 0 && collect_events(files) == Events::Shutdown {
                return match files.fs.unmount() {
                    Ok(()) => Stop::Shutdown,
                    Err(e) => {
                        println!("fs0: unmounting the root failed (errno {e}): the disk may not be clean");
                        Stop::UnmountFailed
                    }
                };
            }
            if bits & (CONSOLE_INPUT_BIT | KEYBOARD_INPUT_BIT) != 0 {
                files.console_input();
            }
            if bits & TIMER_BIT != 0 {
                files.serve_console_readers();
            }
            if bits & CONSOLE_INPUT_BIT != 0
                && let Err(e) = libtern::device::irq_ack(mm0_proto::SLOT_SERIAL_IRQ)
            {
                println!("fs0: cannot acknowledge the serial IRQ: {e:?}");
            }
            if bits & KEYBOARD_INPUT_BIT != 0
                && let Some(keyboard) = &files.console.keyboard
            {
                keyboard.acknowledge();
            }
            next = receive(SLOT_FS0_SERVICE, "fs0");
            continue;
        }
        let outcome = handle(files, &request);
        libtern::server::drop_received_caps(request.msg.info.caps(), "fs0");
        next = match outcome {
            Outcome::Reply(reply) => ipc::reply_recv(SLOT_FS0_SERVICE, &reply).or_else(|e| {
                // NoCaller: the caller was stopped (its call ends and is
                // made again when it continues): nobody to tell.
                if e != abi::Error::NoCaller {
                    println!("fs0: reply to {:#x} or next receive failed: {e:?}", request.badge);
                }
                receive(SLOT_FS0_SERVICE, "fs0")
            }),
            Outcome::Later => receive(SLOT_FS0_SERVICE, "fs0"),
        };
    }
}

#[derive(PartialEq, Eq)]
enum Events {
    Applied,
    /// mm0 asked fs0 to shut down (after the other events).
    Shutdown,
}

/// Collects mm0's process events and applies them in order.
fn collect_events(files: &mut Files) -> Events {
    let mut outcome = Events::Applied;
    loop {
        let reply = match ipc::call(SLOT_MM0, &Message::new(mm0_proto::label::PROCESS_EVENTS, &[])) {
            Ok(reply) if reply.label() == 0 => reply,
            other => {
                println!("fs0: cannot collect process events: {other:?}");
                return outcome;
            }
        };
        let count = (reply.word(0) as usize).min(event::MAX);
        let mut words = [0u64; event::MAX * event::WORDS];
        ipc::buf_words(&mut words[..count * event::WORDS]);
        for e in words[..count * event::WORDS].chunks(event::WORDS) {
            match e[0] {
                event::FORK => files.forked(e[1], e[2]),
                event::EXEC => files.executed(e[1]),
                event::EXIT => files.exited(e[1]),
                event::INTERRUPT => files.interrupted(e[1]),
                event::SHUTDOWN => outcome = Events::Shutdown,
                other => println!("fs0: unknown process event {other}"),
            }
        }
        if count < event::MAX {
            return outcome;
        }
    }
}

/// The bit of fs0's events notification that the serial IRQ sets.
pub const CONSOLE_INPUT_BIT: u64 = 2;
/// The bit the PS/2 keyboard's IRQ sets.
pub const KEYBOARD_INPUT_BIT: u64 = 4;
/// The bit fs0's timer sets (a console read's VTIME).
pub const TIMER_BIT: u64 = 8;

/// Answer one request (or take it to answer later).
fn handle(files: &mut Files, request: &Received) -> Outcome {
    let msg = &request.msg;
    let pid = request.badge;
    let words = &msg.words[..msg.info.reg_words().min(REG_WORDS)];
    let w = |i: usize| words.get(i).copied().unwrap_or(0);
    let grants = msg.info.grants();
    match msg.label() {
        label::WRITE => match WriteRequest::from_words(words) {
            Some(r) => files.write(pid, r.fd, r.offset, grants),
            None => fail(EINVAL),
        },
        label::READ if grants == 1 => files.read(pid, w(0), w(1)),
        label::CLOSE => files.close(pid, w(0)),
        label::DUP => files.dup(pid, w(0), w(1), w(2)),
        label::FCNTL => files.fcntl(pid, w(0), w(1), w(2)),
        label::PIPE => files.pipe(pid, w(0)),
        label::FSTAT => files.fstat(pid, w(0)),
        label::LSEEK => files.lseek(pid, w(0), w(1), w(2)),
        label::SYNC => files.sync(pid, w(0)),
        label::READY => files.ready(pid, w(0)),
        label::TTY => files.tty(pid, w(0), w(1), words.get(2..).unwrap_or(&[])),
        label::MMAP => {
            let request = MapRequest { offset: w(1), len: w(2), prot: w(3), flags: w(4), hint: w(5) };
            files.mmap(pid, w(0), request)
        }
        label::OPEN if grants == 1 => with_path(0, |p| files.open(pid, w(0), p, w(1), w(2))),
        label::STAT if grants == 1 => with_path(0, |p| files.stat(pid, w(0), p, w(1))),
        label::STATFS if grants == 1 => with_path(0, |p| files.statfs(pid, w(0), p, w(1))),
        label::MKDIR if grants == 1 => with_path(0, |p| files.mkdir(pid, w(0), p, w(1))),
        label::UNLINK if grants == 1 => with_path(0, |p| files.unlink(pid, w(0), p, w(1))),
        label::CHDIR if grants == 1 => with_path(0, |p| files.chdir(pid, w(0), p)),
        label::TRUNCATE if grants == 1 => with_path(0, |p| files.truncate(pid, w(0), p, w(1))),
        label::CHMOD if grants == 1 => with_path(0, |p| files.chmod(pid, w(0), p, w(1), w(2))),
        label::UTIMES if grants == 1 => with_path(0, |p| files.utimes(pid, w(0), p, w(1), w(2))),
        label::ACCESS if grants == 1 => with_path(0, |p| files.access(pid, w(0), p, w(1), w(2))),
        label::RENAME if grants == 2 => with_path(0, |old| with_path(1, |new| files.rename(pid, w(0), old, w(1), new))),
        label::LINK if grants == 2 => {
            with_path(0, |old| with_path(1, |new| files.link(pid, w(0), old, w(1), new, w(2))))
        }
        label::SYMLINK if grants == 2 => with_path(0, |target| with_path(1, |p| files.symlink(pid, w(0), target, p))),
        label::READLINK if grants == 2 => with_path(0, |p| {
            let len = ipc::received_grants()[1].len;
            out(1, files.readlink(pid, w(0), p, len))
        }),
        label::GETDENTS if grants == 1 => {
            let len = ipc::received_grants()[0].len;
            out(0, files.getdents(pid, w(0), len))
        }
        label::GETCWD if grants == 1 => {
            let len = ipc::received_grants()[0].len;
            out(0, files.getcwd(pid, len))
        }
        label::READ
        | label::OPEN
        | label::STAT
        | label::STATFS
        | label::MKDIR
        | label::UNLINK
        | label::CHDIR
        | label::TRUNCATE
        | label::CHMOD
        | label::UTIMES
        | label::ACCESS
        | label::RENAME
        | label::LINK
        | label::SYMLINK
        | label::READLINK
        | label::GETDENTS
        | label::GETCWD => fail(EINVAL),
        _ => fail(ENOSYS),
    }
}

fn fail(e: u32) -> Outcome {
    Outcome::Reply(Message::empty(e))
}

/// Runs `then` with the path in grant `index` of the current call
/// (readable, shorter than PATH_MAX, no NUL).
fn with_path(index: usize, then: impl FnOnce(&[u8]) -> Outcome) -> Outcome {
    let g = ipc::received_grants()[index];
    if g.access & abi::ipc::grant::READ == 0 {
        return fail(EINVAL);
    }
    let Some(len) = usize::try_from(g.len).ok().filter(|&l| l < PATH_MAX) else {
        return fail(ENAMETOOLONG);
    };
    let mut buf = [0u8; PATH_MAX];
    if len > 0 && libtern::grant::read(abi::call::NONE, index as u64, 0, &mut buf[..len]).is_err() {
        return fail(EFAULT);
    }
    if buf[..len].contains(&0) {
        return fail(EINVAL);
    }
    then(&buf[..len])
}

/// Copies `result`'s bytes into writable grant `index`; replies with
/// their count.
fn out(index: usize, result: Result<alloc::vec::Vec<u8>, u32>) -> Outcome {
    let bytes = match result {
        Ok(bytes) => bytes,
        Err(e) => return fail(e),
    };
    let g = ipc::received_grants()[index];
    if g.access & abi::ipc::grant::WRITE == 0 || (bytes.len() as u64) > g.len {
        return fail(EINVAL);
    }
    match libtern::grant::write(abi::call::NONE, index as u64, 0, &bytes) {
        Ok(()) => Outcome::Reply(Message::new(0, &[bytes.len() as u64])),
        Err(_) => fail(EFAULT),
    }
}
