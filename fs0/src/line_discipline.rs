//! The terminal's input side: what a program reading the console gets
//! from the keys typed, in canonical mode (Linux's default for a tty).
//!
//! Input is edited a line at a time and echoed: a carriage return is a
//! newline (ICRNL), the newline ends the line and makes it readable, erase
//! (DEL or backspace) takes back the last byte, kill (^U) the whole line,
//! and ^D ends the line without a newline, so that ^D at the start of a
//! line is end of file (a read returns 0). A read takes bytes of complete
//! lines only, at most one line per read, as POSIX asks of canonical mode.
//! Signal keys (^C, ^Z) are ordinary bytes until the console knows its
//! foreground process group; raw mode (termios) comes with them.
//!
//! Pure bookkeeping: the fs0 binary feeds it bytes from the UART, sends
//! the echo back out, and answers readers (peek, then consume what reached
//! the reader's memory, so a reader's bad buffer loses no input).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Most bytes of one line being edited (Linux's N_TTY_BUF_SIZE); more
/// are dropped (and not echoed) until the line ends.
pub const MAX_LINE: usize = 4096;
/// Most bytes of finished lines waiting for a reader; input past it is
/// dropped, as a full tty buffer drops it.
pub const MAX_READY: usize = 16 * 1024;

const ERASE: u8 = 0x7f;
const BACKSPACE: u8 = 0x08;
const KILL: u8 = 0x15;
const EOF: u8 = 0x04;

/// One piece of input waiting for readers.
#[derive(Debug, PartialEq, Eq)]
enum Ready {
    /// A finished line (its newline included, if it had one).
    Line(Vec<u8>),
    /// ^D on an empty line: one read returns 0.
    EndOfFile,
}

#[derive(Debug, Default)]
pub struct LineDiscipline {
    /// The line being typed.
    editing: Vec<u8>,
    /// Finished lines, oldest first, and how many bytes they hold.
    ready: VecDeque<Ready>,
    ready_bytes: usize,
}

impl LineDiscipline {
    /// Takes one byte typed; appends what the terminal should show to
    /// `echo`.
    pub fn receive(&mut self, byte: u8, echo: &mut Vec<u8>) {
        match byte {
            b'\r' | b'\n' => {
                self.editing.push(b'\n');
                echo.extend_from_slice(b"\r\n");
                self.finish();
            }
            ERASE | BACKSPACE if self.editing.pop().is_some() => echo.extend_from_slice(b"\x08 \x08"),
            ERASE | BACKSPACE => {}
            KILL => {
                for _ in 0..self.editing.len() {
                    echo.extend_from_slice(b"\x08 \x08");
                }
                self.editing.clear();
            }
            EOF if self.editing.is_empty() => self.push(Ready::EndOfFile, 0),
            EOF => self.finish(),
            _ if self.editing.len() < MAX_LINE - 1 => {
                self.editing.push(byte);
                echo.push(byte);
            }
            _ => {}
        }
    }

    /// Makes the line being edited readable.
    fn finish(&mut self) {
        let line = core::mem::take(&mut self.editing);
        let len = line.len();
        self.push(Ready::Line(line), len);
    }

    fn push(&mut self, piece: Ready, len: usize) {
        if self.ready_bytes + len <= MAX_READY {
            self.ready_bytes += len;
            self.ready.push_back(piece);
        }
    }

    /// Whether a read would return at once.
    pub fn readable(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Copies up to `out.len()` bytes of the oldest finished line into
    /// `out`, leaving them there: how many (0 at end of file), or None when
    /// no line is finished (the reader waits). A read then [`consume`]s
    /// what reached the reader; the rest is for the next read.
    ///
    /// [`consume`]: LineDiscipline::consume
    pub fn peek(&self, out: &mut [u8]) -> Option<usize> {
        match self.ready.front()? {
            Ready::EndOfFile => Some(0),
            Ready::Line(line) => {
                let n = out.len().min(line.len());
                out[..n].copy_from_slice(&line[..n]);
                Some(n)
            }
        }
    }

    /// Drops the first `n` bytes that [`LineDiscipline::peek`] showed (an
    /// end of file with `n` = 0).
    pub fn consume(&mut self, n: usize) {
        match self.ready.front_mut() {
            Some(Ready::EndOfFile) => {
                self.ready.pop_front();
            }
            Some(Ready::Line(line)) => {
                let n = n.min(line.len());
                line.drain(..n);
                self.ready_bytes -= n;
                if line.is_empty() {
                    self.ready.pop_front();
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(ld: &mut LineDiscipline, keys: &[u8]) -> Vec<u8> {
        let mut echo = Vec::new();
        for &k in keys {
            ld.receive(k, &mut echo);
        }
        echo
    }

    fn read_all(ld: &mut LineDiscipline, size: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; size];
        let n = ld.peek(&mut buf)?;
        ld.consume(n);
        Some(buf[..n].to_vec())
    }

    #[test]
    fn lines_are_readable_once_finished() {
        let mut ld = LineDiscipline::default();
        assert_eq!(typed(&mut ld, b"hi"), b"hi");
        assert!(!ld.readable());
        assert_eq!(read_all(&mut ld, 10), None);
        assert_eq!(typed(&mut ld, b"\rnext\n"), b"\r\nnext\r\n");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"hi\n", "one line per read");
        assert_eq!(read_all(&mut ld, 3).unwrap(), b"nex");
        assert_eq!(read_all(&mut ld, 3).unwrap(), b"t\n");
        assert_eq!(read_all(&mut ld, 3), None);
    }

    #[test]
    fn erase_and_kill_edit_the_line() {
        let mut ld = LineDiscipline::default();
        let echo = typed(&mut ld, b"wrx\x7f\x7fong\x08\x08\x08ord\n");
        assert_eq!(read_all(&mut ld, 20).unwrap(), b"word\n");
        assert!(echo.starts_with(b"wrx\x08 \x08\x08 \x08ong"));
        typed(&mut ld, b"gone\x15kept\n");
        assert_eq!(read_all(&mut ld, 20).unwrap(), b"kept\n");
    }

    #[test]
    fn end_of_file_at_line_start_and_mid_line() {
        let mut ld = LineDiscipline::default();
        typed(&mut ld, b"ab\x04\x04");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"ab", "^D mid-line ends the line without a newline");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"", "^D on an empty line is end of file");
        assert_eq!(read_all(&mut ld, 10), None);
    }

    #[test]
    fn long_lines_and_full_buffers_drop_input() {
        let mut ld = LineDiscipline::default();
        let echo = typed(&mut ld, &[b'x'; MAX_LINE + 10]);
        assert_eq!(echo.len(), MAX_LINE - 1);
        typed(&mut ld, b"\n");
        assert_eq!(read_all(&mut ld, 2 * MAX_LINE).unwrap().len(), MAX_LINE);
        for _ in 0..MAX_READY {
            typed(&mut ld, b"y\n");
        }
        let mut total = 0;
        while let Some(n) = ld.peek(&mut [0; 64]) {
            ld.consume(n);
            total += n;
        }
        assert_eq!(total, MAX_READY);
    }
}
