//! The kernel heap: one contiguous range of physical memory, reached
//! through the direct map, managed by `linked_list_allocator`.
//!
//! Kernel objects and user page tables come from here. Object creation
//! refuses (`NoMemory`) while less than [`RESERVE`] bytes are free, so a task
//! creating objects in a loop cannot starve the kernel of page tables.

use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Bytes kept back for page tables and IPC bookkeeping.
pub const RESERVE: usize = 1 << 20;

pub fn init(virt: u64, bytes: usize) {
    // SAFETY: the range is a free physical range taken for the heap alone,
    // mapped writable in the direct map, and init runs once.
    unsafe { HEAP.lock().init(virt as *mut u8, bytes) };
}

pub fn free_bytes() -> usize {
    HEAP.lock().free()
}

/// True when a new kernel object may be created.
pub fn has_room() -> bool {
    free_bytes() > RESERVE
}
