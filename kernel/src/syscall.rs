//! Kernel calls: decode, check every argument, act, answer.
//!
//! Arguments come from the calling thread's saved registers (`rdi, rsi,
//! rdx, r10, r8, r9`); the answer is an error code in `rax` and up to four
//! values in `rdi, rsi, rdx, r10`. A call that blocks leaves the registers
//! alone: whoever wakes the thread writes its results.
//!
//! In a space with a POSIX personality, a `syscall` outside the gate is not
//! a kernel call: the thread is sent to the personality entry unchanged.

use abi::regs::ThreadRegs;
use abi::{Call, CapType, Error, MsgInfo, Rights};

use crate::arena::Id;
use crate::cap::Object;
use crate::ipc::{GrantCopy, Outcome};
use crate::sched::run_next;
use crate::space::Mapping;
use crate::state::{KERNEL, Kernel};
use crate::thread::{EndpointRef, check_user_regs};
use crate::usercopy;

/// Most bytes one `DebugWrite` prints.
const MAX_DEBUG_WRITE: u64 = 4096;

/// What a call answers.
enum Answer {
    Values([u64; 4]),
    /// The results are already in the thread's registers (IPC delivered
    /// them), or will be written when the blocked thread wakes.
    InPlace,
}

fn values(v: &[u64]) -> Answer {
    let mut out = [0; 4];
    out[..v.len()].copy_from_slice(v);
    Answer::Values(out)
}

fn from_outcome(_: Outcome) -> Answer {
    Answer::InPlace
}

/// Entered from the `syscall` stub with the caller's registers saved.
pub extern "C" fn syscall_from_user() -> ! {
    let mut k = KERNEL.lock();
    if let Some(t) = k.sched.current {
        k.syscall(t);
    }
    run_next(k)
}

impl Kernel {
    fn syscall(&mut self, t: Id) {
        let Some(th) = self.threads.get(t) else { return };
        let r = &th.saved.regs;
        if let Some(p) = self.spaces.get(th.space).and_then(|s| s.personality) {
            // rcx is the address after the 2-byte `syscall` instruction.
            let at = r.rcx.wrapping_sub(2);
            if !(p.gate_start..p.gate_end).contains(&at) {
                self.threads.get_mut(t).expect("checked").saved.regs.rip = p.entry;
                return;
            }
        }
        let args = [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9];
        let number = r.rax;
        let result = match Call::from_number(number) {
            Some(call) => self.dispatch(t, call, args),
            None => Err(Error::InvalidCall),
        };
        let Some(th) = self.threads.get_mut(t) else { return };
        let regs = &mut th.saved.regs;
        match result {
            Ok(Answer::Values(v)) => {
                regs.rax = 0;
                regs.rdi = v[0];
                regs.rsi = v[1];
                regs.rdx = v[2];
                regs.r10 = v[3];
            }
            Ok(Answer::InPlace) => {}
            Err(e) => regs.rax = e as u64,
        }
    }

    fn space_of(&self, t: Id) -> Id {
        self.threads.get(t).expect("caller exists").space
    }

    fn dispatch(&mut self, t: Id, call: Call, a: [u64; 6]) -> Result<Answer, Error> {
        let space = self.space_of(t);
        match call {
            Call::DebugWrite => {
                if a[1] > MAX_DEBUG_WRITE {
                    return Err(Error::InvalidArgument);
                }
                let mut buf = [0u8; MAX_DEBUG_WRITE as usize];
                let buf = &mut buf[..a[1] as usize];
                usercopy::read(&self.spaces.get(space).ok_or(Error::Dead)?.tables, a[0], buf)?;
                crate::console::write_bytes(buf);
                Ok(values(&[]))
            }
            Call::Yield => {
                self.sched.preempt = true;
                Ok(values(&[]))
            }
            Call::Send | Call::Call => {
                let is_call = call == Call::Call;
                let msg = self.message_from_regs(t);
                let cap = self.cap(space, a[0])?;
                match cap.object {
                    Object::Endpoint(ep) => {
                        cap.require(Rights::SEND)?;
                        if msg.info.caps() > 0 {
                            cap.require(Rights::GRANT)?;
                        }
                        let outcome = self.send(t, ep, cap.badge, msg, is_call, false)?;
                        Ok(match outcome {
                            Outcome::Done => values(&[]),
                            Outcome::Blocked => Answer::InPlace,
                        })
                    }
                    Object::Reply { thread, seq } if !is_call => {
                        self.reply_to(t, crate::thread::Caller { thread, seq }, msg)?;
                        self.delete_cap_quietly(space, a[0]);
                        Ok(values(&[]))
                    }
                    _ => Err(Error::WrongType),
                }
            }
            Call::Recv => {
                let info = MsgInfo(a[1]);
                let cap = self.cap(space, a[0])?;
                cap.require(Rights::RECV)?;
                match cap.object {
                    Object::Endpoint(ep) => Ok(from_outcome(self.receive(t, ep, info.is_nonblocking(), a[2])?)),
                    Object::Notification(n) => {
                        Ok(from_outcome(self.wait_notification(t, n, info.is_nonblocking(), a[2])?))
                    }
                    _ => Err(Error::WrongType),
                }
            }
            Call::ReplyRecv => {
                let cap = self.cap_of(space, a[0], CapType::Endpoint, Rights::RECV)?;
                let Object::Endpoint(ep) = cap.object else { unreachable!("type checked") };
                let msg = self.message_from_regs(t);
                match self.reply(t, msg) {
                    Ok(()) | Err(Error::NoCaller) => {}
                    Err(e) => return Err(e),
                }
                Ok(from_outcome(self.receive(t, ep, msg.info.is_nonblocking(), 0)?))
            }
            Call::Reply => {
                let msg = self.message_from_regs(t);
                self.reply(t, msg)?;
                Ok(values(&[]))
            }
            Call::NotifySignal => {
                let cap = self.cap_of(space, a[0], CapType::Notification, Rights::SEND)?;
                let Object::Notification(n) = cap.object else { unreachable!("type checked") };
                self.signal(n, a[1]);
                Ok(values(&[]))
            }
            Call::NotifyWait => {
                let cap = self.cap_of(space, a[0], CapType::Notification, Rights::RECV)?;
                let Object::Notification(n) = cap.object else { unreachable!("type checked") };
                Ok(from_outcome(self.wait_notification(t, n, MsgInfo(a[1]).is_nonblocking(), a[2])?))
            }
            Call::CapDerive => {
                let slot = self.derive_into(space, space, a[0], Rights(a[1]), a[2])?;
                Ok(values(&[slot]))
            }
            Call::CapDelete => {
                self.delete_cap(space, a[0])?;
                Ok(values(&[]))
            }
            Call::CapRevoke => {
                self.revoke(space, a[0])?;
                Ok(values(&[]))
            }
            Call::CapIdentify => {
                let cap = self.cap(space, a[0])?;
                let object = match cap.object {
                    Object::Thread(id) => self.threads.get(id).map_or(0, |th| th.tid),
                    Object::Frame { phys, .. } => phys,
                    Object::IrqLine(line) => line as u64,
                    Object::IoPorts { first, .. } => first as u64,
                    Object::Space(id) | Object::Endpoint(id) | Object::Notification(id) => id.index as u64,
                    Object::Reply { .. } | Object::Factory => 0,
                };
                Ok(values(&[cap.object.cap_type() as u64, cap.rights.0, cap.badge, object]))
            }
            Call::CapCopyTo => {
                let target = self.space_cap(space, a[0])?;
                let slot = self.derive_into(space, target, a[1], Rights(a[2]), a[3])?;
                Ok(values(&[slot]))
            }
            Call::SpaceCreate => {
                self.cap_of(space, a[0], CapType::Factory, Rights(0))?;
                let new = self.create_space()?;
                match self.install(space, Object::Space(new), Rights::ALL, 0, 0) {
                    Ok(slot) => Ok(values(&[slot])),
                    Err(e) => {
                        self.destroy_space(new);
                        Err(e)
                    }
                }
            }
            Call::ThreadCreate => {
                self.cap_of(space, a[0], CapType::Factory, Rights(0))?;
                let target = self.space_cap(space, a[1])?;
                let new = self.create_thread(target)?;
                match self.install(space, Object::Thread(new), Rights::ALL, 0, 0) {
                    Ok(slot) => Ok(values(&[slot, self.threads.get(new).map_or(0, |th| th.tid)])),
                    Err(e) => {
                        self.destroy_thread(new);
                        Err(e)
                    }
                }
            }
            Call::EndpointCreate => {
                self.cap_of(space, a[0], CapType::Factory, Rights(0))?;
                let ep = self.create_endpoint()?;
                let slot = self.install(space, Object::Endpoint(ep), Rights::ALL, 0, 0);
                if slot.is_err() {
                    self.destroy_endpoint(ep);
                }
                Ok(values(&[slot?]))
            }
            Call::NotificationCreate => {
                self.cap_of(space, a[0], CapType::Factory, Rights(0))?;
                let n = self.create_notification()?;
                let slot = self.install(space, Object::Notification(n), Rights::ALL, 0, 0);
                if slot.is_err() {
                    self.destroy_notification(n);
                }
                Ok(values(&[slot?]))
            }
            Call::Map => {
                let target = self.space_cap(space, a[0])?;
                let frame = self.cap_of(space, a[1], CapType::Frame, Rights::READ)?;
                self.map_frames(
                    target,
                    &frame,
                    Mapping { first: a[2], vaddr: a[3], pages: a[4], flags: Rights(a[5]) },
                )?;
                Ok(values(&[]))
            }
            Call::Unmap => {
                let target = self.space_cap(space, a[0])?;
                self.unmap_pages(target, a[1], a[2])?;
                Ok(values(&[]))
            }
            Call::ThreadConfigure => {
                let target = self.thread_cap(space, a[0])?;
                let pager = if a[1] == abi::call::NONE {
                    None
                } else {
                    let cap = self.cap_of(space, a[1], CapType::Endpoint, Rights::SEND)?;
                    let Object::Endpoint(endpoint) = cap.object else { unreachable!("type checked") };
                    Some(EndpointRef { endpoint, badge: cap.badge })
                };
                if a[2] != 0 && (!a[2].is_multiple_of(abi::PAGE_SIZE) || !abi::is_user_range(a[2], abi::PAGE_SIZE)) {
                    return Err(Error::InvalidArgument);
                }
                let own_priority = self.threads.get(t).map_or(0, |th| th.priority);
                if a[3] > own_priority as u64 {
                    return Err(Error::InvalidArgument);
                }
                let th = self.threads.get_mut(target).ok_or(Error::Dead)?;
                th.pager = pager;
                th.ipc_buffer = a[2];
                th.priority = a[3] as u8;
                // A queued thread moves to the queue of its new priority.
                if matches!(th.state, crate::thread::State::Runnable) && self.sched.current != Some(target) {
                    self.sched.remove(target);
                    self.sched.enqueue(target, a[3] as u8);
                }
                Ok(values(&[]))
            }
            Call::ThreadSuspend => {
                let target = self.thread_cap(space, a[0])?;
                self.suspend(target);
                Ok(values(&[]))
            }
            Call::ThreadResume => {
                let target = self.thread_cap(space, a[0])?;
                self.resume(target);
                Ok(values(&[]))
            }
            Call::ThreadReadRegs => {
                let target = self.thread_cap(space, a[0])?;
                if target == t {
                    return Err(Error::Busy);
                }
                self.sync_bases(target);
                let regs = self.threads.get(target).ok_or(Error::Dead)?.saved.regs;
                usercopy::write_value(&self.spaces.get(space).ok_or(Error::Dead)?.tables, a[1], &regs)?;
                Ok(values(&[]))
            }
            Call::ThreadWriteRegs => {
                let target = self.thread_cap(space, a[0])?;
                if target == t || !self.is_stopped(target) {
                    return Err(Error::Busy);
                }
                let regs: ThreadRegs = usercopy::read_value(&self.spaces.get(space).ok_or(Error::Dead)?.tables, a[1])?;
                let clean = check_user_regs(&regs)?;
                self.threads.get_mut(target).ok_or(Error::Dead)?.saved.regs = clean;
                // The written bases replace whatever the CPU still holds for it.
                if self.bases_owner == Some(target) {
                    self.bases_owner = None;
                }
                Ok(values(&[]))
            }
            Call::SpacePersonality => {
                let target = self.space_cap(space, a[0])?;
                let (entry, start, end) = (a[1], a[2], a[3]);
                if entry >= abi::USER_TOP || start > end || end > abi::USER_TOP {
                    return Err(Error::InvalidArgument);
                }
                let personality = crate::space::Personality { entry, gate_start: start, gate_end: end };
                self.spaces.get_mut(target).ok_or(Error::Dead)?.personality = Some(personality);
                Ok(values(&[]))
            }
            Call::IrqBind => {
                let irq = self.cap_of(space, a[0], CapType::IrqLine, Rights::CONTROL)?;
                let n = self.cap_of(space, a[1], CapType::Notification, Rights::SEND)?;
                let (Object::IrqLine(line), Object::Notification(nid)) = (irq.object, n.object) else {
                    unreachable!("type checked")
                };
                self.bind_irq(line, nid, a[2]);
                Ok(values(&[]))
            }
            Call::IrqAck => {
                let irq = self.cap_of(space, a[0], CapType::IrqLine, Rights::CONTROL)?;
                let Object::IrqLine(line) = irq.object else { unreachable!("type checked") };
                self.ack_irq(line);
                Ok(values(&[]))
            }
            Call::IoPortEnable => {
                let ports = self.cap_of(space, a[0], CapType::IoPorts, Rights::CONTROL)?;
                let Object::IoPorts { first, last } = ports.object else { unreachable!("type checked") };
                self.enable_ports(space, first, last)?;
                Ok(values(&[]))
            }
            Call::GrantCopy => {
                let caller = self.granting_caller(t, a[0])?;
                let to_granter = match a[5] {
                    abi::call::direction::FROM_GRANTER => false,
                    abi::call::direction::TO_GRANTER => true,
                    _ => return Err(Error::InvalidArgument),
                };
                self.grant_copy(
                    t,
                    caller,
                    GrantCopy { index: a[1], offset: a[2], local: a[3], len: a[4], to_granter },
                )?;
                Ok(values(&[]))
            }
            Call::SaveReply => Ok(values(&[self.save_reply(t)?])),
            Call::FrameDerive => {
                let frame = self.cap_of(space, a[0], CapType::Frame, Rights(0))?;
                let Object::Frame { phys, pages } = frame.object else { unreachable!("type checked") };
                let (first, count) = (a[1], a[2]);
                if count == 0 || first.checked_add(count).is_none_or(|end| end > pages) {
                    return Err(Error::InvalidArgument);
                }
                let object = Object::Frame { phys: phys + first * abi::PAGE_SIZE, pages: count };
                let slot = self.install(space, object, frame.rights.intersect(Rights(a[3])), 0, frame.id)?;
                Ok(values(&[slot]))
            }
            Call::SetFsBase => {
                if a[0] >= abi::USER_TOP {
                    return Err(Error::InvalidArgument);
                }
                // The caller is running, so its bases are the ones in the CPU.
                crate::cpu::wrmsr(crate::cpu::MSR_FS_BASE, a[0]);
                self.threads.get_mut(t).ok_or(Error::Dead)?.saved.regs.fs_base = a[0];
                Ok(values(&[]))
            }
            Call::Clock => Ok(values(&[crate::apic::now_ns(), crate::apic::tsc_hz()])),
            Call::SpaceDestroy => {
                let target = self.space_cap(space, a[0])?;
                self.destroy_space(target);
                Ok(if self.threads.contains(t) { values(&[]) } else { Answer::InPlace })
            }
            Call::NotificationBind => {
                let n = self.cap_of(space, a[0], CapType::Notification, Rights::RECV)?;
                let Object::Notification(nid) = n.object else { unreachable!("type checked") };
                let thread = if a[1] == abi::call::NONE { None } else { Some(self.thread_cap(space, a[1])?) };
                self.bind_notification(nid, thread)?;
                Ok(values(&[]))
            }
            Call::TimerSet => {
                let n = self.cap_of(space, a[0], CapType::Notification, Rights::SEND)?;
                let Object::Notification(nid) = n.object else { unreachable!("type checked") };
                self.set_timer(nid, a[1], a[2])?;
                Ok(values(&[]))
            }
            Call::ThreadActivity => {
                let target = self.thread_cap(space, a[0])?;
                Ok(values(&[self.activity(target).ok_or(Error::Dead)?]))
            }
            Call::ThreadDestroy => {
                let target = self.thread_cap(space, a[0])?;
                self.destroy_thread(target);
                Ok(if self.threads.contains(t) { values(&[]) } else { Answer::InPlace })
            }
        }
    }

    fn space_cap(&self, space: Id, slot: u64) -> Result<Id, Error> {
        let cap = self.cap_of(space, slot, CapType::Space, Rights::CONTROL)?;
        let Object::Space(id) = cap.object else { unreachable!("type checked") };
        if self.spaces.contains(id) { Ok(id) } else { Err(Error::Dead) }
    }

    fn thread_cap(&self, space: Id, slot: u64) -> Result<Id, Error> {
        let cap = self.cap_of(space, slot, CapType::Thread, Rights::CONTROL)?;
        let Object::Thread(id) = cap.object else { unreachable!("type checked") };
        if self.threads.contains(id) { Ok(id) } else { Err(Error::Dead) }
    }

    /// Copy `from`'s `slot` into `to` with `rights` removed down to a subset,
    /// badging an unbadged endpoint.
    fn derive_into(&mut self, from: Id, to: Id, slot: u64, rights: Rights, badge: u64) -> Result<u64, Error> {
        let cap = self.cap(from, slot)?;
        let object = match cap.object {
            Object::Reply { .. } => return Err(Error::InvalidArgument),
            Object::IoPorts { first, last } => {
                // The badge argument narrows a port range: low 16 bits the
                // first port, next 16 the last; 0 keeps the whole range.
                if badge == 0 {
                    cap.object
                } else {
                    let (lo, hi) = (badge as u16, (badge >> 16) as u16);
                    if lo < first || hi > last || lo > hi || badge >> 32 != 0 {
                        return Err(Error::InvalidArgument);
                    }
                    Object::IoPorts { first: lo, last: hi }
                }
            }
            other => other,
        };
        let new_badge = match cap.object {
            Object::Endpoint(_) if cap.badge == 0 => badge,
            _ => cap.badge,
        };
        self.install(to, object, cap.rights.intersect(rights), new_badge, cap.id)
    }

    fn delete_cap_quietly(&mut self, space: Id, slot: u64) {
        // A used reply right is spent: remove it without failing the caller.
        if let Some(sp) = self.spaces.get_mut(space) {
            sp.caps.take(slot);
        }
    }
}
