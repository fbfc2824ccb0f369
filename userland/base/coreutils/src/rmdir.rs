//! rmdir: remove empty directories.

use std::fs;
use std::path::Path;

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "rmdir",
    usage: "Usage: rmdir [-p] DIRECTORY...
Remove each DIRECTORY, which must be empty.

  -p  remove the parents named in DIRECTORY too (rmdir -p a/b/c: a/b/c, a/b, a)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "p") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if opts.operands.is_empty() {
        return TOOL.usage_error("missing operand");
    }
    let mut status = SUCCESS;
    for dir in &opts.operands {
        let mut path = Path::new(dir);
        loop {
            if let Err(err) = fs::remove_dir(path) {
                TOOL.error(path.display(), &err);
                status = FAILURE;
                break;
            }
            match path.parent() {
                Some(parent) if opts.has('p') && !parent.as_os_str().is_empty() => path = parent,
                _ => break,
            }
        }
    }
    status
}
