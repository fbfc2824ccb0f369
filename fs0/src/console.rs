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
    /// The process group that signal keys go to (TIOCSPGRP; 0: none yet).
    pub foreground: u64,
    /// `struct winsize` as one word (TIOCSWINSZ): a serial line has no
    /// size of its own, so the classic 24x80 until a program sets one.
    pub size: u64,
}

/// 24 rows, 80 columns, no pixel sizes.
const DEFAULT_SIZE: u64 = 24 | (80 << 16);

impl Console {
    pub fn new(uart: Uart) -> Console {
        Console { uart, input: LineDiscipline::new(), foreground: 0, size: DEFAULT_SIZE }
    }

    /// Takes every byte the UART received into the line discipline and
    /// shows the echo; returns the signals typed (for the foreground
    /// group).
    pub fn take_input(&mut self) -> alloc::vec::Vec<u32> {
        let mut echo = alloc::vec::Vec::new();
        let mut signals = alloc::vec::Vec::new();
        while let Some(byte) = self.uart.receive() {
            signals.extend(self.input.receive(byte, &mut echo));
        }
        for b in echo {
            self.uart.send(b);
        }
        signals
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
