//! How the shell is started: `sh script args`, `#!` scripts, `sh -c`,
//! commands on standard input.

mod common;
use common::*;

const SCRIPT: &str = r#"echo "name=$0 count=$# first=$1"
for a; do echo "arg: $a"; done
f() {
  echo "in f: $*"
  return 4
}
f "$@"
echo "f said $?"
"#;

#[test]
fn script_with_arguments() {
    let dir = tempdir();
    std::fs::write(dir.join("s.sh"), SCRIPT).unwrap();
    let out = run_in(&dir, &["s.sh", "x", "y z"], None);
    assert_eq!(out.stdout, "name=s.sh count=2 first=x\narg: x\narg: y z\nin f: x y z\nf said 4\n");
    assert_eq!(out.status, 0);
}

#[test]
fn shebang_script() {
    let dir = tempdir();
    let path = dir.join("run.sh");
    std::fs::write(&path, format!("#!{SH}\n{SCRIPT}exit 7\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run_in(&dir, &["-c", "./run.sh one two; echo status $?"], None);
    assert_eq!(out.stdout, "name=./run.sh count=2 first=one\narg: one\narg: two\nin f: one two\nf said 4\nstatus 7\n");
    // Run directly by the kernel, not through sh.
    let out = std::process::Command::new(&path).arg("direct").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stdout).contains("arg: direct"));
}

#[test]
fn dash_c() {
    let dir = tempdir();
    let out = run_in(&dir, &["-c", "echo $0 $# $@", "arg0", "a", "b"], None);
    assert_eq!(out.stdout, "arg0 2 a b\n");
    let out = run_in(&dir, &["-c", "echo $0"], None);
    assert!(out.stdout.ends_with("sh\n"), "{}", out.stdout);
    let out = run_in(&dir, &["-ec", "false; echo no"], None);
    assert_eq!((out.stdout.as_str(), out.status), ("", 1));
    let out = run_in(&dir, &["-c"], None);
    assert_eq!(out.status, 2);
    let out = run_in(&dir, &["-x", "-c", "echo hi"], None);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("hi\n", "+ echo hi\n"));
}

#[test]
fn commands_on_stdin() {
    let dir = tempdir();
    let out = run_in(&dir, &[], Some("echo from stdin\nx=5\necho $((x*2))\n"));
    assert_eq!(out.stdout, "from stdin\n10\n");
    // Commands the script runs read the rest of standard input.
    let out = run_in(&dir, &[], Some("read v; echo \"v=$v\"\nhello\necho last\n"));
    assert_eq!(out.stdout, "v=hello\nlast\n");
    let out = run_in(&dir, &["-s", "a", "b"], Some("echo $# $2\n"));
    assert_eq!(out.stdout, "2 b\n");
    let out = run_in(&dir, &[], Some("if true\nthen echo multi\nfi\nexit 3\necho no\n"));
    assert_eq!((out.stdout.as_str(), out.status), ("multi\n", 3));
}

#[test]
fn stdin_from_a_file_is_not_overread() {
    let dir = tempdir();
    std::fs::write(dir.join("in.sh"), "read line\ndata line\necho \"got [$line]\"\nhead -1\nfor head\necho end\n")
        .unwrap();
    let out = run_in(&dir, &["-c", "sh < in.sh"], None);
    assert_eq!(out.stdout, "got [data line]\nfor head\nend\n");
}

#[test]
fn script_errors() {
    let dir = tempdir();
    std::fs::write(dir.join("e.sh"), "echo one\nnosuch_cmd\necho two $?\nif then\necho never\n").unwrap();
    let out = run_in(&dir, &["e.sh"], None);
    assert_eq!(out.stdout, "one\ntwo 127\n");
    assert_eq!(out.stderr, "e.sh: line 2: nosuch_cmd: not found\ne.sh: line 4: syntax error: unexpected \"then\"\n");
    assert_eq!(out.status, 2);
    let out = run_in(&dir, &["missing.sh"], None);
    assert_eq!(out.stderr, "sh: missing.sh: No such file or directory\n");
    assert_eq!(out.status, 127);
}

#[test]
fn options_on_the_command_line() {
    let dir = tempdir();
    std::fs::write(dir.join("u.sh"), "echo $undefined_var\necho no\n").unwrap();
    let out = run_in(&dir, &["-u", "u.sh"], None);
    assert_eq!(out.stdout, "");
    assert_eq!(out.status, 2);
    let out = run_in(&dir, &["-o", "errexit", "-c", "false; echo no"], None);
    assert_eq!(out.status, 1);
    let out = run_in(&dir, &["-n", "-c", "echo not run"], None);
    assert_eq!((out.stdout.as_str(), out.status), ("", 0));
    let out = run_in(&dir, &["-Z"], None);
    assert_eq!(out.status, 2);
}

#[test]
fn login_profile() {
    let dir = tempdir();
    std::fs::write(dir.join(".profile"), "PROFILED=yes\n").unwrap();
    let out = run_in(&dir, &["-l", "-c", "echo $PROFILED"], None);
    assert_eq!(out.stdout, "yes\n");
}
