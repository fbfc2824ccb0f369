//! `cargo tern test`'s `ports` group: the ports ([`crate::ports`]) run on
//! Tern, their output compared with the same commands run on the host
//! (the same binaries run on Linux).
//!
//! One batch run does it all. The harness writes the inputs (a tree of
//! [`TREE_DIRS`] × [`TREE_FILES`] text files, a table, a word list, a Lua
//! script and a busybox shell script, all generated the same way each
//! time) and a driver script, `run.sh`, that runs each of [`CASES`] with
//! its output and exit status in a file of `out/`. The directory goes on
//! the disk at [`GUEST_DIR`] and `cd GUEST_DIR && sh run.sh` is the
//! command; a copy of it runs on the host with `sh`, the ports' cache
//! first on `PATH`. After the run the harness takes `out/` off the disk
//! (mtools) and compares it, file by file, with the host's: one test per
//! case (`ports: rg -c`), so a failure names the command. A few cases
//! have a fixed expectation instead, where the host's answer is the
//! host's own (its users). Then `tar -t` and `tar -x` on the host read the
//! archive busybox made on Tern.
//!
//! On Tern the commands are found through the default `PATH` of `--exec`
//! runs (`lua`, `rg`, `busybox`), and in pipelines with busybox's applets
//! (`busybox sort`) on both sides, so that no host utility answers for
//! Tern's.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::artifacts::Artifacts;
use crate::paths::Paths;
use crate::report::{Group, Outcome};
use crate::{cmd, qemu, root_disk};

/// Where the inputs and the driver go on Tern.
const GUEST_DIR: &str = "/root/ports";
/// The directories of the generated tree, and the files in each.
const TREE_DIRS: usize = 40;
const TREE_FILES: usize = 50;
/// How long the run may take (it boots once; most of the time is
/// starting busybox and rg, some ninety times).
const TIMEOUT: Duration = Duration::from_secs(600);
/// The directory the archive test packs, and the archive's name in `out/`.
const TAR_DIR: &str = "tree/d05";
const TAR_FILE: &str = "d05.tar";

/// What a case's output is compared with.
enum Expect {
    /// The same command's output on the host.
    Host,
    /// This text (the output, then `exit N`).
    Text(&'static str),
}

/// One command of the driver: its test name, its shell text (run in
/// the inputs' directory) and what its output must be.
struct Case {
    name: &'static str,
    command: &'static str,
    expect: Expect,
}

const fn host(name: &'static str, command: &'static str) -> Case {
    Case { name, command, expect: Expect::Host }
}

const CASES: &[Case] = &[
    host("rg -c", "rg -c 'qu[a-z]+k' tree | busybox sort"),
    host("rg -l -i", "rg -l -i 'FOX JUMPS' tree | busybox sort"),
    host("rg --files | sort", "rg --files tree | busybox sort"),
    host("rg -n -w --sort path", "rg -n -w --sort path lazy tree/d01"),
    host("rg in a pipeline", "busybox cat data.txt | rg -i 'BERLIN' | rg -c ',7'; rg --files tree | rg -c '7\\.txt$'"),
    host("rg no match", "rg -c nosuchwordanywhere tree"),
    host("lua script.lua", "LUA_TEST=from-env lua script.lua one 'two three'"),
    host("lua -e", "lua -e 'print(_VERSION, #arg, (\"ab\"):rep(3))'"),
    host(
        "busybox sed",
        "busybox sed -n 's/^\\([a-z]*\\)[0-9]*,\\([0-9]*\\),/\\2 \\1 /p' data.txt | busybox head -40; busybox sed '1~3d;s/a/A/g;/^b/q' words.txt",
    ),
    host(
        "busybox awk",
        "busybox awk -F, '{n[$3] += $2; c[$3]++} END {for (k in n) printf \"%s %d %.2f\\n\", k, n[k], n[k] / c[k]}' data.txt | busybox sort",
    ),
    host(
        "busybox sort",
        "busybox sort -t, -k2,2n -k1,1 data.txt | busybox head -50; busybox sort -r -u words.txt | busybox tail -20",
    ),
    host(
        "busybox uniq",
        "busybox sort words.txt | busybox uniq -c | busybox sort -k1,1nr -k2 | busybox head -20; busybox sort words.txt | busybox uniq -d | busybox wc -l",
    ),
    host(
        "busybox cut",
        "busybox cut -d, -f1,3 data.txt | busybox tail -30; busybox cut -c2-4 words.txt | busybox head",
    ),
    host(
        "busybox tr",
        "busybox tr 'a-z' 'A-Z' < words.txt | busybox tr -d 'AEIOU' | busybox tr -s 'LR' | busybox head -30",
    ),
    host("busybox md5sum", "busybox md5sum data.txt words.txt tree/d07/f07.txt"),
    host("busybox sha256sum", "busybox sha256sum data.txt words.txt tree/d07/f07.txt"),
    host("busybox od", "busybox od -A x -t x1 -N 64 data.txt; busybox od -c -N 32 words.txt"),
    host(
        "busybox find",
        "busybox find tree -name 'f1*.txt' -type f | busybox sort | busybox head -30; busybox find tree -type d | busybox sort | busybox wc -l",
    ),
    host(
        "busybox xargs",
        "busybox find tree/d03 -type f | busybox sort | busybox xargs busybox wc -l | busybox tail -5; echo a b c d e | busybox xargs -n 2 echo",
    ),
    host(
        "busybox gzip | gunzip",
        "busybox gzip -c < words.txt | busybox gunzip | busybox md5sum; busybox gzip -9 < data.txt | busybox wc -c",
    ),
    host(
        "busybox gzip and gunzip files",
        "busybox cp data.txt work/d.txt && busybox gzip work/d.txt && busybox ls work && busybox gunzip -c work/d.txt.gz | busybox md5sum && busybox gunzip work/d.txt.gz && busybox cmp work/d.txt data.txt && echo same",
    ),
    host("busybox tar -cf", "busybox tar -cf out/d05.tar tree/d05 && busybox tar -tf out/d05.tar | busybox sort"),
    host("busybox sh script", "busybox sh script.sh one 'two three' four"),
    host(
        "busybox grep, wc, head, tail",
        "busybox grep -c fox data.txt words.txt; busybox grep -n -i '^QU' words.txt | busybox head -5; busybox wc data.txt words.txt; busybox tail -n 3 data.txt",
    ),
    host(
        "busybox mkdir, touch, mv, rm, rmdir, ls -R",
        "busybox mkdir -p work/a/b/c && busybox touch work/a/b/c/f && busybox mv work/a/b/c/f work/a/g && busybox ls -R work/a && busybox rm -r work/a/b && busybox rm -f work/a/g && busybox rmdir work/a && busybox ls work",
    ),
    host(
        "busybox echo, printf, seq, paste, expr, basename, dirname",
        "busybox echo -n a; busybox echo b; busybox printf '%05.1f|%-4s|%x\\n' 3.14159 ab 255; busybox seq 3 2 11 | busybox paste -s -d+; busybox expr 6 \\* 7; busybox basename /a/b/c.txt .txt; busybox dirname /a/b/c.txt",
    ),
    host("busybox date -d", "busybox date -u -d @86400 '+%Y-%m-%d %H:%M:%S %A'"),
    host(
        "busybox sha1sum, base64, nl, rev, fold",
        "busybox sha1sum words.txt; busybox head -c 100 data.txt | busybox base64; busybox head -5 words.txt | busybox nl; busybox head -3 words.txt | busybox rev; busybox head -c 60 data.txt | busybox fold -w 20",
    ),
    host(
        "busybox tee, comm, dd",
        "busybox sort -u words.txt | busybox head -20 | busybox tee work/w1 > /dev/null; busybox sort -u words.txt | busybox sed -n '10,30p' > work/w2; busybox comm -12 work/w1 work/w2 | busybox wc -l; busybox paste -d: work/w1 work/w2 | busybox head -3; busybox dd if=data.txt bs=10 count=3 2>/dev/null | busybox wc -c",
    ),
    host(
        "busybox test, [, stat",
        "busybox test -f data.txt && busybox test ! -d data.txt && echo tests-ok; busybox [ 3 -lt 5 ] && echo bracket-ok; busybox stat -c '%s %n' data.txt",
    ),
    host(
        "busybox du, df, ps",
        "busybox du -s tree | busybox awk '{print ($1 > 0), $2}'; busybox df -P -k / | busybox awk 'NR == 2 {print ($2 > 0), ($3 <= $2)}'; busybox ps | busybox awk 'NR == 1 {print $1, $NF}'",
    ),
    host(
        "busybox sleep, env, uname, pwd, yes, realpath",
        "busybox sleep 0.1 && echo slept; X=y busybox env | busybox grep '^X='; busybox uname -m; (cd tree && busybox pwd) | busybox sed 's,.*/,,'; busybox yes ab | busybox head -3; busybox realpath tree/d01/../d02 | busybox sed 's,.*/\\(tree/.*\\),\\1,'",
    ),
    host("busybox hexdump, cksum", "busybox hexdump -C -n 48 data.txt; busybox cksum words.txt"),
    Case {
        name: "busybox whoami, id",
        command: "busybox whoami; busybox id",
        expect: Expect::Text("root\nuid=0(root) gid=0(root)\nexit 0\n"),
    },
    Case {
        name: "busybox ls -l names the owner",
        command: "busybox ls -l data.txt | busybox awk '{print $3, $4}'",
        expect: Expect::Text("root root\nexit 0\n"),
    },
];

/// The Lua script: strings, tables, closures, coroutines, files, and the
/// `os` calls that reach the system.
const LUA_SCRIPT: &str = r##"-- run by `lua script.lua one 'two three'` with LUA_TEST set
print("args", #arg, arg[1], arg[2])
local s = "The quick brown fox jumps over the lazy dog"
print(s:upper(), #s, s:find("fox"), s:match("(%a+) dog"))
print((s:gsub("%w+", function(w) return w:sub(1, 1) end)))
print(string.format("%5.2f|%-6s|%x|%q|%g", math.pi, "ab", 255, "a\"b", 1e20))
local t = {}
for w in s:gmatch("%a+") do t[#t + 1] = w:lower() end
table.sort(t)
print(table.concat(t, ","), #t)
local counts = {}
for _, w in ipairs(t) do counts[#w] = (counts[#w] or 0) + 1 end
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, "=", counts[k], " ") end
print()
local function counter(step)
  local n = 0
  return function() n = n + step; return n end
end
local c3, c5 = counter(3), counter(5)
print(c3(), c3(), c5(), c3())
local gen = coroutine.wrap(function(n)
  for i = 1, n do coroutine.yield(i * i) end
  return "done"
end)
print(gen(4), gen(), gen(), gen(), gen())
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  return c * 2
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.status(co), coroutine.resume(co))
local f = assert(io.open("work/lua.txt", "w"))
for i = 1, 5 do f:write("line ", i, "\n") end
f:close()
f = assert(io.open("work/lua.txt", "a"))
f:write("appended\n")
f:close()
local lines = {}
for line in io.lines("work/lua.txt") do lines[#lines + 1] = line end
print(#lines, lines[1], lines[#lines])
f = assert(io.open("work/lua.txt"))
print(f:read("l"), f:read("n"), #f:read("a"))
f:close()
print(os.remove("work/lua.txt"))
print(io.open("work/lua.txt"))
print(os.remove("work/lua.txt"))
print(os.getenv("LUA_TEST"), os.getenv("HOME"), os.getenv("NO_SUCH_VARIABLE"))
local now = os.time()
print(type(now), now > 1700000000, os.difftime(os.time(), now) >= 0)
print(os.time({year = 2024, month = 2, day = 29, hour = 12}), os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365))
io.stdout:flush()
print(os.execute("echo from the shell; exit 3"))
print(os.execute())
print(io.popen("echo popen works"):read("l"))
print(select(2, pcall(error, {code = 7})).code)
print(select("#", pcall(error)))
"##;

/// The busybox shell script: functions, arguments, loops, arithmetic,
/// parameter expansion, here-documents, pipelines, subshells, traps.
const SH_SCRIPT: &str = r##"# run by `busybox sh script.sh one 'two three' four`
echo "args $# [$1] [$2] [$*]"
greet() { local who=$1; echo "hello, $who ($#)"; return 4; }
greet world extra; echo "greet said $?"
total=0
for i in 1 2 3 4 5; do total=$((total + i * i)); done
echo "total $total"
n=0
while [ $n -lt 3 ]; do n=$((n + 1)); echo "n=$n"; done
path=/a/b/c.tar.gz
echo "${path##*/} ${path%.gz} ${path#/a} ${#path} ${unset:-default}"
case "$2" in two*) echo "case matched";; *) echo "no match";; esac
while read -r word count; do echo "$count:$word"; done <<EOF
alpha 1
beta 2
EOF
echo "sub $(echo nested $(echo deeper))"
printf '%s\n' c a b | busybox sort | busybox tr '\n' ' '; echo
here=$PWD; (cd tree/d02 && pwd | busybox sed 's|.*/tree|tree|'); [ "$PWD" = "$here" ] && echo "the subshell's cd stayed there"
cd work && echo "in $(basename "$PWD")" && cd ..
set -- x y; shift; echo "after shift $# $1"
trap 'echo trapped exit' EXIT
false || echo "or works"
true && echo "and works"
exit 5
"##;

/// Runs the group on Tern (`artifacts`' disk carries the ports) and on
/// the host, and compares.
pub fn tests(paths: &Paths, artifacts: &Artifacts, accel: qemu::Accel) -> Result<Group> {
    println!("== ports (lua, rg, busybox on Tern, compared with the host)");
    let mut group = Group::new("ports");
    if !artifacts.ports.missing.is_empty() {
        let missing = artifacts.ports.missing.join(", ");
        group.record("ports: the ports are built".into(), Err(format!("not in the cache: {missing}")));
        return Ok(group);
    }
    let dir = paths.build.join("ports-test");
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let (tern, on_host) = (dir.join("tern"), dir.join("host"));
    for inputs in [&tern, &on_host] {
        write_inputs(inputs)?;
    }

    let log = paths.logs().join("ports.log");
    let command = format!("cd {GUEST_DIR} && sh run.sh");
    let adds = [(tern.clone(), GUEST_DIR.to_string())];
    let batch = crate::batch_run(paths, artifacts, accel, &command, &adds, TIMEOUT, &log, false)?;
    let tern_out = dir.join("tern-out");
    let fetched = root_disk::get_file(&batch.disk, &format!("{GUEST_DIR}/out"), &tern_out);
    let ran = match (&fetched, batch.status) {
        (Ok(()), Some(0)) => Ok(()),
        (Ok(()), status) => Err(format!("the driver ended with {status:?} ({:?}; log: {})", batch.end, log.display())),
        (Err(e), _) => Err(format!("{e:#} ({:?}; log: {})", batch.end, log.display())),
    };
    record(&mut group, "the driver ran on Tern", ran);

    let ports_bin = artifacts.ports.files[0].0.parent().context("a port's file has a directory")?.to_path_buf();
    let host_run = cmd::output(
        Command::new("sh")
            .arg("run.sh")
            .current_dir(&on_host)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", ports_bin.display()))
            .env("HOME", "/"),
    )?;
    let host_out = on_host.join("out");
    record(
        &mut group,
        "the driver ran on the host",
        if host_run.status.success() { Ok(()) } else { Err(format!("it ended with {}", host_run.status)) },
    );

    for (i, case) in CASES.iter().enumerate() {
        let file = out_file(i);
        let tern = fs::read_to_string(tern_out.join(&file)).unwrap_or_default();
        let outcome = match &case.expect {
            Expect::Host => compare(&tern, &fs::read_to_string(host_out.join(&file)).unwrap_or_default()),
            Expect::Text(text) => compare(&tern, text),
        };
        record(&mut group, case.name, outcome);
    }
    let archive = tern_out.join(TAR_FILE);
    record(&mut group, "tar -t on the host lists the archive made on Tern", tar_lists(&archive, &host_out));
    record(&mut group, "tar -x on the host unpacks the archive made on Tern", tar_unpacks(&archive, &on_host, &dir));
    Ok(group)
}

/// Records one test of the group and prints its line.
fn record(group: &mut Group, test: &str, outcome: Outcome) {
    let name = format!("ports: {test}");
    match &outcome {
        Ok(()) => println!("   ok     {name}"),
        Err(reason) => println!("   FAILED {name}: {}", reason.lines().next().unwrap_or_default()),
    }
    group.record(name, outcome);
}

/// The file of `out/` case `i` writes.
fn out_file(i: usize) -> String {
    format!("{i:02}")
}

/// `Ok` when Tern's output is the expected one; otherwise the first line
/// that differs.
fn compare(tern: &str, expected: &str) -> Outcome {
    if tern == expected {
        return Ok(());
    }
    let (mut t, mut e) = (tern.lines(), expected.lines());
    for line in 1.. {
        match (t.next(), e.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (a, b) => {
                let show = |l: Option<&str>| l.map_or("(the end)".to_string(), |l| format!("`{l}`"));
                return Err(format!("line {line}: Tern {} , expected {}", show(a), show(b)));
            }
        }
    }
    unreachable!("the outputs differ, so some line does")
}

/// The driver: each case's output and status in `out/NN`.
fn driver() -> String {
    let mut text = String::from(
        "# The ports' test driver, written by cargo tern (image/src/port_tests.rs).\n\
         TZ=UTC0\nLC_ALL=C\nexport TZ LC_ALL\nmkdir out work\n",
    );
    for (i, case) in CASES.iter().enumerate() {
        let file = out_file(i);
        writeln!(text, "# {}\n{{ {}\n}} > out/{file} 2>&1\necho \"exit $?\" >> out/{file}", case.name, case.command)
            .expect("writing to a String");
    }
    text
}

/// A small deterministic generator (the inputs must be the same each time).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const WORDS: &[&str] = &[
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Fox", "QUICK", "quack", "alpha", "beta", "gamma",
    "delta", "lorem", "ipsum", "tern", "kernel", "berlin", "paris", "rust", "lua", "busybox", "quirk", "Lazy",
];
const CITIES: &[&str] = &["berlin", "paris", "oslo", "lima", "Berlin", "cairo", "quito"];

/// Writes the inputs and the driver into `dir`.
fn write_inputs(dir: &Path) -> Result<()> {
    let mut rng = Lcg(6);
    for d in 0..TREE_DIRS {
        let sub = dir.join(format!("tree/d{d:02}"));
        fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
        for f in 0..TREE_FILES {
            let mut text = String::new();
            for _ in 0..3 + rng.below(10) {
                let words: Vec<&str> = (0..2 + rng.below(8)).map(|_| rng.pick(WORDS)).collect();
                text.push_str(&words.join(" "));
                text.push('\n');
            }
            write(&sub.join(format!("f{f:02}.txt")), &text)?;
        }
    }
    let data: String = (0..300)
        .map(|i| format!("{}{i},{},{}\n", rng.pick(WORDS).to_lowercase(), rng.below(1000), rng.pick(CITIES)))
        .collect();
    write(&dir.join("data.txt"), &data)?;
    let words: String = (0..500).map(|_| format!("{}\n", rng.pick(WORDS))).collect();
    write(&dir.join("words.txt"), &words)?;
    write(&dir.join("script.lua"), LUA_SCRIPT)?;
    write(&dir.join("script.sh"), SH_SCRIPT)?;
    write(&dir.join("run.sh"), &driver())
}

fn write(file: &Path, text: &str) -> Result<()> {
    fs::write(file, text).with_context(|| format!("writing {}", file.display()))
}

/// The host's `tar -tf` of `archive`, sorted.
fn tar_listing(archive: &Path) -> Result<Vec<String>, String> {
    let output = Command::new("tar").arg("-tf").arg(archive).output().map_err(|e| format!("tar: {e}"))?;
    if !output.status.success() {
        return Err(format!("tar -tf {} failed: {}", archive.display(), String::from_utf8_lossy(&output.stderr)));
    }
    let mut names: Vec<String> = String::from_utf8_lossy(&output.stdout).lines().map(String::from).collect();
    names.sort();
    Ok(names)
}

/// The host's `tar -t` lists the archive made on Tern as it lists the one
/// the same busybox made on the host.
fn tar_lists(archive: &Path, host_out: &Path) -> Outcome {
    let tern = tar_listing(archive)?;
    let host = tar_listing(&host_out.join(TAR_FILE))?;
    if tern.len() != TREE_FILES + 1 {
        return Err(format!("{} entries, expected {}", tern.len(), TREE_FILES + 1));
    }
    compare(&tern.join("\n"), &host.join("\n"))
}

/// The host's `tar -x` of the archive made on Tern gives back the files
/// it packed.
fn tar_unpacks(archive: &Path, inputs: &Path, scratch: &Path) -> Outcome {
    let into = scratch.join("unpacked");
    fs::create_dir_all(&into).map_err(|e| format!("creating {}: {e}", into.display()))?;
    let status = Command::new("tar").arg("-xf").arg(archive).arg("-C").arg(&into).status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        return Err(format!("tar -xf {} failed: {status:?}", archive.display()));
    }
    for f in 0..TREE_FILES {
        let name = PathBuf::from(TAR_DIR).join(format!("f{f:02}.txt"));
        let (got, packed) = (fs::read(into.join(&name)), fs::read(inputs.join(&name)));
        match (got, packed) {
            (Ok(got), Ok(packed)) if got == packed => {}
            (got, _) => {
                return Err(format!("{} came out different ({} bytes)", name.display(), got.map_or(0, |g| g.len())));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_names_its_line() {
        assert_eq!(compare("a\nb\n", "a\nb\n"), Ok(()));
        assert_eq!(compare("a\nc\n", "a\nb\n"), Err("line 2: Tern `c` , expected `b`".into()));
        assert_eq!(compare("a\n", "a\nb\n"), Err("line 2: Tern (the end) , expected `b`".into()));
        assert!(compare("a\n", "a").is_err());
    }

    #[test]
    fn the_driver_runs_every_case_into_its_own_file() {
        let driver = driver();
        for (i, case) in CASES.iter().enumerate() {
            assert!(driver.contains(&format!("{{ {}\n}} > out/{i:02} 2>&1\n", case.command)), "{}", case.name);
        }
        let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CASES.len(), "two cases share a name");
        assert!(CASES.iter().any(|c| c.command.contains(&format!("out/{TAR_FILE} {TAR_DIR}"))));
    }

    #[test]
    fn the_inputs_are_the_same_each_time() {
        let dir = std::env::temp_dir().join(format!("tern-port-inputs-{}", std::process::id()));
        write_inputs(&dir.join("a")).unwrap();
        write_inputs(&dir.join("b")).unwrap();
        for file in ["data.txt", "words.txt", "tree/d39/f49.txt", "run.sh"] {
            assert_eq!(fs::read(dir.join("a").join(file)).unwrap(), fs::read(dir.join("b").join(file)).unwrap());
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
