//! sort: sort lines, by bytes (the C locale) or by number.

use std::cmp::Ordering;
use std::io::Write;

use crate::common::{SUCCESS, Tool, USAGE, input_name, inputs, read_input, split_lines, stdout};

const TOOL: Tool = Tool {
    name: "sort",
    usage: "Usage: sort [-nru] [FILE]...
Write the lines of all FILEs (standard input for '-' or none) sorted, by
byte value.

  -n  by the number at the start of each line (-1.5, 10, 007); lines
      without one count as 0; equal numbers go by bytes
  -r  reverse the order
  -u  only the first of lines that compare equal
",
    usage_status: USAGE,
};

/// sort fails with 2, like its usage errors.
const TROUBLE: i32 = USAGE;

#[derive(Clone, Copy)]
struct Order {
    numeric: bool,
    reverse: bool,
    unique: bool,
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "nru") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let order = Order { numeric: opts.has('n'), reverse: opts.has('r'), unique: opts.has('u') };
    let mut data = Vec::new();
    for path in inputs(&opts.operands) {
        match read_input(path) {
            Ok(mut more) => {
                // Each file's last line ends, even without a newline.
                if more.last().is_some_and(|&b| b != b'\n') {
                    more.push(b'\n');
                }
                data.append(&mut more);
            }
            Err(err) => {
                TOOL.error(input_name(path), &err);
                return TROUBLE;
            }
        }
    }
    let mut out = stdout();
    let written = sort_lines(split_lines(&data), order).iter().try_for_each(|line| {
        out.write_all(line)?;
        out.write_all(b"\n")
    });
    match written.and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => {
            TOOL.write_error(&err);
            TROUBLE
        }
    }
}

fn sort_lines(mut lines: Vec<&[u8]>, order: Order) -> Vec<&[u8]> {
    let compare = |a: &&[u8], b: &&[u8]| {
        let ordering = if order.numeric {
            let key = compare_numbers(a, b);
            // Lines with equal numbers go by bytes, as with GNU sort; with
            // -u they keep their input order, so that the first one stays.
            if order.unique { key } else { key.then_with(|| a.cmp(b)) }
        } else {
            a.cmp(b)
        };
        if order.reverse { ordering.reverse() } else { ordering }
    };
    lines.sort_by(compare);
    if order.unique {
        let same = |a: &[u8], b: &[u8]| if order.numeric { compare_numbers(a, b).is_eq() } else { a == b };
        lines.dedup_by(|later, earlier| same(later, earlier));
    }
    lines
}

/// A number at the start of a line, as -n reads it: blanks, an optional
/// minus, digits, an optional fraction. Kept as digits, so that numbers of
/// any length compare exactly.
struct Number<'a> {
    negative: bool,
    /// Without leading zeros.
    integer: &'a [u8],
    /// Without trailing zeros.
    fraction: &'a [u8],
}

fn parse_number(line: &[u8]) -> Number<'_> {
    let start = line.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    let rest = &line[start..];
    let (negative, rest) = match rest.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let integer_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let integer = &rest[..integer_len];
    let fraction = match rest[integer_len..].strip_prefix(b".") {
        Some(after) => &after[..after.iter().take_while(|b| b.is_ascii_digit()).count()],
        None => &[],
    };
    let integer = &integer[integer.iter().take_while(|&&b| b == b'0').count()..];
    let fraction = &fraction[..fraction.len() - fraction.iter().rev().take_while(|&&b| b == b'0').count()];
    // -0 is 0.
    let negative = negative && !(integer.is_empty() && fraction.is_empty());
    Number { negative, integer, fraction }
}

fn compare_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let (a, b) = (parse_number(a), parse_number(b));
    let magnitude = || {
        // Longer integer parts are larger; fractions compare digit by digit.
        a.integer.len().cmp(&b.integer.len()).then(a.integer.cmp(b.integer)).then(a.fraction.cmp(b.fraction))
    };
    match (a.negative, b.negative) {
        (false, false) => magnitude(),
        (true, true) => magnitude().reverse(),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(input: &str, numeric: bool, reverse: bool, unique: bool) -> Vec<String> {
        let lines = split_lines(input.as_bytes());
        let order = Order { numeric, reverse, unique };
        sort_lines(lines, order).iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect()
    }

    #[test]
    fn by_bytes() {
        assert_eq!(sorted("b\na\nB\nab\n", false, false, false), ["B", "a", "ab", "b"]);
        assert_eq!(sorted("b\na\nc\n", false, true, false), ["c", "b", "a"]);
        assert_eq!(sorted("b\na\nb\na\n", false, false, true), ["a", "b"]);
    }

    #[test]
    fn by_number() {
        assert_eq!(
            sorted("10\n9\n-1\n2.5\nx\n-10\n0\n", true, false, false),
            ["-10", "-1", "0", "x", "2.5", "9", "10"]
        );
        assert_eq!(sorted("10\n9\n100\n", true, true, false), ["100", "10", "9"]);
        assert_eq!(
            sorted("123456789012345678901234567890\n123456789012345678901234567889\n", true, false, false),
            ["123456789012345678901234567889", "123456789012345678901234567890"]
        );
        assert_eq!(sorted("1.5\n1.45\n1.50\n", true, false, false), ["1.45", "1.5", "1.50"]);
        assert_eq!(sorted("  3\n-0\n0\n", true, false, false), ["-0", "0", "  3"]);
    }

    #[test]
    fn unique_by_number_keeps_the_first() {
        assert_eq!(sorted("01\n1\n2\n1.0\n", true, false, true), ["01", "2"]);
        assert_eq!(sorted("b 1\na 1\n", true, false, true), ["b 1"]);
    }
}
