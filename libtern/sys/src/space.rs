//! Address spaces: mappings, the POSIX personality, frames, destruction.
//!
//! [`map`] and [`unmap`] are `unsafe`: aimed at the caller's own space they
//! can replace or remove memory Rust code is using. Aimed at another task's
//! space (the usual case, in mm0) they are harmless to the caller.

use abi::{Call, Error, Rights};

use crate::syscall::{call6, syscall6};

/// Maps `pages` pages of the frame capability `frame`, starting at page
/// `first` of the frame, at `vaddr` in `space` with the READ/WRITE/EXEC bits
/// of `rights`.
///
/// # Safety
/// If `space` is the caller's own address space, `[vaddr, vaddr + pages
/// pages)` must not hold memory that Rust code of this task uses.
pub unsafe fn map(space: u64, frame: u64, first: u64, vaddr: u64, pages: u64, rights: Rights) -> Result<(), Error> {
    // SAFETY: the caller guarantees the range is not memory in use here.
    let (rax, _) = unsafe { syscall6(Call::Map as u64, [space, frame, first, vaddr, pages, rights.0]) };
    Error::check(rax)
}

/// Removes the mappings of `pages` pages at `vaddr` in `space`.
///
/// # Safety
/// As for [`map`].
pub unsafe fn unmap(space: u64, vaddr: u64, pages: u64) -> Result<(), Error> {
    // SAFETY: the caller guarantees the range is not memory in use here.
    let (rax, _) = unsafe { syscall6(Call::Unmap as u64, [space, vaddr, pages, 0, 0, 0]) };
    Error::check(rax)
}

/// Marks `space` as a POSIX process: `syscall` outside `[gate_start,
/// gate_end)` is reflected to `entry`.
pub fn personality(space: u64, entry: u64, gate_start: u64, gate_end: u64) -> Result<(), Error> {
    call6(Call::SpacePersonality, [space, entry, gate_start, gate_end, 0, 0]).map(|_| ())
}

/// Stops every thread of `space` and frees its mappings and capabilities.
pub fn destroy(space: u64) -> Result<(), Error> {
    call6(Call::SpaceDestroy, [space, 0, 0, 0, 0, 0]).map(|_| ())
}

/// A capability over `pages` pages of `frame` from page `first`, with
/// `rights`; returns its slot.
pub fn frame_derive(frame: u64, first: u64, pages: u64, rights: Rights) -> Result<u64, Error> {
    call6(Call::FrameDerive, [frame, first, pages, rights.0, 0, 0]).map(|r| r[0])
}
