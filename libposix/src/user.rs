//! Access to the program's memory from libposix.
//!
//! libposix runs in the program's address space, so a program pointer is
//! directly usable once it is known to be sane. Every range is checked to
//! lie in the user half (not in page zero, no overflow); a range that fails
//! is `EFAULT`.
//!
//! Memory the program has not touched yet may not be backed: mm0 backs a
//! page on its first fault, and a fault in a hole ends the process. So
//! before libposix reads or writes program memory itself, [`crate::mapped`]
//! makes sure the pages are backed with the access needed, and a pointer
//! into a hole or into read-only memory becomes `EFAULT`. Buffers lent to a
//! server are not touched here at all: the server's copy fails instead and
//! the caller has them backed then (see `fs.rs`).

use fs0_proto::errno::EFAULT;

use crate::mapped::{self, Access};

/// Check that `[addr, addr + len)` lies in the user half.
pub fn check_range(addr: u64, len: u64) -> Result<(), u32> {
    if abi::is_user_range(addr, len) { Ok(()) } else { Err(EFAULT) }
}

/// Check `[addr, addr + len)` and make sure libposix can read all of it.
pub fn readable(addr: u64, len: u64) -> Result<(), u32> {
    check_range(addr, len)?;
    mapped::ensure(addr, len, Access::Read)
}

/// Read a `T` from program memory at `addr`. `T` must be plain data that
/// every bit pattern is a valid value of (integers and arrays of them).
pub fn read<T: Copy>(addr: u64) -> Result<T, u32> {
    readable(addr, size_of::<T>() as u64)?;
    // SAFETY: the range lies in the user half and its pages are backed with
    // read access, and stay so until this read (see `mapped`); callers use
    // only plain data types valid for every bit pattern, and the read is
    // unaligned-safe.
    Ok(unsafe { core::ptr::read_unaligned(addr as *const T) })
}

/// Write `value` to program memory at `addr`.
pub fn write<T: Copy>(addr: u64, value: T) -> Result<(), u32> {
    let len = size_of::<T>() as u64;
    check_range(addr, len)?;
    mapped::ensure(addr, len, Access::Write)?;
    // SAFETY: the range lies in the user half, its pages are backed with
    // write access and stay so until this write (see `mapped`), and the
    // program passed it as an output buffer; the write is unaligned-safe.
    unsafe { core::ptr::write_unaligned(addr as *mut T, value) };
    Ok(())
}

/// The length of the NUL-terminated string at `addr`, at most `max` bytes
/// before its NUL; `too_long` when there is no NUL within `max + 1` bytes,
/// EFAULT when the string runs into memory libposix cannot read.
pub fn c_string_len(addr: u64, max: u64, too_long: u32) -> Result<u64, u32> {
    let mut len = 0;
    loop {
        let at = addr.checked_add(len).ok_or(EFAULT)?;
        // Up to the end of this page at a time.
        let chunk = (abi::PAGE_SIZE - at % abi::PAGE_SIZE).min(max + 1 - len);
        readable(at, chunk)?;
        // SAFETY: `readable` checked the range lies in the user half and
        // backed it for reading; it stays backed (see `mapped`).
        let bytes = unsafe { core::slice::from_raw_parts(at as *const u8, chunk as usize) };
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            return Ok(len + nul as u64);
        }
        len += chunk;
        if len > max {
            return Err(too_long);
        }
    }
}
