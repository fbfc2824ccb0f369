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
//! - Files are named by fs0-side handles. Handle [`CONSOLE`] is the console,
//!   open in every process; later labels (read, open, close) take the same
//!   handle word first, so the numbering leaves room for them.
#![no_std]
#![forbid(unsafe_code)]

/// The handle of the console (what fds 0, 1 and 2 of every process refer to).
pub const CONSOLE: u64 = 0;

/// Request labels.
pub mod label {
    /// (handle) + grants 0..n readable -> [`crate::WriteReply`]: write the granted
    /// buffers in order. A grant fs0 cannot copy from because the client's
    /// memory is not mapped with the access it promised (the kernel's
    /// `PeerFault`) ends the write: the reply counts the bytes before it and
    /// says the write stopped at a fault, or is `EFAULT` if there are none.
    /// The kernel does not page in client memory, so the client may back
    /// the rest (mm0's POPULATE) and write it again. A grant without read
    /// access ends the write the same way, but is no fault: `EINVAL` when
    /// nothing was written.
    pub const WRITE: u32 = 1;
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
}

/// Words of a [`label::WRITE`] request (the data comes in its grants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteRequest {
    pub handle: u64,
}

impl WriteRequest {
    /// Number of message words.
    pub const WORDS: usize = 1;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.handle]
    }

    pub const fn from_words(words: &[u64]) -> Option<WriteRequest> {
        match words {
            [handle, ..] => Some(WriteRequest { handle: *handle }),
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
        let r = WriteRequest { handle: CONSOLE };
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
