//! Symbolized backtraces for kernel faults and panics.
//!
//! The build writes the kernel's function symbols to the `kernel.sym` boot
//! module (`<hex address> <hex size> <name>` per line, sorted); the kernel
//! walks its frame-pointer chain and looks each return address up there.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::boot::KERNEL_VMA;

static TABLE: AtomicU64 = AtomicU64::new(0);
static TABLE_LEN: AtomicU64 = AtomicU64::new(0);

/// Use the text at `virt` (in the direct map) as the symbol table.
pub fn set_table(virt: u64, len: u64) {
    TABLE.store(virt, Ordering::Relaxed);
    TABLE_LEN.store(len, Ordering::Relaxed);
}

fn table() -> &'static str {
    let (ptr, len) = (TABLE.load(Ordering::Relaxed), TABLE_LEN.load(Ordering::Relaxed));
    if ptr == 0 {
        return "";
    }
    // SAFETY: set_table was given a boot module that stays reserved and
    // mapped for the kernel's lifetime.
    let bytes = unsafe { core::slice::from_raw_parts(ptr as *const u8, len as usize) };
    core::str::from_utf8(bytes).unwrap_or("")
}

/// The function containing `addr` and the offset into it.
pub fn lookup(addr: u64) -> Option<(&'static str, u64)> {
    table().lines().find_map(|line| {
        let mut parts = line.splitn(3, ' ');
        let start = u64::from_str_radix(parts.next()?, 16).ok()?;
        let size = u64::from_str_radix(parts.next()?, 16).ok()?;
        let name = parts.next()?;
        (start <= addr && addr < start + size.max(1)).then_some((name, addr - start))
    })
}

fn print_frame(i: usize, addr: u64) {
    match lookup(addr) {
        Some((name, off)) => crate::console::print_panic(format_args!("  #{i} {addr:#x} {name}+{off:#x}\n")),
        None => crate::console::print_panic(format_args!("  #{i} {addr:#x} ?\n")),
    }
}

/// Print `rip` and the return addresses along the `rbp` chain.
pub fn print_backtrace(rip: u64, mut rbp: u64) {
    crate::console::print_panic(format_args!("backtrace:\n"));
    print_frame(0, rip);
    for i in 1..32 {
        if rbp < KERNEL_VMA || !rbp.is_multiple_of(8) {
            break;
        }
        // SAFETY: rbp lies in the kernel image mapping (checked above),
        // where kernel stacks live; a frame there holds saved rbp and the
        // return address.
        let (next, ret) = unsafe { (*(rbp as *const u64), *((rbp + 8) as *const u64)) };
        if ret == 0 {
            break;
        }
        print_frame(i, ret);
        rbp = next;
    }
}
