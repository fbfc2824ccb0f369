//! Tokens and words.
//!
//! The lexer reads characters on demand from a [`Source`], one line at a
//! time, so an interactive shell asks for a continuation line (PS2) only
//! when a command is not complete yet. Words are read into their quoting
//! structure here; a `$(...)` inside a word is parsed as a program right
//! away by the parser on the same characters (so a `)` in a `case` inside
//! it is understood), which is why the lexer is a part of [`Parser`].

use std::cell::RefCell;
use std::rc::Rc;

use crate::ast::{HereDoc, ParamExp, ParamOp, Word, WordPart};
use crate::parser::{ParseError, Parser};

/// What a source gives when asked for a line.
pub enum Input {
    /// A line, with its newline unless it is the last line of the input.
    Line(String),
    Eof,
    /// Ctrl-C while a line was being typed.
    Interrupted,
}

/// Where the program text comes from.
pub trait Source {
    /// The next line; `continuation` says the command begun on an earlier
    /// line is not complete (an interactive source prompts with PS2).
    fn read_line(&mut self, continuation: bool) -> Input;
}

/// A source over a string (`sh -c`, scripts, `eval`, backquotes).
pub struct StrSource {
    text: Vec<char>,
    pos: usize,
}

impl StrSource {
    pub fn new(text: &str) -> Self {
        StrSource { text: text.chars().collect(), pos: 0 }
    }
}

impl Source for StrSource {
    fn read_line(&mut self, _continuation: bool) -> Input {
        if self.pos >= self.text.len() {
            return Input::Eof;
        }
        let start = self.pos;
        while self.pos < self.text.len() {
            self.pos += 1;
            if self.text[self.pos - 1] == '\n' {
                break;
            }
        }
        Input::Line(self.text[start..self.pos].iter().collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Semi,
    DSemi,
    Amp,
    AndIf,
    Pipe,
    OrIf,
    LParen,
    RParen,
    Less,
    Great,
    DGreat,
    LessAnd,
    GreatAnd,
    LessGreat,
    DLess,
    DLessDash,
    Clobber,
}

impl Op {
    pub fn text(self) -> &'static str {
        match self {
            Op::Semi => ";",
            Op::DSemi => ";;",
            Op::Amp => "&",
            Op::AndIf => "&&",
            Op::Pipe => "|",
            Op::OrIf => "||",
            Op::LParen => "(",
            Op::RParen => ")",
            Op::Less => "<",
            Op::Great => ">",
            Op::DGreat => ">>",
            Op::LessAnd => "<&",
            Op::GreatAnd => ">&",
            Op::LessGreat => "<>",
            Op::DLess => "<<",
            Op::DLessDash => "<<-",
            Op::Clobber => ">|",
        }
    }

    pub fn is_redirect(self) -> bool {
        matches!(
            self,
            Op::Less
                | Op::Great
                | Op::DGreat
                | Op::LessAnd
                | Op::GreatAnd
                | Op::LessGreat
                | Op::DLess
                | Op::DLessDash
                | Op::Clobber
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Word(Word),
    IoNumber(i32),
    Op(Op),
    Newline,
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    /// Its characters in the parser's buffer.
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

impl Token {
    /// The text of a word made only of unquoted literal characters.
    pub fn lit(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) if w.len() == 1 => match &w[0] {
                WordPart::Lit(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_op(&self, op: Op) -> bool {
        self.tok == Tok::Op(op)
    }

    pub fn is_word(&self, kw: &str) -> bool {
        self.lit() == Some(kw)
    }
}

/// A here-document whose body comes after the next newline.
pub(crate) struct Pending {
    pub delim: String,
    pub strip_tabs: bool,
    pub quoted: bool,
    pub target: Rc<RefCell<HereDoc>>,
}

fn is_meta(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>')
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!')
}

/// Appends `part`, merging it into the previous part when both are text of
/// the same kind.
fn push_part(parts: &mut Word, part: WordPart) {
    match (parts.last_mut(), &part) {
        (Some(WordPart::Lit(a)), WordPart::Lit(b)) => a.push_str(b),
        (Some(WordPart::Quoted(a)), WordPart::Quoted(b)) => a.push_str(b),
        _ => parts.push(part),
    }
}

fn flush(parts: &mut Word, lit: &mut String) {
    if !lit.is_empty() {
        push_part(parts, WordPart::Lit(std::mem::take(lit)));
    }
}

/// The delimiter of a here-document with quotes removed, and whether it
/// had any.
pub fn heredoc_delimiter(raw: &str) -> (String, bool) {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => quoted = true,
            '\\' => {
                quoted = true;
                if let Some(c) = chars.next() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    (out, quoted)
}

impl Parser {
    // ---- characters ----

    /// The character `k` places ahead, reading more lines as needed.
    pub(crate) fn char_at(&mut self, k: usize) -> Result<Option<char>, ParseError> {
        while self.pos + k >= self.buf.len() {
            if self.eof {
                return Ok(None);
            }
            self.fill()?;
        }
        Ok(Some(self.buf[self.pos + k]))
    }

    pub(crate) fn peek_char(&mut self) -> Result<Option<char>, ParseError> {
        self.char_at(0)
    }

    fn fill(&mut self) -> Result<(), ParseError> {
        let continuation = !self.fresh;
        match self.src.read_line(continuation) {
            Input::Line(s) => {
                self.fresh = false;
                self.buf.extend(s.chars());
                Ok(())
            }
            Input::Eof => {
                self.eof = true;
                Ok(())
            }
            Input::Interrupted => Err(ParseError::Interrupted),
        }
    }

    pub(crate) fn bump(&mut self) {
        if self.pos < self.buf.len() {
            if self.buf[self.pos] == '\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    fn eof_error(&self) -> ParseError {
        self.syntax("unexpected end of file")
    }

    // ---- tokens ----

    pub(crate) fn lex(&mut self) -> Result<Token, ParseError> {
        loop {
            match self.peek_char()? {
                Some(' ' | '\t') => self.bump(),
                Some('\\') if self.char_at(1)? == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                Some('#') => {
                    while let Some(c) = self.peek_char()? {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let start = self.pos;
        let line = self.line;
        let Some(c) = self.peek_char()? else {
            if !self.pending.is_empty() {
                self.read_heredocs()?;
            }
            return Ok(Token { tok: Tok::Eof, start, end: start, line });
        };
        let op = |p: &mut Parser, op: Op, n: usize| {
            for _ in 0..n {
                p.bump();
            }
            Tok::Op(op)
        };
        let next = if matches!(c, ';' | '&' | '|' | '<' | '>') { self.char_at(1)? } else { None };
        let tok = match c {
            '\n' => {
                self.bump();
                self.read_heredocs()?;
                Tok::Newline
            }
            ';' if next == Some(';') => op(self, Op::DSemi, 2),
            ';' => op(self, Op::Semi, 1),
            '&' if next == Some('&') => op(self, Op::AndIf, 2),
            '&' => op(self, Op::Amp, 1),
            '|' if next == Some('|') => op(self, Op::OrIf, 2),
            '|' => op(self, Op::Pipe, 1),
            '(' => op(self, Op::LParen, 1),
            ')' => op(self, Op::RParen, 1),
            '<' => match next {
                Some('<') if self.char_at(2)? == Some('-') => op(self, Op::DLessDash, 3),
                Some('<') => op(self, Op::DLess, 2),
                Some('&') => op(self, Op::LessAnd, 2),
                Some('>') => op(self, Op::LessGreat, 2),
                _ => op(self, Op::Less, 1),
            },
            '>' => match next {
                Some('>') => op(self, Op::DGreat, 2),
                Some('&') => op(self, Op::GreatAnd, 2),
                Some('|') => op(self, Op::Clobber, 2),
                _ => op(self, Op::Great, 1),
            },
            _ => {
                let word = self.read_word()?;
                let digits = match word.as_slice() {
                    [WordPart::Lit(s)] if s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<i32>().ok(),
                    _ => None,
                };
                match (digits, self.peek_char()?) {
                    (Some(n), Some('<' | '>')) => Tok::IoNumber(n),
                    _ => Tok::Word(word),
                }
            }
        };
        Ok(Token { tok, start, end: self.pos, line })
    }

    /// The source text between two buffer positions.
    pub(crate) fn text(&self, start: usize, end: usize) -> String {
        let end = end.min(self.buf.len());
        if start >= end {
            return String::new();
        }
        self.buf[start..end].iter().collect()
    }

    // ---- here-documents ----

    fn read_heredocs(&mut self) -> Result<(), ParseError> {
        for p in std::mem::take(&mut self.pending) {
            let mut body = String::new();
            loop {
                let mut line = String::new();
                let mut newline = false;
                while let Some(c) = self.peek_char()? {
                    self.bump();
                    if c == '\n' {
                        newline = true;
                        break;
                    }
                    line.push(c);
                }
                if !newline && line.is_empty() {
                    break;
                }
                let l = if p.strip_tabs { line.trim_start_matches('\t') } else { &line };
                if l == p.delim {
                    break;
                }
                body.push_str(l);
                body.push('\n');
                if !newline {
                    break;
                }
            }
            let word = if p.quoted {
                vec![WordPart::Quoted(body)]
            } else {
                let mut sub = Parser::new(Box::new(crate::lexer::StrSource::new(&body)));
                sub.line = self.line;
                vec![WordPart::Double(sub.read_heredoc_parts()?)]
            };
            *p.target.borrow_mut() = HereDoc { quoted: p.quoted, body: word };
        }
        Ok(())
    }

    /// The expansions of an unquoted here-document body: as inside double
    /// quotes, except that `"` is an ordinary character.
    fn read_heredoc_parts(&mut self) -> Result<Word, ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek_char()? {
            self.bump();
            match c {
                '\\' => match self.peek_char()? {
                    Some(n @ ('$' | '`' | '\\')) => {
                        self.bump();
                        lit.push(n);
                    }
                    Some('\n') => self.bump(),
                    _ => lit.push('\\'),
                },
                '$' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_dollar(true)?;
                    push_part(&mut parts, p);
                }
                '`' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_backquote(true)?;
                    push_part(&mut parts, p);
                }
                c => lit.push(c),
            }
        }
        flush(&mut parts, &mut lit);
        Ok(parts)
    }

    // ---- words ----

    /// An unquoted word, up to the next blank or operator character.
    pub(crate) fn read_word(&mut self) -> Result<Word, ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek_char()? {
            if is_meta(c) {
                break;
            }
            self.bump();
            match c {
                '\\' => match self.peek_char()? {
                    Some('\n') => self.bump(),
                    Some(n) => {
                        self.bump();
                        flush(&mut parts, &mut lit);
                        push_part(&mut parts, WordPart::Quoted(n.to_string()));
                    }
                    None => lit.push('\\'),
                },
                '\'' => {
                    flush(&mut parts, &mut lit);
                    let s = self.read_single()?;
                    push_part(&mut parts, WordPart::Quoted(s));
                }
                '"' => {
                    flush(&mut parts, &mut lit);
                    let d = self.read_double()?;
                    parts.push(WordPart::Double(d));
                }
                '$' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_dollar(false)?;
                    push_part(&mut parts, p);
                }
                '`' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_backquote(false)?;
                    parts.push(p);
                }
                c => lit.push(c),
            }
        }
        flush(&mut parts, &mut lit);
        Ok(parts)
    }

    /// After `'`: up to the closing quote.
    fn read_single(&mut self) -> Result<String, ParseError> {
        let mut s = String::new();
        loop {
            match self.peek_char()? {
                None => return Err(self.syntax("unterminated quoted string")),
                Some('\'') => {
                    self.bump();
                    return Ok(s);
                }
                Some(c) => {
                    self.bump();
                    s.push(c);
                }
            }
        }
    }

    /// After `"`: the parts up to the closing quote.
    fn read_double(&mut self) -> Result<Word, ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek_char()? else {
                return Err(self.syntax("unterminated quoted string"));
            };
            self.bump();
            match c {
                '"' => break,
                '\\' => match self.peek_char()? {
                    Some(n @ ('$' | '`' | '"' | '\\')) => {
                        self.bump();
                        lit.push(n);
                    }
                    Some('\n') => self.bump(),
                    _ => lit.push('\\'),
                },
                '$' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_dollar(true)?;
                    push_part(&mut parts, p);
                }
                '`' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_backquote(true)?;
                    parts.push(p);
                }
                c => lit.push(c),
            }
        }
        flush(&mut parts, &mut lit);
        Ok(parts)
    }

    /// After `$`.
    fn read_dollar(&mut self, dq: bool) -> Result<WordPart, ParseError> {
        let Some(c) = self.peek_char()? else {
            return Ok(WordPart::Lit("$".into()));
        };
        let param = |name: String| WordPart::Param(Box::new(ParamExp { name, op: ParamOp::Get }));
        match c {
            '{' => {
                self.bump();
                self.read_brace(dq)
            }
            '(' => {
                if self.char_at(1)? == Some('(') && self.is_arith()? {
                    self.bump();
                    self.bump();
                    return self.read_arith();
                }
                self.bump();
                let list = self.parse_subst()?;
                Ok(WordPart::Command(Rc::new(list)))
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(c) = self.peek_char()? {
                    if c == '_' || c.is_ascii_alphanumeric() {
                        name.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
                Ok(param(name))
            }
            c if c.is_ascii_digit() || is_special_param(c) => {
                self.bump();
                Ok(param(c.to_string()))
            }
            _ => Ok(WordPart::Lit("$".into())),
        }
    }

    /// Looking at `((` after `$`: is this arithmetic (the matching close
    /// is `))`) or a command substitution starting with a subshell?
    fn is_arith(&mut self) -> Result<bool, ParseError> {
        let mut depth = 0usize;
        let mut k = 2;
        loop {
            match self.char_at(k)? {
                None => return Ok(false),
                Some('(') => depth += 1,
                Some(')') => {
                    if depth == 0 {
                        return Ok(self.char_at(k + 1)? == Some(')'));
                    }
                    depth -= 1;
                }
                _ => {}
            }
            k += 1;
        }
    }

    /// After `$((`: up to the matching `))`.
    fn read_arith(&mut self) -> Result<WordPart, ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut depth = 0usize;
        loop {
            let Some(c) = self.peek_char()? else {
                return Err(self.eof_error());
            };
            self.bump();
            match c {
                ')' if depth == 0 => {
                    if self.peek_char()? != Some(')') {
                        return Err(self.syntax("unexpected \")\""));
                    }
                    self.bump();
                    break;
                }
                ')' => {
                    depth -= 1;
                    lit.push(c);
                }
                '(' => {
                    depth += 1;
                    lit.push(c);
                }
                '\\' => match self.peek_char()? {
                    Some(n @ ('$' | '`' | '"' | '\\')) => {
                        self.bump();
                        lit.push(n);
                    }
                    Some('\n') => self.bump(),
                    _ => lit.push('\\'),
                },
                '"' => {
                    flush(&mut parts, &mut lit);
                    let d = self.read_double()?;
                    parts.push(WordPart::Double(d));
                }
                '$' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_dollar(true)?;
                    push_part(&mut parts, p);
                }
                '`' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_backquote(true)?;
                    parts.push(p);
                }
                c => lit.push(c),
            }
        }
        flush(&mut parts, &mut lit);
        Ok(WordPart::Arith(parts))
    }

    /// After `${`.
    fn read_brace(&mut self, dq: bool) -> Result<WordPart, ParseError> {
        let bad = |p: &Parser| p.syntax("bad substitution");
        let mut length = false;
        if self.peek_char()? == Some('#') {
            match self.char_at(1)? {
                Some('}') => {}
                Some(c) if c == '_' || c.is_ascii_alphanumeric() || is_special_param(c) => {
                    self.bump();
                    length = true;
                }
                _ => {}
            }
        }
        let mut name = String::new();
        match self.peek_char()? {
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                while let Some(c) = self.peek_char()? {
                    if c == '_' || c.is_ascii_alphanumeric() {
                        name.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek_char()? {
                    if c.is_ascii_digit() {
                        name.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
            }
            Some(c) if is_special_param(c) => {
                name.push(c);
                self.bump();
            }
            _ => return Err(bad(self)),
        }
        let make = |name: String, op: ParamOp| Ok(WordPart::Param(Box::new(ParamExp { name, op })));
        let Some(c) = self.peek_char()? else { return Err(bad(self)) };
        if c == '}' {
            self.bump();
            return make(name, if length { ParamOp::Length } else { ParamOp::Get });
        }
        if length {
            return Err(bad(self));
        }
        let mut colon = false;
        if c == ':' {
            match self.char_at(1)? {
                Some('-' | '=' | '?' | '+') => {
                    colon = true;
                    self.bump();
                }
                _ => {
                    self.bump();
                    let (offset, end) = self.read_brace_word_until(dq, &[':', '}'])?;
                    let length = if end == ':' { Some(self.read_brace_word(dq)?) } else { None };
                    return make(name, ParamOp::Substring { offset, length });
                }
            }
        }
        if c == '/' {
            self.bump();
            let (all, anchor) = match self.peek_char()? {
                Some('/') => (true, None),
                Some(a @ ('#' | '%')) => (false, Some(a)),
                _ => (false, None),
            };
            if all || anchor.is_some() {
                self.bump();
            }
            let (pattern, end) = self.read_brace_word_until(dq, &['/', '}'])?;
            let replacement = if end == '/' { self.read_brace_word(dq)? } else { Vec::new() };
            return make(name, ParamOp::Replace { all, anchor, pattern, replacement });
        }
        let c = self.peek_char()?.ok_or_else(|| bad(self))?;
        self.bump();
        let op = match c {
            '-' | '=' | '?' | '+' => {
                let word = self.read_brace_word(dq)?;
                match c {
                    '-' => ParamOp::Default { colon, word },
                    '=' => ParamOp::Assign { colon, word },
                    '?' => ParamOp::Error { colon, word },
                    _ => ParamOp::Alt { colon, word },
                }
            }
            '%' | '#' => {
                let longest = self.peek_char()? == Some(c);
                if longest {
                    self.bump();
                }
                let pattern = self.read_brace_word(dq)?;
                if c == '%' {
                    ParamOp::TrimSuffix { longest, pattern }
                } else {
                    ParamOp::TrimPrefix { longest, pattern }
                }
            }
            _ => return Err(bad(self)),
        };
        make(name, op)
    }

    /// The word in `${name op word}`, up to the closing brace.
    fn read_brace_word(&mut self, dq: bool) -> Result<Word, ParseError> {
        Ok(self.read_brace_word_until(dq, &['}'])?.0)
    }

    /// A word inside `${...}` up to one of `stops` (outside nested
    /// braces): the word and the stop that ended it.
    fn read_brace_word_until(&mut self, dq: bool, stops: &[char]) -> Result<(Word, char), ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut depth = 0usize;
        let stop = loop {
            let Some(c) = self.peek_char()? else {
                return Err(self.syntax("missing \"}\""));
            };
            self.bump();
            match c {
                c if depth == 0 && stops.contains(&c) => break c,
                '}' => {
                    depth -= 1;
                    lit.push(c);
                }
                '{' => {
                    depth += 1;
                    lit.push(c);
                }
                '\\' => match self.peek_char()? {
                    Some('\n') => self.bump(),
                    Some(n) if !dq || matches!(n, '$' | '`' | '"' | '\\' | '}') => {
                        self.bump();
                        flush(&mut parts, &mut lit);
                        push_part(&mut parts, WordPart::Quoted(n.to_string()));
                    }
                    // Inside double quotes `\{` stays as it is, and counts
                    // for no brace.
                    Some(n) => {
                        self.bump();
                        lit.push('\\');
                        lit.push(n);
                    }
                    None => lit.push('\\'),
                },
                '\'' if !dq => {
                    flush(&mut parts, &mut lit);
                    let s = self.read_single()?;
                    push_part(&mut parts, WordPart::Quoted(s));
                }
                '"' => {
                    flush(&mut parts, &mut lit);
                    let d = self.read_double()?;
                    parts.push(WordPart::Double(d));
                }
                '$' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_dollar(dq)?;
                    push_part(&mut parts, p);
                }
                '`' => {
                    flush(&mut parts, &mut lit);
                    let p = self.read_backquote(dq)?;
                    parts.push(p);
                }
                c => lit.push(c),
            }
        };
        flush(&mut parts, &mut lit);
        Ok((parts, stop))
    }

    /// After `` ` ``: the text up to the closing backquote, parsed as a
    /// program.
    fn read_backquote(&mut self, dq: bool) -> Result<WordPart, ParseError> {
        let mut raw = String::new();
        loop {
            let Some(c) = self.peek_char()? else {
                return Err(self.syntax("unterminated quoted string"));
            };
            self.bump();
            match c {
                '`' => break,
                '\\' => match self.peek_char()? {
                    Some(n) if matches!(n, '$' | '`' | '\\') || (dq && n == '"') => {
                        self.bump();
                        raw.push(n);
                    }
                    _ => raw.push('\\'),
                },
                c => raw.push(c),
            }
        }
        let mut sub = Parser::new(Box::new(StrSource::new(&raw)));
        sub.aliases = self.aliases.clone();
        sub.line = self.line;
        let list = sub.parse_all()?;
        Ok(WordPart::Command(Rc::new(list)))
    }
}
