//! The request loop and the handlers of fs0's protocol (`fs0_proto`).
//!
//! Each request is answered before the next is taken, with `ReplyRecv`. A
//! reply that cannot be delivered (the caller died meanwhile) or a request
//! the kernel could not deliver is dropped and fs0 goes back to waiting;
//! only a failure of the service endpoint itself ends the loop.
//!
//! Data of a WRITE is copied out of the caller's grants in chunks of
//! [`CHUNK`] bytes into a buffer on fs0's stack, and each chunk is written
//! before the next is copied. A chunk the kernel cannot copy because the
//! client's memory is not mapped ends the write at that point: the client
//! learns how far it got, so it can have the rest backed and send it again
//! without anything being written twice.
//!
//! No request takes capabilities, so any a client sends along are deleted
//! before the reply: a client cannot fill fs0's capability table.

use crate::console::Console;
use abi::call::NONE;
use abi::ipc::{REG_WORDS, grant};
use abi::{CapType, Error};
use fs0_proto::errno::{EBADF, EFAULT, EINVAL, EIO, ENOSYS};
use fs0_proto::{CONSOLE, WriteReply, WriteRequest, label};
use libtern::ipc::{self, Message, Received};
use libtern::println;
use mm0_proto::SLOT_FS0_SERVICE;

/// Bytes copied from a grant at a time.
const CHUNK: usize = 512;

/// Serve requests until the service endpoint becomes unusable; returns
/// why.
pub fn serve(console: &mut Console) -> Error {
    let mut next = receive();
    loop {
        let request = match next {
            Ok(request) => request,
            Err(e) => return e,
        };
        let reply = handle(console, &request);
        drop_received_caps(request.msg.info.caps());
        next = ipc::reply_recv(SLOT_FS0_SERVICE, &reply).or_else(|e| {
            println!("fs0: reply to {:#x} or next receive failed: {e:?}", request.badge);
            receive()
        });
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

/// Answer one request.
fn handle(console: &mut Console, request: &Received) -> Message {
    let msg = &request.msg;
    let words = &msg.words[..msg.info.reg_words().min(REG_WORDS)];
    let result = match msg.label() {
        label::WRITE => write(console, words, msg.info.grants()).map(|reply| reply.to_words()),
        _ => Err(ENOSYS),
    };
    match result {
        Ok(words) => Message::new(0, &words),
        Err(errno) => Message::empty(errno),
    }
}

/// WRITE: copy each granted buffer, in order, to the file.
fn write(console: &mut Console, words: &[u64], grants: usize) -> Result<WriteReply, u32> {
    let request = WriteRequest::from_words(words).ok_or(EINVAL)?;
    if request.handle != CONSOLE {
        return Err(EBADF);
    }
    let received = ipc::received_grants();
    let mut written = 0;
    let mut chunk = [0u8; CHUNK];
    for (index, g) in received.iter().enumerate().take(grants) {
        if g.access & grant::READ == 0 {
            return done_or(written, EINVAL);
        }
        let mut offset = 0;
        while offset < g.len {
            let n = (g.len - offset).min(CHUNK as u64) as usize;
            match libtern::grant::read(NONE, index as u64, offset, &mut chunk[..n]) {
                Ok(()) => {}
                // The client's memory is not mapped as it promised.
                Err(Error::PeerFault) if written > 0 => return Ok(WriteReply { written, stopped_at_fault: true }),
                Err(Error::PeerFault) => return Err(EFAULT),
                // The caller is gone, or fs0's own chunk could not take the
                // bytes: nothing more can be copied.
                Err(_) => return done_or(written, EIO),
            }
            console.write(&chunk[..n]);
            offset += n as u64;
            written += n as u64;
        }
    }
    Ok(WriteReply { written, stopped_at_fault: false })
}

/// Delete the `count` capabilities that came with the last request.
fn drop_received_caps(count: usize) {
    for &slot in ipc::received_caps().iter().take(count) {
        if let Err(e) = libtern::cap::delete(slot) {
            println!("fs0: cannot delete received capability {slot}: {e:?}");
        }
    }
}

/// After a failure that is no fault: the bytes already written if there
/// are any (a short write, as Linux reports it), else the error.
fn done_or(written: u64, errno: u32) -> Result<WriteReply, u32> {
    if written > 0 { Ok(WriteReply { written, stopped_at_fault: false }) } else { Err(errno) }
}
