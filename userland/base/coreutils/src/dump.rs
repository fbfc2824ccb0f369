//! What hexdump and od share: reading all their inputs as one stream and
//! cutting it into 16-byte lines, with each run of lines equal to the one
//! before shown as a single `*`.

use crate::common::{Tool, input_name, inputs, read_input};

/// The inputs, one after the other; unreadable ones are reported as `tool`
/// and make the flag false.
pub fn read_inputs(tool: &Tool, operands: &[String]) -> (Vec<u8>, bool) {
    let mut data = Vec::new();
    let mut ok = true;
    for path in inputs(operands) {
        match read_input(path) {
            Ok(mut more) => data.append(&mut more),
            Err(err) => {
                tool.error(input_name(path), &err);
                ok = false;
            }
        }
    }
    (data, ok)
}

#[derive(Debug, PartialEq)]
pub enum Line<'a> {
    Bytes {
        offset: usize,
        bytes: &'a [u8],
    },
    /// One or more lines equal to the last one shown.
    Repeated,
}

pub const LINE_BYTES: usize = 16;

pub fn lines(data: &[u8]) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut last_shown: Option<&[u8]> = None;
    for (i, chunk) in data.chunks(LINE_BYTES).enumerate() {
        if last_shown == Some(chunk) {
            if lines.last() != Some(&Line::Repeated) {
                lines.push(Line::Repeated);
            }
            continue;
        }
        last_shown = Some(chunk);
        lines.push(Line::Bytes { offset: i * LINE_BYTES, bytes: chunk });
    }
    lines
}

/// The input as 16-bit little-endian words, an odd last byte padded with 0.
pub fn words(bytes: &[u8]) -> impl Iterator<Item = u16> + '_ {
    bytes.chunks(2).map(|pair| u16::from_le_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_lines_are_squeezed() {
        let mut data = vec![0u8; 16 * 4];
        data.extend_from_slice(b"tail");
        let lines = lines(&data);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], Line::Bytes { offset: 0, bytes: &[0; 16] });
        assert_eq!(lines[1], Line::Repeated);
        assert_eq!(lines[2], Line::Bytes { offset: 64, bytes: b"tail" });
    }

    #[test]
    fn words_are_little_endian() {
        assert_eq!(words(b"hel").collect::<Vec<_>>(), [0x6568, 0x006c]);
    }
}
