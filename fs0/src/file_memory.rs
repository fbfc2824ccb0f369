//! Files mapped shared: the window through which fs0 sees a mapped file's
//! memory object, and MMAP.
//!
//! The first MMAP of a file moves its bytes from fs0's heap into a memory
//! object that mm0 creates with a window into fs0 (FILE_OBJECT); from then
//! on read and write go through the window and every mapping (FILE_MAP)
//! shows the same frames, so all of them see each other's changes at
//! once. fs0 backs a range of the window (POPULATE) before touching it,
//! so it never faults on memory mm0 could not provide. The window goes
//! with the file (unmapped on drop); the object lives on while a process
//! maps it.

use alloc::boxed::Box;

use fs0::file_data::Window;
use fs0_proto::errno::{EACCES, EINVAL, ENODEV, ENOMEM};
use fs0_proto::fcntl::{O_ACCMODE, O_RDWR, O_WRONLY};
use libtern::mm0::{self, Mm0Error};

use crate::files::{Files, Node, Outcome, errno, words};

/// Bytes of a mapped file's window: the most the file may grow to once
/// mapped, and the furthest a mapping of it may reach. Address space only:
/// pages are backed as the file grows.
const WINDOW: u64 = 64 << 20;
const PAGE: u64 = 4096;

/// fs0's window on a file's memory object.
struct ObjectWindow {
    object: u64,
    /// Where the window starts in fs0's address space.
    addr: u64,
}

impl ObjectWindow {
    fn new() -> Result<ObjectWindow, u32> {
        let (object, addr) = mm0::file_object(WINDOW).map_err(Mm0Error::errno)?;
        Ok(ObjectWindow { object, addr })
    }
}

impl Window for ObjectWindow {
    fn object(&self) -> u64 {
        self.object
    }

    fn capacity(&self) -> u64 {
        WINDOW
    }

    fn resize(&mut self, len: u64) -> bool {
        mm0::file_size(self.object, len).is_ok()
    }

    fn prepare(&mut self, start: u64, end: u64) -> bool {
        if start >= end {
            return true;
        }
        let first = start & !(PAGE - 1);
        mm0::populate(self.addr + first, end - first, true).is_ok()
    }

    fn read(&self, offset: u64, out: &mut [u8]) {
        // SAFETY: mm0 mapped `addr..addr + WINDOW` read-write into fs0 for
        // as long as this window lives, and `FileData` reads only prepared
        // (backed) ranges inside it. Processes that map the object may
        // write the same bytes meanwhile: the copy then sees some of their
        // writes, as a read racing a store through a mapping does on Linux.
        unsafe { core::ptr::copy_nonoverlapping((self.addr + offset) as *const u8, out.as_mut_ptr(), out.len()) }
    }

    fn write(&mut self, offset: u64, bytes: &[u8]) {
        // SAFETY: as in `read`; `FileData` writes only prepared ranges.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), (self.addr + offset) as *mut u8, bytes.len()) }
    }
}

impl Drop for ObjectWindow {
    fn drop(&mut self) {
        let _ = mm0::munmap(self.addr, WINDOW);
    }
}

/// The mmap arguments fs0 gets, besides the descriptor.
pub struct MapRequest {
    pub offset: u64,
    pub len: u64,
    pub prot: u64,
    pub flags: u64,
    pub hint: u64,
}

impl Files {
    /// MMAP (fd, offset, length, prot, flags, hint) -> (address).
    pub fn mmap(&mut self, pid: u64, fd: u64, r: MapRequest) -> Outcome {
        let (node, status) = match self.lookup(pid, fd) {
            Ok((_, node, status)) => (node, status),
            Err(e) => return errno(e),
        };
        let Node::File(ino) = node else { return errno(ENODEV) };
        let access = status & O_ACCMODE;
        if access == O_WRONLY || (r.prot & mm0_proto::prot::WRITE != 0 && access != O_RDWR) {
            return errno(EACCES);
        }
        if !r.offset.is_multiple_of(PAGE) || r.len == 0 {
            return errno(EINVAL);
        }
        if r.offset.checked_add(r.len).is_none_or(|end| end > WINDOW) {
            return errno(ENOMEM);
        }
        let object = match self.fs.file_object(ino) {
            Some(object) => object,
            None => match ObjectWindow::new().and_then(|w| self.fs.map_file(ino, Box::new(w))) {
                Ok(object) => object,
                Err(e) => return errno(e),
            },
        };
        let placement = r.flags & (mm0_proto::map::FIXED | mm0_proto::map::FIXED_NOREPLACE);
        let placement = if access == O_RDWR { placement } else { placement | mm0_proto::map::READ_ONLY_FILE };
        match mm0::file_map(pid, object, r.offset, r.len, r.prot, placement, r.hint) {
            Ok(addr) => words(&[addr]),
            Err(e) => errno(e.errno()),
        }
    }
}
