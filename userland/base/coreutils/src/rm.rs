//! rm: remove files and directory trees. Its tree removal also serves mv
//! across file systems.

use std::fs;
use std::io;
use std::path::Path;

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::sys;

const TOOL: Tool = Tool {
    name: "rm",
    usage: "Usage: rm [-fr] FILE...
Remove each FILE. Directories need -r.

  -f  ignore missing files, never complain about them
  -r  remove directories and everything in them (-R is the same)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "frR") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let (force, recursive) = (opts.has('f'), opts.has('r') || opts.has('R'));
    if opts.operands.is_empty() {
        return if force { SUCCESS } else { TOOL.usage_error("missing operand") };
    }
    let mut status = SUCCESS;
    for operand in &opts.operands {
        let path = Path::new(operand);
        if refused(operand) {
            TOOL.fail(format_args!("{operand}: refusing to remove '.', '..' or '/'"));
            status = FAILURE;
            continue;
        }
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(err) if force && err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => {
                TOOL.error(operand, &err);
                status = FAILURE;
                continue;
            }
        };
        let removed = if !meta.is_dir() {
            fs::remove_file(path).map_err(|err| TOOL.error(operand, &err)).is_ok()
        } else if recursive {
            remove_tree(path, &TOOL)
        } else {
            TOOL.error(operand, &io::Error::from_raw_os_error(sys::EISDIR));
            false
        };
        if !removed {
            status = FAILURE;
        }
    }
    status
}

/// Whether the operand names `.`, `..` (which POSIX forbids removing) or
/// `/` (which is never what was meant).
fn refused(operand: &str) -> bool {
    let last = operand.trim_end_matches('/').rsplit('/').next();
    matches!(last, Some("" | "." | ".."))
}

/// Removes `path` and, for a directory, everything under it, without
/// following symbolic links. Goes on past failures, reporting each as
/// `tool`; returns whether everything went.
pub fn remove_tree(path: &Path, tool: &Tool) -> bool {
    let is_dir = match fs::symlink_metadata(path) {
        Ok(meta) => meta.is_dir(),
        Err(err) => {
            tool.error(path.display(), &err);
            return false;
        }
    };
    if !is_dir {
        return fs::remove_file(path).map_err(|err| tool.error(path.display(), &err)).is_ok();
    }
    let mut complete = true;
    match fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries {
                match entry {
                    Ok(entry) => complete &= remove_tree(&entry.path(), tool),
                    Err(err) => {
                        tool.error(path.display(), &err);
                        complete = false;
                    }
                }
            }
        }
        Err(err) => {
            tool.error(path.display(), &err);
            return false;
        }
    }
    // A directory with something left in it cannot go; that something has
    // been reported already.
    complete && fs::remove_dir(path).map_err(|err| tool.error(path.display(), &err)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dot_dotdot_and_root() {
        for operand in [".", "..", "/", "//", "./", "a/.", "a/..", "../", "/a/../"] {
            assert!(refused(operand), "{operand}");
        }
        for operand in ["a", "a/b", ".a", "..a", "/a", "a./"] {
            assert!(!refused(operand), "{operand}");
        }
    }
}
