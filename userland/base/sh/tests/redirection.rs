//! Redirections and here-documents.

mod common;
use common::*;

#[test]
fn files() {
    check("echo one > f; echo two >> f; cat < f", "one\ntwo\n", 0);
    check("echo a > f; cat < f > g; cat g", "a\n", 0);
    check("echo x >f; echo y 1>f; cat f", "y\n", 0);
    check("echo data > f; cat 0<f", "data\n", 0);
    check("printf 'abc' > f; cat <>f", "abc", 0);
    check("set -C; echo a > f; echo b > f; echo $?; echo c >| f; cat f", "1\nc\n", 0);
    check(">empty; wc -c < empty | tr -d ' '", "0\n", 0);
    check("x=out.txt; echo via-var > $x; cat out.txt", "via-var\n", 0);
    check("echo a > 'sp ace'; cat 'sp ace'", "a\n", 0);
}

#[test]
fn descriptors() {
    check("ls /nonexistent 2>&1 | sed 's/.*/X/'", "X\n", 0);
    check("echo to-err >&2 2>/dev/null", "", 0);
    check("{ echo out; echo err >&2; } 2>/dev/null", "out\n", 0);
    check("{ echo out; echo err >&2; } >/dev/null 2>&1; echo done", "done\n", 0);
    check("echo 1 2>&1 >/dev/null", "", 0);
    check("ls /nonexistent 2>/dev/null || echo silent", "silent\n", 0);
    check("exec 3>fd3; echo via3 >&3; exec 3>&-; cat fd3", "via3\n", 0);
    check("echo x > f; exec 4<f; read line <&4; echo $line", "x\n", 0);
    check("echo a 3>&1 1>&2 2>&3 | wc -c | tr -d ' '", "0\n", 0);
    check("echo closed >&-; echo $?", "1\n", 0);
    // (A builtin: Rust programs reopen a closed standard input as /dev/null.)
    check("read x <&- 2>/dev/null; echo st=$?", "st=1\n", 0);
    check("echo x 5>f5; ls f5", "x\nf5\n", 0);
    let out = run("echo bad >&9");
    assert_eq!(out.stderr, "sh: 9: Bad file descriptor\n");
    assert_eq!(out.status, 1);
}

#[test]
fn exec_redirections_persist() {
    let out = run("exec > f; echo hidden; cat f >&2");
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", "hidden\n"));
    let out = run("exec > /nonexistent/x; echo not-reached");
    assert_eq!((out.stdout.as_str(), out.status), ("", 1));
    let out = run("exec 2>err; echo to-err >&2; cat err");
    assert_eq!(out.stdout, "to-err\n");
    check("exec 3>&1; echo via-dup >&3", "via-dup\n", 0);
    check("echo in > f; exec < f; read x; echo $x", "in\n", 0);
}

#[test]
fn builtins_and_compounds_restore() {
    check("echo a > f; echo b; cat f", "b\na\n", 0);
    check("{ echo g; } > f; echo after; cat f", "after\ng\n", 0);
    check("for i in 1 2; do echo $i; done 2>&1 > f; echo after; cat f", "after\n1\n2\n", 0);
    check("if true; then echo i; fi > f; cat f", "i\n", 0);
    check("f() { echo fn; }; f > f; echo after; cat f", "after\nfn\n", 0);
    check("x=1 > f; echo $x; ls f", "1\nf\n", 0);
    check("printf 'a\\nb\\n' > f; while read l; do echo \"<$l>\"; done < f", "<a>\n<b>\n", 0);
}

#[test]
fn failed_redirections() {
    let out = run("echo hi > /nonexistent/dir/file; echo st=$?");
    assert_eq!(out.stdout, "st=1\n");
    assert_eq!(out.stderr, "sh: /nonexistent/dir/file: No such file or directory\n");
    let out = run("cat < missing; echo st=$?");
    assert_eq!(out.stdout, "st=1\n");
    assert_eq!(out.stderr, "sh: missing: No such file or directory\n");
    let out = run("{ echo no; } < missing; echo st=$?");
    assert_eq!(out.stdout, "st=1\n");
    let out = run("ls < missing; echo st=$?");
    assert_eq!(out.stdout, "st=1\n");
}

#[test]
fn heredocs() {
    check("cat <<EOF\nhello $x\nx=$((1+1)) $(echo cmd)\nEOF", "hello \nx=2 cmd\n", 0);
    check("x=val; cat <<'EOF'\nlit $x `y` \\n\nEOF", "lit $x `y` \\n\n", 0);
    check("cat <<\"EOF\"\nlit $x\nEOF", "lit $x\n", 0);
    check("cat <<E\\OF\nlit $x\nEOF", "lit $x\n", 0);
    check("cat <<-EOF\n\ttab stripped\n\t\tboth\n\tEOF", "tab stripped\nboth\n", 0);
    check("cat <<EOF\nescaped \\$x \\\\ \\` \"quotes\"\nEOF", "escaped $x \\ ` \"quotes\"\n", 0);
    check("cat <<EOF\nline \\\ncontinued\nEOF", "line continued\n", 0);
    check("cat <<A; cat <<B\none\nA\ntwo\nB", "one\ntwo\n", 0);
    check("cat <<EOF | tr a-z A-Z\npiped\nEOF", "PIPED\n", 0);
    check("read a b <<EOF\none two three\nEOF\necho \"$a/$b\"", "one/two three\n", 0);
    check("f() { cat <<EOF\nin function $1\nEOF\n}; f arg", "in function arg\n", 0);
    check("while read l; do echo \"r:$l\"; done <<EOF\n1\n2\nEOF", "r:1\nr:2\n", 0);
    check("cat <<EOF\nEOF", "", 0);
    check("cat << EOF\nspace before delimiter\nEOF", "space before delimiter\n", 0);
    // A body larger than a pipe holds.
    check("big=$(head -c 70000 /dev/zero | tr '\\0' x); cat <<EOF | wc -c | tr -d ' '\n$big\nEOF", "70001\n", 0);
    check("cat 3<<EOF <&3\nfd three\nEOF", "fd three\n", 0);
}
