//! cut: select parts of each line: bytes, characters, or fields.

use std::io::{BufRead, BufReader, Write};

use crate::common::{FAILURE, Options, SUCCESS, Tool, input_name, inputs, open_input, stdout};

const TOOL: Tool = Tool {
    name: "cut",
    usage: "Usage: cut -b LIST [FILE]...
  or:  cut -c LIST [FILE]...
  or:  cut -f LIST [-d DELIM] [-s] [FILE]...
Write the selected parts of each line of each FILE (standard input for '-'
or none).

  -b LIST   these bytes
  -c LIST   these characters
  -f LIST   these fields, separated by DELIM (a tab by default); lines
            without DELIM are written whole
  -d DELIM  the field separator, one character
  -s        with -f, leave out lines without DELIM

LIST is numbers and ranges counting from 1, separated by commas: 1,3-5,7-
(7 to the end), -2 (1 to 2).
",
    usage_status: FAILURE,
};

/// Ranges of positions from 1, inclusive; open ends are 1 and `usize::MAX`.
type List = Vec<(usize, usize)>;

enum Mode {
    Bytes(List),
    Chars(List),
    Fields { list: List, delimiter: u8, only_delimited: bool },
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "b:c:d:f:s") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let mode = match parse_mode(&opts) {
        Ok(mode) => mode,
        Err(message) => return TOOL.usage_error(message),
    };
    let mut out = stdout();
    let mut status = SUCCESS;
    for path in inputs(&opts.operands) {
        let mut input = match open_input(path) {
            Ok(input) => BufReader::new(input),
            Err(err) => {
                TOOL.error(input_name(path), &err);
                status = FAILURE;
                continue;
            }
        };
        let mut line = Vec::new();
        loop {
            line.clear();
            match input.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) => {
                    let _ = out.flush();
                    TOOL.error(input_name(path), &err);
                    status = FAILURE;
                    break;
                }
            }
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            if let Some(selected) = cut_line(text, &mode)
                && let Err(err) = out.write_all(&selected).and_then(|()| out.write_all(b"\n"))
            {
                return TOOL.write_error(&err);
            }
        }
    }
    match out.flush() {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

fn parse_mode(opts: &Options) -> Result<Mode, String> {
    let fields = opts.value('f');
    if fields.is_none() && (opts.has('d') || opts.has('s')) {
        return Err("-d and -s only go with -f".to_string());
    }
    match (opts.value('b'), opts.value('c'), fields) {
        (Some(list), None, None) => Ok(Mode::Bytes(parse_list(list)?)),
        (None, Some(list), None) => Ok(Mode::Chars(parse_list(list)?)),
        (None, None, Some(list)) => {
            let delimiter = match opts.value('d').map(str::as_bytes) {
                None => b'\t',
                Some(&[byte]) => byte,
                Some(_) => return Err("the delimiter must be a single byte".to_string()),
            };
            Ok(Mode::Fields { list: parse_list(list)?, delimiter, only_delimited: opts.has('s') })
        }
        _ => Err("give exactly one of -b, -c and -f".to_string()),
    }
}

fn parse_list(text: &str) -> Result<List, String> {
    let invalid = || format!("invalid list '{text}'");
    let number = |s: &str| match s.parse::<usize>() {
        Ok(0) => Err("positions are numbered from 1".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(invalid()),
    };
    text.split(',')
        .map(|item| match item.split_once('-') {
            None => number(item).map(|n| (n, n)),
            Some(("", "")) => Err(invalid()),
            Some((from, to)) => {
                let from = if from.is_empty() { 1 } else { number(from)? };
                let to = if to.is_empty() { usize::MAX } else { number(to)? };
                if from > to { Err(format!("decreasing range '{item}'")) } else { Ok((from, to)) }
            }
        })
        .collect()
}

fn selected(list: &List, position: usize) -> bool {
    list.iter().any(|&(from, to)| from <= position && position <= to)
}

/// The selected part of a line, or `None` when -s leaves the line out.
/// Parts come in line order, each once, whatever the order of the list.
fn cut_line(line: &[u8], mode: &Mode) -> Option<Vec<u8>> {
    match mode {
        Mode::Bytes(list) => Some(pick(line.iter().map(std::slice::from_ref), list, b"")),
        Mode::Chars(list) => match std::str::from_utf8(line) {
            Ok(text) => Some(pick(text.char_indices().map(|(at, c)| &line[at..at + c.len_utf8()]), list, b"")),
            // Not UTF-8: characters are bytes.
            Err(_) => Some(pick(line.iter().map(std::slice::from_ref), list, b"")),
        },
        Mode::Fields { list, delimiter, only_delimited } => {
            if !line.contains(delimiter) {
                return (!only_delimited).then(|| line.to_vec());
            }
            Some(pick(line.split(|b| b == delimiter), list, &[*delimiter]))
        }
    }
}

/// Joins the selected pieces with `separator`.
fn pick<'a>(pieces: impl Iterator<Item = &'a [u8]>, list: &List, separator: &[u8]) -> Vec<u8> {
    let chosen: Vec<&[u8]> = pieces.enumerate().filter(|(i, _)| selected(list, i + 1)).map(|(_, p)| p).collect();
    chosen.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(line: &str, mode: &Mode) -> Option<String> {
        cut_line(line.as_bytes(), mode).map(|v| String::from_utf8(v).unwrap())
    }

    fn fields(list: &str, delimiter: u8, only_delimited: bool) -> Mode {
        Mode::Fields { list: parse_list(list).unwrap(), delimiter, only_delimited }
    }

    #[test]
    fn lists() {
        assert_eq!(parse_list("1,3-5,7-").unwrap(), [(1, 1), (3, 5), (7, usize::MAX)]);
        assert_eq!(parse_list("-2").unwrap(), [(1, 2)]);
        assert!(parse_list("0").is_err());
        assert!(parse_list("a").is_err());
        assert!(parse_list("3-1").is_err());
        assert!(parse_list("-").is_err());
        assert!(parse_list("").is_err());
    }

    #[test]
    fn field_selection() {
        assert_eq!(cut("a:b:c:d", &fields("2,4", b':', false)).unwrap(), "b:d");
        assert_eq!(cut("a:b:c:d", &fields("4,2", b':', false)).unwrap(), "b:d");
        assert_eq!(cut("a:b:c:d", &fields("3-", b':', false)).unwrap(), "c:d");
        assert_eq!(cut("a:b", &fields("5", b':', false)).unwrap(), "");
        assert_eq!(cut("a\tb", &fields("2", b'\t', false)).unwrap(), "b");
        assert_eq!(cut("no delimiter", &fields("2", b':', false)).unwrap(), "no delimiter");
        assert_eq!(cut("no delimiter", &fields("2", b':', true)), None);
        assert_eq!(cut("a::c", &fields("2-3", b':', false)).unwrap(), ":c");
    }

    #[test]
    fn bytes_and_characters() {
        assert_eq!(cut("hello", &Mode::Bytes(parse_list("2-3").unwrap())).unwrap(), "el");
        assert_eq!(cut("héllo", &Mode::Chars(parse_list("2,5").unwrap())).unwrap(), "éo");
        assert_eq!(cut("hello", &Mode::Chars(parse_list("4-").unwrap())).unwrap(), "lo");
    }
}
