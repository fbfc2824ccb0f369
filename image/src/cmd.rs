//! Running host programs: show the command, then check how it ended.

use std::env;
use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

use crate::paths::Paths;

/// A `cargo` command run at the workspace root with the tool's target directory.
/// Uses the cargo that started this tool, so the pinned toolchain is kept.
pub fn cargo(paths: &Paths) -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(&paths.root).env("CARGO_TARGET_DIR", &paths.target);
    command
}

/// Runs `command` with this terminal as its stdio; fails unless it succeeds.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = show(command);
    println!("$ {shown}");
    let status = command.status().with_context(|| format!("cannot start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs `command` and returns what it printed, whatever its exit status.
pub fn output(command: &mut Command) -> Result<Output> {
    let shown = show(command);
    println!("$ {shown}");
    command.output().with_context(|| format!("cannot start `{shown}`"))
}

/// Runs `command` with what it prints captured; fails unless it succeeds,
/// and then the error holds that output (so the reason is not lost).
pub fn output_checked(command: &mut Command) -> Result<Output> {
    let output = output(command)?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}):\n{}{}",
            show(command),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

/// `command` as a shell-like line (for messages; arguments holding spaces
/// or quotes are single-quoted, the program is shown by its file name).
pub fn show(command: &Command) -> String {
    // Programs are shown by name: the tool finds them all on PATH, except
    // cargo, which it runs from the toolchain that started it.
    let program = Path::new(command.get_program()).file_name().unwrap_or_default().to_string_lossy().into_owned();
    let mut words = vec![program];
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains([' ', '"', '\'', '\\', '$', ';', '&', '|', '*']) {
            words.push(format!("'{}'", arg.replace('\'', r"'\''")));
        } else {
            words.push(arg.into_owned());
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_quotes_only_what_needs_it() {
        let mut command = Command::new("/usr/bin/qemu-system-x86_64");
        command.args(["-append", "log=info mode=test", "-m", "512M", "it's"]);
        assert_eq!(show(&command), r"qemu-system-x86_64 -append 'log=info mode=test' -m 512M 'it'\''s'");
    }
}
