//! `test` and `[`: POSIX's rules by argument count, and a recursive
//! parser (`!`, `-a`, `-o`, parentheses) beyond four arguments.

use crate::sys;

const UNARY: &[&str] = &[
    "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-L", "-k", "-n", "-p", "-r", "-s", "-S", "-t", "-u", "-w", "-x", "-z",
    "-O", "-G",
];
const BINARY: &[&str] = &["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"];

fn integer(s: &str) -> Result<i64, String> {
    s.trim().parse::<i64>().map_err(|_| format!("{s}: integer expression expected"))
}

fn mtime(st: &libc::stat) -> (i64, i64) {
    (st.st_mtime, st.st_mtime_nsec)
}

fn unary(op: &str, arg: &str) -> Result<bool, String> {
    let st = || sys::stat(arg);
    let mode = |m: u32| st().is_some_and(|s| s.st_mode & libc::S_IFMT == m);
    Ok(match op {
        "-n" => !arg.is_empty(),
        "-z" => arg.is_empty(),
        "-e" => st().is_some(),
        "-f" => mode(libc::S_IFREG),
        "-d" => mode(libc::S_IFDIR),
        "-b" => mode(libc::S_IFBLK),
        "-c" => mode(libc::S_IFCHR),
        "-p" => mode(libc::S_IFIFO),
        "-S" => mode(libc::S_IFSOCK),
        "-h" | "-L" => sys::lstat(arg).is_some_and(|s| s.st_mode & libc::S_IFMT == libc::S_IFLNK),
        "-s" => st().is_some_and(|s| s.st_size > 0),
        "-g" => st().is_some_and(|s| s.st_mode & libc::S_ISGID != 0),
        "-u" => st().is_some_and(|s| s.st_mode & libc::S_ISUID != 0),
        "-k" => st().is_some_and(|s| s.st_mode & libc::S_ISVTX != 0),
        "-r" => sys::access(arg, libc::R_OK),
        "-w" => sys::access(arg, libc::W_OK),
        "-x" => sys::access(arg, libc::X_OK),
        // SAFETY: plain calls.
        "-O" => st().is_some_and(|s| s.st_uid == unsafe { libc::geteuid() }),
        "-G" => st().is_some_and(|s| s.st_gid == unsafe { libc::getegid() }),
        "-t" => sys::isatty(integer(arg)? as i32),
        _ => return Err(format!("{op}: unary operator expected")),
    })
}

fn binary(a: &str, op: &str, b: &str) -> Result<bool, String> {
    Ok(match op {
        "=" | "==" => a == b,
        "!=" => a != b,
        "<" => a < b,
        ">" => a > b,
        "-eq" => integer(a)? == integer(b)?,
        "-ne" => integer(a)? != integer(b)?,
        "-lt" => integer(a)? < integer(b)?,
        "-le" => integer(a)? <= integer(b)?,
        "-gt" => integer(a)? > integer(b)?,
        "-ge" => integer(a)? >= integer(b)?,
        "-nt" => match (sys::stat(a), sys::stat(b)) {
            (Some(x), Some(y)) => mtime(&x) > mtime(&y),
            (Some(_), None) => true,
            _ => false,
        },
        "-ot" => match (sys::stat(a), sys::stat(b)) {
            (Some(x), Some(y)) => mtime(&x) < mtime(&y),
            (None, Some(_)) => true,
            _ => false,
        },
        "-ef" => match (sys::stat(a), sys::stat(b)) {
            (Some(x), Some(y)) => x.st_dev == y.st_dev && x.st_ino == y.st_ino,
            _ => false,
        },
        _ => return Err(format!("{op}: binary operator expected")),
    })
}

/// Evaluates a test expression.
pub fn test(args: &[String]) -> Result<bool, String> {
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    match a.len() {
        0 => Ok(false),
        1 => Ok(!a[0].is_empty()),
        2 => {
            if a[0] == "!" {
                return Ok(a[1].is_empty());
            }
            if UNARY.contains(&a[0]) {
                return unary(a[0], a[1]);
            }
            Err(format!("{}: unary operator expected", a[0]))
        }
        3 => {
            if BINARY.contains(&a[1]) {
                return binary(a[0], a[1], a[2]);
            }
            if a[0] == "!" {
                return test(&args[1..]).map(|v| !v);
            }
            if a[0] == "(" && a[2] == ")" {
                return Ok(!a[1].is_empty());
            }
            if a[1] == "-a" || a[1] == "-o" {
                return general(&a);
            }
            Err(format!("{}: binary operator expected", a[1]))
        }
        4 => {
            if a[0] == "!" {
                return test(&args[1..]).map(|v| !v);
            }
            if a[0] == "(" && a[3] == ")" {
                return test(&args[1..3]);
            }
            general(&a)
        }
        _ => general(&a),
    }
}

fn general(a: &[&str]) -> Result<bool, String> {
    let mut p = P { a, i: 0 };
    let v = p.or()?;
    if p.i < a.len() {
        return Err(format!("{}: unexpected argument", a[p.i]));
    }
    Ok(v)
}

struct P<'a> {
    a: &'a [&'a str],
    i: usize,
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.a.get(self.i).copied()
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek() == Some("-o") {
            self.i += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.not()?;
        while self.peek() == Some("-a") {
            self.i += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, String> {
        if self.peek() == Some("!") {
            self.i += 1;
            return self.not().map(|v| !v);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(t) = self.peek() else { return Err("argument expected".into()) };
        let next = self.a.get(self.i + 1).copied();
        if let (Some(op), Some(b)) = (next, self.a.get(self.i + 2).copied())
            && BINARY.contains(&op)
        {
            self.i += 3;
            return binary(t, op, b);
        }
        if t == "(" {
            self.i += 1;
            let v = self.or()?;
            if self.peek() != Some(")") {
                return Err("missing )".into());
            }
            self.i += 1;
            return Ok(v);
        }
        if UNARY.contains(&t)
            && let Some(arg) = next
        {
            self.i += 2;
            return unary(t, arg);
        }
        self.i += 1;
        Ok(!t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(args: &[&str]) -> Result<bool, String> {
        test(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn strings() {
        assert_eq!(t(&[]), Ok(false));
        assert_eq!(t(&["x"]), Ok(true));
        assert_eq!(t(&[""]), Ok(false));
        assert_eq!(t(&["-n", ""]), Ok(false));
        assert_eq!(t(&["-z", ""]), Ok(true));
        assert_eq!(t(&["a", "=", "a"]), Ok(true));
        assert_eq!(t(&["a", "!=", "a"]), Ok(false));
        assert_eq!(t(&["a", "<", "b"]), Ok(true));
        assert_eq!(t(&["!", "x"]), Ok(false));
        assert_eq!(t(&["!", ""]), Ok(true));
        assert_eq!(t(&["-n"]), Ok(true));
        assert_eq!(t(&["=", "=", "="]), Ok(true));
        assert_eq!(t(&["(", "x", ")"]), Ok(true));
    }

    #[test]
    fn integers() {
        assert_eq!(t(&["1", "-eq", "1"]), Ok(true));
        assert_eq!(t(&["2", "-gt", "10"]), Ok(false));
        assert_eq!(t(&[" 3 ", "-le", "3"]), Ok(true));
        assert_eq!(t(&["-5", "-lt", "0"]), Ok(true));
        assert!(t(&["a", "-eq", "1"]).unwrap_err().contains("integer expression expected"));
    }

    #[test]
    fn combinations() {
        assert_eq!(t(&["a", "-a", ""]), Ok(false));
        assert_eq!(t(&["a", "-o", ""]), Ok(true));
        assert_eq!(t(&["!", "a", "=", "b"]), Ok(true));
        assert_eq!(t(&["(", "a", "=", "b", ")", "-o", "x"]), Ok(true));
        assert_eq!(t(&["1", "-eq", "1", "-a", "2", "-eq", "3"]), Ok(false));
        assert_eq!(t(&["!", "(", "1", "-eq", "2", ")"]), Ok(true));
        assert_eq!(t(&["-z", "", "-a", "-n", "x", "-o", "x", "=", "y"]), Ok(true));
        assert!(t(&["a", "b"]).is_err());
        assert!(t(&["a", "b", "c"]).is_err());
    }

    #[test]
    fn files() {
        let dir = std::env::temp_dir();
        let d = dir.to_string_lossy().to_string();
        assert_eq!(t(&["-d", &d]), Ok(true));
        assert_eq!(t(&["-e", &d]), Ok(true));
        assert_eq!(t(&["-f", &d]), Ok(false));
        assert_eq!(t(&["-e", "/nonexistent/x"]), Ok(false));
        assert!(t(&["-f", "/bin/sh"]) == t(&["-e", "/bin/sh"]));
    }
}
