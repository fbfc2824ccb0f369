//! The other tools as a user runs them: test and [, xargs, env, kill,
//! sleep, date, uname, pwd; and what every tool shares: --help and the
//! status of a bad option.

mod common;

use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Scratch, run};

/// Every tool but poweroff and reboot, whose --help is tested through the
/// shared option parser only: a mistake there would stop the test machine.
const TOOLS: [&str; 40] = [
    tool!("cat"),
    tool!("clear"),
    tool!("cp"),
    tool!("cut"),
    tool!("date"),
    tool!("df"),
    tool!("du"),
    tool!("echo"),
    tool!("env"),
    tool!("false"),
    tool!("find"),
    tool!("free"),
    tool!("grep"),
    tool!("head"),
    tool!("hexdump"),
    tool!("kill"),
    tool!("ls"),
    tool!("mkdir"),
    tool!("mount"),
    tool!("mv"),
    tool!("od"),
    tool!("printf"),
    tool!("ps"),
    tool!("pwd"),
    tool!("rm"),
    tool!("rmdir"),
    tool!("sleep"),
    tool!("sort"),
    tool!("stat"),
    tool!("sync"),
    tool!("tail"),
    tool!("tee"),
    tool!("test"),
    tool!("touch"),
    tool!("tr"),
    tool!("true"),
    tool!("uname"),
    tool!("uniq"),
    tool!("wc"),
    tool!("xargs"),
];

#[test]
fn every_tool_has_help() {
    for tool in TOOLS {
        let help = run(tool, &["--help"], "");
        assert_eq!(help.status, 0, "{tool} --help");
        assert!(help.stdout.starts_with("Usage: "), "{tool} --help: {}", help.stdout);
        assert_eq!(help.stderr, "", "{tool} --help");
    }
}

#[test]
fn bad_options_are_usage_errors() {
    for (tool, status) in
        [(tool!("ls"), 2), (tool!("grep"), 2), (tool!("sort"), 2), (tool!("cat"), 1), (tool!("wc"), 1)]
    {
        let bad = run(tool, &["-Z"], "");
        assert_eq!(bad.status, status, "{tool} -Z");
        let name = tool.rsplit('/').next().unwrap();
        assert_eq!(bad.stderr, format!("{name}: invalid option -- 'Z'\nTry '{name} --help' for more information.\n"));
    }
    assert_eq!(run(tool!("env"), &["-Z"], "").status, 125);
}

#[test]
fn test_and_bracket() {
    let test = |args: &[&str]| run(tool!("test"), args, "").status;
    assert_eq!(test(&["-d", "/"]), 0);
    assert_eq!(test(&["-f", "/"]), 1);
    assert_eq!(test(&["abc", "=", "abc", "-a", "3", "-lt", "10"]), 0);
    assert_eq!(test(&["!", "(", "x", "=", "x", ")"]), 1);
    assert_eq!(test(&["-z", ""]), 0);
    assert_eq!(test(&[]), 1);
    let bad = run(tool!("test"), &["x", "-eq", "1"], "");
    assert_eq!((bad.status, bad.stderr.as_str()), (2, "test: x: integer expression expected\n"));
    // `[` is the same executable under another name.
    let dir = Scratch::new("bracket");
    let bracket = dir.path.join("[");
    std::os::unix::fs::symlink(tool!("test"), &bracket).unwrap();
    let bracket = bracket.to_str().unwrap();
    assert_eq!(run(bracket, &["1", "-eq", "1", "]"], "").status, 0);
    assert_eq!(run(bracket, &["1", "-eq", "2", "]"], "").status, 1);
    let unclosed = run(bracket, &["1", "-eq", "1"], "");
    assert_eq!((unclosed.status, unclosed.stderr.as_str()), (2, "[: missing ']'\n"));
    // test itself takes a `]` as a string.
    assert_eq!(test(&["]"]), 0);
}

#[test]
fn xargs_runs_commands() {
    let echo = tool!("echo");
    let xargs = run(tool!("xargs"), &[echo, "got"], "a b\nc 'd e'\n");
    assert_eq!((xargs.status, xargs.stdout.as_str()), (0, "got a b c d e\n"));
    let xargs = run(tool!("xargs"), &["-n", "2", echo], "1 2 3 4 5\n");
    assert_eq!(xargs.stdout, "1 2\n3 4\n5\n");
    assert_eq!(run(tool!("xargs"), &[echo, "empty"], "").stdout, "empty\n");
    assert_eq!(run(tool!("xargs"), &["-r", echo, "empty"], "").stdout, "");
    let failing = run(tool!("xargs"), &[tool!("false")], "x\n");
    assert_eq!(failing.status, 123);
    let missing = run(tool!("xargs"), &["/nonexistent/command"], "x\n");
    assert_eq!(
        (missing.status, missing.stderr.as_str()),
        (127, "xargs: /nonexistent/command: No such file or directory\n")
    );
}

#[test]
fn env_sets_and_runs() {
    let env = run(tool!("env"), &["-i", "GREETING=hi", "OTHER=x=y"], "");
    assert_eq!((env.status, env.stdout.as_str()), (0, "GREETING=hi\nOTHER=x=y\n"));
    // env running env shows what it was given.
    let nested = run(tool!("env"), &["-i", "A=1", tool!("env"), "-u", "A", "B=2"], "");
    assert_eq!(nested.stdout, "B=2\n");
    let status = run(tool!("env"), &[tool!("false")], "").status;
    assert_eq!(status, 1);
    let missing = run(tool!("env"), &["/nonexistent/command"], "");
    assert_eq!(
        (missing.status, missing.stderr.as_str()),
        (127, "env: /nonexistent/command: No such file or directory\n")
    );
}

#[test]
fn kill_signals_a_process() {
    let mut child = Command::new(tool!("sleep")).arg("30").spawn().unwrap();
    let pid = child.id().to_string();
    assert_eq!(run(tool!("kill"), &["-0", &pid], "").status, 0);
    let kill = run(tool!("kill"), &["-s", "TERM", &pid], "");
    assert_eq!(kill.status, 0, "{}", kill.stderr);
    let status = child.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(15));
    assert_eq!(run(tool!("kill"), &["-l", "9", "KILL", "130"], "").stdout, "KILL\n9\nINT\n");
    assert_eq!(run(tool!("kill"), &["-BOGUS", "1"], "").status, 1);
    let gone = run(tool!("kill"), &["2147483647"], "");
    assert_eq!((gone.status, gone.stderr.as_str()), (1, "kill: 2147483647: No such process\n"));
}

#[test]
fn sleep_takes_fractions() {
    let start = Instant::now();
    assert_eq!(run(tool!("sleep"), &["0.2", "0.1"], "").status, 0);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(run(tool!("sleep"), &["abc"], "").status, 1);
}

#[test]
fn date_prints_now() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let date = run(tool!("date"), &["+%s"], "");
    let printed: u64 = date.stdout.trim().parse().unwrap();
    assert!(printed.abs_diff(now) < 5, "{printed} vs {now}");
    assert_eq!(run(tool!("date"), &["-d", "@0", "+%F %T %a %j"], "").stdout, "1970-01-01 00:00:00 Thu 001\n");
    assert_eq!(run(tool!("date"), &["-d", "@1796094245"], "").stdout, "Tue Dec  1 03:04:05 UTC 2026\n");
    assert_eq!(run(tool!("date"), &["12:00"], "").status, 1);
}

#[test]
fn uname_pwd_true_false() {
    assert_eq!(run(tool!("uname"), &[], "").stdout, "Linux\n");
    assert_eq!(run(tool!("uname"), &["-m"], "").stdout, "x86_64\n");
    let dir = Scratch::new("pwd");
    let expected = format!("{}\n", dir.path.canonicalize().unwrap().display());
    assert_eq!(dir.run(tool!("pwd"), &[], "").stdout, expected);
    assert_eq!(run(tool!("true"), &["ignored"], "").status, 0);
    assert_eq!(run(tool!("false"), &[], "").status, 1);
    assert_eq!(run(tool!("clear"), &[], "").stdout, "\x1b[H\x1b[2J");
}
