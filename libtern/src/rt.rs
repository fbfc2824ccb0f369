//! Start and end of a native task: `_start`, the main hook, exit, panics.
//!
//! A native task starts at `_start` with `rsp` at the top of its stack and
//! `rdi` = the address of its info page: the kernel's [`BootInfo`] for the
//! root server (recognised by its magic number), mm0's [`StartInfo`] for
//! every other task. `_start` aligns the stack and calls `start`, which
//! installs the main thread's [`crate::tls::ThreadBlock`] and calls the
//! function the binary named with [`crate::entry!`].
//!
//! Ending: returning from main, or a panic (status [`PANIC_STATUS`]), calls
//! [`exit`]. A task started by mm0 sends mm0 `EXIT`; the root server has no
//! one to tell, so it runs its exit hook ([`set_exit_hook`]), and without one
//! parks forever. Nothing ends silently as a success.

use core::sync::atomic::{AtomicPtr, AtomicU8, Ordering};

use abi::boot::{BOOT_INFO_MAGIC, BootInfo};
use mm0_proto::{NATIVE_IPC_BUFFER, StartInfo};

/// Exit status of a task whose code panicked.
pub const PANIC_STATUS: i32 = 101;

/// The info page a task was started with.
#[derive(Clone, Copy)]
pub enum Info {
    /// The root server's view of the machine.
    Boot(&'static BootInfo),
    /// What mm0 tells a task it starts.
    Start(&'static StartInfo),
}

const ROLE_UNKNOWN: u8 = 0;
const ROLE_ROOT: u8 = 1;
const ROLE_TASK: u8 = 2;
static ROLE: AtomicU8 = AtomicU8::new(ROLE_UNKNOWN);

static EXIT_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

unsafe extern "Rust" {
    /// Defined by [`crate::entry!`] in the binary.
    fn __libtern_main(info: Info) -> i32;
}

/// The entry point of every native task.
#[unsafe(naked)]
#[unsafe(no_mangle)]
#[unsafe(link_section = ".text.entry")]
pub extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",
        "and rsp, -16",
        "call {start}",
        "ud2",
        start = sym start,
    )
}

/// Sets up the main thread and runs the binary's main.
extern "C" fn start(info_addr: u64) -> ! {
    // SAFETY: the kernel (for the root server) or mm0 maps the info page
    // read-only at `info_addr` before the task starts and keeps it there for
    // the task's life; nothing writes it afterwards. Both structures start
    // with a u64, and BootInfo is told apart by its magic number.
    let info = unsafe {
        if *(info_addr as *const u64) == BOOT_INFO_MAGIC {
            Info::Boot(&*(info_addr as *const BootInfo))
        } else {
            Info::Start(&*(info_addr as *const StartInfo))
        }
    };
    let (role, thread_id) = match info {
        Info::Boot(_) => (ROLE_ROOT, 0),
        Info::Start(start) => (ROLE_TASK, start.thread_id),
    };
    ROLE.store(role, Ordering::Relaxed);
    // The root server's IPC buffer (abi ROOT_IPC_BUFFER) is at the same
    // address as every native task's.
    let block = crate::tls::main_block();
    block.set(NATIVE_IPC_BUFFER, thread_id);
    // SAFETY: the main block is a static, valid for the whole task.
    if let Err(e) = unsafe { block.install() } {
        crate::println!("libtern: SetFsBase failed: {e:?}");
        exit(PANIC_STATUS);
    }
    // SAFETY: `__libtern_main` is defined by `entry!` with this signature.
    let status = unsafe { __libtern_main(info) };
    exit(status)
}

/// Makes [`exit`] in the root server call `hook` (which must not return).
pub fn set_exit_hook(hook: fn(i32) -> !) {
    EXIT_HOOK.store(hook as *mut (), Ordering::Release);
}

/// Ends the task with `status`.
pub fn exit(status: i32) -> ! {
    if ROLE.load(Ordering::Relaxed) == ROLE_TASK {
        let why = crate::mm0::exit(status as u64);
        crate::println!("libtern: EXIT request failed ({why:?}); parking");
        park();
    }
    let hook = EXIT_HOOK.load(Ordering::Acquire);
    if !hook.is_null() {
        // SAFETY: EXIT_HOOK only ever holds a `fn(i32) -> !` stored by
        // `set_exit_hook`.
        let hook: fn(i32) -> ! = unsafe { core::mem::transmute::<*mut (), fn(i32) -> !>(hook) };
        hook(status);
    }
    crate::println!("libtern: exit with status {status} and no one to tell; parking");
    park()
}

/// Gives the CPU away forever: the task cannot end and must not go on.
fn park() -> ! {
    loop {
        crate::time::yield_now();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(at) => crate::println!("panicked at {}:{}: {}", at.file(), at.line(), info.message()),
        None => crate::println!("panicked: {}", info.message()),
    }
    exit(PANIC_STATUS)
}

/// Names the binary's main function and heap size:
/// `libtern::entry!(main, heap = 1 << 20);` with
/// `fn main(info: libtern::rt::Info) -> i32` (or `-> !`).
#[macro_export]
macro_rules! entry {
    ($main:path, heap = $size:expr) => {
        #[unsafe(no_mangle)]
        fn __libtern_main(info: $crate::rt::Info) -> i32 {
            static ARENA: $crate::heap::Arena<{ $size }> = $crate::heap::Arena::new();
            $crate::heap::init(&ARENA);
            $main(info)
        }
    };
}
