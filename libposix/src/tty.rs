//! ioctl: the requests on any descriptor (FIONBIO, FIOCLEX, FIONCLEX,
//! FIONREAD, through fs0), and terminal control on the console, answered
//! locally.
//!
//! The console is a serial terminal without a size of its own, so it reports
//! the classic 24x80 and the termios Linux gives a fresh tty (cooked mode,
//! echo, 38400 baud). Setting attributes and other requests wait for a real
//! tty in fs0.

use crate::syscalls::{Args, SysResult};
use crate::{fd, user};
use fs0_proto::errno::ENOTTY;
use fs0_proto::fcntl::{F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_NONBLOCK};

/// ioctl request: get the window size.
const TIOCGWINSZ: u64 = 0x5413;
/// ioctl requests on any descriptor: non-blocking on/off, close-on-exec
/// on/off, bytes ready to read.
const FIONBIO: u64 = 0x5421;
const FIOCLEX: u64 = 0x5451;
const FIONCLEX: u64 = 0x5450;
const FIONREAD: u64 = 0x541b;
/// ioctl request: get the terminal attributes.
const TCGETS: u64 = 0x5401;

/// `struct winsize`.
#[repr(C)]
#[derive(Clone, Copy)]
struct WinSize {
    rows: u16,
    cols: u16,
    xpixel: u16,
    ypixel: u16,
}

/// The kernel's `struct termios` (what TCGETS fills; no speed fields).
#[repr(C)]
#[derive(Clone, Copy)]
struct Termios {
    iflag: u32,
    oflag: u32,
    cflag: u32,
    lflag: u32,
    line: u8,
    cc: [u8; 19],
}

const CONSOLE_SIZE: WinSize = WinSize { rows: 24, cols: 80, xpixel: 0, ypixel: 0 };

/// Linux's default termios for a new tty (tty_std_termios).
const CONSOLE_TERMIOS: Termios = Termios {
    iflag: 0o2400,   // ICRNL | IXON
    oflag: 0o5,      // OPOST | ONLCR
    cflag: 0o2277,   // B38400 | CS8 | CREAD | HUPCL
    lflag: 0o105073, // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
    line: 0,
    // INTR ^C, QUIT ^\, ERASE DEL, KILL ^U, EOF ^D, TIME 0, MIN 1, SWTC 0,
    // START ^Q, STOP ^S, SUSP ^Z, EOL 0, REPRINT ^R, DISCARD ^O,
    // WERASE ^W, LNEXT ^V, EOL2 0.
    cc: [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0],
};

/// ioctl(fd, request, arg)
pub fn ioctl(args: &Args) -> SysResult {
    let [fd, request, arg, ..] = *args;
    let request = request as u32 as u64;
    match request {
        FIONBIO => {
            let on = user::read::<i32>(arg)? != 0;
            let flags = fd::fcntl(&[fd, F_GETFL, 0, 0, 0, 0])?;
            let flags = if on { flags | O_NONBLOCK } else { flags & !O_NONBLOCK };
            return fd::fcntl(&[fd, F_SETFL, flags, 0, 0, 0]).map(|_| 0);
        }
        FIOCLEX | FIONCLEX => {
            let value = if request == FIOCLEX { FD_CLOEXEC } else { 0 };
            return fd::fcntl(&[fd, F_SETFD, value, 0, 0, 0]).map(|_| 0);
        }
        FIONREAD => {
            let (_, _, size) = fd::status(u64::from(fd as u32))?;
            return user::write(arg, size as i32).map(|()| 0);
        }
        _ => {}
    }
    if !fd::is_terminal(fd)? {
        return Err(ENOTTY);
    }
    match request {
        TIOCGWINSZ => user::write(arg, CONSOLE_SIZE).map(|()| 0),
        TCGETS => user::write(arg, CONSOLE_TERMIOS).map(|()| 0),
        _ => Err(ENOTTY),
    }
}
