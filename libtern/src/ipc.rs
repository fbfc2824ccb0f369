//! Synchronous IPC for native tasks: everything of [`libtern_sys::ipc`],
//! plus access to the current thread's IPC buffer, found through its
//! [`crate::tls::ThreadBlock`] whichever thread runs.

pub use libtern_sys::ipc::*;

use abi::ipc::{Grant, MAX_CAPS, MAX_GRANTS};
use libtern_sys::ipc_buffer::ThreadIpcBuffer;

use crate::tls;

/// The current thread's IPC buffer.
pub fn buffer() -> ThreadIpcBuffer {
    let addr = tls::ipc_buffer();
    assert!(addr != 0, "this thread has no IPC buffer");
    // SAFETY: every thread libtern starts installs a ThreadBlock naming the
    // IPC buffer mm0 registered and mapped for it, for the thread's life;
    // only the thread itself uses it.
    unsafe { ThreadIpcBuffer::at(addr) }
}

/// [`ThreadIpcBuffer::set_buf_words`] on the current thread's buffer.
pub fn set_buf_words(words: &[u64]) -> usize {
    buffer().set_buf_words(words)
}

/// [`ThreadIpcBuffer::buf_words`] on the current thread's buffer.
pub fn buf_words(out: &mut [u64]) {
    buffer().buf_words(out)
}

/// [`ThreadIpcBuffer::set_caps`] on the current thread's buffer.
pub fn set_caps(slots: &[u64]) -> usize {
    buffer().set_caps(slots)
}

/// [`ThreadIpcBuffer::received_caps`] on the current thread's buffer.
pub fn received_caps() -> [u64; MAX_CAPS] {
    buffer().received_caps()
}

/// [`ThreadIpcBuffer::set_grants`] on the current thread's buffer.
pub fn set_grants(grants: &[Grant]) -> usize {
    buffer().set_grants(grants)
}

/// [`ThreadIpcBuffer::received_grants`] on the current thread's buffer.
pub fn received_grants() -> [Grant; MAX_GRANTS] {
    buffer().received_grants()
}
