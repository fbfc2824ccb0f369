//! xargs: run a command with arguments read from standard input.

use std::io::{self, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "xargs",
    usage: "Usage: xargs [-0r] [-n MAX] [COMMAND [ARGUMENT]...]
Run COMMAND (echo by default) with its ARGUMENTs followed by the items read
from standard input, as many times as needed to use them all. Items are
separated by blanks and newlines; quotes ('...' \"...\") and backslashes
keep blanks in an item.

  -n MAX  at most MAX items per command
  -r      do not run COMMAND when there are no items
  -0      items are separated by NUL bytes, taken as they are

Exit status: 0 if all went well, 123 if a command failed, 124 if one
exited with 255, 125 if one was killed by a signal, 126 if COMMAND could
not be run, 127 if it was not found.
",
    usage_status: FAILURE,
};

/// The most bytes of arguments for one command: well under any kernel's
/// limit, so that a long input becomes several commands.
const ARGUMENT_BYTES: usize = 128 * 1024;

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse_leading(args, "0n:r") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let max_items = match opts.value('n').map(|n| TOOL.count("items", n)) {
        None => usize::MAX,
        Some(Ok(0)) => return TOOL.usage_error("-n must be at least 1"),
        Some(Ok(n)) => n as usize,
        Some(Err(status)) => return status,
    };
    let command = if opts.operands.is_empty() { vec!["echo".to_string()] } else { opts.operands.clone() };
    let mut input = Vec::new();
    if let Err(err) = io::stdin().lock().read_to_end(&mut input) {
        TOOL.error("standard input", &err);
        return FAILURE;
    }
    let items = if opts.has('0') {
        split_nul(&input)
    } else {
        match split_items(&String::from_utf8_lossy(&input)) {
            Ok(items) => items,
            Err(message) => {
                TOOL.fail(message);
                return FAILURE;
            }
        }
    };
    if items.is_empty() && opts.has('r') {
        return SUCCESS;
    }
    let base_bytes: usize = command.iter().map(|a| a.len() + 1).sum();
    let mut status = SUCCESS;
    for batch in batches(&items, max_items, ARGUMENT_BYTES.saturating_sub(base_bytes)) {
        match run_command(&command, batch) {
            Outcome::Done => {}
            Outcome::Failed => status = 123,
            Outcome::Stop(code) => return code,
        }
    }
    status
}

enum Outcome {
    Done,
    /// Exited with 1 to 254: xargs goes on and fails at the end.
    Failed,
    /// xargs stops at once with this status.
    Stop(i32),
}

fn run_command(command: &[String], items: &[String]) -> Outcome {
    // The command's standard input is not ours: xargs has read it all.
    let ran = Command::new(&command[0]).args(&command[1..]).args(items).stdin(Stdio::null()).status();
    match ran {
        Ok(status) if status.success() => Outcome::Done,
        Ok(status) => match (status.code(), status.signal()) {
            (Some(255), _) => {
                TOOL.fail(format_args!("{}: exited with status 255; aborting", command[0]));
                Outcome::Stop(124)
            }
            (Some(_), _) => Outcome::Failed,
            (None, signal) => {
                TOOL.fail(format_args!("{}: terminated by signal {}", command[0], signal.unwrap_or(0)));
                Outcome::Stop(125)
            }
        },
        Err(err) => {
            TOOL.error(&command[0], &err);
            Outcome::Stop(if err.kind() == io::ErrorKind::NotFound { 127 } else { 126 })
        }
    }
}

/// Splits the input into items: blanks and newlines separate them, quotes
/// and backslashes keep them together.
fn split_items(input: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut item = String::new();
    let mut in_item = false;
    let mut chars = input.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_item {
                    items.push(std::mem::take(&mut item));
                    in_item = false;
                }
            }
            '\'' | '"' => {
                in_item = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\n') | None => {
                            let kind = if c == '\'' { "single" } else { "double" };
                            return Err(format!("unmatched {kind} quote"));
                        }
                        Some(other) => item.push(other),
                    }
                }
            }
            '\\' => {
                in_item = true;
                item.extend(chars.next());
            }
            _ => {
                in_item = true;
                item.push(c);
            }
        }
    }
    if in_item {
        items.push(item);
    }
    Ok(items)
}

/// Items separated by NUL bytes (-0), from `find -print0` and the like.
fn split_nul(input: &[u8]) -> Vec<String> {
    let body = input.strip_suffix(b"\0").unwrap_or(input);
    if input.is_empty() {
        return Vec::new();
    }
    body.split(|&b| b == 0).map(|item| String::from_utf8_lossy(item).into_owned()).collect()
}

/// Groups the items for the commands: at most `max_items` and about
/// `max_bytes` of arguments each, at least one item each. No items make one
/// empty group: the command runs once anyway.
fn batches(items: &[String], max_items: usize, max_bytes: usize) -> Vec<&[String]> {
    let mut batches = Vec::new();
    let mut start = 0;
    loop {
        let mut end = start;
        let mut bytes = 0;
        while end < items.len() && end - start < max_items {
            let size = items[end].len() + 1;
            if end > start && bytes + size > max_bytes {
                break;
            }
            bytes += size;
            end += 1;
        }
        batches.push(&items[start..end]);
        if end >= items.len() {
            return batches;
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_with_quotes_and_backslashes() {
        let items = split_items("a b\n  c\t'd e' \"f 'g'\" h\\ i ''\n").unwrap();
        assert_eq!(items, ["a", "b", "c", "d e", "f 'g'", "h i", ""]);
        assert!(split_items("").unwrap().is_empty());
        assert!(split_items("'open").is_err());
        assert!(split_items("\"a\nb\"").is_err());
    }

    #[test]
    fn nul_separated_items() {
        assert_eq!(split_nul(b"a b\0c\0"), ["a b", "c"]);
        assert!(split_nul(b"").is_empty());
    }

    #[test]
    fn batching() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].iter().map(|s| s.to_string()).collect();
        let sizes = |b: Vec<&[String]>| b.iter().map(|b| b.len()).collect::<Vec<_>>();
        assert_eq!(sizes(batches(&items, 2, usize::MAX)), [2, 2, 1]);
        assert_eq!(sizes(batches(&items, usize::MAX, usize::MAX)), [5]);
        assert_eq!(sizes(batches(&items, usize::MAX, 4)), [2, 2, 1]);
        assert_eq!(sizes(batches(&items, usize::MAX, 1)), [1, 1, 1, 1, 1]);
        assert_eq!(sizes(batches(&[], 3, 100)), [0]);
    }
}
