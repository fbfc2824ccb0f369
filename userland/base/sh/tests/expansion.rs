//! Quoting and the expansions: parameters, command substitution,
//! arithmetic, field splitting, globbing.

mod common;
use common::*;

#[test]
fn quoting() {
    check(r#"echo 'a b' "c  d" e\ f"#, "a b c  d e f\n", 0);
    check(r#"echo 'it''s' "in\"ner" 'back\slash' "\$x" '$x'"#, "its in\"ner back\\slash $x $x\n", 0);
    check(r#"echo "a\b" "\\" \\ \$"#, "a\\b \\ \\ $\n", 0);
    check("echo a\\\nb", "ab\n", 0);
    check("echo \"a\nb\"", "a\nb\n", 0);
    check("echo '' \"\" x | od -c | head -1 | tr -s ' '", "0000000 x \\n\n", 0);
    check("set -- '' \"\"; echo $#", "2\n", 0);
    check("echo if then fi { }", "if then fi { }\n", 0);
    check("echo a#b #comment", "a#b\n", 0);
}

#[test]
fn parameters() {
    check("x=hello; echo $x ${x} ${x}world \"$x\"", "hello hello helloworld hello\n", 0);
    check("echo \"[$unset]\" [$unset]", "[] []\n", 0);
    check("echo ${u:-def} ${u-d2} ${e:=set} $e", "def d2 set set\n", 0);
    check("e=; echo \"${e:-empty}\" \"${e-unset}\" \"${e:+alt}\" \"${e+alt}\"", "empty   alt\n", 0);
    check("x=1; echo ${x:+alt} ${y:+alt}end", "alt end\n", 0);
    check("echo \"${x:-\"quoted default\"}\" ${y:-'single'}", "quoted default single\n", 0);
    check("set -- ${u:-a b}; echo $#; set -- \"${u:-a b}\"; echo $#", "2\n1\n", 0);
    check(
        "f=dir/file.tar.gz; echo ${f%.*} ${f%%.*} ${f#*/} ${f##*.} ${#f}",
        "dir/file.tar dir/file file.tar.gz gz 15\n",
        0,
    );
    check("x=abc; echo ${x#\"a\"} ${x%'c'} ${x#*}", "bc ab abc\n", 0);
    check(": ${z:=assigned}; echo $z", "assigned\n", 0);
    check("echo ${x=1} $x", "1 1\n", 0);
    check("a=1; unset a; echo \"${a-unset}\"", "unset\n", 0);
    check("s='${x}'; echo \"${s#\\$\\{}\" \"${s%\\}}\"", "x} ${x\n", 0);
    check("x=${y:-${z:-nested}}; echo $x", "nested\n", 0);
}

#[test]
fn bash_substring_and_replacement() {
    check("x=hello; echo ${x:1} ${x:1:3} ${x: -2} ${x:0:-1}", "ello ell lo hell\n", 0);
    check("f=a.b.c; echo ${f/./_} ${f//./_} ${f/#a/A} ${f/%c/C}", "a_b.c a_b_c A.b.c a.b.C\n", 0);
}

#[test]
fn parameter_errors() {
    let out = run("echo ${x:?is missing}; echo after");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "sh: x: is missing\n");
    assert_eq!(out.status, 2);
    let out = run("echo ${x?}");
    assert_eq!(out.stderr, "sh: x: parameter not set\n");
    let out = run("set -u; echo $nosuch; echo after");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "sh: nosuch: parameter not set\n");
    assert_eq!(out.status, 2);
    check("set -u; echo \"$@\" ${x:-ok}", "ok\n", 0);
}

#[test]
fn special_parameters() {
    check("true; echo $?; false; echo $?", "0\n1\n", 0);
    check("echo $$ | grep -c '^[0-9][0-9]*$'", "1\n", 0);
    check("echo $$ > a; sh -c 'echo $PPID' > b; cmp -s a b && echo same", "same\n", 0);
    check("sleep 0 & echo $! | grep -c '^[0-9][0-9]*$'", "1\n", 0);
    check("set -- a b c; echo $# ${#} $1$2$3", "3 3 abc\n", 0);
    check("set -e; case $- in *e*) echo errexit;; esac", "errexit\n", 0);
    let dir = tempdir();
    let out = run_in(&dir, &["-c", "echo $0 $1 $2", "zero", "one", "two"], None);
    assert_eq!(out.stdout, "zero one two\n");
}

#[test]
fn positional_parameters() {
    check("set -- a 'b c' d; for i in \"$@\"; do echo \"[$i]\"; done", "[a]\n[b c]\n[d]\n", 0);
    check("set -- a 'b c' d; for i in $*; do echo \"<$i>\"; done", "<a>\n<b>\n<c>\n<d>\n", 0);
    check("set -- a 'b c' d; echo \"$*\"; IFS=-; echo \"$*\"", "a b c d\na-b c-d\n", 0);
    check("set --; for i in \"$@\"; do echo x; done; echo end", "end\n", 0);
    check("set -- '' ''; for i in \"$@\"; do echo \"[$i]\"; done", "[]\n[]\n", 0);
    check("set -- a b; echo \"x$@y\"; for i in \"x$@y\"; do echo $i; done", "xa by\nxa\nby\n", 0);
    check("set -- 1 2 3 4 5 6 7 8 9 10 11; echo $10 ${10} ${11}", "10 10 11\n", 0);
    check("set -- 1 2 3 4 5; shift; echo $1 $#; shift 2; echo $@", "2 4\n4 5\n", 0);
    check("set -- a b c; echo ${#@} ${#*}", "3 3\n", 0);
    check("f() { echo $#: $*; }; f; f a; f \"a b\" c", "0:\n1: a\n2: a b c\n", 0);
}

#[test]
fn command_substitution() {
    check("echo $(echo a; echo b) \"$(echo c; echo; echo)\" end", "a b c end\n", 0);
    check("echo `echo back \\`echo tick\\``", "back tick\n", 0);
    check("echo $(echo nested $(echo deeper $(echo deepest)))", "nested deeper deepest\n", 0);
    check("echo \"$(echo \"nested \\\"quotes\\\"\")\"", "nested \"quotes\"\n", 0);
    check("echo \"$(echo 'a)')\" $(case a in a) echo paren-case;; esac)", "a) paren-case\n", 0);
    check("v=$(printf 'a\\n\\n\\n'); echo \"[$v]\"", "[a]\n", 0);
    check("x=$(exit 4); echo $?", "4\n", 0);
    check("echo $(cat <<EOF\ninside\nEOF\n)", "inside\n", 0);
    check("x=`echo a   b`; echo \"$x\"; echo \"`echo \"in bq\"`\"", "a b\nin bq\n", 0);
    check("echo $( (echo sub) )", "sub\n", 0);
    check("echo $(for i in 1 2 3; do echo $i; done | tr '\\n' ,)", "1,2,3,\n", 0);
    check("x=$(echo out; echo err >&2) 2>/dev/null; echo $x", "out\n", 0);
}

#[test]
fn arithmetic() {
    check("echo $((1+2*3)) $(( (1+2)*3 )) $((10/3)) $((10%3)) $((-7/2)) $((-7%2))", "7 9 3 1 -3 -1\n", 0);
    check("echo $((2>1)) $((2<1)) $((3>=3)) $((1==1)) $((1!=1)) $((!0)) $((~0))", "1 0 1 1 0 1 -1\n", 0);
    check("echo $((1&&0)) $((0||3)) $((6&3)) $((6|3)) $((6^3)) $((1<<4)) $((256>>4))", "0 1 2 7 5 16 16\n", 0);
    check("x=5; y=3; echo $((x*y)) $(($x+$y)) $((x-y-1))", "15 8 1\n", 0);
    check("echo $((unset_var + 1))", "1\n", 0);
    check("echo $(( 5 > 3 ? 10 : 20 )) $((0x10 + 010 + 2#11))", "10 27\n", 0);
    check("x=10; echo $((x += 5)) $x; echo $((x++)) $x $((--x))", "15 15\n15 16 15\n", 0);
    check("echo $((x = 7)); echo $x", "7\n7\n", 0);
    check("echo $(( $(echo 3) + 4 )) $((2 ** 10))", "7 1024\n", 0);
    check("a=3; e='a * 2'; echo $((e + 1))", "7\n", 0);
    let out = run("echo $((1/0)); echo after");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("division by zero"), "{}", out.stderr);
    assert_eq!(out.status, 2);
    let out = run("echo $((1 +))");
    assert!(out.stderr.contains("syntax error"), "{}", out.stderr);
}

#[test]
fn field_splitting() {
    check("x='1  2'; echo $x; echo \"$x\"", "1 2\n1  2\n", 0);
    check("x=' a b '; set -- $x; echo $#", "2\n", 0);
    check("IFS=:; x=a:b::c; for i in $x; do echo \"[$i]\"; done", "[a]\n[b]\n[]\n[c]\n", 0);
    check(
        "IFS=' ,'; x=' ,a , b,,c '; set -- $x; echo $#; for i; do echo \"[$i]\"; done",
        "5\n[]\n[a]\n[b]\n[]\n[c]\n",
        0,
    );
    check("IFS=; x='a b'; set -- $x; echo $#", "1\n", 0);
    check("printf '[%s]\\n' $(echo 'a   b')", "[a]\n[b]\n", 0);
    check("x='a:b'; IFS=:; echo $x; echo \"$x\"", "a b\na:b\n", 0);
    check("unset IFS; x='a  b'; set -- $x; echo $#", "2\n", 0);
    check("x=\"\"; set -- $x; echo $#; set -- \"$x\"; echo $#", "0\n1\n", 0);
}

#[test]
fn tilde() {
    let dir = tempdir();
    let d = dir.to_string_lossy().to_string();
    let out = run_in(&dir, &["-c", "echo ~ ~/x '~' \"~\" a~; P=~/bin:~/sbin; echo $P"], None);
    assert_eq!(out.stdout, format!("{d} {d}/x ~ ~ a~\n{d}/bin:{d}/sbin\n"));
    check("echo ~root | grep -c '^/'", "1\n", 0);
}

#[test]
fn globbing() {
    let dir = tempdir();
    for f in ["a.c", "b.c", "c.h", ".hidden", "d1/x.txt", "d1/y.c", "d1/sub/z.txt", "d2/q.txt"] {
        let p = dir.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "").unwrap();
    }
    let g = |script: &str, expect: &str| {
        let out = run_in(&dir, &["-c", script], None);
        assert_eq!(out.stdout, expect, "{script}");
    };
    g("echo *.c", "a.c b.c\n");
    g("echo *", "a.c b.c c.h d1 d2\n");
    g("echo .*", ".hidden\n");
    g("echo ?.h [ab].c [!a].c [a-b].c", "c.h a.c b.c b.c a.c b.c\n");
    g("echo d1/*", "d1/sub d1/x.txt d1/y.c\n");
    g("echo */*.txt", "d1/x.txt d2/q.txt\n");
    g("echo */", "d1/ d2/\n");
    g("echo d*/s*/*", "d1/sub/z.txt\n");
    g("echo *.none \"*.c\" '*'.c \\*.c", "*.none *.c *.c *.c\n");
    g("x='*.c'; echo $x \"$x\"", "a.c b.c *.c\n");
    g("set -f; echo *.c; set +f; echo *.h", "*.c\nc.h\n");
    g("for f in *.c; do echo \"file $f\"; done", "file a.c\nfile b.c\n");
    g("echo [[:alpha:]].[ch]", "a.c b.c c.h\n");
    g(&format!("echo {}/*.h", dir.display()), &format!("{}/c.h\n", dir.display()));
}

#[test]
fn case_patterns() {
    check("case abc in a*) echo starts;; *) echo no;; esac", "starts\n", 0);
    check("case x in a|x) echo ax;; esac; case '*' in \\*) echo star;; esac", "ax\nstar\n", 0);
    check(
        "x='a*'; case abc in $x) echo globmatch;; esac; case abc in \"$x\") echo no;; *) echo quoted;; esac",
        "globmatch\nquoted\n",
        0,
    );
    check("case b in [abc]) echo bracket;; esac; case 5 in [!0-4]) echo high;; esac", "bracket\nhigh\n", 0);
    check("case '' in '') echo empty;; esac; case x in ?) echo one;; esac", "empty\none\n", 0);
    check("case foo in f??) echo ok;; esac; case foo in f?) echo no;; *) echo default;; esac", "ok\ndefault\n", 0);
    check("case x in (x) echo parens;; esac", "parens\n", 0);
    check("case nope in a) echo a;; esac; echo $?", "0\n", 0);
}
