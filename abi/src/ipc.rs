//! Message layout for synchronous IPC.
//!
//! A message is a [`MsgInfo`] word (label and counts) plus up to
//! [`REG_WORDS`] words in registers (`rdx, r10, r8, r9, r12, r13, r14, r15`)
//! and up to [`BUF_WORDS`] more words in the thread's [`IpcBuffer`]. The
//! buffer also names capabilities to transfer and memory to grant.

/// Message words carried in registers.
pub const REG_WORDS: usize = 8;
/// Message words carried in the IPC buffer.
pub const BUF_WORDS: usize = 64;
/// Capabilities that one message can transfer.
pub const MAX_CAPS: usize = 2;
/// Memory grants that one call can carry.
pub const MAX_GRANTS: usize = 2;

/// Label of a page-fault message the kernel sends to a pager.
/// Words: fault address, error code (x86 #PF bits), rip, 14, rsp, thread id.
pub const LABEL_PAGE_FAULT: u32 = 0xffff_0001;
/// Label of a CPU-exception message the kernel sends to a pager.
/// Words: 0, error code, rip, vector, rsp, thread id.
pub const LABEL_EXCEPTION: u32 = 0xffff_0002;

/// Label of what a `Recv` returns when the receiver's bound notification
/// was signalled instead of a message arriving. Word 0: the bits.
pub const LABEL_NOTIFICATION: u32 = 0xffff_0003;

/// Page-fault error-code bits (as the CPU reports them).
pub mod fault {
    /// The page was present (a protection violation).
    pub const PRESENT: u64 = 1;
    /// The access was a write.
    pub const WRITE: u64 = 2;
    /// The access was an instruction fetch.
    pub const EXEC: u64 = 16;
}

/// The first word of every message: label, word counts, transfers, flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsgInfo(pub u64);

impl MsgInfo {
    /// Do not wait: fail with `WouldBlock` if there is no partner now.
    pub const NONBLOCK: u64 = 1 << 16;

    /// A message with `label` and `words` register words.
    pub const fn new(label: u32, words: usize) -> MsgInfo {
        MsgInfo(((label as u64) << 32) | (words as u64 & 0xf))
    }

    /// The same message, also carrying `n` words from the IPC buffer.
    pub const fn with_buf_words(self, n: usize) -> MsgInfo {
        MsgInfo((self.0 & !(0xff << 4)) | ((n as u64 & 0xff) << 4))
    }

    /// The same message, also transferring the first `n` capability slots
    /// listed in the IPC buffer.
    pub const fn with_caps(self, n: usize) -> MsgInfo {
        MsgInfo((self.0 & !(0x3 << 12)) | ((n as u64 & 0x3) << 12))
    }

    /// The same message, also carrying the first `n` grants of the IPC buffer.
    pub const fn with_grants(self, n: usize) -> MsgInfo {
        MsgInfo((self.0 & !(0x3 << 14)) | ((n as u64 & 0x3) << 14))
    }

    /// The same message, sent or received without waiting.
    pub const fn nonblocking(self) -> MsgInfo {
        MsgInfo(self.0 | Self::NONBLOCK)
    }

    pub const fn label(self) -> u32 {
        (self.0 >> 32) as u32
    }
    pub const fn reg_words(self) -> usize {
        (self.0 & 0xf) as usize
    }
    pub const fn buf_words(self) -> usize {
        ((self.0 >> 4) & 0xff) as usize
    }
    pub const fn caps(self) -> usize {
        ((self.0 >> 12) & 0x3) as usize
    }
    pub const fn grants(self) -> usize {
        ((self.0 >> 14) & 0x3) as usize
    }
    pub const fn is_nonblocking(self) -> bool {
        self.0 & Self::NONBLOCK != 0
    }

    /// True when the counts are within the limits of one message.
    pub const fn is_valid(self) -> bool {
        self.reg_words() <= REG_WORDS
            && self.buf_words() <= BUF_WORDS
            && self.caps() <= MAX_CAPS
            && self.grants() <= MAX_GRANTS
    }
}

/// Access a grant gives to the receiver of a call.
pub mod grant {
    /// The receiver may copy from the granted memory.
    pub const READ: u64 = 1;
    /// The receiver may copy into the granted memory.
    pub const WRITE: u64 = 2;
}

/// A region of the caller's memory lent to the receiver for one call.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    pub addr: u64,
    pub len: u64,
    /// [`grant`] bits.
    pub access: u64,
}

/// The per-thread IPC buffer: one page-aligned page registered with
/// `ThreadConfigure`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IpcBuffer {
    /// Message words beyond the register words.
    pub words: [u64; BUF_WORDS],
    /// Send: our slots to transfer. Receive: the slots where received
    /// capabilities were placed.
    pub caps: [u64; MAX_CAPS],
    /// Send: memory to grant with a `Call`.
    pub grants: [Grant; MAX_GRANTS],
    /// Receive: lengths and access of the grants that came with the call
    /// (addresses are not revealed; copy with `GrantCopy` by offset).
    pub received_grants: [Grant; MAX_GRANTS],
}

impl IpcBuffer {
    pub const fn zeroed() -> IpcBuffer {
        IpcBuffer {
            words: [0; BUF_WORDS],
            caps: [0; MAX_CAPS],
            grants: [Grant { addr: 0, len: 0, access: 0 }; MAX_GRANTS],
            received_grants: [Grant { addr: 0, len: 0, access: 0 }; MAX_GRANTS],
        }
    }
}

const _: () = assert!(core::mem::size_of::<IpcBuffer>() <= crate::PAGE_SIZE as usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_do_not_overlap() {
        let m = MsgInfo::new(0xdead_beef, 5).with_buf_words(64).with_caps(2).with_grants(1).nonblocking();
        assert_eq!(m.label(), 0xdead_beef);
        assert_eq!(m.reg_words(), 5);
        assert_eq!(m.buf_words(), 64);
        assert_eq!(m.caps(), 2);
        assert_eq!(m.grants(), 1);
        assert!(m.is_nonblocking());
        assert!(m.is_valid());
    }

    #[test]
    fn oversized_counts_are_invalid() {
        assert!(!MsgInfo::new(1, 9).is_valid());
        assert!(!MsgInfo::new(1, 0).with_buf_words(65).is_valid());
        assert!(!MsgInfo(3 << 12).is_valid());
    }
}
