//! sh: the POSIX shell of the Tern userland.
//!
//! ```text
//! sh [-eiluvxfCm] [-o option] [script [arg...]]
//! sh [options] -c command [arg0 [arg...]]
//! sh [options] -s [arg...]
//! ```
//!
//! Without a script or command it reads commands from standard input: as
//! an interactive shell (prompt, line editing, history, job control) when
//! that is a terminal.

mod arith;
mod ast;
mod builtins;
mod exec;
mod expand;
mod glob;
mod input;
mod jobs;
mod lexer;
mod lineedit;
mod parser;
mod shell;
mod sys;

use shell::{Flow, OPTION_NAMES, Shell};

fn usage() -> ! {
    let _ = sys::write_str(
        1,
        "usage: sh [-eiluvxfCm] [-o option] [script [arg ...]]\n       \
         sh [options] -c command [arg0 [arg ...]]\n       \
         sh [options] -s [arg ...]\n",
    );
    std::process::exit(0)
}

fn die(msg: &str, status: i32) -> ! {
    let _ = sys::write_str(2, &format!("sh: {msg}\n"));
    std::process::exit(status)
}

/// Runs a start-up file if it exists; `exit` in it ends the shell.
fn run_file(sh: &mut Shell, path: &str) {
    let Ok(bytes) = std::fs::read(path) else { return };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if let Err(Flow::Exit(s)) = sh.run_string(&text) {
        let s = sh.finish(s);
        std::process::exit(s);
    }
}

fn main() {
    // Rust ignores SIGPIPE; programs the shell starts must not inherit that.
    sys::set_signal(libc::SIGPIPE, sys::Disposition::Default);
    // Nor its stack-overflow handlers: `kill -SEGV $$` must kill the shell.
    sys::set_signal(libc::SIGSEGV, sys::Disposition::Default);
    sys::set_signal(libc::SIGBUS, sys::Disposition::Default);
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| "sh".into());
    let mut sh = Shell::new();
    let mut login = argv0.starts_with('-');
    let mut command_mode = false;
    let mut stdin_mode = false;
    let mut force_interactive = false;
    let mut options: Vec<(char, bool)> = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--" | "-" => {
                i += 1;
                break;
            }
            "--help" => usage(),
            "--login" => {
                login = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        let on = a.starts_with('-');
        if !(on || a.starts_with('+')) || a.len() < 2 {
            break;
        }
        for c in a[1..].chars() {
            match c {
                'c' if on => command_mode = true,
                's' if on => stdin_mode = true,
                'i' => force_interactive = on,
                'l' => login = on,
                'o' => {
                    i += 1;
                    let Some(name) = args.get(i) else { die("-o: option name required", 2) };
                    match OPTION_NAMES.iter().find(|(n, _)| n == name) {
                        Some((_, c)) => options.push((*c, on)),
                        None => die(&format!("{name}: invalid option name"), 2),
                    }
                }
                'a' | 'e' | 'f' | 'm' | 'n' | 'u' | 'v' | 'x' | 'C' => options.push((c, on)),
                _ => die(&format!("{}{c}: invalid option", &a[..1]), 2),
            }
        }
        i += 1;
    }
    let rest = &args[i.min(args.len())..];
    let mut command = None;
    let mut script = None;
    sh.arg0 = argv0;
    if command_mode {
        let Some(c) = rest.first() else { die("-c: option requires an argument", 2) };
        command = Some(c.clone());
        if let Some(a0) = rest.get(1) {
            sh.arg0 = a0.clone();
        }
        sh.positional = rest.get(2..).map(|r| r.to_vec()).unwrap_or_default();
    } else if !stdin_mode && !rest.is_empty() {
        script = Some(rest[0].clone());
        sh.arg0 = rest[0].clone();
        sh.positional = rest[1..].to_vec();
    } else {
        sh.positional = rest.to_vec();
    }

    let interactive = force_interactive || (command.is_none() && script.is_none() && sys::isatty(0) && sys::isatty(2));
    if interactive {
        sh.init_interactive();
    }
    for (c, on) in options {
        sh.set_option(c, on);
    }
    if login {
        run_file(&mut sh, "/etc/profile");
        if let Some(home) = sh.get("HOME") {
            run_file(&mut sh, &format!("{}/.profile", home.trim_end_matches('/')));
        }
    }
    if interactive && let Some(env) = sh.get("ENV") {
        let word = vec![ast::WordPart::Lit(env.clone())];
        let path = expand::expand_string(&mut sh, &word).unwrap_or(env);
        run_file(&mut sh, &path);
    }

    let status = if let Some(c) = command {
        sh.run_main(Box::new(lexer::StrSource::new(&c)))
    } else if let Some(path) = script {
        let found = if path.contains('/') || sys::stat(&path).is_some() {
            path.clone()
        } else {
            sh.find_in_path(&path).unwrap_or_else(|| path.clone())
        };
        let bytes = match std::fs::read(&found) {
            Ok(b) => b,
            Err(e) => {
                let code = e.raw_os_error().unwrap_or(libc::ENOENT);
                let status = if code == libc::ENOENT { 127 } else { 126 };
                die(&format!("{path}: {}", sys::strerror(code)), status)
            }
        };
        sh.script = Some(path);
        sh.run_main(Box::new(lexer::StrSource::new(&String::from_utf8_lossy(&bytes))))
    } else if sh.opts.interactive && sys::isatty(0) {
        let src = input::InteractiveSource::new(sh.prompts.clone());
        sh.run_main(Box::new(src))
    } else {
        sh.run_main(Box::new(input::FdSource::new(0)))
    };
    std::process::exit(status & 0xff)
}
