//! Device access: IRQ lines and I/O ports.
//!
//! An IRQ line bound to a notification masks itself when it fires and
//! signals the notification; the driver handles the device, then calls
//! [`irq_ack`]. [`ioport_enable`] opens a port capability's range to `in` and
//! `out` instructions of this task.

use abi::{Call, Error};

use crate::syscall::call6;

/// Delivers IRQ `irq` as `bits` on `notification`.
pub fn irq_bind(irq: u64, notification: u64, bits: u64) -> Result<(), Error> {
    call6(Call::IrqBind, [irq, notification, bits, 0, 0, 0]).map(|_| ())
}

/// Unmasks the line after the interrupt was handled.
pub fn irq_ack(irq: u64) -> Result<(), Error> {
    call6(Call::IrqAck, [irq, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Allows `in`/`out` on the ports of the capability in `ports`.
pub fn ioport_enable(ports: u64) -> Result<(), Error> {
    call6(Call::IoPortEnable, [ports, 0, 0, 0, 0, 0]).map(|_| ())
}
