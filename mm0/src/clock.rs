//! The wall clock: mm0 reads the CMOS real-time clock once at boot and
//! keeps the offset from the kernel's clock (ns since boot) to UTC, which
//! libposix asks for (REALTIME_OFFSET) to answer CLOCK_REALTIME and
//! gettimeofday without further calls.
//!
//! The CMOS registers change once a second; a read during an update can
//! mix two seconds, so mm0 waits out an update in progress and reads until
//! two reads in a row agree.

use libtern::{println, time};
use mm0::rtc::RtcRegisters;

/// CMOS index and data ports.
const CMOS_INDEX: u16 = 0x70;
const CMOS_DATA: u16 = 0x71;
/// Status register A; its top bit says an update is in progress.
const STATUS_A: u8 = 0x0a;
const UPDATE_IN_PROGRESS: u8 = 0x80;
const STATUS_B: u8 = 0x0b;
/// Reads of the clock before giving up on two that agree.
const ATTEMPTS: usize = 10;

/// Register `register` of the CMOS (mm0 enabled its ports for itself in
/// `realtime_offset`).
fn cmos(register: u8) -> u8 {
    libtern::device::outb(CMOS_INDEX, register);
    libtern::device::inb(CMOS_DATA)
}

fn read_registers() -> RtcRegisters {
    for _ in 0..1_000_000 {
        if cmos(STATUS_A) & UPDATE_IN_PROGRESS == 0 {
            break;
        }
    }
    RtcRegisters {
        second: cmos(0x00),
        minute: cmos(0x02),
        hour: cmos(0x04),
        day: cmos(0x07),
        month: cmos(0x08),
        year: cmos(0x09),
        status_b: cmos(STATUS_B),
    }
}

/// Nanoseconds to add to the kernel clock to get UTC, or 0 when the
/// real-time clock cannot be read (then CLOCK_REALTIME counts from 1970 at
/// boot).
pub fn realtime_offset() -> u64 {
    if let Err(e) = crate::ports::enable_ports(CMOS_INDEX, CMOS_DATA) {
        println!("mm0: cannot reach the real-time clock: {e:?}");
        return 0;
    }
    let mut last = read_registers();
    for _ in 0..ATTEMPTS {
        let now = read_registers();
        if now == last {
            let Some(seconds) = now.unix_seconds() else { break };
            let since_boot = time::now_ns();
            return (seconds * 1_000_000_000).saturating_sub(since_boot);
        }
        last = now;
    }
    println!("mm0: the real-time clock gives no date: {last:?}");
    0
}
