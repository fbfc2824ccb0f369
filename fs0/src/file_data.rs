//! The bytes of an in-memory file, in blocks.
//!
//! fs0's heap is a fixed arena, so file content must never need one large
//! allocation: a file grows a block at a time (no reallocation and copy of
//! the whole file, which would need twice its size at once), a block never
//! written reads as zeros and costs nothing (sparse files), and every
//! block is allocated fallibly, so a full heap is an error for the writer
//! rather than the end of fs0.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Bytes in one block.
pub const BLOCK: u64 = 4096;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileData {
    len: u64,
    /// Block index -> its bytes; absent blocks are zeros.
    blocks: BTreeMap<u64, Box<[u8]>>,
}

/// The heap could not hold the blocks a write needs.
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfMemory;

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

    /// Blocks held: what the file costs.
    pub fn blocks(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// Copies the bytes at `offset` into `out`, up to the end of the file;
    /// how many.
    pub fn read(&self, offset: u64, out: &mut [u8]) -> usize {
        let end = offset.saturating_add(out.len() as u64).min(self.len);
        let mut at = offset;
        while at < end {
            let within = (at % BLOCK) as usize;
            let n = (BLOCK - at % BLOCK).min(end - at) as usize;
            let dst = &mut out[(at - offset) as usize..][..n];
            match self.blocks.get(&(at / BLOCK)) {
                Some(block) => dst.copy_from_slice(&block[within..within + n]),
                None => dst.fill(0),
            }
            at += n as u64;
        }
        end.saturating_sub(offset) as usize
    }

    /// Blocks a write of `len` bytes at `offset` would add.
    pub fn blocks_needed(&self, offset: u64, len: u64) -> u64 {
        let range = block_range(offset, len);
        let present = self.blocks.range(range.clone()).count() as u64;
        range.end - range.start - present
    }

    /// Writes `bytes` at `offset` (the caller checked that it fits the
    /// file size limit), growing the file past its end; a gap reads as
    /// zeros. All blocks are allocated first: out of memory changes
    /// nothing.
    pub fn write(&mut self, offset: u64, bytes: &[u8]) -> Result<(), OutOfMemory> {
        if bytes.is_empty() {
            return Ok(());
        }
        let range = block_range(offset, bytes.len() as u64);
        let missing: Vec<u64> = {
            let mut missing = Vec::new();
            missing
                .try_reserve_exact(self.blocks_needed(offset, bytes.len() as u64) as usize)
                .map_err(|_| OutOfMemory)?;
            missing.extend(range.filter(|i| !self.blocks.contains_key(i)));
            missing
        };
        let mut fresh = Vec::new();
        fresh.try_reserve_exact(missing.len()).map_err(|_| OutOfMemory)?;
        for _ in &missing {
            fresh.push(zeroed_block().ok_or(OutOfMemory)?);
        }
        self.blocks.extend(missing.into_iter().zip(fresh));
        let mut done = 0;
        while done < bytes.len() {
            let at = offset + done as u64;
            let within = (at % BLOCK) as usize;
            let n = (BLOCK as usize - within).min(bytes.len() - done);
            let block = self.blocks.get_mut(&(at / BLOCK)).expect("allocated above");
            block[within..within + n].copy_from_slice(&bytes[done..done + n]);
            done += n;
        }
        self.len = self.len.max(offset + bytes.len() as u64);
        Ok(())
    }

    /// Sets the length: blocks past it go, and the rest of the last one is
    /// zeroed so that growing again reads zeros.
    pub fn truncate(&mut self, len: u64) {
        let kept = len.div_ceil(BLOCK);
        self.blocks.split_off(&kept);
        if !len.is_multiple_of(BLOCK)
            && let Some(last) = self.blocks.get_mut(&(len / BLOCK))
        {
            last[(len % BLOCK) as usize..].fill(0);
        }
        self.len = len;
    }
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
        f.truncate(BLOCK + 10);
        assert_eq!((f.len(), f.blocks()), (BLOCK + 10, 2));
        f.truncate(2 * BLOCK);
        let mut out = [0xffu8; 4];
        f.read(BLOCK + 8, &mut out);
        assert_eq!(out, [7, 7, 0, 0]);
        f.truncate(0);
        assert_eq!((f.len(), f.blocks()), (0, 0));
    }
}
