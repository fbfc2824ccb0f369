//! The file tools as a user runs them: ls, cat, mkdir, rm, cp, mv, find,
//! touch, and their error messages and exit statuses.

mod common;

use std::fs;
use std::os::unix::fs::symlink;

use common::{Scratch, run};

#[test]
fn ls_lists_sorted_names_without_hidden_ones() {
    let dir = Scratch::new("ls");
    for name in ["b", "a", ".hidden", "C"] {
        dir.write(name, "");
    }
    let ls = dir.run(tool!("ls"), &[], "");
    assert_eq!((ls.status, ls.stdout.as_str()), (0, "C\na\nb\n"));
    let ls = dir.run(tool!("ls"), &["-a1"], "");
    assert_eq!(ls.stdout, ".\n..\n.hidden\nC\na\nb\n");
}

#[test]
fn ls_long_format() {
    let dir = Scratch::new("ls-long");
    dir.write("file", "hello");
    fs::create_dir(dir.path.join("sub")).unwrap();
    symlink("file", dir.path.join("link")).unwrap();
    let ls = dir.run(tool!("ls"), &["-l"], "");
    assert_eq!(ls.status, 0, "{}", ls.stderr);
    let lines: Vec<&str> = ls.stdout.lines().collect();
    assert!(lines[0].starts_with("total "), "{}", ls.stdout);
    let fields = |line: &str| line.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let file = fields(lines[1]);
    assert!(file[0].starts_with("-rw"), "{}", lines[1]);
    assert_eq!((file[4].as_str(), file[8].as_str()), ("5", "file"));
    // The time is `Mon DD HH:MM` for a file just made.
    assert!(file[7].contains(':'), "{}", lines[1]);
    assert!(lines[2].starts_with('l') && lines[2].ends_with(" link -> file"), "{}", lines[2]);
    assert!(lines[3].starts_with('d') && lines[3].ends_with(" sub"), "{}", lines[3]);
    let ls = dir.run(tool!("ls"), &["-ld", "sub"], "");
    assert!(ls.stdout.starts_with("drwx") && ls.stdout.ends_with(" sub\n"), "{}", ls.stdout);
}

#[test]
fn ls_of_a_missing_file_is_serious_trouble() {
    let dir = Scratch::new("ls-missing");
    dir.write("here", "");
    let ls = dir.run(tool!("ls"), &["here", "gone"], "");
    assert_eq!(ls.status, 2);
    assert_eq!(ls.stdout, "here\n");
    assert_eq!(ls.stderr, "ls: gone: No such file or directory\n");
}

#[test]
fn cat_joins_files_and_standard_input() {
    let dir = Scratch::new("cat");
    dir.write("a", "one\n");
    dir.write("b", "three");
    let cat = dir.run(tool!("cat"), &["a", "-", "b"], "two\n");
    assert_eq!((cat.status, cat.stdout.as_str()), (0, "one\ntwo\nthree"));
}

#[test]
fn cat_reports_a_missing_file_and_goes_on() {
    let cat = run(tool!("cat"), &["/nonexistent"], "");
    assert_eq!(cat.status, 1);
    assert_eq!(cat.stderr, "cat: /nonexistent: No such file or directory\n");
    let dir = Scratch::new("cat-missing");
    dir.write("a", "A\n");
    let cat = dir.run(tool!("cat"), &["missing", "a"], "");
    assert_eq!((cat.status, cat.stdout.as_str()), (1, "A\n"));
    assert_eq!(cat.stderr, "cat: missing: No such file or directory\n");
    let cat = dir.run(tool!("cat"), &["."], "");
    assert_eq!((cat.status, cat.stderr.as_str()), (1, "cat: .: Is a directory\n"));
}

#[test]
fn mkdir_p_then_rm_r() {
    let dir = Scratch::new("mkdir");
    let mkdir = dir.run(tool!("mkdir"), &["-p", "a/b/c", "a/b/d"], "");
    assert_eq!(mkdir.status, 0, "{}", mkdir.stderr);
    assert!(dir.path.join("a/b/c").is_dir() && dir.path.join("a/b/d").is_dir());
    // -p accepts what exists; without it, that is an error.
    assert_eq!(dir.run(tool!("mkdir"), &["-p", "a/b"], "").status, 0);
    let again = dir.run(tool!("mkdir"), &["a"], "");
    assert_eq!((again.status, again.stderr.as_str()), (1, "mkdir: a: File exists\n"));
    dir.write("a/b/c/file", "x");
    let rmdir = dir.run(tool!("rmdir"), &["a/b/c"], "");
    assert_eq!((rmdir.status, rmdir.stderr.as_str()), (1, "rmdir: a/b/c: Directory not empty\n"));
    let rm = dir.run(tool!("rm"), &["a"], "");
    assert_eq!((rm.status, rm.stderr.as_str()), (1, "rm: a: Is a directory\n"));
    let rm = dir.run(tool!("rm"), &["-r", "a"], "");
    assert_eq!(rm.status, 0, "{}", rm.stderr);
    assert!(!dir.path.join("a").exists());
    assert_eq!(dir.run(tool!("rmdir"), &["-p", "x/y"], "").status, 1);
}

#[test]
fn rm_f_and_what_rm_refuses() {
    let dir = Scratch::new("rm");
    let rm = dir.run(tool!("rm"), &["-f", "missing"], "");
    assert_eq!((rm.status, rm.stderr.as_str()), (0, ""));
    let rm = dir.run(tool!("rm"), &["missing"], "");
    assert_eq!((rm.status, rm.stderr.as_str()), (1, "rm: missing: No such file or directory\n"));
    // Inside a directory of the scratch one, so that a broken refusal
    // stays in the scratch directory (/ is left to the unit test).
    let inner = dir.path.join("inner");
    fs::create_dir(&inner).unwrap();
    for refused in [".", "..", "../inner/."] {
        let rm = common::run_in(&inner, tool!("rm"), &["-rf", refused], "");
        assert_eq!(rm.status, 1, "rm -rf {refused}");
        assert!(rm.stderr.contains("refusing"), "{}", rm.stderr);
    }
    assert!(inner.exists());
}

#[test]
fn cp_r_then_mv() {
    let dir = Scratch::new("cp");
    dir.write("src/top.txt", "top\n");
    dir.write("src/deep/inner.txt", "inner\n");
    symlink("top.txt", dir.path.join("src/link")).unwrap();
    let cp = dir.run(tool!("cp"), &["-r", "src", "copy"], "");
    assert_eq!(cp.status, 0, "{}", cp.stderr);
    assert_eq!(dir.read("copy/top.txt"), "top\n");
    assert_eq!(dir.read("copy/deep/inner.txt"), "inner\n");
    assert_eq!(fs::read_link(dir.path.join("copy/link")).unwrap().to_str(), Some("top.txt"));
    // Into an existing directory, under the source's name.
    let cp = dir.run(tool!("cp"), &["src/top.txt", "src/deep/inner.txt", "copy/deep"], "");
    assert_eq!(cp.status, 0, "{}", cp.stderr);
    assert_eq!(dir.read("copy/deep/top.txt"), "top\n");
    let mv = dir.run(tool!("mv"), &["copy", "moved"], "");
    assert_eq!(mv.status, 0, "{}", mv.stderr);
    assert!(!dir.path.join("copy").exists());
    assert_eq!(dir.read("moved/deep/inner.txt"), "inner\n");
    let mv = dir.run(tool!("mv"), &["moved/top.txt", "src"], "");
    assert_eq!(mv.status, 0, "{}", mv.stderr);
    assert!(dir.path.join("src/top.txt").exists() && !dir.path.join("moved/top.txt").exists());
}

#[test]
fn cp_errors() {
    let dir = Scratch::new("cp-errors");
    dir.write("d/f", "x");
    let cp = dir.run(tool!("cp"), &["d", "e"], "");
    assert_eq!(cp.status, 1);
    assert!(cp.stderr.starts_with("cp: d: "), "{}", cp.stderr);
    let cp = dir.run(tool!("cp"), &["-r", "d", "d/inside"], "");
    assert_eq!((cp.status, cp.stderr.as_str()), (1, "cp: d: cannot copy a directory into itself\n"));
    let cp = dir.run(tool!("cp"), &["missing", "e"], "");
    assert_eq!((cp.status, cp.stderr.as_str()), (1, "cp: missing: No such file or directory\n"));
    let cp = dir.run(tool!("cp"), &["d/f"], "");
    assert_eq!(cp.status, 1);
    assert!(cp.stderr.starts_with("cp: missing destination file operand after 'd/f'\n"), "{}", cp.stderr);
    let mv = dir.run(tool!("mv"), &["d/f", "d/f", "nowhere"], "");
    assert_eq!((mv.status, mv.stderr.as_str()), (1, "mv: nowhere: Not a directory\n"));
}

#[test]
fn find_by_name_and_type() {
    let dir = Scratch::new("find");
    dir.write("a.rs", "");
    dir.write("sub/b.rs", "");
    dir.write("sub/c.txt", "");
    symlink("a.rs", dir.path.join("link.rs")).unwrap();
    let sorted = |text: &str| {
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort();
        lines.join(" ")
    };
    let find = dir.run(tool!("find"), &[".", "-name", "*.rs", "-type", "f"], "");
    assert_eq!((find.status, sorted(&find.stdout).as_str()), (0, "./a.rs ./sub/b.rs"));
    let find = dir.run(tool!("find"), &["-type", "d"], "");
    assert_eq!(sorted(&find.stdout), ". ./sub");
    let find = dir.run(tool!("find"), &["sub", "!", "-name", "*.rs"], "");
    assert_eq!(sorted(&find.stdout), "sub sub/c.txt");
    let find = dir.run(tool!("find"), &[".", "-type", "l", "-o", "-name", "c*"], "");
    assert_eq!(sorted(&find.stdout), "./link.rs ./sub/c.txt");
    let find = dir.run(tool!("find"), &["missing", "-name", "x"], "");
    assert_eq!((find.status, find.stderr.as_str()), (1, "find: missing: No such file or directory\n"));
    let find = dir.run(tool!("find"), &[".", "-bogus"], "");
    assert_eq!(find.status, 1);
}

#[test]
fn touch_creates_and_updates() {
    let dir = Scratch::new("touch");
    let touch = dir.run(tool!("touch"), &["new"], "");
    assert_eq!(touch.status, 0, "{}", touch.stderr);
    assert_eq!(fs::metadata(dir.path.join("new")).unwrap().len(), 0);
    assert_eq!(dir.run(tool!("touch"), &["-c", "absent"], "").status, 0);
    assert!(!dir.path.join("absent").exists());
    let touch = dir.run(tool!("touch"), &["no/such/dir/file"], "");
    assert_eq!((touch.status, touch.stderr.as_str()), (1, "touch: no/such/dir/file: No such file or directory\n"));
}

#[test]
fn chmod_octal_symbolic_and_recursive() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("chmod");
    dir.write("f", "");
    dir.write("d/inner", "");
    let mode = |name: &str| fs::metadata(dir.path.join(name)).unwrap().permissions().mode() & 0o7777;
    let chmod = dir.run(tool!("chmod"), &["640", "f"], "");
    assert_eq!(chmod.status, 0, "{}", chmod.stderr);
    assert_eq!(mode("f"), 0o640);
    assert_eq!(dir.run(tool!("chmod"), &["u+x,o=g", "f"], "").status, 0);
    assert_eq!(mode("f"), 0o744);
    assert_eq!(dir.run(tool!("chmod"), &["-w", "f"], "").status, 0);
    assert_eq!(mode("f") & 0o200, 0);
    assert_eq!(dir.run(tool!("chmod"), &["-R", "go=", "d"], "").status, 0);
    assert_eq!((mode("d") & 0o077, mode("d/inner") & 0o077), (0, 0));
    let chmod = dir.run(tool!("chmod"), &["u+q", "f"], "");
    assert_eq!((chmod.status, chmod.stderr.lines().next()), (1, Some("chmod: invalid mode: 'u+q'")));
    let chmod = dir.run(tool!("chmod"), &["+x", "f", "gone"], "");
    assert_eq!((chmod.status, chmod.stderr.as_str()), (1, "chmod: gone: No such file or directory\n"));
    assert_eq!(mode("f") & 0o100, 0o100);
}

#[test]
fn du_and_stat_see_a_file() {
    let dir = Scratch::new("du");
    dir.write("sub/file", &"x".repeat(10_000));
    let du = dir.run(tool!("du"), &["-s", "sub"], "");
    assert_eq!(du.status, 0, "{}", du.stderr);
    let (size, name) = du.stdout.trim_end().split_once('\t').unwrap();
    assert!(size.parse::<u64>().unwrap() >= 8 && name == "sub", "{}", du.stdout);
    // Without -s: each directory, and an operand that is a file.
    let du = dir.run(tool!("du"), &["sub", "sub/file"], "");
    let names: Vec<&str> = du.stdout.lines().filter_map(|l| l.split_once('\t')).map(|(_, n)| n).collect();
    assert_eq!(names, ["sub", "sub/file"], "{}", du.stdout);
    let stat = dir.run(tool!("stat"), &["sub/file"], "");
    assert!(stat.stdout.contains("  File: sub/file\n") && stat.stdout.contains("Size: 10000 "), "{}", stat.stdout);
    assert!(stat.stdout.contains("regular file") && stat.stdout.contains("-rw"), "{}", stat.stdout);
}
