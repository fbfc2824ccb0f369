//! pwd: print the working directory.

use std::env;
use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};

const TOOL: Tool = Tool {
    name: "pwd",
    usage: "Usage: pwd [-LP]
Print the absolute name of the working directory.

  -L  the name in $PWD, symbolic links kept, if it names this directory
  -P  the name with no symbolic links (the default)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "LP") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if let Some(extra) = opts.operands.first() {
        return TOOL.usage_error(format_args!("extra operand '{extra}'"));
    }
    let logical = opts.last_of("LP") == Some('L');
    let logical_name = env::var("PWD").ok().filter(|pwd| logical && names_current_dir(pwd));
    let name = match logical_name {
        Some(pwd) => pwd,
        None => match env::current_dir() {
            Ok(dir) => dir.to_string_lossy().into_owned(),
            Err(err) => {
                TOOL.error(".", &err);
                return FAILURE;
            }
        },
    };
    let mut out = stdout();
    match writeln!(out, "{name}").and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}

/// Whether `$PWD` is an absolute name without . or .. that leads to the
/// working directory (it goes stale when a shell did not set it).
fn names_current_dir(pwd: &str) -> bool {
    let clean = pwd.starts_with('/') && !pwd.split('/').any(|part| part == "." || part == "..");
    let (Ok(named), Ok(current)) = (fs::metadata(pwd), fs::metadata(".")) else { return false };
    clean && named.dev() == current.dev() && named.ino() == current.ino()
}
