//! Synchronous IPC on endpoints, notifications, and grants.
//!
//! A send meets a receive: whichever arrives first waits in the endpoint's
//! queue. The message moves at the rendezvous: register words into the
//! receiver's saved registers, buffer words between IPC buffers, transferred
//! capabilities into free slots of the receiver. A `Call` leaves the
//! receiver a reply right (its `caller`), which `Reply`, `ReplyRecv`, or a
//! saved Reply capability uses once.

use abi::ipc::{BUF_WORDS, Grant, IpcBuffer, MAX_CAPS, MAX_GRANTS};
use abi::{Error, MsgInfo, Rights};
use alloc::collections::VecDeque;

use crate::arena::Id;
use crate::cap::{Cap, Object};
use crate::state::Kernel;
use crate::thread::{Caller, Message, State};
use crate::usercopy;

pub struct Endpoint {
    pub senders: VecDeque<Id>,
    pub receivers: VecDeque<Id>,
    pub refs: usize,
}

pub struct Notification {
    pub word: u64,
    pub waiters: VecDeque<Id>,
    pub refs: usize,
    /// The thread whose endpoint receives also take this notification.
    pub bound: Option<Id>,
    /// Signal these bits at this deadline (ns since boot).
    pub timer: Option<(u64, u64)>,
    /// The notification has an entry in `Kernel::timers`.
    pub in_timer_list: bool,
}

/// Whose data made a message transfer fail.
enum Blame {
    Sender(Error),
    Receiver(Error),
}

/// What became of the calling thread.
pub enum Outcome {
    /// Done; results are in place (or none are needed).
    Done,
    /// The thread waits; its results are written when it wakes.
    Blocked,
}

/// One `GrantCopy` request: `len` bytes at `offset` in grant `index`, to or
/// from `local` in the copier's space.
pub struct GrantCopy {
    pub index: u64,
    pub offset: u64,
    pub local: u64,
    pub len: u64,
    pub to_granter: bool,
}

/// Most bytes one `GrantCopy` moves (keeps a non-preemptible call short).
pub const MAX_GRANT_COPY: u64 = 16 << 20;

const BUFFER_WORDS_OFFSET: u64 = 0;
const BUFFER_CAPS_OFFSET: u64 = core::mem::offset_of!(IpcBuffer, caps) as u64;
const BUFFER_GRANTS_OFFSET: u64 = core::mem::offset_of!(IpcBuffer, grants) as u64;
const BUFFER_RECEIVED_GRANTS_OFFSET: u64 = core::mem::offset_of!(IpcBuffer, received_grants) as u64;

impl Kernel {
    pub fn create_endpoint(&mut self) -> Result<Id, Error> {
        if !crate::heap::has_room() {
            return Err(Error::NoMemory);
        }
        let ep = Endpoint { senders: VecDeque::new(), receivers: VecDeque::new(), refs: 0 };
        self.endpoints.insert(ep).ok_or(Error::NoMemory)
    }

    pub fn create_notification(&mut self) -> Result<Id, Error> {
        if !crate::heap::has_room() {
            return Err(Error::NoMemory);
        }
        let n =
            Notification { word: 0, waiters: VecDeque::new(), refs: 0, bound: None, timer: None, in_timer_list: false };
        self.notifications.insert(n).ok_or(Error::NoMemory)
    }

    /// The last capability is gone: everyone waiting learns it is dead.
    pub fn destroy_endpoint(&mut self, id: Id) {
        if let Some(ep) = self.endpoints.remove(id) {
            for t in ep.senders.into_iter().chain(ep.receivers) {
                self.wake_with_error(t, Error::Dead);
            }
        }
    }

    pub fn destroy_notification(&mut self, id: Id) {
        if let Some(n) = self.notifications.remove(id) {
            for t in n.waiters {
                self.wake_with_error(t, Error::Dead);
            }
            if let Some(th) = n.bound.and_then(|t| self.threads.get_mut(t)) {
                th.bound_notification = None;
            }
        }
        for binding in self.irqs.iter_mut() {
            if binding.is_some_and(|b| b.notification == id) {
                *binding = None;
            }
        }
    }

    /// Read the message words of `t`'s registers.
    pub fn message_from_regs(&self, t: Id) -> Message {
        let r = &self.threads.get(t).expect("caller exists").saved.regs;
        Message { info: MsgInfo(r.rsi), words: [r.rdx, r.r10, r.r8, r.r9, r.r12, r.r13, r.r14, r.r15] }
    }

    /// Send `msg` from `from` to `endpoint`. `call` waits for a reply;
    /// `fault` marks a kernel-made fault message.
    pub fn send(
        &mut self,
        from: Id,
        endpoint: Id,
        badge: u64,
        msg: Message,
        call: bool,
        fault: bool,
    ) -> Result<Outcome, Error> {
        if !msg.info.is_valid() || (msg.info.grants() > 0 && !call) {
            return Err(Error::InvalidArgument);
        }
        self.endpoints.get(endpoint).ok_or(Error::Dead)?;
        self.begin_call(from, call, fault)?;
        while let Some(receiver) = self.endpoints.get_mut(endpoint).and_then(|ep| ep.receivers.pop_front()) {
            match self.deliver(from, receiver, &msg, badge, call) {
                Ok(()) => {
                    self.hand_off(receiver);
                    return Ok(if call { Outcome::Blocked } else { Outcome::Done });
                }
                Err(Blame::Sender(e)) => {
                    if let Some(ep) = self.endpoints.get_mut(endpoint) {
                        ep.receivers.push_front(receiver);
                    }
                    self.end_call(from);
                    return Err(e);
                }
                // That receiver cannot take messages: it learns why, and
                // the message goes to the next one or waits.
                Err(Blame::Receiver(e)) => self.wake_with_error(receiver, e),
            }
        }
        if msg.info.is_nonblocking() {
            self.end_call(from);
            return Err(Error::WouldBlock);
        }
        self.endpoints.get_mut(endpoint).ok_or(Error::Dead)?.senders.push_back(from);
        let th = self.threads.get_mut(from).expect("sender exists");
        th.state = State::Sending { endpoint, msg, badge, call };
        Ok(Outcome::Blocked)
    }

    /// Record a call about to be made: sequence number and grants.
    fn begin_call(&mut self, from: Id, call: bool, fault: bool) -> Result<(), Error> {
        if !call {
            return Ok(());
        }
        let th = self.threads.get(from).ok_or(Error::Dead)?;
        let info = if fault { MsgInfo(0) } else { MsgInfo(th.saved.regs.rsi) };
        let mut grants = [Grant::default(); MAX_GRANTS];
        if info.grants() > 0 {
            let space = self.spaces.get(th.space).ok_or(Error::Dead)?;
            for (i, g) in grants.iter_mut().enumerate().take(info.grants()) {
                let at = th.ipc_buffer + BUFFER_GRANTS_OFFSET + (i * core::mem::size_of::<Grant>()) as u64;
                *g = usercopy::read_value(&space.tables, at)?;
                if g.len > 0 && !abi::is_user_range(g.addr, g.len) {
                    return Err(Error::BadAddress);
                }
            }
        }
        let th = self.threads.get_mut(from).expect("checked above");
        th.call.seq += 1;
        th.call.grants = grants;
        th.call.grant_count = info.grants();
        th.call.fault = fault;
        Ok(())
    }

    fn end_call(&mut self, from: Id) {
        if let Some(th) = self.threads.get_mut(from) {
            th.call.grant_count = 0;
            th.call.fault = false;
        }
    }

    /// Move a message into `to`'s registers and IPC buffer. Everything is
    /// read and checked before anything is written, so a failed transfer
    /// leaves no half-delivered message or stray capability behind, and
    /// the error says whose data was at fault.
    fn deliver(&mut self, from: Id, to: Id, msg: &Message, badge: u64, call: bool) -> Result<(), Blame> {
        let info = msg.info;
        let sender = self.threads.get(from).ok_or(Blame::Sender(Error::Dead))?;
        let (from_space, from_buffer, seq, grants) =
            (sender.space, sender.ipc_buffer, sender.call.seq, sender.call.grants);
        let receiver = self.threads.get(to).ok_or(Blame::Receiver(Error::Dead))?;
        let (to_space, to_buffer) = (receiver.space, receiver.ipc_buffer);
        let needs_buffer = info.buf_words() > 0 || info.caps() > 0 || info.grants() > 0;

        let mut words = [0u8; BUF_WORDS * 8];
        let words = &mut words[..info.buf_words() * 8];
        let mut caps: [Option<Cap>; MAX_CAPS] = [None; MAX_CAPS];
        if needs_buffer {
            if from_buffer == 0 {
                return Err(Blame::Sender(Error::BadAddress));
            }
            let from_tables = &self.spaces.get(from_space).ok_or(Blame::Sender(Error::Dead))?.tables;
            usercopy::read(from_tables, from_buffer + BUFFER_WORDS_OFFSET, words).map_err(Blame::Sender)?;
            for (i, cap) in caps.iter_mut().enumerate().take(info.caps()) {
                let at = from_buffer + BUFFER_CAPS_OFFSET + 8 * i as u64;
                let slot: u64 = usercopy::read_value(from_tables, at).map_err(Blame::Sender)?;
                let found = self.cap(from_space, slot).map_err(Blame::Sender)?;
                if matches!(found.object, Object::Reply { .. }) {
                    return Err(Blame::Sender(Error::InvalidArgument));
                }
                *cap = Some(found);
            }
            let to_tables = &self.spaces.get(to_space).ok_or(Blame::Receiver(Error::Dead))?.tables;
            // The buffer is one page-aligned page: one check covers it.
            if to_buffer == 0 || to_tables.translate(to_buffer, true).is_none() {
                return Err(Blame::Receiver(Error::BadAddress));
            }
        }

        let mut received = [0u64; MAX_CAPS];
        for (i, cap) in caps.iter().enumerate() {
            let Some(cap) = cap else { break };
            match self.install(to_space, cap.object, cap.rights, cap.badge, cap.id) {
                Ok(slot) => received[i] = slot,
                Err(e) => {
                    for &slot in &received[..i] {
                        let _ = self.delete_cap(to_space, slot);
                    }
                    return Err(Blame::Receiver(e));
                }
            }
        }
        if needs_buffer {
            let to_tables = &self.spaces.get(to_space).ok_or(Blame::Receiver(Error::Dead))?.tables;
            let written = usercopy::write(to_tables, to_buffer + BUFFER_WORDS_OFFSET, words)
                .and_then(|()| {
                    received.iter().take(info.caps()).enumerate().try_for_each(|(i, slot)| {
                        usercopy::write_value(to_tables, to_buffer + BUFFER_CAPS_OFFSET + 8 * i as u64, slot)
                    })
                })
                .and_then(|()| {
                    grants.iter().take(if call { info.grants() } else { 0 }).enumerate().try_for_each(|(i, g)| {
                        let visible = Grant { addr: 0, len: g.len, access: g.access };
                        let at = to_buffer + BUFFER_RECEIVED_GRANTS_OFFSET + (i * core::mem::size_of::<Grant>()) as u64;
                        usercopy::write_value(to_tables, at, &visible)
                    })
                });
            // The page was checked writable above and nothing ran since.
            debug_assert!(written.is_ok());
        }

        let receiver = self.threads.get_mut(to).ok_or(Blame::Receiver(Error::Dead))?;
        let r = &mut receiver.saved.regs;
        r.rax = 0;
        r.rdi = badge;
        r.rsi = info.0 & !MsgInfo::NONBLOCK;
        let n = info.reg_words();
        let regs = [&mut r.rdx, &mut r.r10, &mut r.r8, &mut r.r9, &mut r.r12, &mut r.r13, &mut r.r14, &mut r.r15];
        for (i, reg) in regs.into_iter().enumerate() {
            *reg = if i < n { msg.words[i] } else { 0 };
        }
        if call {
            receiver.caller = Some(Caller { thread: from, seq });
            self.threads.get_mut(from).expect("checked above").state = State::AwaitingReply;
        }
        Ok(())
    }

    /// Wait for a message on `endpoint` (until `deadline`, if not 0).
    pub fn receive(&mut self, to: Id, endpoint: Id, nonblocking: bool, deadline: u64) -> Result<Outcome, Error> {
        self.drop_caller(to);
        let bound = self.threads.get(to).and_then(|th| th.bound_notification);
        if let Some(n) = bound.and_then(|n| self.notifications.get_mut(n))
            && n.word != 0
        {
            let bits = core::mem::take(&mut n.word);
            self.deliver_notification(to, bits);
            return Ok(Outcome::Done);
        }
        while let Some(sender) = self.endpoints.get_mut(endpoint).ok_or(Error::Dead)?.senders.pop_front() {
            let Some(State::Sending { msg, badge, call, .. }) = self.threads.get(sender).map(|th| th.state) else {
                continue;
            };
            match self.deliver(sender, to, &msg, badge, call) {
                Ok(()) => {}
                // The sender's message is broken: it learns why, and the
                // receiver goes on to the next sender or waits.
                Err(Blame::Sender(e)) => {
                    self.end_call(sender);
                    self.wake_with_error(sender, e);
                    continue;
                }
                Err(Blame::Receiver(e)) => {
                    if let Some(ep) = self.endpoints.get_mut(endpoint) {
                        ep.senders.push_front(sender);
                    }
                    return Err(e);
                }
            }
            if !call {
                if let Some(th) = self.threads.get_mut(sender) {
                    th.saved.regs.rax = 0;
                }
                self.wake(sender);
            }
            return Ok(Outcome::Done);
        }
        if nonblocking {
            return Err(Error::WouldBlock);
        }
        self.arm_deadline(to, deadline)?;
        self.endpoints.get_mut(endpoint).ok_or(Error::Dead)?.receivers.push_back(to);
        self.threads.get_mut(to).expect("receiver exists").state = State::Receiving { endpoint };
        Ok(Outcome::Blocked)
    }

    /// A receiver that moves on without replying gives up the reply right.
    fn drop_caller(&mut self, t: Id) {
        if let Some(caller) = self.threads.get_mut(t).and_then(|th| th.caller.take()) {
            self.abandon_caller(caller.thread, caller.seq);
        }
    }

    /// Answer `caller`'s call `seq` with `msg` from `from`. An error means
    /// the replier's message was at fault and the reply right still holds.
    pub fn reply_to(&mut self, from: Id, caller: Caller, msg: Message) -> Result<(), Error> {
        if !msg.info.is_valid() || msg.info.grants() > 0 {
            return Err(Error::InvalidArgument);
        }
        let waiting = self
            .threads
            .get(caller.thread)
            .is_some_and(|th| matches!(th.state, State::AwaitingReply) && th.call.seq == caller.seq);
        if !waiting {
            return Err(Error::NoCaller);
        }
        let fault = self.threads.get(caller.thread).is_some_and(|th| th.call.fault);
        if !fault {
            match self.deliver(from, caller.thread, &msg, 0, false) {
                Ok(()) => {}
                Err(Blame::Sender(e)) => return Err(e),
                Err(Blame::Receiver(e)) => {
                    self.end_call(caller.thread);
                    self.wake_with_error(caller.thread, e);
                    return Ok(());
                }
            }
        }
        self.end_call(caller.thread);
        self.hand_off(caller.thread);
        Ok(())
    }

    /// Reply with the implicit reply right of `from`.
    pub fn reply(&mut self, from: Id, msg: Message) -> Result<(), Error> {
        let caller = self.threads.get_mut(from).and_then(|th| th.caller.take()).ok_or(Error::NoCaller)?;
        let result = self.reply_to(from, caller, msg);
        if result.is_err_and(|e| e != Error::NoCaller)
            && let Some(th) = self.threads.get_mut(from)
        {
            th.caller = Some(caller);
        }
        result
    }

    /// Move the implicit reply right into a Reply capability.
    pub fn save_reply(&mut self, t: Id) -> Result<u64, Error> {
        let th = self.threads.get(t).ok_or(Error::Dead)?;
        let caller = th.caller.ok_or(Error::NoCaller)?;
        let space = th.space;
        let slot = self.install(space, Object::Reply { thread: caller.thread, seq: caller.seq }, Rights::ALL, 0, 0)?;
        self.threads.get_mut(t).expect("checked above").caller = None;
        Ok(slot)
    }

    /// The caller a grant copy refers to: the implicit one or a Reply cap.
    pub fn granting_caller(&self, t: Id, reply_slot: u64) -> Result<Caller, Error> {
        let th = self.threads.get(t).ok_or(Error::Dead)?;
        let caller = if reply_slot == abi::call::NONE {
            th.caller.ok_or(Error::NoCaller)?
        } else {
            match self.cap(th.space, reply_slot)?.object {
                Object::Reply { thread, seq } => Caller { thread, seq },
                _ => return Err(Error::WrongType),
            }
        };
        let live = self
            .threads
            .get(caller.thread)
            .is_some_and(|c| matches!(c.state, State::AwaitingReply) && c.call.seq == caller.seq);
        if live { Ok(caller) } else { Err(Error::NoCaller) }
    }

    /// Copy through a grant of `caller`'s call.
    pub fn grant_copy(&mut self, t: Id, caller: Caller, copy: GrantCopy) -> Result<(), Error> {
        let GrantCopy { index, offset, local, len, to_granter } = copy;
        let c = self.threads.get(caller.thread).ok_or(Error::Dead)?;
        if index as usize >= c.call.grant_count {
            return Err(Error::InvalidArgument);
        }
        let g = c.call.grants[index as usize];
        let need = if to_granter { abi::ipc::grant::WRITE } else { abi::ipc::grant::READ };
        if g.access & need == 0 {
            return Err(Error::NoRights);
        }
        if len > MAX_GRANT_COPY || offset.checked_add(len).is_none_or(|end| end > g.len) {
            return Err(Error::InvalidArgument);
        }
        let granter = &self.spaces.get(c.space).ok_or(Error::Dead)?.tables;
        let own = &self.spaces.get(self.threads.get(t).ok_or(Error::Dead)?.space).ok_or(Error::Dead)?.tables;
        let (at, len) = (g.addr + offset, len as usize);
        usercopy::check_range(granter, at, len, to_granter).map_err(|_| Error::PeerFault)?;
        usercopy::check_range(own, local, len, !to_granter)?;
        if to_granter {
            usercopy::copy_between(own, local, granter, at, len)
        } else {
            usercopy::copy_between(granter, at, own, local, len)
        }
    }

    /// OR `bits` into a notification and wake one waiter.
    pub fn signal(&mut self, id: Id, bits: u64) {
        let Some(n) = self.notifications.get_mut(id) else { return };
        n.word |= bits;
        if let Some(t) = n.waiters.pop_front() {
            let word = core::mem::take(&mut n.word);
            if let Some(th) = self.threads.get_mut(t) {
                th.saved.regs.rax = 0;
                th.saved.regs.rdi = word;
            }
            self.wake(t);
            return;
        }
        let Some(t) = n.bound else { return };
        let receiving = self.threads.get(t).is_some_and(|th| matches!(th.state, State::Receiving { .. }));
        if receiving {
            let word = self.notifications.get_mut(id).map(|n| core::mem::take(&mut n.word)).unwrap_or(0);
            self.unlink(t);
            self.deliver_notification(t, word);
            self.wake(t);
        }
    }

    /// Answer `t`'s receive with its bound notification's bits.
    fn deliver_notification(&mut self, t: Id, bits: u64) {
        if let Some(th) = self.threads.get_mut(t) {
            let r = &mut th.saved.regs;
            r.rax = 0;
            r.rdi = 0;
            r.rsi = MsgInfo::new(abi::ipc::LABEL_NOTIFICATION, 1).0;
            r.rdx = bits;
            for reg in [&mut r.r10, &mut r.r8, &mut r.r9, &mut r.r12, &mut r.r13, &mut r.r14, &mut r.r15] {
                *reg = 0;
            }
        }
    }

    /// Bind notification `n` to thread `t` (or unbind it, with `None`).
    pub fn bind_notification(&mut self, n: Id, t: Option<Id>) -> Result<(), Error> {
        let old = self.notifications.get(n).ok_or(Error::Dead)?.bound;
        if let Some(t) = t {
            let th = self.threads.get(t).ok_or(Error::Dead)?;
            if old.is_some_and(|o| o != t) || th.bound_notification.is_some_and(|b| b != n) {
                return Err(Error::Busy);
            }
            self.threads.get_mut(t).expect("checked above").bound_notification = Some(n);
        } else if let Some(th) = old.and_then(|o| self.threads.get_mut(o)) {
            th.bound_notification = None;
        }
        self.notifications.get_mut(n).expect("checked above").bound = t;
        Ok(())
    }

    /// Arm (or with deadline 0 cancel) the timer of notification `n`.
    pub fn set_timer(&mut self, n: Id, deadline: u64, bits: u64) -> Result<(), Error> {
        if deadline != 0 && deadline <= crate::apic::now_ns() {
            self.notifications.get_mut(n).ok_or(Error::Dead)?.timer = None;
            self.signal(n, bits);
            return Ok(());
        }
        let note = self.notifications.get_mut(n).ok_or(Error::Dead)?;
        note.timer = (deadline != 0).then_some((deadline, bits));
        if deadline != 0 && !note.in_timer_list {
            self.timers.try_reserve(1).map_err(|_| Error::NoMemory)?;
            self.timers.push(n);
            self.notifications.get_mut(n).expect("checked above").in_timer_list = true;
        }
        Ok(())
    }

    /// Fire the notification timers whose deadline has passed.
    pub fn expire_timers(&mut self, now: u64) {
        let mut due = alloc::vec::Vec::new();
        let notifications = &mut self.notifications;
        self.timers.retain(|&id| {
            let Some(n) = notifications.get_mut(id) else { return false };
            match n.timer {
                Some((deadline, bits)) if deadline <= now => {
                    n.timer = None;
                    due.push((id, bits));
                }
                _ => {}
            }
            n.in_timer_list = n.timer.is_some();
            n.in_timer_list
        });
        for (id, bits) in due {
            self.signal(id, bits);
        }
    }

    /// Take the notification word, or wait for it to become non-zero (until
    /// `deadline`, if not 0).
    pub fn wait_notification(&mut self, t: Id, id: Id, nonblocking: bool, deadline: u64) -> Result<Outcome, Error> {
        let n = self.notifications.get_mut(id).ok_or(Error::Dead)?;
        if n.word != 0 {
            let word = core::mem::take(&mut n.word);
            let th = self.threads.get_mut(t).expect("caller exists");
            th.saved.regs.rax = 0;
            th.saved.regs.rdi = word;
            return Ok(Outcome::Done);
        }
        if nonblocking {
            return Err(Error::WouldBlock);
        }
        self.arm_deadline(t, deadline)?;
        let n = self.notifications.get_mut(id).ok_or(Error::Dead)?;
        n.waiters.push_back(t);
        self.threads.get_mut(t).expect("caller exists").state = State::WaitingNotification { notification: id };
        Ok(Outcome::Blocked)
    }
}
