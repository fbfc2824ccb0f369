//! tail: the last lines or bytes of files, or those from a given one on.

use std::io::Write;

use crate::common::{
    FAILURE, SUCCESS, Tool, expand_line_count, input_name, inputs, read_input, stdout, write_file_header,
};

const TOOL: Tool = Tool {
    name: "tail",
    usage: "Usage: tail [-n [+]LINES | -c [+]BYTES] [FILE]...
Write the last 10 lines of each FILE (standard input for '-' or none),
with a '==> FILE <==' header when there are several.

  -n LINES   the last LINES lines (-LINES is the same)
  -n +LINE   the lines from number LINE on (counting from 1)
  -c BYTES   the last BYTES bytes
  -c +BYTE   the bytes from number BYTE on
",
    usage_status: FAILURE,
};

/// Which part of the input: the last N lines or bytes, or from the Nth on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Span {
    Last(u64),
    From(u64),
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(&expand_line_count(args), "n:c:") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let by_bytes = opts.last_of("nc") == Some('c');
    let span = match (by_bytes, opts.value('n'), opts.value('c')) {
        (true, _, Some(bytes)) => parse_span("bytes", bytes),
        (false, Some(lines), _) => parse_span("lines", lines),
        _ => Ok(Span::Last(10)),
    };
    let span = match span {
        Ok(span) => span,
        Err(status) => return status,
    };
    let files = inputs(&opts.operands);
    let mut out = stdout();
    let mut status = SUCCESS;
    for (i, path) in files.iter().enumerate() {
        // The whole input is read: tail must see the end to know where the
        // last lines start, and pipes cannot seek.
        let data = match read_input(path) {
            Ok(data) => data,
            Err(err) => {
                let _ = out.flush();
                TOOL.error(input_name(path), &err);
                status = FAILURE;
                continue;
            }
        };
        let part = if by_bytes { tail_bytes(&data, span) } else { tail_lines(&data, span) };
        let written = if files.len() > 1 { write_file_header(&mut out, path, i == 0) } else { Ok(()) };
        if let Err(err) = written.and_then(|()| out.write_all(part)) {
            return TOOL.write_error(&err);
        }
    }
    match out.flush() {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

fn parse_span(what: &str, text: &str) -> Result<Span, i32> {
    match text.strip_prefix('+') {
        Some(from) => TOOL.count(what, from).map(Span::From),
        None => TOOL.count(what, text.strip_prefix('-').unwrap_or(text)).map(Span::Last),
    }
}

fn tail_lines(data: &[u8], span: Span) -> &[u8] {
    match span {
        Span::Last(0) => &[],
        Span::Last(count) => {
            // The newline ending the last line does not start another.
            let body = data.strip_suffix(b"\n").unwrap_or(data);
            let mut newlines = body.iter().enumerate().rev().filter(|&(_, &b)| b == b'\n');
            match newlines.nth(count as usize - 1) {
                Some((at, _)) => &data[at + 1..],
                None => data,
            }
        }
        // Lines count from 1; +0 is taken as +1, as GNU tail does.
        Span::From(0 | 1) => data,
        Span::From(line) => match data.iter().enumerate().filter(|&(_, &b)| b == b'\n').nth(line as usize - 2) {
            Some((at, _)) => &data[at + 1..],
            None => &[],
        },
    }
}

fn tail_bytes(data: &[u8], span: Span) -> &[u8] {
    let start = match span {
        Span::Last(count) => data.len().saturating_sub(count as usize),
        Span::From(byte) => (byte.saturating_sub(1) as usize).min(data.len()),
    };
    &data[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines() {
        assert_eq!(tail_lines(b"a\nb\nc\n", Span::Last(2)), b"b\nc\n");
        assert_eq!(tail_lines(b"a\nb\nc", Span::Last(2)), b"b\nc");
        assert_eq!(tail_lines(b"a\nb\n", Span::Last(5)), b"a\nb\n");
        assert_eq!(tail_lines(b"a\nb\n", Span::Last(0)), b"");
        assert_eq!(tail_lines(b"", Span::Last(3)), b"");
        assert_eq!(tail_lines(b"\n\n\n", Span::Last(1)), b"\n");
    }

    #[test]
    fn lines_from() {
        assert_eq!(tail_lines(b"a\nb\nc\n", Span::From(2)), b"b\nc\n");
        assert_eq!(tail_lines(b"a\nb\nc\n", Span::From(1)), b"a\nb\nc\n");
        assert_eq!(tail_lines(b"a\nb\nc\n", Span::From(0)), b"a\nb\nc\n");
        assert_eq!(tail_lines(b"a\nb\nc\n", Span::From(4)), b"");
        assert_eq!(tail_lines(b"a\nb\nc\n", Span::From(9)), b"");
    }

    #[test]
    fn bytes() {
        assert_eq!(tail_bytes(b"hello", Span::Last(3)), b"llo");
        assert_eq!(tail_bytes(b"hello", Span::Last(9)), b"hello");
        assert_eq!(tail_bytes(b"hello", Span::From(2)), b"ello");
        assert_eq!(tail_bytes(b"hello", Span::From(9)), b"");
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("lines", "+3"), Ok(Span::From(3)));
        assert_eq!(parse_span("lines", "3"), Ok(Span::Last(3)));
        assert_eq!(parse_span("lines", "-3"), Ok(Span::Last(3)));
        assert_eq!(parse_span("lines", "x"), Err(FAILURE));
    }
}
