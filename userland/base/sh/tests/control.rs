//! Lists, compound commands, functions, `set -e`.

mod common;
use common::*;

#[test]
fn lists() {
    check("echo a; echo b", "a\nb\n", 0);
    check("echo a && echo b || echo c", "a\nb\n", 0);
    check("false && echo no || echo yes", "yes\n", 0);
    check("false || false && echo no; echo $?", "1\n", 0);
    check("true &&\n\necho continued", "continued\n", 0);
    check("false; true", "", 0);
    check("true; false", "", 1);
}

#[test]
fn if_elif_else() {
    check("if true; then echo t; elif false; then echo e; else echo f; fi", "t\n", 0);
    check("if false; then echo t; elif true; then echo e; else echo f; fi", "e\n", 0);
    check("if false; then echo t; elif false; then echo e; else echo f; fi", "f\n", 0);
    check("if false; then echo t; fi; echo $?", "0\n", 0);
    check("if true\nthen\n  echo multi\nfi", "multi\n", 0);
    check("if ! false; then echo negated; fi", "negated\n", 0);
    check("if (exit 3); then :; else echo $?; fi", "3\n", 0);
}

#[test]
fn loops() {
    check("i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done", "1\n2\n3\n", 0);
    check("i=0; until [ $i -ge 2 ]; do i=$((i+1)); echo $i; done", "1\n2\n", 0);
    check("for x in 1 2 3; do if [ $x = 2 ]; then continue; fi; echo $x; done", "1\n3\n", 0);
    check("for x in 1 2 3; do for y in a b; do [ $y = b ] && break 2; echo $x$y; done; done", "1a\n", 0);
    check("for x in 1 2; do for y in a b; do [ $y = b ] && continue 2; echo $x$y; done; done", "1a\n2a\n", 0);
    check("i=5; while true; do i=$((i-1)); [ $i -eq 2 ] && break; done; echo $i", "2\n", 0);
    check("set -- p q; for a; do echo $a; done", "p\nq\n", 0);
    check("set -- p q; for a do echo $a; done", "p\nq\n", 0);
    check("for a in; do echo never; done; echo $?", "0\n", 0);
    check("for i in 1 2; do echo $i; done > out; cat out", "1\n2\n", 0);
    check("printf 'l1\\nl2\\n' | while read l; do echo \"got $l\"; done", "got l1\ngot l2\n", 0);
    check("while false; do :; done; echo $?", "0\n", 0);
    check("for i in a b; do false; done; echo $?", "1\n", 0);
    check("until false; do echo once; break; done", "once\n", 0);
    check("for w in $(echo x y z); do printf %s $w; done; echo", "xyz\n", 0);
}

#[test]
fn groups_and_subshells() {
    check("{ echo g1; echo g2; } | wc -l | tr -d ' '", "2\n", 0);
    check("x=1; { x=2; }; echo $x", "2\n", 0);
    check("x=outer; (x=inner; echo $x); echo $x", "inner\nouter\n", 0);
    check("(exit 3); echo $?", "3\n", 0);
    check("(cd /; pwd); pwd | grep -c tern-sh-test", "/\n1\n", 0);
    check("(echo sub; exit 2); echo $?", "sub\n2\n", 0);
    check("{ echo out; echo err >&2; } 2>&1 | cat", "out\nerr\n", 0);
    check("( (echo nested) )", "nested\n", 0);
}

#[test]
fn functions() {
    check("f() { echo \"args: $# $1 $2\"; return 3; }; f p q; echo \"ret $?\"", "args: 2 p q\nret 3\n", 0);
    check("f() { echo in; return; echo not; }; f; echo $?", "in\n0\n", 0);
    check("f() { false; }; f; echo $?", "1\n", 0);
    check("f() { local x=2; echo $x; }; x=1; f; echo $x", "2\n1\n", 0);
    check("f() { x=changed; }; x=1; f; echo $x", "changed\n", 0);
    check("set -- outer; f() { echo $1; }; f inner; echo $1", "inner\nouter\n", 0);
    check("n=0; f() { n=$((n+1)); [ $n -lt 50 ] && f; }; f; echo $n", "50\n", 0);
    check(
        "fib() { if [ $1 -lt 2 ]; then echo $1; else echo $(( $(fib $(($1-1))) + $(fib $(($1-2))) )); fi; }; fib 10",
        "55\n",
        0,
    );
    check("f() ( echo subshell-func; exit 4 ); f; echo $?", "subshell-func\n4\n", 0);
    check("f() { echo redirected; }; f > out; cat out", "redirected\n", 0);
    check("f() { echo \"$x\"; }; x=1 f; echo \"[$x]\"", "1\n[]\n", 0);
    check("f() { echo in f; }; unset -f f; f 2>/dev/null || echo gone", "gone\n", 127 - 127);
    check("f() {\n  for i in 1 2 3; do\n    [ $i = 2 ] && return $i\n  done\n}\nf; echo $?", "2\n", 0);
    check("function g { echo kw; }; g", "kw\n", 0);
    check("f() { echo $FOO; }; FOO=temp f", "temp\n", 0);
    check("echo() { builtin_echo_is_shadowed; }; command echo via-command", "via-command\n", 0);
}

#[test]
fn errexit() {
    check("set -e; echo a; false; echo notreached", "a\n", 1);
    check("set -e; false || true; if false; then :; fi; ! true; echo reached", "reached\n", 0);
    check("set -e; false && true; echo reached", "reached\n", 0);
    check("set -e; true && false; echo notreached", "", 1);
    check("set -e; while false; do :; done; echo loop-ok", "loop-ok\n", 0);
    check("set -e; f() { false; echo not; }; f; echo not2", "", 1);
    check("set -e; (false); echo not", "", 1);
    check("set -e; x=$(false); echo not", "", 1);
    check("set -e; false | true; echo pipe-ok", "pipe-ok\n", 0);
    check("set -e; { false; echo not; }", "", 1);
    check("set -e; trap 'echo trapped' EXIT; false", "trapped\n", 1);
}

#[test]
fn exit_and_return_statuses() {
    check("exit 42", "", 42);
    check("echo before; exit; echo after", "before\n", 0);
    check("false; exit", "", 1);
    check("exit 257", "", 1);
    check("sh -c 'exit 3'; echo $?", "3\n", 0);
    check("return 2>/dev/null; echo $?", "1\n", 0);
}

#[test]
fn eval_and_source() {
    check("eval 'x=3; echo $x'; eval \"echo \\$x\"", "3\n3\n", 0);
    check("cmd='echo a; echo b'; eval \"$cmd\"", "a\nb\n", 0);
    check("echo 'y=sourced; echo in $1' > lib.sh; . ./lib.sh arg; echo $y", "in arg\nsourced\n", 0);
    check("echo 'return 5; echo no' > r.sh; . ./r.sh; echo $?", "5\n", 0);
    check("printf 'f() { echo from-lib; }\\n' > lib.sh; source ./lib.sh; f", "from-lib\n", 0);
    check("eval 'if'; echo after $?", "after 2\n", 0);
}

#[test]
fn aliases() {
    check("alias ll='echo aliased'\nll x", "aliased x\n", 0);
    check("alias a='echo one'; alias b='a two'\nb", "one two\n", 0);
    check("alias echo='echo recursion-safe'\necho x", "recursion-safe x\n", 0);
    check("alias s='echo ' w=word\ns w", "word\n", 0);
    check("alias q='echo q'; unalias q\nq 2>/dev/null || echo unaliased", "unaliased\n", 0);
    check("alias x='echo y'; alias x", "alias x='echo y'\n", 0);
}

#[test]
fn traps() {
    check("trap 'echo bye' EXIT; echo hi", "hi\nbye\n", 0);
    check("trap 'echo bye $?' EXIT; exit 3", "bye 3\n", 3);
    check("trap 'echo got USR1' USR1; kill -USR1 $$; echo after", "got USR1\nafter\n", 0);
    check("trap '' TERM; kill $$; echo survived", "survived\n", 0);
    check("trap 'echo x' EXIT; trap - EXIT; echo y", "y\n", 0);
    check("trap 'echo t' INT; trap", "trap -- 'echo t' INT\n", 0);
    check("(trap 'echo sub-exit' EXIT; echo in); echo out", "in\nsub-exit\nout\n", 0);
}
