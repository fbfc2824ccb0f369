//! A 16550 UART: output by polling, input by interrupt.
//!
//! The kernel has already programmed the port (it prints its own log there),
//! so fs0 leaves the line settings alone. To send, it waits until the
//! transmit holding register is empty, then writes the byte; the wait is
//! bounded, so a missing or stuck UART slows fs0 down but cannot hang it.
//! Received bytes raise IRQ 4 (enabled with [`Uart::enable_receive`]);
//! fs0 then takes every byte the UART holds ([`Uart::receive`]).

/// Line status register offset and its "transmit holding register empty" bit.
const LSR: u16 = 5;
const LSR_THR_EMPTY: u8 = 1 << 5;
/// What a register reads where no device answers.
const NO_DEVICE: u8 = 0xff;
/// "Data ready": a received byte waits in the receive buffer (offset 0).
const LSR_DATA_READY: u8 = 1;
/// Interrupt enable register: "received data available".
const IER: u16 = 1;
const IER_RECEIVED: u8 = 1;
/// Modem control register: OUT2 connects the UART's interrupt to the PIC.
const MCR: u16 = 4;
const MCR_OUT2: u8 = 1 << 3;
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

    /// Has the UART interrupt when a byte arrives.
    pub fn enable_receive(self) {
        self.outb(MCR, self.inb(MCR) | MCR_OUT2);
        self.outb(IER, IER_RECEIVED);
    }

    /// The next received byte, if one waits. Without a UART the status
    /// reads all ones: no byte.
    pub fn receive(self) -> Option<u8> {
        let status = self.inb(LSR);
        (status != NO_DEVICE && status & LSR_DATA_READY != 0).then(|| self.inb(0))
    }

    fn inb(self, offset: u16) -> u8 {
        libtern::device::inb(self.base + offset)
    }

    fn outb(self, offset: u16, value: u8) {
        libtern::device::outb(self.base + offset, value);
    }
}
