//! sleep: wait for a while.

use std::thread;
use std::time::Duration;

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "sleep",
    usage: "Usage: sleep NUMBER[SUFFIX]...
Wait for the sum of the NUMBERs of seconds. NUMBERs may have fractions
(0.5); SUFFIX is s (seconds, the default), m (minutes), h (hours) or d (days).
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if opts.operands.is_empty() {
        return TOOL.usage_error("missing operand");
    }
    let mut total = Duration::ZERO;
    for operand in &opts.operands {
        match parse_interval(operand) {
            Some(interval) => total = total.saturating_add(interval),
            None => return TOOL.usage_error(format_args!("invalid time interval '{operand}'")),
        }
    }
    thread::sleep(total);
    SUCCESS
}

fn parse_interval(text: &str) -> Option<Duration> {
    let (number, scale) = match text.char_indices().last()? {
        (at, 's') => (&text[..at], 1.0),
        (at, 'm') => (&text[..at], 60.0),
        (at, 'h') => (&text[..at], 3600.0),
        (at, 'd') => (&text[..at], 86_400.0),
        _ => (text, 1.0),
    };
    // Plain decimal numbers only: Rust would also take "inf" and "1e3".
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let seconds: f64 = number.parse().ok()?;
    // Longer than Duration holds is as good as forever.
    Some(Duration::try_from_secs_f64(seconds * scale).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_interval("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(parse_interval(".5s"), Some(Duration::from_millis(500)));
        assert_eq!(parse_interval("1.5m"), Some(Duration::from_secs(90)));
        assert_eq!(parse_interval("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_interval("1d"), Some(Duration::from_secs(86_400)));
        for bad in ["", "x", "-1", "1x", "inf", "1e3", "s", "1..2"] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
    }
}
