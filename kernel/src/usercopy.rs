//! Copying to and from user memory without touching user addresses.
//!
//! The kernel walks the task's page tables and copies through the direct
//! map. A page that is absent, not user-accessible, or (for writes)
//! read-only makes the copy fail with `BadAddress`; the kernel itself never
//! faults on a user pointer, whichever task's memory it is. Every page is
//! checked before the first byte moves, so a failed copy changes nothing.

use abi::Error;

use crate::paging::{PageTables, phys_to_virt};

const PAGE: u64 = abi::PAGE_SIZE;

/// Check that every page of `[addr, addr + len)` allows a user access of
/// that kind.
pub fn check_range(tables: &PageTables, addr: u64, len: usize, write: bool) -> Result<(), Error> {
    check(addr, len)?;
    let mut at = addr;
    while at < addr + len as u64 {
        tables.translate(at, write).ok_or(Error::BadAddress)?;
        at = (at / PAGE + 1) * PAGE;
    }
    Ok(())
}

/// Copy `dst.len()` bytes from user address `src` of `tables`.
pub fn read(tables: &PageTables, src: u64, dst: &mut [u8]) -> Result<(), Error> {
    check_range(tables, src, dst.len(), false)?;
    let mut done = 0;
    while done < dst.len() {
        let addr = src + done as u64;
        let n = chunk(addr, dst.len() - done);
        let phys = tables.translate(addr, false).ok_or(Error::BadAddress)?;
        // SAFETY: phys..phys+n lies within one mapped user page, reached
        // through the direct map; dst is a kernel buffer of sufficient size.
        unsafe { core::ptr::copy_nonoverlapping(phys_to_virt(phys) as *const u8, dst[done..].as_mut_ptr(), n) };
        done += n;
    }
    Ok(())
}

/// Copy `src` to user address `dst` of `tables`.
pub fn write(tables: &PageTables, dst: u64, src: &[u8]) -> Result<(), Error> {
    check_range(tables, dst, src.len(), true)?;
    let mut done = 0;
    while done < src.len() {
        let addr = dst + done as u64;
        let n = chunk(addr, src.len() - done);
        let phys = tables.translate(addr, true).ok_or(Error::BadAddress)?;
        // SAFETY: as in `read`, with the page checked writable by the user.
        unsafe { core::ptr::copy_nonoverlapping(src[done..].as_ptr(), phys_to_virt(phys) as *mut u8, n) };
        done += n;
    }
    Ok(())
}

/// Copy `len` bytes between two user address spaces.
pub fn copy_between(from: &PageTables, src: u64, to: &PageTables, dst: u64, len: usize) -> Result<(), Error> {
    check_range(from, src, len, false)?;
    check_range(to, dst, len, true)?;
    let mut done = 0;
    while done < len {
        let (s, d) = (src + done as u64, dst + done as u64);
        let n = chunk(s, len - done).min(chunk(d, len - done));
        let sp = from.translate(s, false).ok_or(Error::BadAddress)?;
        let dp = to.translate(d, true).ok_or(Error::BadAddress)?;
        // SAFETY: both ranges lie within single checked user pages; `copy`
        // tolerates overlap when a space copies within itself.
        unsafe { core::ptr::copy(phys_to_virt(sp) as *const u8, phys_to_virt(dp) as *mut u8, n) };
        done += n;
    }
    Ok(())
}

fn check(addr: u64, len: usize) -> Result<(), Error> {
    if len == 0 || abi::is_user_range(addr, len as u64) { Ok(()) } else { Err(Error::BadAddress) }
}

/// Bytes from `addr` to the end of its page, at most `left`.
fn chunk(addr: u64, left: usize) -> usize {
    ((PAGE - addr % PAGE) as usize).min(left)
}

/// Read a plain-data value from user memory.
pub fn read_value<T: Copy + Default>(tables: &PageTables, src: u64) -> Result<T, Error> {
    let mut value = T::default();
    // SAFETY: T is Copy plain data (callers use repr(C) integer structs);
    // the byte view covers exactly the value.
    let bytes = unsafe { core::slice::from_raw_parts_mut(&mut value as *mut T as *mut u8, core::mem::size_of::<T>()) };
    read(tables, src, bytes)?;
    Ok(value)
}

/// Write a plain-data value to user memory.
pub fn write_value<T: Copy>(tables: &PageTables, dst: u64, value: &T) -> Result<(), Error> {
    // SAFETY: T is Copy plain data; the byte view covers exactly the value.
    let bytes = unsafe { core::slice::from_raw_parts(value as *const T as *const u8, core::mem::size_of::<T>()) };
    write(tables, dst, bytes)
}
