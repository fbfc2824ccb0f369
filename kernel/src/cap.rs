//! Capabilities: per-space tables of typed references with rights.
//!
//! A capability is copied, never forged: the root server receives the
//! first ones at boot; every other one is derived from an existing one with
//! the same or fewer rights (`CapDerive`, `CapCopyTo`, IPC transfer). Each
//! capability remembers its parent, so `CapRevoke` can find and delete the
//! whole subtree in every space.

use abi::{CapType, Error, Rights};
use alloc::vec::Vec;
use hashbrown::HashMap;

use crate::arena::Id;
use crate::state::Kernel;

/// Most slots in one capability table.
pub const MAX_SLOTS: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    Space(Id),
    Thread(Id),
    Endpoint(Id),
    Notification(Id),
    Frame {
        phys: u64,
        pages: u64,
    },
    IrqLine(u8),
    IoPorts {
        first: u16,
        last: u16,
    },
    /// The right to answer `thread`'s call number `seq`.
    Reply {
        thread: Id,
        seq: u64,
    },
    Factory,
}

impl Object {
    pub fn cap_type(&self) -> CapType {
        match self {
            Object::Space(_) => CapType::Space,
            Object::Thread(_) => CapType::Thread,
            Object::Endpoint(_) => CapType::Endpoint,
            Object::Notification(_) => CapType::Notification,
            Object::Frame { .. } => CapType::Frame,
            Object::IrqLine(_) => CapType::IrqLine,
            Object::IoPorts { .. } => CapType::IoPorts,
            Object::Reply { .. } => CapType::Reply,
            Object::Factory => CapType::Factory,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Cap {
    pub object: Object,
    pub rights: Rights,
    pub badge: u64,
    /// Unique over the kernel's lifetime.
    pub id: u64,
    /// The capability this one was derived from (0 for boot capabilities).
    pub parent: u64,
}

impl Cap {
    pub fn require(&self, rights: Rights) -> Result<(), Error> {
        if self.rights.contains(rights) { Ok(()) } else { Err(Error::NoRights) }
    }
}

pub struct CapTable {
    slots: Vec<Option<Cap>>,
}

impl CapTable {
    pub const fn new() -> CapTable {
        CapTable { slots: Vec::new() }
    }

    pub fn get(&self, slot: u64) -> Result<Cap, Error> {
        let slot = usize::try_from(slot).map_err(|_| Error::InvalidCap)?;
        self.slots.get(slot).copied().flatten().ok_or(Error::InvalidCap)
    }

    /// Put `cap` in the first free slot.
    pub fn insert(&mut self, cap: Cap) -> Result<u64, Error> {
        if let Some(i) = self.slots.iter().position(Option::is_none) {
            self.slots[i] = Some(cap);
            return Ok(i as u64);
        }
        if self.slots.len() >= MAX_SLOTS {
            return Err(Error::NoSlots);
        }
        self.slots.try_reserve(1).map_err(|_| Error::NoMemory)?;
        self.slots.push(Some(cap));
        Ok(self.slots.len() as u64 - 1)
    }

    pub fn take(&mut self, slot: u64) -> Option<Cap> {
        self.slots.get_mut(usize::try_from(slot).ok()?)?.take()
    }

    /// (slot, capability) for every occupied slot.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Cap)> {
        self.slots.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (i as u64, c)))
    }
}

impl Kernel {
    /// Look up `slot` in `space`'s table.
    pub fn cap(&self, space: Id, slot: u64) -> Result<Cap, Error> {
        self.spaces.get(space).ok_or(Error::Dead)?.caps.get(slot)
    }

    /// Look up a capability of a given type.
    pub fn cap_of(&self, space: Id, slot: u64, ty: CapType, rights: Rights) -> Result<Cap, Error> {
        let cap = self.cap(space, slot)?;
        if cap.object.cap_type() != ty {
            return Err(Error::WrongType);
        }
        cap.require(rights)?;
        Ok(cap)
    }

    /// Create a capability in `space` and count the reference it holds.
    pub fn install(
        &mut self,
        space: Id,
        object: Object,
        rights: Rights,
        badge: u64,
        parent: u64,
    ) -> Result<u64, Error> {
        self.next_cap_id += 1;
        let cap = Cap { object, rights, badge, id: self.next_cap_id, parent };
        let slot = self.spaces.get_mut(space).ok_or(Error::Dead)?.caps.insert(cap)?;
        self.add_ref(&object);
        Ok(slot)
    }

    fn add_ref(&mut self, object: &Object) {
        match *object {
            Object::Endpoint(id) => {
                if let Some(e) = self.endpoints.get_mut(id) {
                    e.refs += 1;
                }
            }
            Object::Notification(id) => {
                if let Some(n) = self.notifications.get_mut(id) {
                    n.refs += 1;
                }
            }
            _ => {}
        }
    }

    /// Delete one capability, releasing what it held.
    pub fn delete_cap(&mut self, space: Id, slot: u64) -> Result<(), Error> {
        let cap = self.spaces.get_mut(space).ok_or(Error::Dead)?.caps.take(slot).ok_or(Error::InvalidCap)?;
        self.release(cap.object);
        Ok(())
    }

    /// Drop one reference to `object`; the last one destroys endpoints and
    /// notifications, and an unused reply right fails its caller with `Dead`.
    pub fn release(&mut self, object: Object) {
        match object {
            Object::Endpoint(id) => {
                let last = self.endpoints.get_mut(id).map(|e| {
                    e.refs -= 1;
                    e.refs == 0
                });
                if last == Some(true) {
                    self.destroy_endpoint(id);
                }
            }
            Object::Notification(id) => {
                let last = self.notifications.get_mut(id).map(|n| {
                    n.refs -= 1;
                    n.refs == 0
                });
                if last == Some(true) {
                    self.destroy_notification(id);
                }
            }
            Object::Reply { thread, seq } => self.abandon_caller(thread, seq),
            _ => {}
        }
    }

    /// Delete every capability derived, directly or not, from `space`'s `slot`.
    /// One pass indexes every capability by parent, then the subtree is
    /// walked: linear in the number of capabilities.
    pub fn revoke(&mut self, space: Id, slot: u64) -> Result<(), Error> {
        let root = self.cap(space, slot)?.id;
        let mut children: HashMap<u64, Vec<(Id, u64, u64)>> = HashMap::new();
        for sid in self.spaces.ids() {
            let table = &self.spaces.get(sid).expect("live id").caps;
            for (s, cap) in table.iter() {
                children.entry(cap.parent).or_default().push((sid, s, cap.id));
            }
        }
        let mut doomed: Vec<(Id, u64)> = Vec::new();
        let mut pending = alloc::vec![root];
        while let Some(id) = pending.pop() {
            for &(sid, s, child) in children.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                doomed.push((sid, s));
                pending.push(child);
            }
        }
        for (sid, s) in doomed {
            self.delete_cap(sid, s)?;
        }
        Ok(())
    }
}
