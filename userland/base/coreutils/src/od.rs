//! od: show bytes in octal, decimal, hexadecimal or as characters.

use std::fmt::Write as _;
use std::io::Write;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};
use crate::dump::{Line, lines, read_inputs, words};

const TOOL: Tool = Tool {
    name: "od",
    usage: "Usage: od [-A RADIX] [-bcdox] [FILE]...
Show the bytes of the FILEs (standard input for '-' or none), 16 a line
after their offset, in each format asked for (octal words by default). A
'*' stands for lines equal to the one before.

  -A RADIX  offsets in d (decimal), o (octal, the default), x (hex), or
            n (no offsets)
  -b        octal bytes
  -c        characters, with C escapes (\\n) or octal for the others
  -d        unsigned decimal 16-bit words
  -o        octal 16-bit words
  -x        hexadecimal 16-bit words
",
    usage_status: FAILURE,
};

#[derive(Clone, Copy, PartialEq)]
enum Radix {
    Decimal,
    Octal,
    Hex,
    None,
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "A:bcdox") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let radix = match opts.value('A') {
        None | Some("o") => Radix::Octal,
        Some("d") => Radix::Decimal,
        Some("x") => Radix::Hex,
        Some("n") => Radix::None,
        Some(other) => return TOOL.usage_error(format_args!("invalid radix '{other}' (d, o, x or n)")),
    };
    let mut formats: Vec<char> = opts.given().filter(|c| *c != 'A').collect();
    if formats.is_empty() {
        formats.push('o');
    }
    let (data, ok) = read_inputs(&TOOL, &opts.operands);
    let mut out = stdout();
    match out.write_all(format(&data, &formats, radix).as_bytes()).and_then(|()| out.flush()) {
        Ok(()) if ok => SUCCESS,
        Ok(()) => FAILURE,
        Err(err) => TOOL.write_error(&err),
    }
}

fn format(data: &[u8], formats: &[char], radix: Radix) -> String {
    let mut text = String::new();
    for line in lines(data) {
        let (offset, bytes) = match line {
            Line::Repeated => {
                text.push_str("*\n");
                continue;
            }
            Line::Bytes { offset, bytes } => (offset, bytes),
        };
        for (i, &kind) in formats.iter().enumerate() {
            // Further formats of the same bytes go under the first, without
            // the offset.
            let address = address(offset, radix);
            if i == 0 {
                text.push_str(&address);
            } else {
                text.push_str(&" ".repeat(address.len()));
            }
            push_fields(&mut text, bytes, kind);
            text.push('\n');
        }
    }
    if radix != Radix::None {
        text.push_str(&address(data.len(), radix));
        text.push('\n');
    }
    text
}

fn address(offset: usize, radix: Radix) -> String {
    match radix {
        Radix::Decimal => format!("{offset:07}"),
        Radix::Octal => format!("{offset:07o}"),
        Radix::Hex => format!("{offset:06x}"),
        Radix::None => String::new(),
    }
}

fn push_fields(text: &mut String, bytes: &[u8], kind: char) {
    match kind {
        'b' => bytes.iter().for_each(|b| {
            let _ = write!(text, " {b:03o}");
        }),
        'c' => bytes.iter().for_each(|&b| {
            let _ = write!(text, " {:>3}", char_field(b));
        }),
        'd' => words(bytes).for_each(|w| {
            let _ = write!(text, " {w:5}");
        }),
        'x' => words(bytes).for_each(|w| {
            let _ = write!(text, " {w:04x}");
        }),
        _ => words(bytes).for_each(|w| {
            let _ = write!(text, " {w:06o}");
        }),
    }
}

/// A byte as od -c shows it.
fn char_field(byte: u8) -> String {
    match byte {
        0 => "\\0".to_string(),
        0x07 => "\\a".to_string(),
        0x08 => "\\b".to_string(),
        0x0c => "\\f".to_string(),
        b'\n' => "\\n".to_string(),
        b'\r' => "\\r".to_string(),
        b'\t' => "\\t".to_string(),
        0x0b => "\\v".to_string(),
        b' '..=b'~' => (byte as char).to_string(),
        _ => format!("{byte:03o}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_octal_words() {
        assert_eq!(format(b"hello\n", &['o'], Radix::Octal), "0000000 062550 066154 005157\n0000006\n");
        assert_eq!(format(b"", &['o'], Radix::Octal), "0000000\n");
    }

    #[test]
    fn characters_and_hex() {
        assert_eq!(format(b"hi\n\x01\xff", &['c'], Radix::Octal), "0000000   h   i  \\n 001 377\n0000005\n");
        assert_eq!(format(b"hello\n", &['x'], Radix::None), " 6568 6c6c 0a6f\n");
        assert_eq!(format(b"ab", &['b', 'd'], Radix::Decimal), "0000000 141 142\n        25185\n0000002\n");
    }

    #[test]
    fn long_input_offsets_and_squeezing() {
        let data = [b'a'; 40];
        let text = format(&data, &['x'], Radix::Hex);
        assert_eq!(text, "000000 6161 6161 6161 6161 6161 6161 6161 6161\n*\n000020 6161 6161 6161 6161\n000028\n");
    }
}
