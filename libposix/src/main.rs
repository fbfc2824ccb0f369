//! libposix: the POSIX personality, mapped into every POSIX process.
//!
//! Design principles:
//! - A POSIX program is an ordinary static Linux x86_64 executable. Its
//!   `syscall` instructions do not reach the kernel: the kernel reflects them
//!   to libposix's entry ([`entry`]) in the same thread, with every register as
//!   the program left it. libposix answers with Linux semantics, so the
//!   program cannot tell it is not running on Linux.
//! - libposix is the one place that implements POSIX semantics. It answers
//!   locally what it can (thread pointer, window size) and turns the rest into
//!   IPC to the servers: memory and process calls to mm0, files to fs0. Bulk
//!   data goes to the servers through one-call memory grants, never through
//!   shared buffers.
//! - Every call number is known by name ([`syscalls`]); a call libposix does
//!   not implement returns `-ENOSYS` and is logged once, never a crash. A bad
//!   pointer or argument is an errno.
//! - Per-process state (logged-call bitmap, thread pointer, the process's
//!   identity, pages known to be backed, later the fd table) lives in
//!   libposix's own .data/.bss, which mm0 maps privately into each process.
//!   It is kept in atomics, so no `static mut` is needed.
//! - Kernel calls and IPC come from `libtern-sys`, the runtime-free half of
//!   libtern: libposix lives in someone else's program, so it brings no
//!   runtime (no `_start`, allocator or per-thread data at the FS base,
//!   which is the program's).
//! - libposix is built soft-float: it never touches the program's SSE or x87
//!   registers, so the entry stub saves only the integer registers.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

mod credentials;
mod entry;
mod exec;
mod fd;
mod fork;
mod fs;
mod identity;
mod limits;
mod log;
mod mapped;
mod memory;
mod path;
mod poll;
mod process;
mod random;
mod sched;
mod server;
mod shm;
mod signal;
mod syscalls;
mod system;
mod thread;
mod time;
mod tty;
mod user;

/// Exit status of a process whose libposix panicked (128 + SIGABRT, what a
/// shell shows for an abort).
const PANIC_STATUS: u64 = 134;

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    log::line(format_args!("panic: {info}"));
    process::exit_process(PANIC_STATUS)
}
