//! Generation-checked object storage.
//!
//! Kernel objects live in arenas and are named by [`Id`] (index plus
//! generation). Removing an object bumps the generation of its slot, so an
//! old `Id` held in a capability or a wait queue finds nothing instead of a
//! newer object that reused the slot.

use alloc::vec::Vec;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Id {
    pub index: u32,
    pub generation: u32,
}

struct Entry<T> {
    generation: u32,
    value: Option<T>,
}

pub struct Arena<T> {
    entries: Vec<Entry<T>>,
    free: Vec<u32>,
}

impl<T> Arena<T> {
    pub const fn new() -> Arena<T> {
        Arena { entries: Vec::new(), free: Vec::new() }
    }

    /// Store `value`; `None` when memory for the slot cannot be had.
    pub fn insert(&mut self, value: T) -> Option<Id> {
        if let Some(index) = self.free.pop() {
            let entry = &mut self.entries[index as usize];
            entry.value = Some(value);
            return Some(Id { index, generation: entry.generation });
        }
        self.entries.try_reserve(1).ok()?;
        self.free.try_reserve(self.entries.len() + 1).ok()?;
        let index = u32::try_from(self.entries.len()).ok()?;
        self.entries.push(Entry { generation: 0, value: Some(value) });
        Some(Id { index, generation: 0 })
    }

    pub fn get(&self, id: Id) -> Option<&T> {
        let entry = self.entries.get(id.index as usize)?;
        if entry.generation == id.generation { entry.value.as_ref() } else { None }
    }

    pub fn get_mut(&mut self, id: Id) -> Option<&mut T> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation == id.generation { entry.value.as_mut() } else { None }
    }

    pub fn contains(&self, id: Id) -> bool {
        self.get(id).is_some()
    }

    pub fn remove(&mut self, id: Id) -> Option<T> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        let value = entry.value.take()?;
        // A slot whose generation would wrap is retired, never reused: an
        // old Id must not match a new object.
        if let Some(next) = entry.generation.checked_add(1) {
            entry.generation = next;
            self.free.push(id.index);
        }
        Some(value)
    }

    /// Every live object.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().filter_map(|e| e.value.as_ref())
    }

    /// Ids of every live object.
    pub fn ids(&self) -> Vec<Id> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.value.is_some())
            .map(|(i, e)| Id { index: i as u32, generation: e.generation })
            .collect()
    }
}
