//! chmod: change files' mode bits, given in octal or symbolically.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::sys;

const TOOL: Tool = Tool {
    name: "chmod",
    usage: "Usage: chmod [-R] MODE FILE...
Change the mode bits of each FILE to MODE.

MODE is octal (755) or symbolic: clauses separated by commas, each
[ugoa]*[-+=][rwxXst]* or [ugoa]*[-+=][ugo] (copy a class's bits), like
u+x, go-w, a=r, u=rwx,g=rx,o=. Without u, g, o or a, the bits the umask
covers are left alone.

  -R  change directories' contents too, recursively
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    // A mode such as -w looks like an option: the first argument that is
    // not -R, --help or -- is the mode, whatever it starts with.
    let mut recursive = false;
    let mut rest = args.iter();
    let mut mode = None;
    for arg in rest.by_ref() {
        match arg.as_str() {
            "--help" => return TOOL.help(),
            "-R" => recursive = true,
            "--" => {
                mode = rest.next();
                break;
            }
            _ => {
                mode = Some(arg);
                break;
            }
        }
    }
    let Some(mode) = mode else { return TOOL.usage_error("missing operand") };
    let Some(mode) = Mode::parse(mode) else { return TOOL.usage_error(format_args!("invalid mode: '{mode}'")) };
    let files: Vec<&String> = rest.collect();
    if files.is_empty() {
        return TOOL.usage_error(format_args!("missing operand after '{}'", mode.text));
    }
    let umask = sys::umask();
    let mut status = SUCCESS;
    for file in files {
        if !change(Path::new(file), &mode, umask, recursive) {
            status = FAILURE;
        }
    }
    status
}

/// Changes one file (and, with `recursive`, what a directory holds);
/// false if something failed (reported).
fn change(path: &Path, mode: &Mode, umask: u32, recursive: bool) -> bool {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) => {
            TOOL.error(path.display(), &err);
            return false;
        }
    };
    let new = mode.apply(meta.permissions().mode() & 0o7777, meta.is_dir(), umask);
    let mut ok = true;
    if let Err(err) = fs::set_permissions(path, fs::Permissions::from_mode(new)) {
        TOOL.error(path.display(), &err);
        ok = false;
    }
    // Symbolic links met inside a tree are not followed.
    if recursive && meta.is_dir() && !fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        match fs::read_dir(path) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let child = entry.path();
                    let link = entry.file_type().is_ok_and(|t| t.is_symlink());
                    if !link && !change(&child, mode, umask, true) {
                        ok = false;
                    }
                }
            }
            Err(err) => {
                TOOL.error(path.display(), &err);
                ok = false;
            }
        }
    }
    ok
}

/// Who a symbolic clause is about: bit masks of the classes.
const USER: u32 = 0o4700;
const GROUP: u32 = 0o2070;
const OTHER: u32 = 0o1007;
const ALL: u32 = USER | GROUP | OTHER;

/// A parsed MODE operand.
pub struct Mode {
    text: String,
    kind: Kind,
}

enum Kind {
    Octal(u32),
    Symbolic(Vec<Clause>),
}

struct Clause {
    /// The classes named; 0 for none (all, minus the umask's bits).
    who: u32,
    actions: Vec<(char, Perms)>,
}

enum Perms {
    /// Letters among r, w, x, X, s, t.
    Letters(String),
    /// The current bits of class u, g or o.
    Copy(char),
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        let kind = if !text.is_empty() && text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            Kind::Octal(u32::from_str_radix(text, 8).ok().filter(|&m| m <= 0o7777)?)
        } else {
            Kind::Symbolic(text.split(',').map(parse_clause).collect::<Option<Vec<_>>>()?)
        };
        Some(Mode { text: text.to_string(), kind })
    }

    /// The new mode bits of a file whose bits are `old`.
    pub fn apply(&self, old: u32, is_dir: bool, umask: u32) -> u32 {
        let clauses = match &self.kind {
            Kind::Octal(mode) => return *mode,
            Kind::Symbolic(clauses) => clauses,
        };
        let mut mode = old;
        for clause in clauses {
            let (who, allowed) = if clause.who == 0 { (ALL, !umask) } else { (clause.who, !0) };
            for (op, perms) in &clause.actions {
                let bits = match perms {
                    Perms::Letters(letters) => letter_bits(letters, mode, is_dir),
                    Perms::Copy(class) => {
                        let shift = match class {
                            'u' => 6,
                            'g' => 3,
                            _ => 0,
                        };
                        ((mode >> shift) & 0o7) * 0o111
                    }
                };
                let bits = bits & who;
                match op {
                    '+' => mode |= bits & allowed,
                    '-' => mode &= !(bits & allowed),
                    _ => mode = (mode & !who) | (bits & allowed),
                }
            }
        }
        mode
    }
}

fn parse_clause(text: &str) -> Option<Clause> {
    let start = text.find(['+', '-', '='])?;
    let mut who = 0;
    for c in text[..start].chars() {
        who |= match c {
            'u' => USER,
            'g' => GROUP,
            'o' => OTHER,
            'a' => ALL,
            _ => return None,
        };
    }
    let mut actions = Vec::new();
    let mut rest = &text[start..];
    while let Some(op) = rest.chars().next() {
        let end = rest[1..].find(['+', '-', '=']).map_or(rest.len(), |i| i + 1);
        let perms = &rest[1..end];
        let perms = match perms {
            "u" | "g" | "o" => Perms::Copy(perms.chars().next()?),
            _ if perms.chars().all(|c| "rwxXst".contains(c)) => Perms::Letters(perms.to_string()),
            _ => return None,
        };
        actions.push((op, perms));
        rest = &rest[end..];
    }
    Some(Clause { who, actions })
}

/// The bits `letters` stand for, in every class; `X` is execute for a
/// directory or a file some class may execute already.
fn letter_bits(letters: &str, mode: u32, is_dir: bool) -> u32 {
    letters
        .chars()
        .map(|c| match c {
            'r' => 0o444,
            'w' => 0o222,
            'x' => 0o111,
            'X' if is_dir || mode & 0o111 != 0 => 0o111,
            's' => 0o6000,
            't' => 0o1000,
            _ => 0,
        })
        .fold(0, |all, bits| all | bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(mode: &str, old: u32) -> u32 {
        Mode::parse(mode).unwrap().apply(old, false, 0o022)
    }

    #[test]
    fn octal_replaces_the_bits() {
        assert_eq!(apply("755", 0o600), 0o755);
        assert_eq!(apply("0", 0o777), 0);
        assert_eq!(apply("4711", 0o600), 0o4711);
        assert!(Mode::parse("10000").is_none());
        assert!(Mode::parse("8").is_none());
    }

    #[test]
    fn symbolic_clauses() {
        assert_eq!(apply("u+x", 0o644), 0o744);
        assert_eq!(apply("go-w", 0o666), 0o644);
        assert_eq!(apply("a=r", 0o755), 0o444);
        assert_eq!(apply("u=rwx,g=rx,o=", 0o000), 0o750);
        assert_eq!(apply("o+t", 0o777), 0o1777);
        assert_eq!(apply("u+s", 0o755), 0o4755);
        assert_eq!(apply("u-w+x", 0o644), 0o544);
        assert_eq!(apply("g=u", 0o750), 0o770);
    }

    #[test]
    fn without_a_class_the_umask_is_respected() {
        assert_eq!(apply("+x", 0o644), 0o755);
        assert_eq!(apply("+w", 0o444), 0o644);
        assert_eq!(apply("=r", 0o777), 0o444);
        assert_eq!(apply("-w", 0o666), 0o444 | 0o022);
    }

    #[test]
    fn capital_x_only_for_directories_and_executables() {
        let mode = Mode::parse("a+X").unwrap();
        assert_eq!(mode.apply(0o644, false, 0), 0o644);
        assert_eq!(mode.apply(0o744, false, 0), 0o755);
        assert_eq!(mode.apply(0o644, true, 0), 0o755);
    }

    #[test]
    fn bad_modes() {
        for bad in ["", "u", "z+x", "u+q", "u+ug", "+x,"] {
            assert!(Mode::parse(bad).is_none(), "{bad}");
        }
    }
}
