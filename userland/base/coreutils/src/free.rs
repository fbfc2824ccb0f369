//! free: memory in use and free, from /proc/meminfo.

use std::collections::HashMap;
use std::fs;
use std::io::Write;

use crate::common::{FAILURE, SUCCESS, Tool, human_size, stdout};

const TOOL: Tool = Tool {
    name: "free",
    usage: "Usage: free [-hkm]
Show the total, used, free, shared, buffer/cache and available memory and
swap, from /proc/meminfo. Used is what is not available.

  -k  in KiB (the default)
  -m  in MiB
  -h  like 1.5G
",
    usage_status: FAILURE,
};

const MEMINFO: &str = "/proc/meminfo";

#[derive(Clone, Copy)]
enum Unit {
    Kib,
    Mib,
    Human,
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "hkm") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if let Some(extra) = opts.operands.first() {
        return TOOL.usage_error(format_args!("extra operand '{extra}'"));
    }
    let unit = match opts.last_of("hkm") {
        Some('h') => Unit::Human,
        Some('m') => Unit::Mib,
        _ => Unit::Kib,
    };
    let text = match fs::read_to_string(MEMINFO) {
        Ok(text) => text,
        Err(err) => {
            TOOL.error(MEMINFO, &err);
            return FAILURE;
        }
    };
    let Some(report) = report(&parse_meminfo(&text), unit) else {
        TOOL.fail(format_args!("{MEMINFO}: no MemTotal line"));
        return FAILURE;
    };
    let mut out = stdout();
    match out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}

/// `Name:   1234 kB` lines, as KiB by name.
fn parse_meminfo(text: &str) -> HashMap<&str, u64> {
    text.lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            Some((name.trim(), rest.split_whitespace().next()?.parse().ok()?))
        })
        .collect()
}

fn report(info: &HashMap<&str, u64>, unit: Unit) -> Option<String> {
    let kib = |name: &str| info.get(name).copied().unwrap_or(0);
    let total = *info.get("MemTotal")?;
    let buff_cache = kib("Buffers") + kib("Cached") + kib("SReclaimable");
    // Older kernels and small systems may not say what is available.
    let available = info.get("MemAvailable").copied().unwrap_or(kib("MemFree") + buff_cache).min(total);
    let show = |value: u64| match unit {
        Unit::Kib => value.to_string(),
        Unit::Mib => (value / 1024).to_string(),
        Unit::Human => human_size(value * 1024),
    };
    let mem = [total, total - available, kib("MemFree"), kib("Shmem"), buff_cache, available].map(show);
    let swap_total = kib("SwapTotal");
    let swap = [swap_total, swap_total.saturating_sub(kib("SwapFree")), kib("SwapFree")].map(show);
    let header = ["total", "used", "free", "shared", "buff/cache", "available"];
    let columns = |label: &str, values: &[String]| {
        let cells: String = values.iter().map(|v| format!("{v:>12}")).collect();
        format!("{label:<5}{cells}\n")
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    Some(columns("", &header) + &columns("Mem:", &mem) + &columns("Swap:", &swap))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO_TEXT: &str = "MemTotal:       16000 kB\nMemFree:         4000 kB\nMemAvailable:   10000 kB\n\
        Buffers:          100 kB\nCached:          5000 kB\nShmem:             50 kB\nSwapTotal:          0 kB\n";

    #[test]
    fn kib_report() {
        let info = parse_meminfo(MEMINFO_TEXT);
        assert_eq!(info["MemTotal"], 16000);
        let text = report(&info, Unit::Kib).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "            total        used        free      shared  buff/cache   available");
        assert_eq!(lines[1], "Mem:        16000        6000        4000          50        5100       10000");
        assert_eq!(lines[2], "Swap:           0           0           0");
    }

    #[test]
    fn other_units() {
        let info = parse_meminfo("MemTotal: 2097152 kB\nMemFree: 1048576 kB\n");
        let text = report(&info, Unit::Mib).unwrap();
        assert!(text.lines().nth(1).unwrap().starts_with("Mem:         2048        1024        1024"), "{text}");
        let text = report(&info, Unit::Human).unwrap();
        assert!(text.lines().nth(1).unwrap().starts_with("Mem:         2.0G        1.0G        1.0G"), "{text}");
        assert!(report(&parse_meminfo("MemFree: 1 kB\n"), Unit::Kib).is_none());
    }
}
