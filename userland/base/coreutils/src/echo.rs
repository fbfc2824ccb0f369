//! echo: write the arguments, separated by spaces, and a newline.

use std::io::{self, Write};

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::printf::{EscapeStyle, expand_escapes};

const TOOL: Tool = Tool {
    name: "echo",
    usage: "Usage: echo [-neE] [STRING]...
Write the STRINGs, separated by spaces, followed by a newline.

  -n  no newline at the end
  -e  interpret backslash escapes: \\\\ \\a \\b \\c (stop here) \\e \\f \\n \\r \\t \\v
      \\0NNN (octal byte) \\xHH (hex byte)
  -E  do not interpret them (the default)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    // Like GNU echo, --help only as the sole argument: `echo --help` is
    // otherwise text to print.
    if args == ["--help"] {
        return TOOL.help();
    }
    let (mut newline, mut escapes) = (true, false);
    // Leading arguments made only of n, e and E letters are options;
    // anything else (even "-x") is the first word to print.
    let mut words = args;
    while let Some((first, rest)) = words.split_first() {
        let Some(letters) = first.strip_prefix('-') else { break };
        if letters.is_empty() || !letters.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for letter in letters.chars() {
            match letter {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        words = rest;
    }
    let text = words.join(" ");
    let mut output = if escapes {
        let (bytes, stopped) = expand_escapes(text.as_bytes(), EscapeStyle::Echo);
        // \c ends all output, the newline included.
        newline &= !stopped;
        bytes
    } else {
        text.into_bytes()
    };
    if newline {
        output.push(b'\n');
    }
    let mut out = io::stdout().lock();
    match out.write_all(&output).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}
