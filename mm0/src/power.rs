//! Stopping the machine: at the end of a test or bench run, and on
//! reboot(2) (poweroff, reboot, halt).
//!
//! Either way fs0 goes first: mm0 sends it the process event SHUTDOWN, fs0
//! writes everything back, unmounts the disk and ends, and only when it
//! has does mm0 stop the machine ([`Mm0::finish_stop`]). Then:
//! - a test or bench run ends through isa-debug-exit with its verdict
//!   (also when a program powers off, as a shell's `poweroff` does);
//! - otherwise power-off is ACPI's soft-off (S5) through the PM1a control
//!   register at port 0x604, where the firmware of QEMU's PC machines puts
//!   it (PM base 0x600; S5 is sleep type 0), then isa-debug-exit; a
//!   restart is the reset control register (0xcf9), then the keyboard
//!   controller's reset line; a halt just stops.

use libtern::ipc::Message;
use libtern::{device, println, time};
use mm0_proto::{errno, reboot};

use crate::ports::enable_ports;
use crate::server::{Mm0, fail};

/// How the machine stops once fs0 has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The test or bench run is over: isa-debug-exit with the verdict.
    EndOfRun,
    PowerOff,
    Restart,
    Halt,
}

/// ACPI PM1a control register and its "sleep now, S5" value.
const PM1A_CONTROL: u16 = 0x604;
const SLEEP_S5: u16 = 1 << 13;
/// Reset control register and its "hard reset now" value.
const RESET_CONTROL: u16 = 0xcf9;
const HARD_RESET: u8 = 0x06;
/// The keyboard controller's command port and "pulse the reset line".
const KBC_COMMAND: u16 = 0x64;
const KBC_RESET: u8 = 0xfe;
/// isa-debug-exit, and what a power-off writes to it (QEMU exits with 1).
const DEBUG_EXIT: u16 = 0xf4;
/// How long a power-off or reset may take to act before the next way is
/// tried.
const SETTLE_NS: u64 = 500_000_000;

/// Waits [`SETTLE_NS`], giving the CPU away.
fn settle() {
    let until = time::now_ns() + SETTLE_NS;
    while time::now_ns() < until {
        time::yield_now();
    }
}

impl Mm0 {
    /// REBOOT (how): stops the machine (fs0 first). No reply: the caller
    /// waits until everything stops.
    pub fn reboot(&mut self, how: u64) -> Option<Message> {
        let stop = match how {
            reboot::POWER_OFF => Stop::PowerOff,
            reboot::RESTART => Stop::Restart,
            reboot::HALT => Stop::Halt,
            _ => return fail(errno::EINVAL),
        };
        println!(
            "mm0: {}",
            match stop {
                Stop::Restart => "restarting",
                Stop::Halt => "halting",
                _ => "powering off",
            }
        );
        // The caller waits for the end: its reply is kept, never sent.
        if let Err(e) = libtern::grant::save_reply() {
            println!("mm0: keeping the reboot caller waiting failed: {e:?}");
        }
        self.stop(stop);
        None
    }

    /// Stops the machine `how`, once fs0 has unmounted and ended.
    pub fn stop(&mut self, how: Stop) {
        if self.stopping.is_some() {
            return;
        }
        self.stopping = Some(how);
        if self.fs0_events.task == 0 {
            // No file server to wait for.
            self.finish_stop();
        } else {
            self.fs0_event(mm0_proto::event::SHUTDOWN, 0, 0);
        }
    }

    /// fs0 has ended: stop the machine as asked.
    pub fn finish_stop(&self) {
        let Some(how) = self.stopping else { return };
        if how == Stop::EndOfRun || (self.verdict.ends_runs() && how == Stop::PowerOff) {
            self.verdict.finish();
        }
        match how {
            Stop::PowerOff | Stop::EndOfRun => {
                if enable_ports(PM1A_CONTROL, PM1A_CONTROL + 1).is_ok() {
                    device::outw(PM1A_CONTROL, SLEEP_S5);
                    // The machine goes off a moment after the write.
                    settle();
                }
                if enable_ports(DEBUG_EXIT, DEBUG_EXIT).is_ok() {
                    device::outb(DEBUG_EXIT, 0);
                }
                println!("mm0: the machine did not power off; it is safe to turn it off now");
            }
            Stop::Restart => {
                if enable_ports(RESET_CONTROL, RESET_CONTROL).is_ok() {
                    device::outb(RESET_CONTROL, HARD_RESET);
                    settle();
                }
                if enable_ports(KBC_COMMAND, KBC_COMMAND).is_ok() {
                    device::outb(KBC_COMMAND, KBC_RESET);
                }
                println!("mm0: the machine did not restart; it is safe to turn it off now");
            }
            Stop::Halt => println!("mm0: halted; it is safe to turn the machine off now"),
        }
        loop {
            time::yield_now();
        }
    }
}
