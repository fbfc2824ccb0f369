//! Rust std's file API on Tern, as a ported program uses it: directories,
//! files written and read back, metadata, listing, rename, copy, links,
//! permissions, lengths, appending, and the working directory. Prints
//! `test: rust_fs/<name> ...` lines and exits with 0 when all passed.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use tern_rust_tests::{ensure, report, status};

const SUITE: &str = "rust_fs";
const ROOT: &str = "/tmp/rust-fs";

fn io<T>(what: &str, result: std::io::Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

fn write_and_read() -> Result<(), String> {
    io("create_dir_all", fs::create_dir_all(format!("{ROOT}/a/b")))?;
    let path = format!("{ROOT}/a/b/hello.txt");
    io("write", fs::write(&path, "hello from std\n"))?;
    let text = io("read_to_string", fs::read_to_string(&path))?;
    ensure(text == "hello from std\n", || format!("read back {text:?}"))
}

fn metadata() -> Result<(), String> {
    let path = format!("{ROOT}/a/b/hello.txt");
    let meta = io("metadata", fs::metadata(&path))?;
    ensure(meta.is_file() && meta.len() == 15, || format!("file {} len {}", meta.is_file(), meta.len()))?;
    let dir = io("metadata of a directory", fs::metadata(format!("{ROOT}/a")))?;
    ensure(dir.is_dir(), || "not a directory".into())?;
    let modified = io("modified", meta.modified())?;
    let age = std::time::SystemTime::now().duration_since(modified).unwrap_or_default();
    ensure(age.as_secs() < 600, || format!("modified {age:?} ago"))
}

fn listing() -> Result<(), String> {
    for name in ["one", "two", "three"] {
        io("write", fs::write(format!("{ROOT}/{name}"), name))?;
    }
    let mut names: Vec<String> = io("read_dir", fs::read_dir(ROOT))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| e.to_string())?;
    names.sort();
    ensure(names == ["a", "one", "three", "two"], || format!("listed {names:?}"))
}

fn rename_copy_remove() -> Result<(), String> {
    io("rename", fs::rename(format!("{ROOT}/one"), format!("{ROOT}/uno")))?;
    ensure(!Path::new(&format!("{ROOT}/one")).exists(), || "the old name is still there".into())?;
    let copied = io("copy", fs::copy(format!("{ROOT}/uno"), format!("{ROOT}/copy")))?;
    let text = io("read copy", fs::read_to_string(format!("{ROOT}/copy")))?;
    ensure(copied == 3 && text == "one", || format!("copied {copied}: {text:?}"))?;
    io("remove_file", fs::remove_file(format!("{ROOT}/copy")))?;
    let gone = fs::metadata(format!("{ROOT}/copy")).map(|_| ()).map_err(|e| e.kind());
    ensure(gone == Err(std::io::ErrorKind::NotFound), || format!("after remove: {gone:?}"))
}

fn links_and_permissions() -> Result<(), String> {
    io("symlink", std::os::unix::fs::symlink("uno", format!("{ROOT}/link")))?;
    let target = io("read_link", fs::read_link(format!("{ROOT}/link")))?;
    let through = io("read through the link", fs::read_to_string(format!("{ROOT}/link")))?;
    ensure(target == Path::new("uno") && through == "one", || format!("{target:?} {through:?}"))?;
    io("hard_link", fs::hard_link(format!("{ROOT}/uno"), format!("{ROOT}/hard")))?;
    let links = io("metadata", fs::metadata(format!("{ROOT}/uno")))?.nlink();
    ensure(links == 2, || format!("{links} links"))?;
    io("set_permissions", fs::set_permissions(format!("{ROOT}/uno"), fs::Permissions::from_mode(0o600)))?;
    let mode = io("metadata", fs::metadata(format!("{ROOT}/uno")))?.permissions().mode();
    ensure(mode & 0o777 == 0o600, || format!("mode {mode:o}"))
}

fn lengths_seeks_appends() -> Result<(), String> {
    let path = format!("{ROOT}/data");
    let mut file = io("create", File::create(&path))?;
    io("write", file.write_all(b"0123456789"))?;
    io("set_len", file.set_len(4))?;
    io("seek", file.seek(SeekFrom::Start(8)))?;
    io("write past the end", file.write_all(b"x"))?;
    drop(file);
    let mut appender = io("append", OpenOptions::new().append(true).open(&path))?;
    io("append write", appender.write_all(b"!"))?;
    drop(appender);
    let mut bytes = Vec::new();
    io("read", io("open", File::open(&path))?.read_to_end(&mut bytes))?;
    ensure(bytes == b"0123\0\0\0\0x!", || format!("{bytes:?}"))
}

fn working_directory() -> Result<(), String> {
    io("set_current_dir", std::env::set_current_dir(format!("{ROOT}/a")))?;
    let cwd = io("current_dir", std::env::current_dir())?;
    let relative = io("relative read", fs::read_to_string("b/hello.txt"))?;
    let canonical = io("canonicalize", fs::canonicalize("b/../b/hello.txt"))?;
    io("back to /", std::env::set_current_dir("/"))?;
    ensure(cwd == Path::new("/tmp/rust-fs/a"), || format!("cwd {cwd:?}"))?;
    ensure(relative == "hello from std\n", || format!("relative read {relative:?}"))?;
    ensure(canonical == Path::new("/tmp/rust-fs/a/b/hello.txt"), || format!("canonical {canonical:?}"))
}

fn cleanup() -> Result<(), String> {
    io("remove_dir_all", fs::remove_dir_all(ROOT))?;
    ensure(!Path::new(ROOT).exists(), || "still there".into())
}

fn main() {
    report(SUITE, "write_and_read", write_and_read());
    report(SUITE, "metadata", metadata());
    report(SUITE, "listing", listing());
    report(SUITE, "rename_copy_remove", rename_copy_remove());
    report(SUITE, "links_and_permissions", links_and_permissions());
    report(SUITE, "lengths_seeks_appends", lengths_seeks_appends());
    report(SUITE, "working_directory", working_directory());
    report(SUITE, "cleanup", cleanup());
    std::process::exit(status());
}
