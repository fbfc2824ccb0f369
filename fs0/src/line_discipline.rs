//! The terminal's input side: what a program reading the console gets
//! from the keys typed, as its termios settings say.
//!
//! In canonical mode (ICANON, Linux's default for a tty) input is edited a
//! line at a time: the newline ends the line and makes it readable, erase
//! (VERASE) takes back the last byte, kill (VKILL) the whole
//! line, and VEOF ends the line without a newline, so that VEOF at the
//! start of a line is end of file (a read returns 0). A read takes bytes
//! of complete lines only, at most one line per read. Without ICANON every
//! byte is readable at once, and VMIN and VTIME say when a read returns:
//! with VMIN bytes (or as many as asked for), and with VTIME tenths of a
//! second after the read began (VMIN 0) or after the last byte came (VMIN
//! above 0) with what is there; both 0: at once. The timing is the
//! caller's ([`LineDiscipline::read_deadline`], then `peek` told whether
//! it passed). ICRNL turns a carriage return into a newline,
//! ECHO shows what is typed (control characters as `^X`; the console's
//! output processing adds carriage returns), and with ISIG the keys
//! VINTR, VQUIT and VSUSP (matched before ICRNL)
//! are signals for the foreground process group (the input waiting is
//! dropped unless NOFLSH).
//!
//! Pure bookkeeping: the fs0 binary feeds it bytes from the UART, sends
//! the echo back out, and answers readers (peek, then consume what reached
//! the reader's memory, so a reader's bad buffer loses no input).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use fs0_proto::tty::{
    ECHO, ICANON, ICRNL, ISIG, NOFLSH, Termios, VEOF, VERASE, VINTR, VKILL, VMIN, VQUIT, VSUSP, VTIME,
};

/// Nanoseconds in VTIME's unit (a tenth of a second).
const VTIME_NS: u64 = 100_000_000;

/// Most bytes of one line being edited (Linux's N_TTY_BUF_SIZE); more
/// are dropped (and not echoed) until the line ends.
pub const MAX_LINE: usize = 4096;
/// Most bytes of finished lines waiting for a reader; input past it is
/// dropped, as a full tty buffer drops it.
pub const MAX_READY: usize = 16 * 1024;

/// Signal numbers of the signal keys.
const SIGINT: u32 = 2;
const SIGQUIT: u32 = 3;
const SIGTSTP: u32 = 20;

/// One piece of input waiting for readers.
#[derive(Debug, PartialEq, Eq)]
enum Ready {
    /// A finished line (its newline included, if it had one).
    Line(Vec<u8>),
    /// Bytes typed without ICANON (read in any amount).
    Raw(Vec<u8>),
    /// ^D on an empty line: one read returns 0.
    EndOfFile,
}

#[derive(Debug)]
pub struct LineDiscipline {
    pub settings: Termios,
    /// The line being typed.
    editing: Vec<u8>,
    /// Finished lines, oldest first, and how many bytes they hold.
    ready: VecDeque<Ready>,
    ready_bytes: usize,
}

/// Shows a typed byte as a terminal with ECHOCTL does: control
/// characters (but tab and newline) and DEL as `^X`.
fn echo_byte(byte: u8, echo: &mut Vec<u8>) {
    match byte {
        b'\t' | b'\n' => echo.push(byte),
        0..0x20 | 0x7f => echo.extend_from_slice(&[b'^', byte ^ 0x40]),
        _ => echo.push(byte),
    }
}

impl Default for LineDiscipline {
    fn default() -> LineDiscipline {
        LineDiscipline::new()
    }
}

impl LineDiscipline {
    /// A terminal with Linux's settings for a new tty.
    pub fn new() -> LineDiscipline {
        LineDiscipline { settings: Termios::DEFAULT, editing: Vec::new(), ready: VecDeque::new(), ready_bytes: 0 }
    }

    /// Takes one byte typed; appends what the terminal should show to
    /// `echo`. Returns the signal a signal key means.
    pub fn receive(&mut self, byte: u8, echo: &mut Vec<u8>) -> Option<u32> {
        let t = self.settings;
        let shown = t.lflag & ECHO != 0;
        if t.lflag & ISIG != 0 {
            let signal = [(VINTR, SIGINT), (VQUIT, SIGQUIT), (VSUSP, SIGTSTP)]
                .into_iter()
                .find(|&(key, _)| t.cc[key] != 0 && t.cc[key] == byte)
                .map(|(_, sig)| sig);
            if let Some(sig) = signal {
                if t.lflag & NOFLSH == 0 {
                    self.flush();
                }
                if shown {
                    echo_byte(byte, echo);
                }
                return Some(sig);
            }
        }
        let byte = if byte == b'\r' && t.iflag & ICRNL != 0 { b'\n' } else { byte };
        if t.lflag & ICANON == 0 {
            if self.ready_bytes < MAX_READY {
                match self.ready.back_mut() {
                    Some(Ready::Raw(bytes)) => bytes.push(byte),
                    _ => self.ready.push_back(Ready::Raw(alloc::vec![byte])),
                }
                self.ready_bytes += 1;
                if shown {
                    echo_byte(byte, echo);
                }
            }
            return None;
        }
        let key = |i: usize| t.cc[i] != 0 && t.cc[i] == byte;
        match byte {
            b'\n' => {
                self.editing.push(b'\n');
                if shown {
                    echo.push(b'\n');
                }
                self.finish();
            }
            _ if key(VERASE) => {
                let erased = self.editing.pop().is_some();
                if erased && shown {
                    echo.extend_from_slice(b"\x08 \x08");
                }
            }
            _ if key(VKILL) => {
                if shown {
                    for _ in 0..self.editing.len() {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                self.editing.clear();
            }
            // An end of file takes a byte of room, so that typing it
            // with no reader cannot fill fs0's memory.
            _ if key(VEOF) && self.editing.is_empty() => self.push(Ready::EndOfFile, 1),
            _ if key(VEOF) => self.finish(),
            _ if self.editing.len() < MAX_LINE - 1 => {
                self.editing.push(byte);
                if shown {
                    echo_byte(byte, echo);
                }
            }
            _ => {}
        }
        None
    }

    /// New settings (TCSETS); leaving canonical mode makes the line being
    /// typed readable as it is. `flush` (TCSETSF) drops the input first.
    pub fn set(&mut self, settings: Termios, flush: bool) {
        if flush {
            self.flush();
        }
        if settings.lflag & ICANON == 0 && !self.editing.is_empty() {
            let bytes = core::mem::take(&mut self.editing);
            let len = bytes.len();
            self.push(Ready::Raw(bytes), len);
        }
        self.settings = settings;
    }

    /// Drops all input not read yet.
    fn flush(&mut self) {
        self.editing.clear();
        self.ready.clear();
        self.ready_bytes = 0;
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

    /// Whether input is there to read.
    pub fn readable(&self) -> bool {
        !self.ready.is_empty()
    }

    /// When a read that began at `since` and waits for input ends with
    /// what is there (VTIME; the last byte came at `last_input`); `None`:
    /// it waits for input only.
    pub fn read_deadline(&self, since: u64, last_input: u64) -> Option<u64> {
        let tenths = u64::from(self.settings.cc[VTIME]);
        if self.settings.lflag & ICANON != 0 || tenths == 0 {
            return None;
        }
        match self.settings.cc[VMIN] {
            0 => Some(since + tenths * VTIME_NS),
            _ if self.ready_bytes > 0 => Some(last_input.max(since) + tenths * VTIME_NS),
            _ => None,
        }
    }

    /// Copies what a read of up to `out.len()` bytes gets now into `out`,
    /// leaving it there: how many (0 at end of file, or when a raw read
    /// returns empty), or None when the reader waits. `timed_out`: the
    /// read's [`LineDiscipline::read_deadline`] has passed. A canonical
    /// read gets part of one finished line. A read then [`consume`]s what
    /// reached the reader; the rest is for the next read.
    ///
    /// [`consume`]: LineDiscipline::consume
    pub fn peek(&self, out: &mut [u8], timed_out: bool) -> Option<usize> {
        if self.settings.lflag & ICANON == 0 {
            return self.peek_raw(out, timed_out);
        }
        match self.ready.front()? {
            Ready::EndOfFile => Some(0),
            Ready::Line(line) | Ready::Raw(line) => {
                let n = out.len().min(line.len());
                out[..n].copy_from_slice(&line[..n]);
                Some(n)
            }
        }
    }

    /// [`LineDiscipline::peek`] without ICANON: bytes across pieces, as
    /// VMIN and VTIME say.
    fn peek_raw(&self, out: &mut [u8], timed_out: bool) -> Option<usize> {
        let (min, time) = (usize::from(self.settings.cc[VMIN]), self.settings.cc[VTIME]);
        let available = self.ready_bytes.min(out.len());
        let enough = match (min, time) {
            (0, 0) => true,
            (0, _) => available > 0 || timed_out,
            (_, 0) => available >= min.min(out.len()),
            _ => available >= min.min(out.len()) || (available > 0 && timed_out),
        };
        if !enough {
            return None;
        }
        let mut n = 0;
        for piece in &self.ready {
            let bytes = match piece {
                Ready::Line(bytes) | Ready::Raw(bytes) => bytes,
                Ready::EndOfFile => break,
            };
            let take = (out.len() - n).min(bytes.len());
            out[n..n + take].copy_from_slice(&bytes[..take]);
            n += take;
            if n == out.len() {
                break;
            }
        }
        Some(n)
    }

    /// Drops the first `n` bytes that [`LineDiscipline::peek`] showed (an
    /// end of file with `n` = 0).
    pub fn consume(&mut self, mut n: usize) {
        if let Some(Ready::EndOfFile) = self.ready.front() {
            self.ready.pop_front();
            self.ready_bytes -= 1;
            return;
        }
        while n > 0 {
            let Some(Ready::Line(bytes) | Ready::Raw(bytes)) = self.ready.front_mut() else { return };
            let take = n.min(bytes.len());
            bytes.drain(..take);
            self.ready_bytes -= take;
            n -= take;
            if bytes.is_empty() {
                self.ready.pop_front();
            }
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
        let n = ld.peek(&mut buf, false)?;
        ld.consume(n);
        Some(buf[..n].to_vec())
    }

    #[test]
    fn lines_are_readable_once_finished() {
        let mut ld = LineDiscipline::new();
        assert_eq!(typed(&mut ld, b"hi"), b"hi");
        assert!(!ld.readable());
        assert_eq!(read_all(&mut ld, 10), None);
        assert_eq!(typed(&mut ld, b"\rnext\n"), b"\nnext\n");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"hi\n", "one line per read");
        assert_eq!(read_all(&mut ld, 3).unwrap(), b"nex");
        assert_eq!(read_all(&mut ld, 3).unwrap(), b"t\n");
        assert_eq!(read_all(&mut ld, 3), None);
    }

    #[test]
    fn erase_and_kill_edit_the_line() {
        let mut ld = LineDiscipline::new();
        let echo = typed(&mut ld, b"wrx\x7f\x7fong\x7f\x7f\x7ford\n");
        assert_eq!(read_all(&mut ld, 20).unwrap(), b"word\n");
        assert!(echo.starts_with(b"wrx\x08 \x08\x08 \x08ong"));
        typed(&mut ld, b"gone\x15kept\n");
        assert_eq!(read_all(&mut ld, 20).unwrap(), b"kept\n");
    }

    #[test]
    fn end_of_file_at_line_start_and_mid_line() {
        let mut ld = LineDiscipline::new();
        typed(&mut ld, b"ab\x04\x04");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"ab", "^D mid-line ends the line without a newline");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"", "^D on an empty line is end of file");
        assert_eq!(read_all(&mut ld, 10), None);
    }

    #[test]
    fn long_lines_and_full_buffers_drop_input() {
        let mut ld = LineDiscipline::new();
        let echo = typed(&mut ld, &[b'x'; MAX_LINE + 10]);
        assert_eq!(echo.len(), MAX_LINE - 1);
        typed(&mut ld, b"\n");
        assert_eq!(read_all(&mut ld, 2 * MAX_LINE).unwrap().len(), MAX_LINE);
        for _ in 0..MAX_READY {
            typed(&mut ld, b"y\n");
        }
        let mut total = 0;
        while let Some(n) = ld.peek(&mut [0; 64], false) {
            ld.consume(n);
            total += n;
        }
        assert_eq!(total, MAX_READY);
    }

    fn raw(ld: &mut LineDiscipline, min: u8) {
        raw_timed(ld, min, 0);
    }

    fn raw_timed(ld: &mut LineDiscipline, min: u8, time: u8) {
        let mut t = ld.settings;
        t.lflag &= !(ICANON | ECHO);
        t.cc[VMIN] = min;
        t.cc[VTIME] = time;
        ld.set(t, false);
    }

    #[test]
    fn vmin_and_vtime_say_when_a_raw_read_returns() {
        let mut ld = LineDiscipline::new();
        raw_timed(&mut ld, 3, 0);
        typed(&mut ld, b"ab");
        assert_eq!(ld.peek(&mut [0; 10], false), None, "VMIN 3: two bytes are not enough");
        assert_eq!(ld.read_deadline(0, 5), None, "no VTIME: no deadline");
        typed(&mut ld, b"c");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"abc");
        typed(&mut ld, b"xy");
        assert_eq!(read_all(&mut ld, 1).unwrap(), b"x", "a shorter read needs fewer");
        ld.consume(1);
        raw_timed(&mut ld, 0, 5);
        assert_eq!(ld.read_deadline(1_000, 0), Some(1_000 + 500_000_000), "VMIN 0: from the read");
        assert_eq!(ld.peek(&mut [0; 10], false), None, "nothing yet, time left");
        assert_eq!(ld.peek(&mut [0; 10], true), Some(0), "the time ran out: empty");
        raw_timed(&mut ld, 4, 2);
        assert_eq!(ld.read_deadline(10, 0), None, "VMIN 4: the timer waits for a first byte");
        typed(&mut ld, b"12");
        assert_eq!(ld.read_deadline(10, 700), Some(700 + 200_000_000), "from the last byte");
        assert_eq!(ld.peek(&mut [0; 10], false), None);
        let mut out = [0; 10];
        assert_eq!(ld.peek(&mut out, true), Some(2), "between bytes the time ran out");
        assert_eq!(&out[..2], b"12");
    }

    #[test]
    fn raw_mode_gives_bytes_at_once() {
        let mut ld = LineDiscipline::new();
        typed(&mut ld, b"pend");
        raw(&mut ld, 1);
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"pend", "the line being typed becomes readable");
        assert_eq!(read_all(&mut ld, 10), None, "VMIN 1: a read waits");
        assert_eq!(typed(&mut ld, b"a\x7f\r"), b"", "no echo, no editing");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"a\x7f\n");
        raw(&mut ld, 0);
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"", "VMIN 0: a read returns at once");
    }

    #[test]
    fn signal_keys_flush_and_signal() {
        let mut ld = LineDiscipline::new();
        let mut echo = Vec::new();
        typed(&mut ld, b"done\npartial");
        assert_eq!(ld.receive(0x03, &mut echo), Some(SIGINT));
        assert_eq!(echo, b"^C");
        assert!(!ld.readable(), "the input is dropped");
        assert_eq!(ld.receive(0x1a, &mut echo), Some(SIGTSTP));
        assert_eq!(ld.receive(0x1c, &mut echo), Some(SIGQUIT));
        let mut t = ld.settings;
        t.lflag &= !ISIG;
        ld.set(t, false);
        assert_eq!(ld.receive(0x03, &mut echo), None);
        typed(&mut ld, b"\n");
        assert_eq!(read_all(&mut ld, 10).unwrap(), b"\x03\n", "without ISIG ^C is a byte");
    }

    #[test]
    fn control_characters_echo_as_caret_letters() {
        let mut ld = LineDiscipline::new();
        assert_eq!(typed(&mut ld, b"a\x01\x1b\t"), b"a^A^[\t");
        let mut t = ld.settings;
        t.cc[VINTR] = 0x7f;
        t.cc[VERASE] = 0x08;
        ld.set(t, false);
        let mut echo = Vec::new();
        assert_eq!(ld.receive(0x7f, &mut echo), Some(SIGINT));
        assert_eq!(echo, b"^?");
        assert_eq!(ld.receive(0xc5, &mut echo), None, "a high byte is no signal and no overflow");
    }

    #[test]
    fn ends_of_file_take_room() {
        let mut ld = LineDiscipline::new();
        for _ in 0..2 * MAX_READY {
            typed(&mut ld, b"\x04");
        }
        assert_eq!(ld.ready.len(), MAX_READY);
    }
}
