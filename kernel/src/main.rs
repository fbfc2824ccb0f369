//! The Tern microkernel.
//!
//! Design principles:
//! - Mechanisms only: address spaces, threads, IPC, notifications,
//!   capabilities, fault delivery to pagers, IRQs, I/O ports. No files,
//!   paths, processes or POSIX here; those live in mm0, fs0 and libposix.
//! - One concept per file, one lock, one CPU, no kernel preemption: every
//!   kernel entry runs to completion on the single kernel stack with
//!   interrupts off, so kernel code is sequential and easy to reason about.
//! - Nothing a task sends can crash the kernel: every argument is checked,
//!   user memory is reached only through checked page-table walks.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod apic;
mod arena;
mod boot;
mod bootinfo;
mod cap;
mod cmdline;
mod console;
mod cpu;
mod entry;
mod gdt;
mod heap;
mod idt;
mod ipc;
mod irq;
mod paging;
mod phys;
mod root;
mod sched;
mod selftest;
mod space;
mod state;
mod symbols;
mod syscall;
mod thread;
mod trap;
mod usercopy;

use core::sync::atomic::{AtomicBool, Ordering};

use boot::KERNEL_VMA;
use bootinfo::Range;

static EXIT_ON_FAILURE: AtomicBool = AtomicBool::new(false);
/// isa-debug-exit value for a kernel failure (QEMU exit status 37).
const EXIT_KERNEL_FAILURE: u8 = 0x12;

unsafe extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// Stop after a panic or kernel fault; under test, make QEMU exit.
pub fn halt_after_kernel_failure() -> ! {
    if EXIT_ON_FAILURE.load(Ordering::Relaxed) {
        // SAFETY: writing the isa-debug-exit port ends the emulator; on
        // hardware the port is unused.
        unsafe { x86_64::instructions::port::Port::<u8>::new(0xf4).write(EXIT_KERNEL_FAILURE) };
    }
    cpu::halt_forever()
}

fn fail(why: &str) -> ! {
    console::print_panic(format_args!("PANIC: {why}\n"));
    halt_after_kernel_failure()
}

fn init_syscall_msrs() {
    use gdt::{KERNEL_CODE, USER_DATA};
    // sysret would load CS = base + 16 and SS = base + 8: user code/data.
    let sysret_base = (USER_DATA - 8) as u64;
    cpu::wrmsr(cpu::MSR_STAR, (KERNEL_CODE as u64) << 32 | sysret_base << 48);
    cpu::wrmsr(cpu::MSR_LSTAR, entry::syscall_entry as *const () as u64);
    // Clear IF, TF, DF, AC and NT on entry.
    cpu::wrmsr(cpu::MSR_FMASK, 0x4_4700);
}

/// Called by `boot.rs` in long mode on the boot stack.
extern "C" fn kmain(magic: u64, info: u64) -> ! {
    console::init();
    let Some(boot_data) = bootinfo::parse(magic as u32, info) else {
        fail("not started by a multiboot loader, or its information is unreadable");
    };
    let cmdline = cmdline::CommandLine::parse(boot_data.cmdline());
    console::set_level(cmdline.log);
    EXIT_ON_FAILURE.store(cmdline.exit_on_failure, Ordering::Relaxed);
    log!(Info, "Tern kernel, started by {}; command line '{}'", boot_data.loader, boot_data.cmdline());

    let image_start = core::ptr::addr_of!(__kernel_start) as u64 - KERNEL_VMA;
    let image_end = core::ptr::addr_of!(__kernel_end) as u64 - KERNEL_VMA;
    let mut reserved = [Range::default(); bootinfo::MAX_MODULES + 2];
    reserved[0] = Range { start: 0, end: 1 << 20 };
    reserved[1] = Range { start: image_start, end: image_end };
    for (i, m) in boot_data.modules().iter().enumerate() {
        reserved[2 + i] = m.range;
    }
    let mut mem = phys::PhysMemory::new(boot_data.memory(), &reserved);
    let max_phys = boot_data.memory().iter().map(|r| r.end).max().unwrap_or(0);
    paging::init(&mut mem, max_phys);

    let total = mem.total_pages() * abi::PAGE_SIZE;
    let heap_bytes = (total / 8).clamp(8 << 20, 128 << 20) / (2 << 20) * (2 << 20);
    let Some(heap_phys) = mem.take(heap_bytes / abi::PAGE_SIZE, 2 << 20, u64::MAX) else {
        fail("not enough memory for the kernel heap");
    };
    heap::init(paging::phys_to_virt(heap_phys), heap_bytes as usize);

    gdt::init();
    idt::init();
    init_syscall_msrs();
    let features = cpu::init(thread::FPU_AREA);
    thread::capture_fpu_template();
    apic::init();
    if let Some(sym) = boot_data.modules().iter().find(|m| m.name() == "kernel.sym") {
        symbols::set_table(paging::phys_to_virt(sym.range.start), sym.range.end - sym.range.start);
    }
    log!(
        Info,
        "kernel: {} MiB free, heap {} MiB, NX {}, SMEP {}, SMAP {}, {} ({} bytes), TSC {} MHz",
        total >> 20,
        heap_bytes >> 20,
        features.nx,
        features.smep,
        features.smap,
        if features.xsave { "xsave" } else { "fxsave" },
        features.fpu_bytes,
        apic::tsc_hz() / 1_000_000
    );

    if let Some(selection) = cmdline.selftest {
        selftest::run(selection);
    }
    if cmdline.deliberate_fault {
        selftest::deliberate_fault();
    }
    let mut k = state::KERNEL.lock();
    if let Err(why) = root::start(&mut k, &boot_data, &mut mem) {
        fail(why);
    }
    sched::run_next(k)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    console::print_panic(format_args!("\nPANIC: {info}\n"));
    let rbp: u64;
    // SAFETY: reading rbp has no side effects.
    unsafe { core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack)) };
    symbols::print_backtrace(0, rbp);
    halt_after_kernel_failure()
}
