//! Capability calls: derive, delete, revoke, identify, copy to another task.
//!
//! A slot is a plain `u64` index into the calling task's capability table.
//! None of these calls touches memory, so all wrappers are safe.

use abi::{Call, CapType, Error, Rights};

use crate::syscall::call6;

/// What `CapIdentify` says about a capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapInfo {
    /// `None` for a type number this libtern does not know.
    pub kind: Option<CapType>,
    pub rights: Rights,
    pub badge: u64,
    /// The kernel's id of the object (equal ids = same object).
    pub object: u64,
}

/// Copies `slot` with `rights` (a subset) and, for an unbadged endpoint,
/// `badge`; returns the new slot.
pub fn derive(slot: u64, rights: Rights, badge: u64) -> Result<u64, Error> {
    call6(Call::CapDerive, [slot, rights.0, badge, 0, 0, 0]).map(|r| r[0])
}

/// Deletes the capability in `slot`.
pub fn delete(slot: u64) -> Result<(), Error> {
    call6(Call::CapDelete, [slot, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Deletes every capability derived from `slot`, in every task.
pub fn revoke(slot: u64) -> Result<(), Error> {
    call6(Call::CapRevoke, [slot, 0, 0, 0, 0, 0]).map(|_| ())
}

/// Describes the capability in `slot`.
pub fn identify(slot: u64) -> Result<CapInfo, Error> {
    call6(Call::CapIdentify, [slot, 0, 0, 0, 0, 0]).map(|r| CapInfo {
        kind: CapType::from_number(r[0]),
        rights: Rights(r[1]),
        badge: r[2],
        object: r[3],
    })
}

/// Gives the task owning `space` a copy of our `slot` with `rights` and
/// `badge`; returns the slot the copy landed in (the first free one there).
pub fn copy_to(space: u64, slot: u64, rights: Rights, badge: u64) -> Result<u64, Error> {
    call6(Call::CapCopyTo, [space, slot, rights.0, badge, 0, 0]).map(|r| r[0])
}
