//! The console: the serial terminal.
//!
//! Programs write Unix text; a terminal needs a carriage return before each
//! line feed, so "\n" goes out as "\r\n" (what a Linux tty does with ONLCR).
//! What is typed goes through the line discipline (editing, echo) and waits
//! there for readers.

use fs0::line_discipline::LineDiscipline;
use fs0_proto::tty::{ONLCR, OPOST};

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

/// Most received bytes taken per interrupt (Linux's receive burst).
const MAX_INPUT_BURST: usize = 256;

/// 24 rows, 80 columns, no pixel sizes.
const DEFAULT_SIZE: u64 = 24 | (80 << 16);

impl Console {
    pub fn new(uart: Uart) -> Console {
        Console { uart, input: LineDiscipline::new(), foreground: 0, size: DEFAULT_SIZE }
    }

    /// Takes the bytes the UART received (at most [`MAX_INPUT_BURST`] a
    /// time, so a babbling line cannot hold fs0) into the line discipline
    /// and shows the echo; returns the signals typed (for the foreground
    /// group).
    pub fn take_input(&mut self) -> alloc::vec::Vec<u32> {
        let mut echo = alloc::vec::Vec::new();
        let mut signals = alloc::vec::Vec::new();
        for _ in 0..MAX_INPUT_BURST {
            let Some(byte) = self.uart.receive() else { break };
            signals.extend(self.input.receive(byte, &mut echo));
        }
        self.write(&echo);
        signals
    }

    /// Write `bytes` to the terminal, with the output processing the
    /// settings ask for (OPOST with ONLCR: "\n" goes out as "\r\n").
    pub fn write(&mut self, bytes: &[u8]) {
        let oflag = self.input.settings.oflag;
        let crlf = oflag & OPOST != 0 && oflag & ONLCR != 0;
        for &b in bytes {
            if b == b'\n' && crlf {
                self.uart.send(b'\r');
            }
            self.uart.send(b);
        }
    }
}
