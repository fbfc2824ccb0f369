//! The file descriptor table of the process.
//!
//! A descriptor names an fs0 handle. Until open files exist, the table is
//! fixed: 0, 1 and 2 are the console, every other number is `EBADF`.
//! Linux takes descriptors as `unsigned int`: only the low 32 bits of the
//! register count.

use fs0_proto::errno::EBADF;

/// Descriptors open on the console in every process.
const CONSOLE_FDS: core::ops::RangeInclusive<u32> = 0..=2;

/// The fs0 handle behind the descriptor in `reg`.
pub fn handle(reg: u64) -> Result<u64, u32> {
    let fd = reg as u32;
    if CONSOLE_FDS.contains(&fd) { Ok(fs0_proto::CONSOLE) } else { Err(EBADF) }
}

/// True when the descriptor in `reg` refers to a terminal (the console).
pub fn is_terminal(reg: u64) -> Result<bool, u32> {
    handle(reg).map(|h| h == fs0_proto::CONSOLE)
}
