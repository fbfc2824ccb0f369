//! The PS/2 keyboard, read from the i8042 controller.
//!
//! The firmware has set the controller up (translation to scancode set 1,
//! the keyboard's interrupt on): fs0 only enables its ports and binds IRQ
//! 1 to its events notification. On the interrupt it takes every byte the
//! controller holds (bounded, as for the UART), skipping bytes from a
//! mouse, and [`fs0::keyboard`] turns the scancodes into the bytes a
//! terminal sends.

use alloc::vec::Vec;

use fs0::keyboard::ScancodeDecoder;
use libtern::device::{self, inb};
use mm0_proto::{SLOT_FS0_EVENTS, SLOT_KEYBOARD_DATA, SLOT_KEYBOARD_IRQ, SLOT_KEYBOARD_STATUS};

const DATA: u16 = 0x60;
const STATUS: u16 = 0x64;
/// Status: a byte waits in the output buffer; it came from the mouse.
const OUTPUT_FULL: u8 = 0x01;
const FROM_MOUSE: u8 = 0x20;
/// Most bytes taken per interrupt.
const MAX_BURST: usize = 64;

pub struct Ps2Keyboard {
    decoder: ScancodeDecoder,
}

impl Ps2Keyboard {
    /// Opens the keyboard, its interrupt setting `bit` of fs0's events
    /// notification; says why not on failure (there may be no keyboard).
    pub fn open(bit: u64) -> Result<Ps2Keyboard, abi::Error> {
        device::ioport_enable(SLOT_KEYBOARD_DATA)?;
        device::ioport_enable(SLOT_KEYBOARD_STATUS)?;
        device::irq_bind(SLOT_KEYBOARD_IRQ, SLOT_FS0_EVENTS, bit)?;
        Ok(Ps2Keyboard { decoder: ScancodeDecoder::new() })
    }

    /// The bytes typed since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        let mut typed = Vec::new();
        for _ in 0..MAX_BURST {
            let status = inb(STATUS);
            if status & OUTPUT_FULL == 0 {
                break;
            }
            let code = inb(DATA);
            if status & FROM_MOUSE == 0 {
                self.decoder.feed(code, &mut typed);
            }
        }
        typed
    }

    /// Lets the next interrupt in.
    pub fn acknowledge(&self) {
        if let Err(e) = device::irq_ack(SLOT_KEYBOARD_IRQ) {
            libtern::println!("fs0: cannot acknowledge the keyboard IRQ: {e:?}");
        }
    }
}
