//! /proc: what `ps`, `free` and `top` read, made from mm0's process table
//! and memory figures at the moment they are read.
//!
//! The tree:
//! - `meminfo` (MemTotal, MemFree, MemAvailable... in kB), `uptime`,
//!   `mounts` (the mount table, in Linux's format: `source mountpoint type
//!   options 0 0` a line, kept here by [`crate::vfs::Vfs`] as it mounts),
//!   `self` (a link to the reader's own directory);
//! - a directory per process, named by its pid, with `stat` (Linux's
//!   one-line format, the fields ps uses filled, the rest 0), `status`
//!   (Name, State, Pid, PPid, Threads, VmRSS), `comm`, `cmdline` (the
//!   arguments, each ending in NUL), `mounts` (the same table: one for
//!   all) and `exe` (a link to the program's path as exec was given it).
//!
//! Nothing is stored: a node number encodes what it is (the pid in its
//! upper bits), every read asks the [`ProcessTable`] anew and cuts the text
//! at the offset, and a process that is gone is ENOENT. Files read as size
//! 0 in stat, as on Linux. Nothing here can be written (EACCES).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use fs0_proto::errno::{ENOENT, ENOTDIR};

/// The /proc directory's node number; every /proc node is above it.
pub const ROOT: u64 = 2 << 48;

/// What mm0 says of one process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessStatus {
    pub pid: u64,
    pub parent: u64,
    pub pgid: u64,
    pub sid: u64,
    /// `R`, `S`, `T` or `Z`.
    pub state: u8,
    pub threads: u64,
    pub resident_pages: u64,
    pub name: Vec<u8>,
    pub exe: Vec<u8>,
    pub cmdline: Vec<u8>,
}

/// mm0's memory figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryStatus {
    pub total_pages: u64,
    pub free_pages: u64,
}

/// Where /proc's facts come from (mm0, through IPC, in fs0).
pub trait ProcessTable {
    /// The process with the lowest pid at or above `pid`.
    fn status_from(&self, pid: u64) -> Option<ProcessStatus>;
    fn memory(&self) -> Option<MemoryStatus>;
    /// Nanoseconds since boot.
    fn uptime_ns(&self) -> u64;
}

/// The files of a process directory, by the low bits of their node.
const PID_FILES: [(&[u8], u64); 6] =
    [(b"stat", 1), (b"status", 2), (b"comm", 3), (b"cmdline", 4), (b"exe", 5), (b"mounts", 6)];
const EXE: u64 = 5;
const PID_MOUNTS: u64 = 6;
/// The root's own entries, by node offset from [`ROOT`].
const ROOT_FILES: [(&[u8], u64); 4] = [(b"meminfo", 1), (b"uptime", 2), (b"self", 3), (b"mounts", 4)];
const MEMINFO: u64 = 1;
const UPTIME: u64 = 2;
const SELF: u64 = 3;
const MOUNTS: u64 = 4;
/// Bits of a node below the pid.
const PID_SHIFT: u32 = 8;
const PAGE_KIB: u64 = 4;

/// What a /proc node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcKind {
    Directory,
    File,
    Symlink,
}

pub struct Procfs {
    table: Box<dyn ProcessTable>,
    /// The text of `mounts`.
    mounts: Vec<u8>,
}

/// A node's pid and the file in its directory (0: the directory itself);
/// pid 0 is the root and its files.
fn split(ino: u64) -> Option<(u64, u64)> {
    let rest = ino.checked_sub(ROOT)?;
    Some((rest >> PID_SHIFT, rest & ((1 << PID_SHIFT) - 1)))
}

fn node(pid: u64, file: u64) -> u64 {
    ROOT + (pid << PID_SHIFT) + file
}

impl Procfs {
    pub fn new(table: Box<dyn ProcessTable>) -> Procfs {
        Procfs { table, mounts: Vec::new() }
    }

    /// What `mounts` says from now on.
    pub fn set_mounts(&mut self, text: Vec<u8>) {
        self.mounts = text;
    }

    fn process(&self, pid: u64) -> Result<ProcessStatus, u32> {
        self.table.status_from(pid).filter(|s| s.pid == pid).ok_or(ENOENT)
    }

    /// What node `ino` is (ENOENT for a process that has gone).
    pub fn kind(&self, ino: u64) -> Result<ProcKind, u32> {
        match split(ino).ok_or(ENOENT)? {
            (0, 0) => Ok(ProcKind::Directory),
            (0, SELF) => Ok(ProcKind::Symlink),
            (0, MEMINFO | UPTIME | MOUNTS) => Ok(ProcKind::File),
            (pid, file) if pid != 0 => {
                self.process(pid)?;
                match file {
                    0 => Ok(ProcKind::Directory),
                    EXE => Ok(ProcKind::Symlink),
                    f if PID_FILES.iter().any(|&(_, n)| n == f) => Ok(ProcKind::File),
                    _ => Err(ENOENT),
                }
            }
            _ => Err(ENOENT),
        }
    }

    /// Entry `name` of directory `dir`.
    pub fn lookup(&self, dir: u64, name: &[u8]) -> Result<u64, u32> {
        let (pid, file) = split(dir).ok_or(ENOENT)?;
        if file != 0 {
            return Err(ENOTDIR);
        }
        let files: &[(&[u8], u64)] = if pid == 0 { &ROOT_FILES } else { &PID_FILES };
        if let Some(&(_, n)) = files.iter().find(|(entry, _)| *entry == name) {
            return Ok(node(pid, n));
        }
        let child = core::str::from_utf8(name).ok().filter(|_| pid == 0).and_then(|n| n.parse::<u64>().ok());
        match child {
            Some(child) if child != 0 && child < 1 << 40 => self.process(child).map(|_| node(child, 0)),
            _ => Err(ENOENT),
        }
    }

    /// The parent of directory `dir` within /proc (the root is its own).
    pub fn parent_of(&self, dir: u64) -> Result<u64, u32> {
        match self.kind(dir)? {
            ProcKind::Directory => Ok(ROOT),
            _ => Err(ENOTDIR),
        }
    }

    /// Whose `exe` link `ino` is, if it is one.
    pub fn exe_owner(ino: u64) -> Option<u64> {
        split(ino).filter(|&(pid, file)| pid != 0 && file == EXE).map(|(pid, _)| pid)
    }

    /// The target of link `ino`, read by process `caller`.
    pub fn readlink(&self, ino: u64, caller: u64) -> Result<Vec<u8>, u32> {
        match split(ino).ok_or(ENOENT)? {
            (0, SELF) => Ok(format!("{caller}").into_bytes()),
            // A zombie has no program any more.
            (pid, EXE) if pid != 0 => Some(self.process(pid)?.exe).filter(|exe| !exe.is_empty()).ok_or(ENOENT),
            _ => Err(fs0_proto::errno::EINVAL),
        }
    }

    /// The text of file `ino` now.
    fn text(&self, ino: u64) -> Result<Vec<u8>, u32> {
        let (pid, file) = split(ino).ok_or(ENOENT)?;
        if pid == 0 {
            return match file {
                MEMINFO => Ok(self.meminfo()),
                UPTIME => {
                    let ns = self.table.uptime_ns();
                    Ok(format!("{}.{:02} 0.00\n", ns / 1_000_000_000, ns / 10_000_000 % 100).into_bytes())
                }
                MOUNTS => Ok(self.mounts.clone()),
                _ => Err(fs0_proto::errno::EISDIR),
            };
        }
        let p = self.process(pid)?;
        let name = String::from_utf8_lossy(&p.name).into_owned();
        Ok(match file {
            1 => {
                // pid (comm) state ppid pgrp session tty_nr tpgid flags
                // minflt cminflt majflt cmajflt utime stime cutime cstime
                // priority nice num_threads itrealvalue starttime vsize rss,
                // then the rest of Linux's 52 fields.
                let mut line = format!(
                    "{} ({}) {} {} {} {} 0 -1 0 0 0 0 0 0 0 0 0 20 0 {} 0 0 {} {}",
                    p.pid,
                    name,
                    p.state as char,
                    p.parent,
                    p.pgid,
                    p.sid,
                    p.threads,
                    p.resident_pages * PAGE_KIB * 1024,
                    p.resident_pages
                );
                for _ in 25..=52 {
                    line.push_str(" 0");
                }
                line.push('\n');
                line.into_bytes()
            }
            2 => {
                let state = match p.state {
                    b'S' => "S (sleeping)",
                    b'T' => "T (stopped)",
                    b'Z' => "Z (zombie)",
                    _ => "R (running)",
                };
                format!(
                    "Name:\t{}\nState:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\nThreads:\t{}\nVmRSS:\t{} kB\n",
                    name,
                    state,
                    p.pid,
                    p.pid,
                    p.parent,
                    p.threads,
                    p.resident_pages * PAGE_KIB
                )
                .into_bytes()
            }
            3 => format!("{name}\n").into_bytes(),
            4 => p.cmdline,
            PID_MOUNTS => self.mounts.clone(),
            _ => return Err(fs0_proto::errno::EISDIR),
        })
    }

    fn meminfo(&self) -> Vec<u8> {
        let m = self.table.memory().unwrap_or_default();
        let (total, free) = (m.total_pages * PAGE_KIB, m.free_pages * PAGE_KIB);
        format!(
            "MemTotal:       {total:8} kB\nMemFree:        {free:8} kB\nMemAvailable:   {free:8} kB\n\
             Buffers:        {:8} kB\nCached:         {:8} kB\nShmem:          {:8} kB\n\
             SwapTotal:      {:8} kB\nSwapFree:       {:8} kB\n",
            0, 0, 0, 0, 0
        )
        .into_bytes()
    }

    /// Reads file `ino` at `offset`.
    pub fn read(&self, ino: u64, offset: u64, out: &mut [u8]) -> Result<usize, u32> {
        let text = self.text(ino)?;
        let start = (offset as usize).min(text.len());
        let n = out.len().min(text.len() - start);
        out[..n].copy_from_slice(&text[start..start + n]);
        Ok(n)
    }

    /// The entries of directory `dir`: its files, then (in the root) a
    /// directory per process.
    pub fn list(&self, dir: u64) -> Result<Vec<(Vec<u8>, u64)>, u32> {
        let (pid, file) = split(dir).ok_or(ENOENT)?;
        if file != 0 || self.kind(dir)? != ProcKind::Directory {
            return Err(ENOTDIR);
        }
        let files: &[(&[u8], u64)] = if pid == 0 { &ROOT_FILES } else { &PID_FILES };
        let mut entries: Vec<(Vec<u8>, u64)> = files.iter().map(|&(name, f)| (name.to_vec(), node(pid, f))).collect();
        if pid == 0 {
            let mut next = 1;
            while let Some(p) = self.table.status_from(next).filter(|p| p.pid != 0) {
                entries.push((format!("{}", p.pid).into_bytes(), node(p.pid, 0)));
                next = p.pid + 1;
            }
        }
        Ok(entries)
    }

    /// The path of directory `dir` in the tree.
    pub fn path_of(&self, dir: u64) -> Result<Vec<u8>, u32> {
        match split(dir).ok_or(ENOENT)? {
            (0, 0) => Ok(b"/proc".to_vec()),
            (pid, 0) => self.process(pid).map(|_| format!("/proc/{pid}").into_bytes()),
            _ => Err(ENOTDIR),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;

    pub(crate) struct Fixed(pub Vec<ProcessStatus>);

    impl ProcessTable for Fixed {
        fn status_from(&self, pid: u64) -> Option<ProcessStatus> {
            self.0.iter().filter(|p| p.pid >= pid).min_by_key(|p| p.pid).cloned()
        }
        fn memory(&self) -> Option<MemoryStatus> {
            Some(MemoryStatus { total_pages: 1000, free_pages: 250 })
        }
        fn uptime_ns(&self) -> u64 {
            12_340_000_000
        }
    }

    pub(crate) fn procfs() -> Procfs {
        let sh = ProcessStatus {
            pid: 3,
            parent: 0,
            pgid: 3,
            sid: 3,
            state: b'R',
            threads: 1,
            resident_pages: 10,
            name: b"sh".to_vec(),
            exe: b"/bin/sh".to_vec(),
            cmdline: b"sh\0-c\0ls\0".to_vec(),
        };
        let ls = ProcessStatus { pid: 7, parent: 3, state: b'Z', ..ProcessStatus::default() };
        let sleeper = ProcessStatus { pid: 8, parent: 3, state: b'S', ..ProcessStatus::default() };
        Procfs::new(Box::new(Fixed(vec![sh, ls, sleeper])))
    }

    fn read_all(p: &Procfs, ino: u64) -> String {
        let mut out = [0u8; 1024];
        let n = p.read(ino, 0, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    #[test]
    fn the_root_lists_its_files_then_the_processes() {
        let p = procfs();
        let names: Vec<String> =
            p.list(ROOT).unwrap().into_iter().map(|(n, _)| String::from_utf8(n).unwrap()).collect();
        assert_eq!(names, ["meminfo", "uptime", "self", "mounts", "3", "7", "8"]);
        assert_eq!(p.lookup(ROOT, b"4"), Err(ENOENT));
        assert_eq!(p.lookup(ROOT, b"x"), Err(ENOENT));
        let sh = p.lookup(ROOT, b"3").unwrap();
        assert_eq!(p.kind(sh), Ok(ProcKind::Directory));
        assert_eq!(p.path_of(sh).unwrap(), b"/proc/3");
        let self_link = p.lookup(ROOT, b"self").unwrap();
        assert_eq!(p.readlink(self_link, 42).unwrap(), b"42");
    }

    #[test]
    fn process_files_say_what_ps_reads() {
        let p = procfs();
        let sh = p.lookup(ROOT, b"3").unwrap();
        let stat = read_all(&p, p.lookup(sh, b"stat").unwrap());
        let fields: Vec<&str> = stat.split_whitespace().collect();
        assert_eq!(&fields[..6], ["3", "(sh)", "R", "0", "3", "3"]);
        assert_eq!(fields.len(), 52);
        assert_eq!(fields[23], "10", "rss in pages");
        let status = read_all(&p, p.lookup(sh, b"status").unwrap());
        assert!(status.contains("Name:\tsh\n") && status.contains("PPid:\t0\n") && status.contains("VmRSS:\t40 kB\n"));
        assert_eq!(read_all(&p, p.lookup(sh, b"cmdline").unwrap()), "sh\0-c\0ls\0");
        let exe = p.lookup(sh, b"exe").unwrap();
        assert_eq!(p.readlink(exe, 1).unwrap(), b"/bin/sh");
        assert_eq!((Procfs::exe_owner(exe), Procfs::exe_owner(sh)), (Some(3), None));
        let zombie = p.lookup(ROOT, b"7").unwrap();
        assert!(read_all(&p, p.lookup(zombie, b"stat").unwrap()).starts_with("7 () Z 3 "));
        let zombie_status = read_all(&p, p.lookup(zombie, b"status").unwrap());
        assert!(zombie_status.contains("State:\tZ (zombie)\n"), "{zombie_status}");
        let sleeper = p.lookup(ROOT, b"8").unwrap();
        assert!(read_all(&p, p.lookup(sleeper, b"stat").unwrap()).starts_with("8 () S 3 "));
        assert!(read_all(&p, p.lookup(sleeper, b"status").unwrap()).contains("State:\tS (sleeping)\n"));
        let meminfo = read_all(&p, node(0, MEMINFO));
        assert!(meminfo.starts_with("MemTotal:           4000 kB\nMemFree:            1000 kB\n"));
        assert_eq!(read_all(&p, node(0, UPTIME)), "12.34 0.00\n");
        let mut tail = [0u8; 4];
        assert_eq!(p.read(node(3, 3), 1, &mut tail), Ok(2), "comm from offset 1: \"h\\n\"");
    }

    #[test]
    fn mounts_reads_as_set_from_the_root_and_each_process() {
        let mut p = procfs();
        let mounts = p.lookup(ROOT, b"mounts").unwrap();
        assert_eq!(p.kind(mounts), Ok(ProcKind::File));
        assert_eq!(read_all(&p, mounts), "");
        p.set_mounts(b"tmpfs / tmpfs rw 0 0\n".to_vec());
        assert_eq!(read_all(&p, mounts), "tmpfs / tmpfs rw 0 0\n");
        let sh = p.lookup(ROOT, b"3").unwrap();
        assert_eq!(read_all(&p, p.lookup(sh, b"mounts").unwrap()), "tmpfs / tmpfs rw 0 0\n");
        assert_eq!(p.lookup(ROOT, b"4"), Err(ENOENT));
    }
}
