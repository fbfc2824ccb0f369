//! mount: list the mounted file systems, or mount one.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};
use crate::sys;

const TOOL: Tool = Tool {
    name: "mount",
    usage: "Usage: mount
  or:  mount -t TYPE [-o OPTIONS] SOURCE DIRECTORY
List the mounted file systems (from /proc/mounts), or mount SOURCE, a file
system of type TYPE, on DIRECTORY.

  -t TYPE     the file system type (tmpfs, proc, vfat...)
  -o OPTIONS  comma-separated: ro for read-only; the others are given to
              the file system
",
    usage_status: FAILURE,
};

const MOUNTS: &str = "/proc/mounts";

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "o:t:") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    match (opts.operands.as_slice(), opts.value('t')) {
        ([], None) => list(),
        ([source, target], Some(fstype)) => {
            let (flags, data) = split_options(opts.value('o').unwrap_or(""));
            match sys::mount_fs(source, Path::new(target), fstype, flags, &data) {
                Ok(()) => SUCCESS,
                Err(err) => {
                    TOOL.error(target, &err);
                    FAILURE
                }
            }
        }
        ([_, _], None) => TOOL.usage_error("the file system type (-t) is needed"),
        _ => TOOL.usage_error("give no operands, or SOURCE and DIRECTORY"),
    }
}

/// Lists /proc/mounts as `SOURCE on TARGET type TYPE (OPTIONS)`.
fn list() -> i32 {
    let text = match fs::read_to_string(MOUNTS) {
        Ok(text) => text,
        Err(err) => {
            TOOL.fail(format_args!("{MOUNTS}: {} (is /proc mounted?)", crate::common::reason(&err)));
            return FAILURE;
        }
    };
    let mut listing = String::new();
    for line in text.lines() {
        if let [source, target, fstype, options, ..] = line.split_whitespace().collect::<Vec<_>>()[..] {
            listing.push_str(&format!("{source} on {target} type {fstype} ({options})\n"));
        }
    }
    let mut out = stdout();
    match out.write_all(listing.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}

/// Separates the options that are mount flags from those for the file
/// system itself.
fn split_options(options: &str) -> (u64, String) {
    let mut flags = 0;
    let mut data = Vec::new();
    for option in options.split(',').filter(|o| !o.is_empty()) {
        match option {
            "ro" => flags |= sys::MS_RDONLY,
            "rw" => flags &= !sys::MS_RDONLY,
            other => data.push(other),
        }
    }
    (flags, data.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        assert_eq!(split_options(""), (0, String::new()));
        assert_eq!(split_options("ro,size=1m,mode=755"), (sys::MS_RDONLY, "size=1m,mode=755".to_string()));
        assert_eq!(split_options("ro,rw"), (0, String::new()));
    }
}
