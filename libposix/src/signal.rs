//! Signals: dispositions, masks and the alternate stack (libposix's own
//! state), sending (mm0's KILL and TGKILL), and delivery: the signal frame
//! on the program's stack, the handler, and rt_sigreturn.
//!
//! The summary mm0 needs to decide what a signal does (which signals are
//! handled or ignored, each thread's mask) lives in the process's signal
//! area (`mm0_proto::signal`), which libposix writes and mm0 reads; mm0
//! marks handled signals pending there. Delivery happens at two moments,
//! as on Linux where signals are delivered on the way back to user mode:
//! - at the end of every system call ([`deliver_on_return`]), with the
//!   program's registers from the entry stub's save area;
//! - when mm0 redirected a thread running program code to
//!   [`posix_signal_entry`], with the registers mm0 saved in the area.
//!
//! The signal frame is Linux's `rt_sigframe`: the return address (the
//! handler's `sa_restorer`, musl's `__restore_rt`, which calls
//! rt_sigreturn), a `ucontext` with the interrupted registers, mask and a
//! pointer to the FPU state, a `siginfo`, and the FPU state itself
//! (`xsave`: x87, SSE and the AVX upper halves, as the kernel enables
//! them; `fxsave` where xsave is off).
//! Delivery runs on libposix's own delivery stack ([`on_delivery_stack`]),
//! so a frame can go anywhere on the program's stacks, and ends by loading
//! every register of the handler's entry, or of the context a frame
//! restores (rt_sigreturn), with [`resume`], which leaves the interrupted
//! code's red zone untouched.
//!
//! Per-thread state (mask, alternate stack, sigsuspend) is indexed by the
//! thread's slot. `siginfo` carries the sender's pid (and for SIGCHLD the
//! child's change) as mm0 recorded it in the area ([`Origin`]). Not yet:
//! queued real-time signals (each is pending at most once, with the
//! origin of its latest sending).

use core::sync::atomic::{AtomicU64, Ordering};

use abi::regs::ThreadRegs;
use fs0_proto::errno::{EINTR, EINVAL, ENOMEM, EPERM};
use mm0_proto::signal::{
    DefaultAction, Origin, SIGCHLD, SIGKILL, SIGNAL_AREA, SIGRTMAX, SIGSEGV, SIGSTOP, UNCATCHABLE, bit, offset,
};
use mm0_proto::{SLOT_MM0, label};

use crate::entry::{RED_ZONE, RESUME_SCRATCH, SyscallFrame, on_delivery_stack, resume};
use crate::mapped::{self, Access};
use crate::syscalls::{Args, SysResult};
use crate::{identity, server, user};
use mm0_proto::signal::THREAD_SLOTS;

/// What a handler returns for a blocking call a signal interrupted and that
/// may start again afterwards (Linux's ERESTARTSYS): the return path turns
/// it into a restart (SA_RESTART) or EINTR. Never reaches the program.
pub const ERESTARTSYS: u32 = 512;

/// `sa_flags` bits libposix acts on.
const SA_NOCLDSTOP: u64 = 1;
const SA_SIGINFO: u64 = 4;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTART: u64 = 0x1000_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;
const SA_RESTORER: u64 = 0x0400_0000;
/// Handler values with a meaning of their own.
const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;

/// sigprocmask's `how`.
const SIG_BLOCK: u64 = 0;
const SIG_UNBLOCK: u64 = 1;
const SIG_SETMASK: u64 = 2;

/// sigaltstack flags and limits.
const SS_ONSTACK: u32 = 1;
const SS_DISABLE: u32 = 2;
/// Accepted and kept for reading back; not acted on.
const SS_AUTODISARM: u32 = 1 << 31;
const MINSIGSTKSZ: u64 = 2048;

/// `si_code` of a signal sent with kill or tgkill.
const SI_USER: i32 = 0;
const SI_TKILL: i32 = -6;

/// One signal's disposition (Linux's `struct k_sigaction`).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct KernelSigaction {
    handler: u64,
    flags: u64,
    restorer: u64,
    mask: u64,
}

struct Action {
    handler: AtomicU64,
    flags: AtomicU64,
    restorer: AtomicU64,
    mask: AtomicU64,
}

static ACTIONS: [Action; SIGRTMAX as usize] = [const {
    Action {
        handler: AtomicU64::new(0),
        flags: AtomicU64::new(0),
        restorer: AtomicU64::new(0),
        mask: AtomicU64::new(0),
    }
}; SIGRTMAX as usize];

/// Per thread: the alternate signal stack (base, size, flags: it is
/// disabled while `ALT_SIZE` is 0).
static ALT_SP: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];
static ALT_SIZE: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];
static ALT_FLAGS: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];

/// Per thread, set by sigsuspend: the mask to put back when the handler
/// returns (its temporary mask is in force while the handler is chosen).
static SUSPENDED: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];
static SUSPEND_RESTORE: [AtomicU64; THREAD_SLOTS] = [const { AtomicU64::new(0) }; THREAD_SLOTS];

/// The calling thread's slot.
fn slot() -> usize {
    crate::thread::current_slot()
}

/// A new thread in `new` (made by the thread in `creator`): no alternate
/// stack, no sigsuspend in progress.
pub fn thread_created(_creator: usize, new: usize) {
    ALT_SP[new].store(0, Ordering::Relaxed);
    ALT_SIZE[new].store(0, Ordering::Relaxed);
    ALT_FLAGS[new].store(0, Ordering::Relaxed);
    SUSPENDED[new].store(0, Ordering::Relaxed);
}

/// In a forked child (now slot 0), forked by the thread in `from`: that
/// thread's alternate stack, nothing else in progress.
pub fn forked(from: usize) {
    let to = slot();
    for state in [&ALT_SP, &ALT_SIZE, &ALT_FLAGS] {
        state[to].store(state[from].load(Ordering::Relaxed), Ordering::Relaxed);
    }
    SUSPENDED[to].store(0, Ordering::Relaxed);
}

/// A word of the signal area.
fn area(off: u64) -> &'static AtomicU64 {
    // SAFETY: mm0 maps the signal area read-write before the program
    // starts and never unmaps it (a system region); every word is 8-byte
    // aligned, and libposix reaches it only through atomics. mm0 writes it
    // only while no thread of the process runs (one CPU).
    unsafe { AtomicU64::from_ptr((SIGNAL_AREA + off) as *mut u64) }
}

fn blocked() -> &'static AtomicU64 {
    area(offset::thread(slot(), offset::BLOCKED))
}

fn valid(sig: u64) -> Result<u32, u32> {
    if (1..=u64::from(SIGRTMAX)).contains(&sig) { Ok(sig as u32) } else { Err(EINVAL) }
}

/// Records `sig`'s disposition in the area for mm0, and drops it from the
/// pending sets if it is now ignored (as Linux does).
fn publish(sig: u32, handler: u64) {
    let mask = bit(sig);
    if handler > SIG_IGN {
        area(offset::HANDLED).fetch_or(mask, Ordering::Relaxed);
    } else {
        area(offset::HANDLED).fetch_and(!mask, Ordering::Relaxed);
    }
    let ignored = handler == SIG_IGN || (handler == SIG_DFL && DefaultAction::of(sig) == DefaultAction::Ignore);
    if handler == SIG_IGN {
        area(offset::IGNORED).fetch_or(mask, Ordering::Relaxed);
    } else {
        area(offset::IGNORED).fetch_and(!mask, Ordering::Relaxed);
    }
    if ignored {
        area(offset::PENDING).fetch_and(!mask, Ordering::Relaxed);
        area(offset::thread(slot(), offset::THREAD_PENDING)).fetch_and(!mask, Ordering::Relaxed);
    }
    area(offset::ENTRY).store(crate::entry::posix_signal_entry as *const () as u64, Ordering::Relaxed);
}

/// The handler of `sig`: libposix's own record, except for signals ignored
/// across exec (mm0 carried the area's ignored set over into this fresh
/// image, whose records start at SIG_DFL).
fn handler_of(sig: u32) -> u64 {
    let handler = ACTIONS[sig as usize - 1].handler.load(Ordering::Relaxed);
    if handler == SIG_DFL && area(offset::IGNORED).load(Ordering::Relaxed) & bit(sig) != 0 { SIG_IGN } else { handler }
}

/// rt_sigaction(sig, act, oldact, sigsetsize)
pub fn rt_sigaction(args: &Args) -> SysResult {
    let [sig, act, oldact, size, ..] = *args;
    if size != 8 {
        return Err(EINVAL);
    }
    let sig = valid(sig)?;
    if act != 0 && (sig == SIGKILL || sig == SIGSTOP) {
        return Err(EINVAL);
    }
    let new = if act != 0 { Some(user::read::<KernelSigaction>(act)?) } else { None };
    let a = &ACTIONS[sig as usize - 1];
    if oldact != 0 {
        let old = KernelSigaction {
            handler: handler_of(sig),
            flags: a.flags.load(Ordering::Relaxed),
            restorer: a.restorer.load(Ordering::Relaxed),
            mask: a.mask.load(Ordering::Relaxed),
        };
        user::write(oldact, old)?;
    }
    if let Some(new) = new {
        a.flags.store(new.flags, Ordering::Relaxed);
        a.restorer.store(new.restorer, Ordering::Relaxed);
        a.mask.store(new.mask & !UNCATCHABLE, Ordering::Relaxed);
        a.handler.store(new.handler, Ordering::Relaxed);
        if sig == SIGCHLD {
            area(offset::NO_CHILD_STOP).store(u64::from(new.flags & SA_NOCLDSTOP != 0), Ordering::Relaxed);
        }
        publish(sig, new.handler);
    }
    Ok(0)
}

/// rt_sigprocmask(how, set, oldset, sigsetsize)
pub fn rt_sigprocmask(args: &Args) -> SysResult {
    let [how, set, oldset, size, ..] = *args;
    if size != 8 {
        return Err(EINVAL);
    }
    let new = if set != 0 {
        if how > SIG_SETMASK {
            return Err(EINVAL);
        }
        Some(user::read::<u64>(set)?)
    } else {
        None
    };
    let current = blocked().load(Ordering::Relaxed);
    if oldset != 0 {
        user::write(oldset, current)?;
    }
    if let Some(new) = new {
        let mask = match how {
            SIG_BLOCK => current | new,
            SIG_UNBLOCK => current & !new,
            _ => new,
        };
        blocked().store(mask & !UNCATCHABLE, Ordering::Relaxed);
    }
    Ok(0)
}

/// rt_sigpending(set, sigsetsize)
pub fn rt_sigpending(args: &Args) -> SysResult {
    if args[1] != 8 {
        return Err(EINVAL);
    }
    user::write(args[0], pending()).map(|()| 0)
}

fn pending() -> u64 {
    area(offset::PENDING).load(Ordering::Relaxed)
        | area(offset::thread(slot(), offset::THREAD_PENDING)).load(Ordering::Relaxed)
}

/// `stack_t`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct StackT {
    sp: u64,
    flags: u32,
    pad: u32,
    size: u64,
}

fn on_alt_stack(rsp: u64) -> bool {
    let t = slot();
    let (sp, size) = (ALT_SP[t].load(Ordering::Relaxed), ALT_SIZE[t].load(Ordering::Relaxed));
    size != 0 && rsp > sp && rsp - sp <= size
}

fn current_alt_stack(rsp: u64) -> StackT {
    let t = slot();
    let size = ALT_SIZE[t].load(Ordering::Relaxed);
    let flags = if on_alt_stack(rsp) {
        SS_ONSTACK
    } else if size == 0 {
        SS_DISABLE
    } else {
        ALT_FLAGS[t].load(Ordering::Relaxed) as u32
    };
    StackT { sp: ALT_SP[t].load(Ordering::Relaxed), flags, pad: 0, size }
}

/// sigaltstack(ss, old_ss)
pub fn sigaltstack(args: &Args, frame: &SyscallFrame) -> SysResult {
    let [ss, old, ..] = *args;
    let rsp = frame.program_rsp();
    let new = if ss != 0 { Some(user::read::<StackT>(ss)?) } else { None };
    if old != 0 {
        user::write(old, current_alt_stack(rsp))?;
    }
    if let Some(new) = new {
        if on_alt_stack(rsp) {
            return Err(EPERM);
        }
        if new.flags & !(SS_DISABLE | SS_AUTODISARM) != 0 {
            return Err(EINVAL);
        }
        let t = slot();
        if new.flags & SS_DISABLE != 0 {
            ALT_SP[t].store(0, Ordering::Relaxed);
            ALT_SIZE[t].store(0, Ordering::Relaxed);
            ALT_FLAGS[t].store(0, Ordering::Relaxed);
        } else {
            if new.size < MINSIGSTKSZ {
                return Err(ENOMEM);
            }
            ALT_SP[t].store(new.sp, Ordering::Relaxed);
            ALT_SIZE[t].store(new.size, Ordering::Relaxed);
            ALT_FLAGS[t].store(u64::from(new.flags & SS_AUTODISARM), Ordering::Relaxed);
        }
    }
    Ok(0)
}

/// kill(pid, sig)
pub fn kill(args: &Args) -> SysResult {
    let pid = i64::from(args[0] as i32) as u64;
    server::call(SLOT_MM0, label::KILL, &[pid, args[1]], &[]).map(|_| 0)
}

/// tkill(tid, sig)
pub fn tkill(args: &Args) -> SysResult {
    server::call(SLOT_MM0, label::TGKILL, &[0, i64::from(args[0] as i32) as u64, args[1]], &[]).map(|_| 0)
}

/// Sends `sig` to the calling thread (a SIGPIPE for a write to a pipe
/// without readers), to be delivered on the way back to the program.
pub fn raise_for_thread(sig: u32) {
    let tid = crate::thread::gettid(&[0; 6]).unwrap_or(0);
    let _ = server::call(SLOT_MM0, label::TGKILL, &[0, tid, u64::from(sig)], &[]);
}

/// tgkill(tgid, tid, sig)
pub fn tgkill(args: &Args) -> SysResult {
    let words = [i64::from(args[0] as i32) as u64, i64::from(args[1] as i32) as u64, args[2]];
    server::call(SLOT_MM0, label::TGKILL, &words, &[]).map(|_| 0)
}

/// Waits on the process's notification until a signal can be delivered.
pub fn wait_for_signal() {
    while pending() & !blocked().load(Ordering::Relaxed) == 0 {
        match libtern_sys::notify::wait(crate::thread::own_notification()) {
            // Woken, or stopped and continued: look again.
            Ok(_) | Err(abi::Error::Interrupted) => {}
            Err(_) => break,
        }
    }
}

/// rt_sigsuspend(mask, sigsetsize): waits for a signal with `mask` in
/// force; the old mask comes back when the handler returns.
pub fn rt_sigsuspend(args: &Args) -> SysResult {
    if args[1] != 8 {
        return Err(EINVAL);
    }
    let mask = user::read::<u64>(args[0])?;
    let old = blocked().swap(mask & !UNCATCHABLE, Ordering::Relaxed);
    SUSPEND_RESTORE[slot()].store(old, Ordering::Relaxed);
    SUSPENDED[slot()].store(1, Ordering::Relaxed);
    wait_for_signal();
    if !deliverable() {
        // The wait itself failed: no handler will put the mask back.
        SUSPENDED[slot()].store(0, Ordering::Relaxed);
        blocked().store(old, Ordering::Relaxed);
    }
    Err(EINTR)
}

/// pause()
pub fn pause(_args: &Args) -> SysResult {
    wait_for_signal();
    Err(EINTR)
}

/// Whether a signal waits to be delivered to this thread.
pub fn deliverable() -> bool {
    pending() & !blocked().load(Ordering::Relaxed) != 0
        || area(offset::thread(slot(), offset::FAULT_SIGNAL)).load(Ordering::Relaxed) != 0
}

/// A signal taken off the pending sets for delivery.
struct Taken {
    sig: u32,
    code: i32,
    /// `si_addr` for a fault; else `si_pid` (and `si_uid`, 0, above it).
    addr: u64,
    /// `si_status` of SIGCHLD.
    status: u32,
}

/// Takes the fault signal, or the lowest-numbered deliverable one.
fn take() -> Option<Taken> {
    let fault = area(offset::thread(slot(), offset::FAULT_SIGNAL)).swap(0, Ordering::Relaxed);
    if fault != 0 {
        let code = area(offset::thread(slot(), offset::FAULT_CODE)).load(Ordering::Relaxed) as i32;
        let addr = area(offset::thread(slot(), offset::FAULT_ADDR)).load(Ordering::Relaxed);
        return Some(Taken { sig: fault as u32, code, addr, status: 0 });
    }
    let open = !blocked().load(Ordering::Relaxed);
    for (word, code) in
        [(area(offset::thread(slot(), offset::THREAD_PENDING)), SI_TKILL), (area(offset::PENDING), SI_USER)]
    {
        let ready = word.load(Ordering::Relaxed) & open;
        if ready != 0 {
            let mask = ready & ready.wrapping_neg();
            word.fetch_and(!mask, Ordering::Relaxed);
            let sig = mask.trailing_zeros() + 1;
            // mm0 writes the origin before the pending bit.
            let origin = Origin::from_word(area(offset::origin(sig)).load(Ordering::Acquire));
            let code = if origin.code != 0 { i32::from(origin.code) } else { code };
            return Some(Taken { sig, code, addr: u64::from(origin.pid), status: origin.status });
        }
    }
    None
}

/// The interrupted program state a handler is entered from and a frame
/// restores: every general register, the instruction pointer, flags and
/// stack pointer.
pub type Context = ThreadRegs;

/// `struct sigcontext` (Linux x86_64): general registers, flags, segment
/// word, error and trap numbers, old mask, cr2, the FPU-state pointer.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct SigContext {
    r8: u64,
    r9: u64,
    r10: u64,
    r11: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
    rdi: u64,
    rsi: u64,
    rbp: u64,
    rbx: u64,
    rdx: u64,
    rax: u64,
    rcx: u64,
    rsp: u64,
    rip: u64,
    eflags: u64,
    segments: u64,
    err: u64,
    trapno: u64,
    oldmask: u64,
    cr2: u64,
    fpstate: u64,
    reserved: [u64; 8],
}

/// `struct ucontext` as the Linux kernel lays it out.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct UContext {
    flags: u64,
    link: u64,
    stack: StackT,
    mcontext: SigContext,
    sigmask: u64,
}

/// `siginfo_t`: 128 bytes; libposix fills the signal, code and, for
/// faults, the address (the union's first word).
#[repr(C)]
#[derive(Clone, Copy)]
struct SigInfo {
    signo: i32,
    errno: i32,
    code: i32,
    pad: i32,
    addr: u64,
    rest: [u64; 13],
}

/// The frame a handler is entered with, from its stack pointer up.
#[repr(C)]
#[derive(Clone, Copy)]
struct RtSigFrame {
    return_address: u64,
    uc: UContext,
    info: SigInfo,
}

/// Bytes of an `fxsave` image (also the legacy part of an `xsave` one).
const FXSAVE_SIZE: u64 = 512;
/// Most bytes of an `xsave` image libposix handles: the kernel enables
/// x87, SSE and AVX state (832 bytes); a larger image falls back to
/// `fxsave`.
const MAX_XSAVE_SIZE: u64 = 1024;
/// The `xsave` header: XSTATE_BV, XCOMP_BV, then 48 reserved bytes.
const XSAVE_HEADER: u64 = 512;
const XSAVE_HEADER_SIZE: usize = 64;

/// Bytes of the FPU image in a signal frame: `xsave` (x87, SSE and the
/// AVX upper halves) when the kernel turned it on, else `fxsave`.
fn fpu_image_size() -> u64 {
    static SIZE: AtomicU64 = AtomicU64::new(0);
    match SIZE.load(Ordering::Relaxed) {
        0 => {
            // CPUID.1:ECX.OSXSAVE: the kernel enabled xsave; CPUID.0xD:EBX:
            // the image size for the features it enabled.
            let osxsave = core::arch::x86_64::__cpuid(1).ecx & (1 << 27) != 0;
            let xsave_size = u64::from(core::arch::x86_64::__cpuid_count(0xd, 0).ebx);
            let size =
                if osxsave && (FXSAVE_SIZE..=MAX_XSAVE_SIZE).contains(&xsave_size) { xsave_size } else { FXSAVE_SIZE };
            SIZE.store(size, Ordering::Relaxed);
            size
        }
        size => size,
    }
}

/// The enabled xsave features (XCR0).
fn xcr0() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: xgetbv reads XCR0; it is only called when the kernel turned
    // xsave on (`fpu_image_size` saw OSXSAVE), and touches no memory.
    unsafe { core::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    u64::from(lo) | (u64::from(hi) << 32)
}

/// Makes sure this thread's own FPU state is in the CPU: the kernel loads
/// it lazily, on the first SSE instruction (#NM), and under QEMU's TCG an
/// xsave was seen to run on another thread's state instead of trapping.
/// Reading xmm0 traps and changes nothing.
fn own_fpu_state() {
    // SAFETY: moving xmm0 into a general register touches no memory and
    // leaves the FPU state as it was.
    unsafe { core::arch::asm!("movq {}, xmm0", out(reg) _, options(nomem, nostack, preserves_flags)) };
}
/// Offset of MXCSR in an `fxsave` image, and the bits a program may set.
const FXSAVE_MXCSR: u64 = 24;
const MXCSR_MASK: u32 = 0xffff;
/// The flags a program may change (as the kernel's USER_RFLAGS_MASK).
const USER_FLAGS: u64 = abi::regs::USER_RFLAGS_MASK;
/// Direction and trap flags, cleared on handler entry as Linux does.
const FLAGS_CLEARED_FOR_HANDLER: u64 = 0x400 | 0x100;

fn context_to_mcontext(c: &Context, fpstate: u64) -> SigContext {
    SigContext {
        r8: c.r8,
        r9: c.r9,
        r10: c.r10,
        r11: c.r11,
        r12: c.r12,
        r13: c.r13,
        r14: c.r14,
        r15: c.r15,
        rdi: c.rdi,
        rsi: c.rsi,
        rbp: c.rbp,
        rbx: c.rbx,
        rdx: c.rdx,
        rax: c.rax,
        rcx: c.rcx,
        rsp: c.rsp,
        rip: c.rip,
        eflags: c.rflags,
        fpstate,
        ..SigContext::default()
    }
}

fn mcontext_to_context(m: &SigContext, fs_base: u64) -> Context {
    Context {
        rax: m.rax,
        rbx: m.rbx,
        rcx: m.rcx,
        rdx: m.rdx,
        rsi: m.rsi,
        rdi: m.rdi,
        rbp: m.rbp,
        rsp: m.rsp,
        r8: m.r8,
        r9: m.r9,
        r10: m.r10,
        r11: m.r11,
        r12: m.r12,
        r13: m.r13,
        r14: m.r14,
        r15: m.r15,
        rip: m.rip,
        rflags: (m.eflags & USER_FLAGS) | 0x202,
        fs_base,
        gs_base: 0,
    }
}

/// Ends the process as by `sig` whatever its disposition (a frame that
/// cannot be written, as Linux's force_sigsegv).
fn die_by(sig: u32) -> ! {
    ACTIONS[sig as usize - 1].handler.store(SIG_DFL, Ordering::Relaxed);
    publish(sig, SIG_DFL);
    let pid = identity::pid().unwrap_or(0);
    let _ = server::call(SLOT_MM0, label::KILL, &[pid, u64::from(sig)], &[]);
    crate::process::exit_process(128 + u64::from(sig))
}

/// Delivers one signal to the program interrupted in `ctx`: a frame on its
/// stack and the handler's registers. Returns false if nothing was
/// delivered (nothing pending, or the signal turned out to be ignored or
/// fatal by default: mm0 then ends or stops the process).
fn deliver_one(ctx: &mut Context) -> bool {
    let Some(taken) = take() else { return false };
    let a = &ACTIONS[taken.sig as usize - 1];
    let handler = a.handler.load(Ordering::Relaxed);
    let t = slot();
    let restore_mask = match SUSPENDED[t].swap(0, Ordering::Relaxed) {
        0 => blocked().load(Ordering::Relaxed),
        _ => SUSPEND_RESTORE[t].load(Ordering::Relaxed),
    };
    if handler <= SIG_IGN {
        // No handler will put sigsuspend's mask back: do it now.
        blocked().store(restore_mask, Ordering::Relaxed);
        // The disposition changed since mm0 marked it pending: let mm0 act
        // on it as it is now (drop, end or stop the process).
        if handler == SIG_DFL && DefaultAction::of(taken.sig) != DefaultAction::Ignore {
            let pid = identity::pid().unwrap_or(0);
            let _ = server::call(SLOT_MM0, label::KILL, &[pid, u64::from(taken.sig)], &[]);
        }
        return true;
    }
    let flags = a.flags.load(Ordering::Relaxed);

    let alt_usable = flags & SA_ONSTACK != 0 && ALT_SIZE[t].load(Ordering::Relaxed) != 0 && !on_alt_stack(ctx.rsp);
    let top = if alt_usable {
        ALT_SP[t].load(Ordering::Relaxed) + ALT_SIZE[t].load(Ordering::Relaxed)
    } else {
        ctx.rsp.wrapping_sub(RED_ZONE as u64)
    };
    let image_size = fpu_image_size();
    let fx = top.wrapping_sub(image_size) & !63;
    // The handler starts as if called: its stack pointer + 8 is 16-aligned.
    let frame_at = ((fx - size_of::<RtSigFrame>() as u64) & !15) - 8;
    if user::check_range(frame_at, top - frame_at).is_err()
        || mapped::ensure(frame_at, top - frame_at, Access::Write).is_err()
    {
        die_by(SIGSEGV);
    }
    if image_size > FXSAVE_SIZE {
        own_fpu_state();
        // SAFETY: `fx` is 64-byte aligned and its `image_size` bytes lie in
        // the range just backed for writing. The header is zeroed first
        // (xsave leaves its reserved part alone, xrstor requires it zero);
        // xsave64 with every feature bit stores the program's x87, SSE and
        // AVX state (libposix itself never uses them).
        unsafe {
            core::ptr::write_bytes((fx + XSAVE_HEADER) as *mut u8, 0, XSAVE_HEADER_SIZE);
            core::arch::asm!("xsave64 [{}]", in(reg) fx, in("eax") u32::MAX, in("edx") u32::MAX, options(nostack));
        }
    } else {
        // SAFETY: `fx` is 64-byte aligned, its 512 bytes lie in the range
        // just backed for writing; fxsave64 stores the program's FPU and
        // SSE state (libposix itself never uses them).
        unsafe { core::arch::asm!("fxsave64 [{}]", in(reg) fx, options(nostack)) };
    }

    // Without SA_RESTORER the handler returns to 0 and faults, as on Linux
    // x86_64 (C libraries always set it).
    let restorer = if flags & SA_RESTORER != 0 { a.restorer.load(Ordering::Relaxed) } else { 0 };
    let frame = RtSigFrame {
        return_address: restorer,
        uc: UContext {
            flags: 0,
            link: 0,
            stack: current_alt_stack(ctx.rsp),
            mcontext: context_to_mcontext(ctx, fx),
            sigmask: restore_mask,
        },
        info: SigInfo {
            signo: taken.sig as i32,
            errno: 0,
            code: taken.code,
            pad: 0,
            addr: taken.addr,
            rest: [u64::from(taken.status), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        },
    };
    if user::write(frame_at, frame).is_err() {
        die_by(SIGSEGV);
    }
    let mut mask = blocked().load(Ordering::Relaxed) | a.mask.load(Ordering::Relaxed);
    if flags & SA_NODEFER == 0 {
        mask |= bit(taken.sig);
    }
    blocked().store(mask & !UNCATCHABLE, Ordering::Relaxed);
    if flags & SA_RESETHAND != 0 {
        a.handler.store(SIG_DFL, Ordering::Relaxed);
        a.flags.store(flags & !SA_SIGINFO, Ordering::Relaxed);
        publish(taken.sig, SIG_DFL);
    }
    let info_at = frame_at + core::mem::offset_of!(RtSigFrame, info) as u64;
    let uc_at = frame_at + core::mem::offset_of!(RtSigFrame, uc) as u64;
    *ctx = Context {
        rip: handler,
        rsp: frame_at,
        rdi: u64::from(taken.sig),
        rsi: info_at,
        rdx: uc_at,
        rax: 0,
        rflags: ctx.rflags & !FLAGS_CLEARED_FOR_HANDLER,
        ..*ctx
    };
    true
}

/// Continues the program interrupted in `ctx`, in the handlers of the
/// signals pending for it, if any.
fn continue_program(ctx: &Context) -> ! {
    on_delivery_stack(ctx, deliver_and_resume)
}

/// On the delivery stack: delivers what is pending to the program
/// interrupted in `ctx` (one frame per signal, nested as Linux nests them),
/// then continues it.
extern "C" fn deliver_and_resume(ctx: &Context) -> ! {
    let mut ctx = *ctx;
    let mut guard = 0;
    while deliverable() && guard < SIGRTMAX {
        deliver_one(&mut ctx);
        guard += 1;
    }
    let scratch = ctx.rsp.wrapping_sub(RESUME_SCRATCH);
    if user::check_range(scratch, 16).is_err() || mapped::ensure(scratch, 16, Access::Write).is_err() {
        die_by(SIGSEGV);
    }
    // SAFETY: `ctx` is a complete program context (the interrupted one, or
    // a handler entry on a frame just written), on the delivery stack, away
    // from the scratch bytes below its stack pointer, which are backed.
    unsafe { resume(&ctx) }
}

/// The end of a system call with result `result` (minus an errno): if a
/// signal is to be delivered, the program continues in its handler and
/// this does not return. A call interrupted with [`ERESTARTSYS`] is made
/// to run again after the handler when the handler has SA_RESTART (and
/// when no handler runs), else it fails with EINTR.
pub fn deliver_on_return(nr: u64, result: i64, frame: &SyscallFrame) -> i64 {
    let restartable = result == -i64::from(ERESTARTSYS);
    if !deliverable() {
        if restartable {
            // Nothing to run after all (the signal was dropped): again.
            let ctx = frame.context(nr as i64);
            continue_program(&Context { rip: ctx.rip - 2, ..ctx })
        }
        return result;
    }
    let mut ctx = frame.context(if restartable { -i64::from(EINTR) } else { result });
    if restartable {
        let next = peek_flags();
        if next & SA_RESTART != 0 {
            ctx.rax = nr;
            ctx.rip -= 2;
        }
    }
    continue_program(&ctx)
}

/// The flags of the signal [`take`] would take next (in its order: the
/// fault, then the thread's own pending signals, then the process's).
fn peek_flags() -> u64 {
    let fault = area(offset::thread(slot(), offset::FAULT_SIGNAL)).load(Ordering::Relaxed);
    let open = !blocked().load(Ordering::Relaxed);
    let own = area(offset::thread(slot(), offset::THREAD_PENDING)).load(Ordering::Relaxed) & open;
    let ready = if own != 0 { own } else { area(offset::PENDING).load(Ordering::Relaxed) & open };
    let sig = if fault != 0 { fault as u32 } else { (ready & ready.wrapping_neg()).trailing_zeros() + 1 };
    if !(1..=SIGRTMAX).contains(&sig) {
        return 0;
    }
    ACTIONS[sig as usize - 1].flags.load(Ordering::Relaxed)
}

/// rt_sigreturn(): the handler's frame ends; the context it saved comes
/// back, its mask and FPU state included.
pub fn rt_sigreturn(_args: &Args, frame: &SyscallFrame) -> SysResult {
    // The handler returned into `sa_restorer`, which popped the return
    // address: the stack pointer is at the ucontext.
    let uc_at = frame.program_rsp();
    let uc = user::read::<UContext>(uc_at).unwrap_or_else(|_| die_by(SIGSEGV));
    let fp = uc.mcontext.fpstate;
    if fp != 0 {
        restore_fpu(fp);
    }
    blocked().store(uc.sigmask & !UNCATCHABLE, Ordering::Relaxed);
    let ctx = mcontext_to_context(&uc.mcontext, crate::thread::fs_base());
    continue_program(&ctx)
}

/// Loads the FPU image a frame holds at `fp` (as delivery wrote it, or as
/// the handler changed it), after checking what the CPU would refuse: an
/// image that is not readable or could not be loaded ends the process by
/// SIGSEGV, as Linux ends it for a bad frame.
fn restore_fpu(fp: u64) {
    let size = fpu_image_size();
    if !fp.is_multiple_of(16) || user::readable(fp, size).is_err() {
        die_by(SIGSEGV);
    }
    let mut buffer = [0u8; MAX_XSAVE_SIZE as usize + 64];
    let aligned = buffer.as_mut_ptr().align_offset(64);
    let image = &mut buffer[aligned..aligned + size as usize];
    // SAFETY: `fp` was checked readable for `size` bytes just above.
    image.copy_from_slice(unsafe { core::slice::from_raw_parts(fp as *const u8, size as usize) });
    let mxcsr = FXSAVE_MXCSR as usize;
    let value = u32::from_le_bytes([image[mxcsr], image[mxcsr + 1], image[mxcsr + 2], image[mxcsr + 3]]);
    image[mxcsr..mxcsr + 4].copy_from_slice(&(value & MXCSR_MASK).to_le_bytes());
    if size > FXSAVE_SIZE {
        let header = &image[XSAVE_HEADER as usize..XSAVE_HEADER as usize + XSAVE_HEADER_SIZE];
        let xstate_bv = u64::from_le_bytes(header[..8].try_into().expect("8 bytes"));
        // Standard form (XCOMP_BV 0), reserved bytes zero, only enabled
        // features: what xrstor64 accepts without a fault.
        if header[8..].iter().any(|&b| b != 0) || xstate_bv & !xcr0() != 0 {
            die_by(SIGSEGV);
        }
        own_fpu_state();
        // SAFETY: a 64-aligned image of the size CPUID gives, with a valid
        // header and MXCSR; xrstor64 loads the program's state from it.
        unsafe {
            core::arch::asm!("xrstor64 [{}]", in(reg) image.as_ptr(), in("eax") u32::MAX, in("edx") u32::MAX, options(nostack));
        }
    } else {
        // SAFETY: a 16-aligned 512-byte image whose MXCSR holds only valid
        // bits; fxrstor64 loads the program's FPU and SSE state from it.
        unsafe { core::arch::asm!("fxrstor64 [{}]", in(reg) image.as_ptr(), options(nostack)) };
    }
}

/// Where [`crate::entry::posix_signal_entry`] goes, on the thread's
/// delivery stack: the registers mm0 saved when it interrupted the thread.
pub extern "C" fn redirected() -> ! {
    let saved = offset::thread(slot(), offset::INTERRUPTED);
    let word = |i: u64| area(saved + 8 * i).load(Ordering::Relaxed);
    let ctx = Context {
        rax: word(0),
        rbx: word(1),
        rcx: word(2),
        rdx: word(3),
        rsi: word(4),
        rdi: word(5),
        rbp: word(6),
        rsp: word(7),
        r8: word(8),
        r9: word(9),
        r10: word(10),
        r11: word(11),
        r12: word(12),
        r13: word(13),
        r14: word(14),
        r15: word(15),
        rip: word(16),
        rflags: word(17),
        fs_base: word(18),
        gs_base: word(19),
    };
    area(offset::thread(slot(), offset::REDIRECTED)).store(0, Ordering::Relaxed);
    deliver_and_resume(&ctx)
}

/// `siginfo_t` and `ucontext` have Linux's sizes.
const _: () = assert!(size_of::<SigInfo>() == 128 && size_of::<UContext>() == 304);
/// `ThreadRegs` is 20 words, in the order `redirected` reads them.
const _: () = assert!(size_of::<Context>() == 160 && core::mem::offset_of!(Context, rip) == 128);
