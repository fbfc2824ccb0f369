//! The shell grammar (POSIX XCU 2.10) into the tree of [`crate::ast`].
//!
//! The parser reads one complete command at a time (up to a newline that
//! ends it), so a script runs command by command and an interactive shell
//! asks for continuation lines only when needed. Alias expansion is done
//! here, on the characters: the alias's text replaces the word in the
//! buffer and is read again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::*;
use crate::lexer::{Op, Pending, Source, Tok, Token, heredoc_delimiter};

#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// A syntax error: the message after "syntax error: ", and the line.
    Syntax { msg: String, line: usize },
    /// Ctrl-C while the command was being typed.
    Interrupted,
}

pub struct Parser {
    pub(crate) src: Box<dyn Source>,
    /// The characters of the command being parsed.
    pub(crate) buf: Vec<char>,
    pub(crate) pos: usize,
    pub(crate) eof: bool,
    /// The next line read is the first of a command (PS1 rather than PS2).
    pub(crate) fresh: bool,
    /// The line number at `pos`.
    pub line: usize,
    pub(crate) peeked: Option<Token>,
    /// The end of the last token taken.
    pub(crate) last_end: usize,
    pub(crate) pending: Vec<Pending>,
    pub aliases: HashMap<String, String>,
    /// Aliases being expanded, with the end of their text in `buf`.
    alias_active: Vec<(String, usize)>,
    /// An alias ending in a blank: the word starting at or after this
    /// position is looked up as an alias too.
    alias_next_at: Option<usize>,
}

/// Words that end a compound list.
const LIST_END: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

impl Parser {
    pub fn new(src: Box<dyn Source>) -> Self {
        Parser {
            src,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            fresh: true,
            line: 1,
            peeked: None,
            last_end: 0,
            pending: Vec::new(),
            aliases: HashMap::new(),
            alias_active: Vec::new(),
            alias_next_at: None,
        }
    }

    pub(crate) fn syntax(&self, msg: &str) -> ParseError {
        ParseError::Syntax { msg: msg.to_string(), line: self.line }
    }

    fn unexpected(&self, t: &Token) -> ParseError {
        let msg = match &t.tok {
            Tok::Eof => "unexpected end of file".to_string(),
            Tok::Newline => "unexpected newline".to_string(),
            Tok::Op(op) => format!("unexpected \"{}\"", op.text()),
            _ => format!("unexpected \"{}\"", self.text(t.start, t.end)),
        };
        ParseError::Syntax { msg, line: t.line }
    }

    fn peek(&mut self) -> Result<Token, ParseError> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.clone().unwrap())
    }

    fn next(&mut self) -> Result<Token, ParseError> {
        let t = match self.peeked.take() {
            Some(t) => t,
            None => self.lex()?,
        };
        self.last_end = t.end;
        Ok(t)
    }

    fn expect_word(&mut self, kw: &str) -> Result<(), ParseError> {
        let t = self.next()?;
        if t.is_word(kw) { Ok(()) } else { Err(self.unexpected(&t)) }
    }

    fn linebreak(&mut self) -> Result<(), ParseError> {
        while self.peek()?.tok == Tok::Newline {
            self.next()?;
        }
        Ok(())
    }

    /// Forgets what is left of the current input (after a syntax error in
    /// an interactive shell).
    pub fn discard(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.peeked = None;
        self.pending.clear();
        self.last_end = 0;
    }

    fn begin_command(&mut self) {
        if self.peeked.is_none() {
            self.buf.drain(..self.pos);
            self.pos = 0;
            self.last_end = 0;
        }
        self.fresh = self.buf.len() == self.pos;
        self.eof = false;
        self.alias_active.clear();
        self.alias_next_at = None;
    }

    /// The next complete command: `None` at the end of the input, an empty
    /// list for a blank line.
    pub fn parse_complete_command(&mut self) -> Result<Option<List>, ParseError> {
        self.begin_command();
        let t = self.peek()?;
        match t.tok {
            Tok::Eof => {
                self.next()?;
                return Ok(None);
            }
            Tok::Newline => {
                self.next()?;
                return Ok(Some(List::default()));
            }
            _ => {}
        }
        let list = self.parse_top_list()?;
        let t = self.next()?;
        match t.tok {
            Tok::Newline | Tok::Eof => Ok(Some(list)),
            _ => Err(self.unexpected(&t)),
        }
    }

    /// All of the input as one list.
    pub fn parse_all(&mut self) -> Result<List, ParseError> {
        let mut items = Vec::new();
        while let Some(list) = self.parse_complete_command()? {
            items.extend(list.items);
        }
        Ok(List { items })
    }

    fn parse_top_list(&mut self) -> Result<List, ParseError> {
        let mut items = Vec::new();
        loop {
            let and_or = self.parse_and_or()?;
            let t = self.peek()?;
            let background = match t.tok {
                Tok::Op(Op::Semi) => false,
                Tok::Op(Op::Amp) => true,
                _ => {
                    items.push(Item { and_or, background: false });
                    break;
                }
            };
            self.next()?;
            items.push(Item { and_or, background });
            if matches!(self.peek()?.tok, Tok::Newline | Tok::Eof) {
                break;
            }
        }
        Ok(List { items })
    }

    fn is_list_end(t: &Token) -> bool {
        match &t.tok {
            Tok::Eof | Tok::Op(Op::RParen) | Tok::Op(Op::DSemi) => true,
            Tok::Word(_) => t.lit().is_some_and(|w| LIST_END.contains(&w)),
            _ => false,
        }
    }

    fn parse_compound_list(&mut self, allow_empty: bool) -> Result<List, ParseError> {
        let mut items = Vec::new();
        self.linebreak()?;
        loop {
            let t = self.peek()?;
            if Self::is_list_end(&t) {
                break;
            }
            let and_or = self.parse_and_or()?;
            let t = self.peek()?;
            let background = match t.tok {
                Tok::Op(Op::Semi) => {
                    self.next()?;
                    false
                }
                Tok::Op(Op::Amp) => {
                    self.next()?;
                    true
                }
                Tok::Newline => false,
                _ => {
                    items.push(Item { and_or, background: false });
                    break;
                }
            };
            items.push(Item { and_or, background });
            self.linebreak()?;
        }
        if items.is_empty() && !allow_empty {
            let t = self.peek()?;
            return Err(self.unexpected(&t));
        }
        Ok(List { items })
    }

    /// After `$(`: the program up to the matching `)`.
    pub(crate) fn parse_subst(&mut self) -> Result<List, ParseError> {
        let outer = self.peeked.take();
        let list = self.parse_compound_list(true)?;
        let t = self.next()?;
        if !t.is_op(Op::RParen) {
            return Err(self.unexpected(&t));
        }
        self.peeked = outer;
        Ok(list)
    }

    fn parse_and_or(&mut self) -> Result<AndOr, ParseError> {
        let start = self.peek()?.start;
        let first = self.parse_pipeline()?;
        let mut rest = Vec::new();
        loop {
            let t = self.peek()?;
            let conn = match t.tok {
                Tok::Op(Op::AndIf) => Connector::And,
                Tok::Op(Op::OrIf) => Connector::Or,
                _ => break,
            };
            self.next()?;
            self.linebreak()?;
            rest.push((conn, self.parse_pipeline()?));
        }
        let text = self.text(start, self.last_end);
        Ok(AndOr { first, rest, text })
    }

    fn parse_pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let t = self.peek()?;
        let start = t.start;
        let bang = t.is_word("!");
        if bang {
            self.next()?;
        }
        let mut cmds = vec![self.parse_command()?];
        while self.peek()?.is_op(Op::Pipe) {
            self.next()?;
            self.linebreak()?;
            cmds.push(self.parse_command()?);
        }
        let text = self.text(start, self.last_end);
        Ok(Pipeline { bang, cmds, text })
    }

    /// Replaces the word `t` by its alias's text, if it has one that is not
    /// being expanded already.
    fn try_alias(&mut self, t: &Token) -> bool {
        let Some(name) = t.lit() else { return false };
        if self.text(t.start, t.end) != name {
            return false;
        }
        let Some(value) = self.aliases.get(name) else { return false };
        if self.alias_active.iter().any(|(n, end)| n == name && *end > t.start) {
            return false;
        }
        let value: Vec<char> = value.chars().collect();
        let len = value.len();
        let old = t.end - t.start;
        self.buf.splice(t.start..t.end, value.iter().copied());
        for (_, end) in &mut self.alias_active {
            if *end >= t.end {
                *end = *end + len - old;
            }
        }
        self.alias_active.push((name.to_string(), t.start + len));
        self.alias_next_at =
            if value.last().is_some_and(|c| *c == ' ' || *c == '\t') { Some(t.start + len) } else { None };
        self.pos = t.start;
        self.line = t.line;
        self.peeked = None;
        true
    }

    fn parse_command(&mut self) -> Result<Command, ParseError> {
        let mut t = self.peek()?;
        while self.try_alias(&t) {
            t = self.peek()?;
        }
        let compound = match &t.tok {
            Tok::Op(Op::LParen) => {
                self.next()?;
                let list = self.parse_compound_list(false)?;
                let t = self.next()?;
                if !t.is_op(Op::RParen) {
                    return Err(self.unexpected(&t));
                }
                Compound::Subshell(list)
            }
            Tok::Word(_) => match t.lit() {
                Some("{") => {
                    self.next()?;
                    let list = self.parse_compound_list(false)?;
                    self.expect_word("}")?;
                    Compound::Brace(list)
                }
                Some("if") => self.parse_if()?,
                Some("while") => self.parse_loop(false)?,
                Some("until") => self.parse_loop(true)?,
                Some("for") => self.parse_for()?,
                Some("case") => self.parse_case()?,
                Some("function") => return self.parse_function_keyword(),
                Some(w) if LIST_END.contains(&w) || w == "!" => return Err(self.unexpected(&t)),
                _ => return self.parse_simple(),
            },
            Tok::IoNumber(_) => return self.parse_simple(),
            Tok::Op(op) if op.is_redirect() => return self.parse_simple(),
            _ => return Err(self.unexpected(&t)),
        };
        let mut redirs = Vec::new();
        loop {
            let t = self.peek()?;
            match t.tok {
                Tok::IoNumber(_) => redirs.push(self.parse_redirect()?),
                Tok::Op(op) if op.is_redirect() => redirs.push(self.parse_redirect()?),
                _ => break,
            }
        }
        Ok(Command::Compound(compound, redirs))
    }

    fn parse_simple(&mut self) -> Result<Command, ParseError> {
        let first = self.peek()?;
        let mut cmd = SimpleCommand { line: first.line, ..Default::default() };
        loop {
            let t = self.peek()?;
            match &t.tok {
                Tok::IoNumber(_) => cmd.redirs.push(self.parse_redirect()?),
                Tok::Op(op) if op.is_redirect() => cmd.redirs.push(self.parse_redirect()?),
                Tok::Word(w) => {
                    if cmd.words.is_empty() {
                        if let Some(a) = split_assignment(w) {
                            self.next()?;
                            cmd.assigns.push(a);
                            continue;
                        }
                        if self.try_alias(&t) {
                            continue;
                        }
                    } else if self.alias_next_at.is_some_and(|p| t.start >= p) {
                        self.alias_next_at = None;
                        if self.try_alias(&t) {
                            continue;
                        }
                    }
                    self.next()?;
                    if cmd.words.is_empty()
                        && cmd.assigns.is_empty()
                        && cmd.redirs.is_empty()
                        && self.peek()?.is_op(Op::LParen)
                    {
                        let name = match t.lit() {
                            Some(n) if is_name(n) => n.to_string(),
                            _ => {
                                let p = self.peek()?;
                                return Err(self.unexpected(&p));
                            }
                        };
                        self.next()?;
                        let t = self.next()?;
                        if !t.is_op(Op::RParen) {
                            return Err(self.unexpected(&t));
                        }
                        return self.parse_function_body(name);
                    }
                    cmd.words.push(w.clone());
                }
                _ => break,
            }
        }
        if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirs.is_empty() {
            let t = self.peek()?;
            return Err(self.unexpected(&t));
        }
        Ok(Command::Simple(cmd))
    }

    /// `function name [()] compound-command` (a ksh and bash form).
    fn parse_function_keyword(&mut self) -> Result<Command, ParseError> {
        self.next()?;
        let t = self.next()?;
        let name = match t.lit() {
            Some(n) if is_name(n) => n.to_string(),
            _ => return Err(self.unexpected(&t)),
        };
        if self.peek()?.is_op(Op::LParen) {
            self.next()?;
            let t = self.next()?;
            if !t.is_op(Op::RParen) {
                return Err(self.unexpected(&t));
            }
        }
        self.parse_function_body(name)
    }

    fn parse_function_body(&mut self, name: String) -> Result<Command, ParseError> {
        self.linebreak()?;
        let t = self.peek()?;
        let body = self.parse_command()?;
        if !matches!(body, Command::Compound(..)) {
            return Err(self.unexpected(&t));
        }
        Ok(Command::FuncDef { name, body: Rc::new(body) })
    }

    fn parse_redirect(&mut self) -> Result<Redir, ParseError> {
        let t = self.next()?;
        let (fd, op) = match t.tok {
            Tok::IoNumber(n) => {
                let t2 = self.next()?;
                match t2.tok {
                    Tok::Op(op) if op.is_redirect() => (Some(n), op),
                    _ => return Err(self.unexpected(&t2)),
                }
            }
            Tok::Op(op) => (None, op),
            _ => return Err(self.unexpected(&t)),
        };
        let target = self.next()?;
        let Tok::Word(word) = &target.tok else {
            return Err(self.unexpected(&target));
        };
        let (default_fd, kind) = match op {
            Op::Less => (0, RedirKind::In),
            Op::Great => (1, RedirKind::Out),
            Op::DGreat => (1, RedirKind::Append),
            Op::Clobber => (1, RedirKind::Clobber),
            Op::LessGreat => (0, RedirKind::ReadWrite),
            Op::LessAnd => (0, RedirKind::DupIn),
            Op::GreatAnd => (1, RedirKind::DupOut),
            _ => (0, RedirKind::HereDoc),
        };
        let mut heredoc = None;
        if kind == RedirKind::HereDoc {
            let (delim, quoted) = heredoc_delimiter(&self.text(target.start, target.end));
            let doc = Rc::new(RefCell::new(HereDoc { quoted, body: Vec::new() }));
            self.pending.push(Pending { delim, strip_tabs: op == Op::DLessDash, quoted, target: doc.clone() });
            heredoc = Some(doc);
        }
        Ok(Redir { fd: fd.unwrap_or(default_fd), kind, target: word.clone(), heredoc })
    }

    fn parse_if(&mut self) -> Result<Compound, ParseError> {
        self.next()?;
        let mut arms = Vec::new();
        let cond = self.parse_compound_list(false)?;
        self.expect_word("then")?;
        let body = self.parse_compound_list(false)?;
        arms.push((cond, body));
        let mut otherwise = None;
        loop {
            let t = self.next()?;
            match t.lit() {
                Some("elif") => {
                    let cond = self.parse_compound_list(false)?;
                    self.expect_word("then")?;
                    let body = self.parse_compound_list(false)?;
                    arms.push((cond, body));
                }
                Some("else") => {
                    otherwise = Some(self.parse_compound_list(false)?);
                    self.expect_word("fi")?;
                    break;
                }
                Some("fi") => break,
                _ => return Err(self.unexpected(&t)),
            }
        }
        Ok(Compound::If { arms, otherwise })
    }

    fn parse_loop(&mut self, until: bool) -> Result<Compound, ParseError> {
        self.next()?;
        let cond = self.parse_compound_list(false)?;
        self.expect_word("do")?;
        let body = self.parse_compound_list(false)?;
        self.expect_word("done")?;
        Ok(Compound::Loop { until, cond, body })
    }

    fn parse_for(&mut self) -> Result<Compound, ParseError> {
        self.next()?;
        let t = self.next()?;
        let var = match t.lit() {
            Some(n) if is_name(n) => n.to_string(),
            _ => return Err(self.unexpected(&t)),
        };
        self.linebreak()?;
        let mut words = None;
        let t = self.peek()?;
        if t.is_word("in") {
            self.next()?;
            let mut list = Vec::new();
            loop {
                let t = self.peek()?;
                match t.tok {
                    Tok::Word(w) => {
                        self.next()?;
                        list.push(w);
                    }
                    _ => break,
                }
            }
            let t = self.next()?;
            if !matches!(t.tok, Tok::Op(Op::Semi) | Tok::Newline) {
                return Err(self.unexpected(&t));
            }
            self.linebreak()?;
            words = Some(list);
        } else if t.is_op(Op::Semi) {
            self.next()?;
            self.linebreak()?;
        }
        self.expect_word("do")?;
        let body = self.parse_compound_list(false)?;
        self.expect_word("done")?;
        Ok(Compound::For { var, words, body })
    }

    fn parse_case(&mut self) -> Result<Compound, ParseError> {
        self.next()?;
        let t = self.next()?;
        let Tok::Word(word) = t.tok else {
            return Err(self.unexpected(&t));
        };
        self.linebreak()?;
        self.expect_word("in")?;
        self.linebreak()?;
        let mut arms = Vec::new();
        loop {
            let t = self.peek()?;
            if t.is_word("esac") {
                self.next()?;
                break;
            }
            if t.is_op(Op::LParen) {
                self.next()?;
            }
            let mut patterns = Vec::new();
            loop {
                let t = self.next()?;
                match t.tok {
                    Tok::Word(w) => patterns.push(w),
                    _ => return Err(self.unexpected(&t)),
                }
                let t = self.next()?;
                match t.tok {
                    Tok::Op(Op::Pipe) => continue,
                    Tok::Op(Op::RParen) => break,
                    _ => return Err(self.unexpected(&t)),
                }
            }
            let body = self.parse_compound_list(true)?;
            arms.push(CaseArm { patterns, body });
            let t = self.next()?;
            if t.is_op(Op::DSemi) {
                self.linebreak()?;
            } else if t.is_word("esac") {
                break;
            } else {
                return Err(self.unexpected(&t));
            }
        }
        Ok(Compound::Case { word, arms })
    }
}

/// `NAME=value` at the start of a word: the assignment.
fn split_assignment(w: &Word) -> Option<Assign> {
    let Some(WordPart::Lit(s)) = w.first() else { return None };
    let eq = s.find('=')?;
    let name = &s[..eq];
    if !is_name(name) {
        return None;
    }
    let mut value = Vec::new();
    if eq + 1 < s.len() {
        value.push(WordPart::Lit(s[eq + 1..].to_string()));
    }
    value.extend(w[1..].iter().cloned());
    Some(Assign { name: name.to_string(), value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::StrSource;

    fn parse(s: &str) -> List {
        Parser::new(Box::new(StrSource::new(s))).parse_all().unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    fn parse_err(s: &str) -> String {
        match Parser::new(Box::new(StrSource::new(s))).parse_all() {
            Err(ParseError::Syntax { msg, .. }) => msg,
            other => panic!("{s:?}: expected a syntax error, got {other:?}"),
        }
    }

    fn lit(s: &str) -> WordPart {
        WordPart::Lit(s.into())
    }

    fn simple(l: &List, i: usize) -> &SimpleCommand {
        match &l.items[i].and_or.first.cmds[0] {
            Command::Simple(s) => s,
            c => panic!("not simple: {c:?}"),
        }
    }

    fn first_cmd(l: &List) -> &Command {
        &l.items[0].and_or.first.cmds[0]
    }

    #[test]
    fn simple_words() {
        let l = parse("echo hello  world\n");
        let s = simple(&l, 0);
        assert_eq!(s.words, vec![vec![lit("echo")], vec![lit("hello")], vec![lit("world")]]);
    }

    #[test]
    fn quoting() {
        let l = parse(r#"echo 'a b' "c $x d" e\ f"#);
        let s = simple(&l, 0);
        assert_eq!(s.words[1], vec![WordPart::Quoted("a b".into())]);
        assert_eq!(
            s.words[2],
            vec![WordPart::Double(vec![
                lit("c "),
                WordPart::Param(Box::new(ParamExp { name: "x".into(), op: ParamOp::Get })),
                lit(" d"),
            ])]
        );
        assert_eq!(s.words[3], vec![lit("e"), WordPart::Quoted(" ".into()), lit("f")]);
    }

    #[test]
    fn double_quote_escapes() {
        let l = parse(r#"echo "a\"b\$c\\d\e""#);
        assert_eq!(simple(&l, 0).words[1], vec![WordPart::Double(vec![lit(r#"a"b$c\d\e"#)])]);
    }

    #[test]
    fn line_continuation() {
        let l = parse("echo a\\\nb c");
        assert_eq!(simple(&l, 0).words, vec![vec![lit("echo")], vec![lit("ab")], vec![lit("c")]]);
    }

    #[test]
    fn comments() {
        let l = parse("echo a # comment here\necho b#c");
        assert_eq!(l.items.len(), 2);
        assert_eq!(simple(&l, 0).words.len(), 2);
        assert_eq!(simple(&l, 1).words[1], vec![lit("b#c")]);
    }

    #[test]
    fn assignments() {
        let l = parse("A=1 B=\"x y\" cmd C=2");
        let s = simple(&l, 0);
        assert_eq!(s.assigns.len(), 2);
        assert_eq!(s.assigns[0], Assign { name: "A".into(), value: vec![lit("1")] });
        assert_eq!(s.assigns[1].value, vec![WordPart::Double(vec![lit("x y")])]);
        assert_eq!(s.words, vec![vec![lit("cmd")], vec![lit("C=2")]]);
        let l = parse("X= 1=2");
        let s = simple(&l, 0);
        assert_eq!(s.assigns, vec![Assign { name: "X".into(), value: vec![] }]);
        assert_eq!(s.words, vec![vec![lit("1=2")]]);
    }

    #[test]
    fn params() {
        let l = parse("echo ${x:-a b} ${#y} ${z%%.*} $1 ${10} $@ $? $$");
        let w = &simple(&l, 0).words;
        match &w[1][0] {
            WordPart::Param(p) => {
                assert_eq!(p.name, "x");
                assert_eq!(p.op, ParamOp::Default { colon: true, word: vec![lit("a b")] });
            }
            p => panic!("{p:?}"),
        }
        assert!(matches!(&w[2][0], WordPart::Param(p) if p.name == "y" && p.op == ParamOp::Length));
        assert!(matches!(&w[3][0], WordPart::Param(p) if matches!(&p.op, ParamOp::TrimSuffix { longest: true, .. })));
        assert!(matches!(&w[4][0], WordPart::Param(p) if p.name == "1"));
        assert!(matches!(&w[5][0], WordPart::Param(p) if p.name == "10"));
        assert!(matches!(&w[6][0], WordPart::Param(p) if p.name == "@"));
        assert!(matches!(&w[7][0], WordPart::Param(p) if p.name == "?"));
        assert!(matches!(&w[8][0], WordPart::Param(p) if p.name == "$"));
        assert_eq!(parse_err("echo ${x!}"), "bad substitution");
        assert_eq!(parse_err("echo ${"), "bad substitution");
    }

    #[test]
    fn dollar_alone() {
        let l = parse("echo $ a$ \"$\"");
        let w = &simple(&l, 0).words;
        assert_eq!(w[1], vec![lit("$")]);
        assert_eq!(w[2], vec![lit("a$")]);
        assert_eq!(w[3], vec![WordPart::Double(vec![lit("$")])]);
    }

    #[test]
    fn command_substitution() {
        let l = parse("echo $(echo a; echo b) `echo c`");
        let w = &simple(&l, 0).words;
        match &w[1][0] {
            WordPart::Command(list) => assert_eq!(list.items.len(), 2),
            p => panic!("{p:?}"),
        }
        match &w[2][0] {
            WordPart::Command(list) => assert_eq!(list.items.len(), 1),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn command_substitution_with_case_and_nesting() {
        let l = parse("x=$(case a in a) echo $(echo yes);; esac)");
        let s = simple(&l, 0);
        match &s.assigns[0].value[0] {
            WordPart::Command(list) => assert!(matches!(first_cmd(list), Command::Compound(Compound::Case { .. }, _))),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn arithmetic_and_subshell_substitution() {
        let l = parse("echo $((1 + (2 * 3))) $((echo a); echo b)");
        let w = &simple(&l, 0).words;
        assert_eq!(w[1], vec![WordPart::Arith(vec![lit("1 + (2 * 3)")])]);
        assert!(matches!(&w[2][0], WordPart::Command(_)));
    }

    #[test]
    fn pipelines_and_lists() {
        let l = parse("! a | b && c || d & e; f");
        assert_eq!(l.items.len(), 3);
        let ao = &l.items[0].and_or;
        assert!(l.items[0].background);
        assert!(ao.first.bang);
        assert_eq!(ao.first.cmds.len(), 2);
        assert_eq!(ao.rest.len(), 2);
        assert_eq!(ao.rest[0].0, Connector::And);
        assert_eq!(ao.rest[1].0, Connector::Or);
        assert_eq!(ao.text, "! a | b && c || d");
        assert_eq!(ao.first.text, "! a | b");
        assert!(!l.items[1].background);
    }

    #[test]
    fn continuation_after_operators() {
        let l = parse("a &&\n\n b |\n c");
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.items[0].and_or.rest[0].1.cmds.len(), 2);
    }

    #[test]
    fn redirections() {
        let l = parse("cmd <in >out 2>>err 2>&1 >&2 3<>rw <&0 >|clob");
        let r = &simple(&l, 0).redirs;
        let kinds: Vec<(i32, RedirKind)> = r.iter().map(|r| (r.fd, r.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (0, RedirKind::In),
                (1, RedirKind::Out),
                (2, RedirKind::Append),
                (2, RedirKind::DupOut),
                (1, RedirKind::DupOut),
                (3, RedirKind::ReadWrite),
                (0, RedirKind::DupIn),
                (1, RedirKind::Clobber),
            ]
        );
        assert_eq!(r[3].target, vec![lit("1")]);
        assert_eq!(parse_err("cmd >"), "unexpected end of file");
        assert_eq!(parse_err("cmd > ;"), "unexpected \";\"");
    }

    #[test]
    fn io_number_only_when_adjacent() {
        let l = parse("echo 2 >x");
        let s = simple(&l, 0);
        assert_eq!(s.words.len(), 2);
        assert_eq!(s.redirs[0].fd, 1);
    }

    #[test]
    fn heredocs() {
        let l = parse("cat <<EOF; cat <<-'END'\nhello $x\nEOF\n\tquoted $y\n\tEND\necho after\n");
        assert_eq!(l.items.len(), 3);
        let d1 = simple(&l, 0).redirs[0].heredoc.clone().unwrap();
        let d1 = d1.borrow();
        assert!(!d1.quoted);
        assert_eq!(
            d1.body,
            vec![WordPart::Double(vec![
                lit("hello "),
                WordPart::Param(Box::new(ParamExp { name: "x".into(), op: ParamOp::Get })),
                lit("\n"),
            ])]
        );
        let d2 = simple(&l, 1).redirs[0].heredoc.clone().unwrap();
        let d2 = d2.borrow();
        assert!(d2.quoted);
        assert_eq!(d2.body, vec![WordPart::Quoted("quoted $y\n".into())]);
        assert_eq!(simple(&l, 2).words[0], vec![lit("echo")]);
    }

    #[test]
    fn heredoc_in_command_substitution() {
        let l = parse("x=$(cat <<E\nin sub\nE\n)\necho $x");
        assert_eq!(l.items.len(), 2);
    }

    #[test]
    fn if_while_until_for() {
        let l = parse("if a; then b; elif c; then d; else e; fi");
        match first_cmd(&l) {
            Command::Compound(Compound::If { arms, otherwise }, _) => {
                assert_eq!(arms.len(), 2);
                assert!(otherwise.is_some());
            }
            c => panic!("{c:?}"),
        }
        let l = parse("while a\ndo\n b\ndone >out");
        match first_cmd(&l) {
            Command::Compound(Compound::Loop { until: false, .. }, r) => assert_eq!(r.len(), 1),
            c => panic!("{c:?}"),
        }
        assert!(matches!(
            first_cmd(&parse("until a; do b; done")),
            Command::Compound(Compound::Loop { until: true, .. }, _)
        ));
        match first_cmd(&parse("for i in 1 2 3; do echo $i; done")) {
            Command::Compound(Compound::For { var, words: Some(w), .. }, _) => {
                assert_eq!(var, "i");
                assert_eq!(w.len(), 3);
            }
            c => panic!("{c:?}"),
        }
        assert!(matches!(
            first_cmd(&parse("for i do echo; done")),
            Command::Compound(Compound::For { words: None, .. }, _)
        ));
        assert!(matches!(
            first_cmd(&parse("for i; do echo; done")),
            Command::Compound(Compound::For { words: None, .. }, _)
        ));
        assert!(matches!(
            first_cmd(&parse("for i in; do echo; done")),
            Command::Compound(Compound::For { words: Some(w), .. }, _) if w.is_empty()
        ));
        assert!(matches!(first_cmd(&parse("for i\nin a\ndo echo; done")), Command::Compound(Compound::For { .. }, _)));
    }

    #[test]
    fn case() {
        let l = parse("case $x in\n a|b) echo ab;;\n (c*) echo c ;;\n *) ;;\nesac");
        match first_cmd(&l) {
            Command::Compound(Compound::Case { arms, .. }, _) => {
                assert_eq!(arms.len(), 3);
                assert_eq!(arms[0].patterns.len(), 2);
                assert_eq!(arms[1].patterns[0], vec![lit("c*")]);
                assert!(arms[2].body.is_empty());
            }
            c => panic!("{c:?}"),
        }
        assert!(
            matches!(first_cmd(&parse("case x in esac")), Command::Compound(Compound::Case { arms, .. }, _) if arms.is_empty())
        );
        assert!(matches!(first_cmd(&parse("case x in x) echo x; esac")), Command::Compound(Compound::Case { .. }, _)));
    }

    #[test]
    fn groups_and_functions() {
        assert!(
            matches!(first_cmd(&parse("{ a; b; }")), Command::Compound(Compound::Brace(l), _) if l.items.len() == 2)
        );
        assert!(matches!(first_cmd(&parse("(a; b)")), Command::Compound(Compound::Subshell(_), _)));
        match first_cmd(&parse("f() { echo $1; }")) {
            Command::FuncDef { name, body } => {
                assert_eq!(name, "f");
                assert!(matches!(**body, Command::Compound(Compound::Brace(_), _)));
            }
            c => panic!("{c:?}"),
        }
        assert!(matches!(first_cmd(&parse("f ( )\n{\n echo\n}")), Command::FuncDef { .. }));
        assert!(matches!(first_cmd(&parse("function g { echo; }")), Command::FuncDef { .. }));
        assert!(matches!(first_cmd(&parse("f() (echo)")), Command::FuncDef { .. }));
    }

    #[test]
    fn reserved_words_only_in_command_position() {
        let l = parse("echo if then fi {");
        assert_eq!(simple(&l, 0).words.len(), 5);
        assert_eq!(parse_err("{ echo }"), "unexpected end of file");
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(parse_err("fi"), "unexpected \"fi\"");
        assert_eq!(parse_err("if true; then"), "unexpected end of file");
        assert_eq!(parse_err("if true; fi"), "unexpected \"fi\"");
        assert_eq!(parse_err("echo a |"), "unexpected end of file");
        assert_eq!(parse_err("| a"), "unexpected \"|\"");
        assert_eq!(parse_err("a && && b"), "unexpected \"&&\"");
        assert_eq!(parse_err("(a"), "unexpected end of file");
        assert_eq!(parse_err("a )"), "unexpected \")\"");
        assert_eq!(parse_err("echo 'abc"), "unterminated quoted string");
        assert_eq!(parse_err("echo \"abc"), "unterminated quoted string");
        assert_eq!(parse_err("while true; done"), "unexpected \"done\"");
        assert_eq!(parse_err(";"), "unexpected \";\"");
        assert_eq!(parse_err("{ }"), "unexpected \"}\"");
        assert_eq!(parse_err("case a in a) b;; c"), "unexpected end of file");
    }

    #[test]
    fn aliases() {
        let mut p = Parser::new(Box::new(StrSource::new("ll /tmp; x ll\nrec\n")));
        p.aliases.insert("ll".into(), "ls -l".into());
        p.aliases.insert("rec".into(), "rec arg".into());
        let l = p.parse_complete_command().unwrap().unwrap();
        assert_eq!(simple(&l, 0).words, vec![vec![lit("ls")], vec![lit("-l")], vec![lit("/tmp")]]);
        assert_eq!(simple(&l, 1).words, vec![vec![lit("x")], vec![lit("ll")]]);
        let l = p.parse_complete_command().unwrap().unwrap();
        assert_eq!(simple(&l, 0).words, vec![vec![lit("rec")], vec![lit("arg")]]);
    }

    #[test]
    fn alias_with_trailing_blank_and_keywords() {
        let mut p = Parser::new(Box::new(StrSource::new("s ll\nyes\n")));
        p.aliases.insert("s".into(), "sudo ".into());
        p.aliases.insert("ll".into(), "ls -l".into());
        p.aliases.insert("yes".into(), "if true; then echo y; fi".into());
        let l = p.parse_complete_command().unwrap().unwrap();
        assert_eq!(simple(&l, 0).words, vec![vec![lit("sudo")], vec![lit("ls")], vec![lit("-l")]]);
        let l = p.parse_complete_command().unwrap().unwrap();
        assert!(matches!(first_cmd(&l), Command::Compound(Compound::If { .. }, _)));
    }

    #[test]
    fn complete_commands_one_at_a_time() {
        let mut p = Parser::new(Box::new(StrSource::new("echo a\n\nif x\nthen y\nfi\necho b")));
        assert_eq!(p.parse_complete_command().unwrap().unwrap().items.len(), 1);
        assert!(p.parse_complete_command().unwrap().unwrap().is_empty());
        assert!(matches!(
            first_cmd(&p.parse_complete_command().unwrap().unwrap()),
            Command::Compound(Compound::If { .. }, _)
        ));
        assert_eq!(p.line, 6);
        assert_eq!(p.parse_complete_command().unwrap().unwrap().items.len(), 1);
        assert_eq!(p.parse_complete_command().unwrap(), None);
    }

    #[test]
    fn line_numbers() {
        let l = parse("a\nb\n\nc");
        assert_eq!(simple(&l, 0).line, 1);
        assert_eq!(simple(&l, 1).line, 2);
        assert_eq!(simple(&l, 2).line, 4);
    }
}
