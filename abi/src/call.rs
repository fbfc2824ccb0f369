//! Kernel call numbers. The doc comment of each call lists its arguments in
//! register order (`rdi, rsi, rdx, r10, r8, r9`) and its results.

/// A kernel call number, passed in `rax`.
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// (ptr, len): write bytes to the kernel console. For debugging and tests.
    DebugWrite = 0,
    /// (): give up the rest of the time slice.
    Yield = 1,
    /// (endpoint|reply, info, mr0..): send a message; blocks until received
    /// unless `MsgInfo::NONBLOCK`.
    Send = 2,
    /// (endpoint|notification, info, deadline) -> (badge, info, mr0..): wait
    /// for a message. `deadline` is in nanoseconds since boot (see `Clock`),
    /// 0 for none; when it passes first the call fails with `TimedOut`.
    Recv = 3,
    /// (endpoint, info, mr0..) -> (badge, info, mr0..): send and wait for the reply.
    Call = 4,
    /// (endpoint, info, mr0..) -> (badge, info, mr0..): reply to the last caller,
    /// then wait for the next message on `endpoint`.
    ReplyRecv = 5,
    /// (info, mr0..): reply to the last caller.
    Reply = 6,
    /// (notification, bits): OR `bits` into the notification word.
    NotifySignal = 7,
    /// (notification, info, deadline) -> (bits): wait until the word is
    /// non-zero and take it; `deadline` as for `Recv`.
    NotifyWait = 8,
    /// (slot, rights, badge) -> (new slot): copy a capability with fewer rights
    /// (and, for an unbadged endpoint, a badge). The copy is a child of `slot`.
    /// For an I/O port capability a non-zero `badge` narrows the range:
    /// bits 0-15 the first port, bits 16-31 the last.
    CapDerive = 9,
    /// (slot): delete one capability.
    CapDelete = 10,
    /// (slot): delete every capability derived from `slot`, in every task.
    CapRevoke = 11,
    /// (slot) -> (type, rights, badge, object id): describe a capability.
    CapIdentify = 12,
    /// (space, slot, rights, badge) -> (slot in space): give a derived copy of
    /// one of our capabilities to the task owning `space` (badge as in `CapDerive`).
    CapCopyTo = 13,
    /// (factory) -> (slot): create an empty address space with its capability table.
    SpaceCreate = 14,
    /// (factory, space) -> (slot, thread id): create a suspended thread in `space`.
    ThreadCreate = 15,
    /// (factory) -> (slot): create an IPC endpoint.
    EndpointCreate = 16,
    /// (factory) -> (slot): create a notification.
    NotificationCreate = 17,
    /// (space, frame, first page in frame, vaddr, pages, flags): map frames.
    /// Flags are [`crate::cap::Rights`] READ/WRITE/EXEC bits.
    Map = 18,
    /// (space, vaddr, pages): remove mappings (absent pages are skipped).
    Unmap = 19,
    /// (thread, pager endpoint slot or NONE, ipc buffer vaddr or 0, priority).
    ThreadConfigure = 20,
    /// (thread): stop a thread. Whatever it waits for is cancelled and its
    /// call fails with `Interrupted` (a send, a receive, a notification wait,
    /// or a call awaiting its reply, whose reply right then lapses); a
    /// pending fault message is withdrawn and the instruction runs again
    /// on resume.
    ThreadSuspend = 21,
    /// (thread): make a suspended thread runnable again.
    ThreadResume = 22,
    /// (thread, ptr to ThreadRegs): read the saved registers of a suspended
    /// thread (or one blocked in a kernel call).
    ThreadReadRegs = 23,
    /// (thread, ptr to ThreadRegs): replace the saved registers of a stopped
    /// thread (never started, suspended, or stopped by a fault); `Busy` otherwise.
    ThreadWriteRegs = 24,
    /// (space, entry, gate start, gate end): reflect `syscall` instructions
    /// executed outside `[gate start, gate end)` to `entry` in the same space.
    SpacePersonality = 25,
    /// (irq, notification, bits): deliver the IRQ as `bits` on the notification.
    IrqBind = 26,
    /// (irq): unmask the line after handling.
    IrqAck = 27,
    /// (ioports): allow `in`/`out` on the capability's range for this task.
    IoPortEnable = 28,
    /// (reply slot or NONE for the current caller, grant index, offset,
    /// local ptr, len, direction): copy through a grant attached to a call.
    /// Nothing is copied unless all of it can be: `BadAddress` blames our
    /// buffer, `PeerFault` the granter's memory.
    GrantCopy = 29,
    /// () -> (slot): move the right to reply to the current caller into a slot.
    SaveReply = 30,
    /// (frame, first page, pages, rights) -> (slot): a capability over part of a frame range.
    FrameDerive = 31,
    /// (fs base): set this thread's FS base (thread-local storage pointer).
    SetFsBase = 32,
    /// () -> (ns since boot, tsc ticks per second).
    Clock = 33,
    /// (space): stop every thread of the space and free its mappings and capabilities.
    SpaceDestroy = 34,
    /// (thread): stop a thread for good and release it.
    ThreadDestroy = 35,
    /// (notification, thread or NONE): bind a notification to a thread, so
    /// that the thread's `Recv` on an endpoint also returns when the
    /// notification is signalled: label `ipc::LABEL_NOTIFICATION`, word 0 =
    /// the bits taken. NONE unbinds. A notification and a thread have at
    /// most one binding each.
    NotificationBind = 36,
    /// (notification, deadline, bits): signal `bits` on the notification
    /// when the deadline (ns since boot) passes; one timer per
    /// notification, a new call replaces it, deadline 0 cancels.
    TimerSet = 37,
    /// (thread) -> (activity: a [`thread_activity`] value): what a thread
    /// is doing, for /proc's process states.
    ThreadActivity = 38,
}

impl Call {
    /// Every call, in number order.
    pub const ALL: [Call; 39] = [
        Call::DebugWrite,
        Call::Yield,
        Call::Send,
        Call::Recv,
        Call::Call,
        Call::ReplyRecv,
        Call::Reply,
        Call::NotifySignal,
        Call::NotifyWait,
        Call::CapDerive,
        Call::CapDelete,
        Call::CapRevoke,
        Call::CapIdentify,
        Call::CapCopyTo,
        Call::SpaceCreate,
        Call::ThreadCreate,
        Call::EndpointCreate,
        Call::NotificationCreate,
        Call::Map,
        Call::Unmap,
        Call::ThreadConfigure,
        Call::ThreadSuspend,
        Call::ThreadResume,
        Call::ThreadReadRegs,
        Call::ThreadWriteRegs,
        Call::SpacePersonality,
        Call::IrqBind,
        Call::IrqAck,
        Call::IoPortEnable,
        Call::GrantCopy,
        Call::SaveReply,
        Call::FrameDerive,
        Call::SetFsBase,
        Call::Clock,
        Call::SpaceDestroy,
        Call::ThreadDestroy,
        Call::NotificationBind,
        Call::TimerSet,
        Call::ThreadActivity,
    ];

    /// Decode a call number; `None` for numbers the kernel does not know.
    pub fn from_number(n: u64) -> Option<Call> {
        Call::ALL.get(usize::try_from(n).ok()?).copied()
    }
}

/// A slot argument meaning "none" (no pager, the current caller...).
pub const NONE: u64 = u64::MAX;

/// What [`Call::ThreadActivity`] answers.
pub mod thread_activity {
    /// Ready or running, or in a call a server has not taken yet or is
    /// serving now (its implicit reply right is still the server's).
    pub const RUNNING: u64 = 0;
    /// Waiting for a message or a notification, or for the reply to a
    /// call the server put aside (`SaveReply`) to answer later.
    pub const WAITING: u64 = 1;
    /// Suspended, never started, or stopped by a fault without a pager.
    pub const STOPPED: u64 = 2;
}

/// Direction of a [`Call::GrantCopy`].
pub mod direction {
    /// From the granter's memory into ours.
    pub const FROM_GRANTER: u64 = 0;
    /// From our memory into the granter's.
    pub const TO_GRANTER: u64 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for (i, c) in Call::ALL.iter().enumerate() {
            assert_eq!(*c as u64, i as u64);
            assert_eq!(Call::from_number(i as u64), Some(*c));
        }
        assert_eq!(Call::from_number(Call::ALL.len() as u64), None);
        assert_eq!(Call::from_number(u64::MAX), None);
    }
}
