//! cp: copy files and directory trees. Its tree copy also serves mv
//! across file systems.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use crate::common::{CopyError, FAILURE, SUCCESS, Tool, copy};
use crate::sys;

const TOOL: Tool = Tool {
    name: "cp",
    usage: "Usage: cp [-r] SOURCE DEST
  or:  cp [-r] SOURCE... DIRECTORY
Copy SOURCE to DEST, or each SOURCE into DIRECTORY.

  -r  copy directories and everything in them, symbolic links as links
      (-R is the same)
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "rR") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let recursive = opts.has('r') || opts.has('R');
    let pairs = match targets(&TOOL, &opts.operands) {
        Ok(pairs) => pairs,
        Err(status) => return status,
    };
    let mut status = SUCCESS;
    for (source, target) in pairs {
        if !copy_path(&source, &target, recursive, &TOOL) {
            status = FAILURE;
        }
    }
    status
}

/// The (source, target) pairs of cp's and mv's operands: `SOURCE DEST`, or
/// sources going into the directory named last. `Err` is the status after
/// a reported usage error.
pub fn targets(tool: &Tool, operands: &[String]) -> Result<Vec<(PathBuf, PathBuf)>, i32> {
    let Some((dest, sources)) = operands.split_last().filter(|(_, sources)| !sources.is_empty()) else {
        return Err(tool.usage_error(match operands.first() {
            None => "missing file operand".to_string(),
            Some(only) => format!("missing destination file operand after '{only}'"),
        }));
    };
    let into_dir = fs::metadata(dest).is_ok_and(|meta| meta.is_dir());
    if sources.len() > 1 && !into_dir {
        tool.error(dest, &io::Error::from_raw_os_error(sys::ENOTDIR));
        return Err(FAILURE);
    }
    Ok(sources
        .iter()
        .map(|source| {
            let source = PathBuf::from(source);
            let target = match source.file_name() {
                Some(name) if into_dir => Path::new(dest).join(name),
                _ => PathBuf::from(dest),
            };
            (source, target)
        })
        .collect())
}

/// Copies `source` to `target`; with `recursive`, directories with all
/// they hold and symbolic links as links. Failures are reported as `tool`;
/// returns whether everything was copied.
pub fn copy_path(source: &Path, target: &Path, recursive: bool, tool: &Tool) -> bool {
    let meta = if recursive { fs::symlink_metadata(source) } else { fs::metadata(source) };
    let meta = match meta {
        Ok(meta) => meta,
        Err(err) => {
            tool.error(source.display(), &err);
            return false;
        }
    };
    if meta.is_dir() {
        if !recursive {
            tool.fail(format_args!("{}: is a directory (not copied without -r)", source.display()));
            return false;
        }
        if is_within(target, source) {
            tool.fail(format_args!("{}: cannot copy a directory into itself", source.display()));
            return false;
        }
        return copy_dir(source, target, &meta, tool);
    }
    if meta.file_type().is_symlink() {
        let linked = fs::read_link(source).and_then(|points_to| symlink(points_to, target));
        return linked.map_err(|err| tool.error(target.display(), &err)).is_ok();
    }
    if fs::metadata(target).is_ok_and(|t| t.dev() == meta.dev() && t.ino() == meta.ino()) {
        tool.fail(format_args!("{} and {} are the same file", source.display(), target.display()));
        return false;
    }
    copy_file(source, target, &meta, tool)
}

fn copy_file(source: &Path, target: &Path, meta: &Metadata, tool: &Tool) -> bool {
    let mut input = match File::open(source) {
        Ok(file) => file,
        Err(err) => {
            tool.error(source.display(), &err);
            return false;
        }
    };
    // A new file gets the source's permissions (less the umask); an
    // existing one keeps its own, as with POSIX cp.
    let output = OpenOptions::new().write(true).create(true).truncate(true).mode(meta.mode() & 0o7777).open(target);
    let mut output = match output {
        Ok(file) => file,
        Err(err) => {
            tool.error(target.display(), &err);
            return false;
        }
    };
    match copy(&mut input, &mut output, u64::MAX) {
        Ok(()) => true,
        Err(CopyError::Read(err)) => {
            tool.error(source.display(), &err);
            false
        }
        Err(CopyError::Write(err)) => {
            tool.error(target.display(), &err);
            false
        }
    }
}

fn copy_dir(source: &Path, target: &Path, meta: &Metadata, tool: &Tool) -> bool {
    match fs::create_dir(target) {
        Ok(()) => {}
        Err(_) if fs::metadata(target).is_ok_and(|t| t.is_dir()) => {}
        Err(err) => {
            tool.error(target.display(), &err);
            return false;
        }
    }
    let entries = match fs::read_dir(source) {
        Ok(entries) => entries,
        Err(err) => {
            tool.error(source.display(), &err);
            return false;
        }
    };
    let mut complete = true;
    for entry in entries {
        match entry {
            Ok(entry) => complete &= copy_path(&entry.path(), &target.join(entry.file_name()), true, tool),
            Err(err) => {
                tool.error(source.display(), &err);
                complete = false;
            }
        }
    }
    // The source's permissions last, so that a read-only directory could
    // be filled first.
    let mode = fs::Permissions::from_mode(meta.mode() & 0o7777);
    complete && fs::set_permissions(target, mode).map_err(|err| tool.error(target.display(), &err)).is_ok()
}

/// Whether `target` (which may not exist yet) is `dir` or lies inside it:
/// copying a directory there would never end.
fn is_within(target: &Path, dir: &Path) -> bool {
    let Ok(dir) = fs::canonicalize(dir) else { return false };
    let target = fs::canonicalize(target).or_else(|_| {
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Ok::<_, io::Error>(fs::canonicalize(parent)?.join(target.file_name().unwrap_or_default()))
    });
    target.is_ok_and(|target| target.starts_with(&dir))
}
