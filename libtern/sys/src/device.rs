//! Device access: IRQ lines and I/O ports.
//!
//! An IRQ line bound to a notification masks itself when it fires and
//! signals the notification; the driver handles the device, then calls
//! [`irq_ack`]. [`ioport_enable`] opens a port capability's range to `in` and
//! `out` instructions of this task.

use abi::{Call, Error};

use crate::syscall::call6;

/// Delivers IRQ `irq` as `bits` on `notification`.
pub fn irq_bind(irq: u64, notification: u64, bits: u64) -> Result<(), Error> {
    call6(Call::IrqBind, [irq, notification, bits, 0, 0, 0]).map(|_| ())
}

/// Unmasks the line after the interrupt was handled.
pub fn irq_ack(irq: u64) -> Result<(), Error> {
    call6(Call::IrqAck, [irq, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Allows `in`/`out` on the ports of the capability in `ports`.
pub fn ioport_enable(ports: u64) -> Result<(), Error> {
    call6(Call::IoPortEnable, [ports, 0, 0, 0, 0, 0]).map(|_| ())
}

/// `in al, dx`: a byte from I/O port `port`. Without permission for the
/// port (see [`ioport_enable`]) the instruction faults (#GP) and mm0 ends
/// the thread; it never touches memory.
pub fn inb(port: u16) -> u8 {
    let value: u8;
    // SAFETY: port input touches no memory; a port this task may not use
    // faults, which ends the thread, not the system.
    unsafe { core::arch::asm!("in al, dx", in("dx") port, out("al") value, options(nomem, nostack, preserves_flags)) };
    value
}

/// `out dx, al`: a byte to I/O port `port` (as for [`inb`]).
pub fn outb(port: u16, value: u8) {
    // SAFETY: as in `inb`: port output touches no memory.
    unsafe { core::arch::asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack, preserves_flags)) };
}

/// `in ax, dx`: a 16-bit word from I/O port `port` (as for [`inb`]).
pub fn inw(port: u16) -> u16 {
    let value: u16;
    // SAFETY: as in `inb`.
    unsafe { core::arch::asm!("in ax, dx", in("dx") port, out("ax") value, options(nomem, nostack, preserves_flags)) };
    value
}

/// `out dx, ax`: a 16-bit word to I/O port `port` (as for [`inb`]).
pub fn outw(port: u16, value: u16) {
    // SAFETY: as in `inb`.
    unsafe { core::arch::asm!("out dx, ax", in("dx") port, in("ax") value, options(nomem, nostack, preserves_flags)) };
}

/// `in eax, dx`: a 32-bit word from I/O port `port` (as for [`inb`]).
pub fn inl(port: u16) -> u32 {
    let value: u32;
    // SAFETY: as in `inb`.
    unsafe {
        core::arch::asm!("in eax, dx", in("dx") port, out("eax") value, options(nomem, nostack, preserves_flags))
    };
    value
}

/// `out dx, eax`: a 32-bit word to I/O port `port` (as for [`inb`]).
pub fn outl(port: u16, value: u32) {
    // SAFETY: as in `inb`.
    unsafe {
        core::arch::asm!("out dx, eax", in("dx") port, in("eax") value, options(nomem, nostack, preserves_flags))
    };
}
