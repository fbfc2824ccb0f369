//! The bytes of an in-memory file: in blocks of fs0's heap, or, once the
//! file is mapped shared, in a window on a memory object.
//!
//! fs0's heap is a fixed arena, so file content must never need one large
//! allocation: a file grows a block at a time (no reallocation and copy of
//! the whole file, which would need twice its size at once), a block never
//! written reads as zeros and costs nothing (sparse files), and every
//! block is allocated fallibly, so a full heap is an error for the writer
//! rather than the end of fs0.
//!
//! A file mapped shared must be the same memory as its mappings, so its
//! bytes move to a [`Window`] (the fs0 binary provides it: memory mm0
//! mapped into fs0, on the object that the mappings map too). A window is
//! backed ([`Window::prepare`]) before any of it is touched, up to the end
//! of the file, and bytes past the end are zeroed whenever the file grows,
//! whatever a mapping wrote there.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Bytes in one block.
pub const BLOCK: u64 = 4096;

/// Memory outside fs0's heap that holds a file's bytes.
pub trait Window {
    /// The memory object it shows (what the file's mappings map).
    fn object(&self) -> u64;
    /// Bytes it covers: the most the file can hold.
    fn capacity(&self) -> u64;
    /// The file is `len` bytes long now (its mappings may reach no
    /// further; a shrinking file's pages past it are freed); false if that
    /// cannot be said.
    fn resize(&mut self, len: u64) -> bool;
    /// Backs `start..end` (inside the capacity and the length) so that it
    /// may be touched; false when there is no memory for it.
    fn prepare(&mut self, start: u64, end: u64) -> bool;
    /// Copies bytes out of a prepared range.
    fn read(&self, offset: u64, out: &mut [u8]);
    /// Copies bytes into a prepared range.
    fn write(&mut self, offset: u64, bytes: &[u8]);
}

enum Store {
    /// Block index -> its bytes; absent blocks are zeros.
    Blocks(BTreeMap<u64, Box<[u8]>>),
    Window(Box<dyn Window>),
}

pub struct FileData {
    len: u64,
    store: Store,
}

impl Default for FileData {
    fn default() -> FileData {
        FileData { len: 0, store: Store::Blocks(BTreeMap::new()) }
    }
}

impl core::fmt::Debug for FileData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "FileData {{ len: {}, mapped: {} }}", self.len, self.object().is_some())
    }
}

/// There is no memory for the blocks or window pages a change needs.
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfMemory;

/// Zeros, to copy from.
const ZEROS: [u8; BLOCK as usize] = [0; BLOCK as usize];

/// A zeroed block, or None when the heap is full.
fn zeroed_block() -> Option<Box<[u8]>> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(BLOCK as usize).ok()?;
    bytes.resize(BLOCK as usize, 0);
    Some(bytes.into_boxed_slice())
}

/// The block indexes `offset..offset + len` touches.
fn block_range(offset: u64, len: u64) -> core::ops::Range<u64> {
    if len == 0 {
        return 0..0;
    }
    offset / BLOCK..(offset + len - 1) / BLOCK + 1
}

impl FileData {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The memory object holding the bytes, once the file is mapped.
    pub fn object(&self) -> Option<u64> {
        match &self.store {
            Store::Blocks(_) => None,
            Store::Window(w) => Some(w.object()),
        }
    }

    /// The longest the file may become here.
    pub fn max_len(&self) -> u64 {
        match &self.store {
            Store::Blocks(_) => u64::MAX,
            Store::Window(w) => w.capacity(),
        }
    }

    /// Blocks held: what the file costs (a window: every block up to the
    /// end of the file).
    pub fn blocks(&self) -> u64 {
        match &self.store {
            Store::Blocks(blocks) => blocks.len() as u64,
            Store::Window(_) => self.len.div_ceil(BLOCK),
        }
    }

    /// Copies the bytes at `offset` into `out`, up to the end of the file;
    /// how many.
    pub fn read(&self, offset: u64, out: &mut [u8]) -> usize {
        let end = offset.saturating_add(out.len() as u64).min(self.len);
        if offset >= end {
            return 0;
        }
        let blocks = match &self.store {
            Store::Blocks(blocks) => blocks,
            Store::Window(w) => {
                w.read(offset, &mut out[..(end - offset) as usize]);
                return (end - offset) as usize;
            }
        };
        let mut at = offset;
        while at < end {
            let within = (at % BLOCK) as usize;
            let n = (BLOCK - at % BLOCK).min(end - at) as usize;
            let dst = &mut out[(at - offset) as usize..][..n];
            match blocks.get(&(at / BLOCK)) {
                Some(block) => dst.copy_from_slice(&block[within..within + n]),
                None => dst.fill(0),
            }
            at += n as u64;
        }
        (end - offset) as usize
    }

    /// Blocks a write of `len` bytes at `offset` would add.
    pub fn blocks_needed(&self, offset: u64, len: u64) -> u64 {
        match &self.store {
            Store::Blocks(blocks) => {
                let range = block_range(offset, len);
                let present = blocks.range(range.clone()).count() as u64;
                range.end - range.start - present
            }
            Store::Window(_) if len == 0 => 0,
            Store::Window(_) => (offset + len).max(self.len).div_ceil(BLOCK) - self.len.div_ceil(BLOCK),
        }
    }

    /// Writes `bytes` at `offset` (the caller checked it against
    /// [`FileData::max_len`]), growing the file past its end; a gap reads
    /// as zeros. Memory is found first: out of memory changes nothing.
    pub fn write(&mut self, offset: u64, bytes: &[u8]) -> Result<(), OutOfMemory> {
        if bytes.is_empty() {
            return Ok(());
        }
        let end = offset + bytes.len() as u64;
        let old_len = self.len;
        match &mut self.store {
            Store::Blocks(blocks) => write_blocks(blocks, offset, bytes)?,
            Store::Window(w) => {
                if end > old_len && !(w.resize(end) && w.prepare(old_len, end)) {
                    w.resize(old_len);
                    return Err(OutOfMemory);
                }
                zero_window(w.as_mut(), old_len, offset);
                w.write(offset, bytes);
            }
        }
        self.len = self.len.max(end);
        Ok(())
    }

    /// Sets the length; what lies past it reads as zeros when the file
    /// grows again. Blocks past it go.
    pub fn truncate(&mut self, len: u64) -> Result<(), OutOfMemory> {
        match &mut self.store {
            Store::Blocks(blocks) => {
                blocks.split_off(&len.div_ceil(BLOCK));
                if !len.is_multiple_of(BLOCK)
                    && let Some(last) = blocks.get_mut(&(len / BLOCK))
                {
                    last[(len % BLOCK) as usize..].fill(0);
                }
            }
            Store::Window(w) if len > self.len => {
                if !(w.resize(len) && w.prepare(self.len, len)) {
                    w.resize(self.len);
                    return Err(OutOfMemory);
                }
                zero_window(w.as_mut(), self.len, len);
            }
            Store::Window(w) => {
                // Zero the rest of the last page, then let the pages past
                // it go.
                zero_window(w.as_mut(), len, self.len);
                w.resize(len);
            }
        }
        self.len = len;
        Ok(())
    }

    /// Moves the bytes into `window` (the file is being mapped shared);
    /// on failure they stay where they were.
    pub fn move_to(&mut self, mut window: Box<dyn Window>) -> Result<(), OutOfMemory> {
        let Store::Blocks(blocks) = &self.store else { return Ok(()) };
        if self.len > window.capacity() || !(window.resize(self.len) && window.prepare(0, self.len)) {
            return Err(OutOfMemory);
        }
        for (&index, block) in blocks {
            let at = index * BLOCK;
            if at < self.len {
                window.write(at, &block[..(self.len - at).min(BLOCK) as usize]);
            }
        }
        self.store = Store::Window(window);
        Ok(())
    }
}

/// Zeroes `start..end` of a window (prepared).
fn zero_window(w: &mut dyn Window, start: u64, end: u64) {
    let mut at = start;
    while at < end {
        let n = (end - at).min(BLOCK);
        w.write(at, &ZEROS[..n as usize]);
        at += n;
    }
}

/// [`FileData::write`] into blocks: all of them allocated first.
fn write_blocks(blocks: &mut BTreeMap<u64, Box<[u8]>>, offset: u64, bytes: &[u8]) -> Result<(), OutOfMemory> {
    let range = block_range(offset, bytes.len() as u64);
    let mut missing = Vec::new();
    missing.try_reserve_exact((range.end - range.start) as usize).map_err(|_| OutOfMemory)?;
    missing.extend(range.filter(|i| !blocks.contains_key(i)));
    let mut fresh = Vec::new();
    fresh.try_reserve_exact(missing.len()).map_err(|_| OutOfMemory)?;
    for _ in &missing {
        fresh.push(zeroed_block().ok_or(OutOfMemory)?);
    }
    blocks.extend(missing.into_iter().zip(fresh));
    let mut done = 0;
    while done < bytes.len() {
        let at = offset + done as u64;
        let within = (at % BLOCK) as usize;
        let n = (BLOCK as usize - within).min(bytes.len() - done);
        let block = blocks.get_mut(&(at / BLOCK)).expect("allocated above");
        block[within..within + n].copy_from_slice(&bytes[done..done + n]);
        done += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_across_blocks_read_back() {
        let mut f = FileData::default();
        let bytes: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        f.write(100, &bytes).unwrap();
        assert_eq!(f.len(), 10_100);
        assert_eq!(f.blocks(), 3);
        let mut out = vec![0xff; 10_200];
        assert_eq!(f.read(0, &mut out), 10_100);
        assert!(out[..100].iter().all(|&b| b == 0));
        assert_eq!(&out[100..10_100], &bytes[..]);
        assert_eq!(f.read(10_100, &mut out), 0);
        assert_eq!(f.read(u64::MAX - 1, &mut out), 0);
    }

    #[test]
    fn sparse_files_cost_only_written_blocks() {
        let mut f = FileData::default();
        f.write(1 << 20, b"end").unwrap();
        assert_eq!(f.len(), (1 << 20) + 3);
        assert_eq!(f.blocks(), 1);
        let mut out = [0xffu8; 8];
        assert_eq!(f.read(5000, &mut out), 8);
        assert_eq!(out, [0; 8]);
        assert_eq!(f.blocks_needed(0, 2 * BLOCK), 2);
        assert_eq!(f.blocks_needed(1 << 20, 3), 0);
        assert_eq!(f.blocks_needed(0, 0), 0);
    }

    #[test]
    fn truncate_frees_blocks_and_zeroes_the_tail() {
        let mut f = FileData::default();
        f.write(0, &[7; 3 * BLOCK as usize]).unwrap();
        f.truncate(BLOCK + 10).unwrap();
        assert_eq!((f.len(), f.blocks()), (BLOCK + 10, 2));
        f.truncate(2 * BLOCK).unwrap();
        let mut out = [0xffu8; 4];
        f.read(BLOCK + 8, &mut out);
        assert_eq!(out, [7, 7, 0, 0]);
        f.truncate(0).unwrap();
        assert_eq!((f.len(), f.blocks()), (0, 0));
    }

    /// A window over plain memory that remembers what was prepared, and
    /// fails to prepare past `memory`.
    struct FakeWindow {
        bytes: Vec<u8>,
        prepared: u64,
        memory: u64,
    }

    impl Window for FakeWindow {
        fn object(&self) -> u64 {
            7
        }
        fn capacity(&self) -> u64 {
            self.bytes.len() as u64
        }
        fn resize(&mut self, len: u64) -> bool {
            self.prepared = self.prepared.min(len.next_multiple_of(BLOCK));
            true
        }
        fn prepare(&mut self, _start: u64, end: u64) -> bool {
            self.prepared = self.prepared.max(end);
            end <= self.memory
        }
        fn read(&self, offset: u64, out: &mut [u8]) {
            assert!(offset + out.len() as u64 <= self.prepared, "read of an unprepared range");
            out.copy_from_slice(&self.bytes[offset as usize..][..out.len()]);
        }
        fn write(&mut self, offset: u64, bytes: &[u8]) {
            assert!(offset + bytes.len() as u64 <= self.prepared, "write to an unprepared range");
            self.bytes[offset as usize..][..bytes.len()].copy_from_slice(bytes);
        }
    }

    fn fake(capacity: usize, memory: u64) -> Box<dyn Window> {
        Box::new(FakeWindow { bytes: vec![0; capacity], prepared: 0, memory })
    }

    #[test]
    fn a_mapped_file_keeps_its_bytes_in_the_window() {
        let mut f = FileData::default();
        f.write(10, b"before").unwrap();
        f.write(3 * BLOCK, b"far").unwrap();
        assert_eq!(f.move_to(fake(1 << 20, 1 << 20)), Ok(()));
        assert_eq!(f.object(), Some(7));
        assert_eq!(f.blocks(), 4, "a window costs every block up to the end");
        let mut out = [0xffu8; 16];
        assert_eq!(f.read(8, &mut out), 16);
        assert_eq!(&out, b"\0\0before\0\0\0\0\0\0\0\0");
        assert_eq!(f.read(3 * BLOCK, &mut out), 3);
        assert_eq!(&out[..3], b"far");
        assert_eq!(f.blocks_needed(0, 10), 0);
        assert_eq!(f.blocks_needed(5 * BLOCK, 1), 2);
        assert_eq!(f.max_len(), 1 << 20);
    }

    #[test]
    fn a_window_zeroes_what_lies_past_the_end_when_growing() {
        let mut f = FileData::default();
        f.move_to(fake(1 << 16, 1 << 16)).unwrap();
        f.write(0, &[9; 100]).unwrap();
        f.truncate(10).unwrap();
        f.write(50, b"x").unwrap();
        let mut out = [0xffu8; 51];
        f.read(0, &mut out);
        assert_eq!(&out[..10], &[9; 10]);
        assert!(out[10..50].iter().all(|&b| b == 0), "the gap reads zeros");
        f.truncate(200).unwrap();
        let mut tail = [0xffu8; 149];
        f.read(51, &mut tail);
        assert!(tail.iter().all(|&b| b == 0));
    }

    #[test]
    fn a_window_without_memory_changes_nothing() {
        let mut f = FileData::default();
        f.write(0, &[1; 3 * BLOCK as usize]).unwrap();
        assert_eq!(f.move_to(fake(1 << 16, BLOCK)), Err(OutOfMemory));
        assert_eq!((f.object(), f.len(), f.blocks()), (None, 3 * BLOCK, 3));
        let mut g = FileData::default();
        g.move_to(fake(1 << 16, BLOCK)).unwrap();
        assert_eq!(g.write(0, &[1; 2 * BLOCK as usize]), Err(OutOfMemory));
        assert_eq!(g.truncate(2 * BLOCK), Err(OutOfMemory));
        assert_eq!(g.len(), 0);
    }
}
