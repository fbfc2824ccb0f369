//! No IPC without a capability: `Call` and `Send` through an empty slot,
//! through a capability of the wrong type, or through an endpoint
//! capability without SEND all fail, with the right error.

use abi::{Error, Rights};
use libtern::cap;
use libtern::ipc::{self, Message};
use mm0_proto::{SLOT_TEST_ENDPOINT, SLOT_TEST_NOTIFICATION};

use crate::ensure;
use crate::peer;
use crate::report::Outcome;

/// A slot no one has put anything in.
const EMPTY_SLOT: u64 = 200;

fn both(slot: u64, want: Error) -> Outcome {
    let msg = Message::new(peer::PING, &[1]);
    let called = ipc::call(slot, &msg);
    ensure!(called == Err(want), "Call on slot {slot}: {called:?}, want {want:?}");
    let sent = ipc::send(slot, &msg.with_info(msg.info.nonblocking()));
    ensure!(sent == Err(want), "Send on slot {slot}: {sent:?}, want {want:?}");
    Ok(())
}

pub fn empty_slot() -> Outcome {
    both(EMPTY_SLOT, Error::InvalidCap)
}

pub fn wrong_type() -> Outcome {
    both(SLOT_TEST_NOTIFICATION, Error::WrongType)
}

pub fn no_send_right() -> Outcome {
    let slot =
        cap::derive(SLOT_TEST_ENDPOINT, Rights::RECV, 0).map_err(|e| alloc::format!("CapDerive failed: {e:?}"))?;
    let result = both(slot, Error::NoRights);
    let deleted = cap::delete(slot);
    result?;
    ensure!(deleted.is_ok(), "CapDelete of the derived copy: {deleted:?}");
    Ok(())
}
