//! Device interrupts as notifications.
//!
//! A line bound to a notification is masked when it fires and the
//! notification is signalled; the driver unmasks it with `IrqAck` once it
//! has dealt with the device.

use crate::apic;
use crate::arena::Id;
use crate::state::Kernel;

#[derive(Clone, Copy, Debug)]
pub struct IrqBinding {
    pub notification: Id,
    pub bits: u64,
}

impl Kernel {
    pub fn bind_irq(&mut self, line: u8, notification: Id, bits: u64) {
        self.irqs[line as usize] = Some(IrqBinding { notification, bits });
        apic::set_irq_masked(line, false);
    }

    pub fn ack_irq(&mut self, line: u8) {
        if self.irqs[line as usize].is_some() {
            apic::set_irq_masked(line, false);
        }
    }

    pub fn device_irq(&mut self, line: u8) {
        apic::set_irq_masked(line, true);
        apic::pic_eoi(line);
        if let Some(b) = self.irqs[line as usize] {
            self.signal(b.notification, b.bits);
        }
    }
}
