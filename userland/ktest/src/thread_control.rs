//! Thread control through the capability THREAD_SPAWN hands back: the
//! capability itself (a thread, CONTROL only, dead once the thread ended),
//! suspension, reading the registers of a suspended thread, writing them to
//! send it into another function with an argument, and the refusals: bad
//! addresses in the registers, the wrong capability, bad buffer pointers,
//! and a thread's own registers.
//!
//! The subject is a [`Spinner`]; each test ends it and checks how it ended.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use abi::regs::{ThreadRegs, USER_RFLAGS_MASK};
use abi::{Call, CapType, Error, Rights};
use libtern::mm0::{self, Outcome};
use libtern::syscall::syscall6;
use libtern::{cap, image, kthread, thread, time, tls};
use mm0_proto::{SLOT_TEST_ENDPOINT, SLOT_TEST_NOTIFICATION};

use crate::ensure;
use crate::isolation::{KERNEL_HALF, KERNEL_IMAGE, NON_CANONICAL, UNMAPPED_USER};
use crate::report::Outcome as Verdict;
use crate::spinner::{STOPPED, Spinner};

/// RFLAGS.IF: interrupts enabled.
const INTERRUPTS: u64 = 0x200;
/// Bits the kernel sets in every user RFLAGS: IF and the always-one bit 1.
const FORCED_FLAGS: u64 = INTERRUPTS | 0x2;
/// User-settable bits the kernel must drop: TF, IOPL 3, NT, AC.
const PRIVILEGED_FLAGS: u64 = 0x100 | 0x3000 | 0x4000 | 0x4_0000;
/// A slot no one has put anything in.
const EMPTY_SLOT: u64 = 200;
/// Yields while a suspended thread must not move.
const YIELDS_WHILE_SUSPENDED: u32 = 50;

/// Runs `test` on a fresh spinner, then ends the spinner, which must end by
/// exiting with `code`.
fn with_spinner(code: u64, test: impl FnOnce(&Spinner) -> Verdict) -> Verdict {
    let spinner = Spinner::start()?;
    let verdict = test(&spinner);
    let ended = spinner.finish();
    verdict?;
    let ended = ended?;
    ensure!(ended == Outcome::Exited(code), "the thread ended as {ended:?}, not Exited({code:#x})");
    Ok(())
}

fn suspend(spinner: &Spinner) -> Verdict {
    kthread::suspend(spinner.cap()).map_err(|e| format!("ThreadSuspend failed: {e:?}"))
}

fn read_regs(spinner: &Spinner) -> Result<ThreadRegs, String> {
    kthread::read_regs(spinner.cap()).map_err(|e| format!("ThreadReadRegs failed: {e:?}"))
}

pub fn spawn_gives_capability() -> Verdict {
    with_spinner(STOPPED, |s| {
        let info = cap::identify(s.cap()).map_err(|e| format!("CapIdentify of slot {} failed: {e:?}", s.cap()))?;
        ensure!(info.kind == Some(CapType::Thread), "slot {} holds a {:?}, not a thread", s.cap(), info.kind);
        ensure!(info.rights == Rights::CONTROL, "the capability has rights {:#x}, want CONTROL only", info.rights.0);
        ensure!(info.object == s.id(), "the capability names thread {}, not {}", info.object, s.id());
        Ok(())
    })
}

pub fn capability_dead_after_exit() -> Verdict {
    let spinner = Spinner::start()?;
    let copy = cap::derive(spinner.cap(), Rights::CONTROL, 0);
    let ended = spinner.finish();
    let copy = copy.map_err(|e| format!("CapDerive of the thread capability failed: {e:?}"))?;
    let suspended = kthread::suspend(copy);
    let read = kthread::read_regs(copy).map(|_| ());
    let deleted = cap::delete(copy);
    ensure!(ended == Ok(Outcome::Exited(STOPPED)), "the thread ended as {ended:?}");
    ensure!(suspended == Err(Error::Dead), "ThreadSuspend of an ended thread: {suspended:?}, want Dead");
    ensure!(read == Err(Error::Dead), "ThreadReadRegs of an ended thread: {read:?}, want Dead");
    ensure!(deleted.is_ok(), "CapDelete of the copy: {deleted:?}");
    Ok(())
}

pub fn suspend_resume() -> Verdict {
    with_spinner(STOPPED, |s| {
        suspend(s)?;
        let frozen = s.turns();
        for _ in 0..YIELDS_WHILE_SUSPENDED {
            time::yield_now();
        }
        ensure!(s.turns() == frozen, "the suspended thread went from {frozen} to {} turns", s.turns());
        kthread::resume(s.cap()).map_err(|e| format!("ThreadResume failed: {e:?}"))?;
        ensure!(s.advances_past(frozen), "the thread did not run again after ThreadResume");
        Ok(())
    })
}

pub fn read_suspended() -> Verdict {
    with_spinner(STOPPED, |s| {
        suspend(s)?;
        let regs = read_regs(s)?;
        let (text, stack) = (image::text(), s.stack());
        ensure!(text.contains(&regs.rip), "rip {:#x} is outside ktest's code {text:#x?}", regs.rip);
        ensure!(stack.contains(&regs.rsp), "rsp {:#x} is outside the thread's stack {stack:#x?}", regs.rsp);
        // libtern keeps a spawned thread's block at the top of its stack.
        ensure!(stack.contains(&regs.fs_base), "fs_base {:#x} is outside the thread's stack {stack:#x?}", regs.fs_base);
        ensure!(regs.rflags & INTERRUPTS != 0, "rflags {:#x} has interrupts off", regs.rflags);
        let again = read_regs(s)?;
        ensure!(again == regs, "a second read differs: {again:#x?} after {regs:#x?}");
        Ok(())
    })
}

/// Exit code of the spinner after [`redirected`] ran.
const REDIRECTED: u64 = 0x4ed1;
/// The argument the redirect passes in `rdi`.
const REDIRECT_ARG: u64 = 0x0123_4567_89ab_cdef;
/// What [`redirected`] received.
static REDIRECTED_WITH: AtomicU64 = AtomicU64::new(0);
/// Room left below the interrupted code's `rsp` (more than its 128-byte red zone).
const BELOW_RSP: u64 = 512;

/// Where the redirect sends the spinner: records its argument and ends
/// the thread.
extern "C" fn redirected(arg: u64) -> ! {
    REDIRECTED_WITH.store(arg, Ordering::SeqCst);
    mm0::thread_exit(REDIRECTED, tls::thread_id())
}

pub fn write_redirects() -> Verdict {
    REDIRECTED_WITH.store(0, Ordering::SeqCst);
    with_spinner(REDIRECTED, |s| {
        suspend(s)?;
        let before = read_regs(s)?;
        // 16-byte aligned minus 8: the stack as a `call` leaves it.
        let rsp = ((before.rsp - BELOW_RSP) & !15) - 8;
        ensure!(s.stack().contains(&rsp), "no room below rsp {:#x} in the stack {:#x?}", before.rsp, s.stack());
        let wanted = ThreadRegs {
            rip: redirected as *const () as u64,
            rdi: REDIRECT_ARG,
            rsp,
            rflags: (before.rflags & !INTERRUPTS) | PRIVILEGED_FLAGS,
            ..before
        };
        // SAFETY: the thread is suspended; it will start `redirected`, which
        // never returns, on its own stack below everything in use there, with
        // its own FS base (so its thread block and IPC buffer). The frames it
        // leaves are never resumed: their values are leaked, not dropped
        // (one reference to the spinner's shared state).
        unsafe { kthread::write_regs(s.cap(), &wanted) }.map_err(|e| format!("ThreadWriteRegs failed: {e:?}"))?;
        let back = read_regs(s)?;
        let sanitized = ThreadRegs { rflags: (wanted.rflags & USER_RFLAGS_MASK) | FORCED_FLAGS, ..wanted };
        if back != sanitized {
            // SAFETY: these are the registers the kernel reported for the
            // suspended thread, so it goes on as if nothing happened.
            let restored = unsafe { kthread::write_regs(s.cap(), &before) };
            return Err(format!("registers read back as {back:#x?}, want {sanitized:#x?} (restoring: {restored:?})"));
        }
        kthread::resume(s.cap()).map_err(|e| format!("ThreadResume failed: {e:?}"))
    })?;
    let arg = REDIRECTED_WITH.load(Ordering::SeqCst);
    ensure!(arg == REDIRECT_ARG, "the redirected function ran with rdi {arg:#x}, want {REDIRECT_ARG:#x}");
    Ok(())
}

/// Puts an address outside the user half into one register.
type Spoil = fn(&mut ThreadRegs);

pub fn write_refuses_bad_addresses() -> Verdict {
    let cases: [(&str, Spoil); 6] = [
        ("a non-canonical rip", |r| r.rip = NON_CANONICAL),
        ("a kernel rip", |r| r.rip = KERNEL_IMAGE),
        ("rip at the first non-user address", |r| r.rip = abi::USER_TOP),
        ("a kernel rsp", |r| r.rsp = KERNEL_HALF),
        ("a non-canonical fs_base", |r| r.fs_base = NON_CANONICAL),
        ("a kernel gs_base", |r| r.gs_base = KERNEL_HALF),
    ];
    with_spinner(STOPPED, |s| {
        suspend(s)?;
        let before = read_regs(s)?;
        let mut wrong = Vec::new();
        for (what, spoil) in cases {
            let mut regs = before;
            spoil(&mut regs);
            // SAFETY: the kernel must refuse these registers; should it take
            // them, the read below reports it before the thread runs again.
            let result = unsafe { kthread::write_regs(s.cap(), &regs) };
            if result != Err(Error::InvalidArgument) {
                wrong.push(format!("{what}: {result:?}"));
            }
            let after = read_regs(s)?;
            if after != before {
                // SAFETY: the registers the kernel reported before the bad
                // write: the thread goes on as if nothing happened.
                let _ = unsafe { kthread::write_regs(s.cap(), &before) };
                return Err(format!("after {what} the registers changed to {after:#x?}"));
            }
        }
        if wrong.is_empty() { Ok(()) } else { Err(format!("not InvalidArgument: {}", wrong.join("; "))) }
    })
}

pub fn wrong_capability() -> Verdict {
    with_spinner(STOPPED, |s| {
        suspend(s)?;
        let regs = read_regs(s)?;
        let no_control = cap::derive(s.cap(), Rights::READ, 0).map_err(|e| format!("CapDerive failed: {e:?}"))?;
        let cases = [
            ("a notification", SLOT_TEST_NOTIFICATION, Error::WrongType),
            ("an endpoint", SLOT_TEST_ENDPOINT, Error::WrongType),
            ("an empty slot", EMPTY_SLOT, Error::InvalidCap),
            ("the thread without CONTROL", no_control, Error::NoRights),
        ];
        let mut wrong = Vec::new();
        for (what, slot, want) in cases {
            let read = kthread::read_regs(slot).map(|_| ());
            // SAFETY: `regs` are the suspended spinner's own registers, so
            // even a wrongly accepted write changes nothing.
            let written = unsafe { kthread::write_regs(slot, &regs) };
            let suspended = kthread::suspend(slot);
            let resumed = kthread::resume(slot);
            for (call, result) in [
                ("ThreadReadRegs", read),
                ("ThreadWriteRegs", written),
                ("ThreadSuspend", suspended),
                ("ThreadResume", resumed),
            ] {
                if result != Err(want) {
                    wrong.push(format!("{call} on {what}: {result:?}, want {want:?}"));
                }
            }
        }
        let deleted = cap::delete(no_control);
        ensure!(wrong.is_empty(), "{}", wrong.join("; "));
        ensure!(deleted.is_ok(), "CapDelete of the derived copy: {deleted:?}");
        Ok(())
    })
}

/// Bytes the kernel must not write: a `ThreadReadRegs` target in ktest's
/// read-only data.
static READ_ONLY: [u64; 20] = [0x7e57_0000_0000_0001; 20];
const _: () = assert!(core::mem::size_of::<[u64; 20]>() == core::mem::size_of::<ThreadRegs>());

fn regs_call(call: Call, thread: u64, ptr: u64) -> Result<(), Error> {
    // SAFETY: every pointer given here is one the kernel must refuse. The
    // only ones it could wrongly write through are `READ_ONLY`, which the
    // test checks afterwards, and the start of the code (`_start`, which
    // has run and never runs again).
    let (rax, _) = unsafe { syscall6(call as u64, [thread, ptr, 0, 0, 0, 0]) };
    Error::check(rax)
}

fn read_only_intact() -> bool {
    // SAFETY: a volatile read of a static the program never writes; it
    // sees a write the kernel made behind the compiler's back.
    READ_ONLY.iter().all(|w| unsafe { (w as *const u64).read_volatile() } == 0x7e57_0000_0000_0001)
}

pub fn bad_buffer() -> Verdict {
    let reads: [(&str, u64); 8] = [
        ("the kernel half", KERNEL_HALF),
        ("the kernel image", KERNEL_IMAGE),
        ("a non-canonical address", NON_CANONICAL),
        ("null", 0),
        ("unmapped user memory", UNMAPPED_USER),
        ("a buffer running out of the user half", abi::USER_TOP - 8),
        ("read-only data", READ_ONLY.as_ptr() as u64),
        ("code", image::text().start),
    ];
    let writes = &reads[..6];
    with_spinner(STOPPED, |s| {
        suspend(s)?;
        let before = read_regs(s)?;
        let mut wrong = Vec::new();
        for &(what, ptr) in &reads {
            let result = regs_call(Call::ThreadReadRegs, s.cap(), ptr);
            if result != Err(Error::BadAddress) {
                wrong.push(format!("ThreadReadRegs into {what} ({ptr:#x}): {result:?}"));
            }
        }
        for &(what, ptr) in writes {
            let result = regs_call(Call::ThreadWriteRegs, s.cap(), ptr);
            if result != Err(Error::BadAddress) {
                wrong.push(format!("ThreadWriteRegs from {what} ({ptr:#x}): {result:?}"));
            }
        }
        ensure!(wrong.is_empty(), "not BadAddress: {}", wrong.join("; "));
        ensure!(read_only_intact(), "ThreadReadRegs wrote into read-only data");
        let after = read_regs(s)?;
        ensure!(after == before, "the registers changed to {after:#x?}");
        Ok(())
    })
}

/// The spawned thread has not been told its capability yet.
const NO_CAP: u64 = u64::MAX;
/// Yields the thread waits for its capability.
const CAP_PATIENCE_YIELDS: u32 = 10_000;

/// The error number of `result`, 0 for success.
fn error_code(result: Result<(), Error>) -> u64 {
    result.err().map_or(0, |e| e as u64)
}

pub fn own_registers_busy() -> Verdict {
    let own_cap = Arc::new(AtomicU64::new(NO_CAP));
    let theirs = Arc::clone(&own_cap);
    let t = thread::spawn(move || {
        let Some(cap) = (0..CAP_PATIENCE_YIELDS).find_map(|_| {
            time::yield_now();
            Some(theirs.load(Ordering::SeqCst)).filter(|&c| c != NO_CAP)
        }) else {
            return u64::MAX;
        };
        let read = error_code(kthread::read_regs(cap).map(|_| ()));
        // SAFETY: the kernel must refuse a thread's write to its own
        // registers; had it accepted, this thread would go on at address 0
        // and end with a fault there, which the join reports.
        let written = error_code(unsafe { kthread::write_regs(cap, &ThreadRegs::default()) });
        read | (written << 8)
    })
    .map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    own_cap.store(t.cap(), Ordering::SeqCst);
    let outcome = t.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))?;
    let busy = Error::Busy as u64;
    let Outcome::Exited(codes) = outcome else {
        return Err(format!("the thread ended as {outcome:?}"));
    };
    ensure!(codes != u64::MAX, "the thread never learnt its capability");
    ensure!(
        codes == busy | (busy << 8),
        "on its own registers ThreadReadRegs gave {:?} and ThreadWriteRegs {:?}, want Busy",
        Error::check(codes & 0xff),
        Error::check(codes >> 8)
    );
    Ok(())
}
