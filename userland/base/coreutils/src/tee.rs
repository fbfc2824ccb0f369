//! tee: copy standard input to standard output and to files.

use std::fs::OpenOptions;
use std::io::{self, Read, Write};

use crate::common::{FAILURE, SUCCESS, Tool};

const TOOL: Tool = Tool {
    name: "tee",
    usage: "Usage: tee [-a] [FILE]...
Copy standard input to standard output and to each FILE.

  -a  append to the FILEs instead of replacing what they hold
",
    usage_status: FAILURE,
};

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "a") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let mut status = SUCCESS;
    // Each output with its name; one that fails is reported once and
    // dropped, and the others go on.
    let mut outputs: Vec<(String, Box<dyn Write>)> =
        vec![("standard output".to_string(), Box::new(io::stdout().lock()))];
    for path in &opts.operands {
        let file =
            OpenOptions::new().write(true).create(true).append(opts.has('a')).truncate(!opts.has('a')).open(path);
        match file {
            Ok(file) => outputs.push((path.clone(), Box::new(file))),
            Err(err) => {
                TOOL.error(path, &err);
                status = FAILURE;
            }
        }
    }
    let mut input = io::stdin().lock();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return status,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                TOOL.error("standard input", &err);
                return FAILURE;
            }
        };
        outputs.retain_mut(|(name, out)| match out.write_all(&buf[..n]).and_then(|()| out.flush()) {
            Ok(()) => true,
            Err(err) => {
                TOOL.error(name, &err);
                status = FAILURE;
                false
            }
        });
    }
}
