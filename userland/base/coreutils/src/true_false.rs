//! true and false: do nothing, successfully or not. One module for the
//! pair, which differ only in their status.

use crate::common::{FAILURE, SUCCESS, Tool};

const TRUE: Tool = Tool { name: "true", usage: "Usage: true\nDo nothing, successfully.\n", usage_status: SUCCESS };

const FALSE: Tool = Tool { name: "false", usage: "Usage: false\nDo nothing, unsuccessfully.\n", usage_status: FAILURE };

/// Other arguments are ignored, as POSIX asks; only a sole --help counts.
pub fn run_true(args: &[String]) -> i32 {
    if args == ["--help"] { TRUE.help() } else { SUCCESS }
}

pub fn run_false(args: &[String]) -> i32 {
    if args == ["--help"] { FALSE.help() } else { FAILURE }
}
