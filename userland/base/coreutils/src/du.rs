//! du: disk space used by files and directory trees.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;

use crate::common::{FAILURE, SUCCESS, Tool, human_size, join_path, stdout};

const TOOL: Tool = Tool {
    name: "du",
    usage: "Usage: du [-hks] [FILE]...
Print the disk space used by each FILE (the current directory by default)
and by each directory below it, in KiB. Symbolic links are not followed;
a file with several links counts once.

  -h  sizes like 4.0K, 12M, 1.5G
  -k  sizes in KiB (the default)
  -s  only the total of each FILE
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "hks") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let mut usage = Usage {
        human: opts.last_of("hk") == Some('h'),
        summary: opts.has('s'),
        seen: HashSet::new(),
        out: stdout(),
        failed: false,
    };
    let default_path = [".".to_string()];
    let paths = if opts.operands.is_empty() { &default_path[..] } else { &opts.operands[..] };
    for path in paths {
        let total = match usage.walk(path, true) {
            Ok(total) => total,
            Err(err) => return TOOL.write_error(&err),
        };
        if usage.summary
            && let Err(err) = usage.print(total, path)
        {
            return TOOL.write_error(&err);
        }
    }
    if let Err(err) = usage.out.flush() {
        return TOOL.write_error(&err);
    }
    if usage.failed { FAILURE } else { SUCCESS }
}

struct Usage<W: Write> {
    human: bool,
    summary: bool,
    /// (device, inode) of the files with several links already counted.
    seen: HashSet<(u64, u64)>,
    out: W,
    failed: bool,
}

impl<W: Write> Usage<W> {
    /// The bytes used under `path`, printing each directory's (and an
    /// operand's, directory or not) unless -s. `Err` is a write error;
    /// unreadable files are reported and skipped.
    fn walk(&mut self, path: &str, operand: bool) -> io::Result<u64> {
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(err) => return self.report(path, &err),
        };
        if meta.nlink() > 1 && !meta.is_dir() && !self.seen.insert((meta.dev(), meta.ino())) {
            return Ok(0);
        }
        let mut total = meta.blocks() * 512;
        if meta.is_dir() {
            total += self.walk_dir(path)?;
        }
        if !self.summary && (meta.is_dir() || operand) {
            self.print(total, path)?;
        }
        Ok(total)
    }

    /// The bytes used by what is in directory `path`.
    fn walk_dir(&mut self, path: &str) -> io::Result<u64> {
        let mut total = 0;
        match fs::read_dir(path) {
            Ok(entries) => {
                for entry in entries {
                    match entry {
                        Ok(entry) => total += self.walk(&join_path(path, &entry.file_name()), false)?,
                        Err(err) => {
                            self.report(path, &err)?;
                        }
                    }
                }
            }
            Err(err) => {
                self.report(path, &err)?;
            }
        }
        Ok(total)
    }

    fn print(&mut self, bytes: u64, path: &str) -> io::Result<()> {
        writeln!(self.out, "{}\t{path}", format_size(bytes, self.human))
    }

    fn report(&mut self, path: &str, err: &io::Error) -> io::Result<u64> {
        self.out.flush()?;
        TOOL.error(path, err);
        self.failed = true;
        Ok(0)
    }
}

/// KiB rounded up, or the human form.
fn format_size(bytes: u64, human: bool) -> String {
    if human { human_size(bytes) } else { bytes.div_ceil(1024).to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(format_size(0, false), "0");
        assert_eq!(format_size(4096, false), "4");
        assert_eq!(format_size(4097, false), "5");
        assert_eq!(format_size(4096, true), "4.0K");
    }
}
