//! sync: write cached file data to the disks.

use crate::common::{FAILURE, SUCCESS, Tool};
use crate::sys;

const TOOL: Tool = Tool {
    name: "sync",
    usage: "Usage: sync
Write all data the file systems hold in memory to their disks.
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if let Some(extra) = opts.operands.first() {
        return TOOL.usage_error(format_args!("extra operand '{extra}'"));
    }
    sys::sync_all();
    SUCCESS
}
