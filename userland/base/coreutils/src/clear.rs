//! clear: clear the terminal screen.

use std::io::{self, Write};

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "clear",
    usage: "Usage: clear
Clear the terminal screen and put the cursor at its top left corner.
",
    usage_status: FAILURE,
};

/// ANSI: cursor home, then erase the whole screen; every terminal Tern
/// meets (the serial console's, the VGA console) understands both.
const CLEAR_SCREEN: &[u8] = b"\x1b[H\x1b[2J";

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if let Some(extra) = opts.operands.first() {
        return TOOL.usage_error(format_args!("extra operand '{extra}'"));
    }
    let mut out = io::stdout().lock();
    match out.write_all(CLEAR_SCREEN).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}
