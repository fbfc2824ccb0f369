//! The text tools as a user runs them, in pipelines' place: grep, sort,
//! uniq, wc, cut, tr, head, tail, tee, printf, echo, od, hexdump.

mod common;

use common::{Scratch, run};

const LINES: &str = "apple\nBanana\ncherry\napple pie\n";

#[test]
fn grep_selects_lines() {
    let grep = |args: &[&str]| run(tool!("grep"), args, LINES);
    let found = grep(&["apple"]);
    assert_eq!((found.status, found.stdout.as_str()), (0, "apple\napple pie\n"));
    assert_eq!(grep(&["-i", "banana"]).stdout, "Banana\n");
    assert_eq!(grep(&["-v", "a"]).stdout, "cherry\n");
    assert_eq!(grep(&["-vi", "an"]).stdout, "apple\ncherry\napple pie\n");
    assert_eq!(grep(&["-n", "e$"]).stdout, "1:apple\n4:apple pie\n");
    assert_eq!(grep(&["-c", "an"]).stdout, "1\n");
    assert_eq!(grep(&["^[a-c]"]).stdout, "apple\ncherry\napple pie\n");
    assert_eq!(grep(&["p\\{2\\}"]).stdout, "apple\napple pie\n");
    assert_eq!(grep(&["-E", "^(cherry|Banana)$"]).stdout, "Banana\ncherry\n");
    assert_eq!(grep(&["-e", "cherry", "-e", "Ban"]).stdout, "Banana\ncherry\n");
    assert_eq!(grep(&["-F", "e p"]).stdout, "apple pie\n");
    let quiet = grep(&["-q", "cherry"]);
    assert_eq!((quiet.status, quiet.stdout.as_str()), (0, ""));
}

#[test]
fn grep_status_tells_what_happened() {
    let none = run(tool!("grep"), &["durian"], LINES);
    assert_eq!((none.status, none.stdout.as_str()), (1, ""));
    let missing = run(tool!("grep"), &["x", "/nonexistent"], "");
    assert_eq!((missing.status, missing.stderr.as_str()), (2, "grep: /nonexistent: No such file or directory\n"));
    assert_eq!(run(tool!("grep"), &["-s", "x", "/nonexistent"], "").stderr, "");
    assert_eq!(run(tool!("grep"), &[], "").status, 2);
    assert_eq!(run(tool!("grep"), &["-E", "a("], "").status, 2);
}

#[test]
fn grep_several_files() {
    let dir = Scratch::new("grep");
    dir.write("one", "red\nblue\n");
    dir.write("two", "green\nred\n");
    let grep = dir.run(tool!("grep"), &["red", "one", "two"], "");
    assert_eq!(grep.stdout, "one:red\ntwo:red\n");
    assert_eq!(dir.run(tool!("grep"), &["-l", "blue", "one", "two"], "").stdout, "one\n");
    assert_eq!(dir.run(tool!("grep"), &["-c", "e", "one", "two"], "").stdout, "one:2\ntwo:2\n");
    assert_eq!(dir.run(tool!("grep"), &["-h", "red", "one", "two"], "").stdout, "red\nred\n");
}

#[test]
fn sort_orders() {
    let sort = |args: &[&str], input: &str| run(tool!("sort"), args, input).stdout;
    assert_eq!(sort(&[], "pear\napple\nBanana\n"), "Banana\napple\npear\n");
    assert_eq!(sort(&["-r"], "a\nc\nb"), "c\nb\na\n");
    assert_eq!(sort(&["-n"], "10\n9\n-2\n100\n"), "-2\n9\n10\n100\n");
    assert_eq!(sort(&["-nr"], "10\n9\n100\n"), "100\n10\n9\n");
    assert_eq!(sort(&["-u"], "b\na\nb\na\n"), "a\nb\n");
    let missing = run(tool!("sort"), &["/nonexistent"], "");
    assert_eq!((missing.status, missing.stderr.as_str()), (2, "sort: /nonexistent: No such file or directory\n"));
}

#[test]
fn uniq_runs() {
    let input = "a\na\nb\nc\nc\nc\na\n";
    assert_eq!(run(tool!("uniq"), &[], input).stdout, "a\nb\nc\na\n");
    assert_eq!(run(tool!("uniq"), &["-c"], input).stdout, "      2 a\n      1 b\n      3 c\n      1 a\n");
    assert_eq!(run(tool!("uniq"), &["-d"], input).stdout, "a\nc\n");
    assert_eq!(run(tool!("uniq"), &["-u"], input).stdout, "b\na\n");
}

#[test]
fn wc_counts() {
    let text = "one two\nthree\n";
    assert_eq!(run(tool!("wc"), &["-l"], text).stdout, "2\n");
    assert_eq!(run(tool!("wc"), &["-w"], text).stdout, "3\n");
    assert_eq!(run(tool!("wc"), &["-c"], text).stdout, "14\n");
    assert_eq!(run(tool!("wc"), &[], text).stdout, " 2  3 14\n");
    let dir = Scratch::new("wc");
    dir.write("a", "x\n");
    dir.write("b", "y\nz\n");
    assert_eq!(dir.run(tool!("wc"), &["-l", "a", "b"], "").stdout, "1 a\n2 b\n3 total\n");
}

#[test]
fn cut_fields_and_characters() {
    let cut = |args: &[&str], input: &str| run(tool!("cut"), args, input);
    assert_eq!(cut(&["-d:", "-f1,3"], "root:x:0:0\nme:x:1000:1000\n").stdout, "root:0\nme:1000\n");
    assert_eq!(cut(&["-f2"], "a\tb\tc\n").stdout, "b\n");
    assert_eq!(cut(&["-d", ",", "-f", "2-"], "a,b,c\nnone\n").stdout, "b,c\nnone\n");
    assert_eq!(cut(&["-d,", "-s", "-f1"], "a,b\nnone\n").stdout, "a\n");
    assert_eq!(cut(&["-c", "1-3"], "abcdef\n").stdout, "abc\n");
    assert_eq!(cut(&["-c2"], "héllo\n").stdout, "é\n");
    assert_eq!(cut(&[], "").status, 1);
    assert_eq!(cut(&["-f", "0"], "").status, 1);
}

#[test]
fn tr_translates_deletes_squeezes() {
    let tr = |args: &[&str], input: &str| run(tool!("tr"), args, input).stdout;
    assert_eq!(tr(&["a-z", "A-Z"], "Hello, World\n"), "HELLO, WORLD\n");
    assert_eq!(tr(&["[:lower:]", "[:upper:]"], "abc\n"), "ABC\n");
    assert_eq!(tr(&["-d", "[:digit:]"], "a1b2c3\n"), "abc\n");
    assert_eq!(tr(&["-s", " "], "a    b  c\n"), "a b c\n");
    assert_eq!(tr(&["-cs", "[:alpha:]", "\\n"], "one, two;  three\n"), "one\ntwo\nthree\n");
    assert_eq!(run(tool!("tr"), &["a"], "").status, 1);
}

#[test]
fn head_and_tail() {
    let text: String = (1..=12).map(|n| format!("{n}\n")).collect();
    let head = |args: &[&str]| run(tool!("head"), args, &text).stdout;
    let tail = |args: &[&str]| run(tool!("tail"), args, &text).stdout;
    assert_eq!(head(&[]).lines().count(), 10);
    assert_eq!(head(&["-n", "2"]), "1\n2\n");
    assert_eq!(head(&["-3"]), "1\n2\n3\n");
    assert_eq!(head(&["-c", "3"]), "1\n2");
    assert_eq!(tail(&[]).lines().next(), Some("3"));
    assert_eq!(tail(&["-n", "2"]), "11\n12\n");
    assert_eq!(tail(&["-2"]), "11\n12\n");
    assert_eq!(tail(&["-n", "+11"]), "11\n12\n");
    assert_eq!(tail(&["-c", "3"]), "12\n");
    let dir = Scratch::new("head");
    dir.write("a", "A\n");
    dir.write("b", "B\n");
    assert_eq!(dir.run(tool!("head"), &["a", "b"], "").stdout, "==> a <==\nA\n\n==> b <==\nB\n");
    let bad = run(tool!("head"), &["-n", "x"], "");
    assert_eq!(bad.status, 1);
    assert!(bad.stderr.starts_with("head: invalid number of lines: 'x'\n"), "{}", bad.stderr);
}

#[test]
fn tee_copies() {
    let dir = Scratch::new("tee");
    let tee = dir.run(tool!("tee"), &["out"], "first\n");
    assert_eq!((tee.status, tee.stdout.as_str()), (0, "first\n"));
    dir.run(tool!("tee"), &["-a", "out"], "second\n");
    assert_eq!(dir.read("out"), "first\nsecond\n");
    let tee = dir.run(tool!("tee"), &["no/dir/file"], "x\n");
    assert_eq!((tee.status, tee.stdout.as_str()), (1, "x\n"));
    assert_eq!(tee.stderr, "tee: no/dir/file: No such file or directory\n");
}

#[test]
fn printf_and_echo() {
    let printf = run(tool!("printf"), &["%s=%d\\n", "a", "1", "b", "2"], "");
    assert_eq!((printf.status, printf.stdout.as_str()), (0, "a=1\nb=2\n"));
    assert_eq!(run(tool!("printf"), &["[%5s|%-3x|%03o|%c]", "ab", "255", "8", "xyz"], "").stdout, "[   ab|ff |010|x]");
    let bad = run(tool!("printf"), &["%d\\n", "12abc"], "");
    assert_eq!((bad.status, bad.stdout.as_str()), (1, "0\n"));
    assert_eq!(bad.stderr, "printf: 12abc: expected a numeric value\n");
    assert_eq!(run(tool!("printf"), &[], "").status, 1);
    assert_eq!(run(tool!("echo"), &["a", "b"], "").stdout, "a b\n");
    assert_eq!(run(tool!("echo"), &["-n", "a"], "").stdout, "a");
    assert_eq!(run(tool!("echo"), &["-e", "a\\tb\\n\\x41"], "").stdout, "a\tb\nA\n");
    assert_eq!(run(tool!("echo"), &["-x", "a\\tb"], "").stdout, "-x a\\tb\n");
}

#[test]
fn od_and_hexdump() {
    assert_eq!(run(tool!("od"), &["-c"], "hi\n").stdout, "0000000   h   i  \\n\n0000003\n");
    assert_eq!(run(tool!("od"), &["-An", "-x"], "hello\n").stdout, " 6568 6c6c 0a6f\n");
    assert_eq!(
        run(tool!("hexdump"), &["-C"], "hello\n").stdout,
        "00000000  68 65 6c 6c 6f 0a                                 |hello.|\n00000006\n"
    );
}
