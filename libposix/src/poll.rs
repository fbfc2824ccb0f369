//! poll and ppoll: what each descriptor is ready for comes from fs0
//! (READY). When nothing is ready, poll looks again after a short sleep
//! (1 ms, doubling to 16 ms) until something is or the timeout passes: fs0
//! does not wake pollers itself yet. A signal to handle ends the wait with
//! EINTR, as on Linux.

use crate::syscalls::{Args, SysResult};
use crate::{server, time, user};
use fs0_proto::errno::{EBADF, EINVAL};
use fs0_proto::{label, ready};
use mm0_proto::SLOT_FS0;

/// poll event bits beyond fs0's READY bits.
const POLLNVAL: u16 = 0x020;
const POLLRDNORM: u16 = 0x040;
const POLLWRNORM: u16 = 0x100;
/// Reported whether asked for or not.
const ALWAYS: u16 = (ready::ERR | ready::HUP) as u16 | POLLNVAL;

/// The first and the longest pause between two looks.
const FIRST_PAUSE_NS: u64 = 1_000_000;
const LONGEST_PAUSE_NS: u64 = 16_000_000;

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

/// The poll bits of descriptor `fd` now.
fn ready_bits(fd: i32) -> u16 {
    match server::call(SLOT_FS0, label::READY, &[u64::from(fd as u32)], &[]) {
        Ok(reply) => {
            let bits = reply.word(0) as u16;
            let mut r = bits;
            if bits & ready::IN as u16 != 0 {
                r |= POLLRDNORM;
            }
            if bits & ready::OUT as u16 != 0 {
                r |= POLLWRNORM;
            }
            r
        }
        Err(EBADF) => POLLNVAL,
        Err(_) => ready::ERR as u16,
    }
}

/// Fills in `revents` of `fds` entries; returns how many are ready.
fn scan(fds: u64, count: u64) -> Result<u64, u32> {
    let mut ready = 0;
    for i in 0..count {
        let at = fds + i * size_of::<PollFd>() as u64;
        let mut p = user::read::<PollFd>(at)?;
        p.revents = if p.fd < 0 { 0 } else { ready_bits(p.fd) & (p.events | ALWAYS) };
        if p.revents != 0 {
            ready += 1;
        }
        user::write(at, p)?;
    }
    Ok(ready)
}

fn poll_for(fds: u64, count: u64, timeout_ns: Option<u64>) -> SysResult {
    if count > MAX_FDS {
        return Err(EINVAL);
    }
    user::check_range(fds, count * size_of::<PollFd>() as u64)?;
    let deadline = timeout_ns.map(|t| time::monotonic_ns().saturating_add(t));
    let mut pause = FIRST_PAUSE_NS;
    loop {
        let ready = scan(fds, count)?;
        if ready > 0 {
            return Ok(ready);
        }
        let now = time::monotonic_ns();
        let left = match deadline {
            Some(d) if d <= now => return Ok(0),
            Some(d) => d - now,
            None => u64::MAX,
        };
        time::sleep_for(pause.min(left))?;
        pause = (pause * 2).min(LONGEST_PAUSE_NS);
    }
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
