//! mm0, the root server: physical memory, the pager of every task, the
//! program loader and the process table.
//!
//! Design principles:
//! - mm0 owns all free physical memory (the kernel allocates no user memory
//!   after boot) and is the only one who maps memory into tasks, through the
//!   space capabilities it keeps. It sees every frame through its physical
//!   window ([`phys`]).
//! - mm0 never blocks on a client and never calls another server: it only
//!   receives and replies ([`server`]), so no call cycle can include it and
//!   a misbehaving task can only hurt itself. A bad request gets an errno,
//!   never a panic.
//! - Memory is backed lazily: regions ([`mm0::vma`]) say what a task may
//!   touch, and the pager ([`pager`]) backs a page on first touch. mm0's own
//!   memory is wired by the kernel, so mm0 never faults.
//! - Decisions are pure and tested on the host (the `mm0` library: regions,
//!   frames, ELF, initial stack, command lines); this binary does the
//!   kernel calls.
//!
//! Start-up: map the window, find libposix, start the boot modules
//! ([`boot`]), then serve forever. With `mode=test` or `mode=bench` on the
//! kernel command line, mm0 ends the QEMU run when its tasks are done
//! ([`verdict`]).
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod audit;
mod boot;
mod clock;
mod dma;
mod exec;
mod file_objects;
mod fork;
mod fs0_events;
mod futex;
mod lifecycle;
mod loader;
mod objects;
mod pager;
mod pci;
mod phys;
mod ports;
mod power;
mod ramdisk;
mod requests;
mod roles;
mod server;
mod signal;
mod sysv_shm;
mod task;
mod threads;
mod timers;
mod verdict;
mod wait;

use alloc::collections::BTreeMap;

use abi::boot::{SLOT_FACTORY, SLOT_THREAD};
use alloc::vec::Vec;
use libtern::rt::Info;
use libtern::{factory, notify, println};
use mm0::cmdline::{self, Mode};
use mm0::process::ProcessTable;

use crate::sysv_shm::SysvShm;

use crate::phys::Phys;
use crate::server::Mm0;
use crate::verdict::Verdict;

/// mm0's heap: task tables, regions, one entry per backed page of every
/// task (an executable file is never held whole: exec reads it a page at
/// a time). Wired by the kernel, like the rest of mm0's image.
const HEAP_SIZE: usize = 24 << 20;

/// Most processes (tasks, zombies included) at once: a fork past it fails
/// with EAGAIN, so a fork bomb is contained with the system responsive.
const MAX_PROCESSES: usize = 256;

libtern::entry!(main, heap = HEAP_SIZE);

fn main(info: Info) -> i32 {
    let Info::Boot(boot) = info else {
        println!("mm0: started without BootInfo");
        return 1;
    };
    let verdict = Verdict::new(Mode::from_cmdline(boot.cmdline()));
    let verbose = cmdline::verbose(boot.cmdline());
    let phys = Phys::new(boot);
    if verbose {
        let (free, _) = phys.stats();
        println!("mm0: {} MiB of free memory, {} modules", (free * abi::PAGE_SIZE) >> 20, boot.modules().len());
    }
    let (Ok(endpoint), Ok(fs0_endpoint)) = (factory::endpoint(SLOT_FACTORY), factory::endpoint(SLOT_FACTORY)) else {
        println!("mm0: cannot create endpoints");
        return 1;
    };
    // mm0's timer: a notification bound to its own thread, so that its
    // receive also ends when a deadline passes.
    let Ok(timer) = factory::notification(SLOT_FACTORY).and_then(|n| notify::bind(n, SLOT_THREAD).map(|()| n)) else {
        println!("mm0: cannot create its timer");
        return 1;
    };
    let mut mm0 = Mm0 {
        phys,
        endpoint,
        fs0_endpoint,
        disk_endpoint: None,
        tasks: BTreeMap::new(),
        threads: BTreeMap::new(),
        next_task: 1,
        next_native: mm0::layout::NATIVE_IDS,
        processes: ProcessTable::new(MAX_PROCESSES),
        waits: Vec::new(),
        futex_waiters: Vec::new(),
        objects: BTreeMap::new(),
        next_object: 1,
        shm: SysvShm::default(),
        fs0_events: fs0_events::Fs0Events::default(),
        ramdisk_given: false,
        stopping: None,
        vga_text: boot.vga_text,
        realerts: Vec::new(),
        realert_tries: timers::FRESH_TRIES,
        caller: 0,
        caller_answered: false,
        timer,
        realtime_offset: clock::realtime_offset(),
        verdict,
        libposix: None,
        modules: Vec::new(),
        tsc_hz: boot.tsc_hz,
        verbose,
    };
    mm0.find_libposix(boot);
    mm0.start_boot_modules(boot);
    mm0.serve()
}
