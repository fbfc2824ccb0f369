//! Memory for a disk driver's DMA: pages whose physical addresses the
//! driver learns, to program a controller with. The pages stay mapped
//! (mm0 never moves a page) until the driver ends. Only tasks mm0 started
//! as drivers may ask: a device can write wherever it is told, so the
//! addresses are a driver's business only.

use abi::PAGE_SIZE;
use alloc::vec::Vec;
use libtern::ipc::{self, Message};
use mm0_proto::errno;

use crate::server::{Mm0, fail};

/// Most pages one request maps (their addresses fill the IPC buffer).
const MAX_PAGES: u64 = 64;

impl Mm0 {
    /// DMA_MEMORY (pages) -> (address), physical addresses in buffer words.
    pub fn dma_memory(&mut self, id: u64, pages: u64) -> Option<Message> {
        let task = self.tasks.get_mut(&id)?;
        if !task.dma {
            return fail(errno::EPERM);
        }
        if !(1..=MAX_PAGES).contains(&pages) {
            return fail(errno::EINVAL);
        }
        let Some((start, frames)) = task.map_fresh_region(&mut self.phys, pages * PAGE_SIZE) else {
            return fail(errno::ENOMEM);
        };
        let physical: Vec<u64> = frames.iter().map(|f| f.phys).collect();
        let words = ipc::set_buf_words(&physical);
        let reply = Message::new(0, &[start]);
        Some(reply.with_info(reply.info.with_buf_words(words)))
    }
}
