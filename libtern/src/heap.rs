//! The task's heap: a first-fit allocator over a fixed arena in .bss.
//!
//! Each binary chooses its arena size in [`crate::entry!`]; the arena is a
//! static, so its pages come with the image (mm0 backs .bss pages lazily, on
//! first touch, so an unused part of a generous arena costs no memory).
//! The allocator is a spin-locked linked list, shared by all threads of the
//! task.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use linked_list_allocator::LockedHeap;

/// Memory for the heap. Only [`init`] hands out its address, once.
#[repr(C, align(4096))]
pub struct Arena<const N: usize>(UnsafeCell<[u8; N]>);

// SAFETY: the bytes are reached only through the allocator, which locks.
unsafe impl<const N: usize> Sync for Arena<N> {}

impl<const N: usize> Arena<N> {
    pub const fn new() -> Arena<N> {
        Arena(UnsafeCell::new([0; N]))
    }
}

impl<const N: usize> Default for Arena<N> {
    fn default() -> Arena<N> {
        Arena::new()
    }
}

#[global_allocator]
static ALLOCATOR: LockedHeap = LockedHeap::empty();

static STARTED: AtomicBool = AtomicBool::new(false);

/// Gives `arena` to the global allocator. Only the first call has an effect.
pub fn init<const N: usize>(arena: &'static Arena<N>) {
    if STARTED.swap(true, Ordering::AcqRel) {
        return;
    }
    // SAFETY: the arena is 'static, and this is the only place that takes its
    // address (guarded by STARTED), so the allocator owns it exclusively.
    unsafe {
        ALLOCATOR.lock().init(arena.0.get().cast::<u8>(), N);
    }
}
