//! cat: concatenate files to standard output.

use std::io;

use crate::common::{CopyError, FAILURE, SUCCESS, Tool, copy, input_name, inputs, open_input};

const TOOL: Tool = Tool {
    name: "cat",
    usage: "Usage: cat [-u] [FILE]...
Copy each FILE (standard input for '-' or none) to standard output.

  -u  unbuffered (output is always written as soon as it is read)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "u") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let mut out = io::stdout().lock();
    let mut status = SUCCESS;
    for path in inputs(&opts.operands) {
        let copied = match open_input(path) {
            Ok(mut input) => copy(&mut input, &mut out, u64::MAX),
            Err(err) => Err(CopyError::Read(err)),
        };
        match copied {
            Ok(()) => {}
            Err(CopyError::Read(err)) => {
                TOOL.error(input_name(path), &err);
                status = FAILURE;
            }
            Err(CopyError::Write(err)) => return TOOL.write_error(&err),
        }
    }
    status
}
