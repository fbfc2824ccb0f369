//! The syntax tree the parser builds and the executor walks.
//!
//! Words keep their quoting as structure (`WordPart`) rather than as
//! characters, so expansion knows which characters came from quotes (no
//! field splitting, no globbing) without a quote-removal pass.

use std::cell::RefCell;
use std::rc::Rc;

/// A word: its parts in order.
pub type Word = Vec<WordPart>;

#[derive(Clone, Debug, PartialEq)]
pub enum WordPart {
    /// Unquoted text (globbing applies; tilde expansion at the start).
    Lit(String),
    /// Text from single quotes or a backslash escape: taken literally.
    Quoted(String),
    /// The inside of double quotes. `Lit` parts inside are quoted text.
    Double(Vec<WordPart>),
    /// `$name`, `${name...}`.
    Param(Box<ParamExp>),
    /// `$(...)` or `` `...` ``.
    Command(Rc<List>),
    /// `$((...))`: the expression's parts, expanded as inside double quotes.
    Arith(Vec<WordPart>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamExp {
    /// A name, a positional number ("1", "10") or a special ("@", "?", ...).
    pub name: String,
    pub op: ParamOp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamOp {
    /// `$x`, `${x}`
    Get,
    /// `${#x}`
    Length,
    /// `${x-w}`, `${x:-w}`
    Default { colon: bool, word: Word },
    /// `${x=w}`, `${x:=w}`
    Assign { colon: bool, word: Word },
    /// `${x?w}`, `${x:?w}`
    Error { colon: bool, word: Word },
    /// `${x+w}`, `${x:+w}`
    Alt { colon: bool, word: Word },
    /// `${x%w}` (shortest) and `${x%%w}` (longest)
    TrimSuffix { longest: bool, pattern: Word },
    /// `${x#w}` and `${x##w}`
    TrimPrefix { longest: bool, pattern: Word },
    /// `${x:offset}`, `${x:offset:length}` (a bash extension)
    Substring { offset: Word, length: Option<Word> },
    /// `${x/pat/rep}`, `${x//pat/rep}`, `${x/#pat/rep}`, `${x/%pat/rep}`
    /// (a bash extension); `anchor` is `#` or `%`.
    Replace { all: bool, anchor: Option<char>, pattern: Word, replacement: Word },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirKind {
    /// `<`
    In,
    /// `>`
    Out,
    /// `>|`
    Clobber,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupIn,
    /// `>&`
    DupOut,
    /// `<<` and `<<-`
    HereDoc,
}

/// The body of a here-document, filled in when the parser reaches the
/// newline after the command that names it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HereDoc {
    /// The delimiter was quoted: the body is taken literally.
    pub quoted: bool,
    /// The body (a single `Quoted` part when `quoted`).
    pub body: Word,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redir {
    /// The descriptor redirected.
    pub fd: i32,
    pub kind: RedirKind,
    /// The file name, descriptor number or here-document delimiter.
    pub target: Word,
    pub heredoc: Option<Rc<RefCell<HereDoc>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    pub name: String,
    pub value: Word,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct SimpleCommand {
    pub assigns: Vec<Assign>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
    /// The line it starts on (for error messages and LINENO).
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: List,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Compound {
    /// `{ list; }`
    Brace(List),
    /// `( list )`
    Subshell(List),
    /// `if c; then b; elif c; then b; else b; fi`
    If { arms: Vec<(List, List)>, otherwise: Option<List> },
    /// `while`/`until c; do b; done`
    Loop { until: bool, cond: List, body: List },
    /// `for v [in words]; do b; done`
    For { var: String, words: Option<Vec<Word>>, body: List },
    /// `case w in p|p) b;; esac`
    Case { word: Word, arms: Vec<CaseArm> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Simple(SimpleCommand),
    Compound(Compound, Vec<Redir>),
    FuncDef { name: String, body: Rc<Command> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// Started with `!`.
    pub bang: bool,
    pub cmds: Vec<Command>,
    /// Its source text (for job messages).
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    /// Its source text (for job messages).
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub and_or: AndOr,
    /// Ended with `&`.
    pub background: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct List {
    pub items: Vec<Item>,
}

impl List {
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The list is one simple command with nothing around it (used to exec
    /// without another fork in a child).
    pub fn single_simple(&self) -> Option<&SimpleCommand> {
        if self.items.len() != 1 || self.items[0].background {
            return None;
        }
        let ao = &self.items[0].and_or;
        if !ao.rest.is_empty() || ao.first.bang || ao.first.cmds.len() != 1 {
            return None;
        }
        match &ao.first.cmds[0] {
            Command::Simple(s) => Some(s),
            _ => None,
        }
    }
}

/// The reserved words of the grammar.
pub const RESERVED: &[&str] =
    &["!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while"];

pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => chars.all(|c| c == '_' || c.is_ascii_alphanumeric()),
        _ => false,
    }
}
