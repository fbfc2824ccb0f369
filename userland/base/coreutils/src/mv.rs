//! mv: move or rename files. Across file systems, where rename(2) cannot
//! go, it copies and then removes.

use std::fs;

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::{cp, rm, sys};

const TOOL: Tool = Tool {
    name: "mv",
    usage: "Usage: mv [-f] SOURCE DEST
  or:  mv [-f] SOURCE... DIRECTORY
Rename SOURCE to DEST, or move each SOURCE into DIRECTORY.

  -f  do not ask before overwriting (mv never asks)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "f") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let pairs = match cp::targets(&TOOL, &opts.operands) {
        Ok(pairs) => pairs,
        Err(status) => return status,
    };
    let mut status = SUCCESS;
    for (source, target) in pairs {
        let moved = match fs::rename(&source, &target) {
            Ok(()) => true,
            Err(err) if err.raw_os_error() == Some(sys::EXDEV) => {
                cp::copy_path(&source, &target, true, &TOOL) && rm::remove_tree(&source, &TOOL)
            }
            Err(err) => {
                TOOL.error(source.display(), &err);
                false
            }
        };
        if !moved {
            status = FAILURE;
        }
    }
    status
}
