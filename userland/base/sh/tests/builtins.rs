//! The builtin commands.

mod common;
use common::*;

#[test]
fn echo() {
    check("echo a b  c", "a b c\n", 0);
    check("echo -n no-newline; echo", "no-newline\n", 0);
    check("echo -e 'a\\tb\\n'", "a\tb\n\n", 0);
    check("echo 'a\\tb'", "a\\tb\n", 0);
    check("echo -e 'stop\\chere'; echo", "stop\n", 0);
    check("echo -x -n", "-x -n\n", 0);
    check("echo", "\n", 0);
}

#[test]
fn printf() {
    check("printf '%s-%d\\n' a 1 b 2", "a-1\nb-2\n", 0);
    check("printf '%5.2f|%x|%o|%X\\n' 3.14159 255 8 255", " 3.14|ff|10|FF\n", 0);
    check("printf '[%5s][%-5s][%.1s]\\n' ab cd xyz", "[   ab][cd   ][x]\n", 0);
    check("printf '%b\\n' 'a\\tb'", "a\tb\n", 0);
    check("printf '%c' hello; echo", "h\n", 0);
    check("printf 'no newline'", "no newline", 0);
    check("printf '%d%%\\n' 50", "50%\n", 0);
    check("printf '%s\\n'", "\n", 0);
    check("printf '%03d\\n' 7", "007\n", 0);
    let out = run("printf '%d\\n' abc; echo $?");
    assert_eq!(out.stdout, "0\n1\n");
    assert_eq!(out.stderr, "sh: printf: abc: invalid number\n");
}

#[test]
fn test_and_brackets() {
    check("test 1 -eq 1 && echo eq; [ a = b ] || echo ne; [ -d / ] && echo dir", "eq\nne\ndir\n", 0);
    check(
        "test -z '' && echo empty; test -n x && echo nonempty; test ! -e /nonexistent && echo missing",
        "empty\nnonempty\nmissing\n",
        0,
    );
    check("[ 1 -lt 2 -a 2 -lt 3 ] && echo both; [ 1 -gt 2 -o 3 -gt 2 ] && echo either", "both\neither\n", 0);
    check("[ \\( a = a \\) ] && echo grouped; [ ! a = b ] && echo not", "grouped\nnot\n", 0);
    check("touch f; [ -f f ] && [ -e f ] && [ ! -d f ] && [ ! -s f ] && echo file", "file\n", 0);
    check("echo x > f; [ -s f ] && [ -r f ] && [ -w f ] && echo nonempty", "nonempty\n", 0);
    check("[ ]; echo $?; [ x ]; echo $?; [ '' ]; echo $?", "1\n0\n1\n", 0);
    check("[ abc \\< abd ] && echo less", "less\n", 0);
    let out = run("[ 1 -eq 1; echo $?");
    assert_eq!(out.stdout, "2\n");
    assert_eq!(out.stderr, "sh: [: missing ]\n");
    let out = run("[ a -eq 1 ]; echo $?");
    assert_eq!(out.stdout, "2\n");
}

#[test]
fn read() {
    check("echo 'a b c' | { read x y; echo \"$x|$y\"; }", "a|b c\n", 0);
    check("echo '  lead  trail  ' | { read x; echo \"[$x]\"; }", "[lead  trail]\n", 0);
    check("echo 'x,y,z' | { IFS=, read a b; echo \"$a/$b\"; }", "x/y,z\n", 0);
    check("echo 'one' | { read a b c; echo \"[$a][$b][$c]\"; }", "[one][][]\n", 0);
    check("echo 'a b' | { read; echo \"[$REPLY]\"; }", "[a b]\n", 0);
    check("printf 'a\\\\ b c\\n' | { read x y; echo \"[$x][$y]\"; }", "[a b][c]\n", 0);
    check("printf 'a\\\\ b c\\n' | { read -r x y; echo \"[$x][$y]\"; }", "[a\\][b c]\n", 0);
    check("printf 'con\\\\\\ntinued\\n' | { read x; echo $x; }", "continued\n", 0);
    check("printf 'no newline' | { read x; echo \"$? $x\"; }", "1 no newline\n", 0);
    check("read x < /dev/null; echo $?", "1\n", 0);
    check("printf 'l1\\nl2\\nl3\\n' > f; { read a; read b; } < f; echo $a $b", "l1 l2\n", 0);
    check("printf '1\\n2\\n' > f; exec < f; read a; head -1; echo $a", "2\n1\n", 0);
    check("echo 'a:b' | { IFS=: read -r x y; echo $y; }", "b\n", 0);
}

#[test]
fn cd_and_pwd() {
    check("cd /; pwd; echo $PWD", "/\n/\n", 0);
    check("mkdir -p a/b; cd a/b; pwd | grep -c '/a/b$'; cd ../..; ls -d a", "1\na\n", 0);
    check("cd /tmp; cd /; cd -; echo $OLDPWD", "/tmp\n/\n", 0);
    check("HOME=/; cd; pwd", "/\n", 0);
    check(
        "mkdir real; ln -s real link; cd link; pwd | grep -c '/link$'; pwd -P | grep -c '/real$'; cd ..; ls -d real",
        "1\n1\nreal\n",
        0,
    );
    check_all("cd /nonexistent_dir; echo st=$?", "st=1\n", "sh: cd: /nonexistent_dir: No such file or directory\n", 0);
    check("mkdir -p p/q; CDPATH=$PWD/p; cd q | grep -c /p/q", "1\n", 0);
}

#[test]
fn set_shift_unset_export() {
    check("set -- a b c; echo $#; set --; echo $#", "3\n0\n", 0);
    check("set a b; echo $1 $2", "a b\n", 0);
    check("set -- 1 2 3; shift 2; echo $@", "3\n", 0);
    check_all("shift 5; echo st=$?", "st=1\n", "sh: shift: can't shift that many\n", 0);
    check("x=1; unset x; echo \"[${x-unset}]\"", "[unset]\n", 0);
    check("set -o errexit; echo $-; set +e; echo \"[$-]\"", "e\n[]\n", 0);
    check("set -o | grep -c 'errexit *off'", "1\n", 0);
    check("v='a b'; set | grep '^v='", "v='a b'\n", 0);
    check("set -x; echo traced 2>&1", "traced\n", 0);
    let out = run("set -x; echo 'a b' c");
    assert_eq!(out.stderr, "+ echo 'a b' c\n");
    check("set -- x y; set -e; echo $1", "x\n", 0);
}

#[test]
fn local_variables() {
    check("f() { local a=1 b; b=2; echo $a$b; }; a=x b=y; f; echo $a$b", "12\nxy\n", 0);
    check("f() { local v; v=inner; g; }; g() { echo $v; }; v=outer; f; echo $v", "inner\nouter\n", 0);
    check("local x=1; echo $?", "1\n", 0);
}

#[test]
fn umask() {
    check("umask 022; umask; umask -S", "0022\nu=rwx,g=rx,o=rx\n", 0);
    check("umask 077; touch f; ls -l f | cut -c1-10", "-rw-------\n", 0);
    check("umask u=rwx,g=rx,o=; umask", "0027\n", 0);
}

#[test]
fn getopts() {
    check(
        "while getopts 'ab:c' o -a -b val -c rest; do echo \"$o ${OPTARG-}\"; done; echo $OPTIND",
        "a \nb val\nc \n5\n",
        0,
    );
    check("set -- -xy -z; while getopts xyz o; do echo $o; done", "x\ny\nz\n", 0);
    check("getopts a o -q 2>/dev/null; echo $o", "?\n", 0);
    check("getopts :a o -q; echo $o $OPTARG", "? q\n", 0);
    check("getopts :b: o -b; echo $o $OPTARG", ": b\n", 0);
    check("getopts a o nonopt; echo $? $OPTIND", "1 1\n", 0);
}

#[test]
fn true_false_colon() {
    check("true", "", 0);
    check("false", "", 1);
    check(": ignored args", "", 0);
    check("x=1 :; echo $x", "1\n", 0);
}

#[test]
fn wait_and_jobs() {
    check("sleep 0.1 & sleep 0.1 & jobs | wc -l | tr -d ' '; wait; jobs | wc -l | tr -d ' '", "2\n0\n", 0);
    check("sleep 0.1 & jobs -p | grep -c '^[0-9]'", "1\n", 0);
    check("fg 2>&1; bg 2>&1", "sh: fg: no job control\nsh: bg: no job control\n", 1);
}
