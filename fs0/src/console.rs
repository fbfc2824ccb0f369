//! The console: the serial terminal.
//!
//! Programs write Unix text; a terminal needs a carriage return before each
//! line feed, so "\n" goes out as "\r\n" (what a Linux tty does with ONLCR).
//! What is typed goes through the line discipline (editing, echo) and waits
//! there for readers.

use fs0::line_discipline::LineDiscipline;

use crate::serial::Uart;

/// The console device.
pub struct Console {
    uart: Uart,
    pub input: LineDiscipline,
}

impl Console {
    pub fn new(uart: Uart) -> Console {
        Console { uart, input: LineDiscipline::default() }
    }

    /// Takes every byte the UART received into the line discipline and
    /// shows the echo.
    pub fn take_input(&mut self) {
        let mut echo = alloc::vec::Vec::new();
        while let Some(byte) = self.uart.receive() {
            self.input.receive(byte, &mut echo);
        }
        for b in echo {
            self.uart.send(b);
        }
    }

    /// Write `bytes` to the terminal.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.uart.send(b'\r');
            }
            self.uart.send(b);
        }
    }
}
