//! Capability types and rights.

/// The type of object a capability refers to.
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapType {
    /// An address space together with its capability table (a task).
    Space = 1,
    /// A thread of execution.
    Thread = 2,
    /// A synchronous IPC rendezvous point.
    Endpoint = 3,
    /// A word of asynchronous event bits.
    Notification = 4,
    /// A range of physical page frames.
    Frame = 5,
    /// One legacy IRQ line.
    IrqLine = 6,
    /// A range of I/O ports.
    IoPorts = 7,
    /// The one-shot right to answer one caller.
    Reply = 8,
    /// The right to create kernel objects.
    Factory = 9,
}

impl CapType {
    /// Decode the value returned by `CapIdentify`.
    pub fn from_number(n: u64) -> Option<CapType> {
        Some(match n {
            1 => CapType::Space,
            2 => CapType::Thread,
            3 => CapType::Endpoint,
            4 => CapType::Notification,
            5 => CapType::Frame,
            6 => CapType::IrqLine,
            7 => CapType::IoPorts,
            8 => CapType::Reply,
            9 => CapType::Factory,
            _ => return None,
        })
    }
}

/// Rights carried by a capability; a derived capability has a subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights(pub u64);

impl Rights {
    /// Read a frame (map it readable).
    pub const READ: Rights = Rights(1);
    /// Write a frame.
    pub const WRITE: Rights = Rights(2);
    /// Execute from a frame.
    pub const EXEC: Rights = Rights(4);
    /// Send on an endpoint, signal a notification.
    pub const SEND: Rights = Rights(8);
    /// Receive on an endpoint, wait on a notification.
    pub const RECV: Rights = Rights(16);
    /// Transfer capabilities along with a message.
    pub const GRANT: Rights = Rights(32);
    /// Control the object: map into a space, change a thread, bind an IRQ.
    pub const CONTROL: Rights = Rights(64);
    /// Every right.
    pub const ALL: Rights = Rights(127);

    /// True when every right of `other` is in `self`.
    pub const fn contains(self, other: Rights) -> bool {
        self.0 & other.0 == other.0
    }

    /// The rights in both.
    pub const fn intersect(self, other: Rights) -> Rights {
        Rights(self.0 & other.0)
    }

    /// The rights in either.
    pub const fn union(self, other: Rights) -> Rights {
        Rights(self.0 | other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_rights_are_a_subset() {
        let rw = Rights::READ.union(Rights::WRITE);
        assert!(rw.contains(Rights::READ));
        assert!(!rw.contains(Rights::EXEC));
        assert_eq!(rw.intersect(Rights(Rights::READ.0 | Rights::SEND.0)), Rights::READ);
        assert!(Rights::ALL.contains(rw));
    }

    #[test]
    fn types_decode() {
        for n in 1..=9 {
            assert_eq!(CapType::from_number(n).unwrap() as u64, n);
        }
        assert_eq!(CapType::from_number(0), None);
        assert_eq!(CapType::from_number(10), None);
    }
}
