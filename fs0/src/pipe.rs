//! A pipe's buffer and the POSIX rules around it: bytes in order, a fixed
//! capacity, and writes of at most [`PIPE_BUF`] bytes never interleaved
//! with others (they go in whole or wait).

use alloc::collections::VecDeque;

/// Writes up to this size are atomic (POSIX's PIPE_BUF, Linux's value).
pub const PIPE_BUF: usize = 4096;
/// Bytes a pipe holds (Linux's default pipe size).
pub const CAPACITY: usize = 64 * 1024;

#[derive(Debug, Default)]
pub struct PipeBuffer {
    data: VecDeque<u8>,
    /// Open read and write ends (descriptions).
    pub readers: usize,
    pub writers: usize,
}

impl PipeBuffer {
    pub fn new() -> PipeBuffer {
        PipeBuffer { data: VecDeque::new(), readers: 1, writers: 1 }
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Free bytes.
    pub fn space(&self) -> usize {
        CAPACITY - self.data.len()
    }

    /// How many bytes of a write of `total` bytes, `done` of them already
    /// in, may go in now: all of a small write or nothing (PIPE_BUF), as
    /// much as fits of a large one.
    pub fn accepts(&self, total: usize, done: usize) -> usize {
        let left = total - done;
        if total <= PIPE_BUF { if self.space() >= left { left } else { 0 } } else { left.min(self.space()) }
    }

    /// Appends `bytes` (the caller checked they fit).
    pub fn push(&mut self, bytes: &[u8]) {
        debug_assert!(bytes.len() <= self.space());
        self.data.extend(bytes);
    }

    /// Copies up to `out.len()` of the oldest bytes into `out`, without
    /// taking them; returns how many.
    pub fn peek(&self, out: &mut [u8]) -> usize {
        let (a, b) = self.data.as_slices();
        let n = out.len().min(self.data.len());
        let from_a = n.min(a.len());
        out[..from_a].copy_from_slice(&a[..from_a]);
        out[from_a..n].copy_from_slice(&b[..n - from_a]);
        n
    }

    /// Takes the `n` oldest bytes.
    pub fn consume(&mut self, n: usize) {
        self.data.drain(..n.min(self.data.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_order() {
        let mut p = PipeBuffer::new();
        p.push(b"hello ");
        p.push(b"world");
        let mut out = [0u8; 8];
        assert_eq!(p.peek(&mut out), 8);
        assert_eq!(&out, b"hello wo");
        p.consume(6);
        let mut rest = [0u8; 16];
        let n = p.peek(&mut rest);
        assert_eq!(&rest[..n], b"world");
    }

    #[test]
    fn small_writes_are_all_or_nothing() {
        let mut p = PipeBuffer::new();
        p.push(&[0; CAPACITY - 100]);
        assert_eq!(p.accepts(200, 0), 0, "PIPE_BUF: no partial small write");
        assert_eq!(p.accepts(100, 0), 100);
        assert_eq!(p.accepts(PIPE_BUF + 1, 0), 100, "a large write takes what fits");
        p.consume(CAPACITY - 100);
        assert_eq!(p.accepts(PIPE_BUF, 0), PIPE_BUF);
    }

    #[test]
    fn peek_across_the_ring_wrap() {
        let mut p = PipeBuffer::new();
        p.push(&[1; 10]);
        p.consume(10);
        p.push(&[2; CAPACITY]);
        let mut out = vec![0u8; CAPACITY];
        assert_eq!(p.peek(&mut out), CAPACITY);
        assert!(out.iter().all(|&b| b == 2));
        assert_eq!(p.space(), 0);
    }
}
