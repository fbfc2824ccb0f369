//! The protocol between libposix (and native tasks) and fs0, the
//! filesystem server.
//!
//! Design principles:
//! - A request is an IPC `Call` on the client's fs0 endpoint
//!   (`mm0_proto::SLOT_FS0`) with one of the [`label`]s below and its
//!   arguments in the register words. The endpoint's badge tells fs0 who is
//!   calling.
//! - The reply's label is 0 for success or an [`errno`] value (Linux
//!   numbering, so libposix passes it through as `-errno`); its words carry
//!   the results.
//! - Bulk data never travels in message words: the client grants its buffer
//!   for the one call (grant 0) and fs0 copies through the grant with
//!   `GrantCopy`, in chunks, touching nothing else of the client's memory.
//! - Files are named by the caller's file descriptor numbers: fs0 keeps
//!   each process's descriptor table (the badge says whose), and the open
//!   file descriptions the descriptors share (across dup and fork, with one
//!   offset). A process fs0 has not seen before starts with descriptors 0,
//!   1 and 2 open on the console. mm0 tells fs0 of forks, execs and ends
//!   (`mm0_proto::label::PROCESS_EVENTS`).
//! - A request that must wait (a read of an empty pipe, a write to a full
//!   one) is answered when it can go on; the client's grant stays usable
//!   until then.
#![no_std]
#![forbid(unsafe_code)]

/// Request labels.
pub mod label {
    /// (fd) + grants 0..n readable -> [`crate::WriteReply`]: write the granted
    /// buffers in order. A grant fs0 cannot copy from because the client's
    /// memory is not mapped with the access it promised (the kernel's
    /// `PeerFault`) ends the write: the reply counts the bytes before it and
    /// says the write stopped at a fault, or is `EFAULT` if there are none.
    /// The kernel does not page in client memory, so the client may back
    /// the rest (mm0's POPULATE) and write it again. A grant without read
    /// access ends the write the same way, but is no fault: `EINVAL` when
    /// nothing was written. A pipe without readers is EPIPE (libposix
    /// raises SIGPIPE); a full pipe waits unless O_NONBLOCK (EAGAIN).
    pub const WRITE: u32 = 1;
    /// (fd) + grant 0 writable -> [`crate::ReadReply`]: read up to the
    /// grant's length. A grant fs0 cannot copy into (the client's page not
    /// backed) ends the read as for WRITE. An empty pipe with writers waits
    /// (EAGAIN with O_NONBLOCK); without writers it reads 0 bytes (end of
    /// file).
    pub const READ: u32 = 2;
    /// (fd) -> (): close the descriptor.
    pub const CLOSE: u32 = 3;
    /// (fd, number, how) -> (new fd): a second descriptor for the same
    /// open file description ([`crate::dup`]).
    pub const DUP: u32 = 4;
    /// (fd, command, value) -> (value): F_GETFD, F_SETFD, F_GETFL,
    /// F_SETFL (O_APPEND and O_NONBLOCK change; the rest stays).
    pub const FCNTL: u32 = 5;
    /// (flags, mode) + grant 0 readable (the path, no NUL) -> (fd): open.
    /// So far the devices: /dev/null, /dev/zero, /dev/full, /dev/random,
    /// /dev/urandom, /dev/console, /dev/tty; other paths are ENOENT.
    pub const OPEN: u32 = 6;
    /// (flags: O_CLOEXEC, O_NONBLOCK) -> (read fd, write fd): a pipe.
    pub const PIPE: u32 = 7;
    /// (fd) -> (mode, rdev, size): what fstat needs of a descriptor.
    pub const FSTAT: u32 = 8;
    /// (fd, offset, whence) -> (position): lseek. ESPIPE for pipes and
    /// terminals; devices without position stay at 0.
    pub const LSEEK: u32 = 9;
    /// (fd) -> (poll bits): what a poll would see now ([`crate::ready`]).
    pub const READY: u32 = 10;
}

/// Poll bits of a [`label::READY`] reply (Linux's POLL* values).
pub mod ready {
    pub const IN: u64 = 0x001;
    pub const OUT: u64 = 0x004;
    pub const ERR: u64 = 0x008;
    pub const HUP: u64 = 0x010;
}

/// How [`label::DUP`] picks the new number.
pub mod dup {
    /// The lowest free number at or above the given one (dup, F_DUPFD).
    pub const LOWEST: u64 = 0;
    /// Exactly the given number, closing what was there (dup2, dup3).
    pub const AT: u64 = 1;
    /// Flag: the new descriptor is close-on-exec.
    pub const CLOEXEC: u64 = 2;
}

/// fcntl commands and flags (Linux values).
pub mod fcntl {
    pub const F_GETFD: u64 = 1;
    pub const F_SETFD: u64 = 2;
    pub const F_GETFL: u64 = 3;
    pub const F_SETFL: u64 = 4;
    pub const FD_CLOEXEC: u64 = 1;
    pub const O_ACCMODE: u64 = 3;
    pub const O_RDONLY: u64 = 0;
    pub const O_WRONLY: u64 = 1;
    pub const O_RDWR: u64 = 2;
    pub const O_APPEND: u64 = 0o2000;
    pub const O_NONBLOCK: u64 = 0o4000;
    pub const O_CLOEXEC: u64 = 0o2000000;
}

/// File type bits of `st_mode` (Linux values).
pub mod mode {
    pub const S_IFIFO: u64 = 0o010000;
    pub const S_IFCHR: u64 = 0o020000;
}

/// Words of a successful [`label::READ`] reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadReply {
    /// Bytes read into the start of the grant.
    pub read: u64,
    /// The read ended early because client memory could not be copied
    /// into (after `read` bytes).
    pub stopped_at_fault: bool,
}

impl ReadReply {
    pub const WORDS: usize = 2;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.read, self.stopped_at_fault as u64]
    }

    pub const fn from_words(words: &[u64]) -> Option<ReadReply> {
        match words {
            [read, stopped, ..] => Some(ReadReply { read: *read, stopped_at_fault: *stopped != 0 }),
            _ => None,
        }
    }
}

/// Reply labels for failures: Linux errno values.
pub mod errno {
    /// Operation not permitted.
    pub const EPERM: u32 = 1;
    /// Interrupted by a signal.
    pub const EINTR: u32 = 4;
    /// Argument list too long.
    pub const E2BIG: u32 = 7;
    /// Input/output error (also: the server is gone).
    pub const EIO: u32 = 5;
    /// Bad file descriptor or handle.
    pub const EBADF: u32 = 9;
    /// Out of memory.
    pub const ENOMEM: u32 = 12;
    /// A grant or user pointer could not be accessed.
    pub const EFAULT: u32 = 14;
    /// An argument is invalid.
    pub const EINVAL: u32 = 22;
    /// Not a terminal.
    pub const ENOTTY: u32 = 25;
    /// The call is not implemented.
    pub const ENOSYS: u32 = 38;
    /// A path is too long.
    pub const ENAMETOOLONG: u32 = 36;
    /// No such file.
    pub const ENOENT: u32 = 2;
    /// Would block (O_NONBLOCK).
    pub const EAGAIN: u32 = 11;
    /// Too many open descriptors.
    pub const EMFILE: u32 = 24;
    /// No space (the full device).
    pub const ENOSPC: u32 = 28;
    /// Seek on a pipe or terminal.
    pub const ESPIPE: u32 = 29;
    /// Write to a pipe without readers.
    pub const EPIPE: u32 = 32;
}

/// Words of a [`label::WRITE`] request (the data comes in its grants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteRequest {
    pub fd: u64,
}

impl WriteRequest {
    /// Number of message words.
    pub const WORDS: usize = 1;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.fd]
    }

    pub const fn from_words(words: &[u64]) -> Option<WriteRequest> {
        match words {
            [fd, ..] => Some(WriteRequest { fd: *fd }),
            _ => None,
        }
    }
}

/// Words of a successful [`label::WRITE`] reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteReply {
    /// Bytes written, from the start of the first grant on.
    pub written: u64,
    /// The write ended early because client memory could not be copied
    /// (after `written` bytes).
    pub stopped_at_fault: bool,
}

impl WriteReply {
    /// Number of message words.
    pub const WORDS: usize = 2;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.written, self.stopped_at_fault as u64]
    }

    pub const fn from_words(words: &[u64]) -> Option<WriteReply> {
        match words {
            [written, stopped, ..] => Some(WriteReply { written: *written, stopped_at_fault: *stopped != 0 }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_request_round_trips() {
        let r = WriteRequest { fd: 1 };
        assert_eq!(WriteRequest::from_words(&r.to_words()), Some(r));
        assert_eq!(WriteRequest::from_words(&[]), None);
    }

    #[test]
    fn write_reply_round_trips() {
        for reply in
            [WriteReply { written: 7, stopped_at_fault: true }, WriteReply { written: 0, stopped_at_fault: false }]
        {
            assert_eq!(WriteReply::from_words(&reply.to_words()), Some(reply));
        }
        assert_eq!(WriteReply::from_words(&[5]), None);
    }
}
