//! The interrupt descriptor table: every vector goes to its stub in
//! `entry.rs`; double faults and NMIs get stacks of their own.

use core::arch::asm;
use core::mem::size_of;
use core::ptr::addr_of;

use crate::entry::isr_table;
use crate::gdt::KERNEL_CODE;

pub const VECTOR_DOUBLE_FAULT: usize = 8;
pub const VECTOR_NMI: usize = 2;
/// Legacy PIC lines 0..16 arrive at these vectors.
pub const VECTOR_IRQ_BASE: u64 = 32;
/// The local APIC timer.
pub const VECTOR_TIMER: u64 = 48;
/// Spurious local APIC interrupts.
pub const VECTOR_SPURIOUS: u64 = 255;

#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    flags: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

static mut IDT: [Gate; 256] =
    [Gate { offset_low: 0, selector: 0, ist: 0, flags: 0, offset_mid: 0, offset_high: 0, reserved: 0 }; 256];

pub fn init() {
    // SAFETY: runs once at boot with interrupts off; isr_table is a static
    // table of code addresses emitted by entry.rs.
    unsafe {
        let table = &*addr_of!(isr_table);
        let mut gates =
            [Gate { offset_low: 0, selector: 0, ist: 0, flags: 0, offset_mid: 0, offset_high: 0, reserved: 0 }; 256];
        for (vector, gate) in gates.iter_mut().enumerate() {
            let addr = table[vector];
            let ist = match vector {
                VECTOR_DOUBLE_FAULT => 1,
                VECTOR_NMI => 2,
                _ => 0,
            };
            *gate = Gate {
                offset_low: addr as u16,
                selector: KERNEL_CODE,
                ist,
                // Present, DPL 0, 64-bit interrupt gate (interrupts stay off).
                flags: 0x8e,
                offset_mid: (addr >> 16) as u16,
                offset_high: (addr >> 32) as u32,
                reserved: 0,
            };
        }
        IDT = gates;
        #[repr(C, packed)]
        struct Pointer {
            limit: u16,
            base: u64,
        }
        let ptr = Pointer { limit: (size_of::<[Gate; 256]>() - 1) as u16, base: addr_of!(IDT) as u64 };
        asm!("lidt [{}]", in(reg) &ptr, options(nostack));
    }
}
