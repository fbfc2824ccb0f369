//! mkdir: make directories.

use std::fs;

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "mkdir",
    usage: "Usage: mkdir [-p] DIRECTORY...
Create each DIRECTORY.

  -p  create missing parent directories too; an existing directory is fine
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
        let made = if opts.has('p') { fs::create_dir_all(dir) } else { fs::create_dir(dir) };
        if let Err(err) = made {
            TOOL.error(dir, &err);
            status = FAILURE;
        }
    }
    status
}
