//! A 16550 UART driven by polling, output only.
//!
//! The kernel has already programmed the port (it prints its own log there),
//! so fs0 leaves the line settings alone and only sends bytes: wait until
//! the transmit holding register is empty, then write the byte. The wait is
//! bounded, so a missing or stuck UART slows fs0 down but cannot hang it.

use core::arch::asm;

/// Line status register offset and its "transmit holding register empty" bit.
const LSR: u16 = 5;
const LSR_THR_EMPTY: u8 = 1 << 5;
/// Status polls before a byte is sent regardless.
const MAX_POLLS: u32 = 100_000;

/// A UART at an I/O port base that this task may access.
#[derive(Clone, Copy)]
pub struct Uart {
    base: u16,
}

impl Uart {
    /// The first serial port, whose ports mm0 hands fs0 in
    /// `mm0_proto::SLOT_SERIAL_PORTS`.
    pub const COM1: Uart = Uart { base: 0x3f8 };

    /// Send one byte.
    pub fn send(self, byte: u8) {
        for _ in 0..MAX_POLLS {
            if self.inb(LSR) & LSR_THR_EMPTY != 0 {
                break;
            }
        }
        self.outb(0, byte);
    }

    fn inb(self, offset: u16) -> u8 {
        let value: u8;
        // SAFETY: the UART's ports are enabled for this task (IoPortEnable at
        // start); reading the line status register has no side effects.
        unsafe {
            asm!("in al, dx", out("al") value, in("dx") self.base + offset, options(nomem, nostack, preserves_flags));
        }
        value
    }

    fn outb(self, offset: u16, value: u8) {
        // SAFETY: the UART's ports are enabled for this task; writing the
        // data register sends a byte and touches no memory.
        unsafe {
            asm!("out dx, al", in("dx") self.base + offset, in("al") value, options(nomem, nostack, preserves_flags));
        }
    }
}
