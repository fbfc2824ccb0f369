//! test and [: evaluate a conditional expression; the exit status tells
//! whether it is true. One executable serves both names: cargo cannot name
//! a binary `[`, so the image installs `test` a second time as `[`.

use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use crate::common::{FAILURE, SUCCESS, Tool, USAGE};
use crate::sys;

const USAGE_TEXT: &str = "Usage: test EXPRESSION
  or:  [ EXPRESSION ]
Exit with 0 if EXPRESSION is true, 1 if it is false, 2 if it is wrong.

Files (symbolic links followed but by -L):
  -e FILE  exists          -f FILE  is a regular file   -d FILE  a directory
  -L FILE  a symbolic link (-h is the same)             -s FILE  not empty
  -b -c -p -S FILE  a block or character device, a fifo, a socket
  -r -w -x FILE  may be read, written, executed
Strings:
  -z S  is empty   -n S  is not   S  is not empty
  S1 = S2   S1 != S2   S1 < S2   S1 > S2  (by bytes)
Integers:
  N1 -eq N2   -ne   -lt   -le   -gt   -ge
Logic, by decreasing precedence:
  ( EXPRESSION )   ! EXPRESSION   EXPR1 -a EXPR2 (and)   EXPR1 -o EXPR2 (or)
";

const TEST: Tool = Tool { name: "test", usage: USAGE_TEXT, usage_status: USAGE };
const BRACKET: Tool = Tool { name: "[", usage: USAGE_TEXT, usage_status: USAGE };

/// `test EXPRESSION`.
pub fn run(args: &[String]) -> i32 {
    if args == ["--help"] {
        return TEST.help();
    }
    status(&TEST, evaluate(args))
}

/// `[ EXPRESSION ]`: the same, with the closing bracket required.
pub fn run_bracket(args: &[String]) -> i32 {
    if args == ["--help"] {
        return BRACKET.help();
    }
    match args.split_last() {
        Some((last, expression)) if last == "]" => status(&BRACKET, evaluate(expression)),
        _ => {
            BRACKET.fail("missing ']'");
            USAGE
        }
    }
}

fn status(tool: &Tool, result: Result<bool, String>) -> i32 {
    match result {
        Ok(true) => SUCCESS,
        Ok(false) => FAILURE,
        Err(message) => {
            tool.fail(message);
            USAGE
        }
    }
}

fn is_unary(op: &str) -> bool {
    matches!(op, "-e" | "-f" | "-d" | "-L" | "-h" | "-s" | "-b" | "-c" | "-p" | "-S" | "-r" | "-w" | "-x" | "-z" | "-n")
}

/// Binary operators that compare; -a and -o also join expressions.
fn is_comparison(op: &str) -> bool {
    matches!(op, "=" | "==" | "!=" | "<" | ">" | "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge")
}

/// Evaluates an expression. POSIX settles up to four arguments by their
/// number, so that operands that look like operators (`test -n`,
/// `[ "$x" = ! ]`) mean what the user meant; longer ones are parsed.
pub fn evaluate(args: &[String]) -> Result<bool, String> {
    let arg = |i: usize| args[i].as_str();
    match args.len() {
        0 => Ok(false),
        1 => Ok(!arg(0).is_empty()),
        2 if arg(0) == "!" => Ok(arg(1).is_empty()),
        2 if is_unary(arg(0)) => unary(arg(0), arg(1)),
        2 => Err(format!("{}: unary operator expected", arg(0))),
        3 if is_comparison(arg(1)) => compare(arg(0), arg(1), arg(2)),
        3 if arg(1) == "-a" => Ok(!arg(0).is_empty() && !arg(2).is_empty()),
        3 if arg(1) == "-o" => Ok(!arg(0).is_empty() || !arg(2).is_empty()),
        3 if arg(0) == "!" => evaluate(&args[1..]).map(|b| !b),
        3 if arg(0) == "(" && arg(2) == ")" => Ok(!arg(1).is_empty()),
        4 if arg(0) == "!" => evaluate(&args[1..]).map(|b| !b),
        4 if arg(0) == "(" && arg(3) == ")" => evaluate(&args[1..3]),
        _ => {
            let mut parser = Parser { args, at: 0 };
            let value = parser.or()?;
            match args.get(parser.at) {
                None => Ok(value),
                Some(extra) => Err(format!("extra argument '{extra}'")),
            }
        }
    }
}

/// Recursive descent, lowest precedence first: -o, -a, !, primaries.
struct Parser<'a> {
    args: &'a [String],
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self, ahead: usize) -> Option<&'a str> {
        self.args.get(self.at + ahead).map(String::as_str)
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut value = self.and()?;
        while self.peek(0) == Some("-o") {
            self.at += 1;
            // Both sides are parsed whatever the left one gave.
            value |= self.and()?;
        }
        Ok(value)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut value = self.not()?;
        while self.peek(0) == Some("-a") {
            self.at += 1;
            value &= self.not()?;
        }
        Ok(value)
    }

    fn not(&mut self) -> Result<bool, String> {
        if self.peek(0) == Some("!") && self.peek(1).is_some() {
            self.at += 1;
            return self.not().map(|b| !b);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(first) = self.peek(0) else { return Err("argument expected".to_string()) };
        // A comparison first: in `( = (`, the parentheses are strings.
        if let (Some(op), Some(right)) = (self.peek(1), self.peek(2))
            && is_comparison(op)
        {
            self.at += 3;
            return compare(first, op, right);
        }
        if first == "(" && self.peek(1).is_some() {
            self.at += 1;
            let value = self.or()?;
            if self.peek(0) != Some(")") {
                return Err("missing ')'".to_string());
            }
            self.at += 1;
            return Ok(value);
        }
        if is_unary(first)
            && let Some(operand) = self.peek(1)
        {
            self.at += 2;
            return unary(first, operand);
        }
        self.at += 1;
        Ok(!first.is_empty())
    }
}

fn unary(op: &str, operand: &str) -> Result<bool, String> {
    let path = Path::new(operand);
    let followed = || fs::metadata(path).ok();
    Ok(match op {
        "-z" => operand.is_empty(),
        "-n" => !operand.is_empty(),
        "-e" => followed().is_some(),
        "-f" => followed().is_some_and(|m| m.is_file()),
        "-d" => followed().is_some_and(|m| m.is_dir()),
        "-s" => followed().is_some_and(|m| m.len() > 0),
        "-b" => followed().is_some_and(|m| m.file_type().is_block_device()),
        "-c" => followed().is_some_and(|m| m.file_type().is_char_device()),
        "-p" => followed().is_some_and(|m| m.file_type().is_fifo()),
        "-S" => followed().is_some_and(|m| m.file_type().is_socket()),
        "-L" | "-h" => fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()),
        "-r" => sys::can_access(path, sys::R_OK),
        "-w" => sys::can_access(path, sys::W_OK),
        "-x" => sys::can_access(path, sys::X_OK),
        _ => return Err(format!("{op}: unary operator expected")),
    })
}

fn compare(left: &str, op: &str, right: &str) -> Result<bool, String> {
    let integer = |text: &str| -> Result<i64, String> {
        text.trim().parse().map_err(|_| format!("{text}: integer expression expected"))
    };
    Ok(match op {
        "=" | "==" => left == right,
        "!=" => left != right,
        "<" => left.as_bytes() < right.as_bytes(),
        ">" => left.as_bytes() > right.as_bytes(),
        _ => {
            let (a, b) = (integer(left)?, integer(right)?);
            match op {
                "-eq" => a == b,
                "-ne" => a != b,
                "-lt" => a < b,
                "-le" => a <= b,
                "-gt" => a > b,
                "-ge" => a >= b,
                _ => return Err(format!("{op}: binary operator expected")),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(args: &[&str]) -> Result<bool, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        evaluate(&args)
    }

    #[test]
    fn by_argument_count() {
        assert_eq!(test(&[]), Ok(false));
        assert_eq!(test(&[""]), Ok(false));
        assert_eq!(test(&["-n"]), Ok(true));
        assert_eq!(test(&["!"]), Ok(true));
        assert_eq!(test(&["!", ""]), Ok(true));
        assert_eq!(test(&["-z", ""]), Ok(true));
        assert_eq!(test(&["-n", ""]), Ok(false));
        assert_eq!(test(&["=", "=", "="]), Ok(true));
        assert_eq!(test(&["!", "=", "x"]), Ok(false));
        assert_eq!(test(&["(", "x", ")"]), Ok(true));
        assert_eq!(test(&["!", "-z", "x"]), Ok(true));
        assert_eq!(test(&["!", "a", "=", "a"]), Ok(false));
        assert_eq!(test(&["(", "-n", "", ")"]), Ok(false));
        assert_eq!(test(&["a", "-a", ""]), Ok(false));
        assert_eq!(test(&["a", "-o", ""]), Ok(true));
        assert!(test(&["x", "y"]).is_err());
    }

    #[test]
    fn strings_and_integers() {
        assert_eq!(test(&["abc", "=", "abc"]), Ok(true));
        assert_eq!(test(&["abc", "!=", "abc"]), Ok(false));
        assert_eq!(test(&["a", "<", "b"]), Ok(true));
        assert_eq!(test(&["10", "-gt", "9"]), Ok(true));
        assert_eq!(test(&["-5", "-lt", "3"]), Ok(true));
        assert_eq!(test(&[" 7 ", "-eq", "7"]), Ok(true));
        assert_eq!(test(&["3", "-le", "3"]), Ok(true));
        assert_eq!(test(&["3", "-ne", "3"]), Ok(false));
        assert_eq!(test(&["3", "-ge", "4"]), Ok(false));
        assert_eq!(test(&["x", "-eq", "1"]), Err("x: integer expression expected".to_string()));
    }

    #[test]
    fn logic_and_parentheses() {
        assert_eq!(test(&["a", "=", "a", "-a", "b", "=", "b"]), Ok(true));
        assert_eq!(test(&["a", "=", "b", "-o", "b", "=", "b"]), Ok(true));
        // -a binds tighter than -o.
        assert_eq!(test(&["x", "-o", "", "-a", ""]), Ok(true));
        assert_eq!(test(&["(", "x", "-o", "", ")", "-a", ""]), Ok(false));
        assert_eq!(test(&["!", "(", "1", "-eq", "2", ")", "-a", "-n", "x"]), Ok(true));
        assert_eq!(test(&["(", "1", "-eq", "1"]), Err("missing ')'".to_string()));
        assert!(test(&["a", "=", "a", "b", "c"]).is_err());
    }

    #[test]
    fn files() {
        assert_eq!(test(&["-e", "/"]), Ok(true));
        assert_eq!(test(&["-d", "/"]), Ok(true));
        assert_eq!(test(&["-f", "/"]), Ok(false));
        assert_eq!(test(&["-e", "/nonexistent/file"]), Ok(false));
        assert_eq!(test(&["-r", "/"]), Ok(true));
        assert_eq!(test(&["-L", "/"]), Ok(false));
        assert_eq!(test(&["-x", "/nonexistent"]), Ok(false));
    }
}
