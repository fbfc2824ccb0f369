//! libtern-sys: the kernel-call and IPC layer of Tern, without a runtime.
//!
//! Design principles:
//! - One thin, typed wrapper per kernel call. [`syscall`] holds the only
//!   `syscall` instructions; every other module turns registers into Rust
//!   types and `rax` into `Result<_, abi::Error>`. Wrappers are safe when the
//!   kernel only reads our memory or writes memory we hand it as `&mut`.
//! - IPC messages are plain values ([`ipc::Message`]): a label and up to eight
//!   register words. Larger payloads, capability transfers and grants go
//!   through the calling thread's IPC buffer, reached through a
//!   [`ipc_buffer::ThreadIpcBuffer`] made from its address, with
//!   copy-in/copy-out helpers so no reference to the shared page outlives
//!   one call.
//! - No runtime: no entry point, panic handler, allocator or per-thread
//!   data, and nothing that assumes what the FS base points at. So this
//!   crate serves code that lives inside someone else's process (libposix,
//!   mapped into every POSIX program, which owns its FS base and its
//!   thread-local storage) as well as native tasks, which get the runtime
//!   on top from `libtern`.
//! - Output goes to the kernel console through `DebugWrite`, one call per
//!   line ([`console`]), so lines of different tasks do not interleave.
//! - Requests to mm0 (exit, memory, threads, process identity) are wrapped
//!   in [`mm0`].
//!
//! Why a crate of its own rather than a cargo feature of libtern: cargo
//! unifies the features of a dependency across all packages built in one
//! invocation (`cargo tern build` builds mm0, fs0, ktest and libposix
//! together), so a `runtime` feature that the native tasks switch on would
//! be on in libposix too, with a second panic handler and the `alloc` crate
//! (which then demands a global allocator).
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod calendar;
pub mod cap;
pub mod console;
pub mod device;
pub mod factory;
pub mod grant;
pub mod ipc;
pub mod ipc_buffer;
pub mod kthread;
pub mod mm0;
pub mod notify;
pub mod random;
pub mod space;
pub mod syscall;
pub mod time;

pub use abi::{Error, MsgInfo, Rights};
pub use ipc::Message;
