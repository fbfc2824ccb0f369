//! What every server's request loop needs, kept in one place: a receive
//! that outlives messages the kernel could not deliver, and the deletion
//! of capabilities clients send along (no request of a server takes any,
//! and they would fill its capability table).

use abi::{CapType, Error};

use crate::ipc::{self, Received};
use crate::println;

/// Waits for the next request on the endpoint in `slot`. The kernel reports
/// a message it could not deliver (the sender's fault: a bad capability
/// slot, a bad IPC buffer) to the receiver too; such a message is dropped
/// (its sender is told) and the wait goes on. Only when the endpoint itself
/// is gone does it end with an error. `server` names the caller in the log.
pub fn receive(slot: u64, server: &str) -> Result<Received, Error> {
    loop {
        match ipc::recv(slot) {
            Ok(request) => return Ok(request),
            Err(e) if endpoint_alive(slot) => {
                println!("{server}: dropped a request that could not be delivered: {e:?}")
            }
            Err(e) => return Err(e),
        }
    }
}

/// True while the endpoint in `slot` is still there.
pub fn endpoint_alive(slot: u64) -> bool {
    crate::cap::identify(slot).is_ok_and(|info| info.kind == Some(CapType::Endpoint))
}

/// Deletes the `count` capabilities the last request carried.
pub fn drop_received_caps(count: usize, server: &str) {
    for &slot in ipc::received_caps().iter().take(count) {
        if let Err(e) = crate::cap::delete(slot) {
            println!("{server}: cannot delete received capability {slot}: {e:?}");
        }
    }
}
