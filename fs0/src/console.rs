//! The console: text to the serial terminal.
//!
//! Programs write Unix text; a terminal needs a carriage return before each
//! line feed, so "\n" goes out as "\r\n" (what a Linux tty does with ONLCR).

use crate::serial::Uart;

/// The console device.
pub struct Console {
    uart: Uart,
}

impl Console {
    pub const fn new(uart: Uart) -> Console {
        Console { uart }
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
