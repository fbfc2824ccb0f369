//! Where things go: mm0's own physical window and the address-space layout
//! mm0 gives the tasks it starts.
//!
//! Native task (linked at 16 MiB by libtern's `native.ld`):
//! ```text
//! 0x0010_0000            StartInfo page (read-only)
//! 0x0011_0000 + i*4K     IPC buffer of thread i (i < MAX_THREADS)
//! 0x0070_0000..0x0080_0000  main stack (lazily backed)
//! 0x0100_0000..          image, then the brk heap
//! MMAP_BOTTOM..MMAP_TOP  anonymous mappings, placed top-down
//! ```
//! A POSIX process has the same heap and mmap areas, libposix at
//! `LIBPOSIX_BASE`, its IPC buffers from `POSIX_IPC_BUFFER`, its signal area
//! at `mm0_proto::signal::SIGNAL_AREA` and its stack below
//! `POSIX_STACK_TOP`.

use abi::PAGE_SIZE;
use mm0_proto::{NATIVE_IPC_BUFFER, NATIVE_STACK_TOP, POSIX_IPC_BUFFER, POSIX_STACK_TOP};

/// Virtual address in mm0 of physical address 0 (mm0 maps every free frame
/// and every module at `WINDOW + phys`).
pub const WINDOW: u64 = 0x0000_4000_0000_0000;

/// Most threads a task can have at once (each has one IPC buffer page).
pub const MAX_THREADS: usize = 64;
/// The first id of a native task: above every pid (Linux's largest
/// pid_max), so that POSIX processes number from 1 with init first.
pub const NATIVE_IDS: u64 = 1 << 22;

/// Size of a native task's main stack.
pub const NATIVE_STACK_SIZE: u64 = 1024 * 1024;
/// Size of a POSIX process's main stack.
pub const POSIX_STACK_SIZE: u64 = 8 * 1024 * 1024;

/// Lowest address of the anonymous-mapping area.
pub const MMAP_BOTTOM: u64 = 0x0000_1000_0000_0000;
/// End of the anonymous-mapping area (below libposix).
pub const MMAP_TOP: u64 = 0x0000_7e00_0000_0000;

/// Most bytes the brk heap may grow to.
pub const HEAP_MAX: u64 = 1 << 32;

/// Whether a task is a native Tern task or a POSIX process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    Native,
    Posix,
}

impl TaskKind {
    /// Address of the IPC buffer of thread `index`.
    pub const fn ipc_buffer(self, index: usize) -> u64 {
        let base = match self {
            TaskKind::Native => NATIVE_IPC_BUFFER,
            TaskKind::Posix => POSIX_IPC_BUFFER,
        };
        base + index as u64 * PAGE_SIZE
    }

    /// The main stack: `[start, end)`.
    pub const fn stack(self) -> (u64, u64) {
        match self {
            TaskKind::Native => (NATIVE_STACK_TOP - NATIVE_STACK_SIZE, NATIVE_STACK_TOP),
            TaskKind::Posix => (POSIX_STACK_TOP - POSIX_STACK_SIZE, POSIX_STACK_TOP),
        }
    }
}

/// `addr` rounded down to a page boundary.
pub const fn page_down(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// `addr` rounded up to a page boundary (`None` on overflow).
pub const fn page_up(addr: u64) -> Option<u64> {
    match addr.checked_add(PAGE_SIZE - 1) {
        Some(a) => Some(a & !(PAGE_SIZE - 1)),
        None => None,
    }
}

// The areas of each kind of task do not overlap (checked at compile time).
const _: () = {
    let native = TaskKind::Native;
    let (stack_start, stack_end) = native.stack();
    assert!(mm0_proto::NATIVE_START_INFO + PAGE_SIZE <= native.ipc_buffer(0));
    assert!(native.ipc_buffer(MAX_THREADS - 1) + PAGE_SIZE <= stack_start);
    assert!(stack_end <= 0x0100_0000);

    let posix = TaskKind::Posix;
    assert!(MMAP_TOP <= mm0_proto::LIBPOSIX_BASE);
    assert!(mm0_proto::LIBPOSIX_BASE < POSIX_IPC_BUFFER);
    assert!(posix.ipc_buffer(MAX_THREADS - 1) + PAGE_SIZE <= posix.stack().0);
    let area = mm0_proto::signal::SIGNAL_AREA;
    assert!(posix.ipc_buffer(MAX_THREADS - 1) + PAGE_SIZE <= area);
    assert!(area + mm0_proto::signal::SIGNAL_AREA_SIZE <= posix.stack().0);
    assert!(MAX_THREADS == mm0_proto::signal::THREAD_SLOTS);
    assert!(posix.stack().1 <= abi::USER_TOP);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(page_down(0x1fff), 0x1000);
        assert_eq!(page_up(0x1001), Some(0x2000));
        assert_eq!(page_up(0x1000), Some(0x1000));
        assert_eq!(page_up(u64::MAX), None);
    }
}
