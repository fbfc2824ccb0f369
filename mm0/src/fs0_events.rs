//! What fs0 must know about POSIX processes: forks (the child's descriptor
//! table is a copy of its parent's), execs (close-on-exec descriptors
//! close) and ends (every descriptor closes, so that a pipe's reader sees
//! the end of file even when the writer was killed).
//!
//! mm0 never calls fs0: it queues the events and signals fs0's events
//! notification, which is bound to fs0's thread; fs0 collects them with
//! PROCESS_EVENTS, a call in the allowed direction. The signal comes before
//! the process concerned can run again, and the kernel hands a receiver
//! its bound notification before waiting messages, so fs0 always applies
//! a fork before it serves the child.

use alloc::collections::VecDeque;

use libtern::ipc::{self, Message};
use libtern::{notify, println};
use mm0_proto::{errno, event};

use crate::server::{Mm0, fail, ok};

/// The queue of events for fs0.
#[derive(Default)]
pub struct Fs0Events {
    /// fs0's task id (0 until it runs).
    pub task: u64,
    /// mm0's slot of the events notification.
    pub notification: u64,
    queue: VecDeque<[u64; event::WORDS]>,
}

impl Mm0 {
    /// Queues an event for fs0 and tells it.
    pub fn fs0_event(&mut self, kind: u64, pid: u64, other: u64) {
        let events = &mut self.fs0_events;
        if events.task == 0 {
            return;
        }
        events.queue.push_back([kind, pid, other]);
        if let Err(e) = notify::signal(events.notification, mm0_proto::FS0_EVENTS_BIT) {
            println!("mm0: cannot tell fs0 about process events: {e:?}");
        }
    }

    /// PROCESS_EVENTS () -> (count), the events in IPC-buffer words.
    pub fn process_events(&mut self, id: u64) -> Option<Message> {
        if id != self.fs0_events.task {
            return fail(errno::EPERM);
        }
        let mut words = [0u64; event::MAX * event::WORDS];
        let mut count = 0;
        while count < event::MAX {
            let Some(e) = self.fs0_events.queue.pop_front() else { break };
            words[count * event::WORDS..(count + 1) * event::WORDS].copy_from_slice(&e);
            count += 1;
        }
        let sent = ipc::set_buf_words(&words[..count * event::WORDS]);
        let reply = ok(&[count as u64])?;
        Some(reply.with_info(reply.info.with_buf_words(sent)))
    }
}
