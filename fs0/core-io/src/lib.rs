//! The part of `std::io` that the `fatfs` crate uses, without std.
//!
//! fatfs 0.3.6 is written against `std::io` or, without std, the old
//! `core_io` crate, which no longer builds. This crate has the same name and
//! is patched in for it (`[patch.crates-io]` in the workspace manifest), so
//! fatfs runs unchanged in fs0. It holds only what fatfs calls: the three
//! traits with their provided methods, `SeekFrom`, a small `Error`, and
//! `Cursor` over a byte slice. Errors carry a kind and a fixed message, as
//! fatfs's errors do, and allocate nothing.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt;

/// What went wrong, coarsely (the std names fatfs uses, and the ones a
/// device needs to report).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    InvalidInput,
    InvalidData,
    UnexpectedEof,
    WriteZero,
    Interrupted,
    Other,
}

/// An I/O error: its kind and a message for people.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: &'static str,
}

impl Error {
    pub fn new(kind: ErrorKind, message: &'static str) -> Error {
        Error { kind, message }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &'static str {
        self.message
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error { kind, message: "" }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

pub type Result<T> = core::result::Result<T, Error>;

/// Where a seek counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekFrom {
    Start(u64),
    End(i64),
    Current(i64),
}

pub trait Read {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;

    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.read(buf) {
                Ok(0) => return Err(Error::new(ErrorKind::UnexpectedEof, "failed to fill whole buffer")),
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

pub trait Write {
    fn write(&mut self, buf: &[u8]) -> Result<usize>;

    fn flush(&mut self) -> Result<()>;

    fn write_all(&mut self, mut buf: &[u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.write(buf) {
                Ok(0) => return Err(Error::new(ErrorKind::WriteZero, "failed to write whole buffer")),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

pub trait Seek {
    fn seek(&mut self, pos: SeekFrom) -> Result<u64>;
}

impl<R: Read + ?Sized> Read for &mut R {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        (**self).read(buf)
    }
}

impl<W: Write + ?Sized> Write for &mut W {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        (**self).write(buf)
    }

    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
}

impl<S: Seek + ?Sized> Seek for &mut S {
    fn seek(&mut self, pos: SeekFrom) -> Result<u64> {
        (**self).seek(pos)
    }
}

/// Reads from a byte buffer held in memory.
#[derive(Clone, Debug)]
pub struct Cursor<T> {
    inner: T,
    position: u64,
}

impl<T> Cursor<T> {
    pub fn new(inner: T) -> Cursor<T> {
        Cursor { inner, position: 0 }
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsRef<[u8]>> Read for Cursor<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let bytes = self.inner.as_ref();
        let start = (self.position as usize).min(bytes.len());
        let n = buf.len().min(bytes.len() - start);
        buf[..n].copy_from_slice(&bytes[start..start + n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl<T: AsRef<[u8]>> Seek for Cursor<T> {
    fn seek(&mut self, pos: SeekFrom) -> Result<u64> {
        let (base, delta) = match pos {
            SeekFrom::Start(at) => (at, 0),
            SeekFrom::End(delta) => (self.inner.as_ref().len() as u64, delta),
            SeekFrom::Current(delta) => (self.position, delta),
        };
        match base.checked_add_signed(delta) {
            Some(at) => {
                self.position = at;
                Ok(at)
            }
            None => Err(Error::new(ErrorKind::InvalidInput, "seek to a negative or overflowing position")),
        }
    }
}

pub mod prelude {
    pub use super::{Read, Seek, Write};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_exact_reports_a_short_source() {
        let mut cursor = Cursor::new(&[1u8, 2, 3]);
        let mut two = [0u8; 2];
        cursor.read_exact(&mut two).unwrap();
        assert_eq!(two, [1, 2]);
        assert_eq!(cursor.read_exact(&mut two).unwrap_err().kind(), ErrorKind::UnexpectedEof);
    }

    #[test]
    fn seek_refuses_negative_positions() {
        let mut cursor = Cursor::new([0u8; 4]);
        assert_eq!(cursor.seek(SeekFrom::End(-1)).unwrap(), 3);
        assert_eq!(cursor.seek(SeekFrom::Current(-4)).unwrap_err().kind(), ErrorKind::InvalidInput);
    }
}
