//! Clocks, sleeping and timers: clock_gettime, clock_getres, gettimeofday,
//! time, nanosleep, clock_nanosleep, sched_yield, alarm, setitimer,
//! getitimer (mm0's ITIMER: SIGALRM comes from mm0's timer).
//!
//! The monotonic clocks are the kernel's clock (ns since boot, from the
//! TSC). The real-time clocks add mm0's offset to UTC, read from the CMOS
//! clock at boot, asked once per process and kept. Tern measures no CPU
//! time per process or thread yet, so the CPU-time clocks are EINVAL, as
//! for a clock that does not exist, rather than a made-up value.
//!
//! A sleep waits on the process's own notification with a deadline (the
//! kernel's 1 ms tick ends it), so it costs no server call; a signal to
//! handle ends it early with EINTR (mm0 signals the notification).

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use abi::Error;
use fs0_proto::errno::{EFAULT, EINTR, EINVAL};
use libtern_sys::{notify, time};
use mm0_proto::{SLOT_MM0, label};

use crate::syscalls::{Args, SysResult};
use crate::user;
use crate::{server, signal};

const NS_PER_SEC: u64 = 1_000_000_000;

/// Linux clock ids.
mod clock {
    pub const REALTIME: u64 = 0;
    pub const MONOTONIC: u64 = 1;
    pub const MONOTONIC_RAW: u64 = 4;
    pub const REALTIME_COARSE: u64 = 5;
    pub const MONOTONIC_COARSE: u64 = 6;
    pub const BOOTTIME: u64 = 7;
    pub const TAI: u64 = 11;
}

/// clock_nanosleep flag: the time is a deadline, not a duration.
const TIMER_ABSTIME: u64 = 1;

/// `struct timespec`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

impl Timespec {
    pub fn from_ns(ns: u64) -> Timespec {
        Timespec { sec: (ns / NS_PER_SEC) as i64, nsec: (ns % NS_PER_SEC) as i64 }
    }

    /// Nanoseconds, or EINVAL for a negative or malformed value.
    pub fn to_ns(self) -> Result<u64, u32> {
        if self.sec < 0 || !(0..NS_PER_SEC as i64).contains(&self.nsec) {
            return Err(EINVAL);
        }
        Ok((self.sec as u64).saturating_mul(NS_PER_SEC).saturating_add(self.nsec as u64))
    }
}

/// `struct timeval`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Timeval {
    pub sec: i64,
    pub usec: i64,
}

static OFFSET_KNOWN: AtomicBool = AtomicBool::new(false);
static REALTIME_OFFSET: AtomicU64 = AtomicU64::new(0);

/// Nanoseconds from the kernel clock to UTC.
fn realtime_offset() -> Result<u64, u32> {
    if !OFFSET_KNOWN.load(Ordering::Acquire) {
        let reply = server::call(SLOT_MM0, label::REALTIME_OFFSET, &[], &[])?;
        REALTIME_OFFSET.store(reply.word(0), Ordering::Relaxed);
        OFFSET_KNOWN.store(true, Ordering::Release);
    }
    Ok(REALTIME_OFFSET.load(Ordering::Relaxed))
}

/// Nanoseconds since the epoch, UTC.
fn realtime_ns() -> Result<u64, u32> {
    Ok(time::now_ns() + realtime_offset()?)
}

/// The kernel-clock time of UTC time `ns` (at least 1: 0 is "no
/// deadline" to the kernel).
pub fn realtime_to_monotonic(ns: u64) -> u64 {
    ns.saturating_sub(realtime_offset().unwrap_or(0)).max(1)
}

/// Whether `id` is a real-time clock (else monotonic); EINVAL for clocks
/// libposix does not have.
fn is_realtime(id: u64) -> Result<bool, u32> {
    match id {
        clock::REALTIME | clock::REALTIME_COARSE | clock::TAI => Ok(true),
        clock::MONOTONIC | clock::MONOTONIC_RAW | clock::MONOTONIC_COARSE | clock::BOOTTIME => Ok(false),
        _ => Err(EINVAL),
    }
}

fn now(id: u64) -> Result<u64, u32> {
    if is_realtime(id)? { realtime_ns() } else { Ok(time::now_ns()) }
}

/// clock_gettime(clock, ts)
pub fn clock_gettime(args: &Args) -> SysResult {
    let ns = now(args[0])?;
    user::write(args[1], Timespec::from_ns(ns)).map(|()| 0)
}

/// clock_getres(clock, res): the clocks count nanoseconds.
pub fn clock_getres(args: &Args) -> SysResult {
    is_realtime(args[0])?;
    if args[1] != 0 {
        user::write(args[1], Timespec::from_ns(1))?;
    }
    Ok(0)
}

/// gettimeofday(tv, tz): the time zone is always UTC.
pub fn gettimeofday(args: &Args) -> SysResult {
    let [tv, tz, ..] = *args;
    if tv != 0 {
        let ns = realtime_ns()?;
        let value = Timeval { sec: (ns / NS_PER_SEC) as i64, usec: ((ns % NS_PER_SEC) / 1000) as i64 };
        user::write(tv, value)?;
    }
    if tz != 0 {
        user::write(tz, [0u32; 2])?;
    }
    Ok(0)
}

/// time(tloc)
pub fn time(args: &Args) -> SysResult {
    let seconds = realtime_ns()? / NS_PER_SEC;
    if args[0] != 0 {
        user::write(args[0], seconds)?;
    }
    Ok(seconds)
}

/// sched_yield()
pub fn sched_yield(_args: &Args) -> SysResult {
    time::yield_now();
    Ok(0)
}

/// Sleeps until the kernel clock reads `deadline`, or EINTR when a signal
/// is to be delivered first (mm0 signals the notification when it makes
/// one pending, also before the sleep began).
fn sleep_until(deadline: u64) -> Result<(), u32> {
    loop {
        if signal::deliverable() {
            return Err(EINTR);
        }
        match notify::wait_until(crate::thread::own_notification(), deadline) {
            Err(Error::TimedOut) => return Ok(()),
            // Woken (a signal, or stopped and continued): look again.
            Ok(_) | Err(Error::Interrupted) => continue,
            Err(Error::BadAddress) => return Err(EFAULT),
            Err(_) => return Err(EINVAL),
        }
    }
}

/// Writes what is left of a sleep until `deadline` to `rem` (if not null).
fn write_remaining(rem: u64, deadline: u64) -> Result<(), u32> {
    if rem == 0 {
        return Ok(());
    }
    user::write(rem, Timespec::from_ns(deadline.saturating_sub(time::now_ns())))
}

/// Sleeps `ns` nanoseconds, or EINTR when a signal is to be delivered.
pub fn sleep_for(ns: u64) -> Result<(), u32> {
    sleep_until(time::now_ns().saturating_add(ns))
}

/// Reads a `struct timespec` argument as nanoseconds.
fn read_timespec(ptr: u64) -> Result<u64, u32> {
    user::read::<Timespec>(ptr)?.to_ns()
}

/// nanosleep(req, rem): EINTR with the time left in `rem` when a signal
/// handler is to run.
pub fn nanosleep(args: &Args) -> SysResult {
    let duration = read_timespec(args[0])?;
    let deadline = time::now_ns().saturating_add(duration);
    match sleep_until(deadline) {
        Err(EINTR) => write_remaining(args[1], deadline).and(Err(EINTR)),
        other => other.map(|()| 0),
    }
}

/// clock_nanosleep(clock, flags, req, rem): errors are returned, not set
/// in errno (the C library turns the negative value into the result).
pub fn clock_nanosleep(args: &Args) -> SysResult {
    let [id, flags, req, ..] = *args;
    if flags & !TIMER_ABSTIME != 0 {
        return Err(EINVAL);
    }
    let realtime = is_realtime(id)?;
    let time = read_timespec(req)?;
    let deadline = if flags & TIMER_ABSTIME == 0 {
        time::now_ns().saturating_add(time)
    } else if realtime {
        realtime_to_monotonic(time)
    } else {
        time.max(1)
    };
    match sleep_until(deadline) {
        Err(EINTR) if flags & TIMER_ABSTIME == 0 => write_remaining(args[3], deadline).and(Err(EINTR)),
        other => other.map(|()| 0),
    }
}

/// `struct itimerval`.
#[repr(C)]
#[derive(Clone, Copy)]
struct Itimerval {
    interval: Timeval,
    value: Timeval,
}

fn timeval_ns(t: Timeval) -> Result<u64, u32> {
    if t.sec < 0 || !(0..1_000_000).contains(&t.usec) {
        return Err(EINVAL);
    }
    Ok((t.sec as u64).saturating_mul(NS_PER_SEC).saturating_add(t.usec as u64 * 1000))
}

fn ns_timeval(ns: u64) -> Timeval {
    // Round up, so that a timer about to fire never reads as disarmed.
    let us = ns.div_ceil(1000);
    Timeval { sec: (us / 1_000_000) as i64, usec: (us % 1_000_000) as i64 }
}

/// mm0's ITIMER: (old value, old interval) in ns.
fn itimer(which: u64, set: bool, value: u64, interval: u64) -> Result<(u64, u64), u32> {
    let reply = server::call(SLOT_MM0, label::ITIMER, &[which, u64::from(set), value, interval], &[])?;
    Ok((reply.word(0), reply.word(1)))
}

/// setitimer(which, new, old)
pub fn setitimer(args: &Args) -> SysResult {
    let [which, new, old, ..] = *args;
    let new = user::read::<Itimerval>(new)?;
    let (value, interval) = (timeval_ns(new.value)?, timeval_ns(new.interval)?);
    if old != 0 {
        user::check_range(old, size_of::<Itimerval>() as u64)?;
    }
    let (old_value, old_interval) = itimer(which, true, value, interval)?;
    if old != 0 {
        user::write(old, Itimerval { interval: ns_timeval(old_interval), value: ns_timeval(old_value) })?;
    }
    Ok(0)
}

/// getitimer(which, value)
pub fn getitimer(args: &Args) -> SysResult {
    user::check_range(args[1], size_of::<Itimerval>() as u64)?;
    let (value, interval) = itimer(args[0], false, 0, 0)?;
    user::write(args[1], Itimerval { interval: ns_timeval(interval), value: ns_timeval(value) }).map(|()| 0)
}

/// alarm(seconds): returns the seconds left of the previous alarm, rounded
/// up (0 for none).
pub fn alarm(args: &Args) -> SysResult {
    let seconds = u64::from(args[0] as u32);
    let (old, _) = itimer(0, true, seconds.saturating_mul(NS_PER_SEC), 0)?;
    Ok(old.div_ceil(NS_PER_SEC))
}
