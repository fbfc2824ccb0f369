//! kill: send a signal to processes.

use std::io::Write;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};
use crate::sys;

const TOOL: Tool = Tool {
    name: "kill",
    usage: "Usage: kill [-s SIGNAL | -SIGNAL] PID...
  or:  kill -l [SIGNAL]...
Send SIGNAL (TERM by default) to each process PID; a negative PID is a
process group (write it after --).

  -s SIGNAL  the signal, by name (TERM, SIGTERM) or number (15)
  -SIGNAL    the same
  -l         list the signal names; with SIGNALs, translate names to
             numbers and numbers (or exit statuses over 128) to names
",
    usage_status: FAILURE,
};

/// Linux's signal numbers are the index plus one.
const SIGNALS: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
    "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",
    "PWR", "SYS",
];

/// A signal by number (0 to 31) or name, with or without SIG, any case.
pub fn signal_number(text: &str) -> Option<i32> {
    if let Ok(number) = text.parse::<i32>() {
        return (0..=SIGNALS.len() as i32).contains(&number).then_some(number);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    SIGNALS.iter().position(|&s| s == name).map(|i| i as i32 + 1)
}

fn signal_name(number: i32) -> Option<&'static str> {
    SIGNALS.get(usize::try_from(number).ok()?.checked_sub(1)?).copied()
}

pub fn run(args: &[String]) -> i32 {
    let mut rest = args;
    let mut signal = 15;
    match rest.first().map(String::as_str) {
        Some("--help") => return TOOL.help(),
        Some("-l" | "-L") => return list(&rest[1..]),
        Some("-s") => {
            let Some(name) = rest.get(1) else { return TOOL.usage_error("option requires an argument -- 's'") };
            match signal_number(name) {
                Some(number) => signal = number,
                None => return TOOL.usage_error(format_args!("{name}: invalid signal")),
            }
            rest = &rest[2..];
        }
        Some("--") => {}
        Some(option) if option.starts_with('-') && option.len() > 1 => match signal_number(&option[1..]) {
            Some(number) => {
                signal = number;
                rest = &rest[1..];
            }
            None => return TOOL.usage_error(format_args!("{}: invalid signal", &option[1..])),
        },
        _ => {}
    }
    if rest.first().is_some_and(|a| a == "--") {
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return TOOL.usage_error("no process ID given");
    }
    let mut status = SUCCESS;
    for target in rest {
        let Ok(pid) = target.parse::<i32>() else {
            TOOL.fail(format_args!("{target}: not a process ID"));
            status = FAILURE;
            continue;
        };
        if let Err(err) = sys::send_signal(pid, signal) {
            TOOL.error(pid, &err);
            status = FAILURE;
        }
    }
    status
}

/// `kill -l`: all the names, or the translation of each SIGNAL.
fn list(signals: &[String]) -> i32 {
    let mut text = String::new();
    let mut status = SUCCESS;
    if signals.is_empty() {
        for (i, name) in SIGNALS.iter().enumerate() {
            text.push_str(&format!("{:>2}) {name}\n", i + 1));
        }
    }
    for signal in signals {
        let translated = match signal.parse::<i32>() {
            // A shell reports death by signal N as status 128 + N.
            Ok(number) => signal_name(if number > 128 { number - 128 } else { number }).map(str::to_string),
            Err(_) => signal_number(signal).map(|n| n.to_string()),
        };
        match translated {
            Some(answer) => text.push_str(&format!("{answer}\n")),
            None => {
                TOOL.fail(format_args!("{signal}: invalid signal"));
                status = FAILURE;
            }
        }
    }
    let mut out = stdout();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_and_number() {
        assert_eq!(signal_number("9"), Some(9));
        assert_eq!(signal_number("0"), Some(0));
        assert_eq!(signal_number("KILL"), Some(9));
        assert_eq!(signal_number("sigterm"), Some(15));
        assert_eq!(signal_number("SIGUSR1"), Some(10));
        assert_eq!(signal_number("SYS"), Some(31));
        assert_eq!(signal_number("32"), None);
        assert_eq!(signal_number("-1"), None);
        assert_eq!(signal_number("BOGUS"), None);
        assert_eq!(signal_name(2), Some("INT"));
        assert_eq!(signal_name(0), None);
    }
}
