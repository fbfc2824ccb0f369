//! `printf` formatting and the backslash escapes of `printf` and
//! `echo -e`.

/// Backslash escapes. `octal_zero`: octal is `\0NNN` (echo, `%b`) rather
/// than `\NNN` (printf formats). The text, and whether `\c` ended it.
pub fn unescape(s: &str, octal_zero: bool) -> (String, bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' || i >= chars.len() {
            out.push(c);
            continue;
        }
        let e = chars[i];
        i += 1;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'e' => out.push('\x1b'),
            '\\' => out.push('\\'),
            'c' => return (out, true),
            '0'..='7' if !octal_zero || e == '0' => {
                let mut v = if octal_zero { 0 } else { e as u32 - '0' as u32 };
                let max = if octal_zero { 3 } else { 2 };
                let mut n = 0;
                while n < max && i < chars.len() && ('0'..='7').contains(&chars[i]) {
                    v = v * 8 + (chars[i] as u32 - '0' as u32);
                    i += 1;
                    n += 1;
                }
                out.push(char::from_u32(v & 0xff).unwrap_or('?'));
            }
            'x' => {
                let mut v = 0;
                let mut n = 0;
                while n < 2 && i < chars.len() && chars[i].is_ascii_hexdigit() {
                    v = v * 16 + chars[i].to_digit(16).unwrap();
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(v).unwrap_or('?'));
                }
            }
            '"' | '\'' if !octal_zero => out.push(e),
            _ => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    (out, false)
}

/// A numeric argument: decimal, 0x hex, 0 octal, or `'c` for a
/// character's code. An error message when it is not a number.
fn number(s: &str) -> (i64, Option<String>) {
    let t = s.trim_start();
    if let Some(rest) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return (rest.chars().next().map(|c| c as i64).unwrap_or(0), None);
    }
    if t.is_empty() {
        return (0, None);
    }
    let (neg, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, h)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    let end = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
    let v = u64::from_str_radix(&digits[..end], radix).unwrap_or(if end == 0 { 0 } else { u64::MAX }) as i64;
    let v = if neg { v.wrapping_neg() } else { v };
    if end != digits.len() || (end == 0 && radix == 10) {
        let msg = if end == 0 { format!("{s}: invalid number") } else { format!("{s}: not completely converted") };
        return (v, Some(msg));
    }
    (v, None)
}

fn float(s: &str) -> (f64, Option<String>) {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return (rest.chars().next().map(|c| c as u32 as f64).unwrap_or(0.0), None);
    }
    match t.parse::<f64>() {
        Ok(v) => (v, None),
        Err(_) => {
            let (v, e) = number(s);
            (v as f64, e)
        }
    }
}

/// Field widths and precisions beyond this are cut to it.
const MAX_WIDTH: usize = 8192;

struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

fn pad(s: String, spec: &Spec, numeric: bool) -> String {
    let len = s.chars().count();
    if len >= spec.width {
        return s;
    }
    let fill = spec.width - len;
    if spec.left {
        format!("{s}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        // Zeros go after the sign and any 0x prefix.
        let sign_len = if s.starts_with(['-', '+', ' ']) { 1 } else { 0 };
        let prefix_len = if s[sign_len..].starts_with("0x") || s[sign_len..].starts_with("0X") { 2 } else { 0 };
        let (head, tail) = s.split_at(sign_len + prefix_len);
        format!("{head}{}{tail}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

/// C's %e exponent form from Rust's (`1.5e2` -> `1.5e+02`).
fn c_exponent(s: &str, upper: bool) -> String {
    let Some((mant, exp)) = s.split_once('e') else { return s.to_string() };
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    let e = if upper { 'E' } else { 'e' };
    format!("{mant}{e}{sign}{:02}", exp.abs())
}

fn format_float(v: f64, conv: char, spec: &Spec) -> String {
    let upper = conv.is_ascii_uppercase();
    if !v.is_finite() {
        let s = if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        return if upper { s.to_uppercase() } else { s.to_string() };
    }
    let prec = spec.prec.unwrap_or(6);
    let mut s = match conv.to_ascii_lowercase() {
        'f' => format!("{v:.prec$}"),
        'e' => c_exponent(&format!("{v:.prec$e}"), upper),
        _ => {
            let p = prec.max(1);
            let exp: i32 =
                format!("{:.*e}", p - 1, v).split_once('e').map(|(_, e)| e.parse().unwrap_or(0)).unwrap_or(0);
            let mut s = if exp < -4 || exp >= p as i32 {
                c_exponent(&format!("{:.*e}", p - 1, v), upper)
            } else {
                format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, v)
            };
            if !spec.alt {
                let (mant, rest) = match s.find(['e', 'E']) {
                    Some(i) => (s[..i].to_string(), s[i..].to_string()),
                    None => (s.clone(), String::new()),
                };
                if mant.contains('.') {
                    let mant = mant.trim_end_matches('0').trim_end_matches('.');
                    s = format!("{mant}{rest}");
                }
            }
            s
        }
    };
    if v >= 0.0 && !s.starts_with('-') {
        if spec.plus {
            s.insert(0, '+');
        } else if spec.space {
            s.insert(0, ' ');
        }
    }
    s
}

/// Formats like printf(1): the output, the error messages, and whether
/// `\c` stopped it.
pub fn printf(fmt: &str, args: &[String]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut errors = Vec::new();
    let mut next = 0;
    loop {
        let before = next;
        let stop = format_once(fmt, args, &mut next, &mut out, &mut errors);
        if stop || next >= args.len() || next == before {
            break;
        }
    }
    (out, errors)
}

fn format_once(fmt: &str, args: &[String], next: &mut usize, out: &mut String, errors: &mut Vec<String>) -> bool {
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let take = |next: &mut usize| -> Option<String> {
        let a = args.get(*next).cloned();
        if a.is_some() {
            *next += 1;
        }
        a
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            // One escape at a time.
            let mut j = i + 1;
            if j < chars.len() {
                j += 1;
                if ('0'..='7').contains(&chars[i + 1]) {
                    while j < chars.len() && j < i + 4 && ('0'..='7').contains(&chars[j]) {
                        j += 1;
                    }
                } else if chars[i + 1] == 'x' {
                    while j < chars.len() && j < i + 4 && chars[j].is_ascii_hexdigit() {
                        j += 1;
                    }
                }
            }
            let piece: String = chars[i..j].iter().collect();
            let (s, stop) = unescape(&piece, false);
            out.push_str(&s);
            if stop {
                return true;
            }
            i = j;
            continue;
        }
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if i < chars.len() && chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut spec = Spec { left: false, plus: false, space: false, alt: false, zero: false, width: 0, prec: None };
        while i < chars.len() {
            match chars[i] {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        if i < chars.len() && chars[i] == '*' {
            let (w, e) = number(&take(next).unwrap_or_default());
            errors.extend(e);
            if w < 0 {
                spec.left = true;
            }
            spec.width = (w.unsigned_abs() as usize).min(MAX_WIDTH);
            i += 1;
        } else {
            while i < chars.len() && chars[i].is_ascii_digit() {
                spec.width = (spec.width * 10 + chars[i].to_digit(10).unwrap() as usize).min(MAX_WIDTH);
                i += 1;
            }
        }
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let mut p = 0usize;
            if i < chars.len() && chars[i] == '*' {
                let (v, e) = number(&take(next).unwrap_or_default());
                errors.extend(e);
                p = (v.max(0) as usize).min(MAX_WIDTH);
                i += 1;
            } else {
                while i < chars.len() && chars[i].is_ascii_digit() {
                    p = (p * 10 + chars[i].to_digit(10).unwrap() as usize).min(MAX_WIDTH);
                    i += 1;
                }
            }
            spec.prec = Some(p);
        }
        // Length modifiers mean nothing here.
        while i < chars.len() && matches!(chars[i], 'l' | 'h' | 'j' | 'z' | 't' | 'L' | 'q') {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            errors.push("%: missing format character".into());
            return true;
        };
        i += 1;
        match conv {
            'd' | 'i' => {
                let (v, e) = number(&take(next).unwrap_or_default());
                errors.extend(e);
                let mut digits = v.unsigned_abs().to_string();
                if let Some(p) = spec.prec {
                    if digits.len() < p {
                        digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                    }
                    if p == 0 && v == 0 {
                        digits.clear();
                    }
                }
                let sign = if v < 0 {
                    "-"
                } else if spec.plus {
                    "+"
                } else if spec.space {
                    " "
                } else {
                    ""
                };
                let numeric = spec.prec.is_none();
                out.push_str(&pad(format!("{sign}{digits}"), &spec, numeric));
            }
            'u' | 'o' | 'x' | 'X' => {
                let (v, e) = number(&take(next).unwrap_or_default());
                errors.extend(e);
                let u = v as u64;
                let mut digits = match conv {
                    'u' => u.to_string(),
                    'o' => format!("{u:o}"),
                    'x' => format!("{u:x}"),
                    _ => format!("{u:X}"),
                };
                if let Some(p) = spec.prec
                    && digits.len() < p
                {
                    digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                }
                if spec.alt && u != 0 {
                    match conv {
                        'o' if !digits.starts_with('0') => digits.insert(0, '0'),
                        'x' => digits.insert_str(0, "0x"),
                        'X' => digits.insert_str(0, "0X"),
                        _ => {}
                    }
                }
                let numeric = spec.prec.is_none();
                out.push_str(&pad(digits, &spec, numeric));
            }
            'c' => {
                let a = take(next).unwrap_or_default();
                let s: String = a.chars().take(1).collect();
                out.push_str(&pad(s, &spec, false));
            }
            's' => {
                let a = take(next).unwrap_or_default();
                let s: String = match spec.prec {
                    Some(p) => a.chars().take(p).collect(),
                    None => a,
                };
                out.push_str(&pad(s, &spec, false));
            }
            'b' => {
                let a = take(next).unwrap_or_default();
                let (s, stop) = unescape(&a, true);
                let s: String = match spec.prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                out.push_str(&pad(s, &spec, false));
                if stop {
                    return true;
                }
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                let (v, e) = float(&take(next).unwrap_or_default());
                errors.extend(e);
                let s = format_float(v, conv, &spec);
                out.push_str(&pad(s, &spec, true));
            }
            other => {
                errors.push(format!("%{other}: invalid directive"));
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(fmt: &str, args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (out, errors) = printf(fmt, &args);
        assert!(errors.is_empty(), "{fmt}: {errors:?}");
        out
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(p("hello\\n", &[]), "hello\n");
        assert_eq!(p("%s-%s\\n", &["a", "b"]), "a-b\n");
        assert_eq!(p("%s\\n", &["a", "b", "c"]), "a\nb\nc\n");
        assert_eq!(p("[%5s][%-5s][%.2s]", &["ab", "cd", "xyz"]), "[   ab][cd   ][xy]");
        assert_eq!(p("%s %s|", &["only"]), "only |");
        assert_eq!(p("\\101\\t\\\\", &[]), "A\t\\");
        assert_eq!(p("%c%c", &["xyz", ""]), "x");
        assert_eq!(p("100%%", &[]), "100%");
        assert_eq!(p("%b", &["a\\nb\\0101"]), "a\nbA");
        assert_eq!(p("%b|%s", &["x\\cy", "z"]), "x");
        assert_eq!(p("a\\cb", &[]), "a");
    }

    #[test]
    fn integers() {
        assert_eq!(p("%d %i", &["42", "-7"]), "42 -7");
        assert_eq!(p("[%5d][%-5d][%05d]", &["1", "2", "-3"]), "[    1][2    ][-0003]");
        assert_eq!(p("%+d % d", &["5", "5"]), "+5  5");
        assert_eq!(p("%.3d", &["7"]), "007");
        assert_eq!(p("%x %X %o %#x %#o", &["255", "255", "8", "255", "8"]), "ff FF 10 0xff 010");
        assert_eq!(p("%d %d", &["0x10", "010"]), "16 8");
        assert_eq!(p("%d", &["'A"]), "65");
        assert_eq!(p("%u", &["-1"]), "18446744073709551615");
        assert_eq!(p("%*d|%-*d|", &["4", "1", "3", "2"]), "   1|2  |");
        assert_eq!(p("%d", &[]), "0");
    }

    #[test]
    fn floats() {
        assert_eq!(p("%f", &["1.5"]), "1.500000");
        assert_eq!(p("%.2f", &["3.14159"]), "3.14");
        assert_eq!(p("%8.3f|", &["-2.5"]), "  -2.500|");
        assert_eq!(p("%e", &["12345.678"]), "1.234568e+04");
        assert_eq!(p("%g %g %g", &["100000", "1000000", "0.0001"]), "100000 1e+06 0.0001");
        assert_eq!(p("%g", &["3.5"]), "3.5");
        assert_eq!(p("%.3g", &["3.14159"]), "3.14");
    }

    #[test]
    fn errors() {
        let (out, errors) = printf("%d|", &["abc".to_string()]);
        assert_eq!(out, "0|");
        assert_eq!(errors, vec!["abc: invalid number"]);
        let (out, errors) = printf("%d", &["12abc".to_string()]);
        assert_eq!(out, "12");
        assert_eq!(errors.len(), 1);
        let (_, errors) = printf("%k", &[]);
        assert_eq!(errors, vec!["%k: invalid directive"]);
    }

    #[test]
    fn echo_escapes() {
        assert_eq!(unescape("a\\tb\\n", true), ("a\tb\n".to_string(), false));
        assert_eq!(unescape("x\\0101y", true), ("xAy".to_string(), false));
        assert_eq!(unescape("stop\\chere", true), ("stop".to_string(), true));
        assert_eq!(unescape("\\q", true), ("\\q".to_string(), false));
    }
}
