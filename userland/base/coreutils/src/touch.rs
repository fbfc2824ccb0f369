//! touch: set files' times to now, creating the files that do not exist.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::sys;

const TOOL: Tool = Tool {
    name: "touch",
    usage: "Usage: touch [-c] FILE...
Set the access and modification times of each FILE to now; create the
FILEs that do not exist as empty files.

  -c  do not create files
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "c") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if opts.operands.is_empty() {
        return TOOL.usage_error("missing file operand");
    }
    let mut status = SUCCESS;
    for file in &opts.operands {
        // utimensat works on directories and read-only files alike, which
        // opening the file to set its times would not.
        let touched = match sys::touch_now(Path::new(file)) {
            Err(err) if err.kind() == io::ErrorKind::NotFound && opts.has('c') => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                OpenOptions::new().write(true).create(true).truncate(false).open(file).map(drop)
            }
            other => other,
        };
        if let Err(err) = touched {
            TOOL.error(file, &err);
            status = FAILURE;
        }
    }
    status
}
