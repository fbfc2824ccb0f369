//! libposix's messages on the kernel console (`DebugWrite`).
//!
//! Each line starts with `libposix: <program>: ` (the program's name as
//! mm0 knows it; just `libposix: ` if mm0 cannot say). Messages about a
//! system call are printed once per call number per process ([`once`]): a
//! program that calls an unimplemented function in a loop says so once,
//! not forever. The bitmap is per-process state in libposix's .bss.

use crate::identity;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU64, Ordering};
use libtern_sys::console;
use mm0_proto::PROCESS_NAME_MAX;

/// Call numbers the bitmap tracks; larger numbers share the last bit.
const TRACKED: usize = 512;
/// Longest line printed; longer ones are cut.
const LINE_MAX: usize = 256;

/// One bit per call number: already logged.
static LOGGED: [AtomicU64; TRACKED / 64] = [const { AtomicU64::new(0) }; TRACKED / 64];

/// Print `args` as a libposix line unless a line was already printed for
/// call number `nr`.
pub fn once(nr: usize, args: fmt::Arguments) {
    let bit = nr.min(TRACKED - 1);
    let mask = 1u64 << (bit % 64);
    if LOGGED[bit / 64].fetch_or(mask, Ordering::Relaxed) & mask == 0 {
        line(args);
    }
}

/// Print `args` as one line: `libposix: <program>: <args>`.
pub fn line(args: fmt::Arguments) {
    let mut out = Line { buf: [0; LINE_MAX], len: 0 };
    let mut name = [0; PROCESS_NAME_MAX];
    // Line::write_str never fails; it cuts overlong text.
    let _ = match identity::name() {
        Some(program) => write!(out, "libposix: {}: {args}", program.bytes(&mut name)),
        None => write!(out, "libposix: {args}"),
    };
    out.finish();
    // Nothing useful can be done if the console refuses the text.
    let _ = console::debug_write(&out.buf[..out.len]);
}

/// A fixed buffer that collects one line.
struct Line {
    buf: [u8; LINE_MAX],
    len: usize,
}

impl Line {
    /// End the line with a newline, replacing the last byte if it is full.
    fn finish(&mut self) {
        self.len = self.len.min(LINE_MAX - 1);
        self.buf[self.len] = b'\n';
        self.len += 1;
    }
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(LINE_MAX - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
