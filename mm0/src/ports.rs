//! The I/O ports mm0 uses itself (the CMOS clock, PCI configuration
//! space, power-off and reset): each time a copy of its all-ports
//! capability narrowed to just those ports, so that a stray access faults.

use abi::boot::SLOT_IOPORTS;
use libtern::{cap, device};

/// Allows mm0 ports `first..=last`.
pub fn enable_ports(first: u16, last: u16) -> Result<(), abi::Error> {
    let range = u64::from(first) | u64::from(last) << 16;
    cap::identify(SLOT_IOPORTS)
        .and_then(|held| cap::derive(SLOT_IOPORTS, held.rights, range))
        .and_then(device::ioport_enable)
}
