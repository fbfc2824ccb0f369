//! printf: formatted output. The backslash escapes are shared with echo -e.

use std::io::{self, Write};

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "printf",
    usage: "Usage: printf FORMAT [ARGUMENT]...
Write the ARGUMENTs as FORMAT says. The format is used again for the
arguments left over.

FORMAT is text with escapes (\\\\ \\a \\b \\c \\e \\f \\n \\r \\t \\v \\NNN octal, \\xHH hex)
and conversions %[flags][width][.precision]C, flags from '-+ #0', width and
precision numbers or '*' (taken from the arguments), C one of:
  %s  string          %b  string with echo -e escapes   %c  first character
  %d %i  signed decimal   %u  unsigned decimal   %o  octal   %x %X  hex
  %%  a percent sign
Numbers may be decimal, 0x hex, 0 octal, or 'C for the code of character C.
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    // As with GNU printf, only a sole --help is an option: the format may
    // well start with '-'.
    if args == ["--help"] {
        return TOOL.help();
    }
    let args = args.strip_prefix(&["--".to_string()]).unwrap_or(args);
    let Some((format_text, arguments)) = args.split_first() else {
        return TOOL.usage_error("missing operand");
    };
    let formatted = format(format_text, arguments);
    let mut out = io::stdout().lock();
    if let Err(err) = out.write_all(&formatted.output).and_then(|()| out.flush()) {
        return TOOL.write_error(&err);
    }
    for error in &formatted.errors {
        TOOL.fail(error);
    }
    if formatted.errors.is_empty() { SUCCESS } else { FAILURE }
}

/// Where octal escapes start.
#[derive(Clone, Copy)]
pub enum EscapeStyle {
    /// In a printf format: `\NNN`, one to three octal digits.
    Format,
    /// In echo -e and printf's %b: `\0NNN`, a zero and up to three digits.
    Echo,
}

pub enum Escape {
    Byte(u8),
    /// `\c`: no more output at all.
    Stop,
}

/// Decodes the escape after a backslash at the start of `rest`: the byte
/// it stands for and how many bytes of `rest` it takes. An unknown escape
/// stands for the backslash itself, taking nothing.
pub fn decode_escape(rest: &[u8], style: EscapeStyle) -> (Escape, usize) {
    let Some(&first) = rest.first() else { return (Escape::Byte(b'\\'), 0) };
    let simple = match first {
        b'\\' => Some(b'\\'),
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'e' => Some(0x1b),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        _ => None,
    };
    if let Some(byte) = simple {
        return (Escape::Byte(byte), 1);
    }
    let digits_value = |digits: &[u8], radix: u32| {
        digits.iter().fold(0u32, |value, &d| value * radix + (d as char).to_digit(radix).unwrap_or(0)) as u8
    };
    match (first, style) {
        (b'c', _) => (Escape::Stop, 1),
        (b'x', _) => {
            let count = rest[1..].iter().take(2).take_while(|b| b.is_ascii_hexdigit()).count();
            if count == 0 {
                (Escape::Byte(b'\\'), 0)
            } else {
                (Escape::Byte(digits_value(&rest[1..=count], 16)), 1 + count)
            }
        }
        (b'0'..=b'7', EscapeStyle::Format) | (b'0', EscapeStyle::Echo) => {
            let start = usize::from(matches!(style, EscapeStyle::Echo));
            let count = rest[start..].iter().take(3).take_while(|b| matches!(b, b'0'..=b'7')).count();
            (Escape::Byte(digits_value(&rest[start..start + count], 8)), start + count)
        }
        _ => (Escape::Byte(b'\\'), 0),
    }
}

/// Expands the backslash escapes in `text`; the flag tells whether a `\c`
/// ended it.
pub fn expand_escapes(text: &[u8], style: EscapeStyle) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let (escape, used) = decode_escape(&text[i + 1..], style);
        i += 1 + used;
        match escape {
            Escape::Byte(byte) => out.push(byte),
            Escape::Stop => return (out, true),
        }
    }
    (out, false)
}

/// What printf writes, and its complaints about the arguments (it goes on
/// after a bad number, and fails at the end).
pub struct Formatted {
    pub output: Vec<u8>,
    pub errors: Vec<String>,
}

/// Formats `args` by `format`, using the format again while arguments are
/// left and it consumes some.
pub fn format(format: &str, args: &[String]) -> Formatted {
    let mut formatter = Formatter { args, next: 0, output: Vec::new(), errors: Vec::new() };
    loop {
        let before = formatter.next;
        if formatter.format_once(format.as_bytes()) == Flow::Stop {
            break;
        }
        if formatter.next >= args.len() || formatter.next == before {
            break;
        }
    }
    Formatted { output: formatter.output, errors: formatter.errors }
}

#[derive(PartialEq)]
enum Flow {
    Continue,
    /// `\c` or a bad conversion: stop all output.
    Stop,
}

#[derive(Default)]
struct Flags {
    left: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    zero: bool,
}

struct Formatter<'a> {
    args: &'a [String],
    /// The next argument to use.
    next: usize,
    output: Vec<u8>,
    errors: Vec<String>,
}

impl Formatter<'_> {
    fn format_once(&mut self, format: &[u8]) -> Flow {
        let mut i = 0;
        while i < format.len() {
            match format[i] {
                b'\\' => {
                    let (escape, used) = decode_escape(&format[i + 1..], EscapeStyle::Format);
                    i += 1 + used;
                    match escape {
                        Escape::Byte(byte) => self.output.push(byte),
                        Escape::Stop => return Flow::Stop,
                    }
                }
                b'%' => {
                    let (flow, used) = self.conversion(&format[i + 1..]);
                    i += 1 + used;
                    if flow == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                byte => {
                    self.output.push(byte);
                    i += 1;
                }
            }
        }
        Flow::Continue
    }

    /// The next argument, or "" when they have run out.
    fn next_arg(&mut self) -> &str {
        let arg = self.args.get(self.next).map_or("", String::as_str);
        self.next += 1;
        arg
    }

    /// The next argument as a number (0 when they have run out); a bad one
    /// is reported and counts as 0.
    fn next_number(&mut self) -> i128 {
        let text = self.next_arg().to_string();
        parse_number(&text).unwrap_or_else(|error| {
            self.errors.push(error);
            0
        })
    }

    /// Does the conversion whose specification starts `spec` (after the
    /// `%`); returns how many bytes of `spec` it took.
    fn conversion(&mut self, spec: &[u8]) -> (Flow, usize) {
        if spec.first() == Some(&b'%') {
            self.output.push(b'%');
            return (Flow::Continue, 1);
        }
        let mut at = 0;
        let mut flags = Flags::default();
        while let Some(&c) = spec.get(at) {
            match c {
                b'-' => flags.left = true,
                b'+' => flags.plus = true,
                b' ' => flags.space = true,
                b'#' => flags.alternate = true,
                b'0' => flags.zero = true,
                _ => break,
            }
            at += 1;
        }
        let width = match self.field_number(spec, &mut at) {
            // A negative width from '*' means left-justified.
            Some(width) if width < 0 => {
                flags.left = true;
                width.unsigned_abs() as usize
            }
            Some(width) => width as usize,
            None => 0,
        };
        let precision = if spec.get(at) == Some(&b'.') {
            at += 1;
            // A negative precision from '*' counts as none.
            Some(self.field_number(spec, &mut at).unwrap_or(0)).filter(|p| *p >= 0).map(|p| p as usize)
        } else {
            None
        };
        let Some(&conversion) = spec.get(at) else {
            let text = String::from_utf8_lossy(spec);
            self.errors.push(format!("%{text}: missing conversion specifier"));
            return (Flow::Stop, spec.len());
        };
        at += 1;
        let mut flow = Flow::Continue;
        let text: Vec<u8> = match conversion {
            b's' => {
                let arg = self.next_arg();
                match precision {
                    Some(p) => arg.chars().take(p).collect::<String>().into_bytes(),
                    None => arg.as_bytes().to_vec(),
                }
            }
            b'b' => {
                let (bytes, stopped) = expand_escapes(self.next_arg().as_bytes(), EscapeStyle::Echo);
                if stopped {
                    flow = Flow::Stop;
                }
                bytes
            }
            b'c' => self.next_arg().chars().next().map(String::from).unwrap_or_default().into_bytes(),
            // Padded here already: zeros go between the sign and the digits.
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let value = self.next_number();
                format_integer(value, conversion, &flags, width, precision).into_bytes()
            }
            _ => {
                let text = String::from_utf8_lossy(&spec[..at]);
                self.errors.push(format!("%{text}: invalid conversion specification"));
                return (Flow::Stop, at);
            }
        };
        let pad = " ".repeat(width.saturating_sub(String::from_utf8_lossy(&text).chars().count()));
        if flags.left {
            self.output.extend_from_slice(&text);
            self.output.extend_from_slice(pad.as_bytes());
        } else {
            self.output.extend_from_slice(pad.as_bytes());
            self.output.extend_from_slice(&text);
        }
        (flow, at)
    }

    /// A width or precision at `spec[*at..]`: digits, or `*` for the next
    /// argument; `None` when there is neither.
    fn field_number(&mut self, spec: &[u8], at: &mut usize) -> Option<i64> {
        if spec.get(*at) == Some(&b'*') {
            *at += 1;
            return Some(self.next_number().clamp(i64::MIN.into(), i64::MAX.into()) as i64);
        }
        let digits = spec[*at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let text = std::str::from_utf8(&spec[*at..*at + digits]).unwrap_or("0");
        *at += digits;
        Some(text.parse().unwrap_or(i64::MAX))
    }
}

/// A numeric argument: decimal, 0x hex or 0 octal with an optional sign
/// and leading blanks, or 'C / "C for the code of character C. Empty is 0.
fn parse_number(text: &str) -> Result<i128, String> {
    let trimmed = text.trim_start();
    if let Some(quoted) = trimmed.strip_prefix(['\'', '"']) {
        return Ok(quoted.chars().next().map_or(0, |c| i128::from(u32::from(c))));
    }
    if trimmed.is_empty() {
        return Ok(0);
    }
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (radix, digits) = if let Some(hex) = unsigned.strip_prefix("0x").or_else(|| unsigned.strip_prefix("0X")) {
        (16, hex)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        (8, &unsigned[1..])
    } else {
        (10, unsigned)
    };
    let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    match u64::from_str_radix(digits, radix) {
        Ok(magnitude) if valid => Ok(if negative { -i128::from(magnitude) } else { i128::from(magnitude) }),
        Err(_) if valid => Err(format!("{text}: Numerical result out of range")),
        _ => Err(format!("{text}: expected a numeric value")),
    }
}

/// Formats an integer conversion with its flags, width and precision.
fn format_integer(value: i128, conversion: u8, flags: &Flags, width: usize, precision: Option<usize>) -> String {
    let signed = matches!(conversion, b'd' | b'i');
    // %d shows the value in 64 bits; the unsigned conversions show a
    // negative value as its 64-bit two's complement, as C's printf does.
    let (negative, magnitude) = if signed {
        let value = value.clamp(i64::MIN.into(), i64::MAX.into());
        (value < 0, value.unsigned_abs())
    } else {
        (false, u128::from(value.clamp(i64::MIN.into(), u64::MAX.into()) as i64 as u64))
    };
    let mut digits = match conversion {
        b'o' => format!("{magnitude:o}"),
        b'x' => format!("{magnitude:x}"),
        b'X' => format!("{magnitude:X}"),
        _ => magnitude.to_string(),
    };
    if let Some(precision) = precision {
        if precision == 0 && magnitude == 0 {
            digits.clear();
        } else if digits.len() < precision {
            digits = format!("{}{digits}", "0".repeat(precision - digits.len()));
        }
    }
    let sign = match (signed, negative) {
        (true, true) => "-",
        (true, false) if flags.plus => "+",
        (true, false) if flags.space => " ",
        _ => "",
    };
    let prefix = match conversion {
        b'x' if flags.alternate && magnitude != 0 => "0x",
        b'X' if flags.alternate && magnitude != 0 => "0X",
        b'o' if flags.alternate && !digits.starts_with('0') => "0",
        _ => "",
    };
    let fill = width.saturating_sub(sign.len() + prefix.len() + digits.len());
    if flags.left {
        format!("{sign}{prefix}{digits}{}", " ".repeat(fill))
    } else if flags.zero && precision.is_none() {
        format!("{sign}{prefix}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{sign}{prefix}{digits}", " ".repeat(fill))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printf(format_text: &str, args: &[&str]) -> (String, Vec<String>) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let formatted = format(format_text, &args);
        (String::from_utf8_lossy(&formatted.output).into_owned(), formatted.errors)
    }

    fn out(format_text: &str, args: &[&str]) -> String {
        let (output, errors) = printf(format_text, args);
        assert!(errors.is_empty(), "{errors:?}");
        output
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(out(r"hello, %s!\n", &["world"]), "hello, world!\n");
        assert_eq!(out(r"a\tb\\c\101\x41\0", &[]), "a\tb\\cAA\0");
        assert_eq!(out(r"\q\", &[]), r"\q\");
        assert_eq!(out("[%5s][%-5s][%.2s]", &["ab", "cd", "xyz"]), "[   ab][cd   ][xy]");
        assert_eq!(out("%c%c|%c", &["hello", "é!", ""]), "hé|");
        assert_eq!(out(r"100%%\n", &[]), "100%\n");
    }

    #[test]
    fn format_is_reused_for_extra_arguments() {
        assert_eq!(out(r"%s=%d\n", &["a", "1", "b", "2", "c"]), "a=1\nb=2\nc=0\n");
        assert_eq!(out(r"x\n", &["unused"]), "x\n");
        assert_eq!(out(r"%s %s\n", &[]), " \n");
    }

    #[test]
    fn integers() {
        assert_eq!(out("%d %i %u", &["42", "-7", "3"]), "42 -7 3");
        assert_eq!(out("%x %X %o", &["255", "255", "8"]), "ff FF 10");
        assert_eq!(out("%#x %#o %#x", &["255", "8", "0"]), "0xff 010 0");
        assert_eq!(out("[%5d][%-5d][%05d][%+d][% d]", &["42", "42", "-42", "5", "5"]), "[   42][42   ][-0042][+5][ 5]");
        assert_eq!(out("[%.3d][%8.3d][%.0d]", &["7", "-7", "0"]), "[007][    -007][]");
        assert_eq!(out("[%*d][%-*d]", &["4", "1", "3", "2"]), "[   1][2  ]");
        assert_eq!(out("%d %d %d %d", &["0x1f", "017", "'A", " +3"]), "31 15 65 3");
        assert_eq!(out("%u %x", &["-1", "-1"]), "18446744073709551615 ffffffffffffffff");
    }

    #[test]
    fn bad_numbers_are_reported_and_count_as_zero() {
        let (output, errors) = printf(r"%d|%d\n", &["abc", "5"]);
        assert_eq!(output, "0|5\n");
        assert_eq!(errors, ["abc: expected a numeric value"]);
        let (_, errors) = printf("%d", &["99999999999999999999999"]);
        assert_eq!(errors, ["99999999999999999999999: Numerical result out of range"]);
    }

    #[test]
    fn invalid_conversion_stops_with_an_error() {
        let (output, errors) = printf("a%zb", &[]);
        assert_eq!(output, "a");
        assert_eq!(errors, ["%z: invalid conversion specification"]);
        let (_, errors) = printf("a%5", &[]);
        assert_eq!(errors, ["%5: missing conversion specifier"]);
    }

    #[test]
    fn percent_b_and_backslash_c() {
        assert_eq!(out("[%b]", &[r"a\tb\0101"]), "[a\tbA]");
        assert_eq!(out("%b|%s", &[r"stop\chere", "x"]), "stop");
        assert_eq!(out(r"one\ctwo", &[]), "one");
    }

    #[test]
    fn echo_escapes() {
        let expand = |s: &str| expand_escapes(s.as_bytes(), EscapeStyle::Echo);
        assert_eq!(expand(r"a\nb\0101\101"), (b"a\nbA\\101".to_vec(), false));
        assert_eq!(expand(r"x\cy"), (b"x".to_vec(), true));
        assert_eq!(expand(r"\x4a\xg\"), (b"J\\xg\\".to_vec(), false));
    }
}
