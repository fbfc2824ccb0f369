//! env: print the environment, or run a command in a changed one.

use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::common::{SUCCESS, Tool, stdout};

const TOOL: Tool = Tool {
    name: "env",
    usage: "Usage: env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARGUMENT]...]
Set each NAME to VALUE in the environment and run COMMAND, or print the
resulting environment when there is no COMMAND.

  -i       start from an empty environment
  -u NAME  remove NAME from the environment

Exit status: COMMAND's; 125 if env itself failed, 126 if COMMAND could not
be run, 127 if it was not found.
",
    usage_status: TROUBLE,
};

/// env's own failures, told apart from any status of the command it runs.
const TROUBLE: i32 = 125;

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse_leading(args, "iu:") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let assignments = opts.operands.iter().take_while(|a| a.contains('=')).count();
    let (assignments, command) = opts.operands.split_at(assignments);
    let mut environment: Vec<(String, String)> = if opts.has('i') {
        Vec::new()
    } else {
        std::env::vars_os().map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned())).collect()
    };
    let removed: Vec<&str> = opts.values('u').collect();
    environment.retain(|(name, _)| !removed.contains(&name.as_str()));
    for assignment in assignments {
        let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
        environment.retain(|(existing, _)| existing != name);
        environment.push((name.to_string(), value.to_string()));
    }
    let Some((program, arguments)) = command.split_first() else {
        let mut out = stdout();
        let written = environment.iter().try_for_each(|(name, value)| writeln!(out, "{name}={value}"));
        return match written.and_then(|()| out.flush()) {
            Ok(()) => SUCCESS,
            Err(err) => {
                TOOL.write_error(&err);
                TROUBLE
            }
        };
    };
    // exec replaces env with the command, which then has env's process ID,
    // as POSIX env does; it returns only on failure.
    let err = Command::new(program).args(arguments).env_clear().envs(environment).exec();
    TOOL.error(program, &err);
    if err.kind() == io::ErrorKind::NotFound { 127 } else { 126 }
}
