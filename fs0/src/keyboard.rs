//! The PS/2 keyboard's scancodes (set 1, what the controller hands over by
//! default) turned into the bytes a terminal sends: letters, digits and
//! punctuation of a US layout with Shift and Caps Lock, control
//! characters with Ctrl, Enter as carriage return, Backspace as DEL (as
//! the Linux console does), and the arrow, Home, End and Delete keys as
//! the VT100 escape sequences line editors read.
//!
//! The decoder only keeps which modifiers are down; it never fails: a code
//! it does not know is dropped.

use alloc::vec::Vec;

/// Set-1 codes of the modifier keys (make codes; +0x80 is the release).
const LEFT_SHIFT: u8 = 0x2a;
const RIGHT_SHIFT: u8 = 0x36;
const CTRL: u8 = 0x1d;
const ALT: u8 = 0x38;
const CAPS_LOCK: u8 = 0x3a;
/// The prefix of the extended keys (arrows, right Ctrl...).
const EXTENDED: u8 = 0xe0;
const RELEASE: u8 = 0x80;

/// The US layout: (unshifted, shifted) byte for make codes 0x00..0x3a.
const KEYS: [(u8, u8); 0x3a] = {
    let mut keys = [(0u8, 0u8); 0x3a];
    let rows: [(u8, &[u8], &[u8]); 4] = [
        (0x02, b"1234567890-=", b"!@#$%^&*()_+"),
        (0x10, b"qwertyuiop[]", b"QWERTYUIOP{}"),
        (0x1e, b"asdfghjkl;'`", b"ASDFGHJKL:\"~"),
        (0x2b, b"\\zxcvbnm,./", b"|ZXCVBNM<>?"),
    ];
    let mut r = 0;
    while r < rows.len() {
        let (first, plain, shifted) = rows[r];
        let mut i = 0;
        while i < plain.len() {
            keys[first as usize + i] = (plain[i], shifted[i]);
            i += 1;
        }
        r += 1;
    }
    keys[0x01] = (0x1b, 0x1b); // Escape
    keys[0x0e] = (0x7f, 0x7f); // Backspace
    keys[0x0f] = (b'\t', b'\t');
    keys[0x1c] = (b'\r', b'\r'); // Enter
    keys[0x39] = (b' ', b' ');
    keys
};

#[derive(Debug, Default)]
pub struct ScancodeDecoder {
    shift: bool,
    ctrl: bool,
    alt: bool,
    caps_lock: bool,
    /// The last code was the extended-key prefix.
    extended: bool,
}

impl ScancodeDecoder {
    pub fn new() -> ScancodeDecoder {
        ScancodeDecoder::default()
    }

    /// Takes one scancode; appends what it types to `out`.
    pub fn feed(&mut self, code: u8, out: &mut Vec<u8>) {
        if code == EXTENDED {
            self.extended = true;
            return;
        }
        let extended = core::mem::take(&mut self.extended);
        let released = code & RELEASE != 0;
        let key = code & !RELEASE;
        match key {
            LEFT_SHIFT | RIGHT_SHIFT if !extended => return self.shift = !released,
            CTRL => return self.ctrl = !released,
            ALT => return self.alt = !released,
            CAPS_LOCK if !extended => {
                if !released {
                    self.caps_lock = !self.caps_lock;
                }
                return;
            }
            _ if released => return,
            _ => {}
        }
        if extended {
            let sequence: &[u8] = match key {
                0x48 => b"\x1b[A",  // Up
                0x50 => b"\x1b[B",  // Down
                0x4d => b"\x1b[C",  // Right
                0x4b => b"\x1b[D",  // Left
                0x47 => b"\x1b[H",  // Home
                0x4f => b"\x1b[F",  // End
                0x53 => b"\x1b[3~", // Delete
                0x1c => b"\r",      // keypad Enter
                0x35 => b"/",       // keypad /
                _ => b"",
            };
            return out.extend_from_slice(sequence);
        }
        let Some(&(plain, shifted)) = KEYS.get(key as usize) else { return };
        if plain == 0 {
            return;
        }
        let letter = plain.is_ascii_lowercase();
        let mut byte = if self.shift != (letter && self.caps_lock) { shifted } else { plain };
        if self.ctrl {
            byte = match byte {
                b'a'..=b'z' | b'A'..=b'Z' => byte & 0x1f,
                b'[' | b'{' => 0x1b,
                b'\\' | b'|' => 0x1c,
                b']' | b'}' => 0x1d,
                b' ' | b'@' | b'2' => 0,
                other => other,
            };
        }
        if self.alt {
            out.push(0x1b);
        }
        out.push(byte);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(codes: &[u8]) -> Vec<u8> {
        let mut decoder = ScancodeDecoder::new();
        let mut out = Vec::new();
        for &code in codes {
            decoder.feed(code, &mut out);
        }
        out
    }

    #[test]
    fn letters_digits_and_shift() {
        // h, i, Enter.
        assert_eq!(typed(&[0x23, 0xa3, 0x17, 0x97, 0x1c, 0x9c]), b"hi\r");
        // Shift down, a, Shift up, a, 1, Shift 1.
        assert_eq!(typed(&[0x2a, 0x1e, 0xaa, 0x1e, 0x02, 0x36, 0x02, 0xb6]), b"Aa1!");
        // Caps Lock: letters upper, digits not; Shift inverts letters back.
        assert_eq!(typed(&[0x3a, 0xba, 0x1e, 0x02, 0x2a, 0x1e, 0xaa]), b"A1a");
    }

    #[test]
    fn control_keys_and_editing() {
        // Ctrl-C, Ctrl-D, Ctrl-Z.
        assert_eq!(typed(&[0x1d, 0x2e, 0xae, 0x20, 0x2c, 0x9d]), [3, 4, 26]);
        // Backspace is DEL, Escape, Tab; right Ctrl (extended) works too.
        assert_eq!(typed(&[0x0e, 0x01, 0x0f, 0xe0, 0x1d, 0x26, 0xe0, 0x9d]), [0x7f, 0x1b, b'\t', 0x0c]);
    }

    #[test]
    fn arrows_are_escape_sequences() {
        assert_eq!(typed(&[0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b]), b"\x1b[A\x1b[D");
        // Releases and unknown codes type nothing.
        assert_eq!(typed(&[0x9e, 0x58, 0xe0, 0x5b]), b"");
    }
}
