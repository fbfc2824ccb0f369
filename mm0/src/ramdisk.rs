//! The ramdisk: a boot module named `ramdisk` (a whole disk image, MBR
//! and all) that fs0 can mount instead of the IDE disk.
//!
//! Boot modules are read-only and belong to mm0, so fs0 gets a copy: on
//! RAMDISK, mm0 maps fresh pages into fs0, fills them from the module and
//! answers where they are. The copy is fs0's to write; it lives as long as
//! fs0 and is lost at power-off, like any ramdisk. Asking twice is EEXIST
//! (one copy is enough), asking without a module ENOENT.

use abi::PAGE_SIZE;
use libtern::ipc::Message;
use mm0::layout::page_up;
use mm0_proto::errno;

use crate::server::{Mm0, fail, ok};

/// The module name.
const RAMDISK: &str = "ramdisk";

impl Mm0 {
    /// RAMDISK () -> (address, length): the ramdisk's copy in fs0.
    pub fn ramdisk(&mut self, id: u64) -> Option<Message> {
        if id != self.fs0_events.task {
            return fail(errno::EPERM);
        }
        if self.ramdisk_given {
            return fail(errno::EEXIST);
        }
        let Some(bytes) = self.modules.iter().find(|(name, _)| name == RAMDISK).map(|&(_, bytes)| bytes) else {
            return fail(errno::ENOENT);
        };
        let Some(len) = page_up(bytes.len() as u64).filter(|&l| l != 0) else {
            return fail(errno::EINVAL);
        };
        let task = self.tasks.get_mut(&id)?;
        let Some((start, frames)) = task.map_fresh_region(&mut self.phys, len) else {
            return fail(errno::ENOMEM);
        };
        for (frame, chunk) in frames.iter().zip(bytes.chunks(PAGE_SIZE as usize)) {
            self.phys.write(frame.phys, 0, chunk);
        }
        self.ramdisk_given = true;
        ok(&[start, bytes.len() as u64])
    }
}
