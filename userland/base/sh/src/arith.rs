//! Arithmetic expansion `$((...))`: C's integer expressions on 64-bit
//! signed integers (wrapping), with variables by name.

/// The variables an expression reads and assigns.
pub trait ArithVars {
    fn get(&self, name: &str) -> Option<String>;
    fn set(&mut self, name: &str, value: String) -> Result<(), String>;
}

#[derive(Clone, Debug, PartialEq)]
enum T {
    Num(i64),
    Name(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "<<=", ">>=", "**", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=",
    "++", "--", "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "^", "|", "?", ":", "=", "(", ")", ",",
];

fn parse_number(s: &str) -> Result<i64, String> {
    let bad = || format!("{s}: bad number");
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).map(|v| v as i64).map_err(|_| bad());
    }
    if let Some((base, digits)) = s.split_once('#') {
        let base: u32 = base.parse().map_err(|_| bad())?;
        if !(2..=36).contains(&base) {
            return Err(bad());
        }
        return u64::from_str_radix(digits, base).map(|v| v as i64).map_err(|_| bad());
    }
    if s.len() > 1 && s.starts_with('0') {
        return u64::from_str_radix(&s[1..], 8).map(|v| v as i64).map_err(|_| bad());
    }
    s.parse::<u64>().map(|v| v as i64).map_err(|_| bad())
}

fn tokenize(s: &str) -> Result<Vec<T>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '#' || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(T::Num(parse_number(&text)?));
            continue;
        }
        if c == '_' || c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i] == '_' || chars[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(T::Name(chars[start..i].iter().collect()));
            continue;
        }
        for op in OPS {
            let n = op.len();
            if i + n <= chars.len() && chars[i..i + n].iter().copied().eq(op.chars()) {
                out.push(T::Op(op));
                i += n;
                continue 'outer;
            }
        }
        return Err(format!("{}: syntax error in expression", s.trim()));
    }
    // `++` and `--` touch a variable; elsewhere they are two signs
    // (`3--2` is 3 - -2).
    let mut i = 0;
    while i < out.len() {
        if let T::Op(op @ ("++" | "--")) = out[i] {
            let prev_name = i > 0 && matches!(out[i - 1], T::Name(_));
            let prev_operand = i > 0 && matches!(out[i - 1], T::Name(_) | T::Num(_) | T::Op(")"));
            let next_name = matches!(out.get(i + 1), Some(T::Name(_)));
            if !(prev_name || (next_name && !prev_operand)) {
                let sign = if op == "++" { "+" } else { "-" };
                out[i] = T::Op(sign);
                out.insert(i + 1, T::Op(sign));
            }
        }
        i += 1;
    }
    Ok(out)
}

struct Eval<'a> {
    toks: Vec<T>,
    pos: usize,
    vars: &'a mut dyn ArithVars,
    depth: usize,
    text: String,
}

/// A value, and the variable it came from (an lvalue).
struct V {
    v: i64,
    name: Option<String>,
}

impl V {
    fn n(v: i64) -> V {
        V { v, name: None }
    }
}

/// Evaluates `expr`.
pub fn eval(expr: &str, vars: &mut dyn ArithVars) -> Result<i64, String> {
    eval_depth(expr, vars, 0)
}

fn eval_depth(expr: &str, vars: &mut dyn ArithVars, depth: usize) -> Result<i64, String> {
    if depth > 16 {
        return Err(format!("{expr}: expression recursion level exceeded"));
    }
    let toks = tokenize(expr)?;
    if toks.is_empty() {
        return Ok(0);
    }
    let mut e = Eval { toks, pos: 0, vars, depth, text: expr.trim().to_string() };
    let v = e.comma(true)?;
    if e.pos < e.toks.len() {
        return Err(e.syntax());
    }
    Ok(v.v)
}

impl Eval<'_> {
    fn syntax(&self) -> String {
        format!("{}: syntax error in expression", self.text)
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(T::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn var_value(&mut self, name: &str) -> Result<i64, String> {
        match self.vars.get(name) {
            None => Ok(0),
            Some(s) => {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(0);
                }
                let (neg, digits) = match t.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, t.strip_prefix('+').unwrap_or(t)),
                };
                if let Ok(v) = parse_number(digits) {
                    return Ok(if neg { v.wrapping_neg() } else { v });
                }
                let t = t.to_string();
                eval_depth(&t, self.vars, self.depth + 1)
            }
        }
    }

    fn assign(&mut self, target: &V, value: i64, run: bool) -> Result<(), String> {
        let Some(name) = &target.name else {
            return Err(format!("{}: assignment to a non-variable", self.text));
        };
        if run {
            self.vars.set(name, value.to_string())?;
        }
        Ok(())
    }

    fn comma(&mut self, run: bool) -> Result<V, String> {
        let mut v = self.assignment(run)?;
        while self.eat(",") {
            v = self.assignment(run)?;
        }
        Ok(v)
    }

    fn assignment(&mut self, run: bool) -> Result<V, String> {
        let start = self.pos;
        let lhs = self.ternary(run)?;
        let op = match self.peek_op() {
            Some(op @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "<<=" | ">>=" | "&=" | "^=" | "|=")) => op,
            _ => return Ok(lhs),
        };
        if lhs.name.is_none() || self.pos != start + 1 {
            return Err(self.syntax());
        }
        self.pos += 1;
        let rhs = self.assignment(run)?;
        let v = if op == "=" { rhs.v } else { binary(&op[..op.len() - 1], lhs.v, rhs.v, run)? };
        self.assign(&lhs, v, run)?;
        Ok(V::n(v))
    }

    fn ternary(&mut self, run: bool) -> Result<V, String> {
        let c = self.binary_level(0, run)?;
        if !self.eat("?") {
            return Ok(c);
        }
        let yes = self.comma(run && c.v != 0)?;
        if !self.eat(":") {
            return Err(self.syntax());
        }
        let no = self.ternary(run && c.v == 0)?;
        Ok(V::n(if c.v != 0 { yes.v } else { no.v }))
    }

    fn binary_level(&mut self, level: usize, run: bool) -> Result<V, String> {
        const LEVELS: &[&[&str]] = &[
            &["||"],
            &["&&"],
            &["|"],
            &["^"],
            &["&"],
            &["==", "!="],
            &["<", "<=", ">", ">="],
            &["<<", ">>"],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.power(run);
        }
        let mut lhs = self.binary_level(level + 1, run)?;
        while let Some(op) = self.peek_op() {
            if !LEVELS[level].contains(&op) {
                break;
            }
            self.pos += 1;
            let v = match op {
                "||" => {
                    let rhs = self.binary_level(level + 1, run && lhs.v == 0)?;
                    (lhs.v != 0 || rhs.v != 0) as i64
                }
                "&&" => {
                    let rhs = self.binary_level(level + 1, run && lhs.v != 0)?;
                    (lhs.v != 0 && rhs.v != 0) as i64
                }
                _ => {
                    let rhs = self.binary_level(level + 1, run)?;
                    binary(op, lhs.v, rhs.v, run)?
                }
            };
            lhs = V::n(v);
        }
        Ok(lhs)
    }

    fn power(&mut self, run: bool) -> Result<V, String> {
        let base = self.unary(run)?;
        if self.eat("**") {
            let exp = self.power(run)?;
            if exp.v < 0 {
                return if run { Err("exponent less than 0".into()) } else { Ok(V::n(0)) };
            }
            return Ok(V::n(base.v.wrapping_pow(exp.v.min(u32::MAX as i64) as u32)));
        }
        Ok(base)
    }

    fn unary(&mut self, run: bool) -> Result<V, String> {
        match self.peek_op() {
            Some(op @ ("+" | "-" | "!" | "~")) => {
                self.pos += 1;
                let v = self.unary(run)?.v;
                Ok(V::n(match op {
                    "+" => v,
                    "-" => v.wrapping_neg(),
                    "!" => (v == 0) as i64,
                    _ => !v,
                }))
            }
            Some(op @ ("++" | "--")) => {
                self.pos += 1;
                let target = self.unary(run)?;
                let v = if op == "++" { target.v.wrapping_add(1) } else { target.v.wrapping_sub(1) };
                self.assign(&target, v, run)?;
                Ok(V::n(v))
            }
            _ => self.postfix(run),
        }
    }

    fn postfix(&mut self, run: bool) -> Result<V, String> {
        let v = self.primary(run)?;
        if v.name.is_some()
            && let Some(op @ ("++" | "--")) = self.peek_op()
        {
            self.pos += 1;
            let new = if op == "++" { v.v.wrapping_add(1) } else { v.v.wrapping_sub(1) };
            self.assign(&v, new, run)?;
            return Ok(V::n(v.v));
        }
        Ok(v)
    }

    fn primary(&mut self, run: bool) -> Result<V, String> {
        match self.toks.get(self.pos).cloned() {
            Some(T::Num(n)) => {
                self.pos += 1;
                Ok(V::n(n))
            }
            Some(T::Name(name)) => {
                self.pos += 1;
                let v = if run { self.var_value(&name)? } else { 0 };
                Ok(V { v, name: Some(name) })
            }
            Some(T::Op("(")) => {
                self.pos += 1;
                let v = self.comma(run)?;
                if !self.eat(")") {
                    return Err(self.syntax());
                }
                Ok(V::n(v.v))
            }
            _ => Err(self.syntax()),
        }
    }
}

fn binary(op: &str, a: i64, b: i64, run: bool) -> Result<i64, String> {
    Ok(match op {
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" | "%" => {
            if b == 0 {
                return if run { Err("division by zero".into()) } else { Ok(0) };
            }
            if op == "/" { a.wrapping_div(b) } else { a.wrapping_rem(b) }
        }
        "<<" => a.wrapping_shl(b as u32 & 63),
        ">>" => a.wrapping_shr(b as u32 & 63),
        "<" => (a < b) as i64,
        "<=" => (a <= b) as i64,
        ">" => (a > b) as i64,
        ">=" => (a >= b) as i64,
        "==" => (a == b) as i64,
        "!=" => (a != b) as i64,
        "&" => a & b,
        "^" => a ^ b,
        "|" => a | b,
        _ => unreachable!("operator {op}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Vars(HashMap<String, String>);

    impl ArithVars for Vars {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
        fn set(&mut self, name: &str, value: String) -> Result<(), String> {
            self.0.insert(name.into(), value);
            Ok(())
        }
    }

    fn ev(s: &str) -> i64 {
        eval(s, &mut Vars::default()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn basics() {
        assert_eq!(ev("1 + 2 * 3"), 7);
        assert_eq!(ev("(1 + 2) * 3"), 9);
        assert_eq!(ev("7 / 2"), 3);
        assert_eq!(ev("-7 / 2"), -3);
        assert_eq!(ev("7 % 3"), 1);
        assert_eq!(ev("-7 % 3"), -1);
        assert_eq!(ev("2 - 3 - 4"), -5);
        assert_eq!(ev("  42 "), 42);
        assert_eq!(ev(""), 0);
        assert_eq!(ev("-(-3)"), 3);
        assert_eq!(ev("!0 + !5 + ~0"), 0);
        assert_eq!(ev("2 ** 10"), 1024);
        assert_eq!(ev("3--2"), 5);
        assert_eq!(ev("3++2"), 5);
        assert_eq!(ev("--5"), 5);
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(ev("1 < 2"), 1);
        assert_eq!(ev("2 <= 1"), 0);
        assert_eq!(ev("3 > 2 && 2 > 1"), 1);
        assert_eq!(ev("0 || 0"), 0);
        assert_eq!(ev("0 || 5"), 1);
        assert_eq!(ev("1 == 1 != 0"), 1);
        assert_eq!(ev("1 ? 10 : 20"), 10);
        assert_eq!(ev("0 ? 10 : 0 ? 20 : 30"), 30);
        assert_eq!(ev("6 & 3 | 8 ^ 1"), 11);
        assert_eq!(ev("1 << 4 >> 2"), 4);
    }

    #[test]
    fn numbers() {
        assert_eq!(ev("0x1F"), 31);
        assert_eq!(ev("010"), 8);
        assert_eq!(ev("2#101"), 5);
        assert!(eval("08", &mut Vars::default()).is_err());
    }

    #[test]
    fn variables() {
        let mut v = Vars::default();
        v.0.insert("x".into(), "5".into());
        v.0.insert("e".into(), "x * 2".into());
        v.0.insert("empty".into(), "".into());
        assert_eq!(eval("x + 1", &mut v), Ok(6));
        assert_eq!(eval("unset + 1", &mut v), Ok(1));
        assert_eq!(eval("empty", &mut v), Ok(0));
        assert_eq!(eval("e + 1", &mut v), Ok(11));
        assert_eq!(eval("y = x * 3", &mut v), Ok(15));
        assert_eq!(v.0["y"], "15");
        assert_eq!(eval("y += 1", &mut v), Ok(16));
        assert_eq!(eval("x++ + x", &mut v), Ok(11));
        assert_eq!(v.0["x"], "6");
        assert_eq!(eval("--x", &mut v), Ok(5));
        assert_eq!(eval("a = b = 3", &mut v), Ok(3));
        assert_eq!(v.0["a"], "3");
        assert_eq!(eval("z = 1, z + 1", &mut v), Ok(2));
    }

    #[test]
    fn short_circuit_skips_side_effects() {
        let mut v = Vars::default();
        assert_eq!(eval("0 && (q = 1)", &mut v), Ok(0));
        assert_eq!(eval("1 || (q = 1)", &mut v), Ok(1));
        assert_eq!(eval("1 ? 2 : (q = 1)", &mut v), Ok(2));
        assert_eq!(eval("0 && 1 / 0", &mut v), Ok(0));
        assert!(!v.0.contains_key("q"));
    }

    #[test]
    fn errors() {
        let mut v = Vars::default();
        assert_eq!(eval("1 / 0", &mut v), Err("division by zero".into()));
        assert!(eval("1 +", &mut v).is_err());
        assert!(eval("(1", &mut v).is_err());
        assert!(eval("1 2", &mut v).is_err());
        assert!(eval("3 = 4", &mut v).is_err());
        assert!(eval("1 @ 2", &mut v).is_err());
        v.0.insert("r".into(), "r + 1".into());
        assert!(eval("r", &mut v).is_err());
    }
}
