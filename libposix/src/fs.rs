//! Reading and writing, served by fs0: read, readv, pread64, write, writev,
//! pwrite64, and the copies between descriptors (sendfile,
//! copy_file_range), which go through a buffer of libposix's.
//!
//! Data travels by grant: libposix grants fs0 read access to the program's
//! buffers for one `WRITE` call, fs0 copies them out with `GrantCopy`.
//! writev sends up to `MAX_GRANTS` buffers per call, so a typical stdio
//! flush (buffered text + new text) is one round trip.
//!
//! Buffers are granted as they are, without touching them first. The kernel
//! does not page memory in for a grant copy, so fs0 stops at a page the
//! program has not touched yet and says how far it got; libposix then asks
//! mm0 to back the rest (POPULATE) and sends what is left once more. A
//! buffer in a hole of the address space cannot be backed: the write
//! returns `EFAULT` (or the bytes before the hole), and the process lives
//! on, as on Linux.

use crate::syscalls::{Args, SysResult};
use crate::{fd, server, signal, user};
use abi::ipc::{Grant, MAX_GRANTS, REG_WORDS, grant};
use fs0_proto::errno::{EFAULT, EINTR, EINVAL, EIO, EPIPE};
use fs0_proto::mode::{S_IFMT, S_IFREG};
use fs0_proto::{CURRENT, ReadReply, Stat, WriteReply, WriteRequest};
use libtern_sys::mm0;
use libtern_sys::mm0::Mm0Error;
use mm0_proto::signal::SIGPIPE;

/// Largest count one write transfers (Linux's MAX_RW_COUNT).
const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// Most iovecs one writev takes (Linux's UIO_MAXIOV).
const IOV_MAX: u64 = 1024;
/// Bytes of a `struct iovec` (base, length).
const IOVEC_SIZE: u64 = 16;
/// Largest total a writev may ask for (Linux: it must fit in ssize_t).
const MAX_IOV_TOTAL: u64 = i64::MAX as u64;

/// The descriptor in a register (Linux takes an `unsigned int`).
fn descriptor(reg: u64) -> u64 {
    u64::from(reg as u32)
}

/// write(fd, buf, count)
pub fn write(args: &Args) -> SysResult {
    let [fd, buf, count, ..] = *args;
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    write_grants(descriptor(fd), CURRENT, &[readable(buf, count)?])
}

/// pwrite64(fd, buf, count, offset): at `offset`, without moving the
/// description's.
pub fn pwrite64(args: &Args) -> SysResult {
    let [fd, buf, count, offset, ..] = *args;
    if (offset as i64) < 0 {
        return Err(EINVAL);
    }
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    write_grants(descriptor(fd), offset, &[readable(buf, count)?])
}

/// pread64(fd, buf, count, offset)
pub fn pread64(args: &Args) -> SysResult {
    let [fd, buf, count, offset, ..] = *args;
    if (offset as i64) < 0 {
        return Err(EINVAL);
    }
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    user::check_range(buf, count)?;
    read_grant(descriptor(fd), offset, Grant { addr: buf, len: count, access: grant::WRITE })
}

/// read(fd, buf, count)
pub fn read(args: &Args) -> SysResult {
    let [fd, buf, count, ..] = *args;
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    user::check_range(buf, count)?;
    read_grant(descriptor(fd), CURRENT, Grant { addr: buf, len: count, access: grant::WRITE })
}

/// readv(fd, iov, iovcnt): one buffer after the other, stopping at a short
/// read; from anything but a regular file (a pipe, a terminal), stopping
/// after the first read that brought bytes, since the next one could wait
/// where Linux returns what it has.
pub fn readv(args: &Args) -> SysResult {
    let [fd, iov, iovcnt, ..] = *args;
    let iovcnt = u64::from(iovcnt as u32);
    if iovcnt > IOV_MAX {
        return Err(EINVAL);
    }
    if iovcnt == 0 {
        return Ok(0);
    }
    user::readable(iov, iovcnt * IOVEC_SIZE)?;
    let mut total = 0;
    for i in 0..iovcnt {
        let [base, len] = user::read::<[u64; 2]>(iov + i * IOVEC_SIZE)?;
        if len == 0 {
            // Not looked at, as on Linux, whatever its address.
            continue;
        }
        user::check_range(base, len)?;
        match read_grant(descriptor(fd), CURRENT, Grant { addr: base, len, access: grant::WRITE }) {
            Ok(n) => {
                total += n;
                let regular = || file_stat(descriptor(fd)).is_ok_and(|st| st.mode & S_IFMT == S_IFREG);
                if n < len || (total == n && !regular()) {
                    break;
                }
            }
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

/// Bytes one round of a descriptor-to-descriptor copy moves.
const COPY_CHUNK: u64 = 64 * 1024;

/// Copies up to `len` bytes from `input` (at `*in_at`, or its offset for
/// None) to `output` (likewise), through a buffer; moves the offsets
/// given on. How many bytes; an error only if none moved.
fn copy_between(input: u64, in_at: &mut Option<u64>, output: u64, out_at: &mut Option<u64>, len: u64) -> SysResult {
    let rw = mm0_proto::prot::READ | mm0_proto::prot::WRITE;
    let buffer = mm0::mmap_anon(0, COPY_CHUNK, rw, mm0_proto::map::POPULATE).map_err(Mm0Error::errno)?;
    let mut done = 0;
    let mut failure = None;
    while done < len {
        let want = (len - done).min(COPY_CHUNK);
        let got = match read_at_or_current(input, *in_at, buffer, want) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        let g = Grant { addr: buffer, len: got, access: grant::READ };
        let put = match write_grants(output, out_at.unwrap_or(CURRENT), &[g]) {
            Ok(n) => n,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        *in_at = in_at.map(|at| at + put);
        *out_at = out_at.map(|at| at + put);
        done += put;
        if put < got {
            // A short write ends the copy; the input's own offset goes
            // back over what was read but not written.
            if in_at.is_none() {
                let back = (got - put) as i64;
                let _ = fd::lseek(&[input, back.wrapping_neg() as u64, 1, 0, 0, 0]);
            }
            break;
        }
    }
    let _ = mm0::munmap(buffer, COPY_CHUNK);
    crate::mapped::forget_all();
    match failure {
        Some(e) if done == 0 => Err(e),
        _ => Ok(done),
    }
}

/// One read of up to `len` bytes of `fd` at `at` (its own offset for
/// None) into libposix's buffer at `addr`.
fn read_at_or_current(fd: u64, at: Option<u64>, addr: u64, len: u64) -> SysResult {
    read_grant(fd, at.unwrap_or(CURRENT), Grant { addr, len, access: grant::WRITE })
}

/// The offset at `ptr` for a copy (None for a NULL pointer).
fn offset_at(ptr: u64) -> Result<Option<u64>, u32> {
    if ptr == 0 {
        return Ok(None);
    }
    let at: i64 = user::read(ptr)?;
    if at < 0 { Err(EINVAL) } else { Ok(Some(at as u64)) }
}

/// sendfile(out_fd, in_fd, offset, count): with an offset pointer, the
/// input is read from there (its own offset stays) and the pointer moves
/// on.
pub fn sendfile(args: &Args) -> SysResult {
    let [out_fd, in_fd, offset, count, ..] = *args;
    let mut in_at = offset_at(offset)?;
    let mut out_at = None;
    let done = copy_between(descriptor(in_fd), &mut in_at, descriptor(out_fd), &mut out_at, count.min(MAX_RW_COUNT))?;
    if let Some(at) = in_at {
        user::write(offset, at as i64)?;
    }
    Ok(done)
}

/// copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): between
/// regular files (EINVAL otherwise, and for flags or an overlapping copy
/// within one file).
pub fn copy_file_range(args: &Args) -> SysResult {
    let [fd_in, off_in, fd_out, off_out, len, flags] = *args;
    if flags != 0 {
        return Err(EINVAL);
    }
    let (input, output) = (descriptor(fd_in), descriptor(fd_out));
    let (st_in, st_out) = (file_stat(input)?, file_stat(output)?);
    let regular = |st: &Stat| st.mode & S_IFMT == S_IFREG;
    if !regular(&st_in) || !regular(&st_out) {
        return Err(EINVAL);
    }
    let mut in_at = offset_at(off_in)?;
    let mut out_at = offset_at(off_out)?;
    let len = len.min(MAX_RW_COUNT);
    if st_in.dev == st_out.dev && st_in.ino == st_out.ino {
        // SEEK_CUR by 0: the descriptor's offset, unchanged.
        let start = |at: Option<u64>, fd: u64| at.map_or_else(|| fd::lseek(&[fd, 0, 1, 0, 0, 0]), Ok);
        let (a, b) = (start(in_at, input)?, start(out_at, output)?);
        if a < b + len && b < a + len {
            return Err(EINVAL);
        }
    }
    let done = copy_between(input, &mut in_at, output, &mut out_at, len)?;
    for (ptr, at) in [(off_in, in_at), (off_out, out_at)] {
        if let Some(at) = at {
            user::write(ptr, at as i64)?;
        }
    }
    Ok(done)
}

/// fstat of `fd` as fs0 answers it.
pub fn file_stat(fd: u64) -> Result<Stat, u32> {
    let reply = server::call(mm0_proto::SLOT_FS0, fs0_proto::label::FSTAT, &[fd], &[])?;
    Stat::from_words(&reply.words).ok_or(EIO)
}

/// Reads `len` bytes of `fd` from `offset` into `addr..addr + len`
/// (memory libposix chose: a new mapping, a buffer of its own), with as
/// many reads as it takes; fewer at the end of the file. How many.
pub fn read_at(fd: u64, offset: u64, addr: u64, len: u64) -> Result<u64, u32> {
    let mut done = 0;
    while done < len {
        let g = Grant { addr: addr + done, len: len - done, access: grant::WRITE };
        match read_grant(fd, offset + done, g)? {
            0 => break,
            n => done += n,
        }
    }
    Ok(done)
}

/// fs0 READs into `g` at `offset` (or [`CURRENT`]): one, unless fs0 stops
/// at memory that is not backed yet; then mm0 backs the rest and the rest
/// is asked once more.
fn read_grant(fd: u64, offset: u64, g: Grant) -> SysResult {
    let first = read_once(fd, offset, g)?;
    if !first.stopped_at_fault {
        return Ok(first.read);
    }
    let rest = Grant { addr: g.addr + first.read, len: g.len - first.read, access: g.access };
    if mm0::populate(rest.addr, rest.len, true).is_err() {
        return if first.read > 0 { Ok(first.read) } else { Err(EFAULT) };
    }
    let next = if offset == CURRENT { CURRENT } else { offset + first.read };
    match read_once(fd, next, rest) {
        Ok(second) => Ok(first.read + second.read),
        Err(_) if first.read > 0 => Ok(first.read),
        Err(e) => Err(e),
    }
}

/// One fs0 READ; a signal that ends the wait is ERESTARTSYS.
fn read_once(fd: u64, offset: u64, g: Grant) -> Result<ReadReply, u32> {
    match server::call(mm0_proto::SLOT_FS0, fs0_proto::label::READ, &[fd, offset], &[g]) {
        Ok(reply) => ReadReply::from_words(&reply.words[..reply.info.reg_words().min(REG_WORDS)]).ok_or(EIO),
        Err(EFAULT) => Ok(ReadReply { read: 0, stopped_at_fault: true }),
        Err(EINTR) => Err(signal::ERESTARTSYS),
        Err(e) => Err(e),
    }
}

/// writev(fd, iov, iovcnt): checks every iovec first (as Linux does), then
/// writes them in batches of `MAX_GRANTS`, stopping at a short write.
pub fn writev(args: &Args) -> SysResult {
    let [fd, iov, iovcnt, ..] = *args;
    let handle = descriptor(fd);
    let iovcnt = u64::from(iovcnt as u32);
    if iovcnt > IOV_MAX {
        return Err(EINVAL);
    }
    if iovcnt == 0 {
        // Linux does not look at the array then, whatever the pointer.
        return Ok(0);
    }
    user::readable(iov, iovcnt * IOVEC_SIZE)?;
    let iovec = |i: u64| user::read::<[u64; 2]>(iov + i * IOVEC_SIZE);
    let mut requested: u64 = 0;
    for i in 0..iovcnt {
        let [base, len] = iovec(i)?;
        if len != 0 {
            // An empty buffer is not looked at, as on Linux, whatever its
            // address (musl flushes a file with {buffer, n} {NULL, 0}).
            user::check_range(base, len)?;
        }
        requested = requested.checked_add(len).filter(|&t| t <= MAX_IOV_TOTAL).ok_or(EINVAL)?;
    }

    let mut batch = [Grant::default(); MAX_GRANTS];
    let mut queued = 0;
    let mut total = 0;
    for i in 0..iovcnt {
        let [base, len] = iovec(i)?;
        let queued_len: u64 = batch[..queued].iter().map(|g| g.len).sum();
        let len = len.min(MAX_RW_COUNT - total - queued_len);
        if len == 0 {
            continue;
        }
        batch[queued] = readable(base, len)?;
        queued += 1;
        if queued == MAX_GRANTS {
            match flush(handle, CURRENT, &batch, total)? {
                Flushed::All(n) => total += n,
                Flushed::Short(n) => return Ok(total + n),
            }
            queued = 0;
        }
    }
    match flush(handle, CURRENT, &batch[..queued], total)? {
        Flushed::All(n) | Flushed::Short(n) => Ok(total + n),
    }
}

/// How much of a writev batch fs0 took.
enum Flushed {
    /// All of it: this many bytes.
    All(u64),
    /// Less than asked: this many bytes; the writev ends here.
    Short(u64),
}

/// Write one writev batch after `done` bytes already went out. An error
/// after some bytes went out is reported as a short write, as Linux does.
fn flush(handle: u64, offset: u64, grants: &[Grant], done: u64) -> Result<Flushed, u32> {
    let len: u64 = grants.iter().map(|g| g.len).sum();
    if len == 0 {
        return Ok(Flushed::All(0));
    }
    match write_grants(handle, offset, grants) {
        Ok(n) if n >= len => Ok(Flushed::All(len)),
        Ok(n) => Ok(Flushed::Short(n)),
        Err(_) if done > 0 => Ok(Flushed::Short(0)),
        Err(e) => Err(e),
    }
}

/// A read grant over `[addr, addr + len)`, which must lie in the user half.
fn readable(addr: u64, len: u64) -> Result<Grant, u32> {
    user::check_range(addr, len)?;
    Ok(Grant { addr, len, access: grant::READ })
}

/// fs0 WRITEs of the granted buffers, in order: one, unless fs0 stops at
/// memory that is not backed yet; then mm0 backs the rest and the rest is
/// sent once more. Bytes already written are never sent again.
fn write_grants(handle: u64, offset: u64, grants: &[Grant]) -> SysResult {
    let first = write_once(handle, offset, grants)?;
    if !first.stopped_at_fault {
        return Ok(first.written);
    }
    let (rest, count) = unwritten(grants, first.written);
    let rest = &rest[..count];
    let backed = rest.iter().all(|g| mm0::populate(g.addr, g.len, false).is_ok());
    let next = if offset == CURRENT { CURRENT } else { offset + first.written };
    let second = if backed { write_once(handle, next, rest) } else { Err(EFAULT) };
    match second {
        Ok(second) => Ok(first.written + second.written),
        Err(_) if first.written > 0 => Ok(first.written),
        Err(e) => Err(e),
    }
}

/// One fs0 WRITE. fs0's `EFAULT` (a fault before any byte) is a write that
/// stopped at a fault after 0 bytes. EPIPE (no reader) raises SIGPIPE for
/// the calling thread, as Linux does; a signal that ends a wait is
/// ERESTARTSYS.
fn write_once(fd: u64, offset: u64, grants: &[Grant]) -> Result<WriteReply, u32> {
    let request = WriteRequest { fd, offset };
    match server::call(mm0_proto::SLOT_FS0, fs0_proto::label::WRITE, &request.to_words(), grants) {
        Ok(reply) => WriteReply::from_words(&reply.words[..reply.info.reg_words().min(REG_WORDS)]).ok_or(EIO),
        Err(EFAULT) => Ok(WriteReply { written: 0, stopped_at_fault: true }),
        Err(EPIPE) => {
            signal::raise_for_thread(SIGPIPE);
            Err(EPIPE)
        }
        Err(EINTR) => Err(signal::ERESTARTSYS),
        Err(e) => Err(e),
    }
}

/// What is left of `grants` after their first `written` bytes, and how many
/// grants that is.
fn unwritten(grants: &[Grant], written: u64) -> ([Grant; MAX_GRANTS], usize) {
    let mut rest = [Grant::default(); MAX_GRANTS];
    let mut count = 0;
    let mut skip = written;
    for g in grants {
        if skip >= g.len {
            skip -= g.len;
            continue;
        }
        rest[count] = Grant { addr: g.addr + skip, len: g.len - skip, access: g.access };
        count += 1;
        skip = 0;
    }
    (rest, count)
}
