//! Per-thread state answered locally: the thread pointer (FS base), the
//! thread id and the clear-child-tid word.
//!
//! Only the main thread exists until clone is implemented, and a main
//! thread's id is its process's id, as on Linux. The FS base is set through
//! the kernel (`SetFsBase`) and remembered here, so ARCH_GET_FS needs no
//! kernel call.

use crate::syscalls::{Args, SysResult};
use crate::{identity, user};
use core::sync::atomic::{AtomicU64, Ordering};
use fs0_proto::errno::{EINVAL, EPERM};
use libtern_sys::kthread;

/// arch_prctl codes.
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;

/// The FS base last set with ARCH_SET_FS.
static FS_BASE: AtomicU64 = AtomicU64::new(0);
/// The address set_tid_address registered (0: none). Linux writes 0 there
/// when the thread exits.
static CLEAR_CHILD_TID: AtomicU64 = AtomicU64::new(0);

/// arch_prctl(code, addr)
pub fn arch_prctl(args: &Args) -> SysResult {
    let [code, addr, ..] = *args;
    match code {
        ARCH_SET_FS => {
            // SAFETY: the FS base is the program's thread pointer, which it
            // asks to set; libposix itself never uses the FS base.
            unsafe { kthread::set_fs_base(addr) }.map_err(|_| EPERM)?;
            FS_BASE.store(addr, Ordering::Relaxed);
            Ok(0)
        }
        ARCH_GET_FS => user::write(addr, FS_BASE.load(Ordering::Relaxed)).map(|()| 0),
        _ => Err(EINVAL),
    }
}

/// The calling thread's id: the only thread is the main thread, whose id is
/// the process id.
fn current_tid() -> SysResult {
    identity::pid()
}

/// set_tid_address(tidptr)
pub fn set_tid_address(args: &Args) -> SysResult {
    CLEAR_CHILD_TID.store(args[0], Ordering::Relaxed);
    current_tid()
}

/// gettid()
pub fn gettid(_args: &Args) -> SysResult {
    current_tid()
}

/// The FS base as the program last set it.
pub fn fs_base() -> u64 {
    FS_BASE.load(Ordering::Relaxed)
}

/// In a forked child: no clear-child-tid word (Linux sets one only for
/// clone with CLONE_CHILD_CLEARTID).
pub fn forked() {
    CLEAR_CHILD_TID.store(0, Ordering::Relaxed);
}

/// What Linux does for an exiting thread: clear the registered tid word.
/// A bad address there is ignored, as Linux ignores it.
pub fn release() {
    let tidptr = CLEAR_CHILD_TID.swap(0, Ordering::Relaxed);
    if tidptr != 0 {
        let _ = user::write(tidptr, 0u32);
    }
}
