//! Access to the program's memory from libposix.
//!
//! libposix runs in the program's address space, so a program pointer is
//! directly usable once it is known to be sane. Every pointer is checked to
//! lie in the user half (not in page zero, no overflow) before use; a range
//! that fails is `EFAULT`.
//!
//! Memory the program has not touched yet may be unmapped: mm0 maps a page
//! on its first fault. The kernel's `GrantCopy` does not fault pages in, so
//! before granting a buffer to a server libposix touches each of its pages.
//! A pointer into a hole of the program's address space faults on that
//! touch, and mm0 then treats the fault like the program's own.

use abi::PAGE_SIZE;
use fs0_proto::errno::EFAULT;

/// Check that `[addr, addr + len)` lies in the user half.
pub fn check_range(addr: u64, len: u64) -> Result<(), u32> {
    if abi::is_user_range(addr, len) { Ok(()) } else { Err(EFAULT) }
}

/// Check `[addr, addr + len)` and read one byte of each of its pages so that
/// mm0 maps them before a server copies from them.
pub fn fault_in_for_read(addr: u64, len: u64) -> Result<(), u32> {
    check_range(addr, len)?;
    if len == 0 {
        return Ok(());
    }
    let last = (addr + len - 1) & !(PAGE_SIZE - 1);
    let mut page = addr & !(PAGE_SIZE - 1);
    loop {
        let probe = page.max(addr);
        // SAFETY: `probe` lies in the checked user range; a volatile byte read
        // has no effect on the program beyond mapping the page.
        unsafe { core::ptr::read_volatile(probe as *const u8) };
        if page == last {
            return Ok(());
        }
        page += PAGE_SIZE;
    }
}

/// Read a `T` from program memory at `addr`. `T` must be plain data that
/// every bit pattern is a valid value of (integers and arrays of them).
pub fn read<T: Copy>(addr: u64) -> Result<T, u32> {
    check_range(addr, size_of::<T>() as u64)?;
    // SAFETY: the range lies in the user half; callers use only plain data
    // types valid for every bit pattern, and the read is unaligned-safe.
    Ok(unsafe { core::ptr::read_unaligned(addr as *const T) })
}

/// Write `value` to program memory at `addr`.
pub fn write<T: Copy>(addr: u64, value: T) -> Result<(), u32> {
    check_range(addr, size_of::<T>() as u64)?;
    // SAFETY: the range lies in the user half and the program passed it as
    // an output buffer; the write is unaligned-safe.
    unsafe { core::ptr::write_unaligned(addr as *mut T, value) };
    Ok(())
}
