//! Pipelines, background jobs, wait, exit statuses, command lookup and
//! the errors other shells give.

mod common;
use common::*;

#[test]
fn pipelines() {
    check("echo hello | tr a-z A-Z", "HELLO\n", 0);
    check("for i in a b c; do echo $i; done | tr a-z A-Z | sort -r", "C\nB\nA\n", 0);
    check("printf '3\\n1\\n2\\n' | sort | head -2", "1\n2\n", 0);
    check("echo a | (read x; echo \"sub:$x\")", "sub:a\n", 0);
    check("echo abc | { read -r x; echo $x; }", "abc\n", 0);
    check("x=1; echo 2 | read x; echo $x", "1\n", 0);
    check("yes | head -3", "y\ny\ny\n", 0);
    check("seq 1 10000 | tail -1", "10000\n", 0);
    check("echo a |\n  cat", "a\n", 0);
}

#[test]
fn pipeline_status() {
    check("false | true; echo $?", "0\n", 0);
    check("true | false; echo $?", "1\n", 0);
    check("! false; echo $?; ! true; echo $?", "0\n1\n", 0);
    check("! false | false; echo $?", "0\n", 0);
    check("exit 3 | exit 4; echo $?", "4\n", 0);
    check("true | (exit 5); echo $?", "5\n", 0);
}

#[test]
fn background_and_wait() {
    check("sleep 0.1 & wait $!; echo \"w=$?\"", "w=0\n", 0);
    check("(exit 7) & wait $!; echo \"w=$?\"", "w=7\n", 0);
    check("sh -c 'exit 9' & pid=$!; sleep 0.2; wait $pid; echo $?", "9\n", 0);
    check("true & false & wait; echo done $?", "done 0\n", 0);
    check("echo bg > f & wait; cat f", "bg\n", 0);
    check("{ sleep 0.1; echo second; } & echo first; wait", "first\nsecond\n", 0);
    check("wait 99999; echo $?", "127\n", 0);
    check("false && true & wait $!; echo $?", "1\n", 0);
    check("sleep 0.1 | sleep 0.1 & wait; echo ok", "ok\n", 0);
    // Background jobs without job control read /dev/null.
    check("echo typed | { cat & wait; }", "", 0);
    check("sleep 10 & kill $!; wait $!; echo $?", "143\n", 0);
    check("sleep 10 & kill -9 %1; wait %1; echo $?", "137\n", 0);
    check("sleep 0.1 & jobs | grep -c Running", "1\n", 0);
}

#[test]
fn not_found_and_permissions() {
    check_all("nosuchcmd; echo $?", "127\n", "sh: nosuchcmd: not found\n", 0);
    check_all("nosuchcmd", "", "sh: nosuchcmd: not found\n", 127);
    check_all("./nosuch; echo $?", "127\n", "sh: ./nosuch: not found\n", 0);
    check_all("echo x > f; chmod -x f; ./f; echo $?", "126\n", "sh: ./f: Permission denied\n", 0);
    check_all("/; echo $?", "126\n", "sh: /: Permission denied\n", 0);
    check_all("nosuchcmd 2>/dev/null; echo $?", "127\n", "", 0);
    check("PATH=/nonexistent; ls; echo $?", "127\n", 0);
    check("unset PATH; sh -c 'echo default-path-works'", "default-path-works\n", 0);
    check(
        "mkdir bin; printf '#!/bin/sh\\necho mine $1\\n' > bin/mycmd; chmod +x bin/mycmd; PATH=$PWD/bin:$PATH; mycmd x",
        "mine x\n",
        0,
    );
    check(
        "mkdir bin; echo 'echo plain script $1' > bin/noshebang; chmod +x bin/noshebang; PATH=$PWD/bin:$PATH noshebang y",
        "plain script y\n",
        0,
    );
}

#[test]
fn syntax_errors() {
    check_all("echo ok; if", "", "sh: syntax error: unexpected end of file\n", 2);
    check_all("fi", "", "sh: syntax error: unexpected \"fi\"\n", 2);
    check_all("echo a; echo b )", "", "sh: syntax error: unexpected \")\"\n", 2);
    check_all("echo 'open", "", "sh: syntax error: unterminated quoted string\n", 2);
    check_all("case x in", "", "sh: syntax error: unexpected end of file\n", 2);
    check_all("echo ${x!}", "", "sh: syntax error: bad substitution\n", 2);
    check_all("| cat", "", "sh: syntax error: unexpected \"|\"\n", 2);
}

#[test]
fn command_lookup() {
    check("type echo; type cd; type if", "echo is a shell builtin\ncd is a shell builtin\nif is a shell keyword\n", 0);
    check("f() { :; }; type f; type :", "f is a function\n: is a special shell builtin\n", 0);
    check("type sh | grep -c ' is /'", "1\n", 0);
    check("type nosuch; echo $?", "1\n", 0);
    check("command -v echo; command -v nosuch; echo $?", "echo\n1\n", 0);
    check("command -v ls | grep -c '^/'", "1\n", 0);
    check("alias l=ls; command -v l", "alias l=ls\n", 0);
    check("command echo hi; command -V cd", "hi\ncd is a shell builtin\n", 0);
    check("cat() { echo shadow; }; cat; command cat < /dev/null; echo done", "shadow\ndone\n", 0);
}

#[test]
fn exec_replaces_the_shell() {
    check("exec echo replaced; echo notreached", "replaced\n", 0);
    check("exec sh -c 'exit 6'; echo no", "", 6);
    let out = run("exec nosuch; echo no");
    assert_eq!(out.stdout, "");
    assert_eq!(out.status, 127);
    check("(exec echo in-subshell); echo after", "in-subshell\nafter\n", 0);
}

#[test]
fn signals_of_children() {
    let out = run("sh -c 'kill -9 $$'; echo $?");
    assert_eq!(out.stdout, "137\n");
    assert_eq!(out.stderr, "Killed\n");
    let out = run("sh -c 'kill -SEGV $$' 2>/dev/null; echo $?");
    assert_eq!(out.stdout, "139\n");
    check("kill -l 9; kill -l 15; kill -l 130", "KILL\nTERM\nINT\n", 0);
    check("kill -s TERM $$; echo survived", "", 143);
}

#[test]
fn environment() {
    check("export FOO=bar; sh -c 'echo $FOO'", "bar\n", 0);
    check("FOO=temp sh -c 'echo $FOO'; echo \"[$FOO]\"", "temp\n[]\n", 0);
    check("BAR=1; sh -c 'echo \"[$BAR]\"'; export BAR; sh -c 'echo \"[$BAR]\"'", "[]\n[1]\n", 0);
    check("export A=1; unset A; sh -c 'echo \"[$A]\"'", "[]\n", 0);
    check("export -p | grep -c 'export PATH='", "1\n", 0);
    check("x=5; readonly x; x=6; echo notreached", "", 1);
    check("readonly y=2; echo $y; unset y; echo $?", "2\n1\n", 0);
    check("set -a; auto=1; sh -c 'echo $auto'", "1\n", 0);
}
