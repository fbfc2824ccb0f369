//! Notifications: a word of event bits, signalled without blocking and
//! waited for by one thread (IRQs arrive this way too).

use abi::{Call, Error, MsgInfo};

use crate::syscall::call6;

/// ORs `bits` into the notification word.
pub fn signal(notification: u64, bits: u64) -> Result<(), Error> {
    call6(Call::NotifySignal, [notification, bits, 0, 0, 0, 0]).map(|_| ())
}

/// Waits until the word is non-zero, then takes (and clears) it.
pub fn wait(notification: u64) -> Result<u64, Error> {
    call6(Call::NotifyWait, [notification, 0, 0, 0, 0, 0]).map(|r| r[0])
}

/// Takes the word if it is non-zero, else fails with `WouldBlock`.
pub fn poll(notification: u64) -> Result<u64, Error> {
    call6(Call::NotifyWait, [notification, MsgInfo::NONBLOCK, 0, 0, 0, 0]).map(|r| r[0])
}

/// Like [`wait`], but gives up with `TimedOut` at `deadline` (nanoseconds
/// since boot, as [`crate::time::clock`] counts).
pub fn wait_until(notification: u64, deadline: u64) -> Result<u64, Error> {
    call6(Call::NotifyWait, [notification, 0, deadline, 0, 0, 0]).map(|r| r[0])
}

/// Binds `notification` to the thread behind capability `thread` (or
/// unbinds it with `abi::call::NONE`): that thread's endpoint receives then
/// also return the notification's signals (label `LABEL_NOTIFICATION`).
pub fn bind(notification: u64, thread: u64) -> Result<(), Error> {
    call6(Call::NotificationBind, [notification, thread, 0, 0, 0, 0]).map(|_| ())
}

/// Signals `bits` on `notification` at `deadline` (ns since boot); a new
/// call replaces the timer, deadline 0 cancels it.
pub fn set_timer(notification: u64, deadline: u64, bits: u64) -> Result<(), Error> {
    call6(Call::TimerSet, [notification, deadline, bits, 0, 0, 0]).map(|_| ())
}
