//! Requests to the servers (mm0, fs0): one `Call` with a label, register
//! words and up to [`MAX_GRANTS`] memory grants; the reply's label is 0 or a
//! Linux errno.
//!
//! The grants are written into the calling thread's IPC buffer right before
//! the call; the kernel lets the server copy through them only until it
//! replies. A failed kernel call (the server is gone, the capability is
//! missing) is reported to the program as `EIO`, and a grant over memory the
//! kernel refuses as `EFAULT`: a dead server is an error, never a hang or a
//! crash.

use crate::kernel::{self, Words};
use abi::ipc::{Grant, IpcBuffer, MAX_GRANTS, REG_WORDS};
use abi::{Error, MsgInfo};
use fs0_proto::errno::{EFAULT, EINVAL, EIO};

/// The IPC buffer of the main thread. libposix has no threads of its own
/// yet, so every call uses this one.
const IPC_BUFFER: *mut IpcBuffer = mm0_proto::POSIX_IPC_BUFFER as *mut IpcBuffer;

/// Outcome of a request: the reply words, or a Linux errno.
pub type Reply = Result<Words, u32>;

/// `Call` the server in `slot` with `label`, the first `words.len()` message
/// words and `grants`; return the reply's words or its errno.
pub fn call(slot: u64, label: u32, words: &[u64], grants: &[Grant]) -> Reply {
    if words.len() > REG_WORDS || grants.len() > MAX_GRANTS {
        return Err(EINVAL);
    }
    let mut regs: Words = [0; REG_WORDS];
    regs[..words.len()].copy_from_slice(words);
    for (i, grant) in grants.iter().enumerate() {
        // SAFETY: mm0 maps the main thread's IPC buffer at
        // POSIX_IPC_BUFFER for the life of the process (faulting it in on
        // first touch); only this thread uses it and the kernel reads it only
        // during our own calls. `i < MAX_GRANTS` keeps the index in bounds.
        unsafe { (*IPC_BUFFER).grants[i] = *grant };
    }
    let info = MsgInfo::new(label, words.len()).with_grants(grants.len());
    match kernel::call(slot, info, &mut regs) {
        Ok(reply) if reply.label() == 0 => Ok(regs),
        Ok(reply) => Err(reply.label()),
        Err(Error::BadAddress) => Err(EFAULT),
        Err(_) => Err(EIO),
    }
}
