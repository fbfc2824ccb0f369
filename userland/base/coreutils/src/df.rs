//! df: free and used space of mounted file systems.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::{FAILURE, SUCCESS, Tool, human_size, stdout};
use crate::sys;

const TOOL: Tool = Tool {
    name: "df",
    usage: "Usage: df [-hk] [FILE]...
Show the size, used and available space, in KiB, of the file system that
holds each FILE, or of every mounted file system (those in /proc/mounts;
/ alone when there is no /proc).

  -h  sizes like 4.0K, 12M, 1.5G
  -k  sizes in KiB (the default)
",
    usage_status: FAILURE,
};

/// A mounted file system: what is mounted, and where.
#[derive(Debug, PartialEq)]
struct Mount {
    source: String,
    target: String,
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "hk") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let human = opts.last_of("hk") == Some('h');
    let mounts = fs::read_to_string("/proc/mounts").map(|text| parse_mounts(&text)).ok();
    // Each file system to show, with the operand that named it.
    let shown: Vec<(Mount, Option<&str>)> = if opts.operands.is_empty() {
        let all = mounts.unwrap_or_else(|| vec![Mount { source: "-".to_string(), target: "/".to_string() }]);
        all.into_iter().map(|mount| (mount, None)).collect()
    } else {
        let known = mounts.as_deref().unwrap_or(&[]);
        opts.operands.iter().map(|path| (mount_of(path, known), Some(path.as_str()))).collect()
    };
    let mut status = SUCCESS;
    let size_header = if human { "Size" } else { "1K-blocks" };
    let mut rows = vec![["Filesystem", size_header, "Used", "Available", "Use%", "Mounted on"].map(String::from)];
    for (mount, operand) in &shown {
        let usage = match sys::fs_usage(Path::new(&mount.target)) {
            Ok(usage) => usage,
            Err(err) => {
                TOOL.error(operand.unwrap_or(&mount.target), &err);
                status = FAILURE;
                continue;
            }
        };
        // Without operands, file systems with no blocks (proc, sysfs...)
        // say nothing about space, and are left out as GNU df does.
        if operand.is_none() && usage.total == 0 {
            continue;
        }
        let size = |bytes: u64| if human { human_size(bytes) } else { bytes.div_ceil(1024).to_string() };
        let used = usage.total.saturating_sub(usage.free);
        rows.push([
            mount.source.clone(),
            size(usage.total),
            size(used),
            size(usage.available),
            use_percent(used, usage.available),
            mount.target.clone(),
        ]);
    }
    let mut out = stdout();
    match out.write_all(format_table(&rows).as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

/// The mounts listed in /proc/mounts (`source target type options 0 0`,
/// with blanks in names written as octal escapes like `\040`).
fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            Some(Mount { source: unescape(fields.next()?), target: unescape(fields.next()?) })
        })
        .collect()
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).filter(|d| bytes[i] == b'\\' && d.iter().all(|b| matches!(b, b'0'..=b'7')));
        match octal {
            Some(digits) => {
                out.push(digits.iter().fold(0u8, |v, d| v.wrapping_mul(8).wrapping_add(d - b'0')));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount that holds `path`: the one with the longest mount point
/// above it. Without a mount table, `path` stands for itself.
fn mount_of(path: &str, mounts: &[Mount]) -> Mount {
    let full = fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
    mounts
        .iter()
        .filter(|m| full.starts_with(&m.target))
        .max_by_key(|m| m.target.len())
        .map(|m| Mount { source: m.source.clone(), target: m.target.clone() })
        .unwrap_or_else(|| Mount { source: "-".to_string(), target: path.to_string() })
}

/// The share of the space a user may have that is used, rounded up.
fn use_percent(used: u64, available: u64) -> String {
    let usable = used + available;
    if usable == 0 { "-".to_string() } else { format!("{}%", (used * 100).div_ceil(usable)) }
}

/// Columns as wide as their widest cell: names left-aligned, numbers
/// right-aligned.
fn format_table(rows: &[[String; 6]]) -> String {
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0)).collect();
    let mut text = String::new();
    for row in rows {
        let line = format!(
            "{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4]
        );
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_table() {
        let mounts = parse_mounts("/dev/sda2 / ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\nx /my\\040disk vfat rw 0 0\n");
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[2].target, "/my disk");
        assert_eq!(mount_of("/tmp", &mounts).source, "tmpfs");
        assert_eq!(mount_of("/", &mounts).source, "/dev/sda2");
        assert_eq!(mount_of("relative/nowhere", &[]).target, "relative/nowhere");
    }

    #[test]
    fn percentages() {
        assert_eq!(use_percent(0, 0), "-");
        assert_eq!(use_percent(1, 99), "1%");
        assert_eq!(use_percent(1, 199), "1%");
        assert_eq!(use_percent(50, 50), "50%");
    }

    #[test]
    fn table() {
        let rows = [
            ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted on"].map(String::from),
            ["tmpfs", "1024", "12", "1012", "2%", "/tmp"].map(String::from),
        ];
        assert_eq!(
            format_table(&rows),
            "Filesystem 1K-blocks Used Available Use% Mounted on\ntmpfs           1024   12      1012   2% /tmp\n"
        );
    }
}
