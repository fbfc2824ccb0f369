//! I/O ports: without a port capability enabled, `in` faults (#GP); with
//! the PIT capability (ports 0x40..=0x43) enabled, the PIT's ports work and
//! every other port still faults.

use alloc::format;

use libtern::device;
use libtern::mm0::Outcome;
use mm0_proto::SLOT_PIT_PORTS;

use crate::report::Outcome as Verdict;
use crate::{ensure, pit, probe};

const GENERAL_PROTECTION: u64 = 13;
/// The PS/2 controller's data port: nobody gave ktest a capability for it.
const KEYBOARD_DATA: u16 = 0x60;

pub fn denied_without_capability() -> Verdict {
    keyboard_port_faults()
}

/// After enabling the PIT's ports, a port outside them still faults.
pub fn others_stay_closed() -> Verdict {
    keyboard_port_faults()
}

fn keyboard_port_faults() -> Verdict {
    let outcome = probe::outcome_of(|| u64::from(libtern::device::inb(KEYBOARD_DATA)))?;
    ensure!(
        matches!(outcome, Outcome::Faulted { vector: GENERAL_PROTECTION, .. }),
        "`in al, {KEYBOARD_DATA:#x}` ended as {outcome:?}, not #GP"
    );
    Ok(())
}

pub fn allowed_with_capability() -> Verdict {
    device::ioport_enable(SLOT_PIT_PORTS).map_err(|e| format!("IoPortEnable failed: {e:?}"))?;
    // In a thread of its own, so a wrongly refused port faults only there.
    let outcome = probe::outcome_of(|| u64::from(pit::read_count()))?;
    ensure!(matches!(outcome, Outcome::Exited(_)), "PIT access with the capability ended as {outcome:?}");
    Ok(())
}
