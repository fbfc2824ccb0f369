//! uname: print the system's names.

use std::io::Write;

use crate::common::{FAILURE, SUCCESS, Tool, stdout};
use crate::sys;

const TOOL: Tool = Tool {
    name: "uname",
    usage: "Usage: uname [-amnrsv]
Print the system's names (the kernel's name by default).

  -a  all of them, in the order below
  -s  the kernel's name
  -n  the machine's network name
  -r  the kernel's release
  -v  the kernel's version
  -m  the machine's hardware
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "amnrsv") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if let Some(extra) = opts.operands.first() {
        return TOOL.usage_error(format_args!("extra operand '{extra}'"));
    }
    let names = match sys::system_names() {
        Ok(names) => names,
        Err(err) => {
            TOOL.fail(format_args!("cannot get the system's names: {}", crate::common::reason(&err)));
            return FAILURE;
        }
    };
    let all = opts.has('a');
    let fields = [
        ('s', &names.sysname),
        ('n', &names.nodename),
        ('r', &names.release),
        ('v', &names.version),
        ('m', &names.machine),
    ];
    let mut chosen: Vec<&str> =
        fields.iter().filter(|(letter, _)| all || opts.has(*letter)).map(|(_, value)| value.as_str()).collect();
    if chosen.is_empty() {
        chosen.push(&names.sysname);
    }
    let mut out = stdout();
    match writeln!(out, "{}", chosen.join(" ")).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}
