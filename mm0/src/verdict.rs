//! The end of a test or benchmark run: when every task mm0 started (fs0
//! aside) has ended, mm0 asks fs0 to write back and unmount the disk (see
//! [`crate::power`]); when fs0 has ended too, print
//! `tests: done` and leave QEMU through the isa-debug-exit device (port
//! 0xf4) with 0x10 if every task ended with the status it was expected to
//! (native tasks: 0; POSIX programs: `expect=N`, else anything) and 0x11
//! otherwise. In `mode=run` nothing happens.

use libtern::{device, println};
use mm0::cmdline::Mode;

/// The isa-debug-exit port.
const DEBUG_EXIT_PORT: u16 = 0xf4;
/// Written to the port when everything passed (QEMU exits with 33).
pub const ALL_PASSED: u8 = 0x10;
/// Written when something failed (QEMU exits with 35).
pub const SOME_FAILED: u8 = 0x11;

pub struct Verdict {
    mode: Mode,
    running: usize,
    failed: bool,
}

impl Verdict {
    /// Prepares the run's end: in test and bench mode, opens the exit port
    /// and makes a panic of mm0 end the run as a failure.
    pub fn new(mode: Mode) -> Verdict {
        if mode != Mode::Run {
            if let Err(e) = device::ioport_enable(abi::boot::SLOT_IOPORTS) {
                println!("mm0: cannot enable I/O ports, QEMU will not exit: {e:?}");
            }
            libtern::rt::set_exit_hook(exit_hook);
        }
        Verdict { mode, running: 0, failed: false }
    }

    /// Whether this is a test run (mm0 checks its bookkeeping as it goes).
    pub fn is_testing(&self) -> bool {
        self.mode == Mode::Test
    }

    /// mm0 found its own bookkeeping wrong: the run fails.
    pub fn broken_invariant(&mut self) {
        self.failed = true;
    }

    /// A task that counts was started.
    pub fn started(&mut self) {
        self.running += 1;
    }

    /// A task that should have run could not start.
    pub fn failed_to_start(&mut self) {
        self.failed = true;
    }

    /// A counted task ended with `status`.
    pub fn ended(&mut self, name: &str, expected: Option<i64>, status: i64) {
        self.running = self.running.saturating_sub(1);
        if let Some(want) = expected
            && want != status
        {
            println!("mm0: {name}: expected exit status {want}, got {status}");
            self.failed = true;
        }
    }

    /// Whether a test or bench run has nothing left to wait for.
    pub fn is_over(&self) -> bool {
        self.ends_runs() && self.running == 0
    }

    /// Whether this is a test or bench run, which ends with a verdict.
    pub fn ends_runs(&self) -> bool {
        self.mode != Mode::Run
    }

    /// Ends the run.
    pub fn finish(&self) -> ! {
        println!("tests: done");
        exit_qemu(if self.failed { SOME_FAILED } else { ALL_PASSED })
    }
}

/// mm0 itself stopped (a panic): in test and bench mode the run fails now
/// rather than at its timeout.
fn exit_hook(status: i32) -> ! {
    println!("mm0: ending the run after mm0 stopped with status {status}");
    exit_qemu(SOME_FAILED)
}

/// Writes `code` to isa-debug-exit; QEMU exits with `code * 2 + 1`.
fn exit_qemu(code: u8) -> ! {
    // mm0 enabled all ports for itself (Verdict::new).
    libtern::device::outb(DEBUG_EXIT_PORT, code);
    println!("mm0: QEMU did not exit (no isa-debug-exit device?); parking");
    loop {
        libtern::time::yield_now();
    }
}
