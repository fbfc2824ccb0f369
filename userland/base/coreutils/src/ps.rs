//! ps: list processes, from /proc.

use std::fs;
use std::io::Write;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};

const TOOL: Tool = Tool {
    name: "ps",
    usage: "Usage: ps [-Aef] [aux]
List every process: its ID, its parent's ID, its state (R running,
S sleeping, D waiting on a disk, Z zombie, T stopped) and its command line,
from /proc/PID/stat and /proc/PID/cmdline.

The usual -e, -A, -f, -ef and BSD-style aux are accepted; the list is
always every process, in these columns.
",
    usage_status: FAILURE,
};

/// What ps shows of one process.
#[derive(Debug, PartialEq)]
struct Process {
    pid: u32,
    ppid: u32,
    state: char,
    /// The command line, or `[name]` for a process without one (a kernel
    /// thread or a zombie).
    command: String,
}

pub fn run(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "--help") {
        return TOOL.help();
    }
    // The selections people type out of habit, in both styles; they all
    // mean "everything" here.
    for arg in args {
        let letters = arg.strip_prefix('-').unwrap_or(arg);
        if letters.is_empty() || !letters.chars().all(|c| "Aaefux".contains(c)) {
            return TOOL.usage_error(format_args!("unsupported option '{arg}'"));
        }
    }
    let entries = match fs::read_dir("/proc") {
        Ok(entries) => entries,
        Err(err) => {
            TOOL.error("/proc", &err);
            return FAILURE;
        }
    };
    let mut processes: Vec<Process> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        // A process may exit between the listing and the reading.
        .filter_map(read_process)
        .collect();
    processes.sort_by_key(|p| p.pid);
    let mut out = stdout();
    let text = table(&processes);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}

/// The listing: numbers right-aligned in columns at least 5 wide and as
/// wide as the longest (Tern's servers have 7-digit ids).
fn table(processes: &[Process]) -> String {
    let width = processes.iter().map(|p| p.pid.max(p.ppid).to_string().len()).max().unwrap_or(0).max(5);
    let mut text = format!("{:>width$} {:>width$} STAT CMD\n", "PID", "PPID");
    for p in processes {
        text.push_str(&format!("{:>width$} {:>width$} {:<4} {}\n", p.pid, p.ppid, p.state, p.command));
    }
    text
}

fn read_process(pid: u32) -> Option<Process> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    parse_process(&stat, &cmdline)
}

/// Reads `pid (name) state ppid ...` and the NUL-separated command line.
/// The name may hold spaces and parentheses: it ends at the last `)`.
fn parse_process(stat: &str, cmdline: &[u8]) -> Option<Process> {
    let (head, rest) = stat.rsplit_once(')')?;
    let (pid, name) = head.split_once(" (")?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let args: Vec<String> = cmdline
        .split(|&b| b == 0)
        .filter(|arg| !arg.is_empty())
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect();
    let command = if args.is_empty() { format!("[{name}]") } else { args.join(" ") };
    Some(Process { pid: pid.trim().parse().ok()?, ppid, state, command })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_the_longest_number() {
        let p = |pid, command: &str| Process { pid, ppid: 0, state: 'S', command: command.into() };
        assert_eq!(table(&[p(1, "init")]), "  PID  PPID STAT CMD\n    1     0 S    init\n");
        assert_eq!(
            table(&[p(1, "init"), p(4194304, "fs0")]),
            "    PID    PPID STAT CMD\n      1       0 S    init\n4194304       0 S    fs0\n"
        );
    }

    #[test]
    fn stat_and_cmdline() {
        let p = parse_process("42 (sh) S 1 42 42 0 -1 4194560 ...", b"/bin/sh\0-c\0echo hi\0").unwrap();
        assert_eq!(p, Process { pid: 42, ppid: 1, state: 'S', command: "/bin/sh -c echo hi".into() });
    }

    #[test]
    fn names_with_spaces_and_parentheses() {
        let p = parse_process("7 (a (b) c) R 3 0", b"").unwrap();
        assert_eq!((p.pid, p.ppid, p.state, p.command.as_str()), (7, 3, 'R', "[a (b) c]"));
        assert!(parse_process("garbage", b"").is_none());
    }
}
