//! stat: show what the system knows about files.

use std::fs::{self, Metadata};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

use crate::common::{FAILURE, SUCCESS, Tool, stdout};
use crate::date::DateTime;
use crate::ls::mode_string;

const TOOL: Tool = Tool {
    name: "stat",
    usage: "Usage: stat [-L] FILE...
Show each FILE's name, size, blocks, type, device, inode, links, mode,
owner, group and times (UTC). A symbolic link is shown itself.

  -L  follow symbolic links
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "L") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if opts.operands.is_empty() {
        return TOOL.usage_error("missing operand");
    }
    let mut out = stdout();
    let mut status = SUCCESS;
    for path in &opts.operands {
        let meta = if opts.has('L') { fs::metadata(path) } else { fs::symlink_metadata(path) };
        let meta = match meta {
            Ok(meta) => meta,
            Err(err) => {
                let _ = out.flush();
                TOOL.error(path, &err);
                status = FAILURE;
                continue;
            }
        };
        let target = meta.file_type().is_symlink().then(|| fs::read_link(path).ok()).flatten();
        let name = match target {
            Some(target) => format!("{path} -> {}", target.display()),
            None => path.clone(),
        };
        if let Err(err) = out.write_all(describe(&name, &meta).as_bytes()) {
            return TOOL.write_error(&err);
        }
    }
    match out.flush() {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

/// The report for one file, laid out as GNU stat's.
fn describe(name: &str, meta: &Metadata) -> String {
    let time =
        |seconds: i64, nanos: i64| DateTime::from_timestamp(seconds, nanos as u32).format("%Y-%m-%d %H:%M:%S.%N %z");
    format!(
        "  File: {name}
  Size: {:<15} Blocks: {:<10} IO Block: {:<6} {}
Device: {:x}h/{}d\tInode: {:<11} Links: {}
Access: ({:04o}/{})  Uid: ({:>5})   Gid: ({:>5})
Access: {}
Modify: {}
Change: {}
",
        meta.size(),
        meta.blocks(),
        meta.blksize(),
        kind(meta),
        meta.dev(),
        meta.dev(),
        meta.ino(),
        meta.nlink(),
        meta.mode() & 0o7777,
        mode_string(meta.mode()),
        meta.uid(),
        meta.gid(),
        time(meta.atime(), meta.atime_nsec()),
        time(meta.mtime(), meta.mtime_nsec()),
        time(meta.ctime(), meta.ctime_nsec()),
    )
}

fn kind(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        "directory"
    } else if kind.is_symlink() {
        "symbolic link"
    } else if kind.is_char_device() {
        "character special file"
    } else if kind.is_block_device() {
        "block special file"
    } else if kind.is_fifo() {
        "fifo"
    } else if kind.is_socket() {
        "socket"
    } else if meta.len() == 0 {
        "regular empty file"
    } else {
        "regular file"
    }
}
