//! libtern: the runtime of native (no_std) Tern tasks.
//!
//! Design principles:
//! - The kernel calls, IPC, grants and mm0 requests come from
//!   [`libtern_sys`], re-exported here under the same module names; libtern
//!   adds what only a task that owns its whole address space may have.
//!   libposix, which lives inside POSIX programs, uses `libtern-sys` alone.
//! - Per-thread state (the IPC buffer address and the thread id) lives in a
//!   small [`tls::ThreadBlock`] found through the FS base, so every thread of
//!   a task, not only the first, has its own IPC buffer; the helpers of
//!   [`ipc`] reach the current thread's buffer through it.
//! - A task is started by [`rt`]: `_start` aligns the stack and runs the
//!   binary's `main`, named with [`entry!`], after setting up the heap
//!   ([`heap`], a fixed arena in .bss sized per binary). Returning from main,
//!   or panicking, ends the task through mm0 with a status; nothing ends
//!   silently.
//! - [`thread`] builds `spawn`/`join` on mm0's thread requests.
//!
//! The runtime pieces that only make sense inside a Tern task (entry point,
//! panic handler, global allocator, the image's linker symbols) are
//! compiled for `target_os = "none"` only, so a crate depending on libtern
//! can still run host unit tests.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

#[cfg(target_os = "none")]
pub mod heap;
#[cfg(target_os = "none")]
pub mod image;
pub mod ipc;
#[cfg(target_os = "none")]
pub mod rt;
pub mod server;
pub mod thread;
pub mod tls;

pub use abi::{Error, MsgInfo, Rights};
pub use ipc::Message;
pub use libtern_sys::{
    calendar, cap, console, device, factory, grant, ipc_buffer, kthread, mm0, notify, random, space, syscall, time,
};
pub use libtern_sys::{print, println};
