//! The root file system's disk: `root=ide:N` among fs0's arguments (mm0
//! copies it from the kernel command line) mounts the FAT volume on MBR
//! partition N of the IDE disk as `/`, `root=ramdisk:N` the one on
//! partition N of the ramdisk (a boot module mm0 copies into fs0); the
//! mount table names it `/dev/ideN` or `/dev/ramdiskN`.
//! Without either the tmpfs is the root.
//!
//! The IDE disk is reached through the block protocol (`block-proto`) on
//! the driver's endpoint, with fs0's buffers lent as grants; requests are
//! cut to the protocol's largest. Everything fs0 reads or writes on either
//! disk goes through one [`BlockCache`].

use alloc::boxed::Box;
use alloc::format;
use alloc::rc::Rc;
use core::cell::RefCell;

use abi::ipc::{Grant, grant};
use block_proto::{MAX_SECTORS, SECTOR, label};
use fs0::block_cache::{BlockCache, BlockDevice, DeviceError};
use fs0::fat::{Fat, FatClock};
use fs0::partition;
use fs0::vfs::Vfs;
use fs0_proto::errno::{EINVAL, EIO};
use libtern::ipc::{self, Message};
use libtern::println;
use mm0_proto::{SLOT_FS0_DISK, SLOT_MM0};

/// Blocks of the cache (8 MiB).
pub const CACHE_BLOCKS: usize = 2048;

/// The IDE disk, through its driver.
struct IdeDisk {
    sectors: u64,
}

/// One block-protocol request lending `buffer` with `access`; the reply's
/// first word.
fn request(label: u32, words: &[u64], buffer: Option<(&[u8], u64)>) -> Result<u64, DeviceError> {
    let msg = Message::new(label, words);
    let msg = match buffer {
        Some((b, access)) => {
            let n = ipc::set_grants(&[Grant { addr: b.as_ptr() as u64, len: b.len() as u64, access }]);
            msg.with_info(msg.info.with_grants(n))
        }
        None => msg,
    };
    let reply = ipc::call(SLOT_FS0_DISK, &msg).map_err(|_| DeviceError(EIO))?;
    match reply.label() {
        0 => Ok(reply.word(0)),
        e => Err(DeviceError(e)),
    }
}

impl IdeDisk {
    fn open() -> Result<IdeDisk, DeviceError> {
        Ok(IdeDisk { sectors: request(label::INFO, &[], None)? })
    }
}

impl BlockDevice for IdeDisk {
    fn sectors(&self) -> u64 {
        self.sectors
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), DeviceError> {
        for (i, chunk) in buf.chunks_mut((MAX_SECTORS * SECTOR) as usize).enumerate() {
            let at = lba + i as u64 * MAX_SECTORS;
            // The driver writes into the chunk through the grant.
            request(label::READ, &[at, chunk.len() as u64 / SECTOR], Some((chunk, grant::WRITE)))?;
        }
        Ok(())
    }

    fn write(&mut self, lba: u64, buf: &[u8]) -> Result<(), DeviceError> {
        for (i, chunk) in buf.chunks((MAX_SECTORS * SECTOR) as usize).enumerate() {
            let at = lba + i as u64 * MAX_SECTORS;
            request(label::WRITE, &[at, chunk.len() as u64 / SECTOR], Some((chunk, grant::READ)))?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DeviceError> {
        request(label::FLUSH, &[], None).map(|_| ())
    }
}

/// The ramdisk: mm0's copy of the `ramdisk` module in fs0's memory.
struct Ramdisk {
    bytes: &'static mut [u8],
}

impl Ramdisk {
    fn open() -> Result<Ramdisk, DeviceError> {
        let reply = ipc::call(SLOT_MM0, &Message::new(mm0_proto::label::RAMDISK, &[])).map_err(|_| DeviceError(EIO))?;
        if reply.label() != 0 {
            return Err(DeviceError(reply.label()));
        }
        let (addr, len) = (reply.word(0), reply.word(1) as usize);
        // SAFETY: mm0 has just mapped `len` bytes at `addr` into fs0,
        // readable and writable, for the rest of fs0's life (RAMDISK is
        // answered once), and nothing else in fs0 refers to that memory.
        let bytes = unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) };
        Ok(Ramdisk { bytes })
    }

    /// The bytes of `count` sectors from `lba`, checked against the size.
    fn range(&self, lba: u64, len: usize) -> Result<core::ops::Range<usize>, DeviceError> {
        let start = lba.checked_mul(SECTOR).ok_or(DeviceError(EINVAL))? as usize;
        let end = start.checked_add(len).filter(|&e| e <= self.bytes.len()).ok_or(DeviceError(EINVAL))?;
        Ok(start..end)
    }
}

impl BlockDevice for Ramdisk {
    fn sectors(&self) -> u64 {
        self.bytes.len() as u64 / SECTOR
    }

    fn read(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), DeviceError> {
        let range = self.range(lba, buf.len())?;
        buf.copy_from_slice(&self.bytes[range]);
        Ok(())
    }

    fn write(&mut self, lba: u64, buf: &[u8]) -> Result<(), DeviceError> {
        let range = self.range(lba, buf.len())?;
        self.bytes[range].copy_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DeviceError> {
        Ok(())
    }
}

/// A disk the root can be on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Ide,
    Ramdisk,
}

impl Source {
    /// Its name in `root=NAME:N`.
    fn name(self) -> &'static str {
        match self {
            Source::Ide => "ide",
            Source::Ramdisk => "ramdisk",
        }
    }

    fn open(self) -> Result<Box<dyn BlockDevice>, DeviceError> {
        Ok(match self {
            Source::Ide => Box::new(IdeDisk::open()?),
            Source::Ramdisk => Box::new(Ramdisk::open()?),
        })
    }
}

/// Where the root is, from fs0's arguments: the disk and partition.
fn root_partition(args: &str) -> Result<Option<(Source, u32)>, &'static str> {
    let Some(root) = args.split_whitespace().find_map(|w| w.strip_prefix("root=")) else {
        return Ok(None);
    };
    let (name, number) = root.split_once(':').ok_or("the root is `root=ide:N` or `root=ramdisk:N`")?;
    let source = [Source::Ide, Source::Ramdisk]
        .into_iter()
        .find(|s| s.name() == name)
        .ok_or("the root is `root=ide:N` or `root=ramdisk:N`")?;
    number.parse().map(|n| Some((source, n))).map_err(|_| "the partition is not a number")
}

/// Mounts the root `args` name, if any; says why not on the console.
pub fn mount_root(vfs: &mut Vfs, args: &str, clock: &'static FatClock) {
    let (source, number) = match root_partition(args) {
        Ok(Some(root)) => root,
        Ok(None) => return,
        Err(why) => return println!("fs0: root not mounted: {why} (`{args}`)"),
    };
    let name = source.name();
    let mounted = source
        .open()
        .map_err(Problem::Disk)
        .and_then(|disk| mount_fat(disk, number, clock))
        .and_then(|fat| vfs.mount_fat_root(fat, format!("/dev/{name}{number}").as_bytes()).map_err(Problem::Tree));
    match mounted {
        Ok(()) => println!("fs0: root is FAT on {name} partition {number}"),
        Err(why) => println!("fs0: root not mounted from {name} partition {number}: {why}; the root is in memory"),
    }
}

/// Why the root could not be mounted.
enum Problem {
    Disk(DeviceError),
    Partition(partition::PartitionError),
    Fat(fs0::fat::MountError),
    /// /dev or /tmp could not be made on it (an errno).
    Tree(u32),
}

impl core::fmt::Display for Problem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Problem::Disk(DeviceError(e)) => write!(f, "the disk failed (errno {e})"),
            Problem::Partition(why) => write!(f, "no such partition ({why:?})"),
            Problem::Fat(fs0::fat::MountError::OutsideDisk) => write!(f, "the partition is not on the disk"),
            Problem::Fat(fs0::fat::MountError::NotFat(e)) => write!(f, "not a FAT volume ({e})"),
            Problem::Tree(e) => write!(f, "cannot make /dev and /tmp on it (errno {e})"),
        }
    }
}

fn mount_fat(disk: Box<dyn BlockDevice>, number: u32, clock: &'static FatClock) -> Result<Fat, Problem> {
    let sectors = disk.sectors();
    let cache = Rc::new(RefCell::new(BlockCache::new(disk, CACHE_BLOCKS)));
    let mut sector0 = [0u8; SECTOR as usize];
    cache.borrow_mut().read(0, &mut sector0).map_err(Problem::Disk)?;
    let part = partition::find(&sector0, number, sectors).map_err(Problem::Partition)?;
    Fat::mount(cache, part.first_sector * SECTOR, part.sectors * SECTOR, clock).map_err(Problem::Fat)
}
