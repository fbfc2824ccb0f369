//! Address spaces: page tables, a capability table, an I/O bitmap and the
//! optional POSIX personality, together one task.

use abi::{Error, Rights};
use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::arena::Id;
use crate::cap::{Cap, CapTable, Object};
use crate::gdt::IoBitmap;
use crate::paging::{self, PageTables};
use crate::state::Kernel;

/// Where reflected `syscall`s go (see `SpacePersonality`).
#[derive(Clone, Copy, Debug)]
pub struct Personality {
    pub entry: u64,
    pub gate_start: u64,
    pub gate_end: u64,
}

pub struct Space {
    pub tables: PageTables,
    pub caps: CapTable,
    pub io_bitmap: Option<Box<IoBitmap>>,
    pub personality: Option<Personality>,
    pub threads: Vec<Id>,
}

/// Which frames of a frame capability go where, with what access.
pub struct Mapping {
    /// First page within the frame capability.
    pub first: u64,
    pub vaddr: u64,
    pub pages: u64,
    /// READ, WRITE and EXEC rights.
    pub flags: Rights,
}

/// Most pages one `Map` or `Unmap` call may cover (the kernel is not
/// preemptible, so one call must stay short).
pub const MAX_PAGES_PER_CALL: u64 = 1 << 20;

impl Kernel {
    pub fn create_space(&mut self) -> Result<Id, Error> {
        if !crate::heap::has_room() {
            return Err(Error::NoMemory);
        }
        let tables = PageTables::new().ok_or(Error::NoMemory)?;
        let space = Space { tables, caps: CapTable::new(), io_bitmap: None, personality: None, threads: Vec::new() };
        self.spaces.insert(space).ok_or(Error::NoMemory)
    }

    /// Map part of a frame capability's pages into `space`.
    pub fn map_frames(&mut self, space: Id, frame: &Cap, m: Mapping) -> Result<(), Error> {
        let Mapping { first, vaddr, pages, flags } = m;
        let (frame_rights, Object::Frame { phys, pages: frame_pages }) = (frame.rights, frame.object) else {
            return Err(Error::WrongType);
        };
        if !flags.contains(Rights::READ) || !frame_rights.contains(flags.intersect(Rights(7))) {
            return Err(Error::NoRights);
        }
        if pages == 0 || pages > MAX_PAGES_PER_CALL || first.checked_add(pages).is_none_or(|end| end > frame_pages) {
            return Err(Error::InvalidArgument);
        }
        if !vaddr.is_multiple_of(abi::PAGE_SIZE) || !abi::is_user_range(vaddr, pages * abi::PAGE_SIZE) {
            return Err(Error::InvalidArgument);
        }
        let mut bits = paging::PRESENT | paging::USER;
        if flags.contains(Rights::WRITE) {
            bits |= paging::WRITABLE;
        }
        if !flags.contains(Rights::EXEC) {
            bits |= paging::no_execute();
        }
        let sp = self.spaces.get_mut(space).ok_or(Error::Dead)?;
        for i in 0..pages {
            sp.tables.map(vaddr + i * abi::PAGE_SIZE, phys + (first + i) * abi::PAGE_SIZE, bits)?;
        }
        Ok(())
    }

    pub fn unmap_pages(&mut self, space: Id, vaddr: u64, pages: u64) -> Result<(), Error> {
        if pages > MAX_PAGES_PER_CALL
            || !vaddr.is_multiple_of(abi::PAGE_SIZE)
            || !abi::is_user_range(vaddr, pages * abi::PAGE_SIZE)
        {
            return Err(Error::InvalidArgument);
        }
        self.spaces.get_mut(space).ok_or(Error::Dead)?.tables.unmap(vaddr, pages);
        Ok(())
    }

    /// Allow the ports of an IoPorts capability in `space`.
    pub fn enable_ports(&mut self, space: Id, first: u16, last: u16) -> Result<(), Error> {
        let sp = self.spaces.get_mut(space).ok_or(Error::Dead)?;
        let bitmap = match &mut sp.io_bitmap {
            Some(b) => b,
            None => sp.io_bitmap.insert(Box::new([0xff; crate::gdt::IO_PORTS / 8])),
        };
        for port in first as usize..=last as usize {
            bitmap[port / 8] &= !(1 << (port % 8));
        }
        self.io_bitmap_owner = None;
        Ok(())
    }

    /// Stop every thread of a space, delete its capabilities, free its tables.
    pub fn destroy_space(&mut self, space: Id) {
        let Some(sp) = self.spaces.get(space) else { return };
        for t in sp.threads.clone() {
            self.destroy_thread(t);
        }
        let slots: Vec<u64> =
            self.spaces.get(space).map(|sp| sp.caps.iter().map(|(s, _)| s).collect()).unwrap_or_default();
        for slot in slots {
            let _ = self.delete_cap(space, slot);
        }
        // Capabilities naming this space elsewhere now fail with Dead.
        if self.io_bitmap_owner == Some(space) {
            self.io_bitmap_owner = None;
        }
        self.spaces.remove(space);
    }
}
