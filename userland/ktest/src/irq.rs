//! IRQ delivery: IRQ 0, bound to ktest's notification, arrives as the bound
//! bit after the PIT is programmed for one interrupt, and can be acked.
//!
//! The PIT may have raised IRQ 0 before (the firmware leaves it ticking),
//! and the PIC remembers an edge even while the line is masked: so the PIT
//! is stopped first, a stale interrupt delivered by the bind is taken and
//! acknowledged, and only then is the one interrupt under test started.

use alloc::format;

use libtern::{device, notify, time};
use mm0_proto::{SLOT_IRQ0, SLOT_PIT_PORTS, SLOT_TEST_NOTIFICATION};

use crate::report::Outcome;
use crate::{ensure, pit};

/// The bit IRQ 0 sets.
const IRQ_BIT: u64 = 1;
/// PIT ticks until the interrupt (about 10 ms).
const COUNT: u16 = (pit::HZ / 100) as u16;
/// How long to wait for it, in seconds.
const PATIENCE_S: u64 = 2;

pub fn delivery(tsc_hz: u64) -> Outcome {
    device::ioport_enable(SLOT_PIT_PORTS).map_err(|e| format!("IoPortEnable failed: {e:?}"))?;
    pit::stop();
    // Forget stale bits (the IPC tests use the same notification).
    let _ = notify::poll(SLOT_TEST_NOTIFICATION);
    device::irq_bind(SLOT_IRQ0, SLOT_TEST_NOTIFICATION, IRQ_BIT).map_err(|e| format!("IrqBind failed: {e:?}"))?;
    time::yield_now();
    if notify::poll(SLOT_TEST_NOTIFICATION).is_ok() {
        device::irq_ack(SLOT_IRQ0).map_err(|e| format!("IrqAck of a stale IRQ failed: {e:?}"))?;
    }
    pit::start(COUNT);
    let start = time::rdtsc();
    let bits = loop {
        match notify::poll(SLOT_TEST_NOTIFICATION) {
            Ok(bits) => break bits,
            Err(abi::Error::WouldBlock) => {}
            Err(e) => return Err(format!("NotifyWait failed: {e:?}")),
        }
        ensure!(time::rdtsc() - start < PATIENCE_S * tsc_hz.max(1), "no IRQ 0 within {PATIENCE_S} s");
        time::yield_now();
    };
    ensure!(bits & IRQ_BIT != 0, "notification bits {bits:#x} lack the IRQ bit {IRQ_BIT:#x}");
    device::irq_ack(SLOT_IRQ0).map_err(|e| format!("IrqAck failed: {e:?}"))?;
    Ok(())
}
