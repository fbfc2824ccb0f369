//! mm0's pure logic: the parts of the root server that need no kernel.
//!
//! Everything here is bookkeeping and decisions (memory regions, free
//! frames, ELF segments, the initial POSIX stack, command lines, the address
//! layout) with no kernel calls and no unsafe code, so it builds and is unit
//! tested on the host (`cargo test -p mm0 --lib --target
//! x86_64-unknown-linux-gnu`). The `mm0` binary (`main.rs` and the modules it
//! declares) does the kernel calls and uses this library for every decision.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod cmdline;
pub mod elf;
pub mod frames;
pub mod layout;
pub mod process;
pub mod rtc;
pub mod stack;
pub mod vma;
