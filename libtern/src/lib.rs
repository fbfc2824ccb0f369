//! libtern: the runtime of native (no_std) Tern tasks.
//!
//! Design principles:
//! - One thin, typed wrapper per kernel call. [`syscall`] holds the only
//!   `syscall` instructions; every other module turns registers into Rust
//!   types and `rax` into `Result<_, abi::Error>`. Wrappers are safe when the
//!   kernel only reads our memory or writes memory we hand it as `&mut`.
//! - IPC messages are plain values ([`ipc::Message`]): a label and up to eight
//!   register words. Larger payloads, capability transfers and grants go
//!   through the calling thread's IPC buffer, reached with copy-in/copy-out
//!   helpers so no reference to the shared page outlives one call.
//! - Per-thread state (the IPC buffer address and the thread id) lives in a
//!   small [`tls::ThreadBlock`] found through the FS base, so every thread of
//!   a task, not only the first, has its own IPC buffer.
//! - A task is started by [`rt`]: `_start` aligns the stack and runs the
//!   binary's `main`, named with [`entry!`], after setting up the heap
//!   ([`heap`], a fixed arena in .bss sized per binary). Returning from main,
//!   or panicking, ends the task through mm0 with a status; nothing ends
//!   silently.
//! - Output goes to the kernel console through `DebugWrite`, one call per
//!   line ([`console`]), so lines of different tasks do not interleave.
//! - Requests to mm0 (exit, memory, threads) are wrapped in [`mm0`];
//!   [`thread`] builds `spawn`/`join` on top of them.
//!
//! The runtime pieces that only make sense inside a Tern task (entry point,
//! panic handler, global allocator, the image's linker symbols) are
//! compiled for `target_os = "none"` only, so a crate depending on libtern
//! can still run host unit tests.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod cap;
pub mod console;
pub mod device;
pub mod factory;
pub mod grant;
#[cfg(target_os = "none")]
pub mod heap;
#[cfg(target_os = "none")]
pub mod image;
pub mod ipc;
pub mod kthread;
pub mod mm0;
pub mod notify;
#[cfg(target_os = "none")]
pub mod rt;
pub mod space;
pub mod syscall;
pub mod thread;
pub mod time;
pub mod tls;

pub use abi::{Error, MsgInfo, Rights};
pub use ipc::Message;
