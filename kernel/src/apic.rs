//! Interrupt controllers and time: the local APIC (timer, EOI), the legacy
//! PIC (device IRQ lines 0..16, masked until a driver binds them) and the
//! PIT, used once to calibrate the TSC and the APIC timer.

use core::sync::atomic::{AtomicU64, Ordering};
use x86_64::instructions::port::Port;

use crate::cpu;
use crate::idt::{VECTOR_IRQ_BASE, VECTOR_SPURIOUS, VECTOR_TIMER};
use crate::paging::phys_to_virt;

/// Timer tick period: the resolution of IPC deadlines.
pub const TICK_MS: u64 = 1;

static TSC_HZ: AtomicU64 = AtomicU64::new(1_000_000_000);
/// Nanoseconds per TSC tick as a 32.32 fixed-point number, so converting
/// is one multiplication.
static NS_PER_TICK_FIXED: AtomicU64 = AtomicU64::new(1 << 32);
static BOOT_TSC: AtomicU64 = AtomicU64::new(0);
static APIC_BASE: AtomicU64 = AtomicU64::new(0);

const REG_EOI: u64 = 0xb0;
const REG_SPURIOUS: u64 = 0xf0;
const REG_TPR: u64 = 0x80;
const REG_LVT_TIMER: u64 = 0x320;
const REG_LVT_LINT0: u64 = 0x350;
const REG_LVT_LINT1: u64 = 0x360;
const REG_TIMER_INITIAL: u64 = 0x380;
const REG_TIMER_CURRENT: u64 = 0x390;
const REG_TIMER_DIVIDE: u64 = 0x3e0;

fn apic_write(reg: u64, value: u32) {
    let addr = APIC_BASE.load(Ordering::Relaxed) + reg;
    // SAFETY: the local APIC page is mapped uncached in the direct map and
    // `reg` is one of its registers.
    unsafe { core::ptr::write_volatile(addr as *mut u32, value) };
}

fn apic_read(reg: u64) -> u32 {
    let addr = APIC_BASE.load(Ordering::Relaxed) + reg;
    // SAFETY: as in apic_write.
    unsafe { core::ptr::read_volatile(addr as *const u32) }
}

fn outb(port: u16, value: u8) {
    // SAFETY: used only for the PIC and PIT, which the kernel owns.
    unsafe { Port::new(port).write(value) };
}

fn inb(port: u16) -> u8 {
    // SAFETY: used only for the PIC and PIT status bits.
    unsafe { Port::new(port).read() }
}

/// Remap the PIC to vectors 32..48 and mask every line.
fn init_pic() {
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, VECTOR_IRQ_BASE as u8);
    outb(0xa1, VECTOR_IRQ_BASE as u8 + 8);
    outb(0x21, 4);
    outb(0xa1, 2);
    outb(0x21, 1);
    outb(0xa1, 1);
    outb(0x21, 0xfb); // everything masked but the cascade line 2
    outb(0xa1, 0xff);
}

/// Mask or unmask one legacy IRQ line.
pub fn set_irq_masked(line: u8, masked: bool) {
    let (port, bit) = if line < 8 { (0x21, line) } else { (0xa1, line - 8) };
    let old = inb(port);
    outb(port, if masked { old | 1 << bit } else { old & !(1 << bit) });
}

/// End-of-interrupt for a legacy IRQ line.
pub fn pic_eoi(line: u8) {
    if line >= 8 {
        outb(0xa0, 0x20);
    }
    outb(0x20, 0x20);
}

pub fn apic_eoi() {
    apic_write(REG_EOI, 0);
}

/// Count PIT channel-2 ticks for `ms` and return (tsc delta, apic delta).
fn measure_with_pit(ms: u64) -> (u64, u64) {
    let count = (1_193_182 * ms / 1000) as u16;
    outb(0x61, (inb(0x61) & 0xfd) | 1);
    outb(0x43, 0xb0);
    outb(0x42, count as u8);
    outb(0x42, (count >> 8) as u8);
    let gate = inb(0x61) & 0xfe;
    outb(0x61, gate);
    apic_write(REG_TIMER_INITIAL, u32::MAX);
    let tsc_start = cpu::rdtsc();
    outb(0x61, gate | 1);
    while inb(0x61) & 0x20 == 0 {}
    let tsc_end = cpu::rdtsc();
    let apic_end = apic_read(REG_TIMER_CURRENT);
    ((tsc_end - tsc_start), (u32::MAX - apic_end) as u64)
}

/// Bring up the PIC, the local APIC and its periodic timer.
pub fn init() {
    init_pic();
    let base = cpu::rdmsr(cpu::MSR_APIC_BASE);
    cpu::wrmsr(cpu::MSR_APIC_BASE, base | 1 << 11);
    APIC_BASE.store(phys_to_virt(base & 0xf_ffff_f000), Ordering::Relaxed);
    apic_write(REG_SPURIOUS, 0x100 | VECTOR_SPURIOUS as u32);
    apic_write(REG_TPR, 0);
    apic_write(REG_LVT_LINT0, 0x700); // ExtINT: the PIC's lines come through here
    apic_write(REG_LVT_LINT1, 0x400); // NMI
    apic_write(REG_TIMER_DIVIDE, 0x3); // divide by 16
    apic_write(REG_LVT_TIMER, 1 << 16); // masked one-shot while calibrating

    BOOT_TSC.store(cpu::rdtsc(), Ordering::Relaxed);
    let ms = 20;
    let (tsc, apic) = measure_with_pit(ms);
    let hz = (tsc * 1000 / ms).max(1);
    TSC_HZ.store(hz, Ordering::Relaxed);
    NS_PER_TICK_FIXED.store(((1_000_000_000u128 << 32) / hz as u128) as u64, Ordering::Relaxed);
    let per_tick = (apic * TICK_MS / ms).max(1000) as u32;
    apic_write(REG_LVT_TIMER, VECTOR_TIMER as u32 | 1 << 17); // periodic
    apic_write(REG_TIMER_INITIAL, per_tick);
}

pub fn tsc_hz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed)
}

/// Nanoseconds since the timer was calibrated.
pub fn now_ns() -> u64 {
    let ticks = cpu::rdtsc().wrapping_sub(BOOT_TSC.load(Ordering::Relaxed));
    ((ticks as u128 * NS_PER_TICK_FIXED.load(Ordering::Relaxed) as u128) >> 32) as u64
}
