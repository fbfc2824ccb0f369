//! Events a server waits for besides messages: a notification timer that
//! fires at its deadline, and a notification bound to a thread, which ends
//! that thread's receive on an endpoint.

use alloc::format;

use abi::ipc::LABEL_NOTIFICATION;
use libtern::mm0::Outcome as ThreadOutcome;
use libtern::{ipc, notify, thread, time};
use mm0_proto::{SLOT_TEST_ENDPOINT, SLOT_TEST_NOTIFICATION};

use crate::ensure;
use crate::report::Outcome;

const TIMER_BITS: u64 = 0x100;
const DELAY_NS: u64 = 10_000_000;

fn now() -> Result<u64, alloc::string::String> {
    time::clock().map(|(ns, _)| ns).map_err(|e| format!("Clock failed: {e:?}"))
}

/// A timer signals its notification once its deadline has passed, and a
/// cancelled timer does not.
pub fn notification_timer() -> Outcome {
    let _ = notify::poll(SLOT_TEST_NOTIFICATION);
    let start = now()?;
    notify::set_timer(SLOT_TEST_NOTIFICATION, start + DELAY_NS, TIMER_BITS)
        .map_err(|e| format!("TimerSet failed: {e:?}"))?;
    let bits = notify::wait(SLOT_TEST_NOTIFICATION).map_err(|e| format!("NotifyWait failed: {e:?}"))?;
    let waited = now()? - start;
    ensure!(bits == TIMER_BITS, "the timer signalled {bits:#x}");
    ensure!(waited >= DELAY_NS, "the timer fired after {waited} ns, before its deadline");
    notify::set_timer(SLOT_TEST_NOTIFICATION, now()? + DELAY_NS, TIMER_BITS)
        .map_err(|e| format!("TimerSet failed: {e:?}"))?;
    notify::set_timer(SLOT_TEST_NOTIFICATION, 0, 0).map_err(|e| format!("cancelling failed: {e:?}"))?;
    let after = notify::wait_until(SLOT_TEST_NOTIFICATION, now()? + 3 * DELAY_NS);
    ensure!(after == Err(abi::Error::TimedOut), "a cancelled timer still gave {after:?}");
    Ok(())
}

/// A thread receiving on an endpoint returns with the bits of its bound
/// notification when that is signalled.
pub fn bound_notification() -> Outcome {
    let _ = notify::poll(SLOT_TEST_NOTIFICATION);
    let receiver = thread::spawn(|| match ipc::recv(SLOT_TEST_ENDPOINT) {
        Ok(r) if r.msg.label() == LABEL_NOTIFICATION => r.msg.word(0),
        _ => 0,
    })
    .map_err(|e| format!("THREAD_SPAWN failed: {e:?}"))?;
    notify::bind(SLOT_TEST_NOTIFICATION, receiver.cap()).map_err(|e| format!("NotificationBind failed: {e:?}"))?;
    // Let the receiver block in its receive before the signal.
    for _ in 0..10 {
        time::yield_now();
    }
    notify::signal(SLOT_TEST_NOTIFICATION, 0x2a).map_err(|e| format!("NotifySignal failed: {e:?}"))?;
    let outcome = receiver.join().map_err(|e| format!("THREAD_JOIN failed: {e:?}"))?;
    notify::bind(SLOT_TEST_NOTIFICATION, abi::call::NONE).map_err(|e| format!("unbinding failed: {e:?}"))?;
    ensure!(outcome == ThreadOutcome::Exited(0x2a), "the bound receiver ended as {outcome:?}");
    Ok(())
}
