//! poll, ppoll, select and pselect6: what each descriptor is ready for
//! comes from fs0 (READY). When nothing is ready, they look again after a
//! short sleep (1 ms, doubling to 16 ms) until something is or the timeout
//! passes: fs0 does not wake pollers itself yet. A signal to handle ends
//! the wait with EINTR, as on Linux.

use crate::syscalls::{Args, SysResult};
use crate::time::{Timespec, Timeval};
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
    wait_until_ready(timeout_ns, || scan(fds, count))
}

/// Runs `look` (which answers how many descriptors are ready) until it
/// finds some or `timeout_ns` passes (never, for None): then 0.
fn wait_until_ready(timeout_ns: Option<u64>, mut look: impl FnMut() -> Result<u64, u32>) -> SysResult {
    let deadline = timeout_ns.map(|t| libtern_sys::time::now_ns().saturating_add(t));
    let mut pause = FIRST_PAUSE_NS;
    loop {
        let ready = look()?;
        if ready > 0 {
            return Ok(ready);
        }
        let now = libtern_sys::time::now_ns();
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

/// The timeout at `timespec` (none for NULL) in ns; EINVAL if malformed.
fn timespec_timeout(timespec: u64) -> Result<Option<u64>, u32> {
    if timespec == 0 {
        return Ok(None);
    }
    user::read::<Timespec>(timespec)?.to_ns().map(Some)
}

/// ppoll(fds, nfds, timeout, sigmask, sigsetsize): the signal mask is not
/// swapped in for the wait yet (EINVAL if one is given).
pub fn ppoll(args: &Args) -> SysResult {
    let [fds, count, timeout, sigmask, ..] = *args;
    if sigmask != 0 {
        return Err(EINVAL);
    }
    poll_for(fds, count, timespec_timeout(timeout)?)
}

/// Descriptors select may name (FD_SETSIZE).
const FD_SETSIZE: u64 = 1024;
const SET_WORDS: usize = (FD_SETSIZE / 64) as usize;

/// The three descriptor sets of a select, as in the program's memory
/// (addresses, 0 for none), and their bits.
struct Sets {
    addrs: [u64; 3],
    bits: [[u64; SET_WORDS]; 3],
}

/// The poll bits that make a descriptor ready for each set: read, write,
/// exceptional conditions (none that Tern's files have).
const SET_EVENTS: [u16; 3] =
    [ready::IN as u16 | ready::HUP as u16 | ready::ERR as u16, ready::OUT as u16 | ready::ERR as u16, 0];

impl Sets {
    fn read(nfds: u64, addrs: [u64; 3]) -> Result<Sets, u32> {
        let words = nfds.div_ceil(64) as usize;
        let mut bits = [[0; SET_WORDS]; 3];
        for (set, &addr) in bits.iter_mut().zip(&addrs) {
            if addr != 0 {
                for (i, word) in set.iter_mut().enumerate().take(words) {
                    *word = user::read(addr + 8 * i as u64)?;
                }
                // Bits at and past nfds are not looked at.
                if !nfds.is_multiple_of(64) {
                    set[words - 1] &= (1 << (nfds % 64)) - 1;
                }
            }
        }
        Ok(Sets { addrs, bits })
    }

    /// Which of the named descriptors are ready, as sets; EBADF if one is
    /// not open.
    fn look(&self, nfds: u64) -> Result<(u64, [[u64; SET_WORDS]; 3]), u32> {
        let mut found = [[0; SET_WORDS]; 3];
        let mut count = 0;
        for fd in 0..nfds {
            let (word, bit) = ((fd / 64) as usize, 1 << (fd % 64));
            if self.bits.iter().all(|set| set[word] & bit == 0) {
                continue;
            }
            let now = ready_bits(fd as i32);
            if now & POLLNVAL != 0 {
                return Err(EBADF);
            }
            for (k, set) in self.bits.iter().enumerate() {
                if set[word] & bit != 0 && now & SET_EVENTS[k] != 0 {
                    found[k][word] |= bit;
                    count += 1;
                }
            }
        }
        Ok((count, found))
    }

    /// Writes `found` over the program's sets.
    fn write(&self, nfds: u64, found: &[[u64; SET_WORDS]; 3]) -> Result<(), u32> {
        for (set, &addr) in found.iter().zip(&self.addrs) {
            if addr != 0 {
                for (i, word) in set.iter().enumerate().take(nfds.div_ceil(64) as usize) {
                    user::write(addr + 8 * i as u64, *word)?;
                }
            }
        }
        Ok(())
    }
}

/// select and pselect6 after their timeouts are read: waits, then writes
/// the sets.
fn select_for(nfds: u64, addrs: [u64; 3], timeout_ns: Option<u64>) -> SysResult {
    if (nfds as i32) < 0 {
        return Err(EINVAL);
    }
    // Linux looks at no more descriptors than a process may have.
    let nfds = nfds.min(FD_SETSIZE);
    let sets = Sets::read(nfds, addrs)?;
    let mut found = [[0; SET_WORDS]; 3];
    let ready = wait_until_ready(timeout_ns, || {
        let (count, now) = sets.look(nfds)?;
        found = now;
        Ok(count)
    })?;
    sets.write(nfds, &found)?;
    Ok(ready)
}

/// select(nfds, readfds, writefds, exceptfds, timeout): as on Linux, the
/// microseconds may exceed a second, and the timeout is left holding the
/// time that was not used (also when a signal ends the wait; a timeout
/// that cannot be written back is no error).
pub fn select(args: &Args) -> SysResult {
    let [nfds, r, w, e, timeout, _] = *args;
    let timeout_ns = if timeout == 0 {
        None
    } else {
        let t = user::read::<Timeval>(timeout)?;
        if t.sec < 0 || t.usec < 0 {
            return Err(EINVAL);
        }
        Some((t.sec as u64).saturating_mul(1_000_000_000).saturating_add((t.usec as u64).saturating_mul(1000)))
    };
    let start = libtern_sys::time::now_ns();
    let result = select_for(u64::from(nfds as u32), [r, w, e], timeout_ns);
    if let Some(t) = timeout_ns {
        let left = t.saturating_sub(libtern_sys::time::now_ns() - start);
        let rest = Timeval { sec: (left / 1_000_000_000) as i64, usec: (left % 1_000_000_000 / 1000) as i64 };
        let _ = user::write(timeout, rest);
    }
    result
}

/// pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask data):
/// the signal mask is not swapped in for the wait yet (EINVAL if one is
/// given).
pub fn pselect6(args: &Args) -> SysResult {
    let [nfds, r, w, e, timeout, sigmask_data] = *args;
    if sigmask_data != 0 {
        let [mask, _len] = user::read::<[u64; 2]>(sigmask_data)?;
        if mask != 0 {
            return Err(EINVAL);
        }
    }
    select_for(u64::from(nfds as u32), [r, w, e], timespec_timeout(timeout)?)
}
