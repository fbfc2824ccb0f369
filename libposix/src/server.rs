//! Requests to the servers. fs0's go through [`call`]: one `Call` with a
//! label, register words and up to [`MAX_GRANTS`] memory grants; the reply's
//! label is 0 or a Linux errno. mm0's go through libtern-sys's mm0 client,
//! and `Mm0Error::errno` turns mm0's failures into errnos.
//!
//! The grants are written into the calling thread's IPC buffer right before
//! the call; the kernel lets the server copy through them only until it
//! replies. A failed kernel call (the server is gone, the capability is
//! missing) is reported to the program as `EIO`, a grant over memory the
//! kernel refuses as `EFAULT`, and a call mm0 interrupted for a signal as
//! `EINTR`: a dead server is an error, never a hang or a crash.

use abi::Error;
use abi::ipc::{Grant, MAX_GRANTS, REG_WORDS};
use fs0_proto::errno::{EFAULT, EINTR, EINVAL, EIO};
use libtern_sys::ipc::{self, Message};
use libtern_sys::ipc_buffer::ThreadIpcBuffer;

/// Outcome of a request: the reply, or a Linux errno.
pub type Reply = Result<Message, u32>;

/// The IPC buffer of the calling thread: the one of its slot.
pub fn ipc_buffer() -> ThreadIpcBuffer {
    let at = mm0_proto::POSIX_IPC_BUFFER + crate::thread::current_slot() as u64 * abi::PAGE_SIZE;
    // SAFETY: mm0 maps and registers each thread's IPC buffer at
    // POSIX_IPC_BUFFER + slot * PAGE_SIZE for the thread's life, before the
    // thread runs; only this thread uses its buffer, and only through this
    // handle's copying accessors.
    unsafe { ThreadIpcBuffer::at(at) }
}

/// `Call` the server in `slot` with `label`, the first `words.len()` message
/// words and `grants`; return the reply or its errno.
pub fn call(slot: u64, label: u32, words: &[u64], grants: &[Grant]) -> Reply {
    if words.len() > REG_WORDS || grants.len() > MAX_GRANTS {
        return Err(EINVAL);
    }
    let granted = ipc_buffer().set_grants(grants);
    let request = Message::new(label, words);
    answer(ipc::call(slot, &request.with_info(request.info.with_grants(granted))))
}

/// `Call` the server in `slot` with `label`, register `words` and
/// `buf_words` in the IPC buffer; return the reply or its errno.
pub fn call_with_buf(slot: u64, label: u32, words: &[u64], buf_words: &[u64]) -> Reply {
    if words.len() > REG_WORDS {
        return Err(EINVAL);
    }
    let count = ipc_buffer().set_buf_words(buf_words);
    let request = Message::new(label, words);
    answer(ipc::call(slot, &request.with_info(request.info.with_buf_words(count))))
}

/// The reply of a call, or its errno.
fn answer(result: Result<Message, Error>) -> Reply {
    match result {
        Ok(reply) if reply.label() == 0 => Ok(reply),
        Ok(reply) => Err(reply.label()),
        Err(Error::BadAddress) => Err(EFAULT),
        Err(Error::Interrupted) => Err(EINTR),
        Err(_) => Err(EIO),
    }
}
