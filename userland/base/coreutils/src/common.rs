//! What every tool shares: the entry point, option parsing, error messages
//! in the `prog: path: reason` form, exit statuses, and reading inputs
//! where `-` means standard input.

use std::ffi::OsStr;
use std::fmt::Display;
use std::io::{self, BufWriter, Read, Write};

use crate::sys;

pub const SUCCESS: i32 = 0;
pub const FAILURE: i32 = 1;
/// The status of a bad command line for the tools that GNU and POSIX give
/// a distinct one (ls, grep, sort, test); the others use `FAILURE`.
pub const USAGE: i32 = 2;

/// Runs a tool: `run` gets the arguments after argv[0] and its result is
/// the exit status.
pub fn main(run: fn(&[String]) -> i32) -> ! {
    // Rust ignores SIGPIPE, which would turn `ls | head -1` into a "Broken
    // pipe" error message; Unix tools die of the signal silently instead.
    sys::default_sigpipe();
    // Arguments that are not UTF-8 are taken lossily: the tools work on text.
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let status = run(&args);
    std::process::exit(status)
}

/// Whether the program was started under `name` (the last part of argv[0]):
/// one executable serving two names, like `test` and `[`.
pub fn invoked_as(name: &str) -> bool {
    std::env::args_os()
        .next()
        .is_some_and(|argv0| std::path::Path::new(&argv0).file_name().is_some_and(|base| base == name))
}

/// The text of an I/O error as strerror gives it ("No such file or
/// directory"), without the " (os error 2)" that Rust appends.
pub fn reason(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

/// One tool's name, help text and usage-error status, and the messages it
/// writes to standard error.
pub struct Tool {
    pub name: &'static str,
    /// Everything `--help` prints.
    pub usage: &'static str,
    /// `FAILURE` or `USAGE`: what a bad command line exits with.
    pub usage_status: i32,
}

impl Tool {
    /// `prog: path: reason`.
    pub fn error(&self, path: impl Display, err: &io::Error) {
        eprintln!("{}: {path}: {}", self.name, reason(err));
    }

    /// `prog: message`.
    pub fn fail(&self, message: impl Display) {
        eprintln!("{}: {message}", self.name);
    }

    /// Reports a failed write to standard output and gives the status.
    pub fn write_error(&self, err: &io::Error) -> i32 {
        self.fail(format_args!("write error: {}", reason(err)));
        FAILURE
    }

    /// Reports a bad command line and gives the usage-error status.
    pub fn usage_error(&self, message: impl Display) -> i32 {
        eprintln!("{}: {message}\nTry '{} --help' for more information.", self.name, self.name);
        self.usage_status
    }

    /// Prints the help text on standard output.
    pub fn help(&self) -> i32 {
        let mut out = io::stdout().lock();
        match out.write_all(self.usage.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => SUCCESS,
            Err(err) => self.write_error(&err),
        }
    }

    /// Parses options the GNU way: options and operands may come in any
    /// order until `--`. `spec` lists the option letters; a letter followed
    /// by `:` takes a value (`-n 5` or `-n5`). `--help` prints the help.
    /// On `Err`, the message has been written and the value is the status
    /// to exit with.
    pub fn parse(&self, args: &[String], spec: &str) -> Result<Options, i32> {
        self.parse_options(args, spec, false)
    }

    /// Parses options up to the first operand, as POSIX getopt does: for
    /// tools whose operands are a command with its own options (env, xargs).
    pub fn parse_leading(&self, args: &[String], spec: &str) -> Result<Options, i32> {
        self.parse_options(args, spec, true)
    }

    fn parse_options(&self, args: &[String], spec: &str, stop_at_operand: bool) -> Result<Options, i32> {
        let mut options = Options { found: Vec::new(), operands: Vec::new() };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if arg == "--" {
                break;
            }
            if arg == "--help" {
                return Err(self.help());
            }
            if arg.starts_with("--") {
                return Err(self.usage_error(format_args!("unrecognized option '{arg}'")));
            }
            if !arg.starts_with('-') || arg == "-" {
                options.operands.push(arg.clone());
                if stop_at_operand {
                    break;
                }
                continue;
            }
            for (at, letter) in arg.char_indices().skip(1) {
                match option_kind(spec, letter) {
                    None => return Err(self.usage_error(format_args!("invalid option -- '{letter}'"))),
                    Some(false) => options.found.push((letter, None)),
                    Some(true) => {
                        let attached = &arg[at + letter.len_utf8()..];
                        let value = if !attached.is_empty() {
                            attached.to_string()
                        } else if let Some(next) = rest.next() {
                            next.clone()
                        } else {
                            return Err(self.usage_error(format_args!("option requires an argument -- '{letter}'")));
                        };
                        options.found.push((letter, Some(value)));
                        break;
                    }
                }
            }
        }
        options.operands.extend(rest.cloned());
        Ok(options)
    }

    /// A count given on the command line (`head -n 5`): a non-negative
    /// integer, or a usage error naming what it counts.
    pub fn count(&self, what: &str, text: &str) -> Result<u64, i32> {
        text.parse().map_err(|_| self.usage_error(format_args!("invalid number of {what}: '{text}'")))
    }
}

/// `None` if `letter` is not in `spec`, else whether it takes a value.
fn option_kind(spec: &str, letter: char) -> Option<bool> {
    let at = spec.find(letter).filter(|_| letter != ':')?;
    Some(spec[at + letter.len_utf8()..].starts_with(':'))
}

/// The options and operands of a command line.
#[derive(Debug)]
pub struct Options {
    /// Each option as given, in order, with its value if it takes one.
    found: Vec<(char, Option<String>)>,
    pub operands: Vec<String>,
}

impl Options {
    pub fn has(&self, letter: char) -> bool {
        self.found.iter().any(|(l, _)| *l == letter)
    }

    /// The value of the last `-letter`, as getopt users take it.
    pub fn value(&self, letter: char) -> Option<&str> {
        self.values(letter).last()
    }

    /// The options given, in order.
    pub fn given(&self) -> impl Iterator<Item = char> {
        self.found.iter().map(|(l, _)| *l)
    }

    /// Which of `letters` was given last: for options that override each
    /// other, like pwd's -L and -P.
    pub fn last_of(&self, letters: &str) -> Option<char> {
        self.given().filter(|l| letters.contains(*l)).last()
    }

    /// The values of every `-letter`, in order.
    pub fn values(&self, letter: char) -> impl Iterator<Item = &str> {
        self.found.iter().filter(move |(l, _)| *l == letter).filter_map(|(_, v)| v.as_deref())
    }
}

/// Buffered standard output; tools flush it before exiting so that write
/// errors are seen.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// The file operands, or `-` (standard input) when there are none.
pub fn inputs(operands: &[String]) -> Vec<&str> {
    if operands.is_empty() { vec!["-"] } else { operands.iter().map(String::as_str).collect() }
}

/// Opens an input operand; `-` is standard input.
pub fn open_input(path: &str) -> io::Result<Box<dyn Read>> {
    if path == "-" { Ok(Box::new(io::stdin().lock())) } else { Ok(Box::new(std::fs::File::open(path)?)) }
}

/// Reads a whole input operand; `-` is standard input.
pub fn read_input(path: &str) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    open_input(path)?.read_to_end(&mut data)?;
    Ok(data)
}

/// The name to show for an input operand in headers and messages.
pub fn input_name(path: &str) -> &str {
    if path == "-" { "standard input" } else { path }
}

/// The lines of `data` without their newlines; a last line without one
/// counts too.
pub fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    if data.is_empty() { Vec::new() } else { body.split(|&b| b == b'\n').collect() }
}

/// Why a copy stopped: reading the input (reported with the input's name)
/// or writing the output (a write error).
pub enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `input` to `out` until end of input or `limit` bytes. What was
/// read is written at once, so that a tool in a pipeline or at the console
/// passes each line on as it comes.
pub fn copy(input: &mut dyn Read, out: &mut dyn Write, limit: u64) -> Result<(), CopyError> {
    let mut buf = vec![0; 64 * 1024];
    let mut left = limit;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match input.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(CopyError::Read(err)),
        };
        out.write_all(&buf[..n]).and_then(|()| out.flush()).map_err(CopyError::Write)?;
        left -= n as u64;
    }
    Ok(())
}

/// `dir/name` as find and du show it: no doubled `/` after `dir/` or `/`.
pub fn join_path(dir: &str, name: &OsStr) -> String {
    let separator = if dir.ends_with('/') { "" } else { "/" };
    format!("{dir}{separator}{}", name.to_string_lossy())
}

/// The old `head -5` / `tail -5` form, rewritten as `-n 5`.
pub fn expand_line_count(args: &[String]) -> Vec<String> {
    let mut args = args.to_vec();
    if let Some(first) = args.first()
        && let Some(digits) = first.strip_prefix('-')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        args[0] = format!("-n{digits}");
    }
    args
}

/// `==> name <==` before each file when head or tail is given several,
/// with a blank line between files.
pub fn write_file_header(out: &mut dyn Write, name: &str, first: bool) -> io::Result<()> {
    let gap = if first { "" } else { "\n" };
    writeln!(out, "{gap}==> {} <==", input_name(name))
}

/// A size the way `du -h` and `df -h` show it: `512`, `4.0K`, `1.5M`,
/// `12G`; rounded up, one decimal below 10.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [char; 6] = ['K', 'M', 'G', 'T', 'P', 'E'];
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    loop {
        let shown = if value < 10.0 { (value * 10.0).ceil() / 10.0 } else { value.ceil() };
        // 1023.9K rounds up to 1024K: show 1.0M instead.
        if shown >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
            continue;
        }
        return if shown < 10.0 { format!("{shown:.1}{}", UNITS[unit]) } else { format!("{shown:.0}{}", UNITS[unit]) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOL: Tool = Tool { name: "t", usage: "usage\n", usage_status: USAGE };

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_cluster_and_mix_with_operands() {
        let o = TOOL.parse(&args(&["-la", "dir", "-1", "x"]), "la1").unwrap();
        assert!(o.has('l') && o.has('a') && o.has('1'));
        assert_eq!(o.last_of("al"), Some('a'));
        assert_eq!(o.operands, ["dir", "x"]);
    }

    #[test]
    fn values_attached_or_separate_last_wins() {
        let o = TOOL.parse(&args(&["-n5", "f", "-n", "7", "-e", "a", "-eb"]), "n:e:").unwrap();
        assert_eq!(o.value('n'), Some("7"));
        assert_eq!(o.values('e').collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(o.operands, ["f"]);
    }

    #[test]
    fn value_option_ends_cluster() {
        let o = TOOL.parse(&args(&["-vn3"]), "vn:").unwrap();
        assert!(o.has('v'));
        assert_eq!(o.value('n'), Some("3"));
    }

    #[test]
    fn double_dash_and_lone_dash_are_operands() {
        let o = TOOL.parse(&args(&["-", "--", "-l"]), "l").unwrap();
        assert!(!o.has('l'));
        assert_eq!(o.operands, ["-", "-l"]);
    }

    #[test]
    fn leading_parse_stops_at_first_operand() {
        let o = TOOL.parse_leading(&args(&["-n", "2", "echo", "-n", "x"]), "n:").unwrap();
        assert_eq!(o.value('n'), Some("2"));
        assert_eq!(o.operands, ["echo", "-n", "x"]);
    }

    #[test]
    fn bad_options_give_the_usage_status() {
        assert_eq!(TOOL.parse(&args(&["-z"]), "l").unwrap_err(), USAGE);
        assert_eq!(TOOL.parse(&args(&["-n"]), "n:").unwrap_err(), USAGE);
        assert_eq!(TOOL.parse(&args(&["--bogus"]), "n:").unwrap_err(), USAGE);
        assert_eq!(TOOL.parse(&args(&["-:"]), "n:").unwrap_err(), USAGE);
    }

    #[test]
    fn joined_paths() {
        assert_eq!(join_path("a", OsStr::new("b")), "a/b");
        assert_eq!(join_path("a/", OsStr::new("b")), "a/b");
        assert_eq!(join_path("/", OsStr::new("b")), "/b");
    }

    #[test]
    fn old_count_form() {
        assert_eq!(expand_line_count(&args(&["-5", "f"])), ["-n5", "f"]);
        assert_eq!(expand_line_count(&args(&["-n", "5"])), ["-n", "5"]);
        assert_eq!(expand_line_count(&args(&["f", "-5"])), ["f", "-5"]);
    }

    #[test]
    fn reason_drops_the_os_error_suffix() {
        assert_eq!(reason(&io::Error::from_raw_os_error(2)), "No such file or directory");
        assert_eq!(reason(&io::Error::other("plain")), "plain");
    }

    #[test]
    fn lines_split_with_or_without_final_newline() {
        assert_eq!(split_lines(b"a\nb\n"), [&b"a"[..], b"b"]);
        assert_eq!(split_lines(b"a\n\nb"), [&b"a"[..], b"", b"b"]);
        assert!(split_lines(b"").is_empty());
        assert_eq!(split_lines(b"\n"), [&b""[..]]);
    }

    #[test]
    fn human_sizes_round_up() {
        assert_eq!(human_size(0), "0");
        assert_eq!(human_size(1000), "1000");
        assert_eq!(human_size(1024), "1.0K");
        assert_eq!(human_size(1536), "1.5K");
        assert_eq!(human_size(1025), "1.1K");
        assert_eq!(human_size(10 * 1024), "10K");
        assert_eq!(human_size(1024 * 1024 - 1), "1.0M");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0G");
    }
}
