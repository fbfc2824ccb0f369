//! fs0's pure logic: the parts of the file server that need no kernel.
//!
//! Descriptor tables ([`fdtable`]), pipe buffers ([`pipe`]) and the
//! in-memory file system ([`tmpfs`], its files' bytes in [`file_data`])
//! and the console's input editing ([`line_discipline`]) are plain
//! bookkeeping with no kernel calls and no unsafe code, so they build and
//! are unit tested on the host (`cargo test -p fs0 --lib --target
//! x86_64-unknown-linux-gnu`). The `fs0` binary does the IPC.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod block_cache;
pub mod fat;
pub mod fdtable;
pub mod file_data;
pub mod keyboard;
pub mod line_discipline;
pub mod partition;
pub mod pipe;
pub mod procfs;
pub mod tmpfs;
pub mod vfs;
pub mod vga_screen;
