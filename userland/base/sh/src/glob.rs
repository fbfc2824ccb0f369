//! Pattern matching (`case`, `${x#pat}`) and pathname expansion.
//!
//! A pattern is a list of characters each marked literal (it came from
//! quotes, so `*` in it is just a star) or not.

/// One character of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PChar {
    pub c: char,
    /// Quoted: matches itself only.
    pub lit: bool,
}

/// A pattern from a string with no quoting (every character active).
#[cfg(test)]
pub fn pattern(s: &str) -> Vec<PChar> {
    s.chars().map(|c| PChar { c, lit: false }).collect()
}

/// The pattern has an unquoted `*`, `?` or `[`.
pub fn has_magic(pat: &[PChar]) -> bool {
    pat.iter().any(|p| !p.lit && matches!(p.c, '*' | '?' | '['))
}

fn class_matches(name: &str, c: char) -> bool {
    match name {
        "alpha" => c.is_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_alphanumeric(),
        "upper" => c.is_uppercase(),
        "lower" => c.is_lowercase(),
        "space" => c.is_whitespace(),
        "blank" => c == ' ' || c == '\t',
        "punct" => c.is_ascii_punctuation(),
        "xdigit" => c.is_ascii_hexdigit(),
        "cntrl" => c.is_control(),
        "print" => !c.is_control(),
        "graph" => !c.is_control() && c != ' ',
        _ => false,
    }
}

/// A bracket expression at the start of `pat` (which starts with `[`):
/// whether it matches `c` and how many pattern characters it takes, or
/// `None` if it is not closed (then `[` is an ordinary character).
fn bracket(pat: &[PChar], c: char) -> Option<(bool, usize)> {
    let mut j = 1;
    let mut negate = false;
    if j < pat.len() && !pat[j].lit && (pat[j].c == '!' || pat[j].c == '^') {
        negate = true;
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let pc = *pat.get(j)?;
        if pc.c == ']' && !pc.lit && !first {
            j += 1;
            break;
        }
        first = false;
        if pc.c == '[' && !pc.lit && pat.get(j + 1).is_some_and(|p| p.c == ':') {
            let rest = &pat[j + 2..];
            if let Some(end) = rest.windows(2).position(|w| w[0].c == ':' && w[1].c == ']') {
                let name: String = rest[..end].iter().map(|p| p.c).collect();
                matched |= class_matches(&name, c);
                j += 2 + end + 2;
                continue;
            }
        }
        if j + 2 < pat.len() && pat[j + 1].c == '-' && (pat[j + 2].c != ']' || pat[j + 2].lit) {
            if pc.c <= c && c <= pat[j + 2].c {
                matched = true;
            }
            j += 3;
        } else {
            if pc.c == c {
                matched = true;
            }
            j += 1;
        }
    }
    Some((matched != negate, j))
}

/// Whether `pat` matches all of `s`.
pub fn matches(pat: &[PChar], s: &[char]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() {
            let pc = pat[p];
            if !pc.lit && pc.c == '*' {
                star = Some((p, i));
                p += 1;
                continue;
            }
            if !pc.lit && pc.c == '?' {
                p += 1;
                i += 1;
                continue;
            }
            let mut step = None;
            if !pc.lit
                && pc.c == '['
                && let Some((ok, len)) = bracket(&pat[p..], s[i])
            {
                step = Some(if ok { Some(len) } else { None });
            }
            match step {
                Some(Some(len)) => {
                    p += len;
                    i += 1;
                    continue;
                }
                Some(None) => {}
                None => {
                    if pc.c == s[i] {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    while p < pat.len() && !pat[p].lit && pat[p].c == '*' {
        p += 1;
    }
    p == pat.len()
}

pub fn matches_str(pat: &[PChar], s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    matches(pat, &chars)
}

/// `${x#pat}` / `${x##pat}`: `s` without the shortest (longest) prefix
/// that `pat` matches.
pub fn trim_prefix(s: &str, pat: &[PChar], longest: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let mut try_at = |i: usize| matches(pat, &chars[..i]).then(|| chars[i..].iter().collect::<String>());
    if longest { (0..=n).rev().find_map(&mut try_at) } else { (0..=n).find_map(&mut try_at) }
        .unwrap_or_else(|| s.to_string())
}

/// `${x%pat}` / `${x%%pat}`.
pub fn trim_suffix(s: &str, pat: &[PChar], longest: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let mut try_at = |i: usize| matches(pat, &chars[i..]).then(|| chars[..i].iter().collect::<String>());
    if longest { (0..=n).find_map(&mut try_at) } else { (0..=n).rev().find_map(&mut try_at) }
        .unwrap_or_else(|| s.to_string())
}

/// `${x/pat/rep}`: the first (or every) longest match of `pat` replaced;
/// `anchor` `#` matches only at the start, `%` only at the end.
pub fn replace(s: &str, pat: &[PChar], rep: &str, all: bool, anchor: Option<char>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if pat.is_empty() {
        return s.to_string();
    }
    let tail = |i: usize| chars[i..].iter().collect::<String>();
    let head = |i: usize| chars[..i].iter().collect::<String>();
    match anchor {
        Some('#') => {
            return match (0..=n).rev().find(|&j| matches(pat, &chars[..j])) {
                Some(j) => format!("{rep}{}", tail(j)),
                None => s.to_string(),
            };
        }
        Some(_) => {
            return match (0..=n).find(|&i| matches(pat, &chars[i..])) {
                Some(i) => format!("{}{rep}", head(i)),
                None => s.to_string(),
            };
        }
        None => {}
    }
    let mut out = String::new();
    let mut i = 0;
    while i < n {
        match (i + 1..=n).rev().find(|&j| matches(pat, &chars[i..j])) {
            Some(j) => {
                out.push_str(rep);
                i = j;
                if !all {
                    out.push_str(&tail(i));
                    return out;
                }
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// What pathname expansion needs of the file system.
pub trait GlobFs {
    /// The names in a directory (without `.` and `..`), or `None`.
    fn list(&self, dir: &str) -> Option<Vec<String>>;
    fn exists(&self, path: &str) -> bool;
    fn is_dir(&self, path: &str) -> bool;
}

/// The real file system.
pub struct RealFs;

impl GlobFs for RealFs {
    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let rd = std::fs::read_dir(dir).ok()?;
        Some(rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
    }
    fn exists(&self, path: &str) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }
    fn is_dir(&self, path: &str) -> bool {
        std::fs::metadata(path).is_ok_and(|m| m.is_dir())
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else if prefix.ends_with('/') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

/// The paths `pat` matches, sorted; empty when none does.
pub fn expand(pat: &[PChar], fs: &dyn GlobFs) -> Vec<String> {
    let mut comps: Vec<&[PChar]> = pat.split(|p| p.c == '/').collect();
    let mut paths = vec![String::new()];
    if pat.first().is_some_and(|p| p.c == '/') {
        paths = vec!["/".to_string()];
        comps.remove(0);
    }
    let last = comps.len() - 1;
    for (k, comp) in comps.iter().enumerate() {
        if comp.is_empty() {
            if k == last {
                // A trailing slash: directories only.
                paths = paths.into_iter().filter(|p| fs.is_dir(p)).map(|p| join(&p, "")).collect();
                if k > 0 {
                    paths = paths.into_iter().map(|p| if p.ends_with('/') { p } else { p + "/" }).collect();
                }
            }
            continue;
        }
        if !has_magic(comp) {
            let name: String = comp.iter().map(|p| p.c).collect();
            paths = paths.into_iter().map(|p| join(&p, &name)).collect();
            if k == last {
                paths.retain(|p| fs.exists(p));
            }
            continue;
        }
        let dot_ok = comp[0].c == '.';
        let mut next = Vec::new();
        for p in &paths {
            let dir = if p.is_empty() { "." } else { p.as_str() };
            let Some(mut names) = fs.list(dir) else { continue };
            names.sort();
            for name in names {
                if name.starts_with('.') && !dot_ok {
                    continue;
                }
                if name == "." || name == ".." {
                    continue;
                }
                if matches_str(comp, &name) {
                    let path = join(p, &name);
                    if k == last || fs.is_dir(&path) {
                        next.push(path);
                    }
                }
            }
        }
        paths = next;
        if paths.is_empty() {
            break;
        }
    }
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn m(p: &str, s: &str) -> bool {
        matches_str(&pattern(p), s)
    }

    #[test]
    fn stars_and_questions() {
        assert!(m("*", ""));
        assert!(m("*", "abc"));
        assert!(m("a*", "abc"));
        assert!(!m("a*", "bc"));
        assert!(m("*c", "abc"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abbbd"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(!m("*a*b*", "xxbxxaxx"));
        assert!(m("**", "x"));
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn brackets() {
        assert!(m("[abc]", "b"));
        assert!(!m("[abc]", "d"));
        assert!(m("[a-z]x", "qx"));
        assert!(!m("[a-z]", "Q"));
        assert!(m("[!a-z]", "Q"));
        assert!(m("[^a-z]", "1"));
        assert!(!m("[!abc]", "a"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("[a-]", "-"));
        assert!(m("[[:digit:]]*", "1abc"));
        assert!(!m("[[:alpha:]]", "1"));
        assert!(m("[[:upper:][:digit:]]", "Q"));
        // An unclosed bracket is an ordinary character.
        assert!(m("[ab", "[ab"));
        assert!(m("a[", "a["));
    }

    #[test]
    fn quoted_characters_are_literal() {
        let mut p = pattern("a*");
        p[1].lit = true;
        assert!(matches_str(&p, "a*"));
        assert!(!matches_str(&p, "ab"));
        assert!(!has_magic(&p));
        assert!(has_magic(&pattern("x[y]")));
    }

    #[test]
    fn trimming() {
        let p = pattern("*.");
        assert_eq!(trim_prefix("a.b.c", &pattern("*."), false), "b.c");
        assert_eq!(trim_prefix("a.b.c", &p, true), "c");
        assert_eq!(trim_suffix("a.b.c", &pattern(".*"), false), "a.b");
        assert_eq!(trim_suffix("a.b.c", &pattern(".*"), true), "a");
        assert_eq!(trim_suffix("file.tar.gz", &pattern(".gz"), false), "file.tar");
        assert_eq!(trim_prefix("/usr/lib/x", &pattern("*/"), true), "x");
        assert_eq!(trim_prefix("abc", &pattern("x"), false), "abc");
        assert_eq!(trim_suffix("abc", &pattern("*"), false), "abc");
        assert_eq!(trim_suffix("abc", &pattern("*"), true), "");
    }

    struct FakeFs(BTreeSet<String>);

    impl FakeFs {
        fn new(paths: &[&str]) -> Self {
            let mut set = BTreeSet::new();
            for p in paths {
                // Every ancestor is a directory.
                let mut acc = String::new();
                for (i, c) in p.split('/').enumerate() {
                    if i > 0 {
                        acc.push('/');
                    }
                    acc.push_str(c);
                    set.insert(acc.clone());
                }
            }
            FakeFs(set)
        }
    }

    impl GlobFs for FakeFs {
        fn list(&self, dir: &str) -> Option<Vec<String>> {
            let prefix = if dir == "." { String::new() } else { format!("{}/", dir.trim_end_matches('/')) };
            if dir != "." && !self.is_dir(dir) {
                return None;
            }
            let mut out = Vec::new();
            for p in &self.0 {
                if let Some(rest) = p.strip_prefix(&prefix)
                    && !rest.is_empty()
                    && !rest.contains('/')
                {
                    out.push(rest.to_string());
                }
            }
            Some(out)
        }
        fn exists(&self, path: &str) -> bool {
            self.0.contains(path.trim_end_matches('/'))
        }
        fn is_dir(&self, path: &str) -> bool {
            let p = format!("{}/", path.trim_end_matches('/'));
            self.0.iter().any(|x| x.starts_with(&p))
        }
    }

    fn g(fs: &FakeFs, p: &str) -> Vec<String> {
        expand(&pattern(p), fs)
    }

    #[test]
    fn pathname_expansion() {
        let fs = FakeFs::new(&[
            "a.txt",
            "b.txt",
            "c.log",
            ".hidden",
            "dir/x.txt",
            "dir/y.c",
            "dir/sub/z.txt",
            "other/q.txt",
        ]);
        assert_eq!(g(&fs, "*.txt"), vec!["a.txt", "b.txt"]);
        assert_eq!(g(&fs, "?.log"), vec!["c.log"]);
        assert_eq!(g(&fs, "[ab].txt"), vec!["a.txt", "b.txt"]);
        assert_eq!(g(&fs, "[!a].txt"), vec!["b.txt"]);
        assert_eq!(g(&fs, "*"), vec!["a.txt", "b.txt", "c.log", "dir", "other"]);
        assert_eq!(g(&fs, ".*"), vec![".hidden"]);
        assert_eq!(g(&fs, "*/*.txt"), vec!["dir/x.txt", "other/q.txt"]);
        assert_eq!(g(&fs, "dir/*"), vec!["dir/sub", "dir/x.txt", "dir/y.c"]);
        assert_eq!(g(&fs, "*/"), vec!["dir/", "other/"]);
        assert_eq!(g(&fs, "dir/*/z.txt"), vec!["dir/sub/z.txt"]);
        assert_eq!(g(&fs, "*/nothing"), Vec::<String>::new());
        assert_eq!(g(&fs, "*.none"), Vec::<String>::new());
        assert_eq!(g(&fs, "nodir/*"), Vec::<String>::new());
    }
}
