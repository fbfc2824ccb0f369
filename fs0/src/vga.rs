//! The VGA text screen: the buffer mm0 maps into fs0, drawn by
//! [`fs0::vga_screen`], and the hardware cursor set through the CRT
//! controller's registers.

use fs0::vga_screen::{COLUMNS, ROWS, Screen};
use libtern::device::{self, outb};
use mm0_proto::{FS0_VGA_TEXT, SLOT_VGA_PORTS};

const CRT_INDEX: u16 = 0x3d4;
const CRT_DATA: u16 = 0x3d5;
/// CRT registers of the cursor position, high and low byte.
const CURSOR_HIGH: u8 = 0x0e;
const CURSOR_LOW: u8 = 0x0f;

/// The screen, cleared; `None` if fs0 may not set the cursor.
pub fn open() -> Option<Screen<'static>> {
    device::ioport_enable(SLOT_VGA_PORTS).ok()?;
    // SAFETY: mm0 maps the VGA text buffer (8 pages, more than the 80x25
    // cells used) read-write at FS0_VGA_TEXT for fs0's whole life, as
    // plumbing fs0 cannot unmap; this is the only reference to it.
    let cells = unsafe { core::slice::from_raw_parts_mut(FS0_VGA_TEXT as *mut u16, COLUMNS * ROWS) };
    Some(Screen::new(cells))
}

/// Puts the blinking cursor on cell `at`.
pub fn set_cursor(at: usize) {
    outb(CRT_INDEX, CURSOR_HIGH);
    outb(CRT_DATA, (at >> 8) as u8);
    outb(CRT_INDEX, CURSOR_LOW);
    outb(CRT_DATA, at as u8);
}
