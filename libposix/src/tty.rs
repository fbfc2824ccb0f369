//! ioctl: the requests on any descriptor (FIONBIO, FIOCLEX, FIONCLEX,
//! FIONREAD, through fs0's descriptor calls), and terminal control of the
//! console, which fs0 keeps (TTY): the termios settings (TCGETS, TCSETS,
//! TCSETSW, TCSETSF), the foreground process group (TIOCGPGRP,
//! TIOCSPGRP) and the window size (TIOCGWINSZ, TIOCSWINSZ). libposix
//! moves the structures between the program's memory and message words.

use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::{fd, user};
use fs0_proto::errno::ENOTTY;
use fs0_proto::fcntl::{F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_NONBLOCK};
use fs0_proto::tty::{self, TERMIOS_WORDS, Termios};
use mm0_proto::SLOT_FS0;

/// ioctl requests on any descriptor: non-blocking on/off, close-on-exec
/// on/off, bytes ready to read.
const FIONBIO: u64 = 0x5421;
const FIOCLEX: u64 = 0x5451;
const FIONCLEX: u64 = 0x5450;
const FIONREAD: u64 = 0x541b;

/// fs0's TTY with the descriptor, the request and `args`.
fn tty_call(fd: u64, request: u64, args: &[u64]) -> Result<libtern_sys::ipc::Message, u32> {
    let mut words = [0u64; 2 + TERMIOS_WORDS];
    words[0] = u64::from(fd as u32);
    words[1] = request;
    words[2..2 + args.len()].copy_from_slice(args);
    server::call(SLOT_FS0, fs0_proto::label::TTY, &words[..2 + args.len()], &[])
}

/// ioctl(fd, request, arg)
pub fn ioctl(args: &Args) -> SysResult {
    let [fd, request, arg, ..] = *args;
    let request = request as u32 as u64;
    match request {
        FIONBIO => {
            let on = user::read::<i32>(arg)? != 0;
            let flags = fd::fcntl(&[fd, F_GETFL, 0, 0, 0, 0])?;
            let flags = if on { flags | O_NONBLOCK } else { flags & !O_NONBLOCK };
            fd::fcntl(&[fd, F_SETFL, flags, 0, 0, 0]).map(|_| 0)
        }
        FIOCLEX | FIONCLEX => {
            let value = if request == FIOCLEX { FD_CLOEXEC } else { 0 };
            fd::fcntl(&[fd, F_SETFD, value, 0, 0, 0]).map(|_| 0)
        }
        FIONREAD => {
            let size = crate::fs::file_stat(u64::from(fd as u32))?.size;
            user::write(arg, size as i32).map(|()| 0)
        }
        tty::TCGETS => {
            let reply = tty_call(fd, request, &[])?;
            let settings = Termios::from_words(&reply.words).ok_or(ENOTTY)?;
            user::write(arg, settings).map(|()| 0)
        }
        tty::TCSETS | tty::TCSETSW | tty::TCSETSF => {
            let settings = user::read::<Termios>(arg)?;
            tty_call(fd, request, &settings.to_words()).map(|_| 0)
        }
        tty::TIOCGPGRP => {
            let group = tty_call(fd, request, &[])?.word(0);
            user::write(arg, group as i32).map(|()| 0)
        }
        tty::TIOCSPGRP => {
            let group = user::read::<i32>(arg)?;
            tty_call(fd, request, &[u64::from(group as u32)]).map(|_| 0)
        }
        tty::TIOCGWINSZ => {
            let size = tty_call(fd, request, &[])?.word(0);
            user::write(arg, size).map(|()| 0)
        }
        tty::TIOCSWINSZ => {
            let size = user::read::<u64>(arg)?;
            tty_call(fd, request, &[size]).map(|_| 0)
        }
        // Anything else on a descriptor that is not a terminal, and any
        // other terminal request: ENOTTY (after EBADF for a bad one).
        _ => fd::is_terminal(fd).and(Err(ENOTTY)),
    }
}
