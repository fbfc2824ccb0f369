//! The console: the serial terminal, and the VGA screen with the PS/2
//! keyboard for a person at the machine's window. Both show the same
//! output and feed the same input.
//!
//! Programs write Unix text; a terminal needs a carriage return before each
//! line feed, so "\n" goes out as "\r\n" (what a Linux tty does with ONLCR).
//! What is typed on either goes through the line discipline (editing,
//! echo) and waits there for readers.

use alloc::vec::Vec;

use fs0::line_discipline::LineDiscipline;
use fs0::vga_screen::Screen;
use fs0_proto::tty::{ONLCR, OPOST};

use crate::ps2::Ps2Keyboard;
use crate::serial::Uart;
use crate::vga;

/// The console device.
pub struct Console {
    uart: Uart,
    screen: Option<Screen<'static>>,
    pub keyboard: Option<Ps2Keyboard>,
    pub input: LineDiscipline,
    /// The process group that signal keys go to (TIOCSPGRP; 0: none yet).
    pub foreground: u64,
    /// When the last byte was typed (kernel clock, ns): VTIME between
    /// bytes counts from it.
    pub last_input: u64,
    /// `struct winsize` as one word (TIOCSWINSZ): a serial line has no
    /// size of its own, so the classic 24x80 until a program sets one.
    pub size: u64,
}

/// Most received bytes taken per interrupt (Linux's receive burst).
const MAX_INPUT_BURST: usize = 256;

/// 24 rows, 80 columns, no pixel sizes.
const DEFAULT_SIZE: u64 = 24 | (80 << 16);

impl Console {
    pub fn new(uart: Uart, screen: Option<Screen<'static>>, keyboard: Option<Ps2Keyboard>) -> Console {
        Console {
            uart,
            screen,
            keyboard,
            input: LineDiscipline::new(),
            foreground: 0,
            last_input: 0,
            size: DEFAULT_SIZE,
        }
    }

    /// Takes the bytes the UART received (at most [`MAX_INPUT_BURST`] a
    /// time, so a babbling line cannot hold fs0) into the line discipline
    /// and shows the echo; returns the signals typed (for the foreground
    /// group).
    pub fn take_input(&mut self) -> Vec<u32> {
        let mut typed = Vec::new();
        for _ in 0..MAX_INPUT_BURST {
            let Some(byte) = self.uart.receive() else { break };
            typed.push(byte);
        }
        if let Some(keyboard) = &mut self.keyboard {
            typed.extend(keyboard.take());
        }
        if !typed.is_empty() {
            self.last_input = libtern::time::now_ns();
        }
        let mut echo = Vec::new();
        let mut signals = Vec::new();
        for byte in typed {
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
        let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
        for &b in bytes {
            if b == b'\n' && crlf {
                out.push(b'\r');
            }
            out.push(b);
        }
        for &b in &out {
            self.uart.send(b);
        }
        if let Some(screen) = &mut self.screen {
            screen.write(&out);
            vga::set_cursor(screen.cursor());
        }
    }
}
