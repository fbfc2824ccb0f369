//! Signals between mm0 and libposix: the numbers, what each does by
//! default, and the signal area both of them read and write.
//!
//! Dispositions and masks are libposix's (per process, per thread), but mm0
//! must know them to decide what a signal does when it is sent: ignore it,
//! end or stop the process, or interrupt a thread so that libposix runs the
//! handler. Rather than a call to mm0 on every `sigprocmask`, libposix keeps
//! that summary in the [`SignalArea`], a region mm0 maps into every POSIX
//! process at [`SIGNAL_AREA`] and reads through its own window; mm0 writes
//! there what it sends (pending bits) and, when it redirects a thread to
//! libposix's signal entry, the registers it interrupted. Either side only
//! ever trusts the area for decisions about that one process.
//!
//! Signal `n` is bit `n - 1` of a mask, as in Linux's `sigset_t`.
//!
//! Each thread's slot also tells libposix who the thread is: mm0 writes the
//! slot's index and the thread's ids when it creates the thread, and sets
//! the thread's GS base to its slot, so that libposix finds its per-thread
//! state with one `gs:`-relative load (programs on x86_64 Linux leave GS to
//! the system).

/// Where mm0 maps the signal area in every POSIX process.
pub const SIGNAL_AREA: u64 = 0x0000_7f90_0000_0000;
/// Threads the area has slots for (a thread's slot is its IPC buffer index).
pub const THREAD_SLOTS: usize = 64;

/// Signal numbers (Linux x86_64).
pub const SIGHUP: u32 = 1;
pub const SIGINT: u32 = 2;
pub const SIGQUIT: u32 = 3;
pub const SIGILL: u32 = 4;
pub const SIGTRAP: u32 = 5;
pub const SIGABRT: u32 = 6;
pub const SIGBUS: u32 = 7;
pub const SIGFPE: u32 = 8;
pub const SIGKILL: u32 = 9;
pub const SIGUSR1: u32 = 10;
pub const SIGSEGV: u32 = 11;
pub const SIGUSR2: u32 = 12;
pub const SIGPIPE: u32 = 13;
pub const SIGALRM: u32 = 14;
pub const SIGTERM: u32 = 15;
pub const SIGSTKFLT: u32 = 16;
pub const SIGCHLD: u32 = 17;
pub const SIGCONT: u32 = 18;
pub const SIGSTOP: u32 = 19;
pub const SIGTSTP: u32 = 20;
pub const SIGTTIN: u32 = 21;
pub const SIGTTOU: u32 = 22;
pub const SIGURG: u32 = 23;
pub const SIGXCPU: u32 = 24;
pub const SIGXFSZ: u32 = 25;
pub const SIGVTALRM: u32 = 26;
pub const SIGPROF: u32 = 27;
pub const SIGWINCH: u32 = 28;
pub const SIGIO: u32 = 29;
pub const SIGPWR: u32 = 30;
pub const SIGSYS: u32 = 31;
/// Highest signal number (real-time signals run to it).
pub const SIGRTMAX: u32 = 64;

/// The mask bit of signal `sig` (1..=64).
pub const fn bit(sig: u32) -> u64 {
    1 << (sig - 1)
}

/// Signals that can be neither caught, blocked nor ignored.
pub const UNCATCHABLE: u64 = bit(SIGKILL) | bit(SIGSTOP);

/// What a signal does to a process that neither handles nor ignores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    Ignore,
    Stop,
    Continue,
}

impl DefaultAction {
    /// Linux's default action of `sig` (every signal without a special
    /// one terminates, the real-time signals included; Tern writes no core
    /// files, so "core" signals simply terminate).
    pub fn of(sig: u32) -> DefaultAction {
        match sig {
            SIGCHLD | SIGURG | SIGWINCH => DefaultAction::Ignore,
            SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => DefaultAction::Stop,
            SIGCONT => DefaultAction::Continue,
            _ => DefaultAction::Terminate,
        }
    }
}

/// Where a pending signal came from, for its `siginfo`: the sending
/// process (0: the system), and for SIGCHLD the child's change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// `si_pid`: the sender, or the child for SIGCHLD.
    pub pid: u32,
    /// `si_code` for SIGCHLD (one of [`cld`]); 0 otherwise, and libposix
    /// uses SI_USER or SI_TKILL.
    pub code: u8,
    /// `si_status` for SIGCHLD: the exit code or the signal.
    pub status: u32,
}

/// `si_code` values of SIGCHLD.
pub mod cld {
    pub const EXITED: u8 = 1;
    pub const KILLED: u8 = 2;
    pub const STOPPED: u8 = 5;
    pub const CONTINUED: u8 = 6;
}

impl Origin {
    pub const fn to_word(self) -> u64 {
        self.pid as u64 | (self.code as u64) << 32 | (self.status as u64 & 0xff_ffff) << 40
    }

    pub const fn from_word(word: u64) -> Origin {
        Origin { pid: word as u32, code: (word >> 32) as u8, status: (word >> 40) as u32 }
    }
}

/// A thread's registers as the CPU left them when mm0 interrupted it (the
/// kernel's register layout).
pub type InterruptedRegs = abi::regs::ThreadRegs;

/// One thread's part of the area.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadSignals {
    /// mm0: the slot's own index (the thread's IPC buffer index).
    pub index: u64,
    /// mm0: the thread's POSIX thread id (the pid for a main thread).
    pub tid: u64,
    /// mm0: the kernel's id of the thread (for THREAD_EXIT).
    pub kernel_tid: u64,
    /// libposix's own: two words its entry stubs save registers in before
    /// they have a stack.
    pub scratch: [u64; 2],
    /// libposix: the thread's blocked mask.
    pub blocked: u64,
    /// mm0 sets, libposix takes: signals sent to this thread (tgkill).
    pub pending: u64,
    /// mm0 sets to 1 when it wrote `interrupted` and redirected the thread
    /// to libposix's signal entry; libposix clears it once it copied them.
    /// While it is set mm0 redirects the thread no further.
    pub redirected: u64,
    pub interrupted: InterruptedRegs,
    /// A fault mm0 turned into a signal for this thread: the signal (0:
    /// none), its `si_code` and `si_addr`.
    pub fault_signal: u64,
    pub fault_code: u64,
    pub fault_addr: u64,
}

/// The signal area of one process.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SignalArea {
    /// libposix: signals with a handler.
    pub handled: u64,
    /// libposix: signals set to SIG_IGN.
    pub ignored: u64,
    /// mm0 sets, libposix takes: signals sent to the process.
    pub pending: u64,
    /// libposix: the address of its signal entry (mm0 redirects threads
    /// there; it checks that the address lies in libposix's code).
    pub entry: u64,
    /// libposix: 1 when SIGCHLD's action has SA_NOCLDSTOP (no SIGCHLD
    /// when a child stops or continues).
    pub no_child_stop: u64,
    /// mm0 sets when it makes a signal pending: where signal `n` came
    /// from ([`Origin`] words, index `n - 1`).
    pub origin: [u64; SIGRTMAX as usize],
    pub threads: [ThreadSignals; THREAD_SLOTS],
}

/// The address of thread slot `i` (its GS base).
pub const fn slot_address(i: usize) -> u64 {
    SIGNAL_AREA + offset::thread(i, 0)
}

/// Bytes the area takes, rounded up to whole pages.
pub const SIGNAL_AREA_SIZE: u64 = (size_of::<SignalArea>() as u64).next_multiple_of(abi::PAGE_SIZE);
// Every process's area is backed from its start: keep it small.
const _: () = assert!(SIGNAL_AREA_SIZE <= 5 * abi::PAGE_SIZE);

/// Byte offsets of the fields mm0 reads and writes.
pub mod offset {
    use super::{SignalArea, ThreadSignals};
    use core::mem::offset_of;

    pub const HANDLED: u64 = offset_of!(SignalArea, handled) as u64;
    pub const IGNORED: u64 = offset_of!(SignalArea, ignored) as u64;
    pub const PENDING: u64 = offset_of!(SignalArea, pending) as u64;
    pub const ENTRY: u64 = offset_of!(SignalArea, entry) as u64;
    pub const NO_CHILD_STOP: u64 = offset_of!(SignalArea, no_child_stop) as u64;

    /// Offset of the [`super::Origin`] word of signal `sig`.
    pub const fn origin(sig: u32) -> u64 {
        (offset_of!(SignalArea, origin) + (sig as usize - 1) * 8) as u64
    }

    /// Offset of thread slot `i`'s field at `field` (an offset within
    /// [`ThreadSignals`]).
    pub const fn thread(i: usize, field: u64) -> u64 {
        (offset_of!(SignalArea, threads) + i * size_of::<ThreadSignals>()) as u64 + field
    }
    pub const BLOCKED: u64 = offset_of!(ThreadSignals, blocked) as u64;
    pub const THREAD_PENDING: u64 = offset_of!(ThreadSignals, pending) as u64;
    pub const REDIRECTED: u64 = offset_of!(ThreadSignals, redirected) as u64;
    pub const INTERRUPTED: u64 = offset_of!(ThreadSignals, interrupted) as u64;
    pub const FAULT_SIGNAL: u64 = offset_of!(ThreadSignals, fault_signal) as u64;
    pub const FAULT_CODE: u64 = offset_of!(ThreadSignals, fault_code) as u64;
    pub const FAULT_ADDR: u64 = offset_of!(ThreadSignals, fault_addr) as u64;
    pub const INDEX: u64 = offset_of!(ThreadSignals, index) as u64;
    pub const TID: u64 = offset_of!(ThreadSignals, tid) as u64;
    pub const KERNEL_TID: u64 = offset_of!(ThreadSignals, kernel_tid) as u64;
    pub const SCRATCH: u64 = offset_of!(ThreadSignals, scratch) as u64;
}

/// `si_code` values mm0 reports for faults.
pub mod code {
    /// SIGSEGV: no mapping at the address.
    pub const SEGV_MAPERR: u64 = 1;
    /// SIGSEGV: a mapping that does not allow the access.
    pub const SEGV_ACCERR: u64 = 2;
    /// SIGBUS: no memory for the page (Linux's BUS_ADRERR).
    pub const BUS_ADRERR: u64 = 2;
    /// Signals from the CPU otherwise: "sent by the kernel".
    pub const SI_KERNEL: u64 = 0x80;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_actions_are_linux_s() {
        assert_eq!(DefaultAction::of(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(DefaultAction::of(SIGTSTP), DefaultAction::Stop);
        assert_eq!(DefaultAction::of(SIGCONT), DefaultAction::Continue);
        assert_eq!(DefaultAction::of(SIGUSR1), DefaultAction::Terminate);
        assert_eq!(DefaultAction::of(SIGRTMAX), DefaultAction::Terminate);
    }

    #[test]
    fn the_area_fits_its_pages() {
        assert!(size_of::<SignalArea>() as u64 <= SIGNAL_AREA_SIZE);
        assert_eq!(offset::thread(1, 0) - offset::thread(0, 0), size_of::<ThreadSignals>() as u64);
        assert_eq!(bit(SIGHUP), 1);
        assert_eq!(bit(SIGRTMAX), 1 << 63);
    }

    #[test]
    fn origins_round_trip() {
        let o = Origin { pid: 4_000_000_000, code: cld::STOPPED, status: 255 };
        assert_eq!(Origin::from_word(o.to_word()), o);
        assert_eq!(Origin::from_word(0), Origin::default());
        assert_eq!(offset::origin(2) - offset::origin(1), 8);
    }
}
