//! A client for QEMU's human monitor (HMP) on a Unix socket
//! (`-monitor unix:<path>,server=on,wait=off`, see [`crate::qemu::Machine`]).
//!
//! The monitor talks like a terminal: on connecting it prints a banner and
//! the prompt `(qemu) `; it echoes each command as it reads it (with
//! cursor-movement escapes), then prints the command's output, then the
//! prompt again. A command's answer is what lies between the end of the
//! echoed line and the prompt. Every read has a deadline, so a monitor that
//! stops answering (QEMU gone or stuck) is an error, never a hang.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

const PROMPT: &[u8] = b"(qemu) ";

/// How long to wait for QEMU to open its socket, and for one answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);

pub struct Monitor {
    stream: UnixStream,
    timeout: Duration,
}

impl Monitor {
    /// Connects to the monitor at `socket`, trying again until `timeout`
    /// passes (QEMU creates the socket while it starts), and reads the
    /// banner up to the first prompt.
    pub fn connect(socket: &Path, timeout: Duration) -> Result<Monitor> {
        let deadline = Instant::now() + timeout;
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(stream) => break stream,
                Err(e)
                    if Instant::now() < deadline
                        && matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) =>
                {
                    thread::sleep(Duration::from_millis(20));
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("connecting to the QEMU monitor at {}", socket.display()));
                }
            }
        };
        let mut monitor = Monitor { stream, timeout };
        monitor.read_to_prompt().context("reading the QEMU monitor's banner")?;
        Ok(monitor)
    }

    /// Runs one monitor command; its output (without the echo and the
    /// prompt, lines joined by `\n`, empty when the command printed
    /// nothing).
    pub fn command(&mut self, command: &str) -> Result<String> {
        if command.contains(['\n', '\r']) {
            bail!("a monitor command is one line: {command:?}");
        }
        self.stream
            .write_all(format!("{command}\n").as_bytes())
            .with_context(|| format!("sending `{command}` to the QEMU monitor"))?;
        let reply = self.read_to_prompt().with_context(|| format!("waiting for the answer to `{command}`"))?;
        Ok(answer(&reply))
    }

    /// Runs a command that prints nothing when it succeeds; what it
    /// prints is the error.
    pub fn command_quiet(&mut self, command: &str) -> Result<()> {
        let answer = self.command(command)?;
        if !answer.is_empty() {
            bail!("QEMU monitor: `{command}`: {answer}");
        }
        Ok(())
    }

    /// Presses and releases `keys` (a `sendkey` argument: key names joined
    /// by `-` are held together).
    pub fn send_key(&mut self, keys: &str) -> Result<()> {
        self.command_quiet(&format!("sendkey {keys}"))
    }

    /// Saves `len` bytes of guest physical memory from `address` into
    /// `file` (which QEMU writes).
    pub fn save_memory(&mut self, address: u64, len: u64, file: &Path) -> Result<()> {
        let file = file.to_str().with_context(|| format!("{} is not UTF-8", file.display()))?;
        self.command_quiet(&format!("pmemsave {address:#x} {len} {}", quoted(file)))
    }

    /// Reads until what came ends with the prompt; returns all of it.
    fn read_to_prompt(&mut self) -> Result<Vec<u8>> {
        let deadline = Instant::now() + self.timeout;
        let mut reply = Vec::new();
        let mut buffer = [0u8; 4096];
        while !reply.ends_with(PROMPT) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!("no prompt from the QEMU monitor within {} s", self.timeout.as_secs());
            }
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut buffer) {
                Ok(0) => bail!("the QEMU monitor closed the connection"),
                Ok(n) => reply.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {}
                Err(e) => return Err(e).context("reading from the QEMU monitor"),
            }
        }
        Ok(reply)
    }
}

/// A command's answer in `reply` (everything the monitor sent after the
/// command, up to and including the prompt): the lines after the echoed
/// command line, before the prompt, without escape sequences and `\r`.
fn answer(reply: &[u8]) -> String {
    let reply = reply.strip_suffix(PROMPT).unwrap_or(reply);
    let text = strip_escapes(&String::from_utf8_lossy(reply));
    let output = text.split_once('\n').map_or("", |(_echo, rest)| rest);
    output.lines().map(|line| line.trim_end()).collect::<Vec<_>>().join("\n").trim().to_string()
}

/// `text` without ANSI escape sequences (`ESC [ params letter`) and `\r`.
fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.next() == Some('[') {
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() || c == '~' {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// `text` as a quoted monitor argument (QEMU's HMP reads `\\` and `\"`
/// inside double quotes).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;

    use super::*;

    /// What QEMU 7.2 sends for `sendkey a`: the echo, redrawn after each
    /// character, then the prompt.
    const SENDKEY_REPLY: &[u8] =
        b"s\x1b[K\x1b[Dse\x1b[K\x1b[D\x1b[Dsen\x1b[K\x1b[D\x1b[D\x1b[Dsendkey a\x1b[K\r\n(qemu) ";

    #[test]
    fn a_quiet_command_answers_nothing() {
        assert_eq!(answer(SENDKEY_REPLY), "");
        assert_eq!(answer(b"QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) "), "");
    }

    #[test]
    fn output_lies_between_the_echo_and_the_prompt() {
        let reply =
            b"xp /4hx 0xb8000\x1b[K\r\n00000000000b8000: 0x0742 0x076f\r\n00000000000b8004: 0x076f 0x0774\r\n(qemu) ";
        assert_eq!(answer(reply), "00000000000b8000: 0x0742 0x076f\n00000000000b8004: 0x076f 0x0774");
        let error = b"sendkey f\x1b[K\x1b[Dsendkey foo\x1b[K\r\ninvalid parameter: foo\r\n(qemu) ";
        assert_eq!(answer(error), "invalid parameter: foo");
    }

    #[test]
    fn escapes_and_carriage_returns_are_dropped() {
        assert_eq!(strip_escapes("a\x1b[Kb\x1b[12Dc\r\nd\x1b[1~"), "abc\nd");
    }

    #[test]
    fn arguments_are_quoted() {
        assert_eq!(quoted("/b/logs/x.screen"), "\"/b/logs/x.screen\"");
        assert_eq!(quoted("/a b/\"q\"\\"), "\"/a b/\\\"q\\\"\\\\\"");
    }

    /// A fake monitor: banner, then for each command line, the echo, an
    /// answer and the prompt, split in small writes.
    #[test]
    fn talks_to_a_monitor_over_a_socket() {
        let dir = std::env::temp_dir().join(format!("tern-monitor-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("m.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).unwrap();
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.write_all(b"QEMU 7.2.22 monitor - type 'help' for more information\r\n(qe").unwrap();
            thread::sleep(Duration::from_millis(20));
            stream.write_all(b"mu) ").unwrap();
            let mut line = Vec::new();
            let mut byte = [0u8];
            while stream.read(&mut byte).unwrap() == 1 {
                if byte[0] != b'\n' {
                    line.push(byte[0]);
                    continue;
                }
                let command = String::from_utf8(std::mem::take(&mut line)).unwrap();
                if command == "hang" {
                    // Connected but silent.
                    thread::sleep(Duration::from_millis(500));
                    return;
                }
                let output = if command == "info version" { "7.2.22\r\n" } else { "" };
                stream.write_all(format!("{command}\x1b[K\r\n").as_bytes()).unwrap();
                stream.write_all(format!("{output}(qemu) ").as_bytes()).unwrap();
            }
        });
        let mut monitor = Monitor::connect(&socket, TIMEOUT).unwrap();
        assert_eq!(monitor.command("info version").unwrap(), "7.2.22");
        monitor.send_key("shift-a").unwrap();
        assert!(monitor.command("two\nlines").is_err());
        monitor.timeout = Duration::from_millis(100);
        let started = Instant::now();
        let error = monitor.command("hang").unwrap_err();
        assert!(format!("{error:#}").contains("no prompt"), "{error:#}");
        assert!(started.elapsed() < Duration::from_millis(400));
        server.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn connecting_to_no_monitor_fails_after_the_timeout() {
        let started = Instant::now();
        let missing = std::env::temp_dir().join(format!("tern-no-monitor-{}.sock", std::process::id()));
        assert!(Monitor::connect(&missing, Duration::from_millis(100)).is_err());
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
