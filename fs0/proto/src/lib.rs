//! The protocol between libposix (and native tasks) and fs0, the
//! filesystem server.
//!
//! Design principles:
//! - A request is an IPC `Call` on the client's fs0 endpoint
//!   (`mm0_proto::SLOT_FS0`) with one of the [`label`]s below and its
//!   arguments in the register words. The endpoint's badge tells fs0 who is
//!   calling.
//! - The reply's label is 0 for success or an [`errno`] value (Linux
//!   numbering, so libposix passes it through as `-errno`); its words carry
//!   the results.
//! - Bulk data never travels in message words: the client grants its buffer
//!   for the one call (grant 0) and fs0 copies through the grant with
//!   `GrantCopy`, in chunks, touching nothing else of the client's memory.
//! - Files are named by the caller's file descriptor numbers: fs0 keeps
//!   each process's descriptor table (the badge says whose), and the open
//!   file descriptions the descriptors share (across dup and fork, with one
//!   offset). A process fs0 has not seen before starts with descriptors 0,
//!   1 and 2 open on the console. mm0 tells fs0 of forks, execs and ends
//!   (`mm0_proto::label::PROCESS_EVENTS`).
//! - A request that must wait (a read of an empty pipe, a write to a full
//!   one) is answered when it can go on; the client's grant stays usable
//!   until then.
#![no_std]
#![forbid(unsafe_code)]

/// Request labels.
pub mod label {
    /// (fd, offset) + grants 0..n readable -> [`crate::WriteReply`]: write
    /// at `offset` ([`CURRENT`]: the description's offset, moved on; at
    /// the end with O_APPEND). Writes the granted
    /// buffers in order. A grant fs0 cannot copy from because the client's
    /// memory is not mapped with the access it promised (the kernel's
    /// `PeerFault`) ends the write: the reply counts the bytes before it and
    /// says the write stopped at a fault, or is `EFAULT` if there are none.
    /// The kernel does not page in client memory, so the client may back
    /// the rest (mm0's POPULATE) and write it again. A grant without read
    /// access ends the write the same way, but is no fault: `EINVAL` when
    /// nothing was written. A pipe without readers is EPIPE (libposix
    /// raises SIGPIPE); a full pipe waits unless O_NONBLOCK (EAGAIN).
    pub const WRITE: u32 = 1;
    /// (fd, offset) + grant 0 writable -> [`crate::ReadReply`]: read up to
    /// the grant's length at `offset` ([`CURRENT`]: the description's
    /// offset, moved on). A grant fs0 cannot copy into (the client's page not
    /// backed) ends the read as for WRITE. An empty pipe with writers waits
    /// (EAGAIN with O_NONBLOCK); without writers it reads 0 bytes (end of
    /// file).
    pub const READ: u32 = 2;
    /// (fd) -> (): close the descriptor.
    pub const CLOSE: u32 = 3;
    /// (fd, number, how) -> (new fd): a second descriptor for the same
    /// open file description ([`crate::dup`]).
    pub const DUP: u32 = 4;
    /// (fd, command, value) -> (value): F_GETFD, F_SETFD, F_GETFL,
    /// F_SETFL (O_APPEND and O_NONBLOCK change; the rest stays).
    pub const FCNTL: u32 = 5;
    /// (dirfd, flags, mode) + grant 0 readable (the path, no NUL) -> (fd):
    /// openat, with O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY,
    /// O_NOFOLLOW, O_CLOEXEC, O_NONBLOCK (the mode already has the umask
    /// applied). `dirfd` [`AT_FDCWD`] is the working directory.
    pub const OPEN: u32 = 6;
    /// (flags: O_CLOEXEC, O_NONBLOCK) -> (read fd, write fd): a pipe.
    pub const PIPE: u32 = 7;
    /// (fd) -> [`crate::Stat`] words: what fstat needs of a descriptor.
    pub const FSTAT: u32 = 8;
    /// (fd, offset, whence) -> (position): lseek. ESPIPE for pipes and
    /// terminals; devices without position stay at 0.
    pub const LSEEK: u32 = 9;
    /// (fd) -> (poll bits): what a poll would see now ([`crate::ready`]).
    pub const READY: u32 = 10;
    /// (dirfd, flags) + grant 0 (path) -> [`crate::Stat`] words: stat,
    /// lstat and fstatat (AT_SYMLINK_NOFOLLOW; AT_EMPTY_PATH with an
    /// empty path is the descriptor itself).
    pub const STAT: u32 = 11;
    /// (dirfd, mode) + grant 0 (path) -> (): mkdirat.
    pub const MKDIR: u32 = 12;
    /// (dirfd, flags) + grant 0 (path) -> (): unlinkat (AT_REMOVEDIR).
    pub const UNLINK: u32 = 13;
    /// (old dirfd, new dirfd) + grants 0 and 1 (old and new path) -> ():
    /// renameat.
    pub const RENAME: u32 = 14;
    /// (dirfd) + grants 0 (target) and 1 (path) -> (): symlinkat.
    pub const SYMLINK: u32 = 15;
    /// (dirfd) + grant 0 (path) + grant 1 writable -> (length):
    /// readlinkat; `/proc/self/exe`-style links are not kept here.
    pub const READLINK: u32 = 16;
    /// (fd) + grant 0 writable -> (bytes): getdents64 records from the
    /// directory's position on.
    pub const GETDENTS: u32 = 17;
    /// (dirfd) + grant 0 (path; empty: `dirfd` itself) -> (): chdir,
    /// fchdir.
    pub const CHDIR: u32 = 18;
    /// () + grant 0 writable -> (length with the NUL): getcwd.
    pub const GETCWD: u32 = 19;
    /// (dirfd, length) + grant 0 (path; empty: `dirfd` is the file) -> ():
    /// truncate, ftruncate.
    pub const TRUNCATE: u32 = 20;
    /// (dirfd, mode, flags) + grant 0 (path; empty with AT_EMPTY_PATH:
    /// the descriptor) -> (): fchmodat, fchmod.
    pub const CHMOD: u32 = 21;
    /// (old dirfd, new dirfd, flags) + grants 0 and 1 (old and new path)
    /// -> (): linkat.
    pub const LINK: u32 = 22;
    /// (dirfd, mode, flags) + grant 0 (path) -> (): faccessat.
    pub const ACCESS: u32 = 23;
    /// (fd, offset, length, prot, flags, hint) -> (address): mmap with
    /// MAP_SHARED of the regular file open on `fd`: fs0 moves the file's
    /// bytes into a memory object (once) and has mm0 map `length` bytes of
    /// it from `offset` into the caller, so that read, write and every
    /// mapping share the same pages. `flags` are mm0's placement flags
    /// (`mm0_proto::map::FIXED`, `FIXED_NOREPLACE`). ENODEV for anything
    /// but a regular file, EACCES for a descriptor not open for reading
    /// (or, with PROT_WRITE, not for writing too), EINVAL for an unaligned
    /// offset or a length of 0, ENOMEM past the most a mapped file may
    /// reach (64 MiB).
    pub const MMAP: u32 = 24;
    /// (dirfd, mtime, flags) + grant 0 (path) -> (): utimensat: the
    /// modification time becomes `mtime` (ns since the epoch, or
    /// [`crate::utime::NOW`]; [`crate::utime::OMIT`] changes nothing).
    /// Access times are not kept. `flags`: AT_SYMLINK_NOFOLLOW,
    /// AT_EMPTY_PATH (an empty path: the descriptor itself).
    pub const UTIMES: u32 = 25;
    /// (fd, ioctl request, argument words) -> (result words): terminal
    /// control of the console ([`crate::tty`]): TCGETS -> termios words;
    /// TCSETS, TCSETSW, TCSETSF (termios words; TCSETSF also drops input
    /// not read yet); TIOCGPGRP -> (process group); TIOCSPGRP (process
    /// group); TIOCGWINSZ -> (winsize word); TIOCSWINSZ (winsize word).
    /// ENOTTY for anything but a terminal or another request.
    pub const TTY: u32 = 26;
    /// (fd) -> (): what the descriptor's file holds reaches its disk
    /// (fsync, fdatasync); [`crate::ALL_FILES`]: everything (sync, syncfs).
    /// EINVAL for pipes and devices.
    pub const SYNC: u32 = 27;
    /// (dirfd, flags) + grant 0 (path; empty with AT_EMPTY_PATH: the
    /// descriptor `dirfd` itself) -> [`crate::StatFs`] words: statfs and
    /// fstatfs, the figures of the file system holding the file (symbolic
    /// links followed). Pipes answer as Linux's pipefs, devices open from
    /// boot as the tmpfs holding /dev.
    pub const STATFS: u32 = 28;
}

/// The fd word of SYNC that means every file system.
pub const ALL_FILES: u64 = u64::MAX;

/// The offset word of READ and WRITE that means "the description's".
pub const CURRENT: u64 = u64::MAX;
/// The dirfd word that means "the working directory".
pub const AT_FDCWD: u64 = -100i64 as u64;

/// What STAT and FSTAT answer, in reply words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    pub mode: u64,
    pub ino: u64,
    pub nlink: u64,
    pub size: u64,
    pub rdev: u64,
    /// Modification and status-change times, ns since the epoch.
    pub mtime: u64,
    pub ctime: u64,
    /// The file system (st_dev).
    pub dev: u64,
}

impl Stat {
    pub const WORDS: usize = 8;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.mode, self.ino, self.nlink, self.size, self.rdev, self.mtime, self.ctime, self.dev]
    }

    pub fn from_words(w: &[u64]) -> Option<Stat> {
        let w: &[u64; Self::WORDS] = w.get(..Self::WORDS)?.try_into().ok()?;
        Some(Stat { mode: w[0], ino: w[1], nlink: w[2], size: w[3], rdev: w[4], mtime: w[5], ctime: w[6], dev: w[7] })
    }
}

/// What STATFS answers: Linux's `struct statfs` less what follows from
/// the rest (`f_frsize` is the block size; nothing is reserved for root,
/// so `f_bavail` is `f_bfree`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatFs {
    /// The file system's magic number ([`magic`]).
    pub fs_type: u32,
    /// Longest name of an entry.
    pub name_max: u32,
    /// Bytes per block.
    pub block_size: u64,
    /// Blocks in all, and free.
    pub blocks: u64,
    pub blocks_free: u64,
    /// Files (inodes) it may hold, and how many more; 0 and 0 where there
    /// is no such limit (FAT, /proc).
    pub files: u64,
    pub files_free: u64,
    /// The file system's `st_dev` (for `f_fsid`).
    pub dev: u32,
    /// Mount flags (Linux's `ST_*` bits).
    pub flags: u32,
}

impl StatFs {
    pub const WORDS: usize = 7;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [
            self.fs_type as u64 | (self.name_max as u64) << 32,
            self.block_size,
            self.blocks,
            self.blocks_free,
            self.files,
            self.files_free,
            self.dev as u64 | (self.flags as u64) << 32,
        ]
    }

    pub fn from_words(w: &[u64]) -> Option<StatFs> {
        let w: &[u64; Self::WORDS] = w.get(..Self::WORDS)?.try_into().ok()?;
        Some(StatFs {
            fs_type: w[0] as u32,
            name_max: (w[0] >> 32) as u32,
            block_size: w[1],
            blocks: w[2],
            blocks_free: w[3],
            files: w[4],
            files_free: w[5],
            dev: w[6] as u32,
            flags: (w[6] >> 32) as u32,
        })
    }
}

/// `f_type` of each kind of file system (Linux's magic numbers).
pub mod magic {
    pub const TMPFS: u32 = 0x0102_1994;
    pub const MSDOS: u32 = 0x4d44;
    pub const PROC: u32 = 0x9fa0;
    pub const PIPEFS: u32 = 0x5049_5045;
}

/// `f_flags` bits of [`StatFs`] (Linux's `ST_*` values).
pub mod st {
    /// The flags are valid (always set, as Linux does).
    pub const VALID: u32 = 0x20;
}

/// `*at` flags (Linux values).
pub mod at {
    pub const SYMLINK_NOFOLLOW: u64 = 0x100;
    pub const REMOVEDIR: u64 = 0x200;
    pub const SYMLINK_FOLLOW: u64 = 0x400;
    pub const EMPTY_PATH: u64 = 0x1000;
}

/// Terminal control ([`label::TTY`]).
pub mod tty {
    pub const TCGETS: u64 = 0x5401;
    pub const TCSETS: u64 = 0x5402;
    pub const TCSETSW: u64 = 0x5403;
    pub const TCSETSF: u64 = 0x5404;
    pub const TIOCGPGRP: u64 = 0x540f;
    pub const TIOCSPGRP: u64 = 0x5410;
    pub const TIOCGWINSZ: u64 = 0x5413;
    pub const TIOCSWINSZ: u64 = 0x5414;

    /// `c_iflag`: a carriage return reads as a newline.
    pub const ICRNL: u32 = 0o400;
    /// `c_oflag`: output processing, and with it "\n" as "\r\n".
    pub const OPOST: u32 = 0o1;
    pub const ONLCR: u32 = 0o4;
    /// `c_lflag` bits.
    pub const ISIG: u32 = 0o1;
    pub const ICANON: u32 = 0o2;
    pub const ECHO: u32 = 0o10;
    pub const NOFLSH: u32 = 0o200;
    /// A background process's write gets SIGTTOU.
    pub const TOSTOP: u32 = 0o400;
    /// `c_cc` indexes.
    pub const VINTR: usize = 0;
    pub const VQUIT: usize = 1;
    pub const VERASE: usize = 2;
    pub const VKILL: usize = 3;
    pub const VEOF: usize = 4;
    pub const VTIME: usize = 5;
    pub const VMIN: usize = 6;
    pub const VSUSP: usize = 10;

    /// The kernel's `struct termios` (what TCGETS and TCSETS move; no
    /// speed fields).
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Termios {
        pub iflag: u32,
        pub oflag: u32,
        pub cflag: u32,
        pub lflag: u32,
        pub line: u8,
        pub cc: [u8; 19],
    }

    /// Words a [`Termios`] takes in a message.
    pub const TERMIOS_WORDS: usize = 5;

    impl Termios {
        /// Linux's termios for a new tty (tty_std_termios): cooked mode,
        /// echo, signal keys, 38400 baud.
        pub const DEFAULT: Termios = Termios {
            iflag: 0o2400,   // ICRNL | IXON
            oflag: 0o5,      // OPOST | ONLCR
            cflag: 0o2277,   // B38400 | CS8 | CREAD | HUPCL
            lflag: 0o105073, // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
            line: 0,
            // INTR ^C, QUIT ^\, ERASE DEL, KILL ^U, EOF ^D, TIME 0, MIN 1,
            // SWTC 0, START ^Q, STOP ^S, SUSP ^Z, EOL 0, REPRINT ^R,
            // DISCARD ^O, WERASE ^W, LNEXT ^V, EOL2 0.
            cc: [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0],
        };

        pub fn to_words(self) -> [u64; TERMIOS_WORDS] {
            let mut bytes = [0u8; TERMIOS_WORDS * 8];
            bytes[0..4].copy_from_slice(&self.iflag.to_le_bytes());
            bytes[4..8].copy_from_slice(&self.oflag.to_le_bytes());
            bytes[8..12].copy_from_slice(&self.cflag.to_le_bytes());
            bytes[12..16].copy_from_slice(&self.lflag.to_le_bytes());
            bytes[16] = self.line;
            bytes[17..36].copy_from_slice(&self.cc);
            core::array::from_fn(|i| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes")))
        }

        pub fn from_words(words: &[u64]) -> Option<Termios> {
            let words: &[u64; TERMIOS_WORDS] = words.get(..TERMIOS_WORDS)?.try_into().ok()?;
            let mut bytes = [0u8; TERMIOS_WORDS * 8];
            for (i, w) in words.iter().enumerate() {
                bytes[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
            }
            let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
            Some(Termios {
                iflag: u32_at(0),
                oflag: u32_at(4),
                cflag: u32_at(8),
                lflag: u32_at(12),
                line: bytes[16],
                cc: bytes[17..36].try_into().expect("19 bytes"),
            })
        }
    }
}

/// The `mtime` word of [`label::UTIMES`] that is not a time.
pub mod utime {
    /// The time now.
    pub const NOW: u64 = u64::MAX;
    /// Leave the time as it is.
    pub const OMIT: u64 = u64::MAX - 1;
}

/// Poll bits of a [`label::READY`] reply (Linux's POLL* values).
pub mod ready {
    pub const IN: u64 = 0x001;
    pub const OUT: u64 = 0x004;
    pub const ERR: u64 = 0x008;
    pub const HUP: u64 = 0x010;
}

/// How [`label::DUP`] picks the new number.
pub mod dup {
    /// The lowest free number at or above the given one (dup, F_DUPFD).
    pub const LOWEST: u64 = 0;
    /// Exactly the given number, closing what was there (dup2, dup3).
    pub const AT: u64 = 1;
    /// Flag: the new descriptor is close-on-exec.
    pub const CLOEXEC: u64 = 2;
}

/// fcntl commands and flags (Linux values).
pub mod fcntl {
    pub const F_GETFD: u64 = 1;
    pub const F_SETFD: u64 = 2;
    pub const F_GETFL: u64 = 3;
    pub const F_SETFL: u64 = 4;
    pub const FD_CLOEXEC: u64 = 1;
    pub const O_ACCMODE: u64 = 3;
    pub const O_RDONLY: u64 = 0;
    pub const O_WRONLY: u64 = 1;
    pub const O_RDWR: u64 = 2;
    pub const O_APPEND: u64 = 0o2000;
    pub const O_NONBLOCK: u64 = 0o4000;
    pub const O_CLOEXEC: u64 = 0o2000000;
    pub const O_CREAT: u64 = 0o100;
    pub const O_EXCL: u64 = 0o200;
    pub const O_TRUNC: u64 = 0o1000;
    pub const O_DIRECTORY: u64 = 0o200000;
    pub const O_NOFOLLOW: u64 = 0o400000;
}

/// File type bits of `st_mode` (Linux values).
pub mod mode {
    /// The file type bits.
    pub const S_IFMT: u64 = 0o170000;
    pub const S_IFIFO: u64 = 0o010000;
    pub const S_IFCHR: u64 = 0o020000;
    pub const S_IFREG: u64 = 0o100000;
}

/// Words of a successful [`label::READ`] reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadReply {
    /// Bytes read into the start of the grant.
    pub read: u64,
    /// The read ended early because client memory could not be copied
    /// into (after `read` bytes).
    pub stopped_at_fault: bool,
}

impl ReadReply {
    pub const WORDS: usize = 2;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.read, self.stopped_at_fault as u64]
    }

    pub const fn from_words(words: &[u64]) -> Option<ReadReply> {
        match words {
            [read, stopped, ..] => Some(ReadReply { read: *read, stopped_at_fault: *stopped != 0 }),
            _ => None,
        }
    }
}

/// Reply labels for failures: Linux errno values.
pub mod errno {
    /// Operation not permitted.
    pub const EPERM: u32 = 1;
    /// Interrupted by a signal.
    pub const EINTR: u32 = 4;
    /// Argument list too long.
    pub const E2BIG: u32 = 7;
    /// Not a program this system can run (no ELF, no `#!` line).
    pub const ENOEXEC: u32 = 8;
    /// Input/output error (also: the server is gone).
    pub const EIO: u32 = 5;
    /// Bad file descriptor or handle.
    pub const EBADF: u32 = 9;
    /// Out of memory.
    pub const ENOMEM: u32 = 12;
    /// A grant or user pointer could not be accessed.
    pub const EFAULT: u32 = 14;
    /// An argument is invalid.
    pub const EINVAL: u32 = 22;
    /// Not a terminal.
    pub const ENOTTY: u32 = 25;
    /// The call is not implemented.
    pub const ENOSYS: u32 = 38;
    /// A path is too long.
    pub const ENAMETOOLONG: u32 = 36;
    /// No such file.
    pub const ENOENT: u32 = 2;
    /// Would block (O_NONBLOCK).
    pub const EAGAIN: u32 = 11;
    /// Too many open descriptors.
    pub const EMFILE: u32 = 24;
    /// No space (the full device).
    pub const ENOSPC: u32 = 28;
    /// Seek on a pipe or terminal.
    pub const ESPIPE: u32 = 29;
    /// Write to a pipe without readers.
    pub const EPIPE: u32 = 32;
    /// Exists already.
    pub const EEXIST: u32 = 17;
    /// No such device (a mapping of something that is not a file).
    pub const ENODEV: u32 = 19;
    /// Not a directory.
    pub const ENOTDIR: u32 = 20;
    /// Is a directory.
    pub const EISDIR: u32 = 21;
    /// Permission denied (access, execute bits).
    pub const EACCES: u32 = 13;
    /// Too many symbolic links.
    pub const ELOOP: u32 = 40;
    /// Result too large (a buffer too small for getcwd).
    pub const ERANGE: u32 = 34;
    /// A device node of no device.
    pub const ENXIO: u32 = 6;
    /// A mount point, or a file system busy with the request.
    pub const EBUSY: u32 = 16;
    /// Rename or link across file systems.
    pub const EXDEV: u32 = 18;
    pub const EFBIG: u32 = 27;
    pub const EROFS: u32 = 30;
    pub const ENOTEMPTY: u32 = 39;
}

/// Words of a [`label::WRITE`] request (the data comes in its grants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteRequest {
    pub fd: u64,
    /// Where to write, or [`CURRENT`].
    pub offset: u64,
}

impl WriteRequest {
    /// Number of message words.
    pub const WORDS: usize = 2;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.fd, self.offset]
    }

    pub const fn from_words(words: &[u64]) -> Option<WriteRequest> {
        match words {
            [fd, offset, ..] => Some(WriteRequest { fd: *fd, offset: *offset }),
            _ => None,
        }
    }
}

/// Words of a successful [`label::WRITE`] reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteReply {
    /// Bytes written, from the start of the first grant on.
    pub written: u64,
    /// The write ended early because client memory could not be copied
    /// (after `written` bytes).
    pub stopped_at_fault: bool,
}

impl WriteReply {
    /// Number of message words.
    pub const WORDS: usize = 2;

    pub const fn to_words(self) -> [u64; Self::WORDS] {
        [self.written, self.stopped_at_fault as u64]
    }

    pub const fn from_words(words: &[u64]) -> Option<WriteReply> {
        match words {
            [written, stopped, ..] => Some(WriteReply { written: *written, stopped_at_fault: *stopped != 0 }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_request_round_trips() {
        let r = WriteRequest { fd: 1, offset: CURRENT };
        assert_eq!(WriteRequest::from_words(&r.to_words()), Some(r));
        assert_eq!(WriteRequest::from_words(&[]), None);
    }

    #[test]
    fn termios_round_trips() {
        let mut t = tty::Termios::DEFAULT;
        t.cc[18] = 9;
        t.lflag = 0xdead_beef;
        assert_eq!(tty::Termios::from_words(&t.to_words()), Some(t));
        assert_eq!(tty::Termios::from_words(&[1, 2]), None);
        assert_eq!(size_of::<tty::Termios>(), 36);
    }

    #[test]
    fn stat_round_trips() {
        let s = Stat { mode: 0o100644, ino: 7, nlink: 1, size: 10, rdev: 0, mtime: 5, ctime: 6, dev: 1 };
        assert_eq!(Stat::from_words(&s.to_words()), Some(s));
        assert_eq!(Stat::from_words(&[1, 2]), None);
    }

    #[test]
    fn statfs_round_trips() {
        let s = StatFs {
            fs_type: magic::TMPFS,
            name_max: 255,
            block_size: 4096,
            blocks: 4096,
            blocks_free: 100,
            files: 32768,
            files_free: 32000,
            dev: 7,
            flags: st::VALID,
        };
        assert_eq!(StatFs::from_words(&s.to_words()), Some(s));
        assert_eq!(StatFs::from_words(&[1, 2]), None);
    }

    #[test]
    fn write_reply_round_trips() {
        for reply in
            [WriteReply { written: 7, stopped_at_fault: true }, WriteReply { written: 0, stopped_at_fault: false }]
        {
            assert_eq!(WriteReply::from_words(&reply.to_words()), Some(reply));
        }
        assert_eq!(WriteReply::from_words(&[5]), None);
    }
}
