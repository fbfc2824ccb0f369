//! Creating kernel objects with the factory capability (root server only).
//!
//! Each call returns the slot of a capability with every right over the new
//! object. No memory of the caller is touched.

use abi::{Call, Error};

use crate::syscall::call6;

/// A new, empty address space with its capability table.
pub fn space(factory: u64) -> Result<u64, Error> {
    call6(Call::SpaceCreate, [factory, 0, 0, 0, 0, 0]).map(|r| r[0])
}

/// A new suspended thread in `space`: its slot and its kernel thread id.
pub fn thread(factory: u64, space: u64) -> Result<(u64, u64), Error> {
    call6(Call::ThreadCreate, [factory, space, 0, 0, 0, 0]).map(|r| (r[0], r[1]))
}

/// A new IPC endpoint.
pub fn endpoint(factory: u64) -> Result<u64, Error> {
    call6(Call::EndpointCreate, [factory, 0, 0, 0, 0, 0]).map(|r| r[0])
}

/// A new notification.
pub fn notification(factory: u64) -> Result<u64, Error> {
    call6(Call::NotificationCreate, [factory, 0, 0, 0, 0, 0]).map(|r| r[0])
}
