//! Word expansion (POSIX XCU 2.6): tilde, parameters, command
//! substitution, arithmetic, field splitting, pathname expansion and
//! quote removal.
//!
//! Expansion first turns a word into pieces: characters marked quoted (no
//! splitting, no globbing) or split (from an unquoted expansion: subject
//! to field splitting), and markers for `"$@"`'s field breaks. Splitting
//! then cuts the pieces into fields, and each field with an unquoted
//! pattern character is matched against the file system.

use crate::arith::{self, ArithVars};
use crate::ast::{List, ParamExp, ParamOp, Word, WordPart, is_name};
use crate::glob::{self, GlobFs, PChar};

/// What expansion needs from the shell.
pub trait Env {
    /// A variable's value (including dynamic ones like LINENO).
    fn var(&self, name: &str) -> Option<String>;
    fn set_var(&mut self, name: &str, value: String) -> Result<(), String>;
    /// `$1`, `$2`, ...
    fn positional(&self) -> &[String];
    /// `$?`, `$$`, `$!`, `$-`, `$0`.
    fn special(&self, c: char) -> Option<String>;
    /// The output of a command substitution.
    fn command_subst(&mut self, list: &List) -> Result<String, ExpandError>;
    fn nounset(&self) -> bool;
    fn noglob(&self) -> bool;
    /// A user's home directory (for `~user`).
    fn home_dir(&self, user: &str) -> Option<String>;
    fn glob_fs(&self) -> &dyn GlobFs;
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpandError {
    pub msg: String,
}

fn err<T>(msg: String) -> Result<T, ExpandError> {
    Err(ExpandError { msg })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Piece {
    /// A character, quoted or not, from an expansion subject to splitting
    /// or not.
    C { c: char, quoted: bool, split: bool },
    /// Quotes were here: the field exists even if empty.
    Empty,
    /// `"$@"` between two parameters: the field ends.
    Break,
    /// Unquoted `$@`/`$*` between two parameters: a field separator.
    Soft,
}

fn push_str(out: &mut Vec<Piece>, s: &str, quoted: bool, split: bool) {
    out.extend(s.chars().map(|c| Piece::C { c, quoted, split }));
}

struct Adapter<'a>(&'a mut dyn Env);

impl ArithVars for Adapter<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0.var(name)
    }
    fn set(&mut self, name: &str, value: String) -> Result<(), String> {
        self.0.set_var(name, value)
    }
}

fn ifs(env: &dyn Env) -> String {
    env.var("IFS").unwrap_or_else(|| " \t\n".to_string())
}

/// A parameter's value, `None` when unset.
fn lookup(env: &dyn Env, name: &str) -> Option<String> {
    match name {
        "@" | "*" => {
            let p = env.positional();
            if p.is_empty() {
                return None;
            }
            let sep =
                if name == "*" { ifs(env).chars().next().map(String::from).unwrap_or_default() } else { " ".into() };
            Some(p.join(&sep))
        }
        "#" => Some(env.positional().len().to_string()),
        "?" | "$" | "!" | "-" | "0" => env.special(name.chars().next().unwrap()),
        _ if name.bytes().all(|b| b.is_ascii_digit()) => {
            let n: usize = name.parse().ok()?;
            env.positional().get(n.checked_sub(1)?).cloned()
        }
        _ => env.var(name),
    }
}

fn is_set(env: &dyn Env, name: &str, colon: bool) -> bool {
    match lookup(env, name) {
        None => false,
        Some(v) => !colon || !v.is_empty(),
    }
}

fn get_checked(env: &dyn Env, name: &str) -> Result<String, ExpandError> {
    match lookup(env, name) {
        Some(v) => Ok(v),
        None if env.nounset() && !matches!(name, "@" | "*") => err(format!("{name}: parameter not set")),
        None => Ok(String::new()),
    }
}

/// The parts of a word inside double quotes include `$@`.
fn has_at(parts: &[WordPart]) -> bool {
    parts.iter().any(|p| matches!(p, WordPart::Param(p) if p.name == "@" && p.op == ParamOp::Get))
}

fn expand_parts(env: &mut dyn Env, parts: &[WordPart], dq: bool, out: &mut Vec<Piece>) -> Result<(), ExpandError> {
    for part in parts {
        match part {
            WordPart::Lit(s) => push_str(out, s, dq, false),
            WordPart::Quoted(s) => {
                out.push(Piece::Empty);
                push_str(out, s, true, false);
            }
            WordPart::Double(inner) => {
                if !has_at(inner) {
                    out.push(Piece::Empty);
                }
                expand_parts(env, inner, true, out)?;
            }
            WordPart::Param(p) => expand_param(env, p, dq, out)?,
            WordPart::Command(list) => {
                let mut s = env.command_subst(list)?;
                while s.ends_with('\n') {
                    s.pop();
                }
                push_str(out, &s, dq, !dq);
            }
            WordPart::Arith(inner) => {
                let expr = expand_parts_to_string(env, inner)?;
                match arith::eval(&expr, &mut Adapter(env)) {
                    Ok(v) => push_str(out, &v.to_string(), dq, !dq),
                    Err(e) => return err(format!("arithmetic: {e}")),
                }
            }
        }
    }
    Ok(())
}

fn pieces_to_string(pieces: &[Piece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::C { c, .. } => s.push(*c),
            Piece::Break | Piece::Soft => s.push(' '),
            Piece::Empty => {}
        }
    }
    s
}

fn expand_parts_to_string(env: &mut dyn Env, parts: &[WordPart]) -> Result<String, ExpandError> {
    let mut pieces = Vec::new();
    expand_parts(env, parts, true, &mut pieces)?;
    Ok(pieces_to_string(&pieces))
}

/// The word of `${x:-word}` and friends, expanded in the context of the
/// parameter: when it is unquoted, its unquoted characters are split.
fn expand_subword(env: &mut dyn Env, word: &Word, dq: bool, out: &mut Vec<Piece>) -> Result<(), ExpandError> {
    if dq {
        return expand_parts(env, word, true, out);
    }
    let mut tmp = Vec::new();
    expand_parts(env, word, false, &mut tmp)?;
    out.extend(tmp.into_iter().map(|p| match p {
        Piece::C { c, quoted: false, .. } => Piece::C { c, quoted: false, split: true },
        p => p,
    }));
    Ok(())
}

fn expand_param(env: &mut dyn Env, p: &ParamExp, dq: bool, out: &mut Vec<Piece>) -> Result<(), ExpandError> {
    let name = p.name.as_str();
    match &p.op {
        ParamOp::Get => get(env, name, dq, out),
        ParamOp::Length => {
            let n = match name {
                "@" | "*" => env.positional().len(),
                _ => get_checked(env, name)?.chars().count(),
            };
            push_str(out, &n.to_string(), dq, !dq);
            Ok(())
        }
        ParamOp::Default { colon, word } => {
            if is_set(env, name, *colon) {
                get(env, name, dq, out)
            } else {
                expand_subword(env, word, dq, out)
            }
        }
        ParamOp::Alt { colon, word } => {
            if is_set(env, name, *colon) {
                expand_subword(env, word, dq, out)
            } else {
                Ok(())
            }
        }
        ParamOp::Assign { colon, word } => {
            if is_set(env, name, *colon) {
                return get(env, name, dq, out);
            }
            let mut tmp = Vec::new();
            expand_parts(env, word, false, &mut tmp)?;
            let value = pieces_to_string(&tmp);
            if !is_name(name) {
                return err(format!("{name}: cannot assign in this way"));
            }
            env.set_var(name, value.clone()).map_err(|msg| ExpandError { msg })?;
            push_str(out, &value, dq, !dq);
            Ok(())
        }
        ParamOp::Error { colon, word } => {
            if is_set(env, name, *colon) {
                return get(env, name, dq, out);
            }
            let msg = if word.is_empty() {
                if *colon { "parameter null or not set".to_string() } else { "parameter not set".to_string() }
            } else {
                expand_parts_to_string(env, word)?
            };
            err(format!("{name}: {msg}"))
        }
        ParamOp::Substring { offset, length } => {
            let value: Vec<char> = get_checked(env, name)?.chars().collect();
            let n = value.len() as i64;
            let mut start = arith_word(env, offset)?;
            if start < 0 {
                start = (n + start).max(0);
            }
            let start = start.min(n);
            let end = match length {
                None => n,
                Some(l) => {
                    let l = arith_word(env, l)?;
                    if l < 0 {
                        let e = n + l;
                        if e < start {
                            return err(format!("{name}: substring expression < 0"));
                        }
                        e
                    } else {
                        (start + l).min(n)
                    }
                }
            };
            let v: String = value[start as usize..end as usize].iter().collect();
            push_str(out, &v, dq, !dq);
            Ok(())
        }
        ParamOp::Replace { all, anchor, pattern, replacement } => {
            let value = get_checked(env, name)?;
            let pat = expand_pattern(env, pattern)?;
            let rep = expand_parts_to_string(env, replacement)?;
            let v = glob::replace(&value, &pat, &rep, *all, *anchor);
            push_str(out, &v, dq, !dq);
            Ok(())
        }
        ParamOp::TrimPrefix { longest, pattern } | ParamOp::TrimSuffix { longest, pattern } => {
            let value = get_checked(env, name)?;
            let pat = expand_pattern(env, pattern)?;
            let v = if matches!(p.op, ParamOp::TrimPrefix { .. }) {
                glob::trim_prefix(&value, &pat, *longest)
            } else {
                glob::trim_suffix(&value, &pat, *longest)
            };
            push_str(out, &v, dq, !dq);
            Ok(())
        }
    }
}

/// An arithmetic expression in a word (`${x:offset:length}`).
fn arith_word(env: &mut dyn Env, word: &Word) -> Result<i64, ExpandError> {
    let expr = expand_parts_to_string(env, word)?;
    arith::eval(&expr, &mut Adapter(env)).map_err(|e| ExpandError { msg: format!("arithmetic: {e}") })
}

/// `$name` with no operator.
fn get(env: &mut dyn Env, name: &str, dq: bool, out: &mut Vec<Piece>) -> Result<(), ExpandError> {
    if name == "@" || name == "*" {
        let params = env.positional().to_vec();
        if dq && name == "@" {
            for (i, a) in params.iter().enumerate() {
                if i > 0 {
                    out.push(Piece::Break);
                }
                out.push(Piece::Empty);
                push_str(out, a, true, false);
            }
        } else if dq {
            let sep: String = ifs(env).chars().next().map(String::from).unwrap_or_default();
            push_str(out, &params.join(&sep), true, false);
        } else {
            for (i, a) in params.iter().enumerate() {
                if i > 0 {
                    out.push(Piece::Soft);
                }
                push_str(out, a, false, true);
            }
        }
        return Ok(());
    }
    let v = get_checked(env, name)?;
    push_str(out, &v, dq, !dq);
    Ok(())
}

/// Field splitting: the fields the pieces make, as patterns (a quoted
/// character is literal).
fn split_fields(pieces: &[Piece], ifs: &str) -> Vec<Vec<PChar>> {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\n') && ifs.contains(c);
    let mut fields = Vec::new();
    let mut cur: Vec<PChar> = Vec::new();
    let mut have = false;
    // The last field was ended by IFS white space (a non-white IFS
    // character right after it does not make an empty field).
    let mut after_ws = false;
    for p in pieces {
        match *p {
            Piece::Empty => have = true,
            Piece::Break => {
                fields.push(std::mem::take(&mut cur));
                have = false;
                after_ws = false;
            }
            Piece::Soft => {
                if have {
                    fields.push(std::mem::take(&mut cur));
                    have = false;
                }
                after_ws = true;
            }
            Piece::C { c, quoted: false, split: true } if ifs.contains(c) => {
                if is_ws(c) {
                    if have {
                        fields.push(std::mem::take(&mut cur));
                        have = false;
                        after_ws = true;
                    }
                } else {
                    if have {
                        fields.push(std::mem::take(&mut cur));
                        have = false;
                    } else if !after_ws {
                        fields.push(Vec::new());
                    }
                    after_ws = false;
                }
            }
            Piece::C { c, quoted, .. } => {
                cur.push(PChar { c, lit: quoted });
                have = true;
                after_ws = false;
            }
        }
    }
    if have {
        fields.push(cur);
    }
    fields
}

/// A leading `~` or `~user` of a word: the home directory and the rest of
/// the word. In an assignment the prefix also ends at `:`.
fn tilde(env: &dyn Env, word: &Word, assign: bool) -> Option<(String, Word)> {
    let Some(WordPart::Lit(s)) = word.first() else { return None };
    let rest = s.strip_prefix('~')?;
    let end = rest.find(|c| c == '/' || (assign && c == ':'));
    if end.is_none() && word.len() > 1 {
        return None;
    }
    let end = end.unwrap_or(rest.len());
    let user = &rest[..end];
    let home = if user.is_empty() { env.var("HOME")? } else { env.home_dir(user)? };
    let mut w = word.clone();
    if end == rest.len() {
        w.remove(0);
    } else {
        w[0] = WordPart::Lit(rest[end..].to_string());
    }
    Some((home, w))
}

fn word_pieces(env: &mut dyn Env, word: &Word, assign: bool) -> Result<Vec<Piece>, ExpandError> {
    let mut out = Vec::new();
    match tilde(env, word, assign) {
        Some((home, rest)) => {
            push_str(&mut out, &home, true, false);
            out.push(Piece::Empty);
            expand_parts(env, &rest, false, &mut out)?;
        }
        None => expand_parts(env, word, false, &mut out)?,
    }
    Ok(out)
}

/// Full expansion of command words: fields after splitting and globbing.
pub fn expand_words(env: &mut dyn Env, words: &[Word]) -> Result<Vec<String>, ExpandError> {
    let mut out = Vec::new();
    for w in words {
        let pieces = word_pieces(env, w, false)?;
        let fields = split_fields(&pieces, &ifs(env));
        for f in fields {
            if !env.noglob() && glob::has_magic(&f) {
                let found = glob::expand(&f, env.glob_fs());
                if !found.is_empty() {
                    out.extend(found);
                    continue;
                }
            }
            out.push(f.iter().map(|p| p.c).collect());
        }
    }
    Ok(out)
}

/// Expansion without splitting or globbing (redirection targets, `case`
/// words, here-documents).
pub fn expand_string(env: &mut dyn Env, word: &Word) -> Result<String, ExpandError> {
    let pieces = word_pieces(env, word, false)?;
    Ok(pieces_to_string(&pieces))
}

/// The value of an assignment: like [`expand_string`], with `~` also
/// after each `:`.
pub fn expand_assign(env: &mut dyn Env, word: &Word) -> Result<String, ExpandError> {
    // Split the value at unquoted colons of literal parts, so each piece
    // gets its own tilde expansion.
    let mut segments: Vec<Word> = vec![Vec::new()];
    for part in word {
        match part {
            WordPart::Lit(s) if s.contains(':') => {
                for (i, piece) in s.split(':').enumerate() {
                    if i > 0 {
                        segments.push(Vec::new());
                    }
                    if !piece.is_empty() {
                        segments.last_mut().unwrap().push(WordPart::Lit(piece.to_string()));
                    }
                }
            }
            p => segments.last_mut().unwrap().push(p.clone()),
        }
    }
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&pieces_to_string(&word_pieces(env, seg, true)?));
    }
    Ok(out)
}

/// A pattern (`case`, `${x#pattern}`): quoted characters are literal.
pub fn expand_pattern(env: &mut dyn Env, word: &Word) -> Result<Vec<PChar>, ExpandError> {
    let pieces = word_pieces(env, word, false)?;
    let mut out = Vec::new();
    let mut escaped = false;
    for p in pieces {
        match p {
            // An unquoted backslash makes the next character literal.
            Piece::C { c: '\\', quoted: false, .. } if !escaped => escaped = true,
            Piece::C { c, quoted, .. } => {
                out.push(PChar { c, lit: quoted || escaped });
                escaped = false;
            }
            Piece::Break | Piece::Soft => out.push(PChar { c: ' ', lit: true }),
            Piece::Empty => {}
        }
    }
    if escaped {
        out.push(PChar { c: '\\', lit: true });
    }
    Ok(out)
}

/// Splits a line for `read`: into at most `n` fields by IFS, the last
/// getting the rest of the line (less trailing IFS white space). Escaped
/// characters (`true` in the pair) never separate.
pub fn split_for_read(line: &[(char, bool)], ifs: &str, n: usize) -> Vec<String> {
    let is_ifs = |&(c, esc): &(char, bool)| !esc && ifs.contains(c);
    let is_ws = |&(c, esc): &(char, bool)| !esc && matches!(c, ' ' | '\t' | '\n') && ifs.contains(c);
    let mut fields = Vec::new();
    let mut i = 0;
    // Leading IFS white space is ignored.
    while i < line.len() && is_ws(&line[i]) {
        i += 1;
    }
    while i < line.len() && fields.len() + 1 < n {
        let start = i;
        while i < line.len() && !is_ifs(&line[i]) {
            i += 1;
        }
        fields.push(line[start..i].iter().map(|p| p.0).collect::<String>());
        // The delimiter: white space, at most one non-white IFS
        // character, white space.
        while i < line.len() && is_ws(&line[i]) {
            i += 1;
        }
        if i < line.len() && is_ifs(&line[i]) && !is_ws(&line[i]) {
            i += 1;
            while i < line.len() && is_ws(&line[i]) {
                i += 1;
            }
        }
    }
    if fields.len() < n {
        let mut end = line.len();
        while end > i && is_ws(&line[end - 1]) {
            end -= 1;
        }
        fields.push(line[i..end.max(i)].iter().map(|p| p.0).collect());
    }
    while fields.len() < n {
        fields.push(String::new());
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Command;
    use crate::lexer::StrSource;
    use crate::parser::Parser;
    use std::collections::HashMap;

    struct NoFs;

    impl GlobFs for NoFs {
        fn list(&self, dir: &str) -> Option<Vec<String>> {
            (dir == ".").then(|| vec!["a.c".into(), "b.c".into(), "c.h".into()])
        }
        fn exists(&self, _: &str) -> bool {
            false
        }
        fn is_dir(&self, _: &str) -> bool {
            false
        }
    }

    struct Mock {
        vars: HashMap<String, String>,
        args: Vec<String>,
        nounset: bool,
        noglob: bool,
    }

    impl Mock {
        fn new() -> Self {
            let mut vars = HashMap::new();
            for (k, v) in [
                ("x", "hello"),
                ("sp", "a  b c"),
                ("empty", ""),
                ("HOME", "/home/me"),
                ("star", "*.c"),
                ("f", "dir/file.tar.gz"),
            ] {
                vars.insert(k.to_string(), v.to_string());
            }
            Mock { vars, args: vec!["one".into(), "two words".into(), "".into()], nounset: false, noglob: false }
        }
    }

    impl Env for Mock {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }
        fn set_var(&mut self, name: &str, value: String) -> Result<(), String> {
            self.vars.insert(name.into(), value);
            Ok(())
        }
        fn positional(&self) -> &[String] {
            &self.args
        }
        fn special(&self, c: char) -> Option<String> {
            match c {
                '?' => Some("3".into()),
                '$' => Some("1234".into()),
                '0' => Some("sh".into()),
                _ => None,
            }
        }
        /// `$(echo words...)` gives the words and a newline.
        fn command_subst(&mut self, list: &List) -> Result<String, ExpandError> {
            let Command::Simple(s) = &list.items[0].and_or.first.cmds[0] else { panic!() };
            let words = expand_words(self, &s.words[1..])?;
            Ok(format!("{}\n\n", words.join(" ")))
        }
        fn nounset(&self) -> bool {
            self.nounset
        }
        fn noglob(&self) -> bool {
            self.noglob
        }
        fn home_dir(&self, user: &str) -> Option<String> {
            (user == "root").then(|| "/root".to_string())
        }
        fn glob_fs(&self) -> &dyn GlobFs {
            &NoFs
        }
    }

    /// The fields of the words of `echo WORDS`.
    fn fields_with(env: &mut Mock, s: &str) -> Vec<String> {
        let list = Parser::new(Box::new(StrSource::new(&format!("echo {s}")))).parse_all().unwrap();
        let Command::Simple(cmd) = &list.items[0].and_or.first.cmds[0] else { panic!() };
        expand_words(env, &cmd.words[1..]).unwrap()
    }

    fn fields(s: &str) -> Vec<String> {
        fields_with(&mut Mock::new(), s)
    }

    fn expand_err(s: &str) -> String {
        let list = Parser::new(Box::new(StrSource::new(&format!("echo {s}")))).parse_all().unwrap();
        let Command::Simple(cmd) = &list.items[0].and_or.first.cmds[0] else { panic!() };
        expand_words(&mut Mock::new(), &cmd.words[1..]).unwrap_err().msg
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoting_and_literals() {
        assert_eq!(fields("a 'b c' \"d e\" f\\ g"), v(&["a", "b c", "d e", "f g"]));
        assert_eq!(fields("'' \"\" a''b"), v(&["", "", "ab"]));
        assert_eq!(fields("'$x' \"$x\" \\$x"), v(&["$x", "hello", "$x"]));
    }

    #[test]
    fn parameters() {
        assert_eq!(fields("$x ${x} ${x}world"), v(&["hello", "hello", "helloworld"]));
        assert_eq!(fields("$nope"), v(&[]));
        assert_eq!(fields("\"$nope\""), v(&[""]));
        assert_eq!(fields("$? $$ $0 $# $1"), v(&["3", "1234", "sh", "3", "one"]));
        assert_eq!(fields("${#x} ${#sp} ${#}"), v(&["5", "6", "3"]));
    }

    #[test]
    fn defaults_and_alternatives() {
        assert_eq!(fields("${nope:-def} ${empty:-def} ${empty-def} ${x:-def}"), v(&["def", "def", "hello"]));
        assert_eq!(fields("\"${empty-def}\""), v(&[""]));
        assert_eq!(fields("${x:+alt} ${empty:+alt} ${empty+alt} ${nope+alt}"), v(&["alt", "alt"]));
        assert_eq!(fields("${nope:-a b}"), v(&["a", "b"]));
        assert_eq!(fields("\"${nope:-a b}\""), v(&["a b"]));
        assert_eq!(fields("${nope:-\"a b\"}"), v(&["a b"]));
        assert_eq!(fields("${nope:-$x}"), v(&["hello"]));
    }

    #[test]
    fn assign_default() {
        let mut m = Mock::new();
        assert_eq!(fields_with(&mut m, "${new:=value} $new"), v(&["value", "value"]));
        assert_eq!(m.vars["new"], "value");
        assert_eq!(fields_with(&mut m, "${empty=other}"), v(&[]));
        assert_eq!(m.vars["empty"], "");
    }

    #[test]
    fn errors() {
        assert_eq!(expand_err("${nope:?is missing}"), "nope: is missing");
        assert_eq!(expand_err("${nope:?}"), "nope: parameter null or not set");
        assert_eq!(expand_err("${nope?}"), "nope: parameter not set");
        assert_eq!(expand_err("${3:=x}"), "3: cannot assign in this way");
        assert!(expand_err("$((1/0))").contains("division by zero"));
        let mut m = Mock::new();
        m.nounset = true;
        let list = Parser::new(Box::new(StrSource::new("echo $nope"))).parse_all().unwrap();
        let Command::Simple(cmd) = &list.items[0].and_or.first.cmds[0] else { panic!() };
        assert_eq!(expand_words(&mut m, &cmd.words[1..]).unwrap_err().msg, "nope: parameter not set");
    }

    #[test]
    fn trimming() {
        assert_eq!(fields("${f#*/} ${f%.*} ${f%%.*} ${f##*.}"), v(&["file.tar.gz", "dir/file.tar", "dir/file", "gz"]));
        assert_eq!(fields("${f%\".gz\"}"), v(&["dir/file.tar"]));
        assert_eq!(fields("${x#\"*\"}"), v(&["hello"]));
    }

    #[test]
    fn substrings_and_replacement() {
        assert_eq!(fields("${x:1} ${x:1:3} ${x: -2} ${x:0:-1} ${x:9}"), v(&["ello", "ell", "lo", "hell"]));
        assert_eq!(
            fields("${f/./_} ${f//./_} ${f/#dir/D} ${f/%gz/GZ} ${f/*./}"),
            v(&["dir/file_tar.gz", "dir/file_tar_gz", "D/file.tar.gz", "dir/file.tar.GZ", "gz"])
        );
        assert_eq!(fields("${x/l} ${x//l/L}"), v(&["helo", "heLLo"]));
    }

    #[test]
    fn field_splitting() {
        assert_eq!(fields("$sp"), v(&["a", "b", "c"]));
        assert_eq!(fields("\"$sp\""), v(&["a  b c"]));
        assert_eq!(fields("x${sp}y"), v(&["xa", "b", "cy"]));
        assert_eq!(fields("$empty"), v(&[]));
        let mut m = Mock::new();
        m.vars.insert("IFS".into(), ":".into());
        m.vars.insert("p".into(), "a::b:".into());
        assert_eq!(fields_with(&mut m, "$p"), v(&["a", "", "b"]));
        m.vars.insert("IFS".into(), " ,".into());
        m.vars.insert("p".into(), " ,a , b,,c ".into());
        assert_eq!(fields_with(&mut m, "$p"), v(&["", "a", "b", "", "c"]));
        m.vars.insert("IFS".into(), "".into());
        assert_eq!(fields_with(&mut m, "$sp"), v(&["a  b c"]));
    }

    #[test]
    fn positional_parameters() {
        assert_eq!(fields("\"$@\""), v(&["one", "two words", ""]));
        assert_eq!(fields("\"x$@y\""), v(&["xone", "two words", "y"]));
        assert_eq!(fields("$@"), v(&["one", "two", "words"]));
        assert_eq!(fields("$*"), v(&["one", "two", "words"]));
        assert_eq!(fields("\"$*\""), v(&["one two words "]));
        assert_eq!(fields("${2} ${10}"), v(&["two", "words"]));
        let mut m = Mock::new();
        m.args.clear();
        assert_eq!(fields_with(&mut m, "\"$@\""), v(&[]));
        assert_eq!(fields_with(&mut m, "\"$*\""), v(&[""]));
        assert_eq!(fields_with(&mut m, "\"$@\"\"\""), v(&[""]));
        m.args = v(&["a", "b"]);
        m.vars.insert("IFS".into(), "-".into());
        assert_eq!(fields_with(&mut m, "\"$*\""), v(&["a-b"]));
    }

    #[test]
    fn command_substitution() {
        assert_eq!(fields("$(echo a b)"), v(&["a", "b"]));
        assert_eq!(fields("\"$(echo a b)\""), v(&["a b"]));
        assert_eq!(fields("x$(echo $x)y"), v(&["xhelloy"]));
        assert_eq!(fields("`echo q`"), v(&["q"]));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(fields("$((1 + 2)) $((x + 4)) $(( (2+3) * $#))"), v(&["3", "4", "15"]));
        let mut m = Mock::new();
        assert_eq!(fields_with(&mut m, "$((n = 5)) $((n * 2))"), v(&["5", "10"]));
    }

    #[test]
    fn tilde() {
        assert_eq!(
            fields("~ ~/x ~root/y ~nobody/z a~ '~' \"~\""),
            v(&["/home/me", "/home/me/x", "/root/y", "~nobody/z", "a~", "~", "~"])
        );
        let mut m = Mock::new();
        let list = Parser::new(Box::new(StrSource::new("P=~/bin:~root:x"))).parse_all().unwrap();
        let Command::Simple(cmd) = &list.items[0].and_or.first.cmds[0] else { panic!() };
        assert_eq!(expand_assign(&mut m, &cmd.assigns[0].value).unwrap(), "/home/me/bin:/root:x");
    }

    #[test]
    fn globbing() {
        assert_eq!(fields("*.c"), v(&["a.c", "b.c"]));
        assert_eq!(fields("'*'.c \"*.c\" \\*.c"), v(&["*.c", "*.c", "*.c"]));
        assert_eq!(fields("*.none"), v(&["*.none"]));
        assert_eq!(fields("$star"), v(&["a.c", "b.c"]));
        assert_eq!(fields("\"$star\""), v(&["*.c"]));
        assert_eq!(fields("[ab].c"), v(&["a.c", "b.c"]));
        let mut m = Mock::new();
        m.noglob = true;
        assert_eq!(fields_with(&mut m, "*.c"), v(&["*.c"]));
    }

    #[test]
    fn patterns() {
        let list = Parser::new(Box::new(StrSource::new("echo a*'*'$star"))).parse_all().unwrap();
        let Command::Simple(cmd) = &list.items[0].and_or.first.cmds[0] else { panic!() };
        let p = expand_pattern(&mut Mock::new(), &cmd.words[1]).unwrap();
        let lits: Vec<bool> = p.iter().map(|p| p.lit).collect();
        assert_eq!(lits, vec![false, false, true, false, false, false]);
    }

    fn rs(line: &str, ifs: &str, n: usize) -> Vec<String> {
        let chars: Vec<(char, bool)> = line.chars().map(|c| (c, false)).collect();
        split_for_read(&chars, ifs, n)
    }

    #[test]
    fn read_splitting() {
        assert_eq!(rs("  a  b  c  ", " \t\n", 2), v(&["a", "b  c"]));
        assert_eq!(rs("a b c", " \t\n", 3), v(&["a", "b", "c"]));
        assert_eq!(rs("a b", " \t\n", 3), v(&["a", "b", ""]));
        assert_eq!(rs("  a b  ", " \t\n", 1), v(&["a b"]));
        assert_eq!(rs("a:b:c:", ":", 2), v(&["a", "b:c:"]));
        assert_eq!(rs("a:b:c:d", ":", 2), v(&["a", "b:c:d"]));
        assert_eq!(rs("a::b", ":", 3), v(&["a", "", "b"]));
        assert_eq!(rs("", " ", 2), v(&["", ""]));
        assert_eq!(rs("  x  ", "", 1), v(&["  x  "]));
        let esc: Vec<(char, bool)> = vec![('a', false), (' ', true), ('b', false), (' ', false), ('c', false)];
        assert_eq!(split_for_read(&esc, " ", 2), v(&["a b", "c"]));
    }
}
