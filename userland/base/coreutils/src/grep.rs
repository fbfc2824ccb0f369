//! grep: print the lines that match a regular expression. POSIX basic and
//! extended expressions are rewritten into the syntax of the `regex` crate,
//! which does the matching.

use std::io::{BufRead, BufReader, Write};

use regex::bytes::Regex;

use crate::common::{FAILURE, SUCCESS, Tool, USAGE, input_name, inputs, open_input, stdout};

const TOOL: Tool = Tool {
    name: "grep",
    usage: "Usage: grep [-EFHchilnqsv] [-e PATTERN]... [PATTERN] [FILE]...
Print the lines of each FILE (standard input for '-' or none) that match
PATTERN, a POSIX basic regular expression. Patterns given with -e or on
several lines each match on their own.

  -E  extended regular expressions (ERE: + ? | () {} without backslashes)
  -F  fixed strings, no regular expression
  -e  PATTERN (may be repeated; for patterns starting with '-')
  -i  ignore case
  -v  the lines that do not match
  -n  prefix each line with its number
  -c  print only the number of matching lines of each FILE
  -l  print only the names of the FILEs with a match
  -q  print nothing; the exit status tells
  -s  no messages about files that cannot be read
  -H  prefix lines with the file name (the default with several FILEs)
  -h  never prefix lines with the file name

Exit status: 0 if a line matched, 1 if none did, 2 on an error.
Back-references (\\1) are not supported.
",
    usage_status: USAGE,
};

/// The status for an error, matches or not (but -q with a match is 0).
const TROUBLE: i32 = USAGE;

/// What is printed for the lines that match.
#[derive(Clone, Copy, PartialEq)]
enum Output {
    Lines { numbers: bool },
    Count,
    FileNames,
    Quiet,
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "EFHce:hilnqsv") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let mut operands = opts.operands.as_slice();
    let patterns: Vec<&str> = if opts.has('e') {
        opts.values('e').collect()
    } else if let Some((first, rest)) = operands.split_first() {
        operands = rest;
        vec![first.as_str()]
    } else {
        return TOOL.usage_error("no pattern given");
    };
    let syntax = if opts.has('F') {
        Syntax::Fixed
    } else if opts.has('E') {
        Syntax::Extended
    } else {
        Syntax::Basic
    };
    let regex = match build_regex(&patterns, syntax, opts.has('i')) {
        Ok(regex) => regex,
        Err(message) => {
            TOOL.fail(message);
            return TROUBLE;
        }
    };
    let output = if opts.has('q') {
        Output::Quiet
    } else if opts.has('l') {
        Output::FileNames
    } else if opts.has('c') {
        Output::Count
    } else {
        Output::Lines { numbers: opts.has('n') }
    };
    let files = inputs(operands);
    let show_names = (files.len() > 1 || opts.has('H')) && !opts.has('h');
    let search = Search { regex, invert: opts.has('v'), output, show_names };
    let mut out = stdout();
    let (mut matched, mut trouble) = (false, false);
    for path in files {
        match search.file(path, &mut out) {
            Ok(found) => matched |= found,
            Err(Failure::Read(err)) => {
                if !opts.has('s') {
                    let _ = out.flush();
                    TOOL.error(input_name(path), &err);
                }
                trouble = true;
            }
            Err(Failure::Write(err)) => {
                TOOL.write_error(&err);
                return TROUBLE;
            }
        }
        if matched && output == Output::Quiet {
            return SUCCESS;
        }
    }
    if let Err(err) = out.flush() {
        TOOL.write_error(&err);
        return TROUBLE;
    }
    match (trouble, matched) {
        (true, _) => TROUBLE,
        (false, true) => SUCCESS,
        (false, false) => FAILURE,
    }
}

enum Failure {
    Read(std::io::Error),
    Write(std::io::Error),
}

struct Search {
    regex: Regex,
    invert: bool,
    output: Output,
    show_names: bool,
}

impl Search {
    /// Searches one input; returns whether any line was selected.
    fn file(&self, path: &str, out: &mut dyn Write) -> Result<bool, Failure> {
        let mut input = BufReader::new(open_input(path).map_err(Failure::Read)?);
        let name = input_name(path);
        let prefix = if self.show_names { format!("{name}:") } else { String::new() };
        let mut line = Vec::new();
        let (mut number, mut selected) = (0u64, 0u64);
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line).map_err(Failure::Read)? == 0 {
                break;
            }
            number += 1;
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            if self.regex.is_match(text) == self.invert {
                continue;
            }
            selected += 1;
            match self.output {
                Output::Quiet => return Ok(true),
                Output::FileNames => {
                    writeln!(out, "{name}").map_err(Failure::Write)?;
                    return Ok(true);
                }
                Output::Count => {}
                Output::Lines { numbers } => {
                    let number = if numbers { format!("{number}:") } else { String::new() };
                    let written = write!(out, "{prefix}{number}")
                        .and_then(|()| out.write_all(text))
                        .and_then(|()| out.write_all(b"\n"));
                    written.map_err(Failure::Write)?;
                }
            }
        }
        if self.output == Output::Count {
            writeln!(out, "{prefix}{selected}").map_err(Failure::Write)?;
        }
        Ok(selected > 0)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Basic,
    Extended,
    Fixed,
}

/// One regular expression matching any of `patterns` (each line of each
/// is a pattern of its own, as in grep).
fn build_regex(patterns: &[&str], syntax: Syntax, ignore_case: bool) -> Result<Regex, String> {
    let alternatives: Vec<String> = patterns
        .iter()
        .flat_map(|pattern| pattern.split('\n'))
        .map(|pattern| match syntax {
            Syntax::Fixed => regex::escape(pattern),
            Syntax::Basic => translate(pattern, false),
            Syntax::Extended => translate(pattern, true),
        })
        .map(|pattern| format!("(?:{pattern})"))
        .collect();
    let flags = if ignore_case { "(?i)" } else { "" };
    Regex::new(&format!("{flags}{}", alternatives.join("|")))
        .map_err(|_| format!("{}: invalid regular expression", patterns.join("\n")))
}

/// Rewrites a POSIX regular expression, basic (BRE) or extended (ERE), in
/// the syntax of the `regex` crate.
///
/// In a BRE, `\( \) \{ \} \|` are the operators and the bare characters are
/// literal (`\+ \?` are GNU's additions); `*` is literal at the start of an
/// expression, `^` is an anchor only at the start and `$` only at the end.
/// In both, bracket expressions take backslashes literally, and `\<` `\>`
/// are word boundaries.
pub fn translate(pattern: &str, extended: bool) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    // At the start of the expression or of a group or alternative, where
    // a repetition operator has nothing to repeat and is taken literally.
    let mut at_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let was_at_start = at_start;
        at_start = false;
        i += 1;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i) else {
                    out.push_str("\\\\");
                    continue;
                };
                i += 1;
                if !extended && matches!(next, '(' | ')' | '{' | '}' | '|' | '+' | '?') {
                    out.push(next);
                    at_start = matches!(next, '(' | '|');
                } else {
                    push_escape(&mut out, next);
                }
            }
            '[' => i = push_bracket(&mut out, &chars, i),
            '*' if was_at_start => out.push_str("\\*"),
            '+' | '?' if extended && was_at_start => out.push_str(&regex::escape(&c.to_string())),
            '^' if !extended && !was_at_start => out.push_str("\\^"),
            '^' => {
                out.push('^');
                at_start = true;
            }
            '$' if !extended && !ends_basic_expression(&chars[i..]) => out.push_str("\\$"),
            '(' | '|' if extended => {
                out.push(c);
                at_start = true;
            }
            '{' if extended && !starts_interval(&chars[i..]) => out.push_str("\\{"),
            '(' | ')' | '{' | '}' | '|' | '+' | '?' if !extended => out.push_str(&regex::escape(&c.to_string())),
            _ => out.push(c),
        }
    }
    out
}

/// Whether a `$` followed by `rest` ends a BRE (or a group or alternative
/// in it), where it is an anchor.
fn ends_basic_expression(rest: &[char]) -> bool {
    matches!(rest, [] | ['\\', ')' | '|', ..])
}

/// Whether `rest` (after a `{`) is an interval like `2}`, `2,}`, `2,5}`.
fn starts_interval(rest: &[char]) -> bool {
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let after = &rest[digits..];
    let more = after.strip_prefix(&[',']).unwrap_or(after);
    let more_digits = more.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && more.get(more_digits) == Some(&'}')
}

/// An escaped character outside brackets.
fn push_escape(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("\\b{start}"),
        '>' => out.push_str("\\b{end}"),
        'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
            out.push('\\');
            out.push(c);
        }
        // A back-reference: the regex crate has none; let it fail to
        // compile rather than match a digit.
        '1'..='9' => {
            out.push('\\');
            out.push(c);
        }
        _ => out.push_str(&regex::escape(&c.to_string())),
    }
}

/// Translates the bracket expression that starts at `chars[start]` (just
/// after its `[`); returns where it ends. Without a closing `]`, the `[`
/// is literal.
fn push_bracket(out: &mut String, chars: &[char], start: usize) -> usize {
    let mut i = start;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut items = String::new();
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            out.push_str("\\[");
            return start;
        };
        // A `]` first in the list is a member, not the end.
        if c == ']' && !first {
            break;
        }
        first = false;
        if c == '['
            && let Some(&kind @ (':' | '=' | '.')) = chars.get(i + 1)
            && let Some(len) = chars[i + 2..].windows(2).position(|w| w == [kind, ']'])
        {
            let name: String = chars[i + 2..i + 2 + len].iter().collect();
            if kind == ':' {
                items.push_str(&format!("[:{name}:]"));
            } else {
                // [=c=] and [.c.] name a single character here.
                items.push_str(&regex::escape(&name));
            }
            i += len + 4;
            continue;
        }
        items.push_str(&regex::escape(&c.to_string()));
        if chars.get(i + 1) == Some(&'-')
            && let Some(&end) = chars.get(i + 2)
            && end != ']'
        {
            items.push('-');
            items.push_str(&regex::escape(&end.to_string()));
            i += 3;
        } else {
            i += 1;
        }
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(&items);
    out.push(']');
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, syntax: Syntax, text: &str) -> bool {
        build_regex(&[pattern], syntax, false).unwrap().is_match(text.as_bytes())
    }

    fn bre(pattern: &str, text: &str) -> bool {
        matches(pattern, Syntax::Basic, text)
    }

    fn ere(pattern: &str, text: &str) -> bool {
        matches(pattern, Syntax::Extended, text)
    }

    #[test]
    fn basic_operators_need_backslashes() {
        assert!(bre("a\\(b\\)*c", "abbc"));
        assert!(bre("a(b)c", "a(b)c") && !bre("a(b)c", "abc"));
        assert!(bre("ab\\{2\\}c", "abbc") && !bre("ab\\{2\\}c", "abc"));
        assert!(bre("a{2}", "a{2}"));
        assert!(bre("a+", "a+") && !bre("a+", "aa"));
        assert!(bre("ab\\+c", "abbc"));
        assert!(bre("cat\\|dog", "hotdog"));
        assert!(bre("a|b", "a|b") && !bre("a|b", "a"));
    }

    #[test]
    fn basic_anchors_and_stars() {
        assert!(bre("^ab", "abc") && !bre("^ab", "cab"));
        assert!(bre("a^b", "a^b"));
        assert!(bre("ab$", "cab") && !bre("ab$", "abc"));
        assert!(bre("a$b", "a$b"));
        assert!(bre("*a", "x*a") && !bre("*a", "a"));
        assert!(bre("^*a", "*a"));
        assert!(bre("\\(*a\\)", "*a"));
        assert!(bre("a.c", "abc") && !bre("a\\.c", "abc"));
    }

    #[test]
    fn extended_operators() {
        assert!(ere("a(b|c)+d", "abcbd"));
        assert!(ere("^(ab){2}$", "abab") && !ere("^(ab){2}$", "ab"));
        assert!(ere("colou?r", "color"));
        assert!(ere("a{x", "a{x"));
        assert!(ere("a\\+", "a+") && !ere("a\\+", "aa"));
        assert!(ere("+a", "+a"));
    }

    #[test]
    fn brackets() {
        assert!(bre("[abc]", "b") && !bre("[abc]", "d"));
        assert!(bre("[^abc]x", "dx") && !bre("[^abc]x", "ax"));
        assert!(bre("[]a]", "]") && bre("[^]a]", "b") && !bre("[^]a]", "]"));
        assert!(bre("[a-c]", "b") && !bre("[a-c]", "d"));
        assert!(bre("[a-]", "-"));
        assert!(bre("[\\]", "\\"), "backslash is literal inside brackets");
        assert!(bre("[[:digit:]]x", "5x") && !bre("[[:digit:]]x", "ax"));
        assert!(bre("[[:alpha:]_]", "_"));
        assert!(bre("[a&&b]", "&"), "no set operations");
        assert!(bre("[[=a=]]", "a"));
        assert!(bre("[ab", "[ab"), "unterminated bracket is literal");
    }

    #[test]
    fn escapes_and_words() {
        assert!(bre("\\<cat\\>", "a cat here") && !bre("\\<cat\\>", "concatenate"));
        assert!(bre("\\w\\+", "abc"));
        assert!(bre("a\\/b", "a/b"));
        assert!(bre("\\%", "%"));
        assert!(build_regex(&["\\(a\\)\\1"], Syntax::Basic, false).is_err());
    }

    #[test]
    fn fixed_case_and_several_patterns() {
        assert!(matches("a.c", Syntax::Fixed, "a.c") && !matches("a.c", Syntax::Fixed, "abc"));
        assert!(build_regex(&["HELLO"], Syntax::Basic, true).unwrap().is_match(b"say hello"));
        let regex = build_regex(&["cat", "dog\nbird"], Syntax::Basic, false).unwrap();
        assert!(regex.is_match(b"a bird") && regex.is_match(b"dog") && !regex.is_match(b"cow"));
        assert!(matches("", Syntax::Basic, "anything"));
    }
}
