//! tr: translate, delete or squeeze bytes from standard input.

use std::io::{self, Read, Write};

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::printf::{Escape, EscapeStyle, decode_escape};

const TOOL: Tool = Tool {
    name: "tr",
    usage: "Usage: tr [-cs] SET1 SET2
  or:  tr [-c] -d SET1
  or:  tr [-c] -s SET1
  or:  tr [-c] -ds SET1 SET2
Copy standard input to standard output, replacing each byte of SET1 with
the byte at the same place in SET2 (its last byte repeats as needed).

  -c  use the complement of SET1: every byte not in it (-C is the same)
  -d  delete the bytes of SET1
  -s  squeeze each run of a byte of the last SET given into one

SETs are bytes, with ranges (a-z), escapes (\\n \\t \\\\ \\NNN octal) and
classes: [:alnum:] [:alpha:] [:blank:] [:cntrl:] [:digit:] [:graph:]
[:lower:] [:print:] [:punct:] [:space:] [:upper:] [:xdigit:].
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "cCds") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let (delete, squeeze) = (opts.has('d'), opts.has('s'));
    let wanted = match (delete, squeeze) {
        (true, false) => 1..=1,
        (false, true) => 1..=2,
        _ => 2..=2,
    };
    if !wanted.contains(&opts.operands.len()) {
        return TOOL.usage_error(format_args!("{} SETs expected", if wanted.end() == &1 { "1" } else { "2" }));
    }
    let sets: Result<Vec<Vec<u8>>, String> = opts.operands.iter().map(|spec| expand_set(spec)).collect();
    let mut sets = match sets {
        Ok(sets) => sets,
        Err(message) => return TOOL.usage_error(message),
    };
    if opts.has('c') || opts.has('C') {
        sets[0] = (0..=255).filter(|b| !sets[0].contains(b)).collect();
    }
    let mut translator = match Translator::new(&sets[0], sets.get(1).map(Vec::as_slice), delete, squeeze) {
        Ok(translator) => translator,
        Err(message) => return TOOL.usage_error(message),
    };
    let (mut input, mut out) = (io::stdin().lock(), io::stdout().lock());
    let mut buf = vec![0; 64 * 1024];
    let mut translated = Vec::with_capacity(buf.len());
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                TOOL.error("standard input", &err);
                return FAILURE;
            }
        };
        translated.clear();
        translator.apply(&buf[..n], &mut translated);
        if let Err(err) = out.write_all(&translated).and_then(|()| out.flush()) {
            return TOOL.write_error(&err);
        }
    }
    SUCCESS
}

/// Expands a SET operand into its bytes, in order.
fn expand_set(spec: &str) -> Result<Vec<u8>, String> {
    let bytes = spec.as_bytes();
    let mut set = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(rest) = bytes[i..].strip_prefix(b"[:")
            && let Some(len) = rest.windows(2).position(|w| w == b":]")
        {
            let name = String::from_utf8_lossy(&rest[..len]);
            set.extend(class_bytes(&name).ok_or_else(|| format!("invalid character class '{name}'"))?);
            i += len + 4;
            continue;
        }
        // [=c=]: the class of characters equivalent to c, which is c.
        if let [b'[', b'=', c, b'=', b']', ..] = bytes[i..] {
            set.push(c);
            i += 5;
            continue;
        }
        let start = i;
        let (first, used) = byte_at(bytes, i);
        i += used;
        if bytes.get(i) == Some(&b'-') && i + 1 < bytes.len() {
            let (last, used) = byte_at(bytes, i + 1);
            i += 1 + used;
            if last < first {
                let range = String::from_utf8_lossy(&bytes[start..i]);
                return Err(format!("range-endpoints of '{range}' are in reverse order"));
            }
            set.extend(first..=last);
        } else {
            set.push(first);
        }
    }
    Ok(set)
}

/// The byte at `bytes[at]`, an escape if it starts one, and its length.
fn byte_at(bytes: &[u8], at: usize) -> (u8, usize) {
    if bytes[at] != b'\\' {
        return (bytes[at], 1);
    }
    match decode_escape(&bytes[at + 1..], EscapeStyle::Format) {
        (Escape::Byte(byte), used) => (byte, 1 + used),
        // \c means nothing special to tr.
        (Escape::Stop, used) => (b'c', 1 + used),
    }
}

fn class_bytes(name: &str) -> Option<Vec<u8>> {
    let member: fn(&u8) -> bool = match name {
        "alnum" => u8::is_ascii_alphanumeric,
        "alpha" => u8::is_ascii_alphabetic,
        "blank" => |b| matches!(b, b' ' | b'\t'),
        "cntrl" => u8::is_ascii_control,
        "digit" => u8::is_ascii_digit,
        "graph" => u8::is_ascii_graphic,
        "lower" => u8::is_ascii_lowercase,
        "print" => |b| b.is_ascii_graphic() || *b == b' ',
        "punct" => u8::is_ascii_punctuation,
        "space" => |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        "upper" => u8::is_ascii_uppercase,
        "xdigit" => u8::is_ascii_hexdigit,
        _ => return None,
    };
    Some((0..=255).filter(member).collect())
}

/// What tr does to each byte, as tables.
struct Translator {
    delete: [bool; 256],
    map: [u8; 256],
    squeeze: [bool; 256],
    /// The last byte written, for squeezing across reads.
    last: Option<u8>,
}

impl Translator {
    fn new(set1: &[u8], set2: Option<&[u8]>, delete: bool, squeeze: bool) -> Result<Translator, String> {
        let mut translator = Translator {
            delete: [false; 256],
            map: std::array::from_fn(|b| b as u8),
            squeeze: [false; 256],
            last: None,
        };
        // Squeezing applies to the last set given: SET2 after translating
        // or deleting, else SET1.
        let squeezed = set2.unwrap_or(set1);
        if delete {
            for &b in set1 {
                translator.delete[usize::from(b)] = true;
            }
        } else if let Some(set2) = set2 {
            let Some(&last) = set2.last() else { return Err("SET2 must not be empty".to_string()) };
            for (i, &b) in set1.iter().enumerate() {
                translator.map[usize::from(b)] = set2.get(i).copied().unwrap_or(last);
            }
        }
        if squeeze {
            for &b in squeezed {
                translator.squeeze[usize::from(b)] = true;
            }
        }
        Ok(translator)
    }

    fn apply(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &byte in input {
            if self.delete[usize::from(byte)] {
                continue;
            }
            let byte = self.map[usize::from(byte)];
            if self.squeeze[usize::from(byte)] && self.last == Some(byte) {
                continue;
            }
            self.last = Some(byte);
            out.push(byte);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(set1: &str, set2: Option<&str>, delete: bool, squeeze: bool, input: &str) -> String {
        let set1 = expand_set(set1).unwrap();
        let set2 = set2.map(|s| expand_set(s).unwrap());
        let mut translator = Translator::new(&set1, set2.as_deref(), delete, squeeze).unwrap();
        let mut out = Vec::new();
        translator.apply(input.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sets() {
        assert_eq!(expand_set("a-e").unwrap(), b"abcde");
        assert_eq!(expand_set("a-c-").unwrap(), b"abc-");
        assert_eq!(expand_set("-a").unwrap(), b"-a");
        assert_eq!(expand_set("\\n\\t\\\\\\101").unwrap(), b"\n\t\\A");
        assert_eq!(expand_set("[:digit:]x").unwrap(), b"0123456789x");
        assert_eq!(expand_set("[=a=]").unwrap(), b"a");
        assert_eq!(expand_set("[:upper:]").unwrap().len(), 26);
        assert!(expand_set("z-a").is_err());
        assert!(expand_set("[:bogus:]").is_err());
    }

    #[test]
    fn translate() {
        assert_eq!(tr("a-z", Some("A-Z"), false, false, "Hello, World"), "HELLO, WORLD");
        assert_eq!(tr("[:lower:]", Some("[:upper:]"), false, false, "abc"), "ABC");
        assert_eq!(tr("abc", Some("x"), false, false, "aabbcd"), "xxxxxd");
        assert_eq!(tr(" ", Some("\\n"), false, false, "a b"), "a\nb");
    }

    #[test]
    fn delete_and_squeeze() {
        assert_eq!(tr("l", None, true, false, "hello world"), "heo word");
        assert_eq!(tr("[:digit:]", None, true, false, "a1b22c"), "abc");
        assert_eq!(tr(" ", None, false, true, "a   b  c"), "a b c");
        assert_eq!(tr("a-z", Some("A-Z"), false, true, "aAbbB"), "AB");
        assert_eq!(tr("0-9", Some(" "), true, true, "a1  2b"), "a b");
    }

    #[test]
    fn translating_needs_a_second_set() {
        assert!(Translator::new(b"abc", Some(b""), false, false).is_err());
    }
}
