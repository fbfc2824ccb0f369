//! ls: list directory contents. One name a line: the console is a serial
//! line and scripts read ls a name at a time, so there are no columns.

use std::fs::{self, Metadata};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::common::{FAILURE, SUCCESS, Tool, USAGE, stdout};
use crate::date::DateTime;

const TOOL: Tool = Tool {
    name: "ls",
    usage: "Usage: ls [-1adl] [FILE]...
List the files in each directory FILE (the current directory by default),
sorted by name, one a line.

  -1  one name a line (always the case)
  -a  include names that start with '.', and . and ..
  -d  list directories themselves, not their contents
  -l  long format: mode, links, owner, group, size, time, name, link target

Exit status: 0 if OK, 1 if a directory could not be listed, 2 if a FILE
could not be reached.
",
    usage_status: USAGE,
};

/// ls's statuses: a problem while listing, and an operand that cannot be
/// reached (GNU's "serious trouble").
const MINOR: i32 = FAILURE;
const SERIOUS: i32 = USAGE;

/// A file as listed: the name shown, where it is, what it is.
struct Entry {
    name: String,
    path: PathBuf,
    meta: Metadata,
}

/// Entries that could not be examined, with why.
type Failures = Vec<(PathBuf, io::Error)>;

struct Listing {
    long: bool,
    all: bool,
    now: i64,
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "1adl") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let listing = Listing {
        long: opts.has('l'),
        all: opts.has('a'),
        now: DateTime::from_system_time(SystemTime::now()).timestamp,
    };
    let operands = if opts.operands.is_empty() { vec![".".to_string()] } else { opts.operands.clone() };
    let mut out = stdout();
    match listing.list(&mut out, &operands, opts.has('d')) {
        Ok(status) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

impl Listing {
    /// Lists the operands: files first, then each directory's contents.
    /// `Err` is a write error; other problems are reported and give the status.
    fn list(&self, out: &mut dyn Write, operands: &[String], directories_as_files: bool) -> io::Result<i32> {
        let mut status = SUCCESS;
        let (mut files, mut dirs) = (Vec::new(), Vec::new());
        for operand in operands {
            // A symbolic link to a directory named on the command line lists
            // the directory, unless -l or -d asks about the link itself.
            let meta = if self.long || directories_as_files {
                fs::symlink_metadata(operand)
            } else {
                fs::metadata(operand).or_else(|_| fs::symlink_metadata(operand))
            };
            match meta {
                Ok(meta) => {
                    let entry = Entry { name: operand.clone(), path: operand.into(), meta };
                    if entry.meta.is_dir() && !directories_as_files { dirs.push(entry) } else { files.push(entry) }
                }
                Err(err) => {
                    TOOL.error(operand, &err);
                    status = SERIOUS;
                }
            }
        }
        sort_by_name(&mut files);
        sort_by_name(&mut dirs);
        self.write_entries(out, &files)?;
        for (i, dir) in dirs.iter().enumerate() {
            if i > 0 || !files.is_empty() {
                writeln!(out)?;
            }
            if operands.len() > 1 {
                writeln!(out, "{}:", dir.name)?;
            }
            match self.read_dir(&dir.path) {
                Ok((entries, failures)) => {
                    if !failures.is_empty() {
                        out.flush()?;
                        for (path, err) in &failures {
                            TOOL.error(path.display(), err);
                        }
                        status = status.max(MINOR);
                    }
                    if self.long {
                        let blocks: u64 = entries.iter().map(|e| e.meta.blocks()).sum();
                        writeln!(out, "total {}", (blocks * 512).div_ceil(1024))?;
                    }
                    self.write_entries(out, &entries)?;
                }
                Err(err) => {
                    out.flush()?;
                    TOOL.error(&dir.name, &err);
                    status = status.max(SERIOUS);
                }
            }
        }
        out.flush()?;
        Ok(status)
    }

    /// The entries of a directory, sorted, and those that vanished or
    /// could not be examined.
    fn read_dir(&self, dir: &Path) -> io::Result<(Vec<Entry>, Failures)> {
        let (mut entries, mut failures) = (Vec::new(), Vec::new());
        if self.all {
            for name in [".", ".."] {
                let path = dir.join(name);
                entries.push(Entry { name: name.to_string(), meta: fs::symlink_metadata(&path)?, path });
            }
        }
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && !self.all {
                continue;
            }
            match entry.metadata() {
                Ok(meta) => entries.push(Entry { name, path: entry.path(), meta }),
                Err(err) => failures.push((entry.path(), err)),
            }
        }
        sort_by_name(&mut entries);
        Ok((entries, failures))
    }

    fn write_entries(&self, out: &mut dyn Write, entries: &[Entry]) -> io::Result<()> {
        if self.long {
            let infos: Vec<LongInfo> = entries.iter().map(long_info).collect();
            for line in format_long(&infos, self.now) {
                writeln!(out, "{line}")?;
            }
        } else {
            for entry in entries {
                writeln!(out, "{}", entry.name)?;
            }
        }
        Ok(())
    }
}

/// Byte order, as ls sorts in the C locale.
fn sort_by_name(entries: &mut [Entry]) {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
}

/// What one `ls -l` line shows, taken out of the metadata so that the
/// formatting can be tested.
struct LongInfo {
    mode: u32,
    links: u64,
    uid: u32,
    gid: u32,
    /// The size, or `major, minor` for a device.
    size: String,
    mtime: i64,
    name: String,
    /// Where a symbolic link points.
    target: Option<String>,
}

fn long_info(entry: &Entry) -> LongInfo {
    let meta = &entry.meta;
    let kind = meta.file_type();
    let size = if kind.is_char_device() || kind.is_block_device() {
        let (major, minor) = device_numbers(meta.rdev());
        format!("{major}, {minor}")
    } else {
        meta.len().to_string()
    };
    let target = kind.is_symlink().then(|| match fs::read_link(&entry.path) {
        Ok(target) => target.to_string_lossy().into_owned(),
        Err(_) => "?".to_string(),
    });
    LongInfo {
        mode: meta.mode(),
        links: meta.nlink(),
        uid: meta.uid(),
        gid: meta.gid(),
        size,
        mtime: meta.mtime(),
        name: entry.name.clone(),
        target,
    }
}

/// Lines in columns as wide as their widest value: numbers right-aligned.
fn format_long(infos: &[LongInfo], now: i64) -> Vec<String> {
    let width = |f: &dyn Fn(&LongInfo) -> String| infos.iter().map(|i| f(i).len()).max().unwrap_or(0);
    let links = width(&|i| i.links.to_string());
    let uid = width(&|i| i.uid.to_string());
    let gid = width(&|i| i.gid.to_string());
    let size = width(&|i| i.size.clone());
    infos
        .iter()
        .map(|i| {
            let mut line = format!(
                "{} {:>links$} {:>uid$} {:>gid$} {:>size$} {} {}",
                mode_string(i.mode),
                i.links,
                i.uid,
                i.gid,
                i.size,
                mtime_text(i.mtime, now),
                i.name
            );
            if let Some(target) = &i.target {
                line.push_str(" -> ");
                line.push_str(target);
            }
            line
        })
        .collect()
}

/// `drwxr-xr-x`: the file type, then read/write/execute for owner, group
/// and others, with the set-id and sticky bits in the execute places.
pub fn mode_string(mode: u32) -> String {
    let kind = match mode & 0o170_000 {
        0o040_000 => 'd',
        0o120_000 => 'l',
        0o020_000 => 'c',
        0o060_000 => 'b',
        0o010_000 => 'p',
        0o140_000 => 's',
        _ => '-',
    };
    let mut text = String::from(kind);
    // (shift of the rwx bits, the special bit shown with x, its letter)
    for (shift, special, letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        text.push(if bits & 4 != 0 { 'r' } else { '-' });
        text.push(if bits & 2 != 0 { 'w' } else { '-' });
        text.push(match (bits & 1 != 0, mode & special != 0) {
            (true, true) => letter,
            (false, true) => letter.to_ascii_uppercase(),
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    text
}

/// `Dec  1 03:04` for a time in the last six months, else `Dec  1  2025`,
/// so that old files show their year.
fn mtime_text(mtime: i64, now: i64) -> String {
    const SIX_MONTHS: i64 = 31_556_952 / 2;
    let time = DateTime::from_timestamp(mtime, 0);
    if mtime <= now && now - mtime < SIX_MONTHS { time.format("%b %e %H:%M") } else { time.format("%b %e  %Y") }
}

/// The major and minor numbers in a Linux `dev_t`.
fn device_numbers(rdev: u64) -> (u64, u64) {
    let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
    let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
    (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_strings() {
        assert_eq!(mode_string(0o100_644), "-rw-r--r--");
        assert_eq!(mode_string(0o040_755), "drwxr-xr-x");
        assert_eq!(mode_string(0o120_777), "lrwxrwxrwx");
        assert_eq!(mode_string(0o020_620), "crw--w----");
        assert_eq!(mode_string(0o104_755), "-rwsr-xr-x");
        assert_eq!(mode_string(0o102_644), "-rw-r-Sr--");
        assert_eq!(mode_string(0o041_777), "drwxrwxrwt");
        assert_eq!(mode_string(0o041_776), "drwxrwxrwT");
        assert_eq!(mode_string(0o010_600), "prw-------");
    }

    #[test]
    fn recent_times_show_the_clock_old_ones_the_year() {
        let now = 1_796_094_245; // Tue Dec  1 03:04:05 2026
        assert_eq!(mtime_text(now, now), "Dec  1 03:04");
        assert_eq!(mtime_text(now - 86_400 * 100, now), "Aug 23 03:04");
        assert_eq!(mtime_text(now - 86_400 * 200, now), "May 15  2026");
        assert_eq!(mtime_text(now + 86_400, now), "Dec  2  2026");
    }

    #[test]
    fn long_lines_align_columns() {
        let now = 1_796_094_245;
        let info = |mode, links, size: &str, name: &str, target: Option<&str>| LongInfo {
            mode,
            links,
            uid: 0,
            gid: 100,
            size: size.to_string(),
            mtime: now,
            name: name.to_string(),
            target: target.map(str::to_string),
        };
        let lines = format_long(
            &[
                info(0o100_644, 1, "5", "a.txt", None),
                info(0o040_755, 12, "4096", "dir", None),
                info(0o120_777, 1, "5", "link", Some("a.txt")),
            ],
            now,
        );
        assert_eq!(
            lines,
            [
                "-rw-r--r--  1 0 100    5 Dec  1 03:04 a.txt",
                "drwxr-xr-x 12 0 100 4096 Dec  1 03:04 dir",
                "lrwxrwxrwx  1 0 100    5 Dec  1 03:04 link -> a.txt",
            ]
        );
    }

    #[test]
    fn device_numbers_of_linux_dev_t() {
        assert_eq!(device_numbers(0x0501), (5, 1));
        assert_eq!(device_numbers(0x0803), (8, 3));
    }
}
