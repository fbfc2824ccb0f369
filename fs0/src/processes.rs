//! /proc's facts from mm0: PROCESS_STATUS for each process, MEM_STATS for
//! memory (the [`ProcessTable`] that `fs0::procfs` reads).

use alloc::vec;

use abi::ipc::{Grant, grant};
use fs0::procfs::{MemoryStatus, ProcessStatus, ProcessTable};
use libtern::ipc::{self, Message};
use mm0_proto::{SLOT_MM0, label};

/// Room for a process's name, exe path and command line.
const TEXT_ROOM: usize = 8192;

pub struct Mm0Processes;

impl ProcessTable for Mm0Processes {
    fn status_from(&self, pid: u64) -> Option<ProcessStatus> {
        let mut text = vec![0u8; TEXT_ROOM];
        let request = Message::new(label::PROCESS_STATUS, &[pid]);
        let n =
            ipc::set_grants(&[Grant { addr: text.as_mut_ptr() as u64, len: text.len() as u64, access: grant::WRITE }]);
        let reply = ipc::call(SLOT_MM0, &request.with_info(request.info.with_grants(n))).ok()?;
        if reply.label() != 0 || reply.word(0) == 0 {
            return None;
        }
        let lengths = reply.word(7);
        let field = |i: u32| ((lengths >> (16 * i)) & 0xffff) as usize;
        let (name_end, exe_end) = (field(0), field(0) + field(1));
        let cmdline_end = (exe_end + field(2)).min(TEXT_ROOM);
        Some(ProcessStatus {
            pid: reply.word(0),
            parent: reply.word(1),
            pgid: reply.word(2),
            sid: reply.word(3),
            state: reply.word(4) as u8,
            threads: reply.word(5),
            resident_pages: reply.word(6),
            name: text[..name_end.min(cmdline_end)].to_vec(),
            exe: text[name_end.min(cmdline_end)..exe_end.min(cmdline_end)].to_vec(),
            cmdline: text[exe_end.min(cmdline_end)..cmdline_end].to_vec(),
        })
    }

    fn memory(&self) -> Option<MemoryStatus> {
        let stats = libtern::mm0::mem_stats().ok()?;
        Some(MemoryStatus { total_pages: stats.total_pages, free_pages: stats.free_pages })
    }

    fn uptime_ns(&self) -> u64 {
        libtern::time::now_ns()
    }
}
