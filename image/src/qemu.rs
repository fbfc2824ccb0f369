//! Launching QEMU: the command line for a machine, and running it either on
//! this terminal or captured line by line into a log, with a timeout.
//!
//! A captured run can follow a [`Script`]: as serial lines appear, it types
//! at the serial console (QEMU's standard input) or at the PS/2 keyboard,
//! and reads the VGA text screen. The keyboard and the screen go through
//! the QEMU monitor ([`crate::monitor`]) on a Unix socket, which the
//! machine then has ([`Machine::monitor`]).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::monitor::{self, Monitor};
use crate::{cmd, keyboard, screen};

pub const QEMU: &str = "qemu-system-x86_64";

/// UEFI firmware files, in order of preference. A combined image (`OVMF.fd`)
/// is loaded with `-bios`; a `*_CODE*` image goes in read-only pflash with a
/// writable copy of its `*_VARS*` sibling.
pub const OVMF_CANDIDATES: &[&str] =
    &["/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_CODE_4M.fd"];

/// How long a run may go on after a fatal line (for the rest of the panic
/// message) before it is stopped.
const FATAL_GRACE: Duration = Duration::from_secs(2);

/// The pause after each key typed at the keyboard. QEMU holds a key down
/// for 10 ms and waits 10 ms after releasing it (`sendkey`'s default hold
/// time, in its input queue), 20 ms a key and 40 ms with Shift or Ctrl;
/// the pause keeps that queue (and the PS/2 controller's 16-byte one)
/// from growing, and leaves the guest time to show the echo and any
/// output a finished line brings before the next key, as a person typing
/// would.
const KEY_PAUSE: Duration = Duration::from_millis(50);

#[derive(Clone, Copy)]
pub enum Accel {
    Tcg,
    Kvm,
}

/// Where the guest's serial console goes.
pub enum Console {
    /// This terminal, muxed with the QEMU monitor (Ctrl-A C).
    Interactive,
    /// The VGA screen and the PS/2 keyboard, in a window of QEMU's user
    /// interface, or drawn on this terminal by QEMU's curses display where
    /// there is no desktop; the serial output goes to `serial_log`.
    Window { serial_log: PathBuf, on_terminal: bool },
    /// A pipe read by this tool.
    Captured,
}

/// What the machine boots.
pub enum Media {
    /// Multiboot `-kernel` boot. Each module string is `<file> <kind>
    /// [args...]`, the file relative to `dir`, where QEMU runs (so that the
    /// guest sees short module command lines).
    Direct { kernel: PathBuf, cmdline: String, modules: Vec<String>, dir: PathBuf },
    /// A bootable CD image.
    Cdrom { iso: PathBuf, firmware: Firmware },
    /// The machine's disk ([`Machine::disk`]), which holds its boot loader.
    Disk { firmware: Firmware },
}

pub enum Firmware {
    /// QEMU's default BIOS.
    SeaBios,
    Ovmf(Ovmf),
}

pub enum Ovmf {
    /// Code and variables in one image, loaded with `-bios`.
    Combined(PathBuf),
    /// Read-only code plus this run's own copy of the variable store.
    Split { code: PathBuf, vars: PathBuf },
}

pub struct Machine {
    pub media: Media,
    pub accel: Accel,
    pub console: Console,
    /// A raw disk image on the primary IDE channel, if any.
    pub disk: Option<PathBuf>,
    /// A QEMU monitor (HMP) listening on a Unix socket at this path, if
    /// any: a captured run types at the keyboard and reads the screen
    /// through it. Keep the path short (a socket path has at most 107
    /// bytes).
    pub monitor: Option<PathBuf>,
    /// Start stopped, with QEMU's gdb server on TCP port [`GDB_PORT`].
    pub wait_for_gdb: bool,
}

/// Where QEMU's gdb server listens (its `-s`).
pub const GDB_PORT: u16 = 1234;

/// Where typed keys go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Input {
    /// The serial console: the bytes as they are, on QEMU's standard input.
    Serial,
    /// The PS/2 keyboard: one key (or keys held together) per byte, by the
    /// monitor's `sendkey` (see [`keyboard::key`]), [`KEY_PAUSE`] apart.
    Keyboard,
}

impl Input {
    fn name(self) -> &'static str {
        match self {
            Input::Serial => "serial console",
            Input::Keyboard => "keyboard",
        }
    }
}

/// Keys for the guest, typed once a serial line holding `after` appears (a
/// program saying it is ready to read).
#[derive(Clone, Copy, Debug)]
pub struct Typed {
    pub after: &'static str,
    pub to: Input,
    pub keys: &'static [u8],
}

/// What the harness does during a captured run, as serial lines appear.
#[derive(Clone, Copy, Default)]
pub struct Script<'a> {
    /// Batches of keys, in order: each is typed once a line holding its
    /// text appears, after the batch before it was typed.
    pub typed: &'a [Typed],
    /// Read the screen once a line holding this text appears (first thing
    /// on that line, before a batch of keys it starts). The guest should
    /// be waiting then: QEMU ends with the guest.
    pub screen_after: Option<&'a str>,
}

/// How a captured run ended.
#[derive(Debug, PartialEq)]
pub enum End {
    /// QEMU exited on its own with this status.
    Exited(i32),
    /// QEMU was killed by a signal it was not sent by this tool.
    Signalled,
    /// The run hit its time limit and was killed.
    TimedOut(Duration),
    /// The guest printed a fatal line and the run was stopped.
    StoppedAfterFatal,
}

pub struct Capture {
    pub end: End,
    /// Serial output, one entry per line, without `\r` and `\n`.
    pub lines: Vec<String>,
    /// The screen's lines ([`screen::text`]), if the script reads it and its
    /// line appeared; `Err` says why it could not be read.
    pub screen: Option<Result<Vec<String>, String>>,
    /// How long after QEMU started the first batch of keys was typed (its
    /// line appeared), if it was.
    pub first_typed_after: Option<Duration>,
}

impl Machine {
    /// QEMU's arguments for this machine.
    pub fn args(&self) -> Vec<String> {
        let accel = match self.accel {
            Accel::Tcg => "tcg",
            Accel::Kvm => "kvm",
        };
        let mut args = strings(&["-accel", accel, "-m", "512M", "-cpu", "max"]);
        // A captured run ends when the guest resets; a person's session
        // restarts, as a machine does on `reboot`.
        if matches!(self.console, Console::Captured) {
            args.push("-no-reboot".to_string());
        }
        match &self.console {
            Console::Interactive => args.extend(strings(&["-display", "none", "-serial", "mon:stdio"])),
            Console::Captured => args.extend(strings(&["-display", "none", "-serial", "stdio"])),
            Console::Window { serial_log, on_terminal } => {
                // Without `-display`, QEMU opens its default window.
                if *on_terminal {
                    args.extend(strings(&["-display", "curses"]));
                }
                let file = serial_log.display().to_string();
                args.extend(strings(&["-serial", &format!("file:{file}")]));
            }
        }
        if self.wait_for_gdb {
            args.extend(strings(&["-S", "-gdb", &format!("tcp::{GDB_PORT}")]));
        }
        if let Some(socket) = &self.monitor {
            let socket = double_commas(&socket.display().to_string());
            args.extend(strings(&["-monitor", &format!("unix:{socket},server=on,wait=off")]));
        }
        args.extend(strings(&["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]));
        if let Some(disk) = &self.disk {
            let file = double_commas(&disk.display().to_string());
            args.extend(strings(&["-drive", &format!("file={file},format=raw,if=ide,index=0,media=disk")]));
        }
        match &self.media {
            Media::Direct { kernel, cmdline, modules, .. } => {
                args.extend(strings(&["-kernel", &kernel.display().to_string()]));
                args.extend(strings(&["-append", cmdline]));
                if !modules.is_empty() {
                    args.extend(strings(&["-initrd", &initrd_arg(modules)]));
                }
            }
            Media::Cdrom { iso, firmware } => {
                args.extend(strings(&["-cdrom", &iso.display().to_string(), "-boot", "d"]));
                args.extend(firmware_args(firmware));
            }
            Media::Disk { firmware } => {
                args.extend(strings(&["-boot", "c"]));
                args.extend(firmware_args(firmware));
            }
        }
        args
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(QEMU);
        command.args(self.args());
        if let Media::Direct { dir, .. } = &self.media {
            command.current_dir(dir);
        }
        command
    }

    /// Runs the machine with its console on this terminal.
    pub fn run_interactive(&self) -> Result<ExitStatus> {
        let mut command = self.command();
        println!("$ {}", cmd::show(&command));
        match self.console {
            Console::Window { .. } => println!(
                "(`poweroff` in the shell ends the run, or `quit` in QEMU's monitor: Ctrl-Alt-2, or Esc 2 on a terminal)"
            ),
            _ => println!("(Ctrl-A X quits QEMU)"),
        }
        command.status().with_context(|| format!("cannot start {QEMU}"))
    }

    /// Runs the machine with its serial output captured into `log` (and echoed
    /// to this terminal if `echo`). The run is killed after `timeout`, or
    /// shortly after a serial line for which `fatal` is true. `script` says
    /// what to type and when to read the screen; the screen is also saved
    /// raw next to the log (`.screen`).
    pub fn run_captured(
        &self,
        timeout: Duration,
        log: &Path,
        echo: bool,
        fatal: fn(&str) -> bool,
        script: &Script,
    ) -> Result<Capture> {
        // Every key must be typeable before the machine starts.
        let key_names = script
            .typed
            .iter()
            .map(|batch| match batch.to {
                Input::Serial => Ok(Vec::new()),
                Input::Keyboard => {
                    keyboard::keys(batch.keys).with_context(|| format!("keys typed after '{}'", batch.after))
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let uses_monitor = script.screen_after.is_some() || script.typed.iter().any(|t| t.to == Input::Keyboard);
        if uses_monitor && self.monitor.is_none() {
            bail!("typing at the keyboard or reading the screen needs a machine with a monitor");
        }
        if let Some(socket) = &self.monitor {
            // Not a stale socket to connect to before QEMU makes its own.
            let _ = fs::remove_file(socket);
        }
        let mut command = self.command();
        let shown = cmd::show(&command);
        if echo {
            println!("$ {shown}");
        }
        if let Some(dir) = log.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut log_file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        writeln!(log_file, "$ {shown}")?;
        let dump = log.with_extension("screen");

        let types_serial = script.typed.iter().any(|t| t.to == Input::Serial);
        let stdin = if types_serial { Stdio::piped() } else { Stdio::null() };
        command.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().with_context(|| format!("cannot start {QEMU}"))?;
        let mut serial_input = child.stdin.take();
        let mut monitor = None;
        let mut typed = script.typed.iter().zip(&key_names);
        let mut next_typed = typed.next();
        let mut first_typed_after = None;
        let mut screen = None;
        let (sender, receiver) = mpsc::channel();
        let readers = [
            read_lines(child.stdout.take().expect("stdout is piped"), Stream::Serial, sender.clone()),
            read_lines(child.stderr.take().expect("stderr is piped"), Stream::Qemu, sender),
        ];

        let start = Instant::now();
        let mut deadline = start + timeout;
        let mut saw_fatal = false;
        let mut lines = Vec::new();
        let exited = loop {
            match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok((stream @ (Stream::Serial | Stream::Prompt), line)) => {
                    // A prompt is a line still open: only typing looks at it.
                    let complete = stream == Stream::Serial;
                    if complete {
                        writeln!(log_file, "{line}")?;
                    }
                    if complete && echo {
                        println!("{line}");
                    }
                    if complete
                        && screen.is_none()
                        && let Some(after) = script.screen_after
                        && line.contains(after)
                    {
                        let read = connected(&mut monitor, self.monitor.as_deref())
                            .and_then(|monitor| screen::read(monitor, &dump));
                        log_screen(&mut log_file, echo, after, &read)?;
                        screen = Some(read.map_err(|e| format!("{e:#}")));
                    }
                    if let Some((batch, keys)) = next_typed
                        && line.contains(batch.after)
                    {
                        // QEMU gone already: the run's end says why.
                        let result = match batch.to {
                            Input::Serial => match serial_input.as_mut() {
                                Some(input) => {
                                    input.write_all(batch.keys).and_then(|()| input.flush()).map_err(Into::into)
                                }
                                None => Ok(()),
                            },
                            Input::Keyboard => connected(&mut monitor, self.monitor.as_deref())
                                .and_then(|monitor| type_at_keyboard(monitor, keys)),
                        };
                        let input = batch.to.name();
                        match result {
                            Ok(()) => writeln!(log_file, "# typed {} bytes at the {input}", batch.keys.len())?,
                            Err(e) => writeln!(log_file, "(cannot type at the {input}: {e:#})")?,
                        }
                        first_typed_after = first_typed_after.or(Some(start.elapsed()));
                        next_typed = typed.next();
                    }
                    if complete && !saw_fatal && fatal(&line) {
                        saw_fatal = true;
                        deadline = deadline.min(Instant::now() + FATAL_GRACE);
                    }
                    if complete {
                        lines.push(line);
                    }
                }
                Ok((Stream::Qemu, line)) => {
                    writeln!(log_file, "qemu: {line}")?;
                    if echo {
                        eprintln!("qemu: {line}");
                    }
                }
                // QEMU closed its output: it is exiting.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break wait_until(&mut child, deadline)?;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break None,
            }
        };
        drop(monitor);
        let end = match exited {
            Some(status) => match status.code() {
                Some(code) => End::Exited(code),
                None => End::Signalled,
            },
            None => {
                child.kill().context("killing QEMU")?;
                child.wait().context("waiting for QEMU")?;
                if saw_fatal { End::StoppedAfterFatal } else { End::TimedOut(timeout) }
            }
        };
        for reader in readers {
            reader.join().expect("reader thread panicked");
        }
        if let Some(socket) = &self.monitor {
            let _ = fs::remove_file(socket);
        }
        writeln!(log_file, "# {end:?} after {:.1} s", start.elapsed().as_secs_f64())?;
        Ok(Capture { end, lines, screen, first_typed_after })
    }
}

/// The monitor at `socket`, connected on first use.
fn connected<'a>(monitor: &'a mut Option<Monitor>, socket: Option<&Path>) -> Result<&'a mut Monitor> {
    if monitor.is_none() {
        let socket = socket.context("the machine has no monitor")?;
        *monitor = Some(Monitor::connect(socket, monitor::TIMEOUT)?);
    }
    Ok(monitor.as_mut().expect("connected just now"))
}

/// Types `keys` (`sendkey` arguments) at the keyboard, [`KEY_PAUSE`] apart.
fn type_at_keyboard(monitor: &mut Monitor, keys: &[String]) -> Result<()> {
    for key in keys {
        monitor.send_key(key)?;
        thread::sleep(KEY_PAUSE);
    }
    Ok(())
}

/// Writes the screen as read (or why it could not be) into the log.
fn log_screen(log: &mut File, echo: bool, after: &str, read: &Result<Vec<String>>) -> Result<()> {
    let mut text = format!("# screen at '{after}':\n");
    match read {
        Ok(lines) => lines.iter().for_each(|line| text.push_str(&format!("# |{line}\n"))),
        Err(e) => text.push_str(&format!("# cannot read the screen: {e:#}\n")),
    }
    log.write_all(text.as_bytes())?;
    if echo {
        print!("{text}");
    }
    Ok(())
}

/// Finds UEFI firmware: the first of [`OVMF_CANDIDATES`] present.
/// A split image's variable store is copied into `scratch` (the guest may
/// write to it).
pub fn find_ovmf(scratch: &Path) -> Result<Ovmf> {
    let Some(code) = OVMF_CANDIDATES.iter().map(Path::new).find(|path| path.exists()) else {
        bail!("no UEFI firmware found (looked for {})", OVMF_CANDIDATES.join(", "));
    };
    let name = code.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    if !name.contains("_CODE") {
        return Ok(Ovmf::Combined(code.to_path_buf()));
    }
    let vars_template = code.with_file_name(name.replace("_CODE", "_VARS"));
    let vars = scratch.join(vars_template.file_name().expect("has a file name"));
    fs::create_dir_all(scratch).with_context(|| format!("creating {}", scratch.display()))?;
    fs::copy(&vars_template, &vars)
        .with_context(|| format!("copying {} to {}", vars_template.display(), vars.display()))?;
    Ok(Ovmf::Split { code: code.to_path_buf(), vars })
}

/// The `-initrd` argument for multiboot modules: module strings joined by
/// commas, with literal commas doubled as QEMU requires.
/// QEMU's arguments for `firmware` (none for its default BIOS).
fn firmware_args(firmware: &Firmware) -> Vec<String> {
    match firmware {
        Firmware::SeaBios => Vec::new(),
        Firmware::Ovmf(Ovmf::Combined(image)) => strings(&["-bios", &image.display().to_string()]),
        Firmware::Ovmf(Ovmf::Split { code, vars }) => {
            let code = double_commas(&code.display().to_string());
            let vars = double_commas(&vars.display().to_string());
            strings(&[
                "-drive",
                &format!("if=pflash,format=raw,readonly=on,file={code}"),
                "-drive",
                &format!("if=pflash,format=raw,file={vars}"),
            ])
        }
    }
}

pub fn initrd_arg(modules: &[String]) -> String {
    modules.iter().map(|module| double_commas(module)).collect::<Vec<_>>().join(",")
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| word.to_string()).collect()
}

fn double_commas(text: &str) -> String {
    text.replace(',', ",,")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Serial,
    /// Serial text that has stopped short of a newline for now: a prompt.
    Prompt,
    Qemu,
}

/// Sends each line read from `pipe` (without `\r` and `\n`) to `sender`
/// as `stream`; for the serial stream also the text of a line that stops
/// without its newline (as [`Stream::Prompt`]), since a prompt waits for
/// input without ending its line.
fn read_lines(
    mut pipe: impl Read + Send + 'static,
    stream: Stream,
    sender: mpsc::Sender<(Stream, String)>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(['\r', '\n'], "");
        let mut pending = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            pending.extend_from_slice(&chunk[..n]);
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                if sender.send((stream, text(&line))).is_err() {
                    return;
                }
            }
            if stream == Stream::Serial && !pending.is_empty() && sender.send((Stream::Prompt, text(&pending))).is_err()
            {
                return;
            }
        }
    })
}

/// Waits for `child` to exit until `deadline`; `None` if it is still running.
fn wait_until(child: &mut std::process::Child, deadline: Instant) -> Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait().context("waiting for QEMU")? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(media: Media) -> Machine {
        Machine { media, accel: Accel::Tcg, console: Console::Captured, disk: None, monitor: None, wait_for_gdb: false }
    }

    const COMMON: &[&str] = &[
        "-accel",
        "tcg",
        "-m",
        "512M",
        "-cpu",
        "max",
        "-no-reboot",
        "-display",
        "none",
        "-serial",
        "stdio",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ];

    fn with_common(rest: &[&str]) -> Vec<String> {
        COMMON.iter().chain(rest).map(|s| s.to_string()).collect()
    }

    #[test]
    fn direct_boot_passes_kernel_cmdline_and_modules() {
        let machine = machine(Media::Direct {
            kernel: "/b/tern-kernel".into(),
            cmdline: "log=info mode=test".into(),
            modules: vec!["/b/mods/mm0 native".into(), "/b/mods/ktest native a,b".into()],
            dir: "/b/mods".into(),
        });
        assert_eq!(
            machine.args(),
            with_common(&[
                "-kernel",
                "/b/tern-kernel",
                "-append",
                "log=info mode=test",
                "-initrd",
                "/b/mods/mm0 native,/b/mods/ktest native a,,b",
            ])
        );
    }

    #[test]
    fn direct_boot_without_modules_has_no_initrd() {
        let machine =
            machine(Media::Direct { kernel: "k".into(), cmdline: String::new(), modules: vec![], dir: ".".into() });
        assert_eq!(machine.args(), with_common(&["-kernel", "k", "-append", ""]));
    }

    #[test]
    fn iso_boots_with_seabios_or_ovmf() {
        let bios = machine(Media::Cdrom { iso: "/b/t.iso".into(), firmware: Firmware::SeaBios });
        assert_eq!(bios.args(), with_common(&["-cdrom", "/b/t.iso", "-boot", "d"]));

        let combined = Firmware::Ovmf(Ovmf::Combined("/fw/OVMF.fd".into()));
        let uefi = machine(Media::Cdrom { iso: "/b/t.iso".into(), firmware: combined });
        assert_eq!(uefi.args(), with_common(&["-cdrom", "/b/t.iso", "-boot", "d", "-bios", "/fw/OVMF.fd"]));

        let split = Firmware::Ovmf(Ovmf::Split { code: "/fw/CODE.fd".into(), vars: "/b/x,y/VARS.fd".into() });
        let uefi = machine(Media::Cdrom { iso: "/b/t.iso".into(), firmware: split });
        assert_eq!(
            uefi.args(),
            with_common(&[
                "-cdrom",
                "/b/t.iso",
                "-boot",
                "d",
                "-drive",
                "if=pflash,format=raw,readonly=on,file=/fw/CODE.fd",
                "-drive",
                "if=pflash,format=raw,file=/b/x,,y/VARS.fd",
            ])
        );
    }

    #[test]
    fn interactive_kvm_console() {
        let machine = Machine {
            media: Media::Direct { kernel: "k".into(), cmdline: String::new(), modules: vec![], dir: ".".into() },
            accel: Accel::Kvm,
            console: Console::Interactive,
            disk: None,
            monitor: None,
            wait_for_gdb: false,
        };
        let args = machine.args();
        assert_eq!(args[..2], ["-accel", "kvm"]);
        assert!(args.windows(2).any(|pair| pair == ["-serial", "mon:stdio"]));
        assert!(!args.contains(&"-S".to_string()));
        assert!(!args.contains(&"-no-reboot".to_string()), "`reboot` restarts a session");
    }

    #[test]
    fn a_disk_boots_itself_under_bios_or_uefi() {
        let mut bios = machine(Media::Disk { firmware: Firmware::SeaBios });
        bios.disk = Some("/b/tern-disk.img".into());
        let args = bios.args();
        let drive = args.iter().position(|a| a == "file=/b/tern-disk.img,format=raw,if=ide,index=0,media=disk");
        assert_eq!(args[drive.unwrap() - 1], "-drive");
        assert_eq!(args[args.len() - 2..], ["-boot", "c"]);
        let mut uefi = machine(Media::Disk { firmware: Firmware::Ovmf(Ovmf::Combined("/fw/OVMF.fd".into())) });
        uefi.disk = bios.disk.clone();
        assert_eq!(uefi.args()[args.len() - 2..], ["-boot", "c", "-bios", "/fw/OVMF.fd"]);
    }

    #[test]
    fn a_window_shows_the_screen_and_logs_the_serial_port() {
        let mut machine = machine(Media::Disk { firmware: Firmware::SeaBios });
        machine.console = Console::Window { serial_log: "/b/logs/run.log".into(), on_terminal: false };
        machine.wait_for_gdb = true;
        let args = machine.args();
        assert!(!args.contains(&"-display".to_string()), "{args:?}");
        machine.console = Console::Window { serial_log: "/b/logs/run.log".into(), on_terminal: true };
        assert!(machine.args().windows(2).any(|pair| pair == ["-display", "curses"]));
        assert!(args.windows(2).any(|pair| pair == ["-serial", "file:/b/logs/run.log"]));
        assert!(args.windows(3).any(|w| w == ["-S", "-gdb", "tcp::1234"]));
    }

    #[test]
    fn a_monitor_listens_on_a_unix_socket() {
        let mut machine =
            machine(Media::Direct { kernel: "k".into(), cmdline: String::new(), modules: vec![], dir: ".".into() });
        machine.monitor = Some("/b/logs/a,b.monitor".into());
        let args = machine.args();
        assert!(
            args.windows(2).any(|pair| pair == ["-monitor", "unix:/b/logs/a,,b.monitor,server=on,wait=off"]),
            "{args:?}"
        );
    }

    #[test]
    fn the_keyboard_and_the_screen_need_a_monitor() {
        let machine =
            machine(Media::Direct { kernel: "k".into(), cmdline: String::new(), modules: vec![], dir: ".".into() });
        let log = std::env::temp_dir().join("tern-no-monitor-test.log");
        let typed = [Typed { after: "ready", to: Input::Keyboard, keys: b"x" }];
        let error = machine
            .run_captured(Duration::from_secs(1), &log, false, |_| false, &Script { typed: &typed, screen_after: None })
            .err()
            .unwrap();
        assert!(error.to_string().contains("needs a machine with a monitor"), "{error:#}");
        let untypeable = [Typed { after: "ready", to: Input::Keyboard, keys: b"\xff" }];
        let script = Script { typed: &untypeable, screen_after: None };
        let error = machine.run_captured(Duration::from_secs(1), &log, false, |_| false, &script).err().unwrap();
        assert!(format!("{error:#}").contains("cannot type byte 0xff"), "{error:#}");
    }
}
