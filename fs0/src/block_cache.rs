//! The block cache between the FAT file system and a disk: 4 KiB blocks of
//! the disk kept in memory, written back when evicted or flushed.
//!
//! Design:
//! - The cache is byte-addressed over the whole device ([`BlockCache::read`],
//!   [`BlockCache::write`]); a [`Volume`] is a window of it (one partition)
//!   with a position, which is what the `fatfs` crate reads and writes
//!   through (`core_io`'s `Read`, `Write`, `Seek`).
//! - Write-back: a write only changes the cached block. Dirty blocks reach
//!   the disk when evicted and on [`BlockCache::flush`], which also asks
//!   the disk to empty its own cache; fatfs flushes on every file flush,
//!   which is how fsync, sync, the last close and unmount reach the disk.
//! - Few, large requests: a miss reads up to [`READ_AHEAD`] blocks in one
//!   request, a write of a whole block does not read it first, and write
//!   back sends runs of consecutive dirty blocks together.
//! - Eviction takes the least recently used block: a linear scan, which
//!   costs little next to a disk request for the cache sizes fs0 uses.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;

/// Bytes of one disk sector.
pub const SECTOR: u64 = 512;
/// Bytes of one cached block.
pub const BLOCK: u64 = 4096;
const SECTORS_PER_BLOCK: u64 = BLOCK / SECTOR;
/// Blocks one miss reads at most (64 KiB).
pub const READ_AHEAD: u64 = 16;
/// Blocks one write-back request carries at most (128 KiB, within the block
/// protocol's 256 sectors).
const WRITE_RUN: u64 = 32;

/// A disk failure, as a Linux errno (EIO, ENXIO...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceError(pub u32);

/// A disk of 512-byte sectors.
pub trait BlockDevice {
    /// The disk's size in sectors.
    fn sectors(&self) -> u64;
    /// Reads whole sectors from `lba` into `buf` (a multiple of 512 bytes).
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), DeviceError>;
    /// Writes whole sectors from `lba`.
    fn write(&mut self, lba: u64, buf: &[u8]) -> Result<(), DeviceError>;
    /// Makes what was written reach the medium.
    fn flush(&mut self) -> Result<(), DeviceError>;
}

struct CachedBlock {
    data: Box<[u8]>,
    dirty: bool,
    /// When the block was last used (the cache's use counter).
    used: u64,
}

pub struct BlockCache {
    device: Box<dyn BlockDevice>,
    blocks: BTreeMap<u64, CachedBlock>,
    /// Most blocks held.
    capacity: usize,
    uses: u64,
}

impl BlockCache {
    /// A cache of at most `capacity` blocks (at least [`READ_AHEAD`]).
    pub fn new(device: Box<dyn BlockDevice>, capacity: usize) -> BlockCache {
        BlockCache { device, blocks: BTreeMap::new(), capacity: capacity.max(READ_AHEAD as usize), uses: 0 }
    }

    /// The device's size in bytes.
    pub fn len(&self) -> u64 {
        self.device.sectors() * SECTOR
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of block `block` (the last one of a disk may be short).
    fn block_len(&self, block: u64) -> usize {
        let sectors = self.device.sectors().saturating_sub(block * SECTORS_PER_BLOCK).min(SECTORS_PER_BLOCK);
        (sectors * SECTOR) as usize
    }

    /// Reads `out.len()` bytes from byte `offset` of the device.
    pub fn read(&mut self, offset: u64, out: &mut [u8]) -> Result<(), DeviceError> {
        self.check_range(offset, out.len())?;
        let mut done = 0;
        while done < out.len() {
            let at = offset + done as u64;
            let (block, within) = (at / BLOCK, (at % BLOCK) as usize);
            self.load(block)?;
            let cached = self.touch(block);
            let n = (cached.data.len() - within).min(out.len() - done);
            out[done..done + n].copy_from_slice(&cached.data[within..within + n]);
            done += n;
        }
        Ok(())
    }

    /// Writes `bytes` at byte `offset` of the device (into the cache).
    pub fn write(&mut self, offset: u64, bytes: &[u8]) -> Result<(), DeviceError> {
        self.check_range(offset, bytes.len())?;
        let mut done = 0;
        while done < bytes.len() {
            let at = offset + done as u64;
            let (block, within) = (at / BLOCK, (at % BLOCK) as usize);
            let len = self.block_len(block);
            let n = (len - within).min(bytes.len() - done);
            if n == len {
                // The whole block is new: no need to read it.
                self.insert(block, vec![0; len].into_boxed_slice())?;
            } else {
                self.load(block)?;
            }
            let cached = self.touch(block);
            cached.data[within..within + n].copy_from_slice(&bytes[done..done + n]);
            cached.dirty = true;
            done += n;
        }
        Ok(())
    }

    /// Writes every dirty block back, then flushes the device.
    pub fn flush(&mut self) -> Result<(), DeviceError> {
        while let Some(&block) = self.blocks.iter().find(|(_, b)| b.dirty).map(|(n, _)| n) {
            self.write_back_run(block)?;
        }
        self.device.flush()
    }

    fn check_range(&self, offset: u64, len: usize) -> Result<(), DeviceError> {
        match offset.checked_add(len as u64) {
            Some(end) if end <= self.len() => Ok(()),
            _ => Err(DeviceError(fs0_proto::errno::EIO)),
        }
    }

    fn touch(&mut self, block: u64) -> &mut CachedBlock {
        self.uses += 1;
        let cached = self.blocks.get_mut(&block).expect("loaded by the caller");
        cached.used = self.uses;
        cached
    }

    /// Makes sure `block` is cached, reading it and the uncached blocks
    /// after it (up to [`READ_AHEAD`]) in one request.
    fn load(&mut self, block: u64) -> Result<(), DeviceError> {
        if self.blocks.contains_key(&block) {
            return Ok(());
        }
        let last = self.len().div_ceil(BLOCK);
        let mut count = 1;
        while count < READ_AHEAD && block + count < last && !self.blocks.contains_key(&(block + count)) {
            count += 1;
        }
        let lens: Vec<usize> = (block..block + count).map(|b| self.block_len(b)).collect();
        let mut buffer = vec![0u8; lens.iter().sum()];
        self.device.read(block * SECTORS_PER_BLOCK, &mut buffer)?;
        let mut at = 0;
        for (i, len) in lens.into_iter().enumerate() {
            self.insert(block + i as u64, buffer[at..at + len].into())?;
            at += len;
        }
        Ok(())
    }

    /// Caches `data` as the (clean) content of `block`, evicting the least
    /// recently used block if the cache is full.
    fn insert(&mut self, block: u64, data: Box<[u8]>) -> Result<(), DeviceError> {
        if !self.blocks.contains_key(&block) && self.blocks.len() >= self.capacity {
            let victim = self.blocks.iter().min_by_key(|(_, b)| b.used).map(|(&n, _)| n);
            if let Some(victim) = victim {
                if self.blocks[&victim].dirty {
                    self.write_back_run(victim)?;
                }
                self.blocks.remove(&victim);
            }
        }
        self.uses += 1;
        let used = self.uses;
        match self.blocks.get_mut(&block) {
            Some(cached) => cached.data = data,
            None => {
                self.blocks.insert(block, CachedBlock { data, dirty: false, used });
            }
        }
        Ok(())
    }

    /// Writes dirty `block` and the dirty blocks right after it in one
    /// request; they stay cached, clean.
    fn write_back_run(&mut self, block: u64) -> Result<(), DeviceError> {
        let mut buffer = Vec::new();
        let mut end = block;
        while end - block < WRITE_RUN {
            match self.blocks.get(&end) {
                Some(cached) if cached.dirty => buffer.extend_from_slice(&cached.data),
                _ => break,
            }
            end += 1;
        }
        self.device.write(block * SECTORS_PER_BLOCK, &buffer)?;
        for b in block..end {
            if let Some(cached) = self.blocks.get_mut(&b) {
                cached.dirty = false;
            }
        }
        Ok(())
    }
}

/// A partition of a cached disk, read and written like a file: what the
/// `fatfs` crate mounts.
pub struct Volume {
    cache: Rc<RefCell<BlockCache>>,
    /// The partition's first byte on the disk, and its length.
    start: u64,
    len: u64,
    position: u64,
}

impl Volume {
    /// Bytes `start..start + len` of the disk behind `cache`; `None` if
    /// they are not all on it.
    pub fn new(cache: Rc<RefCell<BlockCache>>, start: u64, len: u64) -> Option<Volume> {
        let end = start.checked_add(len)?;
        let fits = end <= cache.borrow().len();
        fits.then_some(Volume { cache, start, len, position: 0 })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many bytes of a transfer of `want` fit before the end.
    fn clamp(&self, want: usize) -> usize {
        want.min(self.len.saturating_sub(self.position) as usize)
    }
}

/// fatfs sees every disk failure as the same error (fs0 answers EIO).
fn io_error(_: DeviceError) -> core_io::Error {
    core_io::Error::new(core_io::ErrorKind::Other, "disk I/O error")
}

impl core_io::Read for Volume {
    fn read(&mut self, buf: &mut [u8]) -> core_io::Result<usize> {
        let n = self.clamp(buf.len());
        self.cache.borrow_mut().read(self.start + self.position, &mut buf[..n]).map_err(io_error)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl core_io::Write for Volume {
    fn write(&mut self, buf: &[u8]) -> core_io::Result<usize> {
        let n = self.clamp(buf.len());
        if n == 0 && !buf.is_empty() {
            return Err(core_io::Error::new(core_io::ErrorKind::WriteZero, "write past the end of the volume"));
        }
        self.cache.borrow_mut().write(self.start + self.position, &buf[..n]).map_err(io_error)?;
        self.position += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> core_io::Result<()> {
        self.cache.borrow_mut().flush().map_err(io_error)
    }
}

impl core_io::Seek for Volume {
    fn seek(&mut self, pos: core_io::SeekFrom) -> core_io::Result<u64> {
        let (base, delta) = match pos {
            core_io::SeekFrom::Start(at) => (at, 0),
            core_io::SeekFrom::End(delta) => (self.len, delta),
            core_io::SeekFrom::Current(delta) => (self.position, delta),
        };
        match base.checked_add_signed(delta) {
            Some(at) if at <= self.len => {
                self.position = at;
                Ok(at)
            }
            _ => Err(core_io::Error::new(core_io::ErrorKind::InvalidInput, "seek outside the volume")),
        }
    }
}
