//! The 8254 programmable interval timer, channel 0 (IRQ 0): enough to make
//! one interrupt happen and to read the counter.

use libtern::device::{inb, outb};

const CHANNEL0: u16 = 0x40;
const COMMAND: u16 = 0x43;
/// Channel 0, low byte then high byte, mode 0 (interrupt on terminal count).
const ONE_SHOT: u8 = 0x30;
/// Channel 0, latch the count.
const LATCH: u8 = 0x00;

/// The PIT's input clock.
pub const HZ: u64 = 1_193_182;

/// Stops channel 0 with its output low (mode 0 with no count loaded), so
/// it raises no interrupt until [`start`].
pub fn stop() {
    outb(COMMAND, ONE_SHOT);
}

/// Raises IRQ 0 once, after `count` ticks (after [`stop`]).
pub fn start(count: u16) {
    outb(CHANNEL0, count as u8);
    outb(CHANNEL0, (count >> 8) as u8);
}

/// The current count of channel 0.
pub fn read_count() -> u16 {
    outb(COMMAND, LATCH);
    let lo = inb(CHANNEL0);
    let hi = inb(CHANNEL0);
    u16::from(lo) | (u16::from(hi) << 8)
}
