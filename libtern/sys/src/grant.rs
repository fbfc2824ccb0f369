//! Memory grants seen from the receiving server, and deferred replies.
//!
//! A caller lends regions of its memory for the duration of one `Call`
//! ([`crate::ipc_buffer::ThreadIpcBuffer::set_grants`]); the receiver copies from or into them by
//! offset with [`read()`] and [`write()`] until it replies. [`save_reply`] keeps
//! the right to answer the current caller in a slot, to answer later with
//! [`crate::ipc::send`] on that slot.

use abi::call::direction;
use abi::{Call, Error};

use crate::syscall::syscall6;

/// Copies `buf.len()` bytes at `offset` of grant `index` of the call that
/// `reply` answers (`abi::call::NONE` for the current caller) into `buf`.
pub fn read(reply: u64, index: u64, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    let (rax, _) = unsafe {
        syscall6(
            Call::GrantCopy as u64,
            [reply, index, offset, buf.as_mut_ptr() as u64, buf.len() as u64, direction::FROM_GRANTER],
        )
    };
    Error::check(rax)
}

/// Copies `buf` into grant `index` at `offset`.
pub fn write(reply: u64, index: u64, offset: u64, buf: &[u8]) -> Result<(), Error> {
    // SAFETY: in this direction the kernel only reads `buf`.
    let (rax, _) = unsafe {
        syscall6(
            Call::GrantCopy as u64,
            [reply, index, offset, buf.as_ptr() as u64, buf.len() as u64, direction::TO_GRANTER],
        )
    };
    Error::check(rax)
}

/// Moves the right to reply to the current caller into a new slot.
pub fn save_reply() -> Result<u64, Error> {
    // SAFETY: SaveReply writes no memory.
    let (rax, r) = unsafe { syscall6(Call::SaveReply as u64, [0; 6]) };
    Error::check(rax).map(|()| r[0])
}
