//! poll and ppoll over the descriptors libposix knows.
//!
//! Every open descriptor is the console so far, and the console is always
//! writable; reading from it is not implemented yet, so it never becomes
//! readable. poll therefore answers at once when something is ready (or
//! the timeout is 0), and otherwise sleeps out its timeout: nothing that
//! could become ready exists yet. A signal to handle ends the wait with
//! EINTR, as on Linux. Once fs0 serves input and pipes, readiness comes
//! from fs0.

use crate::syscalls::{Args, SysResult};
use crate::{fd, signal, user};
use fs0_proto::errno::{EINTR, EINVAL};

/// poll event bits.
const POLLOUT: u16 = 0x004;
const POLLNVAL: u16 = 0x020;
const POLLWRNORM: u16 = 0x100;

/// Most descriptors one poll may name (Linux's RLIMIT_NOFILE default).
const MAX_FDS: u64 = 1024;

/// `struct pollfd`.
#[repr(C)]
#[derive(Clone, Copy)]
struct PollFd {
    fd: i32,
    events: u16,
    revents: u16,
}

/// `struct timespec`.
#[repr(C)]
#[derive(Clone, Copy)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

/// Fills in `revents` of `fds` entries; returns how many are ready.
fn scan(fds: u64, count: u64) -> Result<u64, u32> {
    let mut ready = 0;
    for i in 0..count {
        let at = fds + i * size_of::<PollFd>() as u64;
        let mut p = user::read::<PollFd>(at)?;
        p.revents = if p.fd < 0 {
            0
        } else {
            match fd::handle(p.fd as u64) {
                Ok(_) => p.events & (POLLOUT | POLLWRNORM),
                Err(_) => POLLNVAL,
            }
        };
        if p.revents != 0 {
            ready += 1;
        }
        user::write(at, p)?;
    }
    Ok(ready)
}

/// Waits `timeout_ns` (`None`: for ever) unless a signal is to be
/// delivered first.
fn wait(timeout_ns: Option<u64>) -> SysResult {
    match timeout_ns {
        Some(ns) => match crate::time::sleep_for(ns) {
            Ok(()) => Ok(0),
            Err(e) => Err(e),
        },
        None => {
            signal::wait_for_signal();
            Err(EINTR)
        }
    }
}

fn poll_for(fds: u64, count: u64, timeout_ns: Option<u64>) -> SysResult {
    if count > MAX_FDS {
        return Err(EINVAL);
    }
    let ready = scan(fds, count)?;
    if ready > 0 || timeout_ns == Some(0) {
        return Ok(ready);
    }
    wait(timeout_ns)
}

/// poll(fds, nfds, timeout_ms)
pub fn poll(args: &Args) -> SysResult {
    let timeout = args[2] as i32;
    let timeout_ns = (timeout >= 0).then(|| u64::from(timeout as u32) * 1_000_000);
    poll_for(args[0], args[1], timeout_ns)
}

/// ppoll(fds, nfds, timeout, sigmask, sigsetsize): the signal mask is not
/// swapped in for the wait yet (EINVAL if one is given).
pub fn ppoll(args: &Args) -> SysResult {
    let [fds, count, timeout, sigmask, ..] = *args;
    if sigmask != 0 {
        return Err(EINVAL);
    }
    let timeout_ns = if timeout == 0 {
        None
    } else {
        let t = user::read::<Timespec>(timeout)?;
        if t.sec < 0 || !(0..1_000_000_000).contains(&t.nsec) {
            return Err(EINVAL);
        }
        Some((t.sec as u64).saturating_mul(1_000_000_000).saturating_add(t.nsec as u64))
    };
    poll_for(fds, count, timeout_ns)
}
