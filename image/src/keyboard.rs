//! Typing at the guest's PS/2 keyboard: which keys (QEMU key names, as the
//! monitor's `sendkey` takes them) type a byte on a US keyboard.
//!
//! Printable ASCII is its key, with `shift-` where a US keyboard needs
//! Shift. Control characters are Ctrl with their letter (0x01..0x1a;
//! 0x1c Ctrl-\, 0x1d Ctrl-]), except those with a key of their own: tab
//! (0x09), Enter for both `\n` and `\r`, Esc (0x1b) and Backspace (0x7f, the
//! terminal's erase character). Anything else cannot be typed: an error,
//! never a silent skip.

use anyhow::{Result, bail};

/// The `sendkey` argument that types `byte`: one key name, or names joined
/// by `-` for keys held together (`shift-a`, `ctrl-c`).
pub fn key(byte: u8) -> Result<String> {
    let name = match byte {
        b'a'..=b'z' | b'0'..=b'9' => (byte as char).to_string(),
        b'A'..=b'Z' => format!("shift-{}", byte.to_ascii_lowercase() as char),
        b'\t' => "tab".to_string(),
        b'\n' | b'\r' => "ret".to_string(),
        0x1b => "esc".to_string(),
        0x7f => "backspace".to_string(),
        0x1c => "ctrl-backslash".to_string(),
        0x1d => "ctrl-bracket_right".to_string(),
        0x01..=0x1a => format!("ctrl-{}", (byte + b'a' - 1) as char),
        _ => match punctuation(byte) {
            Some((name, false)) => name.to_string(),
            Some((name, true)) => format!("shift-{name}"),
            None => bail!("cannot type byte {byte:#04x} at the keyboard: no key for it"),
        },
    };
    Ok(name)
}

/// The keys that type `bytes`, one `sendkey` argument per byte.
pub fn keys(bytes: &[u8]) -> Result<Vec<String>> {
    bytes.iter().map(|&byte| key(byte)).collect()
}

/// A printable byte that is neither a letter nor a digit: its key's name,
/// and whether Shift is held (US layout).
fn punctuation(byte: u8) -> Option<(&'static str, bool)> {
    let key = match byte {
        b' ' => ("spc", false),
        b'-' => ("minus", false),
        b'_' => ("minus", true),
        b'=' => ("equal", false),
        b'+' => ("equal", true),
        b'[' => ("bracket_left", false),
        b'{' => ("bracket_left", true),
        b']' => ("bracket_right", false),
        b'}' => ("bracket_right", true),
        b'\\' => ("backslash", false),
        b'|' => ("backslash", true),
        b';' => ("semicolon", false),
        b':' => ("semicolon", true),
        b'\'' => ("apostrophe", false),
        b'"' => ("apostrophe", true),
        b'`' => ("grave_accent", false),
        b'~' => ("grave_accent", true),
        b',' => ("comma", false),
        b'<' => ("comma", true),
        b'.' => ("dot", false),
        b'>' => ("dot", true),
        b'/' => ("slash", false),
        b'?' => ("slash", true),
        b'!' => ("1", true),
        b'@' => ("2", true),
        b'#' => ("3", true),
        b'$' => ("4", true),
        b'%' => ("5", true),
        b'^' => ("6", true),
        b'&' => ("7", true),
        b'*' => ("8", true),
        b'(' => ("9", true),
        b')' => ("0", true),
        _ => return None,
    };
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(bytes: &[u8]) -> Vec<String> {
        keys(bytes).unwrap()
    }

    #[test]
    fn letters_digits_and_shifted_letters() {
        assert_eq!(typed(b"az09"), ["a", "z", "0", "9"]);
        assert_eq!(typed(b"AZ"), ["shift-a", "shift-z"]);
    }

    #[test]
    fn space_enter_and_editing_keys() {
        assert_eq!(typed(b" \n\r\t\x7f\x1b"), ["spc", "ret", "ret", "tab", "backspace", "esc"]);
    }

    #[test]
    fn control_characters_are_ctrl_and_a_letter() {
        assert_eq!(typed(b"\x03\x04\x15\x1a\x01\x08"), ["ctrl-c", "ctrl-d", "ctrl-u", "ctrl-z", "ctrl-a", "ctrl-h"]);
        assert_eq!(typed(b"\x1c\x1d"), ["ctrl-backslash", "ctrl-bracket_right"]);
    }

    #[test]
    fn punctuation_with_and_without_shift() {
        assert_eq!(typed(b"-./,"), ["minus", "dot", "slash", "comma"]);
        assert_eq!(typed(b"_>?<"), ["shift-minus", "shift-dot", "shift-slash", "shift-comma"]);
        assert_eq!(
            typed(b"!@#$%^&*()"),
            [
                "shift-1", "shift-2", "shift-3", "shift-4", "shift-5", "shift-6", "shift-7", "shift-8", "shift-9",
                "shift-0"
            ]
        );
        assert_eq!(
            typed(b"'\"`~;:"),
            ["apostrophe", "shift-apostrophe", "grave_accent", "shift-grave_accent", "semicolon", "shift-semicolon"]
        );
    }

    #[test]
    fn every_printable_byte_can_be_typed() {
        for byte in 0x20..=0x7e {
            let name = key(byte).unwrap();
            assert!(!name.is_empty() && !name.contains(' '), "{byte:#04x}: {name:?}");
        }
    }

    #[test]
    fn bytes_without_a_key_are_errors() {
        for byte in [0x00, 0x1e, 0x1f, 0x80, 0xc3, 0xff] {
            let error = key(byte).unwrap_err().to_string();
            assert!(error.contains(&format!("{byte:#04x}")), "{error}");
        }
        assert!(keys(b"ok\x00").is_err(), "one bad byte fails the batch");
    }
}
