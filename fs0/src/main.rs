//! fs0: the filesystem server: every process's descriptor table, open file
//! descriptions, the devices of /dev (console, null, zero, full, random)
//! and pipes ([`files`]), the file tree ([`namespace`], `fs0::vfs`): an
//! in-memory file system with /dev, /tmp and /dev/shm, and as the root
//! either that or a FAT volume on the IDE disk ([`storage`]).
//!
//! Design principles:
//! - One request loop ([`server`]): receive a request on the service
//!   endpoint, answer it, and wait for the next one in the same `ReplyRecv`.
//!   A request is handled completely before the next is taken.
//! - Every request is checked. A bad label is `ENOSYS`, bad words `EINVAL`,
//!   an unknown handle `EBADF`, a grant that cannot be copied `EFAULT`. No
//!   request can make fs0 panic.
//! - Client memory is reached only through the grants of the current call,
//!   copied in bounded chunks into fs0's own buffer; fs0 never sees a client
//!   address.
//! - fs0 is a driver too: it owns the first serial port ([`serial`]) and
//!   drives it by polling; [`console`] turns text into terminal output.
//! - fs0 only ever calls mm0, never the other way round, so the two cannot
//!   deadlock.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod console;
mod devices;
mod file_memory;
mod files;
mod namespace;
mod processes;
mod ps2;
mod serial;
mod server;
mod storage;
mod vga;

use core::sync::atomic::{AtomicU64, Ordering};

use alloc::boxed::Box;
use fs0::fat::FatClock;

use fs0::procfs::Procfs;
use fs0::vfs::Vfs;

use libtern::println;
use libtern::rt::Info;

libtern::entry!(main, heap = HEAP_SIZE);

/// fs0's heap: the tmpfs (at most `namespace::TMPFS_LIMIT`, 16 MiB), the
/// disk's block cache (`storage::CACHE_BLOCKS`, 8 MiB), descriptor tables,
/// descriptions, pipe buffers (64 KiB each when full). mm0 wires it with
/// the rest of fs0's memory.
const HEAP_SIZE: usize = 40 << 20;

/// Exit status when fs0 cannot serve at all.
const FAILED: i32 = 1;

/// Nanoseconds from the kernel clock to UTC (mm0 reads the RTC at boot).
static REALTIME_OFFSET: AtomicU64 = AtomicU64::new(0);

/// Now, in ns since the epoch (file times).
pub fn utc_now() -> u64 {
    libtern::time::now_ns() + REALTIME_OFFSET.load(Ordering::Relaxed)
}

/// The time FAT stamps on what it writes.
static FAT_CLOCK: FatClock = FatClock(utc_now);

fn main(info: Info) -> i32 {
    let args = match info {
        Info::Start(start) => start.args(),
        Info::Boot(_) => "",
    };
    if let Err(e) = libtern::device::ioport_enable(mm0_proto::SLOT_SERIAL_PORTS) {
        println!("fs0: cannot use the serial port: {e:?}");
        return FAILED;
    }
    // Process events from mm0 end fs0's receive (see `server`).
    if let Err(e) = libtern::notify::bind(mm0_proto::SLOT_FS0_EVENTS, mm0_proto::SLOT_FS0_THREAD) {
        println!("fs0: cannot take process events: {e:?}");
        return FAILED;
    }
    // Console input: the serial IRQ ends fs0's receive the same way.
    let uart = serial::Uart::COM1;
    match libtern::device::irq_bind(mm0_proto::SLOT_SERIAL_IRQ, mm0_proto::SLOT_FS0_EVENTS, server::CONSOLE_INPUT_BIT) {
        Ok(()) => uart.enable_receive(),
        Err(e) => println!("fs0: no console input: {e:?}"),
    }
    REALTIME_OFFSET.store(realtime_offset(), Ordering::Relaxed);
    let mut fs = Vfs::new(namespace::initial_tmpfs(utc_now()));
    storage::mount_root(&mut fs, args, &FAT_CLOCK);
    if let Err(e) = fs.mount_proc(Procfs::new(Box::new(processes::Mm0Processes))) {
        println!("fs0: /proc not mounted (errno {e})");
    }
    let keyboard =
        ps2::Ps2Keyboard::open(server::KEYBOARD_INPUT_BIT).inspect_err(|e| println!("fs0: no keyboard: {e:?}")).ok();
    let console = console::Console::new(uart, vga::open(), keyboard);
    let mut files = files::Files::new(console, fs);
    // Bytes typed before the IRQ was bound raised no interrupt.
    files.console_input();
    match server::serve(&mut files) {
        server::Stop::Shutdown => 0,
        server::Stop::UnmountFailed => FAILED,
        server::Stop::Failed(e) => {
            println!("fs0: the service endpoint failed: {e:?}");
            FAILED
        }
    }
}

/// mm0's offset from the kernel clock to UTC (0 if it cannot say), for
/// file times.
fn realtime_offset() -> u64 {
    let request = libtern::ipc::Message::new(mm0_proto::label::REALTIME_OFFSET, &[]);
    match libtern::ipc::call(mm0_proto::SLOT_MM0, &request) {
        Ok(reply) if reply.label() == 0 => reply.word(0),
        _ => 0,
    }
}
