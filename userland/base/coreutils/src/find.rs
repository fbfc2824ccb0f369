//! find: walk directory trees and print the names that pass a test.

use std::fs::{self, FileType};
use std::io::{self, Write};
use std::os::unix::fs::FileTypeExt;

use crate::common::{FAILURE, SUCCESS, Tool, join_path, stdout};

const TOOL: Tool = Tool {
    name: "find",
    usage: "Usage: find [PATH]... [EXPRESSION]
Walk each PATH (the current directory by default) and print the name of
each file for which EXPRESSION is true (every file without one).
Symbolic links are not followed.

Tests and actions:
  -name PATTERN   the file's name matches a shell pattern (* ? [...])
  -iname PATTERN  the same, ignoring case
  -type C         the file is of type C: f file, d directory, l symbolic link,
                  c character device, b block device, p fifo, s socket
  -print          print the name (then only -print prints)
  -maxdepth N     go at most N levels below the PATHs
  -mindepth N     test nothing less than N levels below them
Operators, by decreasing precedence:
  ( EXPR )   ! EXPR  (or -not)   EXPR -a EXPR (or -and, or nothing)
  EXPR -o EXPR (or -or)
",
    usage_status: FAILURE,
};

#[derive(Debug, PartialEq)]
enum Expr {
    Name { pattern: String, ignore_case: bool },
    Type(char),
    Print,
    True,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// The parsed command line after the paths.
#[derive(Debug)]
struct Query {
    expr: Expr,
    max_depth: Option<usize>,
    min_depth: usize,
    /// Whether the expression prints by itself; if not, files for which it
    /// is true are printed.
    prints: bool,
}

pub fn run(args: &[String]) -> i32 {
    if args.first().is_some_and(|a| a == "--help") {
        return TOOL.help();
    }
    // The paths are the arguments before the first that starts an expression.
    let starts_expression = |a: &String| (a.starts_with('-') && a.len() > 1) || a == "!" || a == "(";
    let split = args.iter().position(starts_expression).unwrap_or(args.len());
    let (paths, expression) = args.split_at(split);
    let query = match parse(expression) {
        Ok(query) => query,
        Err(message) => return TOOL.usage_error(message),
    };
    let default_path = [".".to_string()];
    let paths = if paths.is_empty() { &default_path[..] } else { paths };
    let mut walk = Walk { query, out: stdout(), failed: false };
    for path in paths {
        if let Err(err) = walk.visit(path.clone(), 0) {
            return TOOL.write_error(&err);
        }
    }
    if let Err(err) = walk.out.flush() {
        return TOOL.write_error(&err);
    }
    if walk.failed { FAILURE } else { SUCCESS }
}

fn parse(tokens: &[String]) -> Result<Query, String> {
    let mut parser =
        Parser { tokens, at: 0, query: Query { expr: Expr::True, max_depth: None, min_depth: 0, prints: false } };
    if !tokens.is_empty() {
        parser.query.expr = parser.or()?;
        if let Some(extra) = parser.tokens.get(parser.at) {
            return Err(format!("unexpected '{extra}'"));
        }
    }
    Ok(parser.query)
}

/// Recursive descent over the expression, lowest precedence first.
struct Parser<'a> {
    tokens: &'a [String],
    at: usize,
    query: Query,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> Option<&str> {
        let token = self.tokens.get(self.at).map(String::as_str);
        self.at += 1;
        token
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while matches!(self.peek(), Some("-o" | "-or")) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        loop {
            match self.peek() {
                Some("-a" | "-and") => self.at += 1,
                // Two expressions side by side are joined by an implicit -a.
                Some(token) if token != ")" && token != "-o" && token != "-or" => {}
                _ => return Ok(left),
            }
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
    }

    fn not(&mut self) -> Result<Expr, String> {
        if matches!(self.peek(), Some("!" | "-not")) {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let token = self.next().ok_or("expression expected")?.to_string();
        let mut value = || self.next().map(str::to_string).ok_or(format!("missing argument to '{token}'"));
        match token.as_str() {
            "(" => {
                let inner = self.or()?;
                match self.next() {
                    Some(")") => Ok(inner),
                    _ => Err("missing ')'".to_string()),
                }
            }
            "-name" | "-iname" => Ok(Expr::Name { pattern: value()?, ignore_case: token == "-iname" }),
            "-type" => {
                let kind = value()?;
                match kind.as_str() {
                    "f" | "d" | "l" | "c" | "b" | "p" | "s" => Ok(Expr::Type(kind.chars().next().unwrap_or('f'))),
                    _ => Err(format!("unknown argument to -type: {kind}")),
                }
            }
            "-print" => {
                self.query.prints = true;
                Ok(Expr::Print)
            }
            "-maxdepth" | "-mindepth" => {
                let text = value()?;
                let depth = text.parse().map_err(|_| format!("invalid depth '{text}' for {token}"))?;
                if token == "-maxdepth" {
                    self.query.max_depth = Some(depth);
                } else {
                    self.query.min_depth = depth;
                }
                Ok(Expr::True)
            }
            _ if token.starts_with('-') => Err(format!("unknown predicate '{token}'")),
            _ => Err(format!("paths must precede the expression: '{token}'")),
        }
    }
}

struct Walk<W: Write> {
    query: Query,
    out: W,
    failed: bool,
}

/// One file as the tests see it.
struct Visit<'a> {
    path: &'a str,
    name: &'a str,
    kind: FileType,
}

impl<W: Write> Walk<W> {
    /// Tests `path` and walks on below it. `Err` is a write error; files
    /// that cannot be read are reported and the walk goes on.
    fn visit(&mut self, path: String, depth: usize) -> io::Result<()> {
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(err) => return self.report(&path, &err),
        };
        if depth >= self.query.min_depth {
            let visit = Visit { path: &path, name: base_name(&path), kind: meta.file_type() };
            if eval(&self.query.expr, &visit, &mut self.out)? && !self.query.prints {
                writeln!(self.out, "{path}")?;
            }
        }
        if !meta.is_dir() || self.query.max_depth.is_some_and(|max| depth >= max) {
            return Ok(());
        }
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(err) => return self.report(&path, &err),
        };
        for entry in entries {
            match entry {
                Ok(entry) => self.visit(join_path(&path, &entry.file_name()), depth + 1)?,
                Err(err) => self.report(&path, &err)?,
            }
        }
        Ok(())
    }

    fn report(&mut self, path: &str, err: &io::Error) -> io::Result<()> {
        self.out.flush()?;
        TOOL.error(path, err);
        self.failed = true;
        Ok(())
    }
}

/// Evaluates `expr` for `file`, left to right with short cuts; -print
/// writes to `out`.
fn eval(expr: &Expr, file: &Visit, out: &mut dyn Write) -> io::Result<bool> {
    Ok(match expr {
        Expr::Name { pattern, ignore_case: false } => glob_match(pattern, file.name),
        Expr::Name { pattern, ignore_case: true } => glob_match(&pattern.to_lowercase(), &file.name.to_lowercase()),
        Expr::Type(kind) => type_letter(file.kind) == *kind,
        Expr::Print => {
            writeln!(out, "{}", file.path)?;
            true
        }
        Expr::True => true,
        Expr::Not(inner) => !eval(inner, file, out)?,
        Expr::And(left, right) => eval(left, file, out)? && eval(right, file, out)?,
        Expr::Or(left, right) => eval(left, file, out)? || eval(right, file, out)?,
    })
}

/// The name -name tests: the last part of the path (`/` for `/`).
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() { "/" } else { trimmed.rsplit('/').next().unwrap_or(trimmed) }
}

fn type_letter(kind: FileType) -> char {
    if kind.is_dir() {
        'd'
    } else if kind.is_symlink() {
        'l'
    } else if kind.is_char_device() {
        'c'
    } else if kind.is_block_device() {
        'b'
    } else if kind.is_fifo() {
        'p'
    } else if kind.is_socket() {
        's'
    } else {
        'f'
    }
}

/// Whether `name` matches the shell pattern: `*` any run of characters,
/// `?` one character, `[...]` one of a set (`[!...]` or `[^...]` none of
/// it, with ranges), `\` quoting the next character.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: the pattern after it, and the
    // name position it has so far swallowed up to.
    let mut resume: Option<(usize, usize)> = None;
    while n < name.len() {
        if pattern.get(p) == Some(&'*') {
            p += 1;
            resume = Some((p, n));
            continue;
        }
        if let Some(next) = match_one(&pattern, p, name[n]) {
            p = next;
            n += 1;
            continue;
        }
        // Mismatch: let the last `*` swallow one more character.
        match resume {
            Some((after_star, swallowed)) => {
                p = after_star;
                n = swallowed + 1;
                resume = Some((after_star, swallowed + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// If the pattern element at `p` (not a `*`) matches `c`, where the next
/// element starts.
fn match_one(pattern: &[char], p: usize, c: char) -> Option<usize> {
    match *pattern.get(p)? {
        '?' => Some(p + 1),
        '[' => match match_bracket(pattern, p + 1, c) {
            Some((true, next)) => Some(next),
            Some((false, _)) => None,
            // No closing `]`: the `[` is an ordinary character.
            None => (c == '[').then_some(p + 1),
        },
        '\\' if p + 1 < pattern.len() => (pattern[p + 1] == c).then_some(p + 2),
        literal => (literal == c).then_some(p + 1),
    }
}

/// Matches `c` against the set starting at `pattern[start]` (after its
/// `[`): whether it is in the set and where the set ends, or `None` if the
/// set is not closed.
fn match_bracket(pattern: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start;
    let negated = matches!(pattern.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let member = *pattern.get(i)?;
        // A `]` first in the set is a member, not the end.
        if member == ']' && !first {
            return Some((found != negated, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&end| end != ']') {
            found |= member <= c && c <= pattern[i + 2];
            i += 3;
        } else {
            found |= member == c;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.rs", "main.rs") && !glob_match("*.rs", "main.rc"));
        assert!(glob_match("*", "") && glob_match("*", ".hidden"));
        assert!(glob_match("a?c", "abc") && !glob_match("a?c", "ac"));
        assert!(glob_match("*a*b*c", "xxaybzzc") && !glob_match("*a*b*c", "xxaybzz"));
        assert!(glob_match("[abc]x", "bx") && !glob_match("[abc]x", "dx"));
        assert!(glob_match("[!abc]x", "dx") && !glob_match("[^abc]x", "ax"));
        assert!(glob_match("[a-z]*[0-9]", "file7") && !glob_match("[a-z]*[0-9]", "File7"));
        assert!(glob_match("[]]", "]") && glob_match("[a-]", "-"));
        assert!(glob_match("\\*", "*") && !glob_match("\\*", "a"));
        assert!(glob_match("[x", "[x"));
        assert!(glob_match("exact", "exact") && !glob_match("exact", "exactly"));
        assert!(glob_match("**a", "a") && glob_match("a*", "a"));
        assert!(glob_match("héllo*", "héllo wörld"));
    }

    #[test]
    fn expressions() {
        let query = parse(&args(&["-name", "*.rs", "-type", "f"])).unwrap();
        assert_eq!(
            query.expr,
            Expr::And(Box::new(Expr::Name { pattern: "*.rs".into(), ignore_case: false }), Box::new(Expr::Type('f')))
        );
        assert!(!query.prints);
        let query = parse(&args(&["!", "-type", "d", "-o", "(", "-name", "x", ")", "-print"])).unwrap();
        assert_eq!(
            query.expr,
            Expr::Or(
                Box::new(Expr::Not(Box::new(Expr::Type('d')))),
                Box::new(Expr::And(
                    Box::new(Expr::Name { pattern: "x".into(), ignore_case: false }),
                    Box::new(Expr::Print)
                ))
            )
        );
        assert!(query.prints);
        let query = parse(&args(&["-maxdepth", "1", "-mindepth", "1"])).unwrap();
        assert_eq!((query.max_depth, query.min_depth), (Some(1), 1));
    }

    #[test]
    fn bad_expressions() {
        assert!(parse(&args(&["-name"])).is_err());
        assert!(parse(&args(&["-type", "x"])).is_err());
        assert!(parse(&args(&["-bogus"])).is_err());
        assert!(parse(&args(&["(", "-name", "x"])).is_err());
        assert!(parse(&args(&["-name", "x", ")"])).is_err());
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name("a/b/c"), "c");
        assert_eq!(base_name("dir/"), "dir");
        assert_eq!(base_name("/"), "/");
        assert_eq!(base_name("."), ".");
    }
}
