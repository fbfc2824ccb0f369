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
//! them before it serves anyone.
//!
//! No request takes capabilities, so any a client sends along are deleted:
//! a client cannot fill fs0's capability table.

use abi::ipc::{LABEL_NOTIFICATION, REG_WORDS};
use abi::{CapType, Error};
use fs0_proto::errno::{EFAULT, EINVAL, ENAMETOOLONG, ENOSYS};
use fs0_proto::{WriteRequest, label};
use libtern::ipc::{self, Message, Received};
use libtern::println;
use mm0_proto::{SLOT_FS0_SERVICE, SLOT_MM0, event};

use crate::files::{Files, Outcome};

/// Longest path OPEN takes (Linux's PATH_MAX, NUL included).
const PATH_MAX: usize = 4096;

/// Serve requests until the service endpoint becomes unusable; returns
/// why.
pub fn serve(files: &mut Files) -> Error {
    let mut next = receive();
    loop {
        let request = match next {
            Ok(request) => request,
            Err(e) => return e,
        };
        if request.badge == 0 && request.msg.label() == LABEL_NOTIFICATION {
            collect_events(files);
            next = receive();
            continue;
        }
        let outcome = handle(files, &request);
        drop_received_caps(request.msg.info.caps());
        next = match outcome {
            Outcome::Reply(reply) => ipc::reply_recv(SLOT_FS0_SERVICE, &reply).or_else(|e| {
                println!("fs0: reply to {:#x} or next receive failed: {e:?}", request.badge);
                receive()
            }),
            Outcome::Later => receive(),
        };
    }
}

/// Wait for the next request. The kernel reports a message it could not
/// deliver (the sender's fault: a bad capability slot, a bad IPC buffer) to
/// the receiver too; such a message is dropped (its sender is told) and fs0
/// waits again. Only when the service endpoint itself is gone does the wait
/// end with an error.
fn receive() -> Result<Received, Error> {
    loop {
        match ipc::recv(SLOT_FS0_SERVICE) {
            Ok(request) => return Ok(request),
            Err(e) if service_endpoint_alive() => println!("fs0: dropped a request that could not be delivered: {e:?}"),
            Err(e) => return Err(e),
        }
    }
}

/// True while fs0 still holds its service endpoint.
fn service_endpoint_alive() -> bool {
    libtern::cap::identify(SLOT_FS0_SERVICE).is_ok_and(|info| info.kind == Some(CapType::Endpoint))
}

/// Collects mm0's process events and applies them in order.
fn collect_events(files: &mut Files) {
    loop {
        let reply = match ipc::call(SLOT_MM0, &Message::new(mm0_proto::label::PROCESS_EVENTS, &[])) {
            Ok(reply) if reply.label() == 0 => reply,
            other => {
                println!("fs0: cannot collect process events: {other:?}");
                return;
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
                other => println!("fs0: unknown process event {other}"),
            }
        }
        if count < event::MAX {
            return;
        }
    }
}

/// Answer one request (or take it to answer later).
fn handle(files: &mut Files, request: &Received) -> Outcome {
    let msg = &request.msg;
    let pid = request.badge;
    let words = &msg.words[..msg.info.reg_words().min(REG_WORDS)];
    let word = |i: usize| words.get(i).copied();
    let fail = |e| Outcome::Reply(Message::empty(e));
    match (msg.label(), word(0)) {
        (label::WRITE, _) => match WriteRequest::from_words(words) {
            Some(w) => files.write(pid, w.fd, msg.info.grants()),
            None => fail(EINVAL),
        },
        (label::READ, Some(fd)) if msg.info.grants() == 1 => files.read(pid, fd),
        (label::CLOSE, Some(fd)) => files.close(pid, fd),
        (label::DUP, Some(fd)) => files.dup(pid, fd, word(1).unwrap_or(0), word(2).unwrap_or(0)),
        (label::FCNTL, Some(fd)) => files.fcntl(pid, fd, word(1).unwrap_or(0), word(2).unwrap_or(0)),
        (label::OPEN, Some(flags)) if msg.info.grants() == 1 => match path() {
            Ok(p) => files.open(pid, &p.bytes[..p.len], flags),
            Err(e) => fail(e),
        },
        (label::PIPE, Some(flags)) => files.pipe(pid, flags),
        (label::FSTAT, Some(fd)) => files.fstat(pid, fd),
        (label::LSEEK, Some(fd)) => files.lseek(pid, fd, word(2).unwrap_or(0)),
        (label::READY, Some(fd)) => files.ready(pid, fd),
        (label::READ | label::OPEN | label::CLOSE | label::DUP | label::FCNTL | label::PIPE, _) => fail(EINVAL),
        (label::FSTAT | label::LSEEK | label::READY, _) => fail(EINVAL),
        _ => fail(ENOSYS),
    }
}

/// A path copied out of grant 0.
struct Path {
    bytes: [u8; PATH_MAX],
    len: usize,
}

fn path() -> Result<Path, u32> {
    let g = ipc::received_grants()[0];
    if g.access & abi::ipc::grant::READ == 0 {
        return Err(EINVAL);
    }
    let len = usize::try_from(g.len).map_err(|_| ENAMETOOLONG)?;
    if len >= PATH_MAX {
        return Err(ENAMETOOLONG);
    }
    let mut p = Path { bytes: [0; PATH_MAX], len };
    libtern::grant::read(abi::call::NONE, 0, 0, &mut p.bytes[..len]).map_err(|_| EFAULT)?;
    Ok(p)
}

/// Delete the `count` capabilities that came with the last request.
fn drop_received_caps(count: usize) {
    for &slot in ipc::received_caps().iter().take(count) {
        if let Err(e) = libtern::cap::delete(slot) {
            println!("fs0: cannot delete received capability {slot}: {e:?}");
        }
    }
}
