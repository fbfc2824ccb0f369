//! A process's file descriptor table: descriptor numbers to open file
//! descriptions (fs0's ids for them), each with its close-on-exec flag.
//!
//! POSIX rules: a new descriptor gets the lowest free number (at least the
//! one asked for, for F_DUPFD); numbers go up to [`MAX_FDS`] - 1, past that
//! is EMFILE (new descriptors) or EBADF (a number named by dup2).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Descriptors a process may have (Linux's default RLIMIT_NOFILE).
pub const MAX_FDS: u32 = 1024;

/// Errors (Linux numbering).
pub mod errno {
    pub const EBADF: u32 = 9;
    pub const EINVAL: u32 = 22;
    pub const EMFILE: u32 = 24;
}

/// One descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fd {
    /// The open file description it refers to.
    pub description: u64,
    pub cloexec: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FdTable {
    fds: BTreeMap<u32, Fd>,
}

impl FdTable {
    pub fn new() -> FdTable {
        FdTable::default()
    }

    pub fn get(&self, fd: u32) -> Result<Fd, u32> {
        self.fds.get(&fd).copied().ok_or(errno::EBADF)
    }

    /// The lowest free number at or above `min`.
    pub fn lowest_free(&self, min: u32) -> Result<u32, u32> {
        if min >= MAX_FDS {
            return Err(errno::EINVAL);
        }
        let mut n = min;
        for &used in self.fds.range(min..).map(|(k, _)| k) {
            if used != n {
                break;
            }
            n += 1;
        }
        if n < MAX_FDS { Ok(n) } else { Err(errno::EMFILE) }
    }

    /// Puts `fd` in the lowest free number at or above `min`.
    pub fn install(&mut self, fd: Fd, min: u32) -> Result<u32, u32> {
        let n = self.lowest_free(min)?;
        self.fds.insert(n, fd);
        Ok(n)
    }

    /// Puts `fd` at number `n`; returns the descriptor it replaced.
    pub fn install_at(&mut self, n: u32, fd: Fd) -> Result<Option<Fd>, u32> {
        if n >= MAX_FDS {
            return Err(errno::EBADF);
        }
        Ok(self.fds.insert(n, fd))
    }

    /// Removes descriptor `n`.
    pub fn close(&mut self, n: u32) -> Result<Fd, u32> {
        self.fds.remove(&n).ok_or(errno::EBADF)
    }

    pub fn set_cloexec(&mut self, n: u32, cloexec: bool) -> Result<(), u32> {
        self.fds.get_mut(&n).map(|f| f.cloexec = cloexec).ok_or(errno::EBADF)
    }

    /// Removes the close-on-exec descriptors (an exec); returns them.
    pub fn close_on_exec(&mut self) -> Vec<Fd> {
        let gone: Vec<u32> = self.fds.iter().filter(|(_, f)| f.cloexec).map(|(&n, _)| n).collect();
        gone.into_iter().filter_map(|n| self.fds.remove(&n)).collect()
    }

    /// Every descriptor.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Fd)> + '_ {
        self.fds.iter().map(|(&n, &f)| (n, f))
    }

    /// Removes every descriptor (the process ended); returns them.
    pub fn close_all(&mut self) -> Vec<Fd> {
        core::mem::take(&mut self.fds).into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd(description: u64) -> Fd {
        Fd { description, cloexec: false }
    }

    #[test]
    fn new_descriptors_take_the_lowest_free_number() {
        let mut t = FdTable::new();
        assert_eq!(t.install(fd(1), 0), Ok(0));
        assert_eq!(t.install(fd(2), 0), Ok(1));
        assert_eq!(t.install(fd(3), 0), Ok(2));
        t.close(1).unwrap();
        assert_eq!(t.install(fd(4), 0), Ok(1));
        assert_eq!(t.install(fd(5), 10), Ok(10), "F_DUPFD's minimum");
        assert_eq!(t.install(fd(6), 10), Ok(11));
        assert_eq!(t.get(10), Ok(fd(5)));
        assert_eq!(t.get(7), Err(errno::EBADF));
    }

    #[test]
    fn the_table_has_a_limit() {
        let mut t = FdTable::new();
        for i in 0..MAX_FDS {
            t.install(fd(u64::from(i)), 0).unwrap();
        }
        assert_eq!(t.install(fd(0), 0), Err(errno::EMFILE));
        assert_eq!(t.install_at(MAX_FDS, fd(0)), Err(errno::EBADF));
        assert_eq!(t.lowest_free(MAX_FDS), Err(errno::EINVAL));
    }

    #[test]
    fn install_at_replaces_and_exec_closes_cloexec() {
        let mut t = FdTable::new();
        t.install(fd(1), 0).unwrap();
        assert_eq!(t.install_at(0, fd(2)), Ok(Some(fd(1))));
        t.install_at(5, Fd { description: 3, cloexec: true }).unwrap();
        t.set_cloexec(0, true).unwrap();
        let closed = t.close_on_exec();
        assert_eq!(closed.len(), 2);
        assert_eq!(t.iter().count(), 0);
        assert_eq!(t.set_cloexec(0, false), Err(errno::EBADF));
        assert_eq!(t.close(0), Err(errno::EBADF));
    }
}
