//! The calling thread's IPC buffer: the page that carries a message's words
//! beyond the registers, the capabilities it transfers and the memory a
//! `Call` grants.
//!
//! A [`ThreadIpcBuffer`] is made from the buffer's address, which the owner
//! of the thread knows: libtern's runtime keeps it in the thread's block at
//! the FS base, libposix knows its main thread's fixed address
//! (`mm0_proto::POSIX_IPC_BUFFER`). Every accessor copies in or out and
//! returns, so no Rust reference into the page exists while a kernel call
//! writes it (during `Recv`, `Call` and `ReplyRecv`). The handle holds a raw
//! pointer, so it is neither `Send` nor `Sync`: it stays with its thread.

use abi::IpcBuffer;
use abi::ipc::{BUF_WORDS, Grant, MAX_CAPS, MAX_GRANTS};

/// Access to the IPC buffer of the calling thread.
#[derive(Clone, Copy, Debug)]
pub struct ThreadIpcBuffer {
    page: *mut IpcBuffer,
}

impl ThreadIpcBuffer {
    /// The IPC buffer at `addr`.
    ///
    /// # Safety
    /// `addr` must be the IPC buffer registered for the calling thread
    /// (`ThreadConfigure`), mapped read-write for as long as the handle is
    /// used, and touched by nothing else than this thread's kernel calls and
    /// the handle's accessors.
    pub const unsafe fn at(addr: u64) -> ThreadIpcBuffer {
        ThreadIpcBuffer { page: addr as *mut IpcBuffer }
    }

    /// Copies `words` (at most [`BUF_WORDS`]) into the buffer's words and
    /// returns how many were copied, for `MsgInfo::with_buf_words`.
    pub fn set_buf_words(&self, words: &[u64]) -> usize {
        let n = words.len().min(BUF_WORDS);
        // SAFETY: `page` is this thread's IPC buffer, mapped read-write and
        // used by no one else while no kernel call runs (contract of `at`).
        unsafe { (&mut (*self.page).words)[..n].copy_from_slice(&words[..n]) };
        n
    }

    /// Copies the buffer's first `out.len()` words (at most [`BUF_WORDS`])
    /// into `out`.
    pub fn buf_words(&self, out: &mut [u64]) {
        let n = out.len().min(BUF_WORDS);
        // SAFETY: as in `set_buf_words`.
        unsafe { out[..n].copy_from_slice(&(&(*self.page).words)[..n]) };
    }

    /// Names the slots (at most [`MAX_CAPS`]) the next message transfers,
    /// for `MsgInfo::with_caps`; returns how many were set.
    pub fn set_caps(&self, slots: &[u64]) -> usize {
        let n = slots.len().min(MAX_CAPS);
        // SAFETY: as in `set_buf_words`.
        unsafe { (&mut (*self.page).caps)[..n].copy_from_slice(&slots[..n]) };
        n
    }

    /// The slots where the capabilities of the last received message were
    /// put (the first `info.caps()` entries are meaningful).
    pub fn received_caps(&self) -> [u64; MAX_CAPS] {
        // SAFETY: as in `set_buf_words`.
        unsafe { (*self.page).caps }
    }

    /// Lists the memory (at most [`MAX_GRANTS`] regions) the next `Call`
    /// grants, for `MsgInfo::with_grants`; returns how many were set.
    pub fn set_grants(&self, grants: &[Grant]) -> usize {
        let n = grants.len().min(MAX_GRANTS);
        // SAFETY: as in `set_buf_words`.
        unsafe { (&mut (*self.page).grants)[..n].copy_from_slice(&grants[..n]) };
        n
    }

    /// Lengths and access of the grants that came with the last received
    /// call.
    pub fn received_grants(&self) -> [Grant; MAX_GRANTS] {
        // SAFETY: as in `set_buf_words`.
        unsafe { (*self.page).received_grants }
    }
}
