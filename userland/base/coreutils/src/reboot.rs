//! poweroff and reboot: stop or restart the machine, through reboot(2)
//! after writing cached data to the disks. One module for the two tools:
//! they differ only in what they ask of the kernel.

use crate::common::{FAILURE, Tool};
use crate::sys::{self, Shutdown};

const POWEROFF: Tool = Tool {
    name: "poweroff",
    usage: "Usage: poweroff [-f]
Write cached data to the disks and switch the machine off.

  -f  accepted for compatibility (there is no init to ask first)
",
    usage_status: FAILURE,
};

const REBOOT: Tool = Tool {
    name: "reboot",
    usage: "Usage: reboot [-f]
Write cached data to the disks and restart the machine.

  -f  accepted for compatibility (there is no init to ask first)
",
    usage_status: FAILURE,
};

pub fn run_poweroff(args: &[String]) -> i32 {
    stop(&POWEROFF, args, Shutdown::PowerOff)
}

pub fn run_reboot(args: &[String]) -> i32 {
    stop(&REBOOT, args, Shutdown::Restart)
}

fn stop(tool: &Tool, args: &[String], how: Shutdown) -> i32 {
    let opts = match tool.parse(args, "f") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    if let Some(extra) = opts.operands.first() {
        return tool.usage_error(format_args!("extra operand '{extra}'"));
    }
    sys::sync_all();
    let err = sys::shutdown(how);
    let errno = err.raw_os_error().unwrap_or(0);
    tool.fail(format_args!("reboot(2) failed: {} (errno {errno})", crate::common::reason(&err)));
    FAILURE
}
