//! Synchronous IPC: messages and the calls that move them.
//!
//! A [`Message`] is a [`MsgInfo`] word plus the eight register words. The
//! counts in `info` say how many words are meaningful and whether words,
//! capabilities or grants also come from the IPC buffer; fill those through
//! the calling thread's [`ThreadIpcBuffer`] before sending, and read what
//! arrived through it afterwards.
//!
//! [`ThreadIpcBuffer`]: crate::ipc_buffer::ThreadIpcBuffer

use abi::ipc::REG_WORDS;
use abi::{Call, Error, MsgInfo};

use crate::syscall::syscall_ipc;

/// A message: info word and register words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    pub info: MsgInfo,
    pub words: [u64; REG_WORDS],
}

impl Message {
    /// A message with `label` carrying `words` (at most [`REG_WORDS`]; more
    /// are ignored) in registers.
    pub fn new(label: u32, words: &[u64]) -> Message {
        let n = words.len().min(REG_WORDS);
        let mut w = [0; REG_WORDS];
        w[..n].copy_from_slice(&words[..n]);
        Message { info: MsgInfo::new(label, n), words: w }
    }

    /// A message with `label` and no words.
    pub const fn empty(label: u32) -> Message {
        Message { info: MsgInfo::new(label, 0), words: [0; REG_WORDS] }
    }

    /// The same message with a different info word (to add buffer words,
    /// capabilities, grants or the non-blocking flag).
    pub const fn with_info(self, info: MsgInfo) -> Message {
        Message { info, words: self.words }
    }

    pub const fn label(&self) -> u32 {
        self.info.label()
    }

    /// Register word `i`, or 0 when the message carries fewer words.
    pub const fn word(&self, i: usize) -> u64 {
        if i < self.info.reg_words() && i < REG_WORDS { self.words[i] } else { 0 }
    }
}

/// A received message and the badge of the capability it was sent through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    pub badge: u64,
    pub msg: Message,
}

fn regs(slot: u64, msg: &Message) -> [u64; 10] {
    let w = &msg.words;
    [slot, msg.info.0, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]
}

fn received(r: [u64; 10]) -> Received {
    Received {
        badge: r[0],
        msg: Message { info: MsgInfo(r[1]), words: [r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]] },
    }
}

fn ipc(call: Call, slot: u64, msg: &Message) -> Result<Received, Error> {
    // SAFETY: IPC calls write only registers and this thread's IPC buffer,
    // which no Rust reference points into (`ThreadIpcBuffer` only copies in
    // and out).
    let (rax, r) = unsafe { syscall_ipc(call as u64, regs(slot, msg)) };
    Error::check(rax).map(|()| received(r))
}

/// Sends `msg` on `slot`: an endpoint (waiting until a receiver takes it,
/// unless the message is non-blocking) or a saved reply (which answers that
/// caller at once and uses the reply capability up).
pub fn send(slot: u64, msg: &Message) -> Result<(), Error> {
    ipc(Call::Send, slot, msg).map(|_| ())
}

/// Waits for a message on `slot` (an endpoint or a notification).
pub fn recv(slot: u64) -> Result<Received, Error> {
    ipc(Call::Recv, slot, &Message::empty(0))
}

/// Takes a message waiting on `slot`, or fails with `WouldBlock`.
pub fn try_recv(slot: u64) -> Result<Received, Error> {
    ipc(Call::Recv, slot, &Message::empty(0).with_info(MsgInfo(MsgInfo::NONBLOCK)))
}

/// Sends `msg` on the endpoint `slot` and waits for the reply.
pub fn call(slot: u64, msg: &Message) -> Result<Message, Error> {
    ipc(Call::Call, slot, msg).map(|r| r.msg)
}

/// Replies `msg` to the last caller, then waits on `slot`.
pub fn reply_recv(slot: u64, msg: &Message) -> Result<Received, Error> {
    ipc(Call::ReplyRecv, slot, msg)
}

/// Replies `msg` to the last caller. The message sits in the same registers
/// as for the other IPC calls; `rdi` (no capability) is `abi::call::NONE`.
pub fn reply(msg: &Message) -> Result<(), Error> {
    ipc(Call::Reply, abi::call::NONE, msg).map(|_| ())
}
