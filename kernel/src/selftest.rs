//! Kernel self-tests, run at boot with `selftest=all` or
//! `selftest=<name>,<name>...`.
//!
//! They exercise the kernel's own data structures and mechanisms on real
//! hardware state (page tables, the heap, the timer), printing one
//! `test: kernel/<name> ... ok|FAILED <reason>` line each.

use abi::{Error, MsgInfo, Rights};
use alloc::boxed::Box;

use crate::arena::Arena;
use crate::cap::{MAX_SLOTS, Object};
use crate::paging::{self, PageTables, virt_to_phys};
use crate::state::{KERNEL, Kernel};
use crate::thread::{Message, State};
use crate::usercopy;

type TestResult = Result<(), &'static str>;

fn check(cond: bool, why: &'static str) -> TestResult {
    if cond { Ok(()) } else { Err(why) }
}

fn arena_generations(_: &mut Kernel) -> TestResult {
    let mut a: Arena<u32> = Arena::new();
    let first = a.insert(7).ok_or("insert")?;
    check(a.remove(first) == Some(7), "remove returns the value")?;
    let second = a.insert(8).ok_or("insert")?;
    check(second.index == first.index, "slot reused")?;
    check(a.get(first).is_none(), "stale id must not reach the new object")?;
    check(a.get(second) == Some(&8), "new id works")
}

fn capability_rights(k: &mut Kernel) -> TestResult {
    let space = k.create_space().map_err(|_| "space")?;
    let result = (|| {
        let ep = k.create_endpoint().map_err(|_| "endpoint")?;
        let slot =
            k.install(space, Object::Endpoint(ep), Rights::SEND.union(Rights::RECV), 0, 0).map_err(|_| "install")?;
        let parent = k.cap(space, slot).map_err(|_| "lookup")?;
        let child_slot = k
            .install(space, parent.object, parent.rights.intersect(Rights::SEND.union(Rights::WRITE)), 5, parent.id)
            .map_err(|_| "derive")?;
        let child = k.cap(space, child_slot).map_err(|_| "lookup child")?;
        check(child.rights == Rights::SEND, "derived rights are the intersection")?;
        check(child.require(Rights::RECV) == Err(Error::NoRights), "missing right refused")?;
        k.revoke(space, slot).map_err(|_| "revoke")?;
        check(k.cap(space, child_slot).is_err(), "revoke deletes the child")?;
        check(k.cap(space, slot).is_ok(), "revoke keeps the parent")?;
        check(matches!(k.cap(space, MAX_SLOTS as u64 + 1), Err(Error::InvalidCap)), "out of range slot")?;
        k.delete_cap(space, slot).map_err(|_| "delete")?;
        check(!k.endpoints.contains(ep), "last capability frees the endpoint")
    })();
    k.destroy_space(space);
    result
}

fn page_tables(_: &mut Kernel) -> TestResult {
    #[repr(C, align(4096))]
    struct Page([u8; 4096]);
    let mut pt = PageTables::new().ok_or("tables")?;
    let frame = Box::new(Page([0; 4096]));
    let phys = virt_to_phys(&*frame as *const Page as u64);
    let user = 0x4000_0000u64;
    pt.map(user, phys, paging::PRESENT | paging::USER).map_err(|_| "map")?;
    check(pt.translate(user + 8, false) == Some(phys + 8), "read translation")?;
    check(pt.translate(user, true).is_none(), "read-only page refuses writes")?;
    check(usercopy::write_value(&pt, user, &1u64) == Err(Error::BadAddress), "usercopy honours read-only")?;
    pt.map(user, phys, paging::PRESENT | paging::USER | paging::WRITABLE).map_err(|_| "remap")?;
    check(usercopy::write_value(&pt, user + 16, &0x1234u64).is_ok(), "write through mapping")?;
    check(usercopy::read_value::<u64>(&pt, user + 16) == Ok(0x1234), "read back")?;
    check(usercopy::read_value::<u64>(&pt, user + 4092).is_err(), "copy across into an unmapped page fails")?;
    check(usercopy::write_value(&pt, user + 4092, &u64::MAX).is_err(), "write across into an unmapped page fails")?;
    check(usercopy::read_value::<u32>(&pt, user + 4092) == Ok(0), "and a failed write changes nothing")?;
    check(usercopy::read_value::<u64>(&pt, paging::PHYS_OFFSET).is_err(), "kernel address refused")?;
    check(usercopy::read_value::<u64>(&pt, 0x8000_0000_0000_0000).is_err(), "non-canonical refused")?;
    let heap_before_far_map = crate::heap::free_bytes();
    let far = 0x7f00_0000_0000u64;
    pt.map(far, phys, paging::PRESENT | paging::USER).map_err(|_| "map far away")?;
    check(crate::heap::free_bytes() < heap_before_far_map, "a far mapping allocates tables")?;
    pt.unmap(far, 1);
    check(crate::heap::free_bytes() == heap_before_far_map, "unmapping frees the tables it left empty")?;
    pt.unmap(user, 1);
    check(pt.translate(user, false).is_none(), "unmapped")?;
    check(virt_to_phys(paging::phys_to_virt(phys)) == phys, "direct map round trip")
}

fn ipc_rendezvous(k: &mut Kernel) -> TestResult {
    let space = k.create_space().map_err(|_| "space")?;
    let result = (|| {
        let a = k.create_thread(space).map_err(|_| "thread a")?;
        let b = k.create_thread(space).map_err(|_| "thread b")?;
        let ep = k.create_endpoint().map_err(|_| "endpoint")?;
        k.install(space, Object::Endpoint(ep), Rights::ALL, 0, 0).map_err(|_| "install")?;
        let mut words = [0u64; 8];
        words[..3].copy_from_slice(&[11, 22, 33]);
        let msg = Message { info: MsgInfo::new(42, 3), words };
        k.receive(b, ep, false, 0).map_err(|_| "receive")?;
        check(matches!(k.threads.get(b).ok_or("b")?.state, State::Receiving { .. }), "receiver waits")?;
        k.send(a, ep, 99, msg, true, false).map_err(|_| "call")?;
        let rb = k.threads.get(b).ok_or("b")?.saved.regs;
        check(rb.rax == 0 && rb.rdi == 99 && MsgInfo(rb.rsi).label() == 42, "badge and label delivered")?;
        check(rb.rdx == 11 && rb.r10 == 22 && rb.r8 == 33 && rb.r9 == 0, "words delivered, the rest cleared")?;
        check(matches!(k.threads.get(a).ok_or("a")?.state, State::AwaitingReply), "caller waits for the reply")?;
        let reply = Message { info: MsgInfo::new(0, 1), words: [77, 0, 0, 0, 0, 0, 0, 0] };
        k.reply(b, reply).map_err(|_| "reply")?;
        let ra = k.threads.get(a).ok_or("a")?.saved.regs;
        check(ra.rax == 0 && ra.rdx == 77, "reply delivered")?;
        check(k.reply(b, reply) == Err(Error::NoCaller), "a reply right is used once")?;
        k.receive(b, ep, false, 0).map_err(|_| "receive again")?;
        let broken = Message { info: MsgInfo::new(5, 0).with_caps(1), words: [0; 8] };
        check(
            matches!(k.send(a, ep, 0, broken, false, false), Err(Error::BadAddress)),
            "a broken message fails its sender",
        )?;
        check(matches!(k.threads.get(b).ok_or("b")?.state, State::Receiving { .. }), "and the receiver keeps waiting")?;
        k.send(a, ep, 0, msg, false, false).map_err(|_| "send after a broken one")?;
        check(k.threads.get(b).ok_or("b")?.saved.regs.rdx == 11, "the next message still arrives")?;
        let bad = Message { info: MsgInfo::new(1, 9), words: [0; 8] };
        check(matches!(k.send(a, ep, 0, bad, false, false), Err(Error::InvalidArgument)), "oversized message refused")?;
        check(
            matches!(k.send(a, ep, 0, msg.clone_nonblocking(), false, false), Err(Error::WouldBlock)),
            "zero timeout",
        )?;
        k.receive(b, ep, false, 0).map_err(|_| "receive before suspend")?;
        k.suspend(b);
        let rb = k.threads.get(b).ok_or("b")?;
        check(
            matches!(rb.state, State::Inactive) && rb.saved.regs.rax == Error::Interrupted as u64,
            "suspend interrupts a receive",
        )?;
        check(
            matches!(k.send(a, ep, 0, msg.clone_nonblocking(), false, false), Err(Error::WouldBlock)),
            "a suspended thread leaves the queue",
        )?;
        k.resume(b);
        k.receive(b, ep, false, 0).map_err(|_| "receive for the interrupted call")?;
        k.send(a, ep, 0, msg, true, false).map_err(|_| "call to be interrupted")?;
        k.suspend(a);
        let ra = k.threads.get(a).ok_or("a")?;
        check(
            matches!(ra.state, State::Inactive) && ra.saved.regs.rax == Error::Interrupted as u64,
            "suspend interrupts a call awaiting its reply",
        )?;
        check(k.reply(b, reply) == Err(Error::NoCaller), "and the callee's reply right lapses")
    })();
    k.destroy_space(space);
    k.sched = crate::sched::Scheduler::new();
    result
}

fn notifications(k: &mut Kernel) -> TestResult {
    let space = k.create_space().map_err(|_| "space")?;
    let result = (|| {
        let t = k.create_thread(space).map_err(|_| "thread")?;
        let n = k.create_notification().map_err(|_| "notification")?;
        k.install(space, Object::Notification(n), Rights::ALL, 0, 0).map_err(|_| "install")?;
        k.signal(n, 0b100);
        k.wait_notification(t, n, false, 0).map_err(|_| "wait")?;
        check(k.threads.get(t).ok_or("t")?.saved.regs.rdi == 0b100, "pending bits returned at once")?;
        check(matches!(k.wait_notification(t, n, true, 0), Err(Error::WouldBlock)), "empty word with zero timeout")?;
        k.wait_notification(t, n, false, 0).map_err(|_| "wait")?;
        k.signal(n, 0b1);
        k.signal(n, 0b10);
        let th = k.threads.get(t).ok_or("t")?;
        check(th.saved.regs.rdi == 0b1 && matches!(th.state, State::Runnable), "signal wakes the waiter")?;
        check(k.notifications.get(n).ok_or("n")?.word == 0b10, "later bits stay pending")?;
        k.notifications.get_mut(n).ok_or("n")?.word = 0;
        let past = crate::apic::now_ns() - 1;
        check(matches!(k.wait_notification(t, n, false, past), Err(Error::TimedOut)), "a past deadline fails at once")?;
        let soon = crate::apic::now_ns() + 10_000_000_000;
        k.wait_notification(t, n, false, soon).map_err(|_| "timed wait")?;
        k.expire_deadlines(soon - 1);
        check(
            matches!(k.threads.get(t).ok_or("t")?.state, State::WaitingNotification { .. }),
            "waits until the deadline",
        )?;
        k.expire_deadlines(soon);
        let th = k.threads.get(t).ok_or("t")?;
        check(matches!(th.state, State::Runnable) && th.saved.regs.rax == Error::TimedOut as u64, "then times out")?;
        check(k.notifications.get(n).ok_or("n")?.waiters.is_empty(), "and leaves the wait queue")?;

        let r = k.create_thread(space).map_err(|_| "receiver")?;
        let ep = k.create_endpoint().map_err(|_| "endpoint")?;
        k.install(space, Object::Endpoint(ep), Rights::ALL, 0, 0).map_err(|_| "install endpoint")?;
        k.bind_notification(n, Some(r)).map_err(|_| "bind")?;
        check(matches!(k.bind_notification(n, Some(t)), Err(Error::Busy)), "one thread per notification")?;
        k.receive(r, ep, false, 0).map_err(|_| "receive")?;
        k.signal(n, 0b1000);
        let rr = k.threads.get(r).ok_or("r")?;
        check(
            matches!(rr.state, State::Runnable)
                && MsgInfo(rr.saved.regs.rsi).label() == abi::ipc::LABEL_NOTIFICATION
                && rr.saved.regs.rdx == 0b1000,
            "a bound notification ends an endpoint receive",
        )?;
        check(k.endpoints.get(ep).ok_or("ep")?.receivers.is_empty(), "and takes it off the endpoint")?;
        k.signal(n, 0b1);
        k.receive(r, ep, false, 0).map_err(|_| "receive with bits pending")?;
        check(k.threads.get(r).ok_or("r")?.saved.regs.rdx == 0b1, "pending bits return at once")?;

        // Far enough ahead that the deadline cannot pass while the test
        // runs (a deadline already past fires at once); time is then moved
        // by hand.
        let later = crate::apic::now_ns() + 10_000_000_000;
        k.set_timer(n, later, 0b10000).map_err(|_| "timer")?;
        k.expire_timers(later - 1);
        check(k.notifications.get(n).ok_or("n")?.word == 0, "the timer waits for its deadline")?;
        k.expire_timers(later);
        check(k.notifications.get(n).ok_or("n")?.word == 0b10000, "then signals")?;
        k.set_timer(n, later, 0b100000).map_err(|_| "timer again")?;
        k.set_timer(n, 0, 0).map_err(|_| "cancel")?;
        k.expire_timers(later);
        check(k.notifications.get(n).ok_or("n")?.word == 0b10000, "a cancelled timer does not fire")
    })();
    k.destroy_space(space);
    k.sched = crate::sched::Scheduler::new();
    result
}

/// Runs without the kernel lock: the timer interrupt needs it.
fn timer_interrupt() -> TestResult {
    let before = KERNEL.lock().ticks;
    let start = crate::apic::now_ns();
    while KERNEL.lock().ticks == before {
        if crate::apic::now_ns() - start > 1_000_000_000 {
            return Err("no timer tick within a second");
        }
        crate::cpu::wait_for_interrupt();
    }
    Ok(())
}

/// `kernel.sym` is loaded and resolves kernel addresses to names.
fn symbols(_: &mut Kernel) -> TestResult {
    let (name, offset) =
        crate::symbols::lookup(run as *const () as u64).ok_or("no kernel.sym module, or it lacks this function")?;
    check(name.contains("selftest::run") && offset == 0, "the lookup names the right function")
}

/// The kernel's own image is mapped with the permissions of each part.
fn kernel_image_protections(_: &mut Kernel) -> TestResult {
    static DATA: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);
    static READ_ONLY: [u8; 4] = *b"tern";
    let text = paging::kernel_leaf_entry(run as *const () as u64).ok_or("text not mapped with 4 KiB pages")?;
    let rodata = paging::kernel_leaf_entry(READ_ONLY.as_ptr() as u64).ok_or("rodata not mapped")?;
    let data = paging::kernel_leaf_entry(&DATA as *const _ as u64).ok_or("data not mapped")?;
    let nx = paging::no_execute();
    check(text & paging::WRITABLE == 0 && text & paging::NO_EXECUTE == 0, "text is read-only and executable")?;
    check(rodata & paging::WRITABLE == 0 && rodata & nx == nx, "read-only data is neither writable nor executable")?;
    check(data & paging::WRITABLE != 0 && data & nx == nx, "data is writable and not executable")?;
    check(DATA.load(core::sync::atomic::Ordering::Relaxed) == 1 && READ_ONLY[0] == b't', "the values are there")
}

/// Read an address no page table maps, from kernel mode.
#[inline(never)]
pub fn deliberate_fault() -> ! {
    let unmapped = 0xffff_ff00_0000_0000usize as *const u64;
    // SAFETY: not safe at all, on purpose: this shows the kernel's report of
    // its own faults (`selftest=fault`). The read faults and the kernel halts.
    let value = unsafe { core::ptr::read_volatile(unmapped) };
    panic!("read {value:#x} from an unmapped address")
}

type SelfTest = fn(&mut Kernel) -> TestResult;

const TESTS: &[(&str, SelfTest)] = &[
    ("arena_generations", arena_generations),
    ("capability_rights", capability_rights),
    ("page_tables", page_tables),
    ("ipc_rendezvous", ipc_rendezvous),
    ("notifications", notifications),
    ("symbols", symbols),
    ("kernel_image_protections", kernel_image_protections),
];

fn report(name: &str, result: TestResult) {
    match result {
        Ok(()) => crate::kprintln!("test: kernel/{name} ... ok"),
        Err(why) => crate::kprintln!("test: kernel/{name} ... FAILED {why}"),
    }
}

/// Run the self-tests `selection` names (`all`, or names separated by commas).
pub fn run(selection: &str) {
    let wanted = |name: &str| selection == "all" || selection.split(',').any(|n| n == name);
    for word in selection.split(',').filter(|&w| w != "all") {
        if word != "timer_interrupt" && !TESTS.iter().any(|(name, _)| *name == word) {
            crate::kprintln!("selftest: no test named '{word}'");
        }
    }
    for (name, test) in TESTS.iter().filter(|(name, _)| wanted(name)) {
        let result = test(&mut KERNEL.lock());
        report(name, result);
    }
    if wanted("timer_interrupt") {
        report("timer_interrupt", timer_interrupt());
    }
}

impl Message {
    fn clone_nonblocking(&self) -> Message {
        Message { info: self.info.nonblocking(), words: self.words }
    }
}
