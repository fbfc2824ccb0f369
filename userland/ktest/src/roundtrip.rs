//! IPC between two address spaces (ktest and its peer): register words,
//! the 64 words of the IPC buffer, and a capability transfer that the peer
//! proves by signalling the transferred notification.

use alloc::format;

use abi::Rights;
use abi::ipc::BUF_WORDS;
use libtern::ipc::{self, Message};
use libtern::{cap, notify};
use mm0_proto::{SLOT_TEST_ENDPOINT, SLOT_TEST_NOTIFICATION};

use crate::ensure;
use crate::peer;
use crate::report::Outcome;

fn call(msg: &Message) -> Result<Message, alloc::string::String> {
    let reply = ipc::call(SLOT_TEST_ENDPOINT, msg).map_err(|e| format!("Call failed: {e:?}"))?;
    ensure!(reply.label() == 0, "the peer answered label {:#x}", reply.label());
    Ok(reply)
}

pub fn registers() -> Outcome {
    let words = [1, 2, 3, 0xdead_beef, u64::MAX, 6, 7, 1 << 63];
    let reply = call(&Message::new(peer::PING, &words))?;
    ensure!(reply.info.reg_words() == 8, "reply has {} words", reply.info.reg_words());
    for (i, &w) in words.iter().enumerate() {
        ensure!(reply.words[i] == w.wrapping_add(1), "word {i}: {:#x}, want {:#x}", reply.words[i], w.wrapping_add(1));
    }
    Ok(())
}

pub fn buffer_payload() -> Outcome {
    let words: [u64; BUF_WORDS] = core::array::from_fn(|i| (i as u64).wrapping_mul(0x0101_0101_0101_0101) ^ 0x5a5a);
    let n = ipc::set_buf_words(&words);
    let msg = Message::empty(peer::BULK);
    let reply = call(&msg.with_info(msg.info.with_buf_words(n)))?;
    let sum = words.iter().fold(0u64, |a, &w| a.wrapping_add(w));
    ensure!(reply.word(0) == sum, "peer summed {:#x}, want {sum:#x}", reply.word(0));
    ensure!(reply.info.buf_words() == BUF_WORDS, "reply carries {} buffer words", reply.info.buf_words());
    let mut back = [0u64; BUF_WORDS];
    ipc::buf_words(&mut back);
    for i in 0..BUF_WORDS {
        ensure!(back[i] == words[BUF_WORDS - 1 - i], "buffer word {i} came back as {:#x}", back[i]);
    }
    Ok(())
}

/// The bit the peer signals on the transferred notification.
const CAP_BIT: u64 = 1 << 5;

pub fn capability_transfer() -> Outcome {
    let _ = notify::poll(SLOT_TEST_NOTIFICATION);
    let signal_only =
        cap::derive(SLOT_TEST_NOTIFICATION, Rights::SEND, 0).map_err(|e| format!("CapDerive failed: {e:?}"))?;
    ipc::set_caps(&[signal_only]);
    let msg = Message::new(peer::CAP, &[CAP_BIT]);
    let reply = call(&msg.with_info(msg.info.with_caps(1)));
    let deleted = cap::delete(signal_only);
    let reply = reply?;
    ensure!(reply.word(0) == 1, "the peer did not get a notification it could signal");
    ensure!(
        reply.word(1) == abi::Error::NoRights as u64,
        "waiting on a SEND-only copy gave error {} in the peer, want NoRights",
        reply.word(1)
    );
    let bits = notify::poll(SLOT_TEST_NOTIFICATION).map_err(|e| format!("no signal arrived: {e:?}"))?;
    ensure!(bits & CAP_BIT != 0, "notification bits {bits:#x} lack {CAP_BIT:#x}");
    ensure!(deleted.is_ok(), "CapDelete of our copy: {deleted:?}");
    Ok(())
}

/// Tells the peer to exit.
pub fn finish_peer() -> Outcome {
    call(&Message::empty(peer::DONE)).map(|_| ())
}
