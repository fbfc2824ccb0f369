//! uniq: report or filter out repeated adjacent lines.

use std::fs::File;
use std::io::{self, Write};

use crate::common::{FAILURE, SUCCESS, Tool, input_name, read_input, split_lines};

const TOOL: Tool = Tool {
    name: "uniq",
    usage: "Usage: uniq [-cdu] [INPUT [OUTPUT]]
Write INPUT (standard input for '-' or none) to OUTPUT (standard output by
default) with each run of identical adjacent lines written once.

  -c  prefix each line with the number of times it occurred
  -d  only the lines that were repeated
  -u  only the lines that were not repeated
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "cdu") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let (input, output) = match opts.operands.as_slice() {
        [] => ("-", None),
        [input] => (input.as_str(), None),
        [input, output] => (input.as_str(), Some(output)),
        [_, _, extra, ..] => return TOOL.usage_error(format_args!("extra operand '{extra}'")),
    };
    let data = match read_input(input) {
        Ok(data) => data,
        Err(err) => {
            TOOL.error(input_name(input), &err);
            return FAILURE;
        }
    };
    let mut out: Box<dyn Write> = match output {
        None => Box::new(io::stdout().lock()),
        Some(path) => match File::create(path) {
            Ok(file) => Box::new(file),
            Err(err) => {
                TOOL.error(path, &err);
                return FAILURE;
            }
        },
    };
    let text = format_groups(&groups(&split_lines(&data)), opts.has('c'), opts.has('d'), opts.has('u'));
    match out.write_all(&text).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}

/// Runs of equal adjacent lines: how long each run is, and its line.
fn groups<'a>(lines: &[&'a [u8]]) -> Vec<(usize, &'a [u8])> {
    let mut groups: Vec<(usize, &[u8])> = Vec::new();
    for &line in lines {
        match groups.last_mut() {
            Some((count, last)) if *last == line => *count += 1,
            _ => groups.push((1, line)),
        }
    }
    groups
}

fn format_groups(groups: &[(usize, &[u8])], counts: bool, repeated_only: bool, unique_only: bool) -> Vec<u8> {
    let mut text = Vec::new();
    for &(count, line) in groups {
        if (repeated_only && count == 1) || (unique_only && count > 1) {
            continue;
        }
        if counts {
            text.extend_from_slice(format!("{count:>7} ").as_bytes());
        }
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniq(input: &str, counts: bool, repeated: bool, unique: bool) -> String {
        let lines = split_lines(input.as_bytes());
        String::from_utf8(format_groups(&groups(&lines), counts, repeated, unique)).unwrap()
    }

    #[test]
    fn adjacent_runs_collapse() {
        assert_eq!(uniq("a\na\nb\na\n", false, false, false), "a\nb\na\n");
        assert_eq!(uniq("a\na\nb", false, false, false), "a\nb\n");
        assert_eq!(uniq("", false, false, false), "");
    }

    #[test]
    fn counts_and_filters() {
        assert_eq!(uniq("a\na\nb\n", true, false, false), "      2 a\n      1 b\n");
        assert_eq!(uniq("a\na\nb\nc\nc\n", false, true, false), "a\nc\n");
        assert_eq!(uniq("a\na\nb\nc\nc\n", false, false, true), "b\n");
        assert_eq!(uniq("a\na\nb\n", true, true, false), "      2 a\n");
    }
}
