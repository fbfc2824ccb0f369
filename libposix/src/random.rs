//! getrandom, answered locally from the CPU (`libtern_sys::random`: rdrand,
//! or a TSC-seeded generator). It never blocks, so GRND_NONBLOCK and
//! GRND_RANDOM change nothing; Tern has no entropy pool to wait for.

use crate::mapped::{self, Access};
use crate::syscalls::{Args, SysResult};
use crate::user;
use fs0_proto::errno::{EFAULT, EINVAL};
use libtern_sys::random;

/// getrandom flags Linux defines and libposix accepts.
const GRND_NONBLOCK: u64 = 1;
const GRND_RANDOM: u64 = 2;
/// Most bytes one call returns (Linux's MAX_RW_COUNT).
const MAX_COUNT: u64 = 0x7fff_f000;
/// Bytes made ready (backed) and filled at a time.
const CHUNK: u64 = 64 * 1024;
/// getrandom(buf, count, flags)
pub fn getrandom(args: &Args) -> SysResult {
    let [buf, count, flags, ..] = *args;
    if flags & !(GRND_NONBLOCK | GRND_RANDOM) != 0 {
        return Err(EINVAL);
    }
    let count = count.min(MAX_COUNT);
    user::check_range(buf, count)?;
    let mut done = 0;
    while done < count {
        let len = (count - done).min(CHUNK);
        if mapped::ensure(buf + done, len, Access::Write).is_err() {
            // Linux returns what it copied before the fault, if anything.
            return if done > 0 { Ok(done) } else { Err(EFAULT) };
        }
        fill(buf + done, len);
        done += len;
    }
    Ok(done)
}

/// Fills `[addr, addr + len)`, program memory known to be backed for writing.
fn fill(addr: u64, len: u64) {
    let mut offset = 0;
    while offset < len {
        let bytes = random::draw().to_ne_bytes();
        let n = (len - offset).min(bytes.len() as u64);
        // SAFETY: the range lies in the user half and `mapped::ensure` just
        // backed it for writing (it stays backed: see `mapped`); the program
        // passed it as the output buffer, and no Rust reference points there.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), (addr + offset) as *mut u8, n as usize) };
        offset += n;
    }
}
