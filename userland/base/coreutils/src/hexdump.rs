//! hexdump: show bytes in hexadecimal.

use std::fmt::Write as _;
use std::io::Write;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};
use crate::dump::{LINE_BYTES, Line, lines, read_inputs, words};

const TOOL: Tool = Tool {
    name: "hexdump",
    usage: "Usage: hexdump [-C] [FILE]...
Show the bytes of the FILEs (standard input for '-' or none) as 16-bit
little-endian hexadecimal words, 16 bytes a line after their offset. A '*'
stands for lines equal to the one before.

  -C  canonical: offset, 16 bytes in hexadecimal, and the same as text
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "C") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let (data, ok) = read_inputs(&TOOL, &opts.operands);
    let mut out = stdout();
    match out.write_all(format(&data, opts.has('C')).as_bytes()).and_then(|()| out.flush()) {
        Ok(()) if ok => SUCCESS,
        Ok(()) => FAILURE,
        Err(err) => TOOL.write_error(&err),
    }
}

fn format(data: &[u8], canonical: bool) -> String {
    let mut text = String::new();
    for line in lines(data) {
        match line {
            Line::Repeated => text.push('*'),
            Line::Bytes { offset, bytes } if canonical => canonical_line(&mut text, offset, bytes),
            Line::Bytes { offset, bytes } => {
                let _ = write!(text, "{offset:07x}");
                for word in words(bytes) {
                    let _ = write!(text, " {word:04x}");
                }
            }
        }
        text.push('\n');
    }
    // The offset after the last byte; nothing at all for empty input.
    if !data.is_empty() {
        let _ = if canonical { writeln!(text, "{:08x}", data.len()) } else { writeln!(text, "{:07x}", data.len()) };
    }
    text
}

/// `00000000  68 65 6c 6c 6f 0a                                 |hello.|`
fn canonical_line(text: &mut String, offset: usize, bytes: &[u8]) {
    let _ = write!(text, "{offset:08x} ");
    for i in 0..LINE_BYTES {
        if i == LINE_BYTES / 2 {
            text.push(' ');
        }
        match bytes.get(i) {
            Some(byte) => {
                let _ = write!(text, " {byte:02x}");
            }
            None => text.push_str("   "),
        }
    }
    text.push_str("  |");
    text.extend(bytes.iter().map(|&b| if b == b' ' || b.is_ascii_graphic() { b as char } else { '.' }));
    text.push('|');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical() {
        assert_eq!(
            format(b"hello\n", true),
            "00000000  68 65 6c 6c 6f 0a                                 |hello.|\n00000006\n"
        );
        assert_eq!(
            format(b"0123456789abcdef", true),
            "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n00000010\n"
        );
        assert_eq!(format(b"", true), "");
    }

    #[test]
    fn words_and_squeezing() {
        assert_eq!(format(b"hello\n", false), "0000000 6568 6c6c 0a6f\n0000006\n");
        assert_eq!(format(b"abc", false), "0000000 6261 0063\n0000003\n");
        let text = format(&[0; 48], false);
        assert_eq!(text, "0000000 0000 0000 0000 0000 0000 0000 0000 0000\n*\n0000030\n");
    }
}
