//! The kernel console: the first serial port, polled, with log levels.
//!
//! The kernel prints little: boot progress, faults nobody handles, panics,
//! self-test results and `DebugWrite` output from tasks. Output is polled
//! (the kernel never waits on an interrupt to print).

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU8, Ordering};
use spin::Mutex;
use x86_64::instructions::port::Port;

const COM1: u16 = 0x3f8;

/// How much the kernel says, from the `log=` command-line word.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "error" => Level::Error,
            "warn" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            _ => return None,
        })
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);
static SERIAL: Mutex<Serial> = Mutex::new(Serial);

pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Ordering::Relaxed)
}

struct Serial;

impl Serial {
    fn put(&mut self, byte: u8) {
        let mut lsr: Port<u8> = Port::new(COM1 + 5);
        let mut data: Port<u8> = Port::new(COM1);
        // SAFETY: COM1 belongs to the kernel console while the kernel
        // prints; reading LSR and writing THR have no other side effects.
        unsafe {
            while lsr.read() & 0x20 == 0 {}
            data.write(byte);
        }
    }
}

impl Write for Serial {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

impl Serial {
    fn write_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.put(b'\r');
            }
            self.put(b);
        }
    }
}

/// Program COM1 for 115200 8N1 without interrupts.
pub fn init() {
    let regs = [(1u16, 0x00u8), (3, 0x80), (0, 0x01), (1, 0x00), (3, 0x03), (2, 0xc7), (4, 0x03)];
    for (offset, value) in regs {
        let mut port: Port<u8> = Port::new(COM1 + offset);
        // SAFETY: standard 16550 initialisation sequence on the COM1 ports.
        unsafe { port.write(value) };
    }
}

pub fn print(args: fmt::Arguments) {
    let _ = SERIAL.lock().write_fmt(args);
}

/// Write raw bytes (task output through `DebugWrite`).
pub fn write_bytes(bytes: &[u8]) {
    SERIAL.lock().write_bytes(bytes);
}

/// Print even if a panic interrupted a print in progress.
pub fn print_panic(args: fmt::Arguments) {
    // SAFETY: called only on the way to halting: the interrupted holder of
    // the lock never runs again, and there is one CPU.
    unsafe { SERIAL.force_unlock() };
    print(args);
}

#[macro_export]
macro_rules! kprintln {
    ($($arg:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($arg)*))) };
}

#[macro_export]
macro_rules! log {
    ($level:ident, $($arg:tt)*) => {
        if $crate::console::enabled($crate::console::Level::$level) {
            $crate::kprintln!($($arg)*);
        }
    };
}
