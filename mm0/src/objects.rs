//! Shared memory objects: pages that several regions map as the very same
//! frames (MAP_SHARED anonymous memory, SysV shared memory segments),
//! across fork and between unrelated processes.
//!
//! An object holds one reference to each of its frames, allocated zeroed
//! on first touch through any of its windows; each task page mapping it
//! holds another. Shared pages are never copied on write: they are mapped
//! with their region's full protection everywhere ([`crate::task::Page`]'s
//! `shared`). An object lives while some task has a region on it or a
//! SysV segment holds it; [`Mm0::collect_objects`] frees the rest after
//! anything that removes regions.

use alloc::collections::{BTreeMap, BTreeSet};

use mm0::layout::page_up;
use mm0::vma::Kind;

use crate::server::Mm0;
use crate::task::MapError;

pub struct MemObject {
    /// Bytes, a whole number of pages.
    pub size: u64,
    /// For a file's object (FILE_OBJECT): the file's length. Pages past
    /// its last page cannot be backed: an access there is a bus error, as
    /// on Linux, so a mapping cannot hold memory the file does not.
    pub file_len: Option<u64>,
    /// Frames by offset, for the pages touched so far.
    pub pages: BTreeMap<u64, u64>,
    /// A SysV segment keeps it even without windows.
    pub held: bool,
}

impl Mm0 {
    /// A new object of `size` bytes (page-aligned); returns its id.
    pub fn object_create(&mut self, size: u64, held: bool) -> u64 {
        let id = self.next_object;
        self.next_object += 1;
        self.objects.insert(id, MemObject { size, file_len: None, pages: BTreeMap::new(), held });
        id
    }

    /// The frame at `offset` of object `id`, allocated zeroed on first use.
    pub fn object_page(&mut self, id: u64, offset: u64) -> Result<u64, MapError> {
        let object = self.objects.get_mut(&id).ok_or(MapError::Kernel(abi::Error::InvalidArgument))?;
        if object.file_len.is_some_and(|len| offset >= page_up(len).unwrap_or(u64::MAX)) {
            return Err(MapError::BeyondFile);
        }
        if offset >= object.size {
            return Err(MapError::Kernel(abi::Error::InvalidArgument));
        }
        if let Some(&phys) = object.pages.get(&offset) {
            return Ok(phys);
        }
        let frame = self.phys.alloc_zeroed().ok_or(MapError::OutOfFrames)?;
        object.pages.insert(offset, frame.phys);
        Ok(frame.phys)
    }

    /// Frees the objects that no region maps and nothing holds.
    pub fn collect_objects(&mut self) {
        if self.objects.is_empty() {
            return;
        }
        let mut mapped = BTreeSet::new();
        for task in self.tasks.values() {
            for v in task.vmas.iter() {
                if let Kind::Shared { object, .. } = v.kind {
                    mapped.insert(object);
                }
            }
        }
        let dead: alloc::vec::Vec<u64> =
            self.objects.iter().filter(|(id, o)| !o.held && !mapped.contains(*id)).map(|(&id, _)| id).collect();
        for id in dead {
            if let Some(object) = self.objects.remove(&id) {
                for phys in object.pages.into_values() {
                    self.phys.free(phys);
                }
            }
        }
    }
}
