//! Output to the kernel console (`DebugWrite`) and the `print!` macros.
//!
//! Formatted output is collected in a buffer on the stack and written with
//! as few `DebugWrite` calls as possible (one per [`LINE`] bytes), so a line
//! printed by one task arrives whole even when other tasks print too.

use core::fmt::{self, Write};

use abi::{Call, Error};

use crate::syscall::call6;

/// Bytes buffered before a `DebugWrite`.
pub const LINE: usize = 256;

/// Writes `bytes` to the kernel console.
pub fn debug_write(bytes: &[u8]) -> Result<(), Error> {
    debug_write_raw(bytes.as_ptr() as u64, bytes.len() as u64)
}

/// `DebugWrite` with any pointer and length: the kernel checks both, so this
/// is safe (it is how tests hand the kernel bad pointers).
pub fn debug_write_raw(ptr: u64, len: u64) -> Result<(), Error> {
    // DebugWrite only reads the bytes, through the kernel's checked copy.
    call6(Call::DebugWrite, [ptr, len, 0, 0, 0, 0]).map(|_| ())
}

struct Buffered {
    buf: [u8; LINE],
    len: usize,
}

impl Buffered {
    fn flush(&mut self) {
        // Console output has no one to report a failure to.
        let _ = debug_write(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl Write for Buffered {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for chunk in s.as_bytes().chunks(LINE) {
            if self.len + chunk.len() > LINE {
                self.flush();
            }
            self.buf[self.len..self.len + chunk.len()].copy_from_slice(chunk);
            self.len += chunk.len();
        }
        Ok(())
    }
}

/// Formats `args` and writes the result to the console.
pub fn print_fmt(args: fmt::Arguments) {
    let mut out = Buffered { buf: [0; LINE], len: 0 };
    // Formatting into the buffer cannot fail; `Display` impls that fail
    // just end the output early.
    let _ = out.write_fmt(args);
    out.flush();
}

/// Prints to the kernel console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::console::print_fmt(format_args!($($arg)*))
    };
}

/// Prints a line to the kernel console.
#[macro_export]
macro_rules! println {
    () => {
        $crate::console::print_fmt(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::print_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}
