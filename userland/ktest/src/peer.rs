//! The peer: a second ktest task, in its own address space, that answers
//! the main instance's calls on the shared test endpoint.
//!
//! mm0 starts one peer next to every ktest (see mm0's `boot.rs`). The peer
//! only receives and replies; the main instance only calls. The labels:
//! - [`NULL`]: empty reply (the IPC round-trip benchmark).
//! - [`PING`]: the register words, each plus one.
//! - [`BULK`]: the IPC-buffer words reversed, and their sum in word 0.
//! - [`CAP`]: one transferred capability, a notification: signal it with
//!   word 0 of the message; reply word 0 = 1 if it was a notification, word
//!   1 = the error `NotifyWait` gave on it (it must lack RECV), then drop it.
//! - [`GRANTS`]: two grants to copy through; the reply is a report in the
//!   IPC-buffer words (see [`grant_copy`]).
//! - [`GRANT_AFTER_REPLY`]: word 0 = the error of the copy the peer tried
//!   through the last GRANTS call after answering it (`u64::MAX` if none).
//! - [`TLS`]: word 0 = the thread id the peer reads through its FS base.
//! - [`DONE`]: empty reply, then the peer exits with status 0.
//!
//! An unknown label gets the reply label [`UNKNOWN`].

use abi::ipc::BUF_WORDS;
use abi::{CapType, MsgInfo};
use libtern::ipc::{self, Message};
use libtern::{cap, notify, println};
use mm0_proto::SLOT_TEST_ENDPOINT;

use crate::grant_copy;

pub const NULL: u32 = 1;
pub const PING: u32 = 2;
pub const BULK: u32 = 3;
pub const CAP: u32 = 4;
pub const DONE: u32 = 5;
pub const GRANTS: u32 = 6;
pub const GRANT_AFTER_REPLY: u32 = 7;
pub const TLS: u32 = 8;
/// Reply label for an unknown request.
pub const UNKNOWN: u32 = 0xffff;

/// Serves the main instance until [`DONE`]; returns the exit status.
pub fn serve() -> i32 {
    let mut after_grants = u64::MAX;
    let mut reply: Option<Message> = None;
    loop {
        let received = match reply.take() {
            Some(msg) => ipc::reply_recv(SLOT_TEST_ENDPOINT, &msg),
            None => ipc::recv(SLOT_TEST_ENDPOINT),
        };
        let msg = match received {
            Ok(r) => r.msg,
            Err(e) => {
                println!("ktest-peer: receiving failed: {e:?}");
                return 1;
            }
        };
        reply = match msg.label() {
            NULL => Some(Message::empty(0)),
            PING => {
                let words: [u64; 8] = core::array::from_fn(|i| msg.word(i).wrapping_add(1));
                Some(Message::new(0, &words[..msg.info.reg_words()]))
            }
            BULK => Some(bulk(msg.info)),
            CAP => Some(transferred_cap(&msg)),
            GRANTS => {
                // Answered here, not by ReplyRecv: one more copy is due once
                // the call is over.
                if let Err(e) = ipc::reply(&grant_copy::serve(msg.info.grants())) {
                    println!("ktest-peer: reply to GRANTS failed: {e:?}");
                    return 1;
                }
                after_grants = grant_copy::after_reply();
                None
            }
            GRANT_AFTER_REPLY => Some(Message::new(0, &[after_grants])),
            TLS => Some(Message::new(0, &[libtern::tls::thread_id()])),
            DONE => {
                if let Err(e) = ipc::reply(&Message::empty(0)) {
                    println!("ktest-peer: reply to DONE failed: {e:?}");
                }
                return 0;
            }
            _ => Some(Message::empty(UNKNOWN)),
        };
    }
}

fn bulk(info: MsgInfo) -> Message {
    let n = info.buf_words().min(BUF_WORDS);
    let mut words = [0u64; BUF_WORDS];
    ipc::buf_words(&mut words[..n]);
    let sum = words[..n].iter().fold(0u64, |a, &w| a.wrapping_add(w));
    words[..n].reverse();
    ipc::set_buf_words(&words[..n]);
    let reply = Message::new(0, &[sum]);
    reply.with_info(reply.info.with_buf_words(n))
}

fn transferred_cap(msg: &Message) -> Message {
    if msg.info.caps() != 1 {
        return Message::new(0, &[0, 0]);
    }
    let slot = ipc::received_caps()[0];
    let is_notification = cap::identify(slot).is_ok_and(|c| c.kind == Some(CapType::Notification));
    let signalled = is_notification && notify::signal(slot, msg.word(0)).is_ok();
    let wait_error = match notify::poll(slot) {
        Ok(_) => 0,
        Err(e) => e as u64,
    };
    if let Err(e) = cap::delete(slot) {
        println!("ktest-peer: cannot delete the received capability: {e:?}");
    }
    Message::new(0, &[u64::from(signalled), wait_error])
}
