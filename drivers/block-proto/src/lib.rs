//! The protocol between a block device driver (the IDE task) and its
//! clients: whole 512-byte sectors, addressed by number (LBA), moved
//! through one grant per request (the client lends its buffer, the driver
//! copies into or out of it). A request is checked whole before the disk
//! is touched: a bad range or grant changes nothing.
#![no_std]

/// Bytes of one sector.
pub const SECTOR: u64 = 512;
/// Most sectors one READ or WRITE moves.
pub const MAX_SECTORS: u64 = 256;

/// Request labels.
pub mod label {
    /// () -> (sectors): the disk's size. ENXIO without a disk.
    pub const INFO: u32 = 1;
    /// (lba, count) + grant 0 writable, `count` sectors long -> (): reads
    /// sectors `lba..lba + count` into the grant.
    pub const READ: u32 = 2;
    /// (lba, count) + grant 0 readable, `count` sectors long -> (): writes
    /// the grant to sectors `lba..lba + count`.
    pub const WRITE: u32 = 3;
    /// () -> (): what the disk holds in its cache reaches the medium.
    pub const FLUSH: u32 = 4;
}

/// Errors (Linux numbering).
pub mod errno {
    /// The disk failed the command.
    pub const EIO: u32 = 5;
    /// There is no disk.
    pub const ENXIO: u32 = 6;
    /// The grant could not be copied.
    pub const EFAULT: u32 = 14;
    /// A count of 0 or past [`crate::MAX_SECTORS`], a range past the end
    /// of the disk, a grant of the wrong size or access.
    pub const EINVAL: u32 = 22;
    /// Unknown request.
    pub const ENOSYS: u32 = 38;
}

/// The disk image the `disk` test scenario attaches: the harness makes it
/// and checks it afterwards, ktest's disk checks read and write it. One
/// description for both, so they cannot drift apart.
pub mod test_disk {
    /// Its size in sectors (4 MiB).
    pub const SECTORS: u64 = 8192;
    /// What sector 0 starts with.
    pub const SIGNATURE: &[u8] = b"TERN TEST DISK";
    /// Where the guest writes two sectors of [`written_byte`]s.
    pub const WRITTEN_SECTOR: u64 = 100;

    /// The byte at `offset` of the fresh image (past the signature).
    pub fn image_byte(offset: u64) -> u8 {
        (offset * 7 + offset / 512) as u8
    }

    /// The byte at `offset` of what the guest writes at [`WRITTEN_SECTOR`].
    pub fn written_byte(offset: u64) -> u8 {
        (offset as u8) ^ 0x5a
    }
}

/// Whether `count` sectors from `lba` lie on a disk of `sectors`.
pub fn range_fits(lba: u64, count: u64, sectors: u64) -> bool {
    (1..=MAX_SECTORS).contains(&count) && lba.checked_add(count).is_some_and(|end| end <= sectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(range_fits(0, 1, 1));
        assert!(range_fits(10, 256, 266));
        assert!(!range_fits(10, 256, 265));
        assert!(!range_fits(0, 0, 10));
        assert!(!range_fits(0, 257, 1000));
        assert!(!range_fits(u64::MAX, 1, u64::MAX));
    }
}
