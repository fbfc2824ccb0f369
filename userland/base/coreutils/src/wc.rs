//! wc: count lines, words and bytes.

use std::io::{Read, Write};

use crate::common::{FAILURE, SUCCESS, Tool, input_name, inputs, open_input, stdout};

const TOOL: Tool = Tool {
    name: "wc",
    usage: "Usage: wc [-clw] [FILE]...
Count the newlines, words and bytes of each FILE (standard input for '-' or
none), and their total when there are several. A word is a run of
characters between white space.

  -l  lines
  -w  words
  -c  bytes
",
    usage_status: FAILURE,
};

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Counts {
    lines: u64,
    words: u64,
    bytes: u64,
}

/// Counts input that comes in pieces: a word may go on into the next one.
#[derive(Default)]
struct Counter {
    counts: Counts,
    in_word: bool,
}

impl Counter {
    fn add(&mut self, data: &[u8]) {
        self.counts.bytes += data.len() as u64;
        for &byte in data {
            let space = matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
            if byte == b'\n' {
                self.counts.lines += 1;
            }
            if !space && !self.in_word {
                self.counts.words += 1;
            }
            self.in_word = !space;
        }
    }
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "clw") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let all = !(opts.has('l') || opts.has('w') || opts.has('c'));
    let shown = |counts: &Counts| {
        let mut values = Vec::new();
        if all || opts.has('l') {
            values.push(counts.lines);
        }
        if all || opts.has('w') {
            values.push(counts.words);
        }
        if all || opts.has('c') {
            values.push(counts.bytes);
        }
        values
    };
    let mut status = SUCCESS;
    let mut rows: Vec<(Vec<u64>, Option<&str>)> = Vec::new();
    let mut total = Counts::default();
    for path in inputs(&opts.operands) {
        match count(path) {
            Ok(counts) => {
                total.lines += counts.lines;
                total.words += counts.words;
                total.bytes += counts.bytes;
                // Standard input read because there were no operands has no name.
                rows.push((shown(&counts), (!opts.operands.is_empty()).then_some(path)));
            }
            Err(err) => {
                TOOL.error(input_name(path), &err);
                status = FAILURE;
            }
        }
    }
    if opts.operands.len() > 1 {
        rows.push((shown(&total), Some("total")));
    }
    let mut out = stdout();
    match out.write_all(format_rows(&rows).as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

fn count(path: &str) -> std::io::Result<Counts> {
    let mut input = open_input(path)?;
    let mut counter = Counter::default();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match input.read(&mut buf) {
            Ok(0) => return Ok(counter.counts),
            Ok(n) => counter.add(&buf[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// The rows in columns as wide as the widest number.
fn format_rows(rows: &[(Vec<u64>, Option<&str>)]) -> String {
    let width = rows.iter().flat_map(|(values, _)| values).map(|v| v.to_string().len()).max().unwrap_or(1);
    let mut text = String::new();
    for (values, name) in rows {
        let numbers: Vec<String> = values.iter().map(|v| format!("{v:>width$}")).collect();
        text.push_str(&numbers.join(" "));
        if let Some(name) = name {
            text.push(' ');
            text.push_str(name);
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pieces: &[&str]) -> Counts {
        let mut counter = Counter::default();
        for piece in pieces {
            counter.add(piece.as_bytes());
        }
        counter.counts
    }

    #[test]
    fn counts_lines_words_bytes() {
        assert_eq!(counts(&["hello world\n  two\tlines\n"]), Counts { lines: 2, words: 4, bytes: 24 });
        assert_eq!(counts(&["no newline"]), Counts { lines: 0, words: 2, bytes: 10 });
        assert_eq!(counts(&[""]), Counts::default());
    }

    #[test]
    fn a_word_split_between_reads_counts_once() {
        assert_eq!(counts(&["hel", "lo wor", "ld\n"]).words, 2);
    }

    #[test]
    fn columns_share_a_width() {
        let rows = [(vec![1, 2, 30], Some("a")), (vec![10, 200, 3000], Some("total"))];
        assert_eq!(format_rows(&rows), "   1    2   30 a\n  10  200 3000 total\n");
        assert_eq!(format_rows(&[(vec![3], None)]), "3\n");
    }
}
