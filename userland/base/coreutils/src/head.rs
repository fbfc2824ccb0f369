//! head: the first lines or bytes of files.

use std::io::{BufRead, BufReader, Read, Write};

use crate::common::{
    CopyError, FAILURE, SUCCESS, Tool, copy, expand_line_count, input_name, inputs, open_input, stdout,
    write_file_header,
};

const TOOL: Tool = Tool {
    name: "head",
    usage: "Usage: head [-n LINES | -c BYTES] [FILE]...
Write the first 10 lines of each FILE (standard input for '-' or none),
with a '==> FILE <==' header when there are several.

  -n LINES  the first LINES lines (-LINES is the same)
  -c BYTES  the first BYTES bytes
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(&expand_line_count(args), "n:c:") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let by_bytes = opts.last_of("nc") == Some('c');
    let count = match (by_bytes, opts.value('n'), opts.value('c')) {
        (true, _, Some(bytes)) => TOOL.count("bytes", bytes),
        (false, Some(lines), _) => TOOL.count("lines", lines),
        _ => Ok(10),
    };
    let count = match count {
        Ok(count) => count,
        Err(status) => return status,
    };
    let files = inputs(&opts.operands);
    let mut out = stdout();
    let mut status = SUCCESS;
    for (i, path) in files.iter().enumerate() {
        if files.len() > 1
            && let Err(err) = write_file_header(&mut out, path, i == 0)
        {
            return TOOL.write_error(&err);
        }
        let copied = match open_input(path) {
            Ok(mut input) if by_bytes => copy(&mut input, &mut out, count),
            Ok(input) => copy_lines(input, &mut out, count, *path == "-"),
            Err(err) => Err(CopyError::Read(err)),
        };
        match copied {
            Ok(()) => {}
            Err(CopyError::Read(err)) => {
                let _ = out.flush();
                TOOL.error(input_name(path), &err);
                status = FAILURE;
            }
            Err(CopyError::Write(err)) => return TOOL.write_error(&err),
        }
    }
    match out.flush() {
        Ok(()) => status,
        Err(err) => TOOL.write_error(&err),
    }
}

/// Copies the first `count` lines of `input`; standard input (`stdin`)
/// is left just past them where it can seek.
fn copy_lines(input: Box<dyn Read>, out: &mut dyn Write, count: u64, stdin: bool) -> Result<(), CopyError> {
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    for _ in 0..count {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(CopyError::Read)? == 0 {
            break;
        }
        out.write_all(&line).map_err(CopyError::Write)?;
    }
    if stdin {
        crate::sys::unread_stdin(input.buffer().len());
    }
    Ok(())
}
